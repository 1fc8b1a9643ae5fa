"""The plan language (SPEC section 3): a YAML document validated into typed, frozen models.

Loading is strict on purpose: unknown keys, duplicate keys, wrong types and impossible curves are
refused with the key path and, where a close spelling exists, a "did you mean". The JSON Schema
served by `cscomp schema` comes from the same models, so editors and cscomp agree.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from cscomp_cli.core.errors import PlanError
from cscomp_cli.core.quarters import parse_quarter
from cscomp_cli.core.text import UNPRINTABLE, did_you_mean
from cscomp_cli.core.units import PERCENT_PATTERN, read_percent_strings, shortened

METRICS = (
    "start_arr", "expansion_arr", "cross_sell_arr", "gross_expansion", "contraction_arr", "churn_arr",
    "net_expansion", "retained_arr", "renewed_arr", "nrr", "grr", "logo_retention", "renewal_rate",
    "nps", "health", "accounts",
)
COMMISSION_METRICS = (
    "expansion_arr", "cross_sell_arr", "gross_expansion", "net_expansion", "renewed_arr", "retained_arr",
)
MAX_PLAN_BYTES = 1_000_000
_TOO_LARGE = f"plan is larger than {MAX_PLAN_BYTES:,} bytes"
_TOO_LARGE_HINT = "a plan is a short YAML document; check you passed the right file"
MAX_EXTENDS_DEPTH = 20  # plans extending plans: a real chain is two or three deep
MAX_PLAN_NUMBER = 1e12  # a trillion: beyond any rate, weight, target or cap
# A currency is a code (USD) or a short symbol (€, kr, R$): no space, markup or control character.
CURRENCY = re.compile(r"[A-Z]{3}" + f"|[^\\s{UNPRINTABLE}" + r"""<>&"'`\[\]\\|]{1,3}""")
MAX_PLAN_NODES = 100_000  # far beyond any real plan; stops a YAML alias bomb from expanding
# A plan nests five or six levels (components, one, its target, by segment, values); the limit keeps
# every step that walks a plan (the YAML composer first) far from Python's recursion limit.
MAX_PLAN_DEPTH = 64
# Characters in one number: a plan number is at most 13 digits and some decimals. Python refuses to
# read an integer of more than 4,300 digits, and YAML's 1:2:3 (base 60) form grows quadratically.
MAX_NUMBER_CHARACTERS = 100

# Built-in metrics and the plan's own (under metrics:) share one name space; which names exist is
# checked once the whole plan is read (_check_references), so a typo gets a "did you mean".
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
_NAME_SCHEMA = {"anyOf": [{"enum": list(METRICS)}, {"type": "string", "pattern": NAME_PATTERN,
                                                     "description": "a metric defined under the plan's metrics:"}]}
Metric = Annotated[str, WithJsonSchema(_NAME_SCHEMA), Field(json_schema_extra={"examples": ["nrr", "grr", "csat"]}, description="a built-in metric (" + ", ".join(METRICS) + ") or one defined "
                              "under the plan's metrics:")]
CommissionMetric = Annotated[str, WithJsonSchema({"anyOf": [{"enum": list(COMMISSION_METRICS)}, _NAME_SCHEMA["anyOf"][1]]}),
                             Field(description="an amount metric (" + ", ".join(
    COMMISSION_METRICS) + "), or one of the plan's metrics: built on one of them or with aggregate: sum")]
