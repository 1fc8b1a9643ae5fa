"""What a plan refers to, checked once it is read: every metric exists (built in or its own), its own
metrics resolve without a cycle, ids are unique and every applies_to names a component.
"""

from __future__ import annotations

import re

from cscomp_cli.core.errors import PlanError
from cscomp_cli.core.text import did_you_mean
from cscomp_cli.plan.components import CommissionComponent
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.own_metrics import Definition, resolve_metric
from cscomp_cli.plan.pay_rules import check_pay_rules
from cscomp_cli.plan.vocabulary import (
    COMMISSION_METRICS,
    METRICS,
    NAME_PATTERN,
)


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
        resolve_metric(name, plan.metrics, resolved, (), label)
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


def unknown_metric_names(document: dict, label: str) -> list[PlanError]:
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


def check_references(plan: Plan, label: str) -> None:
    """Ids are unique, every applies_to names a component and every metric exists."""
    _check_metrics(plan, label)
    check_pay_rules(plan, label)
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
