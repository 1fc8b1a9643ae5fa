"""Plan values that replay fine but are almost certainly a unit mistake (SPEC 5.2).

`variable_pct: 0.2` (meant 20 %), `target: 90` on grr (meant 0.9), a curve paying 150 × the target
variable (meant 1.5): each validates and gives confidently wrong numbers. These checks name the
value, say what it means as written and what was probably meant. One function, used by `validate`
and by every replay, so every command warns alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from cscomp_cli.plan.components import CommissionComponent, CurveComponent
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.targets import BySegment, SegmentWeights

RATIO_METRICS = ("nrr", "grr", "logo_retention", "renewal_rate")  # and the plan's own built on them, or shares
RATIO_LIMIT = 5  # a ratio or an attainment above 5 is 500 %: nobody targets that
FRACTION_LIMIT = 10  # a curve paying 10 × the target variable
CAP_LIMIT = 10
CREDIT_LIMIT = 5  # credit is a share of the revenue (0.25 = 25 %)
RATE_LIMIT = 1  # a commission above 100 % of the amount it is paid on
RAMP_FLOOR_LIMIT = 2  # a new CSM paid at least twice their target variable, whatever they do
GUARANTEE_LIMIT = 1.5  # everybody paid at least 150 % of what they were paid: no transition needs that


@dataclass(frozen=True)
class PlanWarning:
    """One implausible value: where it is in the plan and what was probably meant."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"plan {self.location}: {self.message}"


def plan_warnings(plan: Plan) -> list[PlanWarning]:
    """Every value in ``plan`` that is probably written in the wrong unit, in plan order."""
    found: list[PlanWarning] = []
    mix = plan.pay_mix
    if mix is not None:
        shares = mix.variable_pct if isinstance(mix.variable_pct, dict) else {None: mix.variable_pct}
        for segment, pct in shares.items():
            if 0 < pct <= 1:
                where = "pay_mix.variable_pct" + (f".{segment}" if segment is not None else "")
                # 1 would mean 100 %, which no pay mix allows: say what the unit is instead.
                meant = f"did you mean {as_written(pct * 100)}?" if pct < 1 else "it is a percentage (30 means 30 %)"
                found.append(PlanWarning(where, f"variable_pct {pct:g} means {pct:g} % of OTE; {meant}"))
    for name in ("expansion", "cross_sell"):
        share = getattr(plan.credit, name)
        if share > CREDIT_LIMIT:
            found.append(PlanWarning(f"credit.{name}", f"credit {share:g} counts {share:g} × the {name} ARR; "
                                     f"credit is a share, did you mean {as_written(share / 100)}?"))
    if plan.cap is not None and plan.cap > CAP_LIMIT:
        found.append(PlanWarning("cap", f"cap {plan.cap:g} allows {plan.cap:g} × the target variable "
                                 f"({as_written(plan.cap * 100)} %); did you mean {as_written(plan.cap / 100)}?"))
    found.extend(_period_and_floor_warnings(plan))
    definitions = plan.definitions
    for index, component in enumerate(plan.components):
        where = f"components[{index}]"
        if isinstance(component, CurveComponent):
            ratio = _ratio(definitions, component.metric)
            found.extend(_curve_warnings(component, where, _what(definitions, component.metric) if ratio else None))
            found.extend(_weight_warnings(component, where))
        else:
            found.extend(_commission_warnings(component, where))
    for index, modifier in enumerate(plan.modifiers):
        when = modifier.when
        if _ratio(definitions, when.metric):
            for key in ("below", "at_least"):
                value = getattr(when, key)
                if value is not None and value > RATIO_LIMIT:
                    found.append(PlanWarning(f"modifiers[{index}].when.{key}", _ratio_message(
                        f"{key} {value:g}", value, _what(definitions, when.metric))))
    return found


def _period_and_floor_warnings(plan: Plan) -> list[PlanWarning]:
    """Measurement periods, floors and clawbacks (SPEC 6.4–6.6) written so that they cannot mean what they say."""
    found = []
    if plan.period == "quarter":
        # Every quarter is its own period's last: all the pay earned is paid in it, nothing is held back.
        for key in ("advance", "recover"):
            if key in plan.model_fields_set:
                value = getattr(plan, key)
                written = as_written(value) if key == "advance" else str(value).lower()
                found.append(PlanWarning(key, f"{key} {written} has no effect with period: quarter (every "
                                         "quarter is its period's last, so what is earned is paid in it); add "
                                         f"period: year (or half), or remove {key}"))
    if plan.ramp is not None and plan.ramp.floor > RAMP_FLOOR_LIMIT:
        floor = plan.ramp.floor
        found.append(PlanWarning("ramp.floor", f"ramp.floor {as_written(floor)} pays a new CSM at least "
                                 f"{as_written(floor)} × the target variable ({as_written(floor * 100)} %); did you "
                                 f"mean {as_written(floor / 100)} (or \"{as_written(floor)}%\")?"))
    if plan.guarantee is not None:
        floor = plan.guarantee.floor
        if floor == 0:
            found.append(PlanWarning("guarantee.floor", "guarantee.floor 0 protects nothing: nobody is paid less than "
                                     "0 × what they were actually paid anyway; give the share it protects (0.9 = "
                                     "90 %), or remove guarantee:"))
        elif floor > GUARANTEE_LIMIT:
            found.append(PlanWarning("guarantee.floor", f"guarantee.floor {as_written(floor)} pays everybody at least "
                                     f"{as_written(floor * 100)} % of what they were actually paid in those quarters, "
                                     "whatever the plan computes; a transition guarantee protects a share of it "
                                     "(0.9 = 90 %)"))
    for index, component in enumerate(plan.components):
        clawback = getattr(component, "clawback", None)
        if clawback is not None and clawback.share == 0:
            found.append(PlanWarning(f"components[{index}].clawback.share", "share 0 claws back nothing; give the "
                                     "share of the commission to take back (1 = all of it), or remove clawback:"))
    return found


