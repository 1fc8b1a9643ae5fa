"""A metric of the plan's own over a window of quarters (SPEC 5.3 window:): each CSM's book in the replayed
quarter together with the quarters before it, membership decided per window quarter, as the Windows paragraph says.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from cscomp_cli.core.quarters import quarter_ordinal
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
from cscomp_cli.engine.row_filters import row_mask
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.own_metrics import Definition


class WindowSource(Protocol):
    """What a window reads of the plan's own metrics it belongs to (engine/plan_metrics.CustomMetrics)."""

    plan: Plan
    rows: pd.DataFrame  # the replayed CSM-quarters
    history: pd.DataFrame  # every quarter of the accounts export, for looking back
    shared: dict  # what a sweep's replays share

    def scope_groups(self, scope: str, where: str) -> np.ndarray:
        """A code per row numbering its scope book."""


def _codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the values they number; a categorical column already has them."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy().astype(CODE), np.asarray(series.cat.categories, dtype=object)
    codes, uniques = pd.factorize(series.to_numpy(dtype=object))
    return codes.astype(CODE), np.asarray(uniques, dtype=object)


# Codes, quarter positions and pair arrays over millions of rows are int32 (half the memory of a
# window); a position in an (quarter, account) grid is computed in int64, as it may pass 2**31.
CODE = "int32"


def _cell(t: np.ndarray, account: np.ndarray, accounts: int) -> np.ndarray:
    """The position of (quarter t, account) in a row-major grid of ``accounts`` columns."""
    return t.astype("int64") * accounts + account


def _ordinals(series: pd.Series) -> np.ndarray:
    """Each row's quarter as a quarter ordinal (each distinct label parsed once)."""
    codes, labels = _codes(series)
    return np.array([quarter_ordinal(label) for label in labels], dtype="int64")[codes] if len(labels) else codes


