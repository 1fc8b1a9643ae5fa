"""A plan's own metrics (SPEC 5.3): column aggregates, row filters and trailing windows, per scope book.

Every metric is first reduced to a few sums per book (the statistics), as the built-in metrics are:
a filter is a row mask before the same group-by; a column aggregate sums its values, counts them and
keeps the book's lowest and highest; a window folds each account's rows over the window's quarters
on a dense account × quarter grid, then sums the folded accounts into the books that held them.
The only Python loops are over the ≤ 12 offsets of a window and over the statistics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataWarning, PlanError
from cscomp_cli.core.quarters import ordinal_label, quarter_ordinal
from cscomp_cli.core.rounding import round_half_away
from cscomp_cli.core.text import did_you_mean
from cscomp_cli.engine.metrics import (
    _FORMULAS,
    DEFINITIONS,
    ROW_QUANTITIES,
    STATISTICS,
    book_statistics,
    describe,
    metric,
    row_quantity,
)
from cscomp_cli.inputs.files import ACCOUNTS, DATA_DOC
from cscomp_cli.inputs.tables import BUILTIN_READS, account_column, extra_column
from cscomp_cli.plan.model import Credit, Plan
from cscomp_cli.plan.own_metrics import Definition, RowFilter

# Statistics of a column aggregate; low and high pool as min of mins and max of maxes, the rest add.
COLUMN_STATISTICS = ("n", "total", "weighted", "weight", "hits", "low", "high")
_POOLING = {"low": "min", "high": "max"}


# --- filters -------------------------------------------------------------------------------


def _owners(plan: Plan, definition: Definition) -> list[tuple[str, int]]:
    """For each filter of a definition (innermost first), the metric that states it and its position there."""
    owners = []
    for name in reversed(definition.chain):
        spec = plan.metrics.get(name)
        owners.extend((name, position) for position in range(len(spec.filter or ())) if spec is not None)
    return owners


def _how_compared(column: str) -> str:
    kinds = BUILTIN_READS[column]
    if kinds == {"text"}:
        return f"{column} holds text: compare it with in, not_in or equals and text values"
    if kinds == {"number"}:
        return f"{column} holds numbers: compare it with at_least, below, or in/not_in/equals and numbers"
    return f"{column} is yes/no: compare it with equals: yes (or no), unquoted"


def _cells(accounts: pd.DataFrame, column: str, kind: str, metric_name: str, where: str) -> np.ndarray:
    """A column read as ``kind`` for a metric, or the plan error saying why it cannot be."""
    try:
        values = account_column(accounts, column, kind)
    except KeyError:
        raise PlanError(f"metric '{metric_name}' reads {column} as {'yes/no' if kind == 'flag' else kind}, "
                        "which that column is not", location=where,
                        hint=f"{_how_compared(column)}; see docs/plans.md") from None
    if values is None:
        raise PlanError(f"metric '{metric_name}' reads the column {column}, which the accounts data does not have",
                        location=where, hint=f"add a {column} column to the accounts export, or correct the name; "
                        f"see {DATA_DOC}")
    return values


def _text_codes(accounts: pd.DataFrame, column: str, metric_name: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (−1 blank) and the folded text of each code, from the categories when the frame has them."""
    name = column if column in BUILTIN_READS else extra_column(column, "text")
    if column not in BUILTIN_READS or "text" in BUILTIN_READS[column]:
        series = accounts.get(name)
        if series is not None and isinstance(series.dtype, pd.CategoricalDtype):
            folded = np.array([str(v).strip().casefold() for v in series.cat.categories], dtype=object)
            return series.cat.codes.to_numpy(), folded
    cells = _cells(accounts, column, "text", metric_name, where)
    codes, uniques = pd.factorize(pd.Series(cells, dtype=object))
    return codes, np.asarray(uniques, dtype=object)


