"""One component's payout per CSM-quarter (SPEC 3.2-3.4): its metric, target and attainment, the curve's
fraction or the commission's tiers, the modifiers that apply, rounded to the cent, and refused when no plan means it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, PlanError, report
from cscomp_cli.core.quarters import quarter_ordinals
from cscomp_cli.core.rounding import round_half_away, to_cents
from cscomp_cli.engine.books import BookMetrics
from cscomp_cli.engine.curves import commission, curve_fraction
from cscomp_cli.engine.weights import component_weights
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import QUOTAS
from cscomp_cli.plan.components import CommissionComponent, CurveComponent
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.own_metrics import ToDate
from cscomp_cli.plan.targets import BySegment, PctOfStartArr

# No component pays a trillion to one CSM in a quarter; integer cents overflow not far beyond.
MAX_PAYOUT = 1e12


@dataclass(frozen=True)
class ToDateShare:
    """How far each row is into its measurement period (SPEC 6.4): |D| of |P| quarters, for targets and caps
    earned evenly through the period."""

    quarters: np.ndarray  # |D| per row
    period: int  # |P|


def modifier_multipliers(plan: Plan, books: BookMetrics) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """The product of every modifier that applies, per component, and which modifiers applied."""
    n = len(books.rows)
    product = {c.id: np.ones(n) for c in plan.components}
    fired: dict[str, np.ndarray] = {}
    for index, modifier in enumerate(plan.modifiers):
        when = modifier.when
        value = books.value(when.metric, when.scope, f"modifiers[{index}].when.scope")
        holds = ~np.isnan(value)
        if when.below is not None:
            holds &= value < when.below
        if when.at_least is not None:
            holds &= value >= when.at_least
        factor = np.where(holds, modifier.multiply, 1.0)
        for component_id in plan.multiplier_targets(modifier):
            product[component_id] = product[component_id] * factor
        fired[f"{modifier.id}_value"] = value
        fired[f"{modifier.id}_applies"] = holds
    return product, pd.DataFrame(fired, index=books.rows.index)


def _target(index, component, books: BookMetrics, rows, dataset: Dataset, active: np.ndarray,
            to_date: ToDateShare | None = None) -> np.ndarray:
    """The component's target per CSM–quarter (NaN where none is configured), rounded to 9 places; in a
    period plan (``to_date``) the target to date."""
    where = f"components[{index}].target"
    n = len(rows)
    spec = component.target
    if spec is None:
        return np.full(n, np.nan)
    if isinstance(spec, (int, float)):
        target = np.full(n, float(spec))
    elif isinstance(spec, BySegment):
        target = rows["segment"].map(spec.values).to_numpy(dtype="float64")
        if spec.default is not None:
            target = np.where(np.isnan(target), spec.default, target)
        missing = np.isnan(target) & active
        if missing.any():
            first = rows[missing].iloc[0]
            report(PlanError(
                f"no target for segment '{first.segment}' (CSM {first.csm_id} in {first.quarter}) and no default",
                location=f"{where}.values",
                hint=f"add '{first.segment}: <target>' to the values, or give the target a default: entry",
            ))
    elif isinstance(spec, PctOfStartArr):
        start = books.value("start_arr", component.scope, f"components[{index}].scope")
        if to_date is None:
            target = round_half_away(start * spec.pct_of_start_arr)
        else:  # the period's target, earned evenly: × |D| ÷ |P|
            target = round_half_away(start * spec.pct_of_start_arr * to_date.quarters / to_date.period)
    else:  # quotas
        target = _quota_targets(component, rows, dataset, active, where)
        if to_date is not None:
            target = _summed_to_date(rows, target, to_date)
    if component.risk_adjust is not None:
        scope_where = f"components[{index}].scope"
        own = books.risk(component.scope, scope_where)
        company = books.risk("company", scope_where)
        shift = component.risk_adjust * (own - company)
        target = np.where(np.isnan(shift), target, target + np.nan_to_num(shift))
    return round_half_away(target)


def _quota_targets(component, rows, dataset: Dataset, active: np.ndarray, where: str) -> np.ndarray:
    quotas = dataset.quotas
    if quotas is None:
        report(PlanError(
            f"component '{component.id}' has target: quotas but the data folder has no {dataset.called(QUOTAS)}",
            location=where,
            hint=f"add {dataset.called(QUOTAS)} with columns quarter, csm_id, component, target",
        ))
        return np.full(len(rows), np.nan)
    mine = quotas[quotas["component"] == component.id].set_index(["quarter", "csm_id"])["target"]
    keys = pd.MultiIndex.from_frame(rows[["quarter", "csm_id"]])
    target = mine.reindex(keys).to_numpy(dtype="float64")
    missing = np.isnan(target) & active
    if missing.any():
        first = rows[missing].iloc[0]
        count = int(missing.sum())
        report(DataError(
            f"no quota for CSM {first.csm_id}, quarter {first.quarter}, component {component.id}"
            + (f" ({count - 1} more CSM-quarters missing)" if count > 1 else ""),
            file=dataset.path(QUOTAS),
            hint=f"add a row '{first.quarter},{first.csm_id},{component.id},<target>' to {dataset.called(QUOTAS)}",
        ))
    return target


def _summed_to_date(rows: pd.DataFrame, quota: np.ndarray, to_date: ToDateShare) -> np.ndarray:
    """Each row's quotas summed over its period to date: the CSM's rows of the same period up to it (a quota
    is required in each quarter of the period in which the CSM is replayed, so these are all of them)."""
    ordinal = quarter_ordinals(rows["quarter"].astype(object))
    period = ToDate(to_date.period).first(ordinal)
    group = pd.factorize(pd.MultiIndex.from_arrays([rows["csm_id"].astype(object), period]))[0]
    return pd.Series(np.nan_to_num(quota)).groupby(group, sort=False).cumsum().to_numpy()


def paid_once(shared: dict | None, index, component, plan, books: BookMetrics, rows, dataset, multiplier,
               warnings: list[str], quarters: tuple[str, ...] | None, to_date: ToDateShare | None = None,
               reported: np.ndarray | None = None) -> dict:
    """_pay_component, reused across a sweep's replays for a component whose inputs did not change:
    a sweep moves one setting, so most components pay exactly as they did for the previous value.

    ``to_date``: a period plan's share of the period per row; ``reported``: the rows that are reported (the
    others are quarters before the replay, computed but never warned about)."""
    if shared is None:
        return _pay_component(index, component, plan, books, rows, dataset, multiplier, warnings, quarters,
                              to_date, reported)
    definition = repr(plan.definition(component.metric)) if component.metric in plan.metrics else ""
    digest = hashlib.blake2b(rows["target_variable"].to_numpy(dtype="float64").tobytes()
                             + np.asarray(multiplier, dtype="float64").tobytes(), digest_size=16).digest()
    key = ("component", index, repr(component), definition, (plan.credit.expansion, plan.credit.cross_sell),
           quarters, digest, None if to_date is None else to_date.period, len(rows))
    paid = shared.setdefault("components", {})
    if key not in paid:
        said: list[str] = []
        paid[key] = (_pay_component(index, component, plan, books, rows, dataset, multiplier, said, quarters,
                                    to_date, reported), said)
    columns, said = paid[key]
    warnings.extend(said)
    return columns


def _pay_component(index, component, plan, books: BookMetrics, rows, dataset, multiplier, warnings,
                   quarters: tuple[str, ...] | None, to_date: ToDateShare | None = None,
                   reported: np.ndarray | None = None) -> dict:
    """Every output column of one component (paying in ``quarters``, in the data's labels), with its payout in
    cents; in a period plan (``to_date``) its term of the pay earned to date."""
    n = len(rows)
    active = rows["quarter"].isin(quarters).to_numpy() if component.quarters else np.ones(n, dtype=bool)
    value = books.value(component.metric, component.scope, f"components[{index}].scope")
    target = _target(index, component, books, rows, dataset, active, to_date)
    columns = {"active": active, "metric": value, "target": target, "multiplier": multiplier}

    if isinstance(component, CurveComponent):
        if component.measure == "attainment":
            with np.errstate(divide="ignore", invalid="ignore"):
                attainment = round_half_away(np.where(target > 0, value / np.where(target > 0, target, 1.0), np.nan))
            x = attainment
        else:
            attainment = np.full(n, np.nan)
            x = value
        fraction = curve_fraction(x, component.curve, interpolate=component.interpolate, uncapped=component.uncapped)
        undefined = np.isnan(fraction)
        fraction = np.where(undefined, 1.0 if component.on_missing == "target" else 0.0, fraction)
        weight = component_weights(component, rows)
        # A CSM whose segment weighs 0 is paid nothing either way: no warning about how they would be.
        uses = undefined & active & (weight != 0) & (True if reported is None else reported)
        if uses.any():
            what = "attainment" if component.measure == "attainment" else component.metric
            examples = [f"{q} {c}" for q, c in zip(rows["quarter"][uses], rows["csm_id"][uses])]
            paid_as = "target (f = 1.0)" if component.on_missing == "target" else "zero"
            warnings.append(
                f"component {component.id}: {what} undefined for {len(examples)} CSM-quarter(s), paid as "
                f"{paid_as} (on_missing: {component.on_missing}): " + ", ".join(examples[:10])
                + (" …" if len(examples) > 10 else "")
            )
        payout = rows["target_variable"].to_numpy() * weight * fraction * multiplier
        columns.update(attainment=attainment, fraction=np.where(active, fraction, 0.0))
    else:
        assert isinstance(component, CommissionComponent)
        earned = commission(np.nan_to_num(value), tier_bounds(component, target), [t.rate for t in component.schedule],
                            tiering=component.tiering, allow_negative=component.allow_negative)
        # A period plan's commission cap grows with the quarters to date (cap × |D|).
        cap = None if component.cap is None else component.cap * (1 if to_date is None else to_date.quarters)
        capped = earned if cap is None else np.minimum(earned, cap)
        payout = capped * multiplier
        columns.update(attainment=np.full(n, np.nan), fraction=np.full(n, np.nan), commission=earned)
    payout = _plausible(payout, active, rows, index, component.id)
    columns["unrounded"] = np.where(active, payout, 0.0)
    columns["payout_cents"] = np.where(active, to_cents(payout), 0)
    return columns


def _plausible(payout: np.ndarray, active: np.ndarray, rows: pd.DataFrame, index: int, component_id: str):
    """Refuse a payout no plan means (it would also overflow integer cents); 0 where validate carries on."""
    absurd = active & ~(np.abs(payout) <= MAX_PAYOUT)  # NaN counts as absurd too
    if absurd.any():
        first = rows[absurd].iloc[0]
        report(PlanError(
            f"component '{component_id}' would pay {payout[absurd][0]:,.0f} to {first.csm_id} in {first.quarter} "
            f"(more than {MAX_PAYOUT:,.0f} in one quarter)",
            location=f"components[{index}]",
            hint="check the plan's rates, curve points, uncapped slope, multipliers and pay_mix",
        ))
        payout = np.where(absurd, 0.0, payout)
    return payout


def tier_bounds(component: CommissionComponent, target: np.ndarray) -> np.ndarray:
    """Tier bounds in currency per CSM–quarter: up_to amounts, or fractions of the target (rounded to 9 places)."""
    up_to = np.array([t.up_to for t in component.schedule[:-1]], dtype="float64")
    if component.target is None:
        # Bounds in currency are rounded to 9 places like every other currency figure.
        return np.broadcast_to(round_half_away(up_to), (len(target), len(up_to)))
    positive_target = np.where(target > 0, target, 0.0)  # a target ≤ 0 (or undefined) makes every bound 0
    return round_half_away(np.nan_to_num(positive_target)[:, None] * up_to[None, :])