AGGREGATES = ("mean", "sum", "min", "max", "count", "arr_weighted_mean", "share")
MAX_WINDOW = 12
Scope = Literal["csm", "team", "segment", "company"]
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]
QuarterLabel = Annotated[str, Field(description="a quarter such as 2026Q1, or a fiscal quarter such as FY2027Q1")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- targets -------------------------------------------------------------------------------


class BySegment(_Strict):
    """A target per roster segment, with an optional default."""

    by: Literal["segment"] = Field(description="what the values are chosen by: the CSM's roster segment",
                                   examples=["segment"])
    values: dict[str, Positive] = Field(description="a value per roster segment name",
                                        examples=[{"Enterprise": 1.05, "Mid-Market": 1.02, "SMB": 0.95}])
    default: Positive | None = Field(default=None, description="the value for a segment not listed in values "
                                     "(without it, such a segment is an error)", examples=[1.0])


class SegmentWeights(_Strict):
    """A curve component's weight per roster segment: one plan, different mixes for high- and low-touch teams."""

    by: Literal["segment"] = Field(description="what the weights are chosen by: the CSM's roster segment",
                                   examples=["segment"])
    values: dict[str, NonNegative] = Field(description="a weight per roster segment name (0 pays nothing)",
                                           examples=[{"Enterprise": 0.5, "SMB": 0.2}])
    default: NonNegative | None = Field(default=None, description="the weight for a segment not listed in "
                                        "values (without it, such a segment is an error)", examples=[0])

    @model_validator(mode="after")
    def _names_a_weight(self):
        if not self.values and self.default is None:
            raise ValueError("values: {} names no segment and there is no default, so no CSM has a weight; list "
                             "the segments, e.g. values: {Enterprise: 0.5, SMB: 0.2}, or give default:")
        return self


class PctOfStartArr(_Strict):
    """A share of the (scope) book's start_arr, for amount metrics."""

    pct_of_start_arr: Positive = Field(description="the target is this share of the book's start_arr "
                                       "(0.05 = 5 % of the ARR the book started the quarter with)",
                                       examples=[0.05, "5%"])


def _target_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return "number"
    if value == "quotas":
        return "quotas"
    if isinstance(value, dict):
        if "pct_of_start_arr" in value:
            return "pct"
        if value.keys() & {"by", "values", "default"}:
            return "by_segment"
        # A misspelt key ({pct_of_strat_arr: 0.05}) is judged against the form it is closest to, so the
        # error is about that one key, not about the by: and values: of a form nobody meant.
        close = {key: difflib.get_close_matches(str(key), ["pct_of_start_arr", "by", "values", "default"],
                                                n=1, cutoff=0.6) for key in value}
        return "pct" if any(match == ["pct_of_start_arr"] for match in close.values()) else "by_segment"
    if isinstance(value, BaseModel):
        return "pct" if isinstance(value, PctOfStartArr) else "by_segment"
    return None


Target = Annotated[
    Union[
        Annotated[Positive, Tag("number")],
        Annotated[Literal["quotas"], Tag("quotas")],
        Annotated[BySegment, Tag("by_segment")],
        Annotated[PctOfStartArr, Tag("pct")],
    ],
    Discriminator(
        _target_kind,
        custom_error_type="target",
        custom_error_message="target must be a number > 0, 'quotas', {by: segment, values: …} or {pct_of_start_arr: …}",
    ),
]


# --- components ----------------------------------------------------------------------------


def _canonical_quarters(value: list[str] | None) -> tuple[str, ...] | None:
    # Only the spelling is settled here (FY27 Q1 -> FY2027Q1): which quarter it is depends on the
    # data's calendar, which the engine applies when it replays.
    if value is None:
        return None
    labels = []
    for text in value:
        label = parse_quarter(str(text))
        if label is None:
            raise ValueError(f"'{text}' is not a quarter label (write 2026Q1, or FY2027Q1 for a fiscal quarter)")
        labels.append(label)
    return tuple(labels)


class _Component(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="the component's name: lower case letters, digits "
                    "and _, starting with a letter; unique in the plan", examples=["retention"])
    scope: Scope = Field("csm", description="whose book the metric is measured on: the CSM's own (csm), their "
                         "roster team's, their roster segment's, or the whole company's", examples=["csm", "team"])
    target: Target | None = Field(None, description="what 100 % attainment is: a number, quotas (from quotas.csv), "
                                  "{by: segment, values: {...}, default: ...} or {pct_of_start_arr: 0.05}",
                                  examples=[1.0, "quotas", {"by": "segment", "values": {"Enterprise": 1.05},
                                                            "default": 1.0}, {"pct_of_start_arr": 0.05}])
    risk_adjust: float | None = Field(default=None, description="moves the target by k × (book risk − company "
                                      "risk), so a riskier book gets an easier target with a negative k",
                                      examples=[-0.1])
    quarters: tuple[QuarterLabel, ...] | None = Field(default=None, description="the component pays only in these "
                                                      "quarters (a floating or rotating component)",
                                                      examples=[["2026Q1", "2026Q3"]])

    @field_validator("quarters", mode="before")
    @classmethod
    def _parse_quarters(cls, value):
        if isinstance(value, list):
            return _canonical_quarters(value)
        return value

    @model_validator(mode="after")
    def _risk_adjust_needs_target(self):
        if self.risk_adjust is not None and self.target is None:
            raise ValueError("risk_adjust adjusts the target, so this component needs a target")
        return self

    def active_in(self, quarter: str) -> bool:
        return self.quarters is None or quarter in self.quarters


class CurveComponent(_Component):
    """Pays TV × weight × f(x) × modifiers."""

    kind: Literal["curve"] = Field("curve", description="curve (the default): pays target variable × weight × "
                                   "curve(x)", examples=["curve"])
    metric: Metric = Field(description="the metric measured on the scope's book each quarter", examples=["nrr"])
    weight: NonNegative | SegmentWeights = Field(
        description="this component's share of the target variable; the weights of the curve components paying "
        "in a quarter sum to 1 (for each roster segment, when weights are given by segment)",
        examples=[0.6, "60%", {"by": "segment", "values": {"Enterprise": 0.5, "SMB": 0.2}, "default": 0}])
    measure: Literal["attainment", "value"] = Field("attainment", description="x on the curve: attainment "
                                                    "(metric ÷ target) or value (the metric itself, no target)",
                                                    examples=["attainment", "value"])
    curve: list[Annotated[list[float], Field(min_length=2, max_length=2)]] = Field(
        min_length=1, description="[x, payout] points, x strictly increasing and payout never decreasing; the "
        "payout is a multiple of weight × target variable (1 = 100 %)",
        examples=[[[0.9, 0], [1.0, 1.0], [1.1, 1.5]], [["90%", 0], ["100%", "100%"], ["110%", "150%"]]])
    interpolate: Literal["linear", "step"] = Field("linear", description="between points: linear, or step (the "
                                                   "payout of the highest point reached)", examples=["step"])
    uncapped: bool = Field(False, description="true: beyond the last point the last segment's slope continues "
                           "(linear curves of two points or more)", examples=[True])
    on_missing: Literal["zero", "target"] = Field("zero", description="when the metric or attainment is undefined "
                                                  "(an empty book, no renewals due): pay zero or as at target",
                                                  examples=["target"])

    def weight_for(self, segment: str | None) -> float | None:
        """The weight for a CSM of this roster segment; None when weights by segment have no entry for it."""
        if not isinstance(self.weight, SegmentWeights):
            return self.weight
        return self.weight.values.get(segment, self.weight.default) if segment is not None else self.weight.default

    @field_validator("curve")
    @classmethod
    def _check_points(cls, points):
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        if any(not math.isfinite(v) for v in xs + ys) or any(y < 0 for y in ys):
            raise ValueError("curve points must be finite numbers and pay 0 or more")
        for i in range(1, len(xs)):
            if not xs[i] > xs[i - 1]:
                raise ValueError(f"curve x must be strictly increasing: point {i + 1} ({xs[i]:g}) "
                                 f"is not above point {i} ({xs[i - 1]:g})")
            if ys[i] < ys[i - 1]:
                raise ValueError(f"curve payout must never decrease: point {i + 1} pays {ys[i]:g}, "
                                 f"less than point {i} ({ys[i - 1]:g})")
        return points

    @model_validator(mode="after")
    def _check_curve(self):
        if self.uncapped and (self.interpolate != "linear" or len(self.curve) < 2):
            raise ValueError("uncapped: true continues the last segment's slope, so it needs "
                             "interpolate: linear and at least two curve points")
        if self.measure == "attainment" and self.target is None:
            raise ValueError("measure: attainment needs a target (or use measure: value)")
        return self


class Tier(_Strict):
    up_to: Positive | None = Field(None, description="the tier's upper bound: a fraction of the target when the "
                                   "component has one, else an amount; the last tier has none", examples=[1.0])
    rate: NonNegative = Field(description="the rate paid on the part of the amount in this tier", examples=[0.04, "4%"])


class CommissionComponent(_Component):
    """Pays a rate (or tiers of rates) on an amount metric, not scaled by TV."""

    kind: Literal["commission"] = Field(description="commission: pays a rate on an amount, not scaled by the "
                                        "target variable", examples=["commission"])
    metric: CommissionMetric = Field(description="the amount the rate is paid on", examples=["cross_sell_arr"])
    rate: NonNegative | None = Field(None, description="one rate on the whole amount (or give tiers)",
                                     examples=[0.05, "5%"])
    tiers: list[Tier] | None = Field(default=None, min_length=1, description="rates by tier of the amount, bounds "
                                     "increasing, the last tier without up_to",
                                     examples=[[{"up_to": 1.0, "rate": 0.04}, {"rate": 0.06}]])
    tiering: Literal["marginal", "retroactive"] = Field("marginal", description="marginal: each tier's rate on the "
                                                        "part inside it; retroactive: the reached tier's rate on "
                                                        "all of it", examples=["retroactive"])
    allow_negative: bool = Field(False, description="true: a negative amount is deducted at the first tier's "
                                 "rate; false: it pays 0", examples=[True])
    cap: NonNegative | None = Field(default=None, description="maximum commission per quarter in currency, "
                                    "before modifiers", examples=[5000])

    @field_validator("tiers")
    @classmethod
    def _check_bounds(cls, tiers):
        if tiers is None:
            return tiers
        *lower, last = tiers
        if last.up_to is not None:
            raise ValueError("the last tier has no up_to (it takes everything above the previous bound)")
        for i, tier in enumerate(lower):
            if tier.up_to is None:
                raise ValueError(f"tier {i + 1} needs up_to (only the last tier has none)")
            if i and not tier.up_to > lower[i - 1].up_to:
                raise ValueError(f"tier bounds must increase: tier {i + 1} up_to {tier.up_to:g} "
                                 f"is not above {lower[i - 1].up_to:g}")
        return tiers

    @model_validator(mode="after")
    def _rate_or_tiers(self):
        if (self.rate is None) == (self.tiers is None):
            raise ValueError("give either rate or tiers (one of them, not both)")
        return self

    @property
    def schedule(self) -> list[Tier]:
        return list(self.tiers) if self.tiers is not None else [Tier(rate=self.rate)]


def _component_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("kind", "curve")
        return kind if kind in ("curve", "commission") else None
    if isinstance(value, BaseModel):
        return value.kind
    return None


Component = Annotated[
    Union[Annotated[CurveComponent, Tag("curve")], Annotated[CommissionComponent, Tag("commission")]],
    Discriminator(
        _component_kind,
        custom_error_type="component",
        custom_error_message="a component is a mapping whose kind is curve (the default) or commission",
    ),
]


# --- the plan's own metrics (SPEC 5.3) -----------------------------------------------------------

FilterValue = Union[bool, float, str]  # bool first: YAML reads yes/no as booleans, meaning yes/no cells


class Band(_Strict):
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


class RowFilter(_Strict):
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


class CustomMetric(_Strict):
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
class Definition:
    """A metric resolved down to what the engine computes: a built-in formula or a column aggregate,
    over the rows passing every filter of its chain, over a window or one quarter."""

    name: str
    base: str                              # a built-in metric, or "column" for a column aggregate
    column: str | None = None
    aggregate: str | None = None
    where: Band | None = None
    filters: tuple[RowFilter, ...] = ()
    window: int | None = None
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


# --- the rest of the plan ------------------------------------------------------------------


class Condition(_Strict):
    metric: Metric = Field(description="the metric the condition tests", examples=["nps"])
    scope: Scope = Field("csm", description="whose book the metric is measured on (csm, team, segment, company)",
                         examples=["csm"])
    below: float | None = Field(None, description="holds when the metric is below this", examples=[20])
    at_least: float | None = Field(None, description="holds when the metric is at least this (with below: a band)",
                                   examples=[0.9, "90%"])

    @model_validator(mode="after")
    def _needs_bound(self):
        if self.below is None and self.at_least is None:
            raise ValueError("a condition needs below, at_least, or both")
        if self.below is not None and self.at_least is not None and not self.at_least < self.below:
            raise ValueError(f"at_least {self.at_least:g} must be below {self.below:g}, or the band is empty")
        return self


class Modifier(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="the modifier's name, unique among modifiers",
                    examples=["nps_gate"])
    when: Condition = Field(description="the condition on a metric that switches the modifier on",
                            examples=[{"metric": "nps", "below": 20}])
    multiply: NonNegative = Field(description="the factor the payouts it applies to are multiplied by",
                                  examples=[0.5, "50%"])
    applies_to: Literal["all"] | list[str] = Field("all", description="the component ids it multiplies, or all",
                                                   examples=[["expansion"], "all"])


class PayMix(_Strict):
    variable_pct: Annotated[float, Field(ge=0, lt=100)] | dict[str, Annotated[float, Field(ge=0, lt=100)]] = Field(
        description="variable pay as a percentage of OTE (30 = 30 %), for everybody or per roster segment",
        examples=[30, "30%", {"Enterprise": 30, "SMB": 20}])
    hold: Literal["ote", "base"] = Field("ote", description="ote: OTE stays, base moves; base: base stays, OTE moves",
                                         examples=["ote", "base"])


class Credit(_Strict):
    expansion: NonNegative = Field(1.0, description="the share of expansion ARR credited to the CSM",
                                   examples=[1.0, "100%"])
    cross_sell: NonNegative = Field(1.0, description="the share of cross-sell ARR credited to the CSM (0.25: "
                                    "Sales keeps 75 %)", examples=[0.25, "25%"])


class Plan(_Strict):
    """A compensation plan to replay."""

    extends: str | None = Field(default=None, description="a plan file (relative to this one) whose keys this "
                                "plan overrides; components and modifiers merge by id, remove: true drops one",
                                examples=["current.yaml"])
    name: str = Field(min_length=1, description="the plan's name, shown on every report",
                      examples=["FY27 proposal — NRR focus"])
    currency: str = Field("USD", description="the currency of amounts, for display only: a three-letter code "
                          "(ISO 4217) or a symbol of at most 3 characters", examples=["USD", "EUR", "€"])
    performance: Metric | dict[str, Positive] = Field(
        "nrr", description="what ranks CSMs to find the top performers: one metric, or several with weights "
        "(a combined score of percentile ranks; weights > 0, rescaled to sum to 1, so {nrr: 70, csat: 30} is "
        "{nrr: 0.7, csat: 0.3})", examples=["nrr", {"nrr": 0.7, "csat": 0.3}])
    metrics: dict[str, CustomMetric] = Field({}, description="the plan's own metrics, by name (lower case letters, "
                                             "digits and _, not a built-in metric's name): a column "
                                             "aggregate, or a metric over filtered rows or a trailing window",
                                             json_schema_extra={"propertyNames": {"pattern": NAME_PATTERN,
                                                                                  "not": {"enum": list(METRICS)}}},
                                             examples=[{"csat": {"column": "csat", "aggregate": "mean"},
                                                        "nrr_ttm": {"from": "nrr", "window": 4}}])
    credit: Credit = Field(Credit(), description="revenue share: the CSM's credit on expansion and cross-sell ARR",
                           examples=[{"cross_sell": 0.25}])
    pay_mix: PayMix | None = Field(None, description="a new base/variable split (else the roster's)",
                                   examples=[{"variable_pct": 30, "hold": "ote"}])
    cap: Positive | None = Field(default=None, description="total variable pay is at most cap × the target "
                                 "variable each quarter (2 = 200 %)", examples=[2.0, "200%"])
    components: list[Component] = Field(min_length=1, description="what is paid for: curve and commission "
                                        "components", examples=[[{"id": "retention", "metric": "nrr", "weight": 1,
                                                                  "target": 1.0,
                                                                  "curve": [[0.9, 0], [1.0, 1.0], [1.1, 1.5]]}]])
    modifiers: list[Modifier] = Field([], description="multipliers switched on by a condition on a metric",
                                      examples=[[{"id": "nps_gate", "when": {"metric": "nps", "below": 20},
                                                  "multiply": 0.5, "applies_to": ["retention"]}]])

    @field_validator("currency")
    @classmethod
    def _check_currency(cls, currency: str) -> str:
        # Shown beside every amount in every format: markup or a control character here would
        # reach a browser, a spreadsheet or the terminal as code, not as a currency.
        if not CURRENCY.fullmatch(currency):
            raise ValueError(f"'{currency}' is not a currency code or symbol: write a three-letter "
                             "ISO 4217 code such as USD or EUR, or a symbol of at most 3 characters such as €")
        return currency

    @property
    def performance_weights(self) -> dict[str, float]:
        """The performance measure as metric -> weight (one metric weighs 1)."""
        if isinstance(self.performance, dict):
            return dict(self.performance)
        return {self.performance: 1.0}

    @property
    def definitions(self) -> dict[str, Definition]:
        """Every metric the plan may use (built-in and its own), resolved; the plan is already checked."""
        resolved = {name: Definition(name=name, base=name) for name in METRICS}
        for name in self.metrics:
            resolved[name] = _resolve(name, self.metrics, resolved, (), "<plan>")
        return resolved

    def definition(self, name: str) -> Definition:
        return self.definitions[name]

    def metric_names(self) -> list[str]:
        """Every metric the plan uses (components, modifiers, performance), each once, in plan order."""
        names = [c.metric for c in self.components] + [m.when.metric for m in self.modifiers]
        return list(dict.fromkeys([*names, *self.performance_weights]))

    def account_columns(self) -> dict[str, set[str]]:
        """Columns of the accounts data the plan's metrics read, and how (number, text, flag), so the
        loader keeps exactly these extra columns."""
        wanted: dict[str, set[str]] = {}
        for definition in self.definitions.values():
            if definition.name not in self.metrics:
                continue
            if definition.column is not None:
                wanted.setdefault(definition.column, set()).add("number")
            for condition in definition.filters:
                wanted.setdefault(condition.column, set()).add(condition.reads)
        return wanted

    @property
    def curve_components(self) -> list[CurveComponent]:
        return [c for c in self.components if isinstance(c, CurveComponent)]

    def multiplier_targets(self, modifier: Modifier) -> list[str]:
        if modifier.applies_to == "all":
            return [c.id for c in self.components]
        return list(modifier.applies_to)


# --- loading -------------------------------------------------------------------------------


def load_plan(source: Path | str) -> Plan:
    """Read, parse and validate a plan file ('-' reads standard input)."""
    document, label = load_plan_document(source)
    return plan_from_document(document, label)


def load_plan_document(source: Path | str) -> tuple[dict, str]:
    """A plan file as plain data with extends resolved, not yet validated (for sweeps), and its label."""
    label = "<stdin>" if str(source) == "-" else str(source)
    if str(source) == "-":
        # read(n) stops at n bytes: an endless standard input costs no more than the cap.
        raw = sys.stdin.buffer.read(MAX_PLAN_BYTES + 1)
        if len(raw) > MAX_PLAN_BYTES:
            raise PlanError(_TOO_LARGE, file=label, hint=_TOO_LARGE_HINT)
    else:
        _record_read(Path(source))
        raw = _read_plan_file(Path(source), label)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanError("is not UTF-8 text", file=label, hint="save the plan as UTF-8") from None
    base = Path.cwd() if str(source) == "-" else Path(os.path.realpath(source)).parent
    chain = () if str(source) == "-" else (Path(os.path.realpath(source)),)
    return _resolved_document(text, label, base, chain), label


# The commands refuse to write their result over any plan file they read, the files of an extends
# chain included; loading records them here while a command collects them.
_plan_files: ContextVar[list[Path] | None] = ContextVar("cscomp_plan_files", default=None)


@contextmanager
def plan_files_read() -> Iterator[list[Path]]:
    """Record in the yielded list every plan file read meanwhile: each plan and its extends chain."""
    found: list[Path] = []
    token = _plan_files.set(found)
    try:
        yield found
    finally:
        _plan_files.reset(token)


def _record_read(path: Path) -> None:
    found = _plan_files.get()
    if found is not None:
        found.append(path)


def _read_plan_file(path: Path, label: str, *, extended_by: str | None = None) -> bytes:
    """A plan file's bytes: a regular file of at most MAX_PLAN_BYTES, never read further than that.

    A FIFO or a device (/dev/zero) would hang or never end: refused before reading. ``extended_by``
    names the plan whose extends: points here, so the message names both.
    """
    def refuse(problem: str, hint: str) -> PlanError:
        if extended_by is None:
            return PlanError(problem, file=label, hint=hint)
        return PlanError(f"the plan it extends, {label}: {problem}", file=extended_by, location="extends",
                         hint=hint)

    try:
        # Non-blocking, so that opening a FIFO returns at once (fstat then refuses it).
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise refuse("plan file not found", "give the path of a plan YAML, e.g. plans/nrr_focus.yaml"
                     if extended_by is None else "paths in extends are relative to the extending plan's folder"
                     ) from None
    except OSError as exc:
        raise refuse(f"cannot read the plan file: {exc.strerror}",
                     "check the path and that you may read the file") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PLAN_BYTES:
        os.close(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise refuse("is a folder, not a plan file", "give the path of a plan YAML, e.g. plans/nrr_focus.yaml")
        if not stat.S_ISREG(info.st_mode):
            raise refuse("is not a regular file (a device or a pipe?)", "save the plan as a file and give its path")
        raise refuse(_TOO_LARGE, _TOO_LARGE_HINT)
    with os.fdopen(descriptor, "rb") as handle:
        try:
            raw = handle.read(MAX_PLAN_BYTES + 1)
        except OSError as exc:
            raise refuse(f"cannot read the plan file: {exc.strerror}", "check the disk and the path") from None
    if len(raw) > MAX_PLAN_BYTES:  # it grew since fstat
        raise refuse(_TOO_LARGE, _TOO_LARGE_HINT)
    return raw


def parse_plan(text: str, label: str = "<plan>", *, base: Path | None = None, chain: tuple[Path, ...] = ()) -> Plan:
    """Validate plan YAML text; errors name the key path (or line and column) in `label`.

    ``base`` is the folder an ``extends:`` path is relative to (the plan's own folder); ``chain``
    the plan files already being read, to catch a cycle.
    """
    return plan_from_document(_resolved_document(text, label, base or Path.cwd(), chain), label)


def _resolved_document(text: str, label: str, base: Path, chain: tuple[Path, ...]) -> dict:
    document = _read_document(text, label)
    if "extends" in document:
        document = _resolve_extends(document, label, base, chain)
    else:
        _refuse_stray_removes(document, label)
    # After extends: a child's "95%" replaces its parent's 0.9 like any other value.
    return read_percent_strings(document, label)


def plan_from_document(document: dict, label: str = "<plan>") -> Plan:
    """Validate a plan given as plain data (extends already resolved)."""
    document = read_percent_strings(document, label)
    _check_numbers(document, label)
    try:
        plan = Plan.model_validate(document)
    except ValidationError as exc:
        error = _plan_error(exc, label)
        # Unknown metric names are checked on the validated plan; when the plan has other problems
        # too, find them in the document so that validate lists every problem at once.
        named = {problem.location for problem in (error, *error.also)}
        extra = [p for p in _unknown_metric_names(document, label) if p.location not in named]
        if extra:
            error.also = [*error.also, *extra]
        raise error from None
    _check_references(plan, label)
    return plan


def _read_document(text: str, label: str) -> dict:
    document = _load_yaml(text, label)
    if not isinstance(document, dict):
        raise PlanError("a plan is a YAML mapping with name and components at the top", file=label,
                        hint="start from one of the files in plans/")
    return document


# --- extends: a plan that states only what changes ----------------------------------------------


def _resolve_extends(child: dict, label: str, base: Path, chain: tuple[Path, ...]) -> dict:
    """The child's parent (read and resolved first), with the child's keys laid over it."""
    reference = child["extends"]
    if not isinstance(reference, str) or not reference.strip():
        raise PlanError("extends names the plan file this one builds on", file=label, location="extends",
                        hint="e.g. extends: current.yaml (relative to this plan's folder)")
    if "\0" in reference:
        raise PlanError("extends names a file with a NUL character in its name", file=label, location="extends",
                        hint="write the parent plan's file name, e.g. extends: current.yaml")
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise PlanError(f"extends chains more than {MAX_EXTENDS_DEPTH} plans deep (from {chain[0].name} on)",
                        file=label, location="extends",
                        hint="a plan needs a parent or two; let one of them stand on its own")
    # realpath, unlike Path.resolve, does not raise on a symlink loop: opening the file then says so.
    path = Path(os.path.realpath(base / reference))
    if path in chain:
        cycle = " → ".join(p.name for p in (*chain, path))
        raise PlanError(f"extends goes round in a circle: {cycle}", file=label, location="extends",
                        hint="one of these plans must stand on its own")
    _record_read(path)
    if not path.exists() and not path.is_symlink():
        raise PlanError(f"the plan it extends, {reference}, is not found (looked for {path})", file=label,
                        location="extends", hint="paths in extends are relative to the extending plan's folder")
    raw = _read_plan_file(path, str(path), extended_by=label)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanError("is not UTF-8 text", file=str(path), hint="save the plan as UTF-8") from None
    parent = _read_document(text, str(path))
    if "extends" in parent:
        parent = _resolve_extends(parent, str(path), path.parent, (*chain, path))
    else:
        _refuse_stray_removes(parent, str(path))
    merged = _overlay(parent, {k: v for k, v in child.items() if k != "extends"}, label)
    return merged


def _overlay(parent: dict, child: dict, label: str, path: tuple = ()) -> dict:
    """Child keys over parent keys; mappings merge key by key; components and modifiers by id."""
    merged = dict(parent)
    for key, value in child.items():
        here = (*path, key)
        if not path and key in ("components", "modifiers") and isinstance(value, list):
            inherited = parent.get(key)
            merged[key] = _overlay_by_id(inherited if isinstance(inherited, list) else [], value, label, key)
        elif _replaces_whole(here, value):
            merged[key] = value
        elif isinstance(value, dict) and isinstance(parent.get(key), dict):
            merged[key] = _overlay(parent[key], value, label, here)
        else:
            merged[key] = value
    return merged


def _replaces_whole(path: tuple, value: Any) -> bool:
    """Mappings a child states whole: a combined score's weights ({nrr: 1, grr: 1} over {nrr: 0.7, csat: 0.3}
    is not meant to keep csat), and a metric of the plan's own that names its source again (column: or
    from:), which is a new definition, not a change to the parent's."""
    if path == ("performance",):
        return True
    return len(path) == 2 and path[0] == "metrics" and isinstance(value, dict) and bool(value.keys() & {"column", "from"})


def _overlay_by_id(parent: list, child: list, label: str, key: str) -> list:
    """Items with a parent's id change it (remove: true drops it); new ids are added at the end."""
    items = [dict(item) if isinstance(item, dict) else item for item in parent]
    index = {item.get("id"): i for i, item in enumerate(items) if isinstance(item, dict)}
    removed: set[int] = set()
    for position, item in enumerate(child):
        if not isinstance(item, dict) or item.get("id") not in index:
            if isinstance(item, dict) and item.get("remove") is True:
                raise PlanError(f"cannot remove '{item.get('id')}': the plan it extends has no such id",
                                file=label, location=f"{key}[{position}].id",
                                hint=f"ids in the parent: {', '.join(str(i) for i in index)}")
            items.append(item)
            continue
        at = index[item["id"]]
        if item.get("remove") is True:
            removed.add(at)
            continue
        changes = {k: v for k, v in item.items() if k != "remove"}
        items[at] = _overlay(items[at], changes, label, (key, at))
    return [item for i, item in enumerate(items) if i not in removed]


def _refuse_stray_removes(document: dict, label: str) -> None:
    for key in ("components", "modifiers"):
        items = document.get(key)
        for position, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and "remove" in item:
                raise PlanError("remove: true drops a component or modifier of the plan this one extends, but "
                                "this plan extends none", file=label, location=f"{key}[{position}].remove",
                                hint="add extends: <parent plan>, or delete the item instead")


def _resolve(name: str, metrics: dict[str, CustomMetric], resolved: dict[str, Definition], stack: tuple[str, ...],
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
        inner = _resolve(source, metrics, resolved, (*stack, name), label)
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


def _check_metrics(plan: Plan, label: str) -> None:
    """The plan's own metrics: names free, sources known, no cycles; every metric a plan uses exists."""
    resolved = {name: Definition(name=name, base=name) for name in METRICS}
    for name in plan.metrics:
        if name in METRICS:
            raise PlanError(f"'{name}' is a built-in metric; a metric of the plan's own needs another name",
                            file=label, location=f"metrics.{name}", hint=f"e.g. {name}_custom, or use {name} as it is")
        if not re.fullmatch(NAME_PATTERN, name):
            raise PlanError(f"'{name}' is not a metric name: lower case letters, digits and _, starting with a letter",
                            file=label, location=f"metrics.{name}", hint="e.g. csat or nrr_ttm")
    for name in plan.metrics:
        _resolve(name, plan.metrics, resolved, (), label)
    known = [*METRICS, *plan.metrics]

    def check(name: str, where: str, choices=known) -> None:
        if name not in resolved:
            own = "; or define it under metrics: (see docs/plans.md)"
            raise PlanError(f"unknown metric '{name}'" + did_you_mean(name, known) + f"; choose one of "
                            f"{', '.join(choices)}" + own, file=label, location=where,
                            hint="every key of the plan language is described in docs/plans.md, and `cscomp "
                            "schema` lists them")

    for index, component in enumerate(plan.components):
        where = f"components[{index}].metric"
        if isinstance(component, CommissionComponent):
            amounts = [*COMMISSION_METRICS, *(n for n in plan.metrics if resolved[n].amount)]
            check(component.metric, where, amounts)
            if not resolved[component.metric].amount:
                raise PlanError(f"a commission pays a rate on an amount, and '{component.metric}' is not one; "
                                f"use one of {', '.join(amounts)}", file=label, location=where,
                                hint="a metric of the plan's own is an amount when it is built on one of these or has "
                                "aggregate: sum; see docs/plans.md")
        else:
            check(component.metric, where)
    for index, modifier in enumerate(plan.modifiers):
        check(modifier.when.metric, f"modifiers[{index}].when.metric")
    if isinstance(plan.performance, dict):
        if not plan.performance:
            raise PlanError("performance: {} names no metric", file=label, location="performance",
                            hint="e.g. performance: {nrr: 0.7, csat: 0.3}, or one metric: performance: nrr; see "
                            "'Top performers' in docs/plans.md")
        for name in plan.performance:
            check(name, f"performance.{name}")
    else:
        check(plan.performance, "performance")


def _unknown_metric_names(document: dict, label: str) -> list[PlanError]:
    """Metric names in a plan document (not yet validated) that are neither built in nor its own."""
    own = document.get("metrics")
    known = [*METRICS, *(own if isinstance(own, dict) else {})]
    places: list[tuple[str, object]] = []
    for key, item_path in (("components", ("metric",)), ("modifiers", ("when", "metric"))):
        items = document.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            for step in item_path:
                item = item.get(step) if isinstance(item, dict) else None
            places.append((f"{key}[{index}].{'.'.join(item_path)}", item))
    performance = document.get("performance")
    if isinstance(performance, dict):
        places.extend((f"performance.{name}", name) for name in performance)
    else:
        places.append(("performance", performance))
    return [PlanError(f"unknown metric '{name}'" + did_you_mean(name, known) + f"; choose one of {', '.join(known)}",
                      file=label, location=where, hint="define a metric of the plan's own under metrics:; see "
                      "docs/plans.md")
            for where, name in places if isinstance(name, str) and name not in known]


def _check_references(plan: Plan, label: str) -> None:
    """Ids are unique, every applies_to names a component and every metric exists."""
    _check_metrics(plan, label)
    for key, items in (("components", plan.components), ("modifiers", plan.modifiers)):
        ids = [item.id for item in items]
        for i, item_id in enumerate(ids):
            if item_id in ids[:i]:
                raise PlanError(f"id '{item_id}' is used twice; ids must be unique", file=label,
                                location=f"{key}[{i}].id", hint="rename one of them")
    component_ids = [c.id for c in plan.components]
    for i, modifier in enumerate(plan.modifiers):
        if modifier.applies_to == "all":
            continue
        for target in modifier.applies_to:
            if target not in component_ids:
                raise PlanError(f"'{target}' is not a component" + did_you_mean(target, component_ids),
                                file=label, location=f"modifiers[{i}].applies_to",
                                hint=f"components are: {', '.join(component_ids)}; or write applies_to: all")


def plan_json_schema() -> dict:
    """The JSON Schema of the plan language."""
    schema = _percent_strings_allowed(Plan.model_json_schema())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cscomp plan"
    return schema


_NUMBER_KEYS = ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _percent_strings_allowed(node: Any) -> Any:
    """Wherever the schema takes a number it also takes a percentage string, as cscomp does."""
    if isinstance(node, list):
        return [_percent_strings_allowed(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _percent_strings_allowed(value) for key, value in node.items()}
    if node.get("type") == "number" and "anyOf" not in node:
        number = {key: node.pop(key) for key in _NUMBER_KEYS if key in node}
        node["anyOf"] = [number, {"type": "string", "pattern": PERCENT_PATTERN,
                                  "description": 'a percentage, e.g. "92%" for 0.92'}]
    return node


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML would silently keep the last one), nesting
    deeper than MAX_PLAN_DEPTH (aliases included) and numbers too long to be plan numbers."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0
        self.heights: dict[int, int] = {}  # id(node) → levels from it down to its deepest value

    def compose_node(self, parent, index):
        mark = self.peek_event().start_mark
        self.depth += 1
        try:
            if self.depth > MAX_PLAN_DEPTH:
                raise _too_deep(mark)
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        children = (node.value if isinstance(node, yaml.SequenceNode) else
                    [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else [])
        # An alias returns a node composed earlier: it is as deep here as it was there.
        height = self.heights[id(node)] = 1 + max((self.heights.get(id(c), 1) for c in children), default=0)
        if self.depth + height > MAX_PLAN_DEPTH:
            raise _too_deep(mark)
        return node

    def construct_number(self, node):
        if len(node.value) > MAX_NUMBER_CHARACTERS:
            raise PlanError(f"a number written with {len(node.value):,} characters is too large for a plan (plan "
                            f"numbers are at most {MAX_PLAN_NUMBER:,.0f} in size)",
                            location=f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}",
                            hint="check for a typo or a missing decimal point")
        constructor = yaml.SafeLoader.yaml_constructors[node.tag]
        return constructor(self, node)

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) or key is None:
                if key in seen:
                    mark = key_node.start_mark
                    raise PlanError(
                        f"key '{key}' appears twice in one mapping (first on line {seen[key].line + 1})",
                        location=f"line {mark.line + 1}, column {mark.column + 1}",
                        hint="remove one of them; YAML would otherwise silently keep only the last",
                    )
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def _too_deep(mark) -> PlanError:
    return PlanError(f"nested more than {MAX_PLAN_DEPTH} levels deep",
                     location=f"line {mark.line + 1}, column {mark.column + 1}",
                     hint="a plan needs only a few levels (a component, its curve, a point); check the brackets "
                     "and indentation around this line")


for _tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
    _StrictLoader.add_constructor(_tag, _StrictLoader.construct_number)

# YAML 1.1 (PyYAML) reads 1e5 as the string "1e5"; people writing a plan mean the number, as YAML 1.2 does.
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def _check_numbers(node: Any, label: str, path: tuple = ()) -> None:
    """Every number in a plan is finite and at most MAX_PLAN_NUMBER in size.

    No real plan needs more, and a stray 1e308 or .inf would otherwise overflow the integer cents
    every payout is summed in.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            _check_numbers(value, label, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_numbers(value, label, (*path, index))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        # Compare ints as ints: 10**400 is too large for a float, let alone for a plan.
        if (isinstance(node, float) and not math.isfinite(node)) or abs(node) > MAX_PLAN_NUMBER:
            raise PlanError(f"{shortened(repr(node))} is not a usable number (plan numbers are finite and at most "
                            f"{MAX_PLAN_NUMBER:,.0f} in size)", file=label, location=_key_path(path),
                            hint="check for a typo or a missing decimal point")


def _load_yaml(text: str, label: str) -> Any:
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:
        # The reader refuses control characters before any parsing: say where the byte is.
        before = text[:exc.position]
        where = f"line {before.count(chr(10)) + 1}, column {exc.position - before.rfind(chr(10))}"
        raise PlanError(f"contains a character YAML does not allow (U+{exc.character:04X})", file=label,
                        location=where, hint="remove the character; save the plan as plain UTF-8 text") from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise PlanError("plan is empty", file=label, hint="start from one of the files in plans/")
        if _expanded_size(node, {}) > MAX_PLAN_NODES:
            raise PlanError("plan expands to too many values (a YAML alias bomb?)", file=label,
                            hint="a plan needs only a few hundred values; remove the nested aliases")
        return loader.construct_document(node)
    except PlanError as exc:
        exc.file = label
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanError(f"YAML syntax error: {problem}", file=label, location=where,
                        hint=_yaml_hint(exc, text)) from None
    finally:
        loader.dispose()


def _yaml_hint(exc: yaml.YAMLError, text: str) -> str:
    """What a YAML parser error usually means in a hand-written plan, naming the line to look at.

    PyYAML's words ("expected <block end>, but found '?'") describe its parser, not the file; nearly
    always the cause is one line indented differently from its neighbours.
    """
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return "check indentation and that every ':' is followed by a space"
    problem = getattr(exc, "problem", None) or ""
    lines = text.splitlines()
    line = mark.line + 1
    context = getattr(exc, "context_mark", None)

    def indent(number: int) -> int | None:
        if not 1 <= number <= len(lines):
            return None
        content = lines[number - 1]
        return len(content) - len(content.lstrip(" "))

    def above(number: int) -> int | None:
        """The nearest line above ``number`` with content (blank and comment lines do not count)."""
        for candidate in range(number - 1, 0, -1):
            stripped = lines[candidate - 1].strip()
            if stripped and not stripped.startswith("#"):
                return candidate
        return None

    same_column = ("keys of one mapping, and the '- ' items of one list, must start in the same column; "
                   "indent with spaces")
    if "'\\t'" in problem:  # PyYAML quotes the tab as '\t'
        return f"line {line} is indented with a tab: YAML indents with spaces only, so replace the tab with spaces"
    previous = above(line)
    if problem.startswith("expected <block end>"):
        if previous is not None and indent(previous) is not None and indent(line) != indent(previous):
            return (f"line {line} starts in column {indent(line) + 1} but line {previous} above it in column "
                    f"{indent(previous) + 1}: {same_column}")
        return f"check the indentation of line {line} and the lines above it: {same_column}"
    if problem.startswith("mapping values are not allowed"):
        if previous is not None and (indent(line) or 0) > (indent(previous) or 0):
            return (f"line {line} is indented further than line {previous}, so YAML reads it as the rest of line "
                    f"{previous}'s value; indent it like line {previous}")
        return (f"line {line} has a second ':' inside one value; put the value in quotes, e.g. name: \"FY27: NRR\", "
                "or check its indentation")
    if problem.startswith("could not find expected ':'") and context is not None:
        start = context.line + 1
        return (f"line {start} has no ':' after its key (write key: value, with a space after the colon), or line "
                f"{line} is not indented like the lines above it")
    if problem.startswith("expected ','") and context is not None:
        return (f"the list or mapping opened on line {context.line + 1} is not closed where YAML expected: check its "
                "brackets and commas")
    return f"check the indentation of line {line} and that every ':' is followed by a space"


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Values the node becomes once every alias is expanded (shared nodes counted each time)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_PLAN_NODES + 1  # a recursive alias counts as too large
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(v, memo) for v in node.value)
    else:
        size = 1
    memo[key] = min(size, MAX_PLAN_NODES + 1)
    return memo[key]


_COMPONENT_TAGS = {"curve", "commission"}
_TARGET_TAGS = {"number", "quotas", "by_segment", "pct"}
_UNION_LABEL = re.compile(r"^(constrained-\w+|function-\w+\[.*|literal\[.*|list\[.*|dict\[.*|tuple\[.*"
                          r"|float|int|str|bool)$")
_FIELD_NAMES = sorted(
    {name.rstrip("_") for model in (Plan, CurveComponent, CommissionComponent, Tier, Condition, Modifier, PayMix, Credit,
                        BySegment, PctOfStartArr, SegmentWeights, Band, RowFilter, CustomMetric)
     for name, info in model.model_fields.items()} | {"in", "from"}
)


def _key_path(loc: tuple) -> str:
    """components[0].curve from pydantic's loc, without its union-branch labels."""
    parts: list[str] = []
    previous = None
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif _is_branch_label(item, previous):
            pass
        else:
            parts.append(("." if parts else "") + str(item))
        previous = item
    return "".join(parts) or "(top level)"


def _is_branch_label(item, previous) -> bool:
    # Tagged unions add the tag after the list index (components[0] -> 'curve') or after 'target';
    # plain unions add a type label such as 'constrained-float' or "literal['all']".
    if item in _COMPONENT_TAGS and isinstance(previous, int):
        return True
    if item in _TARGET_TAGS and previous == "target":
        return True
    return bool(_UNION_LABEL.match(str(item))) or item == "SegmentWeights"


def _plan_error(exc: ValidationError, label: str) -> PlanError:
    problems = []
    for err in _without_other_branches(exc.errors()):
        loc = tuple(err["loc"])
        kind = err["type"]
        reworded = _reworded(loc, kind, err.get("input"))
        if reworded is not None:
            problems.append((_key_path(loc), reworded))
        elif kind == "extra_forbidden":
            key = loc[-1]
            problems.append((_key_path(loc[:-1]) if len(loc) > 1 else "(top level)",
                             f"unknown key '{key}'" + did_you_mean(key, _FIELD_NAMES)))
        elif kind == "missing":
            problems.append((_key_path(loc), f"missing required key '{loc[-1]}'"))
        elif kind == "target" and isinstance(err.get("input"), str):
            given = err["input"]
            problems.append((_key_path(loc), f"'{given}' is not a target" + did_you_mean(given, ["quotas"])
                             + "; " + err["msg"]))
        elif kind == "component":
            given = err.get("input", {}).get("kind") if isinstance(err.get("input"), dict) else None
            problems.append((_key_path(loc) + (".kind" if given is not None else ""),
                             (f"unknown kind '{given}'; " if given is not None else "") + err["msg"]))
        else:
            message = err["msg"].removeprefix("Value error, ")
            given = err.get("input")
            if kind.endswith("_type") or kind.startswith(("literal", "greater", "less")):
                message += f" (got {given!r})" if not isinstance(given, (dict, list)) else ""
            if kind in ("float_type", "float_parsing") and isinstance(given, str):
                message += '; write a number such as 0.92, or a percentage such as "92%"'
            problems.append((_key_path(loc), message))
    # A misspelt key is one problem, not two: drop "missing required key 'metric'" when the same
    # mapping has "unknown key 'metirc' (did you mean 'metric'?)".
    typos = {(where, match[1]) for where, message in problems
             if (match := re.search(r"^unknown key .*\(did you mean '(.+)'\?\)$", message))}
    problems = [(where, message) for where, message in problems
                if not (message.startswith("missing required key")
                        and (_parent_path(where), where.rpartition(".")[2]) in typos)]
    # An unknown key usually explains the "missing" one next to it (a typo), so it goes first;
    # otherwise the most specific (longest) path reads best.
    problems.sort(key=lambda p: (not p[1].startswith("unknown"), -p[0].count(".") - p[0].count("[")))
    # A value that fits no branch of a union (a number or a map) is one problem, not one per branch.
    first_per_path = {}
    for where, message in problems:
        first_per_path.setdefault(where, message)
    where, message = problems[0]
    more = len(first_per_path) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''} in the plan)"
    also = [PlanError(text, file=label, location=path, hint=_hint_for(path))
            for path, text in list(first_per_path.items())[1:]]
    return PlanError(message, file=label, location=where, hint=_hint_for(where), also=also)