def _passes(accounts: pd.DataFrame, condition: RowFilter, metric_name: str, where: str) -> np.ndarray:
    """Which rows pass one condition; a blank cell is in no in list, in every not_in and fails the rest."""
    kind = condition.reads
    if condition.test == "range":
        values = _cells(accounts, condition.column, "number", metric_name, where)
        ok = ~np.isnan(values)
        if condition.at_least is not None:
            ok &= values >= condition.at_least
        if condition.below is not None:
            ok &= values < condition.below
        return ok
    if kind == "text":
        codes, texts = _text_codes(accounts, condition.column, metric_name, where)
        wanted = {str(v).strip().casefold() for v in condition.values}
        hit = np.array([t in wanted for t in texts] + [False], dtype=bool)  # the last entry: blank (code −1)
        matched = hit[codes]
    else:
        values = _cells(accounts, condition.column, kind, metric_name, where)
        wanted = [float(v) for v in condition.values]  # a yes/no value is 1.0 / 0.0, as flag cells read
        matched = np.isin(values, wanted)  # NaN (blank) is in no list
    return ~matched if condition.test == "not_in" else matched


def row_mask(plan: Plan, definition: Definition, accounts: pd.DataFrame) -> np.ndarray | None:
    """The rows passing every filter of a definition's chain (None: no filter, every row)."""
    if not definition.filters:
        return None
    mask = np.ones(len(accounts), dtype=bool)
    for condition, (name, position) in zip(definition.filters, _owners(plan, definition)):
        mask &= _passes(accounts, condition, definition.name, f"metrics.{name}.filter[{position}].column")
    return mask


def _column_owner(plan: Plan, definition: Definition) -> str:
    """The metric of the chain that names the column (the innermost)."""
    return next(name for name in reversed(definition.chain) if plan.metrics[name].column is not None)


# --- statistics per book -------------------------------------------------------------------


def _statistics_used(base: str) -> list[str]:
    """The statistics a built-in formula and its explanation read, found by running them on zeros."""
    used: set[str] = set()

    class Recorder(dict):
        def __missing__(self, key):
            used.add(key)
            return 0.0

    with np.errstate(all="ignore"):
        _FORMULAS[base](Recorder(), Credit())
        DEFINITIONS[base][1](Recorder(), Credit())
    return [name for name in STATISTICS if name in used]


def _row_quantity(frame: pd.DataFrame, name: str, selected: np.ndarray) -> np.ndarray:
    """One per-row quantity for the selected rows: the built-in metrics' own (metrics.row_quantity), plus
    arr_start, risk, and the net movement and losses a window folds as one grid each instead of five."""
    if name in ROW_QUANTITIES:
        return row_quantity(frame, name, selected)
    if name in ("arr_start", "risk"):
        return frame[name].to_numpy(dtype="float64")[selected]
    movements = {column: row_quantity(frame, column, selected)
                 for column in ("expansion", "cross_sell", "contraction", "churn")}
    if name == "growth":
        return movements["expansion"] + movements["cross_sell"] - movements["contraction"] - movements["churn"]
    if name == "loss":
        return movements["contraction"] + movements["churn"]
    raise KeyError(name)


def _column_rows(plan: Plan, definition: Definition, frame: pd.DataFrame, selected: np.ndarray) -> dict:
    """Per selected row: whether it has a value, and the quantities a column aggregate sums."""
    owner = _column_owner(plan, definition)
    values = _cells(frame, definition.column, "number", owner, f"metrics.{owner}.column")[selected]
    start = frame["arr_start"].to_numpy(dtype="float64")[selected]
    has = ~np.isnan(values)
    v = np.where(has, values, 0.0)
    weighted = has & (start > 0)  # rule: each row weighted by its own arr_start, rows with arr_start > 0
    hits = has.copy()
    band = definition.where
    if band is not None:
        if band.at_least is not None:
            hits &= values >= band.at_least
        if band.below is not None:
            hits &= values < band.below
    return {"n": has.astype("float64"), "total": v, "weighted": np.where(weighted, v * start, 0.0),
            "weight": np.where(weighted, start, 0.0), "hits": hits.astype("float64"),
            "low": np.where(has, values, np.nan), "high": np.where(has, values, np.nan)}


def _reduce(codes: np.ndarray, values: np.ndarray, size: int, how: str) -> np.ndarray:
    """Per code: the sum of values (0 for none), or the min / max ignoring NaN (NaN for none)."""
    if how == "sum":
        return np.bincount(codes, weights=values, minlength=size)
    out = np.full(size, np.nan)
    (np.fmin if how == "min" else np.fmax).at(out, codes, values)
    return out


