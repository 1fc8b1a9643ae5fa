"""What measurement periods, clawbacks and floors allow together (SPEC 6.4–6.6), checked once the plan is read:
a period measures every metric to date, so nothing in it may have a window or quarters of its own, and a
clawback needs a commission on one CSM's own expansion, the only one whose accounts can be followed back.
"""

from __future__ import annotations

from cscomp_cli.core.errors import PlanError
from cscomp_cli.plan.components import CommissionComponent
from cscomp_cli.plan.model import Plan

# The amounts a clawback can follow back to an account's own rows: its expansion, its cross-sell, or both.
CLAWBACK_METRICS = ("expansion_arr", "cross_sell_arr", "gross_expansion")
DOCS = "see 'Annual goals, advances and a true-up' in docs/plans.md"


def check_pay_rules(plan: Plan, label: str) -> None:
    """Refuse what SPEC 6.4–6.5 rule out: windows, quarters: and clawbacks in a period plan; a clawback
    anywhere but a CSM's own expansion commission."""
    for index, component in enumerate(plan.components):
        clawback = isinstance(component, CommissionComponent) and component.clawback is not None
        if clawback:
            where = f"components[{index}].clawback"
            if component.scope != "csm":
                raise PlanError(f"a clawback follows one CSM's own accounts, so it needs scope: csm, not "
                                f"{component.scope}", file=label, location=where,
                                hint="remove scope: (csm is the default) or the clawback; see 'Clawbacks' in "
                                "docs/plans.md")
            if component.metric not in CLAWBACK_METRICS:
                raise PlanError(f"a clawback takes back commission paid on an account's expansion, so the metric must "
                                f"be one of {', '.join(CLAWBACK_METRICS)}, not {component.metric}", file=label,
                                location=where, hint="see 'Clawbacks' in docs/plans.md")
        if plan.period == "quarter":
            continue
        if clawback:
            raise PlanError(f"a clawback cannot be used in a plan with period: {plan.period} (its true-up already "
                            "takes back pay earned early)", file=label, location=f"components[{index}].clawback",
                            hint=f"remove the clawback, or the period; {DOCS}")
        if component.quarters is not None:
            raise PlanError(f"quarters: cannot be used in a plan with period: {plan.period}: every component is "
                            "measured over the period to date", file=label, location=f"components[{index}].quarters",
                            hint=f"remove quarters:, or the period; {DOCS}")
    if plan.period == "quarter":
        return
    for name in plan.metric_names():
        definition = plan.definition(name)
        if definition.window is not None:
            owner = next(m for m in definition.chain if plan.metrics[m].window is not None)
            raise PlanError(f"metric {owner} has a window of its own, which cannot be used in a plan with period: "
                            f"{plan.period} (every metric is already measured over the period to date)", file=label,
                            location=f"metrics.{owner}.window", hint=f"remove the window, or the period; {DOCS}")