def _without_other_branches(errors: list[dict]) -> list[dict]:
    """Drop "should be a number" at weight: {by: segment, values: {SMB: -1}}: the value has the map's shape,
    so the problem is inside the map (the deeper error), not that it is no number."""
    paths = [_key_path(tuple(err["loc"])) for err in errors]
    # A rule of the map itself ({by: segment, values: {}}) is found at the map's own path.
    own_rule = {path for err, path in zip(errors, paths) if not err["type"].endswith("_type")}
    return [err for err, path in zip(errors, paths)
            if not (err["type"].endswith("_type") and isinstance(err.get("input"), (dict, list))
                    and (path in own_rule or any(other.startswith((path + ".", path + "[")) for other in paths)))]


def _reworded(loc: tuple, kind: str, given: Any) -> str | None:
    """A plain-words message for the mistakes pydantic would describe in its own terms, or None."""
    keys = [item for item in loc if isinstance(item, str) and not _UNION_LABEL.match(item)
            and item != "SegmentWeights"]
    last = keys[-1] if keys else None
    in_metrics = bool(keys) and keys[0] == "metrics"
    if in_metrics and len(loc) == 1 and kind == "dict_type":
        return ("metrics: maps each metric's name to its definition, e.g. metrics: {csat: {column: csat, "
                "aggregate: mean}}")
    if in_metrics and len(loc) == 2 and kind == "model_type":
        return (f"metric '{loc[1]}' has no definition" if given is None else f"metric '{loc[1]}' is not a mapping") + (
            ": give column: and aggregate: (e.g. {column: csat, aggregate: mean}), or from: with filter: or window: "
            "(e.g. {from: nrr, window: 4})")
    if in_metrics and last == "column" and kind == "string_too_short":
        return "column: is empty; name a column of the accounts data, e.g. column: csat"
    if in_metrics and last == "window" and kind.startswith(("int_", "greater_than", "less_than", "bool")):
        quoted = "; write it without quotes" if isinstance(given, str) else ""
        return f"window is a whole number of quarters from 1 to {MAX_WINDOW} (got {given!r}){quoted}"
    if in_metrics and last == "filter" and kind in ("list_type", "too_short"):
        if kind == "too_short":
            return "filter: [] has no condition; list at least one, or remove filter:"
        return ("filter is a list of conditions, each a mapping: filter: [{column: churn_reason, not_in: [acquired]}] "
                "(or one '- column: …' line per condition)")
    if in_metrics and "filter" in keys and len(loc) == 4 and kind == "model_type":
        return "a filter condition is a mapping such as {column: churn_reason, not_in: [acquired, bankrupt]}"
    if in_metrics and last in ("in", "not_in") and kind == "list_type":
        return f"{last} takes a list of values: write {last}: [{given}]" if not isinstance(given, dict) else (
            f"{last} takes a list of values, e.g. {last}: [product_gap, acquired]")
    if in_metrics and last in ("in", "not_in") and kind == "too_short":
        effect = "no row would pass" if last == "in" else "it excludes nothing"
        return f"{last}: [] lists no value, so {effect}; list the values, or remove the condition"
    if in_metrics and last == "equals" and kind.endswith("_type") and isinstance(given, (list, dict)):
        return "equals takes one value (text, a number or yes/no); for several values write in: [a, b]"
    if keys == ["performance"] and kind in ("string_type", "dict_type") and not isinstance(given, (str, dict)):
        return ("performance is one metric (performance: nrr) or a map of metrics to weights (performance: "
                "{nrr: 0.7, csat: 0.3})" + (f" (got {given!r})" if not isinstance(given, list) else ""))
    return None