def column_value(definition: Definition, stats: pd.DataFrame) -> np.ndarray:
    """A column aggregate from its statistics; NaN where undefined (n = 0, or no ARR to weigh by)."""
    s = {name: stats[name].to_numpy(dtype="float64") for name in COLUMN_STATISTICS}
    n = s["n"]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = {
            "mean": lambda: np.where(n > 0, s["total"] / n, np.nan),
            "sum": lambda: s["total"],
            "min": lambda: s["low"],
            "max": lambda: s["high"],
            "count": lambda: n,
            "arr_weighted_mean": lambda: np.where(s["weight"] > 0, s["weighted"] / s["weight"], np.nan),
            "share": lambda: np.where(n > 0, s["hits"] / n, np.nan),
        }[definition.aggregate]()
    return round_half_away(np.asarray(value, dtype="float64"))


def value_of(definition: Definition, stats: pd.DataFrame, credit: Credit) -> np.ndarray:
    if definition.base == "column":
        return column_value(definition, stats)
    return metric(stats, definition.base, credit)


def _pool(frame: pd.DataFrame, groups: np.ndarray) -> pd.DataFrame:
    """Each row's statistics replaced by those of its group: sums add, lows and highs take min and max."""
    grouped = frame.groupby(groups, sort=False)
    return pd.DataFrame({name: grouped[name].transform(_POOLING.get(name, "sum")) for name in frame.columns},
                        index=frame.index)


def _statistics_key(definition: Definition) -> str:
    """What a definition's statistics depend on (not its name): two metrics alike share them."""
    return repr((definition.base, definition.column, definition.where, definition.filters, definition.window))


class CustomMetrics:
    """Statistics and values of a plan's own metrics for each replayed CSM–quarter, per scope."""

    def __init__(self, plan: Plan, rows: pd.DataFrame, accounts: pd.DataFrame, grouping: tuple,
                 history: pd.DataFrame, shared: dict, groups):
        self.plan, self.rows, self.accounts, self.grouping, self.history = plan, rows, accounts, grouping, history
        self._groups = groups  # scope, where -> a code per row numbering its scope book
        self._stats = shared.setdefault("custom statistics", {})
        self._shared = shared

    # -- values --

    def statistics(self, definition: Definition, scope: str, where: str) -> pd.DataFrame:
        key = (_statistics_key(definition), scope)
        if key not in self._stats:
            if definition.window is not None:
                self._stats[key] = self._window(definition).statistics(self, definition, scope, where)
            else:
                csm = self._book_statistics(definition)
                self._stats[key] = csm if scope == "csm" else _pool(csm, self._groups(scope, where))
        return self._stats[key]

    def value(self, definition: Definition, scope: str, where: str) -> np.ndarray:
        return value_of(definition, self.statistics(definition, scope, where), self.plan.credit)

    def pooled(self, definition: Definition) -> pd.Series:
        """The metric per CSM over the replay: the formula over the union of their books, or (a window) its
        value in their last replayed quarter."""
        ids = self.rows["csm_id"].to_numpy()
        if definition.window is not None:
            values = pd.Series(self.value(definition, "csm", "performance"), index=self.rows.index)
            last = self.rows.assign(value=values).sort_values("quarter", kind="stable").groupby("csm_id").last()
            return last["value"].rename_axis("csm_id")
        stats = self.statistics(definition, "csm", "performance")
        grouped = stats.groupby(ids, sort=True)
        pooled = pd.DataFrame({name: grouped[name].agg(_POOLING.get(name, "sum")) for name in stats.columns})
        return pd.Series(value_of(definition, pooled, self.plan.credit), index=pooled.index.rename("csm_id"))

    # -- one quarter's books --

    def _book_statistics(self, definition: Definition) -> pd.DataFrame:
        """Statistics of each replayed CSM's book in its quarter, over the rows passing the filters."""
        accounts, (codes, index) = self.accounts, self.grouping
        mask = row_mask(self.plan, definition, accounts)
        selected = np.ones(len(accounts), dtype=bool) if mask is None else mask
        keys = pd.MultiIndex.from_frame(self.rows[["quarter", "csm_id"]])
        if definition.base != "column":
            frame = accounts if mask is None else accounts[mask]
            stats = book_statistics(frame, ["quarter", "csm_id"], (codes[selected], index))
            return stats.reindex(keys, fill_value=0).reset_index(drop=True)
        quantities = _column_rows(self.plan, definition, accounts, selected)
        books = index.get_indexer(keys)  # −1: a CSM-quarter with payouts but no accounts
        out = {}
        for name, values in quantities.items():
            how = _POOLING.get(name, "sum")
            per_book = _reduce(codes[selected], values, len(index), how)
            out[name] = np.where(books >= 0, per_book[books], 0.0 if how == "sum" else np.nan)
        return pd.DataFrame(out)

    def filtered_out(self, definition: Definition, scope: str, where: str) -> np.ndarray:
        """Rows of each scope book (over its window's quarters) that the filters leave out."""
        if not definition.filters:
            return np.zeros(len(self.rows))
        if definition.window is not None:
            return self._window(definition).filtered_out(self, definition, scope, where)
        accounts, (codes, index) = self.accounts, self.grouping
        out = ~row_mask(self.plan, definition, accounts)
        keys = pd.MultiIndex.from_frame(self.rows[["quarter", "csm_id"]])
        books = index.get_indexer(keys)
        per_book = np.bincount(codes[out], minlength=len(index)).astype("float64")
        counts = pd.DataFrame({"out": np.where(books >= 0, per_book[books], 0.0)})
        return (counts if scope == "csm" else _pool(counts, self._groups(scope, where)))["out"].to_numpy()

    def _window(self, definition: Definition) -> "Window":
        key = ("window", repr(definition.filters), definition.window)
        if key not in self._shared:
            self._shared[key] = Window(self, definition)
        return self._shared[key]


