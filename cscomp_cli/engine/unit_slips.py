"""A plan's own thresholds judged against what the data holds (SPEC 5.2, extended to the plan's own
metrics, filters and targets).

A filter `at_least: 95` on a column of fractions keeps no row, a target of 95 on their mean pays 1 % of
it, a 0–100 curve on a health score exported as 0.85 pays nobody: each replays without an error and
gives confidently wrong numbers. The plan alone cannot tell (95 is a fine threshold on a percentage),
the data can: each is said once, at its key, with the range the column actually holds and the value
probably meant. A filter that keeps every row or none is said too. Nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cscomp_cli.core.errors import DataWarning, PlanError
from cscomp_cli.engine.plan_metrics import condition_words, held_texts, some_texts
from cscomp_cli.engine.row_filters import condition_passes
from cscomp_cli.engine.sweep_cache import computed_once
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import ACCOUNTS, DATA_DOC
from cscomp_cli.inputs.tables import BUILTIN_READS, account_column, column_key
from cscomp_cli.plan.components import CurveComponent
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.own_metrics import RowFilter
from cscomp_cli.plan.plausibility import as_written, curve_as_written, target_numbers

SLIP = 100  # a percentage written for a fraction, or the reverse
FRACTION_SCALE = 1.5  # a column whose values all lie within ±1.5 holds fractions (0.95 is 95 %, 1.2 is 120 %)
PERCENT_SCALES = (20, 150)  # a column reaching 20 to 150 holds percentages or 0–100 scores
SLIP_GAP = 10  # at least 10 × the column's largest value: beyond it by more than a stretch goal
# Aggregates whose value lies among the column's own values (a sum or a count does not; a share is a
# fraction whatever the column holds, and SPEC 5.2's ratio rules judge it).
WITHIN = {"mean": "mean", "arr_weighted_mean": "ARR-weighted mean", "min": "lowest", "max": "highest"}
SCORE_HINT = {"health": "health is a score from 0 to 100 (see {doc}): write the plan's health numbers on that "
                        "scale (50, not 0.5); if the export gives health as a fraction (0.85 for 85), export it × 100 "
                        "instead"}
SLIP_HINT = ("write a threshold in the unit the column holds: a fraction as 0.95 (or \"95%\"), a percentage or a "
             "0–100 score as 95; if the export holds the other unit, correct the export instead")


@dataclass(frozen=True)
class Span:
    """What a numeric accounts column holds: its lowest and highest value over the rows that have one."""

    column: str  # as a message names it: health, or health (column Health Score) for an export's own header
    low: float
    high: float
    rows: int  # rows with a value

    def range(self) -> str:
        if self.low == self.high:
            return _number(self.low)
        return f"between {_number(self.low)} and {_number(self.high)}"

    def words(self, called: str) -> str:
        return f"every value of {self.column} in {called} is {self.range()}"

    def slip(self, value: float) -> float | None:
        """The value probably meant when ``value`` is written a hundred times off the column's unit (95 for
        a column of fractions, 0.5 for a 0–100 one); None when it fits the column."""
        scale, size = max(abs(self.low), abs(self.high)), abs(value)
        if scale == 0 or size == 0:
            return None
        if scale <= FRACTION_SCALE and size > FRACTION_SCALE and size >= SLIP_GAP * scale \
                and size / SLIP <= FRACTION_SCALE:
            return value / SLIP
        if PERCENT_SCALES[0] <= scale <= PERCENT_SCALES[1] and size < 1 and size * SLIP <= FRACTION_SCALE * scale:
            return value * SLIP
        return None

    def band_holds(self, at_least: float | None, below: float | None) -> str | None:
        """Whether a band (at least ``at_least``, below ``below``) holds for "none" of the column's values,
        for "all" of them, or splits them (None): a value that lies among the column's values (a metric in
        WITHIN, a row's cell) is then never, or always, inside the band."""
        if (below is not None and below <= self.low) or (at_least is not None and at_least > self.high):
            return "none"
        if (below is None or self.high < below) and (at_least is None or self.low >= at_least):
            return "all"
        return None


def unit_slip_warnings(plan: Plan, dataset: Dataset, shared: dict | None = None) -> list[DataWarning]:
    """Every target, curve, modifier threshold, filter bound and share band of ``plan`` written a hundred
    times off what its column holds in the data, and every filter condition keeping every row or none."""
    judge = _Judge(plan, dataset, shared)
    return [*judge.components(), *judge.modifiers(), *judge.filters()]


