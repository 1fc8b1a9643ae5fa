"""The plan (SPEC section 3): its components, modifiers, pay mix, credit rules and metrics of its own,
as typed, frozen models.

Validation is strict on purpose: unknown keys, wrong types and impossible curves are refused. Reading
a plan file is plan/loading.py; the words of its errors are plan/wording.py; the JSON Schema served by
`cscomp schema` comes from these same models (plan/schema.py), so editors and cscomp agree.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from cscomp_cli.plan.components import Component, CurveComponent, canonical_quarters
from cscomp_cli.plan.own_metrics import CustomMetric, Definition, resolve_metric
from cscomp_cli.plan.vocabulary import (
    CURRENCY,
    METRICS,
    NAME_PATTERN,
    PAYOUT_ROUNDING,
    Metric,
    NonNegative,
    Positive,
    QuarterLabel,
    Scope,
    StrictModel,
)


class Condition(StrictModel):
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


class Modifier(StrictModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="the modifier's name, unique among modifiers",
                    examples=["nps_gate"])
    when: Condition = Field(description="the condition on a metric that switches the modifier on",
                            examples=[{"metric": "nps", "below": 20}])
    multiply: NonNegative = Field(description="the factor the payouts it applies to are multiplied by",
                                  examples=[0.5, "50%"])
    applies_to: Literal["all"] | list[str] = Field("all", description="the component ids it multiplies, or all",
                                                   examples=[["expansion"], "all"])


class PayMix(StrictModel):
    variable_pct: Annotated[float, Field(ge=0, lt=100)] | dict[str, Annotated[float, Field(ge=0, lt=100)]] = Field(
        description="variable pay as a percentage of OTE (30 = 30 %), for everybody or per roster segment",
        examples=[30, "30%", {"Enterprise": 30, "SMB": 20}])
    hold: Literal["ote", "base"] = Field("ote", description="ote: OTE stays, base moves; base: base stays, OTE moves",
                                         examples=["ote", "base"])


class Credit(StrictModel):
    expansion: NonNegative = Field(1.0, description="the share of expansion ARR credited to the CSM",
                                   examples=[1.0, "100%"])
    cross_sell: NonNegative = Field(1.0, description="the share of cross-sell ARR credited to the CSM (0.25: "
                                    "Sales keeps 75 %)", examples=[0.25, "25%"])


class Ramp(StrictModel):
    """A new CSM's first quarters, paid at least a floor while their book is still forming."""

    quarters: Annotated[int, Field(ge=1, le=8)] = Field(description="the quarter holding the CSM's start_date and "
                                                        "the next ones, this many in all (1–8)", examples=[2])
    floor: Positive = Field(1.0, description="paid at least floor × target variable in those quarters (1 = 100 %)",
                            examples=[1.0, "100%"])


class Guarantee(StrictModel):
    """Transition protection while a new plan rolls out: nobody is paid less than a share of what they were
    actually paid."""

    floor: Annotated[float, Field(ge=0, le=2)] = Field(description="paid at least floor × what was actually paid "
                                                       "that quarter (0–2; 0.9 = 90 %)", examples=[0.9, "90%"])
    quarters: Annotated[int, Field(ge=1, le=40)] | tuple[QuarterLabel, ...] = Field(
        description="the first N quarters of the replay (1–40), or a list of quarter labels",
        examples=[2, ["2026Q1", "2026Q2"]])

    @field_validator("quarters", mode="before")
    @classmethod
    def _parse_quarters(cls, value):
        if isinstance(value, list):
            if not value:
                raise ValueError("quarters: [] names no quarter; give a number (the first N replayed quarters) "
                                 "or quarter labels such as [2026Q1, 2026Q2]")
            return canonical_quarters(value)
        return value


class Plan(StrictModel):
    """A compensation plan to replay."""

    extends: str | None = Field(default=None, description="a plan file (relative to this one) whose keys this "
                                "plan overrides; components and modifiers merge by id, remove: true drops one",
                                examples=["current.yaml"])
    name: str = Field(min_length=1, description="the plan's name, shown on every report",
                      examples=["FY27 proposal — NRR focus"])
    currency: str = Field("USD", description="the currency every amount of the data is in and every output "
                          "reports in (nothing is converted: a code in the data that is not this one is an error): "
                          "a three-letter code (ISO 4217) or a symbol of at most 3 characters",
                          examples=["USD", "EUR", "€"])
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
                                 f"variable each quarter (2 = 200 %), that limit {PAYOUT_ROUNDING}",
                                 examples=[2.0, "200%"])
    components: list[Component] = Field(min_length=1, description="what is paid for: curve and commission "
                                        "components", examples=[[{"id": "retention", "metric": "nrr", "weight": 1,
                                                                  "target": 1.0,
                                                                  "curve": [[0.9, 0], [1.0, 1.0], [1.1, 1.5]]}]])
    modifiers: list[Modifier] = Field([], description="multipliers switched on by a condition on a metric",
                                      examples=[[{"id": "nps_gate", "when": {"metric": "nps", "below": 20},
                                                  "multiply": 0.5, "applies_to": ["retention"]}]])
    period: Literal["quarter", "half", "year"] = Field(
        "quarter", description="how long a goal is measured over: quarter (the default), half or year; with half or "
        "year every metric and target is to date over the period's quarters and paid quarterly as an advance, "
        "with a true-up in its last quarter", examples=["year", "half"])
    advance: Annotated[float, Field(ge=0, le=1)] = Field(
        1.0, description="the share of the pay earned to date that is paid before the period's last quarter (0–1; "
        "0.75 = 75 %); the rest waits for the true-up", examples=[0.75, "75%"])
    recover: bool = Field(True, description="true: a true-up below what was advanced is taken back (a negative "
                          "payout); false: it is forgiven (0)", examples=[True, False])
    ramp: Ramp | None = Field(None, description="a floor for new CSMs: at least floor × target variable in the "
                              "quarter of their start_date and the next ones", examples=[{"quarters": 2, "floor": 1.0}])
    guarantee: Guarantee | None = Field(None, description="transition protection: at least floor × what was actually "
                                        "paid, in the replay's first quarters (or the quarters listed)",
                                        examples=[{"floor": 0.9, "quarters": 2}])

    @field_validator("currency")
    @classmethod
    def _check_currency(cls, currency: str) -> str:
        # Shown beside every amount in every format: markup or a control character here would
        # reach a browser, a spreadsheet or the terminal as code, not as a currency.
        if not CURRENCY.fullmatch(currency):
            raise ValueError(f"'{currency}' is not a currency code or symbol: write a three-letter "
                             "ISO 4217 code such as USD or EUR, or a symbol of at most 3 characters such as €")
        return currency

    def pay_rules(self) -> dict:
        """The measurement period and the floors as plain values, only those the plan has (a quarterly plan
        without floors: {}), for the documents that say which rules a replay ran under."""
        rules: dict = {}
        if self.period != "quarter":
            rules.update(period=self.period, advance=self.advance, recover=self.recover)
        if self.ramp is not None:
            rules["ramp"] = {"quarters": self.ramp.quarters, "floor": self.ramp.floor}
        if self.guarantee is not None:
            quarters = self.guarantee.quarters
            rules["guarantee"] = {"floor": self.guarantee.floor,
                                  "quarters": quarters if isinstance(quarters, int) else list(quarters)}
        return rules

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
            resolved[name] = resolve_metric(name, self.metrics, resolved, (), "<plan>")
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