# --- windows -------------------------------------------------------------------------------


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

    def __init__(self, metrics: CustomMetrics, definition: Definition):
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
        if "account codes" not in metrics._shared:
            metrics._shared["account codes"] = _codes(history["account_id"])[0]
        account = metrics._shared["account codes"]
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

    def _folded(self, metrics: CustomMetrics, definition: Definition) -> dict[str, np.ndarray]:
        """Per pair, the statistics of the account folded into one row over the window."""
        frame = metrics.history
        if definition.base == "column":
            rows = {}

            def quantity(name):
                def values_of(selected):
                    if "columns" not in rows:
                        rows["columns"] = _column_rows(metrics.plan, definition, frame, selected)
                    return rows["columns"][name]
                return values_of

            return {name: self.window_sum(f"{definition.column}:{definition.where}:{name}", quantity(name),
                                          _POOLING.get(name, "sum")) for name in COLUMN_STATISTICS}

        def summed(name):
            return self.window_sum(name, lambda selected: _row_quantity(frame, name, selected))

        def start():
            return self.at_start("arr_start", lambda selected: _row_quantity(frame, "arr_start", selected))

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
                for name in _statistics_used(definition.base)}

    def _risk(self, frame, start, weighted: bool) -> np.ndarray:
        risk = self.at_start("risk", lambda selected: np.nan_to_num(_row_quantity(frame, "risk", selected), nan=-1.0))
        scored = (start() > 0) & (risk >= 0)
        return np.where(scored, (risk if weighted else 1.0) * start(), 0.0)

    # -- books per scope --

    def _kept(self, metrics: CustomMetrics, scope: str, where: str) -> tuple[np.ndarray, np.ndarray, int]:
        """The pairs of the scope's books (an account once per book), each pair's book and the book count."""
        groups = np.arange(len(metrics.rows)) if scope == "csm" else metrics._groups(scope, where)
        book = groups[self.pair_book]
        keep = np.ones(len(book), dtype=bool)
        if scope != "csm" and self.shared_cell.any():
            shared = np.flatnonzero(self.shared_cell)
            _, first = np.unique(_cell(book[shared], self.pair_account[shared], max(self.accounts, 1)), return_index=True)
            keep[shared] = False
            keep[shared[first]] = True
        return keep, groups, int(groups.max()) + 1 if len(groups) else 0

    def statistics(self, metrics: CustomMetrics, definition: Definition, scope: str, where: str) -> pd.DataFrame:
        keep, groups, size = self._kept(metrics, scope, where)
        book = groups[self.pair_book][keep]
        out = {}
        for name, values in self._folded(metrics, definition).items():
            how = _POOLING.get(name, "sum") if definition.base == "column" else "sum"
            out[name] = _reduce(book, values[keep], size, how)[groups]
        if definition.base != "column":
            out = {name: out.get(name, np.zeros(len(groups))) for name in STATISTICS}
        return pd.DataFrame(out)

    def filtered_out(self, metrics: CustomMetrics, definition: Definition, scope: str, where: str) -> np.ndarray:
        """Rows owned by the book's CSMs in its window's quarters that the filters leave out."""
        groups = np.arange(len(metrics.rows)) if scope == "csm" else metrics._groups(scope, where)
        size = int(groups.max()) + 1 if len(groups) else 0
        sel = np.flatnonzero(self.failing)
        t, c = self.t[sel], self.csm[sel]
        counts = np.zeros(size)
        for k in range(self.n):
            ahead = t + k < self.span
            book = self.book_of[t[ahead] + k, c[ahead]]
            counts += np.bincount(groups[book[book >= 0]], minlength=size)
        return counts[groups]

    def quarters(self, metrics: CustomMetrics, i: int) -> list[str]:
        """The quarters of row i's window that the accounts data holds."""
        end = int(self.row_t[i]) + self.base
        start = max(end - self.n + 1, quarter_ordinal(self.first_label))
        held = {quarter_ordinal(q): str(q) for q in pd.unique(metrics.history["quarter"].astype(object))}
        return [held[o] for o in range(start, end + 1) if o in held]