def _ratio(definitions, name: str) -> bool:
    """Whether the metric is a ratio where 1.0 is 100 %: nrr and its kin, or a metric of the plan's own built
    on one of them (a windowed NRR, a filtered GRR) or a share."""
    definition = definitions.get(name)
    return definition.ratio if definition is not None else name in RATIO_METRICS


def _what(definitions, name: str) -> str:
    definition = definitions.get(name)
    if definition is not None and definition.base == "column":
        return f"{name} (a share of the rows: 1.0 is 100 %)"
    return f"{name} (a ratio: 1.0 is 100 %)"


def _weight_warnings(component: CurveComponent, where: str) -> list[PlanWarning]:
    """Weights by segment written in percent of 100 (70 meant 70 %): each above 1 pays more than the whole TV."""
    if not isinstance(component.weight, SegmentWeights):
        return []  # a plain weight is checked with its peers: weights of 60 and 40 are refused outright
    weights = [(f"{where}.weight.values.{segment}", value) for segment, value in component.weight.values.items()]
    if component.weight.default is not None:
        weights.append((f"{where}.weight.default", component.weight.default))
    return [PlanWarning(place, f"weight {as_written(value)} pays {as_written(value)} × the target variable through "
                        f"this component alone; weights are fractions, did you mean {as_written(value / 100)} "
                        f"(or \"{as_written(value)}%\")?")
            for place, value in weights if value > 1]


def _curve_warnings(component: CurveComponent, where: str, ratio: str | None) -> list[PlanWarning]:
    """``ratio`` says what the metric is when it is a ratio (1.0 is 100 %), else None."""
    found = []
    if ratio and component.measure == "attainment":
        for place, value in target_numbers(component.target, f"{where}.target"):
            if value > RATIO_LIMIT:
                found.append(PlanWarning(place, _ratio_message(f"target {value:g}", value, ratio)))
    # One warning per curve, with the whole curve as probably meant: a curve written in percent has
    # every point in percent, so the axis that looks like percent is divided by 100 throughout.
    xs = [x for x, _ in component.curve]
    ys = [y for _, y in component.curve]
    x_percent = (component.measure == "attainment" or ratio) and max(xs) > RATIO_LIMIT
    y_percent = max(ys) > FRACTION_LIMIT
    if x_percent or y_percent:
        what = ("attainment (1 is 100 % of target)" if component.measure == "attainment"
                else (ratio or "").replace("1.0 is", "1 is"))  # the curve's x reads like its points: 1, 1.1
        problems = []
        if x_percent:
            problems.append(f"x is {what}, so {as_written(max(xs))} means {as_written(max(xs) * 100)} %")
        if y_percent:
            problems.append(f"the payout is a multiple of the target variable (1 is 100 %), so {as_written(max(ys))} "
                            f"pays {as_written(max(ys))} × it")
        meant = [[x / 100 if x_percent else x, y / 100 if y_percent else y] for x, y in component.curve]
        found.append(PlanWarning(f"{where}.curve", f"curve {curve_as_written(component.curve)}: "
                                 f"{'; '.join(problems)}; did you mean {curve_as_written(meant)}?"))
    return found


def _commission_warnings(component: CommissionComponent, where: str) -> list[PlanWarning]:
    found = []
    for i, tier in enumerate(component.schedule):
        place = f"{where}.rate" if component.tiers is None else f"{where}.tiers[{i}].rate"
        if tier.rate > RATE_LIMIT:
            found.append(PlanWarning(place, f"rate {tier.rate:g} pays {as_written(tier.rate * 100)} % of the amount; "
                                     f"did you mean {as_written(tier.rate / 100)}?"))
        # With a target, tier bounds are fractions of it: an attainment in all but name.
        if component.target is not None and tier.up_to is not None and tier.up_to > RATIO_LIMIT:
            found.append(PlanWarning(f"{where}.tiers[{i}].up_to", _ratio_message(
                f"up_to {tier.up_to:g}", tier.up_to, "a fraction of the target (1.0 is 100 % of target)")))
    return found


def target_numbers(target, where: str) -> list[tuple[str, float]]:
    """Each number a target states, with its key path: the number itself, or a by-segment map's values."""
    if isinstance(target, bool) or target is None:
        return []
    if isinstance(target, (int, float)):
        return [(where, float(target))]
    if isinstance(target, BySegment):
        numbers = [(f"{where}.values.{segment}", value) for segment, value in target.values.items()]
        if target.default is not None:
            numbers.append((f"{where}.default", target.default))
        return numbers
    return []


def _ratio_message(written: str, value: float, what: str) -> str:
    return (f"{written} on {what} means {as_written(value * 100)} %; did you mean {as_written(value / 100)} "
            f"(or \"{as_written(value)}%\")?")


def curve_as_written(points) -> str:
    """A curve as the plan writes it: [[0.9, 0], [1, 1]]."""
    return "[" + ", ".join(f"[{as_written(x)}, {as_written(y)}]" for x, y in points) + "]"


def as_written(value: float) -> str:
    """A number as a person writes it: 0.9, 20, 1.5 (no float noise such as 0.9000000000000001)."""
    return f"{round(value, 9):.12g}"
