"""A plan's components (SPEC 3.2, 3.3): a curve paid on attainment of a target, or a commission paid at a
rate (flat or tiered) on an amount; both may be limited to some quarters.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from cscomp_cli.core.quarters import parse_quarter
from cscomp_cli.plan.targets import SegmentWeights, Target
from cscomp_cli.plan.vocabulary import (
    PAYOUT_ROUNDING,
    CommissionMetric,
    Metric,
    NonNegative,
    Positive,
    QuarterLabel,
    Scope,
    StrictModel,
)


def canonical_quarters(value: list[str] | None) -> tuple[str, ...] | None:
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


class _Component(StrictModel):
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
            return canonical_quarters(value)
        return value

    @model_validator(mode="after")
    def _risk_adjust_needs_target(self):
        if self.risk_adjust is not None and self.target is None:
            raise ValueError("risk_adjust adjusts the target, so this component needs a target")
        return self

    def active_in(self, quarter: str) -> bool:
        return self.quarters is None or quarter in self.quarters


class CurveComponent(_Component):
    """Pays TV × weight × f(x) × modifiers, rounded as PAYOUT_ROUNDING says."""

    model_config = ConfigDict(json_schema_extra={"description": f"Pays TV × weight × f(x) × modifiers, "
                                                                f"{PAYOUT_ROUNDING}."})

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


class Tier(StrictModel):
    up_to: Positive | None = Field(None, description="the tier's upper bound: a fraction of the target when the "
                                   "component has one, else an amount; the last tier has none", examples=[1.0])
    rate: NonNegative = Field(description="the rate paid on the part of the amount in this tier", examples=[0.04, "4%"])


class Clawback(StrictModel):
    """The commission paid on an account's expansion comes back when the account churns soon after."""

    within: Annotated[int, Field(ge=1, le=8)] = Field(description="how many calendar quarters back a churn reaches: "
                                                      "commission paid on the account in the quarters before the "
                                                      "churn, up to this many, is clawed back (1–8)", examples=[2])
    share: Annotated[float, Field(ge=0, le=1)] = Field(1.0, description="the share of that commission clawed back "
                                                       "(0–1; 1 = all of it)", examples=[1.0, 0.5, "50%"])


class CommissionComponent(_Component):
    """Pays a rate (or tiers of rates) on an amount metric, not scaled by TV, rounded as PAYOUT_ROUNDING says."""

    model_config = ConfigDict(json_schema_extra={"description": "Pays a rate (or tiers of rates) on an amount "
                                                                "metric, not scaled by TV: min(commission, cap) × "
                                                                f"modifiers, {PAYOUT_ROUNDING}."})

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
    clawback: Clawback | None = Field(default=None, description="take back the commission paid on an account's "
                                      "expansion when the account churns within a few quarters (scope csm; "
                                      "expansion_arr, cross_sell_arr or gross_expansion)",
                                      examples=[{"within": 2, "share": 1.0}])

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