# --- warnings and words --------------------------------------------------------------------


def window_warnings(plan: Plan, history_quarters, replayed: list[str], called: str = ACCOUNTS) -> list[DataWarning]:
    """One warning per window that reaches before the data's first quarter in some replayed quarter."""
    labels = sorted({str(q) for q in history_quarters}, key=quarter_ordinal)
    if not labels or not replayed:
        return []
    first = quarter_ordinal(labels[0])
    found, said = [], set()
    for name in plan.metric_names():
        definition = plan.definition(name)
        if definition.window is None:
            continue
        owner = next(m for m in definition.chain if plan.metrics[m].window is not None)
        n = definition.window
        short = [q for q in sorted(replayed, key=quarter_ordinal) if quarter_ordinal(q) - n + 1 < first]
        if not short or owner in said:
            continue
        said.add(owner)
        asked = ordinal_label(quarter_ordinal(short[0]) - n + 1, short[0])
        which = short[0] if len(short) == 1 else f"{short[0]}–{short[-1]}"
        held = labels[0] if labels[0] == short[0] else f"{labels[0]}–{short[0]}"
        found.append(DataWarning(
            f"{owner} looks back {n} quarters, but {called} starts at {labels[0]}: in {which} the window is "
            f"shorter (for {short[0]} it asks for {asked}–{short[0]} and holds {held})",
            location=f"metrics.{owner}.window",
            hint=f"add the earlier quarters to {called}, or replay later quarters (--quarters); see docs/plans.md"))
    return found


def filter_value_warnings(plan: Plan, accounts: pd.DataFrame, called: str = ACCOUNTS) -> list[DataWarning]:
    """A text a filter compares with that no row of the data holds: almost always a slip ('product_gap'
    against the export's 'Product Gap'), which would otherwise filter nothing and look like a result."""
    found = []
    for name, spec in plan.metrics.items():
        for position, condition in enumerate(spec.filter or ()):
            if condition.reads != "text":
                continue
            where = f"metrics.{name}.filter[{position}]"
            try:
                _, texts = _text_codes(accounts, condition.column, name, f"{where}.column")
            except PlanError:
                continue  # a column the data lacks is an error of its own
            held = sorted({str(t) for t in texts if t is not None})
            absent = [str(v) for v in condition.values if str(v).strip().casefold() not in held]
            if not absent or not held:
                continue
            shown = ", ".join(held[:8]) + (" …" if len(held) > 8 else "")
            found.append(DataWarning(
                f"metric {name} compares {condition.column} with {_listed(absent)}, which no row of {called} "
                f"holds" + did_you_mean(absent[0].strip().casefold(), held) + f": so {condition.test} "
                f"{_listed(absent)} matches nothing (the column holds {shown})",
                location=where,
                hint="write the values as the export spells them (case and spaces around them do not matter); "
                     "see docs/plans.md"))
    return found


def _listed(values) -> str:
    shown = [("yes" if v else "no") if isinstance(v, bool) else f"{v:g}" if isinstance(v, float) else str(v)
             for v in values]
    return "[" + ", ".join(shown) + "]"


