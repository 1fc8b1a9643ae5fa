"""A plan's own metrics (SPEC 5.3): column aggregates, row filters and trailing windows, per scope book.

Every metric is first reduced to a few sums per book (the statistics), as the built-in metrics are:
a filter is a row mask before the same group-by; a column aggregate sums its values, counts them and
keeps the book's lowest and highest; a window folds each account's rows over the window's quarters
on a dense account × quarter grid, then sums the folded accounts into the books that held them.
The only Python loops are over the ≤ 12 offsets of a window and over the statistics. Filters are
row_filters.py, the statistics column_statistics.py, windows metric_windows.py; this module holds them
together per scope, and says in words what each metric is.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataWarning, PlanError
from cscomp_cli.core.quarters import CALENDAR, Calendar, ordinal_label, quarter_ordinal
from cscomp_cli.core.text import did_you_mean
from cscomp_cli.engine.column_statistics import (
    COLUMN_STATISTICS,
    POOLING,
    column_rows,
    pooled_by_scope,
    reduce_by_code,
    statistics_used,
    value_of,
)
from cscomp_cli.engine.metric_windows import Window
from cscomp_cli.engine.metrics import (
    STATISTICS,
    book_statistics,
    describe,
)
from cscomp_cli.engine.roster_lookup import roster_rows
from cscomp_cli.engine.row_filters import row_mask, text_codes
from cscomp_cli.engine.sweep_cache import computed_once
from cscomp_cli.inputs.files import ACCOUNTS, ROSTER
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.own_metrics import Definition, RowFilter, ToDate


def _statistics_key(definition: Definition) -> str:
    """What a definition's statistics depend on (not its name): two metrics alike share them."""
    return repr((definition.base, definition.column, definition.where, definition.filters, definition.window))


class CustomMetrics:
    """Statistics and values of a plan's own metrics for each replayed CSM–quarter, per scope."""

    def __init__(self, plan: Plan, rows: pd.DataFrame, accounts: pd.DataFrame, grouping: tuple,
                 history: pd.DataFrame, shared: dict, groups, roster: pd.DataFrame | None = None,
                 calendar: Calendar = CALENDAR):
        self.plan, self.rows, self.accounts, self.grouping, self.history = plan, rows, accounts, grouping, history
        self.roster = roster  # a window's team and segment books: who was where in each window quarter
        self.calendar = calendar  # the quarters' days, for a pay history's row in force on a day
        self.scope_groups = groups  # scope, where -> a code per row numbering its scope book
        self._stats = shared.setdefault("custom statistics", {})
        self.shared = shared

    # -- values --

    def statistics(self, definition: Definition, scope: str, where: str) -> pd.DataFrame:
        if definition.window is not None and definition.base != "column":
            # Built-in formulas over one window share its folded statistics: each is folded and summed into
            # the books once for all of them (a period plan measures every metric so).
            names = self._built_in_statistics(definition, scope)
            key = (_statistics_key(replace(definition, base="built-in")), scope, names)
        else:
            names, key = None, (_statistics_key(definition), scope)
        if key not in self._stats:
            if definition.window is not None:
                self._stats[key] = self._window(definition).statistics(self, definition, scope, where, names)
            else:
                csm = self._book_statistics(definition)
                self._stats[key] = csm if scope == "csm" else pooled_by_scope(csm, self.scope_groups(scope, where))
        return self._stats[key]

    def value(self, definition: Definition, scope: str, where: str) -> np.ndarray:
        return value_of(definition, self.statistics(definition, scope, where), self.plan.credit)

    def _built_in_statistics(self, definition: Definition, scope: str) -> tuple[str, ...]:
        """The statistics every built-in formula over ``definition``'s rows and window may read in this plan
        at ``scope``: its own, and those of the plan's other metrics measured so there (a period plan's), with
        start_arr's for targets as a share of the book's start ARR."""
        bases = {definition.base, "start_arr"}
        if isinstance(definition.window, ToDate):
            uses = [(c.metric, c.scope) for c in self.plan.components] + [
                (m.when.metric, m.when.scope) for m in self.plan.modifiers]
            for name, where in uses:
                own = self.plan.definition(name)
                if where == scope and own.base != "column" and own.filters == definition.filters:
                    bases.add(own.base)
        used = set().union(*(statistics_used(base) for base in bases))
        return tuple(name for name in STATISTICS if name in used)

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
        pooled = pd.DataFrame({name: grouped[name].agg(POOLING.get(name, "sum")) for name in stats.columns})
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
        quantities = column_rows(self.plan, definition, accounts, selected)
        books = index.get_indexer(keys)  # −1: a CSM-quarter with payouts but no accounts
        out = {}
        for name, values in quantities.items():
            how = POOLING.get(name, "sum")
            per_book = reduce_by_code(codes[selected], values, len(index), how)
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
        return (counts if scope == "csm" else pooled_by_scope(counts, self.scope_groups(scope, where)))["out"].to_numpy()

    def _window(self, definition: Definition) -> "Window":
        key = ("window", repr(definition.filters), definition.window)
        if key not in self.shared:
            self.shared[key] = Window(self, definition)
        return self.shared[key]


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