class Window:
    """The trailing-window books of one (filters, N): every (account, book row) pair, found once.

    Quarters are dense positions t from ``base`` (the earliest quarter any replayed window reaches,
    but not before the data's first). An account is in CSM c's book at quarter q when c owned a row of
    it passing the filters at some t in the window; each pair is produced once, by c's latest such row.
    """

    def __init__(self, metrics: WindowSource, definition: Definition):
        history, rows, n = metrics.history, metrics.rows, definition.window
        self.n = n
        ordinal = _ordinals(history["quarter"])
        row_ordinal = _ordinals(rows["quarter"])
        first = int(ordinal.min()) if len(ordinal) else 0
        self.first_label = history["quarter"].iloc[int(ordinal.argmin())] if len(ordinal) else ""
        self.base = max(first, int(row_ordinal.min()) - n + 1) if len(rows) else first
        self.span = (int(row_ordinal.max()) - self.base + 1) if len(rows) else 0
        in_span = (ordinal >= self.base) & (ordinal < self.base + self.span)
        mask = row_mask(metrics.plan, definition, history)
        self.passing = in_span if mask is None else in_span & mask
        self.failing = None if mask is None else in_span & ~mask
        self.t = (ordinal - self.base).astype(CODE)
        # Accounts and CSMs as integer codes; accounts renumbered to those the span holds.
        if "account codes" not in metrics.shared:
            metrics.shared["account codes"] = _codes(history["account_id"])[0]
        account = metrics.shared["account codes"]
        present = np.bincount(account[in_span], minlength=int(account.max()) + 1 if len(account) else 0) > 0
        renumber = np.cumsum(present) - 1
        self.account = np.where(in_span, renumber[account] if len(account) else account, -1).astype(CODE)
        self.accounts = int(present.sum())
        csm, csm_ids = _codes(history["csm_id"])
        self.csm = csm
        # book_of[t, c]: the replayed row of CSM c at quarter t (−1: not replayed then).
        row_csm = pd.Index(csm_ids).get_indexer(rows["csm_id"].to_numpy(dtype=object))
        self.book_of = np.full((max(self.span, 1), len(csm_ids) + 1), -1, dtype=CODE)
        known = row_csm >= 0
        self.book_of[(row_ordinal - self.base)[known], row_csm[known]] = np.flatnonzero(known)
        self.row_t = row_ordinal - self.base
        self._pairs()
        self._sums: dict = {}

    def _pairs(self) -> None:
        """Every (account, book row) of the windowed CSM books, from the passing rows, each once."""
        n, span, count = self.n, self.span, self.accounts
        sel = np.flatnonzero(self.passing)
        a, t, c = self.account[sel], self.t[sel], self.csm[sel]
        cell = _cell(t, a, count)
        owner = np.full(span * count + n * count, -1, dtype="int32")  # padded: t + j past the span reads −1
        owner[cell] = c
        # gap: quarters until this CSM owns the account again (a later row makes the pairs from there).
        gap = np.full(len(sel), n, dtype="int8")  # at most 12
        for j in range(n - 1, 0, -1):
            gap[owner[cell + j * count] == c] = j
        accounts, ends, books = [], [], []
        later = np.flatnonzero(gap > 1)  # most rows are followed by the same owner's next row: k = 0 only
        for k in range(n):
            rows = slice(None) if k == 0 else later[(gap[later] > k) & (t[later] + k < span)]
            at, ct = t[rows], c[rows]
            book = self.book_of[at + k, ct]
            held = book >= 0
            accounts.append(a[rows][held])
            ends.append(at[held] + k)
            books.append(book[held])
        self.pair_account = np.concatenate(accounts).astype(CODE) if accounts else np.zeros(0, dtype=CODE)
        self.pair_end = np.concatenate(ends).astype(CODE) if ends else np.zeros(0, dtype=CODE)
        self.pair_book = np.concatenate(books).astype(CODE) if books else np.zeros(0, dtype=CODE)
        self.pair_start = np.maximum(self.pair_end - n + 1, 0).astype(CODE)
        # An account held by two CSMs of one team in a window must count once in the team's book.
        cells = _cell(self.pair_end, self.pair_account, count)
        self.shared_cell = np.bincount(cells, minlength=span * count)[cells] > 1

    # -- folding --

    def _grid(self, values: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """A (quarter, account) grid of one quantity of the passing rows."""
        grid = np.full(self.span * self.accounts, fill)
        sel = self.passing
        grid[_cell(self.t[sel], self.account[sel], self.accounts)] = values
        return grid.reshape(self.span, self.accounts)

    def window_sum(self, name: str, values_of, how: str = "sum") -> np.ndarray:
        """Per pair: the quantity over the account's rows in the pair's window (sum, or min / max)."""
        key = (name, how)
        if key not in self._sums:
            grid = self._grid(values_of(self.passing), 0.0 if how == "sum" else np.nan)
            folded = grid.copy()
            combine = {"sum": np.add, "min": np.fmin, "max": np.fmax}[how]
            # Quarter t gathers quarters t − k; no window reaches before position 0 (``base``).
            for k in range(1, min(self.n, self.span)):
                combine(folded[k:], grid[:-k], out=folded[k:])
            self._sums[key] = folded.ravel()[_cell(self.pair_end, self.pair_account, self.accounts)]
        return self._sums[key]

    def at_start(self, name: str, values_of) -> np.ndarray:
        """Per pair: the quantity of the account's row in the window's first quarter (0 without one)."""
        key = (name, "first")
        if key not in self._sums:
            grid = self._grid(values_of(self.passing))
            self._sums[key] = grid.ravel()[_cell(self.pair_start, self.pair_account, self.accounts)]
        return self._sums[key]

    def _folded(self, metrics: WindowSource, definition: Definition) -> dict[str, np.ndarray]:
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

            return {name: self.window_sum(f"{definition.column}:{definition.where}:{name}", quantity(name),
                                          POOLING.get(name, "sum")) for name in COLUMN_STATISTICS}

        def summed(name):
            return self.window_sum(name, lambda selected: column_row_quantity(frame, name, selected))

        def start():
            return self.at_start("arr_start", lambda selected: column_row_quantity(frame, "arr_start", selected))

        def arr_end():
            return round_half_away(start() + summed("growth"))

        def base():
            return start() > 0

        folded = {
            "start_arr": lambda: np.where(base(), start(), 0.0),
            "retained": lambda: np.where(base(), start() - summed("loss"), 0.0),
            "net_retained": lambda: np.where(base(), arr_end(), 0.0),
            "base_rows": lambda: base().astype("float64"),
            "base_rows_alive": lambda: (base() & (arr_end() > 0)).astype("float64"),
            "risk_weighted": lambda: self._risk(frame, start, True),
            "risk_weight": lambda: self._risk(frame, start, False),
            "accounts": lambda: np.ones(len(self.pair_book)),
        }
        return {name: (folded[name] if name in folded else lambda name=name: summed(name))()
                for name in statistics_used(definition.base)}

    def _risk(self, frame, start, weighted: bool) -> np.ndarray:
        risk = self.at_start("risk", lambda selected: np.nan_to_num(column_row_quantity(frame, "risk", selected), nan=-1.0))
        scored = (start() > 0) & (risk >= 0)
        return np.where(scored, (risk if weighted else 1.0) * start(), 0.0)

    # -- books per scope --

    def _kept(self, metrics: WindowSource, scope: str, where: str) -> tuple[np.ndarray, np.ndarray, int]:
        """The pairs of the scope's books (an account once per book), each pair's book and the book count."""
        groups = np.arange(len(metrics.rows)) if scope == "csm" else metrics.scope_groups(scope, where)
        book = groups[self.pair_book]
        keep = np.ones(len(book), dtype=bool)
        if scope != "csm" and self.shared_cell.any():
            shared = np.flatnonzero(self.shared_cell)
            _, first = np.unique(_cell(book[shared], self.pair_account[shared], max(self.accounts, 1)), return_index=True)
            keep[shared] = False
            keep[shared[first]] = True
        return keep, groups, int(groups.max()) + 1 if len(groups) else 0

    def statistics(self, metrics: WindowSource, definition: Definition, scope: str, where: str) -> pd.DataFrame:
        keep, groups, size = self._kept(metrics, scope, where)
        book = groups[self.pair_book][keep]
        out = {}
        for name, values in self._folded(metrics, definition).items():
            how = POOLING.get(name, "sum") if definition.base == "column" else "sum"
            out[name] = reduce_by_code(book, values[keep], size, how)[groups]
        if definition.base != "column":
            out = {name: out.get(name, np.zeros(len(groups))) for name in STATISTICS}
        return pd.DataFrame(out)

    def filtered_out(self, metrics: WindowSource, definition: Definition, scope: str, where: str) -> np.ndarray:
        """Rows owned by the book's CSMs in its window's quarters that the filters leave out."""
        groups = np.arange(len(metrics.rows)) if scope == "csm" else metrics.scope_groups(scope, where)
        size = int(groups.max()) + 1 if len(groups) else 0
        sel = np.flatnonzero(self.failing)
        t, c = self.t[sel], self.csm[sel]
        counts = np.zeros(size)
        for k in range(self.n):
            ahead = t + k < self.span
            book = self.book_of[t[ahead] + k, c[ahead]]
            counts += np.bincount(groups[book[book >= 0]], minlength=size)
        return counts[groups]

    def quarters(self, metrics: WindowSource, i: int) -> list[str]:
        """The quarters of row i's window that the accounts data holds."""
        end = int(self.row_t[i]) + self.base
        start = max(end - self.n + 1, quarter_ordinal(self.first_label))
        held = {quarter_ordinal(q): str(q) for q in pd.unique(metrics.history["quarter"].astype(object))}
        return [held[o] for o in range(start, end + 1) if o in held]
