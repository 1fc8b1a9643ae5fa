"""A metric of the plan's own over a window of quarters (SPEC 5.3 window:): each CSM's book in the replayed
quarter together with the quarters before it, membership decided per window quarter, as the Windows paragraph says.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from cscomp_cli.core.quarters import Calendar, quarter_ordinal, quarter_ordinals
from cscomp_cli.core.rounding import round_half_away
from cscomp_cli.engine.column_statistics import (
    COLUMN_STATISTICS,
    POOLING,
    column_row_quantity,
    column_rows,
    reduce_by_code,
    statistics_used,
)
from cscomp_cli.engine.metrics import STATISTICS
from cscomp_cli.engine.roster_lookup import roster_rows
from cscomp_cli.engine.row_filters import row_mask
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.own_metrics import Definition, ToDate


class WindowSource(Protocol):
    """What a window reads of the plan's own metrics it belongs to (engine/plan_metrics.CustomMetrics)."""

    plan: Plan
    rows: pd.DataFrame  # the replayed CSM-quarters
    history: pd.DataFrame  # every quarter of the accounts export, for looking back
    roster: pd.DataFrame | None  # the roster, for who was in which team or segment in each window quarter
    calendar: Calendar  # the quarters' days: a pay history's row of a quarter is the one in force on a day
    shared: dict  # what a sweep's replays share

    def scope_groups(self, scope: str, where: str) -> np.ndarray:
        """A code per row numbering its scope book."""


def _codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the values they number; a categorical column already has them."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy().astype(CODE), np.asarray(series.cat.categories, dtype=object)
    codes, uniques = pd.factorize(series.to_numpy(dtype=object))
    return codes.astype(CODE), np.asarray(uniques, dtype=object)


# The column statistics each aggregate reads (SPEC 5.3).
AGGREGATE_STATISTICS = {"mean": ("n", "total"), "sum": ("n", "total"), "min": ("n", "low"), "max": ("n", "high"),
                        "count": ("n",), "arr_weighted_mean": ("n", "weighted", "weight"), "share": ("n", "hits")}


# Codes, quarter positions and pair arrays over millions of rows are int32 (half the memory of a
# window); a position in an (quarter, account) grid is computed in int64, as it may pass 2**31.
CODE = "int32"


def _cell(t: np.ndarray, account: np.ndarray, accounts: int) -> np.ndarray:
    """The position of (quarter t, account) in a row-major grid of ``accounts`` columns."""
    return t.astype("int64") * accounts + account


class Books:
    """The windowed books of one scope: every (account, book) pair, each once, and which book each replayed
    row reads. A book is a CSM-quarter (scope csm) or a (quarter, team / segment) or a quarter (company)."""

    def __init__(self, pairs: tuple[np.ndarray, np.ndarray, np.ndarray], groups: np.ndarray, starts: np.ndarray,
                 label: np.ndarray, book_of: np.ndarray):
        self.account, self.end, self.book = pairs
        self.groups = groups  # per replayed row, the book it reads
        self.label, self.book_of = label, book_of  # per history row its book's label; (t, label) → book
        self.start = starts[self.end].astype(CODE) if len(starts) else self.end
        self.size = int(groups.max()) + 1 if len(groups) else 0


def _lands(frame: pd.DataFrame) -> bool:
    """Whether any row of the accounts lands new business (new_arr > 0)."""
    return "new_arr" in frame and bool((frame["new_arr"].to_numpy(dtype="float64") > 0).any())