def window_roster_warnings(plan: Plan, history: pd.DataFrame, roster: pd.DataFrame, replayed: list[str],
                           roster_called: str = ROSTER, shared: dict | None = None,
                           calendar: Calendar = CALENDAR) -> list[DataWarning]:
    """A windowed metric measured on team or segment books looks back into quarters where some owners may
    have no roster row (a leaver taken off the roster) or no team: their accounts are then in no team's
    window book, which would quietly raise its NRR. Said once per scope, with the first such owner.

    ``shared``: a sweep's cache; the plan matters only through the scopes and the reach, so the values of
    a sweep that leave them be do not group the history again."""
    uses = [(c.metric, c.scope) for c in plan.components] + [(m.when.metric, m.when.scope) for m in plan.modifiers]
    scopes = sorted({scope for name, scope in uses if scope in ("team", "segment") and name in plan.metrics
                     and plan.definition(name).window is not None})
    if not scopes or not replayed or not len(history):
        return []
    reach = max(plan.definition(name).window for name, scope in uses if scope in scopes and name in plan.metrics
                and plan.definition(name).window is not None)
    return computed_once(shared, f"window roster warnings {scopes} {reach}",
                         lambda: _roster_gaps(history, roster, replayed, roster_called, scopes, reach, calendar))


def _roster_gaps(history: pd.DataFrame, roster: pd.DataFrame, replayed: list[str], roster_called: str,
                 scopes: list[str], reach: int, calendar: Calendar = CALENDAR) -> list[DataWarning]:
    first, last = min(quarter_ordinal(q) for q in replayed) - reach + 1, max(quarter_ordinal(q) for q in replayed)
    # Each (quarter, owner) once: a group-by over the codes, not a de-duplication of every account row.
    owners = history.groupby(["quarter", "csm_id"], observed=True, sort=True).size().index.to_frame(index=False)
    owners = owners.astype(object)
    ordinal = owners["quarter"].map(quarter_ordinal)
    owners = owners[(ordinal >= first) & (ordinal <= last)].reset_index(drop=True)
    found = []
    for scope in scopes:
        placed = roster_rows(roster, owners, [scope, "name"], calendar)
        missing = placed["name"].isna() | placed[scope].isna()
        if not missing.any():
            continue
        lost = placed[missing]
        ids = sorted(set(lost["csm_id"]))
        first_one = lost.iloc[0]
        why = "no row for that quarter" if pd.isna(first_one["name"]) else f"the {scope} is blank"
        who = f"{len(ids)} CSMs" if len(ids) != 1 else "1 CSM"
        found.append(DataWarning(
            f"{who} owned accounts in a quarter a window looks back to, but {roster_called} gives them no {scope} "
            f"then ({first_one.csm_id} in {first_one.quarter}: {why}{'; and more' if len(lost) > 1 else ''}): "
            f"those accounts are in no {scope}'s window book, only the company's",
            location=f"{roster_called} ({', '.join(ids[:5])}{' …' if len(ids) > 5 else ''})",
            hint=f"add a row for each to {roster_called} with the {scope} they were in (a leaver too: give the row an "
                 "end_date); see docs/data.md"))
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
                held, absent = held_texts(accounts, condition, name, where)
            except PlanError:
                continue  # a column the data lacks is an error of its own
            if not absent or not held:
                continue
            found.append(DataWarning(
                f"metric {name} compares {condition.column} with {_listed(absent)}, which no row of {called} "
                f"holds" + did_you_mean(absent[0].strip().casefold(), held) + f": so {condition.test} "
                f"{_listed(absent)} matches nothing (the column holds {some_texts(held)})",
                location=where,
                hint="write the values as the export spells them (case and spaces around them do not matter); "
                     "see docs/plans.md"))
    return found


def held_texts(accounts: pd.DataFrame, condition: RowFilter, name: str, where: str) -> tuple[list[str], list[str]]:
    """What the column of metric ``name``'s text filter at ``where`` holds (its distinct texts, folded as the
    filter compares them), and the filter's values no row holds, as written."""
    _, texts = text_codes(accounts, condition.column, name, f"{where}.column")
    held = sorted({str(t) for t in texts if t is not None})
    return held, [str(v) for v in condition.values if str(v).strip().casefold() not in held]


def some_texts(held: list[str]) -> str:
    """The first few texts a column holds, for a message: 'enterprise, smb …'."""
    return ", ".join(held[:8]) + (" …" if len(held) > 8 else "")


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
    if isinstance(definition.window, ToDate):  # a period plan measures to date (SPEC 6.4)
        span = "" if not quarters else f" ({quarters[0]})" if len(quarters) == 1 else f" ({quarters[0]}–{quarters[-1]})"
        text += f" over the period's quarters to date{span}, each account once (arr_start from the period's first quarter)"
    elif definition.window is not None:
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
    # A period plan's window to date asks for the period's quarters (|P|), of which |D| are held so far.
    asked = definition.window.length if isinstance(definition.window, ToDate) else definition.window
    entry["window"] = None if quarters is None else {"quarters": quarters, "asked": asked}
    entry["filters"] = [condition_words(c) for c in definition.filters]
    entry["rows_filtered_out"] = int(metrics.filtered_out(definition, scope, where)[i])
    return entry
