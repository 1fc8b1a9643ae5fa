"""The plan's own metrics (SPEC 5.3): a column aggregated over each CSM's rows, or another metric
narrowed by filters or widened to a window of quarters, each resolved down to what the engine computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, Union

from pydantic import (
    ConfigDict,
    Field,
    model_validator,
)

from cscomp_cli.core.errors import PlanError
from cscomp_cli.core.text import did_you_mean
from cscomp_cli.plan.vocabulary import (
    AGGREGATES,
    COMMISSION_METRICS,
    MAX_WINDOW,
    METRICS,
    Metric,
    StrictModel,
)

FilterValue = Union[bool, float, str]  # bool first: YAML reads yes/no as booleans, meaning yes/no cells


class Band(StrictModel):
    """where: of a share: which values count (at_least, below, or both for a band)."""

    at_least: float | None = Field(None, description="a value counts when it is at least this", examples=[4])
    below: float | None = Field(None, description="a value counts when it is below this", examples=[3])

    @model_validator(mode="after")
    def _needs_bound(self):
        if self.below is None and self.at_least is None:
            raise ValueError("where needs at_least, below, or both")
        if self.below is not None and self.at_least is not None and not self.at_least < self.below:
            raise ValueError(f"at_least {self.at_least:g} must be below {self.below:g}, or no value counts")
        return self


ROW_TESTS = ("in", "not_in", "equals", "at_least", "below")


class RowFilter(StrictModel):
    """One condition an accounts row must pass to be in a filtered metric's book."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    column: str = Field(min_length=1, description="a column of the accounts data (a built-in one such as "
                        "arr_start or segment, or one of the export's own)", examples=["churn_reason"])
    in_: list[FilterValue] | None = Field(None, alias="in", min_length=1, description="the row passes when "
                                                "its cell is one of these (text: trimmed, any case)",
                                                examples=[["Enterprise", "Mid-Market"]])
    not_in: list[FilterValue] | None = Field(None, min_length=1, description="the row passes when its cell "
                                                   "is none of these (a blank cell passes)",
                                                   examples=[["product_gap", "acquired", "bankrupt"]])
    equals: FilterValue | None = Field(None, description="the row passes when its cell is this: text (trimmed, any "
                                       "case), a number, or yes/no", examples=["yes", "Enterprise"])
    at_least: float | None = Field(None, description="the row passes when its cell is a number at least this",
                                   examples=[100000])
    below: float | None = Field(None, description="the row passes when its cell is a number below this",
                                examples=[50000])

    @model_validator(mode="after")
    def _one_test(self):
        given = [name for name in ROW_TESTS if getattr(self, "in_" if name == "in" else name) is not None]
        if not given:
            raise ValueError("a filter condition needs one of in, not_in, equals, at_least or below")
        if len(given) > 1 and set(given) != {"at_least", "below"}:
            raise ValueError(f"a filter condition tests one thing, but this one has {' and '.join(given)}: "
                             "write one condition per test (all conditions of a filter must hold)")
        if self.below is not None and self.at_least is not None and not self.at_least < self.below:
            raise ValueError(f"at_least {self.at_least:g} must be below {self.below:g}, or no row passes")
        for name in ("in_", "not_in"):
            values = getattr(self, name)
            if values is not None and len({type(v) if not isinstance(v, int) else float for v in values}) > 1:
                raise ValueError(f"the values of {name.rstrip('_')} mix text, numbers and yes/no; write them all one "
                                 "way (YAML reads yes, no, true, false, on and off without quotes as yes/no: put "
                                 'text in quotes, e.g. ["yes", "maybe"])')
        return self

    @property
    def test(self) -> str:
        """Which test this condition makes: in, not_in, equals, or range (at_least and/or below)."""
        for name in ("in", "not_in", "equals"):
            if getattr(self, "in_" if name == "in" else name) is not None:
                return name
        return "range"

    @property
    def values(self) -> tuple[FilterValue, ...]:
        """The values an in, not_in or equals condition compares with."""
        if self.test == "equals":
            return (self.equals,)
        return tuple(self.in_ if self.test == "in" else self.not_in or ())

    @property
    def reads(self) -> str:
        """How the column's cells are read for this test: text, number or flag (yes/no)."""
        if self.test == "range":
            return "number"
        kinds = {"flag" if isinstance(v, bool) else "number" if isinstance(v, (int, float)) else "text"
                 for v in self.values}
        return kinds.pop()