def _parent_path(where: str) -> str:
    """components[0].target.pct_of_start_arr -> components[0].target (the mapping holding the key)."""
    parent, dot, _ = where.rpartition(".")
    return parent if dot else "(top level)"


def _hint_for(where: str) -> str:
    if where.startswith("metrics"):
        return "metrics of the plan's own are described under 'Metrics of your own' in docs/plans.md"
    if where.startswith("performance"):
        return "performance is described under 'Top performers' in docs/plans.md"
    if re.search(r"\.weight\b", where):
        return ("weight is a number (0.6, or 60%) or {by: segment, values: {Enterprise: 0.5, SMB: 0.2}, default: 0}; "
                "see 'Weights by segment' in docs/plans.md")
    if "curve" in where:
        return "a curve is a list of [x, payout] points, x strictly increasing, e.g. [[0.9, 0], [1.0, 1], [1.1, 1.5]]"
    if "tiers" in where:
        return "tiers look like [{up_to: 1.0, rate: 0.04}, {rate: 0.06}]"
    if "target" in where:
        return ("target is a number (1.0, or 100%), quotas, {by: segment, values: {...}, default: ...} or "
                "{pct_of_start_arr: 0.05}")
    if where == "currency":
        return "currency is for display only (nothing is converted); see currency in docs/plans.md"
    return "every key of the plan language is described in docs/plans.md, and `cscomp schema` lists them"