def condition_words(condition: RowFilter) -> str:
    """One filter condition as a person reads it: churn_reason not in [product_gap, acquired]."""
    if condition.test == "range":
        parts = [f"≥ {condition.at_least:g}" if condition.at_least is not None else "",
                 f"< {condition.below:g}" if condition.below is not None else ""]
        return f"{condition.column} " + " and ".join(p for p in parts if p)
    if condition.test == "equals":
        return f"{condition.column} = {_listed([condition.equals])[1:-1]}"
    return f"{condition.column} {'in' if condition.test == 'in' else 'not in'} {_listed(condition.values)}"


_COLUMN_WORDS = {
    "mean": ("mean of {c} over the book's rows that have a value", "Σ {c} ÷ n"),
    "sum": ("sum of {c} over the book's rows that have a value (0 when none)", "Σ {c}"),
    "min": ("lowest {c} over the book's rows that have a value", "min {c}"),
    "max": ("highest {c} over the book's rows that have a value", "max {c}"),
    "count": ("rows of the book that have a {c} value", "n"),
    "arr_weighted_mean": ("mean of {c} weighted by arr_start over the book's rows that have a value and "
                          "arr_start > 0", "Σ ({c} × arr_start) ÷ Σ arr_start"),
    "share": ("share of the book's rows with a {c} value that are {band}", "rows {band} ÷ n"),
}


def definition_words(definition: Definition, quarters: list[str] | None = None) -> str:
    """A custom metric in words: 'grr over rows passing churn_reason not in [product_gap]', 'nrr over the 4
    quarters 2025Q3–2026Q2'."""
    if definition.base == "column":
        band = " and ".join(p for p in (
            f"at least {definition.where.at_least:g}" if definition.where and definition.where.at_least is not None
            else "", f"below {definition.where.below:g}" if definition.where and definition.where.below is not None
            else "") if p)
        text = _COLUMN_WORDS[definition.aggregate][0].format(c=definition.column, band=band)
    else:
        text = definition.base
    if definition.filters:
        text += " over rows passing " + " and ".join(condition_words(c) for c in definition.filters)
    if definition.window is not None:
        span = "" if not quarters else f" ({quarters[0]})" if len(quarters) == 1 else f" ({quarters[0]}–{quarters[-1]})"
        text += (f" over the last {definition.window} quarter{'s' if definition.window > 1 else ''}{span}, "
                 "each account once (arr_start from the window's first quarter)")
    return text


def explanation(metrics: CustomMetrics, definition: Definition, scope: str, where: str, i: int) -> dict:
    """A custom metric of row i's scope book: its definition, the book's own figures, the window, the rows left out."""
    stats = metrics.statistics(definition, scope, where).iloc[i]
    quarters = metrics._window(definition).quarters(metrics, i) if definition.window is not None else None
    entry: dict = {"metric": definition.name, "scope": scope, "definition": definition_words(definition, quarters)}
    value = float(value_of(definition, stats.to_frame().T, metrics.plan.credit)[0])
    entry["value"] = None if np.isnan(value) else value
    if definition.base == "column":
        s = {k: float(stats[k]) for k in COLUMN_STATISTICS}
        formula = _COLUMN_WORDS[definition.aggregate][1]
        band = definition.where
        band_text = " and ".join(p for p in (f"≥ {band.at_least:g}" if band and band.at_least is not None else "",
                                             f"< {band.below:g}" if band and band.below is not None else "") if p)
        figures = {
            "mean": f"{s['total']:g} ÷ {s['n']:.0f}", "sum": f"{s['total']:g}",
            "min": "—" if np.isnan(s["low"]) else f"{s['low']:g}",
            "max": "—" if np.isnan(s["high"]) else f"{s['high']:g}", "count": f"{s['n']:.0f}",
            "arr_weighted_mean": f"{s['weighted']:,.2f} ÷ {s['weight']:,.2f}",
            "share": f"{s['hits']:.0f} ÷ {s['n']:.0f}",
        }[definition.aggregate]
        entry.update(formula=formula.format(c=definition.column, band=band_text), figures=figures,
                     column={"name": definition.column, "rows_with_value": int(s["n"]), "sum": s["total"],
                             "min": None if np.isnan(s["low"]) else s["low"],
                             "max": None if np.isnan(s["high"]) else s["high"]})
    else:
        entry.update(describe(stats, definition.base, metrics.plan.credit))
    entry["window"] = None if quarters is None else {"quarters": quarters, "asked": definition.window}
    entry["filters"] = [condition_words(c) for c in definition.filters]
    entry["rows_filtered_out"] = int(metrics.filtered_out(definition, scope, where)[i])
    return entry
