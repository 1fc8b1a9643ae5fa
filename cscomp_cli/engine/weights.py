"""Which quarters each component pays in, and each curve component's weight per CSM-quarter: one number, or
their segment's (SPEC 5.4), checked to add up to 1 for every segment in every replayed quarter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import PlanError, report
from cscomp_cli.core.formatting import and_joined
from cscomp_cli.core.quarters import Calendar
from cscomp_cli.inputs.files import ROSTER
from cscomp_cli.plan.components import CurveComponent
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.targets import SegmentWeights

WEIGHT_TOLERANCE = 1e-9


def component_quarters(plan: Plan, calendar: Calendar) -> dict[str, tuple[str, ...] | None]:
    """Each component's ``quarters:`` as the data labels them (under calendar quarters FY2026Q1 is 2026Q1;
    under a fiscal calendar 2027Q1 is FY2027Q1); None for a component paying in every quarter."""
    paying: dict[str, tuple[str, ...] | None] = {}
    for index, component in enumerate(plan.components):
        if component.quarters is None:
            paying[component.id] = None
            continue
        labels = []
        for position, text in enumerate(component.quarters):
            label = calendar.canonical(text)
            if label is None:
                report(PlanError(
                    f"component '{component.id}' pays in {text}, which is not a quarter of the data's calendar "
                    f"({calendar.describe()})",
                    location=f"components[{index}].quarters[{position}]",
                    hint=f"write the quarter like {calendar.examples()}; see docs/plans.md",
                ))
                continue  # only reached while validate collects problems
            labels.append(label)
        paying[component.id] = tuple(labels)
    return paying


def check_weights(plan: Plan, window: list[str], paying: dict[str, tuple[str, ...] | None],
                   rows: pd.DataFrame) -> None:
    """In every replayed quarter the active curve components' weights sum to 1 (SPEC 5.4: for each
    roster segment of the CSMs replayed in it, when weights are given by segment).

    Each distinct problem is reported once with the segments and quarters it affects (not once per
    quarter), and weights written as percentages (60 + 40 = 100) get one error that suggests the fractions.
    """
    curves = plan.curve_components
    if not curves:
        return
    by_segment = any(isinstance(c.weight, SegmentWeights) for c in curves)
    present = _segments_by_quarter(rows) if by_segment else {}
    failing: dict[tuple[tuple[str, float], ...], dict[str | None, list[str]]] = {}  # active weights -> segment -> quarters
    missing: dict[int, list[tuple]] = {}  # component index -> (segment, csm_id, quarter) without a weight
    for quarter in window:
        active = [(i, c) for i, c in enumerate(curves) if paying[c.id] is None or quarter in paying[c.id]]
        # Segment None stands for everybody when no weight depends on the segment.
        for segment, csm_id in present.get(quarter, []) if by_segment else [(None, None)]:
            weights = tuple((c.id, c.weight_for(segment)) for _, c in active)
            unknown = [i for (i, _), (_, w) in zip(active, weights) if w is None]
            for i in unknown:
                missing.setdefault(i, []).append((segment, csm_id, quarter))
            if not unknown and abs(sum(w for _, w in weights) - 1.0) > WEIGHT_TOLERANCE:
                failing.setdefault(weights, {}).setdefault(segment, []).append(quarter)
    for i, cases in missing.items():
        _report_missing_weight(plan, curves[i], cases)
    if not failing:
        return

    def when(quarters: list[str]) -> str:
        if len(quarters) == len(window) > 1:
            return f"in every replayed quarter ({window[0]}–{window[-1]})"
        return f"in {', '.join(quarters)}"

    def where(segments: dict[str | None, list[str]]) -> str:
        """'in 2026Q1' or, by segment, 'in 2026Q1 for segments Mid-Market and SMB'."""
        if None in segments and len(segments) == 1:
            return when(segments[None])
        alike: dict[tuple[str, ...], list[str]] = {}
        for segment, quarters in segments.items():
            alike.setdefault(tuple(quarters), []).append("no segment" if segment is None else segment)
        return " and ".join(f"{when(list(quarters))} for segment{'s' if len(names) > 1 else ''} {and_joined(names)}"
                            for quarters, names in alike.items())

    def listed(weights: tuple[tuple[str, float], ...]) -> str:
        return " + ".join(f"{i} {w:.12g}" for i, w in weights) or "no curve component"

    in_percent = {a: s for a, s in failing.items() if a and abs(sum(w for _, w in a) - 100) <= 1e-6}
    if in_percent:
        sums = "; ".join(f"{where(s)}: {listed(a)}" for a, s in in_percent.items())
        meant = "; ".join(" / ".join(f"{w / 100:.12g}" for _, w in a) for a in in_percent)
        ids = [c.id for c in curves if any(c.id in dict(a) for a in in_percent)]
        first = next(iter(in_percent))[0][1]
        report(PlanError(
            f"the curve components' weights sum to 100, not 1 ({sums}): weights are fractions of the "
            f"target variable; did you mean {meant}?",
            location="components",
            hint="write each weight as a fraction (" + ", ".join(_as_fraction(c) for c in curves if c.id in ids)
            + f"), or as a percentage string such as weight: \"{first:.12g}%\"",
        ))
    for weights, segments in failing.items():
        if weights in in_percent:
            continue
        total = sum(w for _, w in weights)
        report(PlanError(
            f"{where(segments)} the active curve components' weights sum to {total:.12g} ({listed(weights)}), not 1",
            location="components",
            hint="adjust the weights (or the floating components' quarters lists) so that the active weights sum to 1 in every quarter"
            + (" for every segment" if by_segment else ""),
        ))


def _segments_by_quarter(rows: pd.DataFrame) -> dict[str, list[tuple[str | None, str]]]:
    """The roster segments replayed in each quarter, each with its first CSM (for messages)."""
    first = rows[["quarter", "segment", "csm_id"]].drop_duplicates(["quarter", "segment"], keep="first")
    present: dict[str, list[tuple[str | None, str]]] = {}
    for quarter, segment, csm_id in first.itertuples(index=False):
        present.setdefault(quarter, []).append((segment if isinstance(segment, str) else None, csm_id))
    return {q: sorted(s, key=lambda p: (p[0] is None, p[0] or "")) for q, s in present.items()}


def _report_missing_weight(plan: Plan, component: CurveComponent, cases: list[tuple]) -> None:
    """A replayed CSM whose segment the weights by segment neither list nor cover with a default."""
    index = plan.components.index(component)
    segment, csm_id, quarter = cases[0]
    others = list(dict.fromkeys(s for s, _, _ in cases[1:] if s != segment))
    named = f"segment '{segment}'" if segment is not None else "a CSM without a roster segment"
    more = f" (nor for {and_joined([repr(s) if s is not None else 'no segment' for s in others])})" if others else ""
    report(PlanError(
        f"component '{component.id}' has no weight for {named} (CSM {csm_id} in {quarter}) and no default{more}",
        location=f"components[{index}].weight.values",
        hint=(f"add '{segment}: <weight>' to the values" if segment is not None else f"fill {csm_id}'s segment in {ROSTER}")
        + ", or give the weight a default: entry (default: 0 when it pays only the segments listed); see docs/plans.md",
    ))


def _as_fraction(component: CurveComponent) -> str:
    """A curve component's weight as the fractions a plan written in percent meant."""
    weight = component.weight
    if not isinstance(weight, SegmentWeights):
        return f"{component.id}: weight: {weight / 100:.12g}"
    values = ", ".join(f"{segment}: {value / 100:.12g}" for segment, value in weight.values.items())
    default = f", default: {weight.default / 100:.12g}" if weight.default is not None else ""
    return f"{component.id}: weight: {{by: segment, values: {{{values}}}{default}}}"


def component_weights(component: CurveComponent, rows: pd.DataFrame) -> np.ndarray:
    """Each CSM-quarter's weight of a curve component: one number, or their roster segment's (SPEC 5.4)."""
    spec = component.weight
    if not isinstance(spec, SegmentWeights):
        return np.full(len(rows), float(spec))
    weight = rows["segment"].map(spec.values).to_numpy(dtype="float64")
    if spec.default is not None:
        weight = np.where(np.isnan(weight), spec.default, weight)
    # A segment with no weight was reported by check_weights; validate carries on paying it nothing.
    return np.nan_to_num(weight)