class _Judge:
    def __init__(self, plan: Plan, dataset: Dataset, shared: dict | None):
        # Outside a sweep, a column's span is still measured once for all the keys that read it.
        self.plan, self.dataset, self.shared = plan, dataset, {} if shared is None else shared
        self.accounts = dataset.accounts
        self.called = dataset.called(ACCOUNTS)
        self.header = dataset.columns.get(ACCOUNTS)  # None: a dataset built in code

    # -- what the data holds --

    def span(self, column: str) -> Span | None:
        key = column_key(column)

        def compute() -> Span | None:
            try:
                values = account_column(self.accounts, key, "number")
            except KeyError:
                return None  # a text column: the replay's own error
            if values is None or not len(values):
                return None
            has = ~np.isnan(values)
            if not has.any():
                return None  # no value at all (a column the export lacks): nothing to judge by
            return Span(self._named(key), float(values[has].min()), float(values[has].max()), int(has.sum()))

        return computed_once(self.shared, f"span of {key}", compute)

    def _named(self, key: str) -> str:
        origin = self.dataset.origins.get(ACCOUNTS)
        header = origin.column(key) if origin is not None else key
        return key if header == key else f"{key} (column {header})"

    def metric_span(self, name: str) -> tuple[Span, str, str] | None:
        """The column a metric's value lies within, the metric in words, and the column's key."""
        definition = self.plan.definitions.get(name)
        if definition is not None and definition.base == "column" and definition.aggregate in WITHIN:
            column, what = definition.column, f"the {WITHIN[definition.aggregate]} of {definition.column}"
        elif name == "health" or (definition is not None and definition.base == "health"):
            column, what = "health", "the mean health score"
        else:
            return None
        span = self.span(column)
        return None if span is None else (span, f"{name} ({what})", column_key(column))

    def _hint(self, column: str) -> str:
        score = SCORE_HINT.get(column)
        return (score.format(doc=DATA_DOC) if score else SLIP_HINT) + "; see docs/plans.md"

    # -- components and modifiers: a metric's value against a number --

    def components(self) -> list[DataWarning]:
        found = []
        for index, component in enumerate(self.plan.components):
            measured = self.metric_span(component.metric) if isinstance(component, CurveComponent) else None
            if measured is None:
                continue
            span, what, column = measured
            where = f"components[{index}]"
            if component.measure == "attainment":
                for place, value in target_numbers(component.target, f"{where}.target"):
                    meant = span.slip(value)
                    if meant is not None:
                        found.append(DataWarning(
                            f"target {as_written(value)} on {what}: {span.words(self.called)}, so every attainment "
                            f"lies between {_percent(span.low / value)} and {_percent(span.high / value)}; "
                            f"did you mean {as_written(meant)}?", location=place, hint=self._hint(column)))
                continue
            found.extend(self._curve(component, f"{where}.curve", span, what, column))
        return found

    def _curve(self, component: CurveComponent, where: str, span: Span, what: str, column: str) -> list[DataWarning]:
        """One warning per curve measured on the value, with the whole curve as probably meant: a curve
        written in the other unit has every point in it."""
        xs = [x for x, _ in component.curve]
        meant = {x: span.slip(x) for x in xs if x != 0}
        directions = {m / x > 1 for x, m in meant.items() if m is not None}
        if not meant or any(m is None for m in meant.values()) or len(directions) != 1:
            return []
        scaled = [[meant.get(x, 0.0), y] for x, y in component.curve]
        effect = ""
        if span.high < min(xs):
            effect = f", so every value is below the curve's first point (x {as_written(min(xs))}), where it pays 0"
        elif span.low >= max(xs):
            effect = f", so every value is at or beyond the curve's last point (x {as_written(max(xs))})"
        return [DataWarning(f"curve {curve_as_written(component.curve)} on {what}: {span.words(self.called)}{effect}; "
                            f"did you mean {curve_as_written(scaled)}?", location=where, hint=self._hint(column))]

    def modifiers(self) -> list[DataWarning]:
        found = []
        for index, modifier in enumerate(self.plan.modifiers):
            when = modifier.when
            measured = self.metric_span(when.metric)
            if measured is None:
                continue
            span, what, column = measured
            slipped = _slipped(span, when.at_least, when.below)
            if not slipped:
                continue
            # The metric lies among the column's values, so the band says at once whether it ever holds.
            effect = {"none": ", so it never applies", "all": ", so it applies in every quarter"}.get(
                span.band_holds(when.at_least, when.below), "")
            found.append(DataWarning(
                f"{_band(when.at_least, when.below)} on {what}: {span.words(self.called)}{effect}; "
                f"did you mean {_meant(slipped)}?",
                location=_at(f"modifiers[{index}].when", slipped), hint=self._hint(column)))
        return found

    # -- the plan's own metrics: which rows a filter keeps, which a share counts --

    def filters(self) -> list[DataWarning]:
        found = []
        for name, spec in self.plan.metrics.items():
            if spec.where is not None and spec.column is not None:
                found.extend(self._share_band(name, spec.column, spec.where))
            for position, condition in enumerate(spec.filter or ()):
                where = f"metrics.{name}.filter[{position}]"
                try:
                    passes = condition_passes(self.accounts, condition, name, f"{where}.column")
                except PlanError:
                    continue  # a column the data lacks, or reads another way: an error of its own
                slip = self._filter_slip(name, condition, passes, where) if condition.test == "range" else None
                if slip is not None:
                    found.append(slip)
                    continue
                found.extend(self._keeps_all_or_none(name, condition, passes, where))
        return found

    def _filter_slip(self, name: str, condition: RowFilter, passes: np.ndarray, where: str) -> DataWarning | None:
        span = self.span(condition.column)
        slipped = _slipped(span, condition.at_least, condition.below) if span is not None else []
        if not slipped:
            return None
        kept = int(passes.sum())
        effect = ("no row" if kept == 0 else "every row" if kept == len(passes) else
                  "every row that has a value" if kept == span.rows else
                  f"{kept:,} of the {span.rows:,} rows with a value")
        return DataWarning(
            f"metric {name} keeps the rows whose {condition.column} is {_band(condition.at_least, condition.below)}: "
            f"{span.words(self.called)}, so it keeps {effect}; did you mean {_meant(slipped)}?",
            location=_at(where, slipped), hint=self._hint(column_key(condition.column)))

    def _share_band(self, name: str, column: str, band) -> list[DataWarning]:
        span = self.span(column)
        slipped = _slipped(span, band.at_least, band.below) if span is not None else []
        if not slipped:
            return []
        effect = {"none": ", so it counts no row (the share is 0 in every book)",
                  "all": ", so it counts every row (the share is 1 in every book)"}.get(
            span.band_holds(band.at_least, band.below), "")
        return [DataWarning(
            f"metric {name} counts the rows whose {column} is {_band(band.at_least, band.below)}: "
            f"{span.words(self.called)}{effect}; did you mean {_meant(slipped)}?",
            location=_at(f"metrics.{name}.where", slipped), hint=self._hint(column_key(column)))]

    def _keeps_all_or_none(self, name: str, condition: RowFilter, passes: np.ndarray, where: str) -> list[DataWarning]:
        kept = int(passes.sum())
        if not len(passes) or 0 < kept < len(passes):
            return []
        held = self._held(name, condition, where)
        if held is None:
            return []
        effect = (f"keeps no row of {self.called} ({held}), so {name} is measured on no account" if kept == 0 else
                  f"keeps every row of {self.called} ({held}), so it changes nothing")
        check = ("a threshold in the column's own unit: 0.95 for a fraction, 95 for a percentage" if
                 condition.reads == "number" else "the values as the export writes them")
        words = (f"{condition.column} {_band(condition.at_least, condition.below)}" if condition.test == "range"
                 else condition_words(condition))  # 5000000, not condition_words' 5e+06
        return [DataWarning(f"metric {name}'s filter {words} {effect}", location=where,
                            hint=f"compare the condition with what the column holds ({check}); see docs/plans.md")]

    def _held(self, name: str, condition: RowFilter, where: str) -> str | None:
        """What the column holds, in words; None when there is nothing to say (no value at all, or a text
        value no row holds, which filter_value_warnings says)."""
        column = column_key(condition.column)
        if condition.reads == "number":
            span = self.span(column)
            return None if span is None else f"every value of {span.column} there is {span.range()}"
        if condition.reads == "flag":
            values = account_column(self.accounts, column, "flag")
            if column in BUILTIN_READS and self.header is not None and column not in self.header:
                return f"it has no {column} column, so every row reads as no"
            yes, no = int((values == 1).sum()), int((values == 0).sum())
            if yes + no == 0:
                return None
            named = self._named(column)
            return (f"{named} is no on every row" if yes == 0 else f"{named} is yes on every row" if no == 0 else
                    f"{named} is yes on {yes:,} rows and no on {no:,}")
        held, absent = held_texts(self.accounts, condition, name, where)
        if not held or absent:
            return None
        return f"{self._named(column)} holds {some_texts(held)}"