class CustomMetric(StrictModel):
    """A metric of the plan's own: column: with aggregate: (and where: for share), or from: a metric with
    filter: and/or window:; either may have a filter and a window."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    column: str | None = Field(None, min_length=1, description="a column of the accounts data holding numbers (or "
                               "yes/no, read as 1 and 0), aggregated over the book's rows that have a value",
                               examples=["csat"])
    aggregate: Literal[AGGREGATES] | None = Field(  # type: ignore[valid-type]
        None, description="with column: mean, sum, min, max, count (rows with a value), arr_weighted_mean "
        "(weighted by arr_start) or share (of the rows with a value, those inside where)", examples=["mean"])
    where: Band | None = Field(None, description="with aggregate: share, which values count",
                               examples=[{"at_least": 4}])
    from_: Metric | None = Field(None, alias="from", description="a built-in metric (or another of the plan's), "
                              "computed over the filtered rows or the window", examples=["grr", "nrr"])
    filter: list[RowFilter] | None = Field(None, min_length=1, description="conditions every accounts row "
                                                 "of the book must pass to count",
                                                 examples=[[{"column": "churn_reason",
                                                             "not_in": ["product_gap", "acquired"]}]])
    window: Annotated[int, Field(ge=1, le=MAX_WINDOW)] | None = Field(
        None, description="look back over the last N quarters (1–12) ending at each quarter, each account "
        "counted once", examples=[4])

    @model_validator(mode="after")
    def _one_source(self):
        if (self.column is None) == (self.from_ is None):
            raise ValueError("a metric is either column: (with aggregate:) or from: (a metric to filter or "
                             "window), one of them")
        if self.column is not None and self.aggregate is None:
            raise ValueError("column: needs aggregate: (mean, sum, min, max, count, arr_weighted_mean or share)")
        if self.from_ is not None and self.aggregate is not None:
            raise ValueError("aggregate: goes with column:; a from: metric keeps its own formula")
        if self.aggregate == "share" and self.where is None:
            raise ValueError("aggregate: share needs where: {at_least: …} and/or {below: …}")
        if self.where is not None and self.aggregate != "share":
            raise ValueError("where: is only for aggregate: share (use filter: to choose rows)")
        if self.from_ is not None and self.filter is None and self.window is None:
            raise ValueError(f"from: {self.from_} without filter: or window: is just {self.from_}; add a filter or "
                             "a window, or use the metric directly")
        return self


@dataclass(frozen=True)
class ToDate:
    """A measurement period's quarters from its first through the quarter measured (SPEC 6.4): a window
    that grows through the period, 1 quarter in its first, ``length`` in its last."""

    length: int  # the period's quarters: 2 (a half) or 4 (a year)

    def first(self, ordinal):
        """The period's first quarter (as quarter_ordinal counts) for a quarter's ordinal; arrays too."""
        return ordinal - ordinal % self.length

    def last(self, ordinal):
        """The period's last quarter (its true-up) for a quarter's ordinal; arrays too."""
        return self.first(ordinal) + self.length - 1


@dataclass(frozen=True)
class Definition:
    """A metric resolved down to what the engine computes: a built-in formula or a column aggregate,
    over the rows passing every filter of its chain, over a window or one quarter."""

    name: str
    base: str                              # a built-in metric, or "column" for a column aggregate
    column: str | None = None
    aggregate: str | None = None
    where: Band | None = None
    filters: tuple[RowFilter, ...] = ()
    window: int | ToDate | None = None  # ToDate only inside a period plan's replay, never written
    chain: tuple[str, ...] = ()            # the custom metrics it is built from, itself first

    @property
    def amount(self) -> bool:
        """Whether it is an amount in currency (usable by a commission)."""
        return self.aggregate == "sum" if self.base == "column" else self.base in COMMISSION_METRICS

    @property
    def ratio(self) -> bool:
        """Whether it is a ratio where 1.0 is 100 % (nrr, grr, …), for unit warnings."""
        # A share is a fraction too (0.8 is 80 % of the rows), so target: 80 on one is as likely a slip.
        return self.base in ("nrr", "grr", "logo_retention", "renewal_rate") or self.aggregate == "share"


def resolve_metric(name: str, metrics: dict[str, CustomMetric], resolved: dict[str, Definition], stack: tuple[str, ...],
             label: str) -> Definition:
    """One custom metric down to a built-in formula or a column aggregate, with its chain's filters and window."""
    if name in resolved:
        return resolved[name]
    if name in stack:
        cycle = " → ".join((*stack[stack.index(name):], name))
        raise PlanError(f"metrics go round in a circle: {cycle}", file=label, location=f"metrics.{stack[-1]}.from",
                        hint="one of these metrics must be built from a column or a built-in metric")
    spec = metrics[name]
    if spec.column is not None:
        definition = Definition(name=name, base="column", column=spec.column, aggregate=spec.aggregate,
                                where=spec.where, filters=tuple(spec.filter or ()), window=spec.window, chain=(name,))
    else:
        source = spec.from_
        if source not in resolved and source not in metrics:
            raise PlanError(f"from: '{source}' is not a metric" + did_you_mean(source, [*METRICS, *metrics]),
                            file=label, location=f"metrics.{name}.from",
                            hint=f"from: takes a built-in metric ({', '.join(METRICS)}) or another of the plan's "
                            "metrics; see docs/plans.md")
        inner = resolve_metric(source, metrics, resolved, (*stack, name), label)
        if spec.window is not None and inner.window is not None:
            raise PlanError(f"metric '{name}' windows '{source}', which already has window: {inner.window}",
                            file=label, location=f"metrics.{name}.window",
                            hint=f"give the window once: on {name} or on {source}, not both")
        definition = Definition(name=name, base=inner.base, column=inner.column, aggregate=inner.aggregate,
                                where=inner.where, filters=(*inner.filters, *(spec.filter or ())),
                                window=spec.window if spec.window is not None else inner.window,
                                chain=(name, *inner.chain))
    resolved[name] = definition
    return definition
