"""Guardrails for scheduled runs: limits a leader sets on a result; a breach exits 1.

Each check reads only the comparison summary (or a simulation's figures), so the same limits work
for stress-test, compare and simulate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cscomp_cli.core.errors import UsageError

_HINTS = {
    "max_increase": "a percentage, e.g. --max-increase 5 for 5 %; leave the option out to set no limit",
    "max_decrease": "a percentage, e.g. --max-decrease 5 for 5 %; leave the option out to set no limit",
    "min_correlation": "a correlation between -1 and 1, e.g. --min-correlation 0.3",
    "budget": "an amount in the plan's currency, e.g. --budget 1200000; leave the option out to set no limit",
    "max_overrun_probability": "a share of runs between 0 and 1, e.g. --max-overrun-probability 0.1",
}


@dataclass(frozen=True)
class Guardrails:
    """The limits asked for on the command line; None means not checked."""

    max_increase: float | None = None  # percent, total proposed vs actual
    max_decrease: float | None = None  # percent
    protect_top: bool = False
    min_correlation: float | None = None
    budget: float | None = None
    max_overrun_probability: float | None = None  # simulate only

    def __post_init__(self):
        # NaN compares false with everything, so an unchecked --max-decrease nan would never breach.
        for name, hint in _HINTS.items():
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise UsageError(f"--{name.replace('_', '-')} must be a finite number, got {value:g}", hint=hint)
        for name in ("max_increase", "max_decrease"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise UsageError(f"--{name.replace('_', '-')} is a percentage ≥ 0, got {value:g}",
                                 hint=_HINTS[name])
        if self.budget is not None and self.budget < 0:
            raise UsageError(f"--budget is an amount ≥ 0, got {self.budget:g}", hint=_HINTS["budget"])
        if self.min_correlation is not None and not -1 <= self.min_correlation <= 1:
            raise UsageError(f"--min-correlation is between -1 and 1, got {self.min_correlation:g}",
                             hint=_HINTS["min_correlation"])
        if self.max_overrun_probability is not None and not 0 <= self.max_overrun_probability <= 1:
            raise UsageError(f"--max-overrun-probability is between 0 and 1, got {self.max_overrun_probability:g}",
                             hint=_HINTS["max_overrun_probability"])
        if self.max_overrun_probability is not None and self.budget is None:
            raise UsageError("--max-overrun-probability needs --budget", hint="e.g. --budget 1200000")

    @property
    def any(self) -> bool:
        return any(v not in (None, False) for v in self.__dict__.values())


def base_change(summary: dict) -> float:
    """How much the plan changes total base over the period (0 without a pay_mix)."""
    if "proposed_cash_total" not in summary:
        return 0.0
    change = ((summary["proposed_cash_total"] - summary["proposed_total"])
              - (summary["actual_cash_total"] - summary["actual_total"]))
    return round(change, 2) + 0.0


def check_summary(summary: dict, rules: Guardrails, label: str = "") -> list[str]:
    """Breaches of a stress-test summary (SPEC section 4 document's summary), one line each.

    When the plan moves base (a pay_mix), cost limits judge what the org really pays: the change
    in total cash (base + variable) for --max-increase / --max-decrease, and variable pay net of
    the base change for --budget (a variable-pay budget that a lower base frees up, or a higher
    one eats into). The breach line says so. Without a base change nothing differs from before.
    """
    prefix = f"{label}: " if label else ""
    breaches = []
    moved = base_change(summary)
    if moved:
        pct, what = summary["cash_delta_pct"], "total cash (base + variable)"
    else:
        pct, what = summary["delta_pct"], "cost"
    if rules.max_increase is not None and pct is not None and pct > rules.max_increase:
        breaches.append(f"{prefix}{what} rises {pct:+.2f} % against actual, more than --max-increase "
                        f"{rules.max_increase:g} %")
    if rules.max_decrease is not None and pct is not None and -pct > rules.max_decrease:
        breaches.append(f"{prefix}{what} falls {pct:+.2f} % against actual, more than --max-decrease "
                        f"{rules.max_decrease:g} %")
    if rules.protect_top and summary["top_performers_paid_less"]:
        names = ", ".join(summary["top_performers_paid_less"])
        breaches.append(f"{prefix}top performers paid less: {names} (--protect-top)")
    if rules.min_correlation is not None:
        rho = summary["pay_performance_correlation"]["proposed"]
        if rho is None or rho < rules.min_correlation:
            shown = "undefined" if rho is None else f"{rho:+.2f}"
            breaches.append(f"{prefix}pay-performance correlation {shown} is below --min-correlation "
                            f"{rules.min_correlation:+.2f}")
    if rules.budget is not None and rules.max_overrun_probability is None:
        cost = round(summary["proposed_total"] + moved, 2)
        if cost > rules.budget:
            if moved:
                breaches.append(f"{prefix}proposed cost {cost:,.2f} (variable {summary['proposed_total']:,.2f} "
                                f"{'+' if moved > 0 else '-'} {abs(moved):,.2f} change in base) exceeds --budget "
                                f"{rules.budget:,.2f}")
            else:
                breaches.append(f"{prefix}proposed cost {cost:,.2f} exceeds --budget {rules.budget:,.2f}")
    return breaches


def check_simulation(result: dict, rules: Guardrails) -> list[str]:
    """Breaches of a simulation: the chance of overrunning the budget above what was allowed."""
    probability = result.get("probability_over_budget")
    if rules.max_overrun_probability is None or probability is None:
        return []
    if probability > rules.max_overrun_probability:
        return [f"the cost exceeds --budget {rules.budget:,.2f} in {probability:.1%} of runs, more than "
                f"--max-overrun-probability {rules.max_overrun_probability:g}"]
    return []