class Window:
    """The trailing-window books of one (filters, N) over every quarter a replayed window reaches.

    Quarters are dense positions t from ``base`` (the earliest quarter any replayed window reaches,
    but not before the data's first). Each history row in that span is labelled, per scope, with the
    book it is part of in its own quarter: its owner (csm), its owner's roster team or segment for that
    quarter, or the company. An account is in a book at quarter q when some row of it in q's window
    carries the book's label, whether or not the row passes the filters (SPEC 5.3: an account belongs by
    its rows before any filter); the passing rows are then folded.
    """

    def __init__(self, metrics: WindowSource, definition: Definition):
        history, rows, reach = metrics.history, metrics.rows, definition.window
        # A trailing window (an int) looks back n quarters; a period's to date (ToDate) starts at the
        # period's first quarter, so its length grows through the period up to the period's.
        n = reach.length if isinstance(reach, ToDate) else reach
        self.n = n
        ordinal = quarter_ordinals(history["quarter"])
        row_ordinal = quarter_ordinals(rows["quarter"])
        first = int(ordinal.min()) if len(ordinal) else 0
        self.first_label = history["quarter"].iloc[int(ordinal.argmin())] if len(ordinal) else ""
        self.base = max(first, int(row_ordinal.min()) - n + 1) if len(rows) else first
        self.span = (int(row_ordinal.max()) - self.base + 1) if len(rows) else 0
        # Per position t, the position its window starts at (never before the span's first).
        positions = np.arange(self.span, dtype="int64")
        firsts = reach.first(positions + self.base) if isinstance(reach, ToDate) else positions + self.base - n + 1
        self.starts = np.maximum(firsts - self.base, 0).astype(CODE)
        self.trailing = not isinstance(reach, ToDate)
        self.in_span = (ordinal >= self.base) & (ordinal < self.base + self.span)
        mask = row_mask(metrics.plan, definition, history)
        self.filtered = mask is not None
        self.passing = self.in_span if mask is None else self.in_span & mask
        self.failing = None if mask is None else self.in_span & ~mask
        self.t = (ordinal - self.base).astype(CODE)
        # Accounts and CSMs as integer codes; accounts renumbered to those the span holds.
        if "account codes" not in metrics.shared:
            metrics.shared["account codes"] = _codes(history["account_id"])[0]
        account = metrics.shared["account codes"]
        present = np.bincount(account[self.in_span], minlength=int(account.max()) + 1 if len(account) else 0) > 0
        renumber = np.cumsum(present) - 1
        self.account = np.where(self.in_span, renumber[account] if len(account) else account, -1).astype(CODE)
        self.accounts = int(present.sum())
        self.csm, self.csm_ids = _codes(history["csm_id"])
        self.row_t = (row_ordinal - self.base).astype(CODE)
        self._books: dict[str, Books] = {}
        self._sums: dict = {}
        self._folds: dict = {}  # (quantity, how) → a period's folded grid, raveled (to-date windows only)

    # -- books per scope --

    def books(self, metrics: WindowSource, scope: str, where: str) -> Books:
        """The pairs of one scope's windowed books (found once per scope)."""
        if scope not in self._books:
            groups = np.arange(len(metrics.rows)) if scope == "csm" else metrics.scope_groups(scope, where)
            label, row_label = self._labels(metrics, scope)
            # book_of[t, label]: the book carrying that label at quarter t (−1: none is replayed then).
            labels = int(max(label.max(initial=-1), row_label.max(initial=-1))) + 1
            book_of = np.full((max(self.span, 1), labels + 1), -1, dtype=CODE)
            known = row_label >= 0
            book_of[self.row_t[known], row_label[known]] = groups[known]
            self._books[scope] = Books(self._pairs(label, book_of), groups, self.starts, label, book_of)
        return self._books[scope]

    def _labels(self, metrics: WindowSource, scope: str) -> tuple[np.ndarray, np.ndarray]:
        """Per history row and per replayed row, a code for the book it is part of in its own quarter
        (−1: none, e.g. an owner with no roster row or no team that quarter)."""
        if scope == "company":
            return np.where(self.in_span, 0, -1).astype(CODE), np.zeros(len(metrics.rows), dtype=CODE)
        row_csm = pd.Index(self.csm_ids).get_indexer(metrics.rows["csm_id"].to_numpy(dtype=object)).astype(CODE)
        if scope == "csm":
            return np.where(self.in_span, self.csm, -1).astype(CODE), row_csm
        # Each distinct (quarter, owner) of the span looked up once in the roster, by that quarter.
        inside = np.flatnonzero(self.in_span & (self.csm >= 0))
        owner_quarter = self.t[inside].astype("int64") * (len(self.csm_ids) + 1) + self.csm[inside]
        distinct, which = np.unique(owner_quarter, return_inverse=True)
        quarter_of = self._quarter_labels(metrics.history)
        keys = pd.DataFrame({"quarter": [quarter_of[int(d) // (len(self.csm_ids) + 1)] for d in distinct],
                             "csm_id": self.csm_ids[distinct % (len(self.csm_ids) + 1)]})
        held = (roster_rows(metrics.roster, keys, [scope, "name"], metrics.calendar)[scope] if metrics.roster is not None
                else pd.Series([None] * len(keys), dtype=object))
        values = pd.concat([held.astype(object), metrics.rows[scope].astype(object)], ignore_index=True)
        codes = pd.factorize(values.to_numpy(dtype=object))[0].astype(CODE)  # NaN: −1
        label = np.full(len(self.t), -1, dtype=CODE)
        label[inside] = codes[: len(keys)][which]
        return label, codes[len(keys):]

    def _quarter_labels(self, history: pd.DataFrame) -> dict[int, str]:
        """Position t → the quarter's label as the data writes it."""
        codes, labels = _codes(history["quarter"])
        return {quarter_ordinal(label) - self.base: str(label) for label in labels}

    def _pairs(self, label: np.ndarray, book_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (account, end quarter, book) of the windowed books, each once: the pair is made by the
        account's latest row carrying the book's label in the window."""
        n, span, count = self.n, self.span, self.accounts
        sel = np.flatnonzero(label >= 0)
        a, t, c = self.account[sel], self.t[sel], label[sel]
        cell = _cell(t, a, count)
        owner = np.full(span * count + n * count, -1, dtype="int32")  # padded: t + j past the span reads −1
        owner[cell] = c
        # gap: quarters until the account carries this label again (a later row makes the pairs from there).
        gap = np.full(len(sel), n, dtype="int8")  # at most 12
        for j in range(n - 1, 0, -1):
            gap[owner[cell + j * count] == c] = j
        accounts, ends, books = [], [], []
        later = np.flatnonzero(gap > 1)  # most rows are followed by the same label's next row: k = 0 only
        for k in range(n):
            rows = slice(None) if k == 0 else later[(gap[later] > k) & (t[later] + k < span)]
            at, ct = t[rows], c[rows]
            book = book_of[at + k, ct]
            held = book >= 0
            if k and not self.trailing:
                held &= self.starts[at + k] <= at  # the row is before that quarter's period began
            accounts.append(a[rows][held])
            ends.append(at[held] + k)
            books.append(book[held])

        def joined(parts):
            return np.concatenate(parts).astype(CODE) if parts else np.zeros(0, dtype=CODE)

        return joined(accounts), joined(ends), joined(books)

    # -- folding --

    def _grid(self, values: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """A (quarter, account) grid of one quantity of the passing rows."""
        grid = np.full(self.span * self.accounts, fill)
        sel = self.passing
        grid[_cell(self.t[sel], self.account[sel], self.accounts)] = values
        return grid.reshape(self.span, self.accounts)

    def window_sum(self, books: Books, name: str, values_of, how: str = "sum") -> np.ndarray:
        """Per pair: the quantity over the account's passing rows in the pair's window (sum, or min / max)."""
        key = (id(books), name, how)
        if key not in self._sums:
            folded = self._folds.get((name, how))
            if folded is not None:  # a period's folds serve every scope: only the gather differs
                self._sums[key] = folded[_cell(books.end, books.account, self.accounts)]
                return self._sums[key]
            grid = self._grid(values_of(self.passing), 0.0 if how == "sum" else np.nan)
            combine = {"sum": np.add, "min": np.fmin, "max": np.fmax}[how]
            if self.trailing:
                folded = grid.copy()
                # Quarter t gathers quarters t − k; no window reaches before position 0 (``base``).
                for k in range(1, min(self.n, self.span)):
                    combine(folded[k:], grid[:-k], out=folded[k:])
            else:
                # A period to date: a running total (or min / max) inside each period, in place, period by
                # period (a span holds a few), adding the quarters in order as the trailing fold does.
                folded = grid
                for first in np.flatnonzero(self.starts == np.arange(self.span)):
                    last = first + 1
                    while last < self.span and self.starts[last] == first:
                        last += 1
                    combine.accumulate(grid[first:last], axis=0, out=folded[first:last])
                # Kept for the other scopes: a period plan measures every metric to date at each of them.
                self._folds[(name, how)] = folded.ravel()
            self._sums[key] = folded.ravel()[_cell(books.end, books.account, self.accounts)]
        return self._sums[key]

    def at_start(self, books: Books, name: str, values_of) -> np.ndarray:
        """Per pair: the quantity of the account's passing row in the window's first quarter (0 without one)."""
        key = (id(books), name, "first")
        if key not in self._sums:
            grid = self._folds.get((name, "first"))
            if grid is None:
                grid = self._grid(values_of(self.passing)).ravel()
                if not self.trailing:
                    self._folds[(name, "first")] = grid
            self._sums[key] = grid[_cell(books.start, books.account, self.accounts)]
        return self._sums[key]

    def _folded(self, metrics: WindowSource, definition: Definition, books: Books,
                names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """Per pair, the statistics of the account folded into one row over the window."""
        frame = metrics.history
        if definition.base == "column":
            rows = {}

            def quantity(name):
                def values_of(selected):
                    if "columns" not in rows:
                        rows["columns"] = column_rows(metrics.plan, definition, frame, selected)
                    return rows["columns"][name]
                return values_of

            # A period plan's column metric folds only what its aggregate reads (the rest left undefined):
            # each is a fold over every account and quarter, and a period plan measures every metric so.
            needed = COLUMN_STATISTICS if self.trailing else AGGREGATE_STATISTICS[definition.aggregate]
            return {name: (self.window_sum(books, f"{definition.column}:{definition.where}:{name}", quantity(name),
                                           POOLING.get(name, "sum")) if name in needed
                           else np.full(len(books.book), np.nan)) for name in COLUMN_STATISTICS}

        def summed(name):
            return self.window_sum(books, name, lambda selected: column_row_quantity(frame, name, selected))

        def start():
            return self.at_start(books, "arr_start",
                                 lambda selected: column_row_quantity(frame, "arr_start", selected))

        def kept():
            # Section 2's nrr numerator of the folded row: its movements without new business (SPEC 6.7).
            return round_half_away(start() + summed("growth"))

        def arr_end():
            # The folded row's arr_end sums new_arr like the other movements (SPEC 6.7): an account that
            # churned and was won back inside the window ends with ARR, but its landed ARR is not retained.
            if not _lands(frame):
                return kept()
            return round_half_away(start() + summed("growth") + summed("new_arr"))

        def base():
            return start() > 0

        def folded_rows():
            # An account whose every window row the filters leave out is held, but has nothing folded.
            if not self.filtered:
                return np.ones(len(books.book))
            passing = self.window_sum(books, "passing rows", lambda selected: np.ones(int(selected.sum())))
            return (passing > 0).astype("float64")

        folded = {
            "start_arr": lambda: np.where(base(), start(), 0.0),
            "retained": lambda: np.where(base(), start() - summed("loss"), 0.0),
            "net_retained": lambda: np.where(base(), kept(), 0.0),
            "base_rows": lambda: base().astype("float64"),
            "base_rows_alive": lambda: (base() & (arr_end() > 0)).astype("float64"),
            "risk_weighted": lambda: self._risk(frame, books, start, True),
            "risk_weight": lambda: self._risk(frame, books, start, False),
            "accounts": folded_rows,
        }
        return {name: (folded[name] if name in folded else lambda name=name: summed(name))()
                for name in (statistics_used(definition.base) if names is None else names)}

    def _risk(self, frame, books: Books, start, weighted: bool) -> np.ndarray:
        risk = self.at_start(books, "risk",
                             lambda selected: np.nan_to_num(column_row_quantity(frame, "risk", selected), nan=-1.0))
        scored = (start() > 0) & (risk >= 0)
        return np.where(scored, (risk if weighted else 1.0) * start(), 0.0)

    # -- per replayed row --

    def statistics(self, metrics: WindowSource, definition: Definition, scope: str, where: str,
                   names: tuple[str, ...] | None = None) -> pd.DataFrame:
        """Each replayed row's scope book over its window: the folded accounts' statistics summed (``names``:
        the statistics a built-in formula needs, when several share them; else its own)."""
        books = self.books(metrics, scope, where)
        out = {}
        for name, values in self._folded(metrics, definition, books, names).items():
            how = POOLING.get(name, "sum") if definition.base == "column" else "sum"
            out[name] = reduce_by_code(books.book, values, books.size, how)[books.groups]
        if definition.base != "column":
            out = {name: out.get(name, np.zeros(len(books.groups))) for name in STATISTICS}
        return pd.DataFrame(out)

    def filtered_out(self, metrics: WindowSource, definition: Definition, scope: str, where: str) -> np.ndarray:
        """Rows of each scope book, in its window's quarters, that the filters leave out."""
        books = self.books(metrics, scope, where)
        sel = np.flatnonzero(self.failing & (books.label >= 0))
        t, c = self.t[sel], books.label[sel]
        counts = np.zeros(books.size)
        for k in range(self.n):
            ahead = t + k < self.span
            if k and not self.trailing:
                ahead &= self.starts[np.minimum(t + k, self.span - 1)] <= t
            book = books.book_of[t[ahead] + k, c[ahead]]
            counts += np.bincount(book[book >= 0], minlength=books.size)
        return counts[books.groups]

    def quarters(self, metrics: WindowSource, i: int) -> list[str]:
        """The quarters of row i's window that the accounts data holds."""
        end = int(self.row_t[i]) + self.base
        start = max(int(self.starts[self.row_t[i]]) + self.base, quarter_ordinal(self.first_label))
        held = {quarter_ordinal(q): str(q) for q in pd.unique(metrics.history["quarter"].astype(object))}
        return [held[o] for o in range(start, end + 1) if o in held]