def _slipped(span: Span, at_least: float | None, below: float | None) -> list[tuple[str, float, float]]:
    """(key, written, probably meant) for each bound of a band written in the other unit."""
    found = []
    for key, value in (("at_least", at_least), ("below", below)):
        meant = span.slip(value) if value is not None else None
        if meant is not None:
            found.append((key, value, meant))
    return found


def _at(where: str, slipped: list[tuple[str, float, float]]) -> str:
    """The key a slip is said at: the band's one slipped bound, or the band when both are."""
    return where + (f".{slipped[0][0]}" if len(slipped) == 1 else "")


def _band(at_least: float | None, below: float | None) -> str:
    parts = [f"at least {as_written(at_least)}" if at_least is not None else "",
             f"below {as_written(below)}" if below is not None else ""]
    return " and ".join(p for p in parts if p)


def _meant(slipped: list[tuple[str, float, float]]) -> str:
    if len(slipped) == 1:
        return as_written(slipped[0][2])
    return ", ".join(f"{key} {as_written(meant)}" for key, _, meant in slipped)


def _number(value: float) -> str:
    """A value the data holds, as a person reads it: 0.95, 40, 100,000."""
    return f"{round(value, 9):,.12g}"


def _percent(ratio: float) -> str:
    shown = ratio * 100
    return f"{shown:,.0f} %" if abs(shown) >= 100 else f"{float(f'{shown:.2g}'):g} %"
