"""Guardrails for scheduled runs: limits a leader sets on a result; a breach exits 1.

Each guardrail has one definition, here, used by every command that offers it (stress-test and
compare judge a replay's summary, simulate each of its runs), and every breach line names the figure
it judged and that figure's value, so a leader never has to guess what was measured:

- --budget: the proposed variable pay plus the change in base a pay_mix makes (variable pay alone
  without a pay_mix), over the replayed quarters or, in simulate, over the quarters simulated in
  each run. Netting the base change keeps a budget meaningful when a pay mix moves money between
  base and variable: judged on variable pay alone, moving 10 % of OTE into variable would breach
  although the company pays less; judged on total cash, any variable budget would always breach.
- --max-increase / --max-decrease: the proposed pay's change against actual, in per cent: variable
  pay, or total cash (base + variable) when the plan moves base (what the CSMs really take home).
- --protect-top: a top performer is paid less than actual (on the same figure as above).
- --min-correlation: the proposed pay-performance correlation (SPEC section 4).
- --max-overrun-probability (simulate): the share of runs whose --budget figure is above --budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cscomp_cli.analyses.stress_test import document_summary
from cscomp_cli.core.errors import UsageError
from cscomp_cli.core.rounding import cents_to_amount, round_half_away

_HINTS = {
    "max_increase": "a percentage, e.g. --max-increase 5 for 5 %; leave the option out to set no limit",
    "max_decrease": "a percentage, e.g. --max-decrease 5 for 5 %; leave the option out to set no limit",
    "min_correlation": "a correlation between -1 and 1, e.g. --min-correlation 0.3",
    "budget": "an amount in the plan's currency, e.g. --budget 1200000; leave the option out to set no limit",
    "max_overrun_probability": "a share of runs between 0 and 1, e.g. --max-overrun-probability 0.1",
}
VARIABLE = "proposed variable pay"
NET_OF_BASE = "proposed variable pay net of the change in base"
CASH = "total cash (base + variable)"


@dataclass(frozen=True)
class Guardrails:
    """The limits asked for on the command line; None means not checked."""

    max_increase: float | None = None  # percent, proposed against actual
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


# --- --budget: the one figure, for a replay's total and for every simulated run ----------------------

def budget_figure(variable, base_change):
    """What --budget judges: the proposed variable pay plus the change in base the plan makes (0
    without a pay_mix). Scalars, or an array of simulated runs with the (certain) base change."""
    return variable + base_change


def over_budget(figure, budget: float):
    """Whether a --budget figure (or each of an array of them) is above the budget, once in cents."""
    return round_half_away(figure, 2) > budget


def budget_figure_name(base_change: float) -> str:
    """The words a breach line or a report uses for the figure --budget judged."""
    return NET_OF_BASE if base_change else VARIABLE


def _budget_parts(variable: float, base_change: float) -> str:
    """How the net figure is made up, shown beside it when base moves."""
    return f"variable {variable:,.2f}, base {base_change:+,.2f}" if base_change else ""


# --- stress-test and compare --------------------------------------------------------------------------

def base_change(summary: dict) -> float:
    """How much the plan changes total base over the period (0 without a pay_mix)."""
    if "proposed_cash_total" not in summary:
        return 0.0
    change = ((summary["proposed_cash_total"] - summary["proposed_total"])
              - (summary["actual_cash_total"] - summary["actual_total"]))
    return round(change, 2) + 0.0


def check_comparison(comparison, rules: Guardrails, label: str = "") -> list[str]:
    """Breaches of a replay against actual (a Comparison of engine/versus_actual.py), one line each,
    prefixed with the plan's label in compare."""
    summary = document_summary(comparison)
    top_less = summary["top_performers_paid_less"]
    by_csm = comparison.csms.set_index("csm_id")["cash_delta_cents"]
    deltas = {csm: float(cents_to_amount(int(by_csm[csm]))) for csm in top_less}
    return check_summary(summary, rules, label, base_moves=bool(comparison.summary.get("base_moves")),
                         top_deltas=deltas)


def check_summary(summary: dict, rules: Guardrails, label: str = "", *, base_moves: bool | None = None,
                  top_deltas: dict[str, float] | None = None) -> list[str]:
    """Breaches of a stress-test summary (SPEC section 4 document's summary), one line each.

    base_moves (default: the summary's base totals differ) decides whether pay is judged as total
    cash; top_deltas, each top performer's delta, lets the --protect-top line say by how much.
    """
    prefix = f"{label}: " if label else ""
    breaches = []
    moved = base_change(summary)
    cash = bool(moved) if base_moves is None else base_moves
    if cash:
        what, pct = f"proposed {CASH}", summary["cash_delta_pct"]
        proposed, actual = summary["proposed_cash_total"], summary["actual_cash_total"]
    else:
        what, pct = VARIABLE, summary["delta_pct"]
        proposed, actual = summary["proposed_total"], summary["actual_total"]
    if rules.max_increase is not None and pct is not None and pct > rules.max_increase:
        breaches.append(f"{prefix}max-increase: {what} {proposed:,.2f} is {pct:.2f} % above actual {actual:,.2f}, "
                        f"more than the {rules.max_increase:g} % allowed")
    if rules.max_decrease is not None and pct is not None and -pct > rules.max_decrease:
        breaches.append(f"{prefix}max-decrease: {what} {proposed:,.2f} is {-pct:.2f} % below actual {actual:,.2f}, "
                        f"more than the {rules.max_decrease:g} % allowed")
    if rules.protect_top and summary["top_performers_paid_less"]:
        names = summary["top_performers_paid_less"]
        shown = ", ".join(f"{c} ({top_deltas[c]:+,.2f})" if top_deltas and c in top_deltas else c for c in names)
        noun = "top performer" if len(names) == 1 else "top performers"
        breaches.append(f"{prefix}protect-top: {len(names)} {noun} paid less than actual in "
                        f"{CASH if cash else 'variable pay'}: {shown}")
    if rules.min_correlation is not None:
        rho = summary["pay_performance_correlation"]["proposed"]
        if rho is None:
            breaches.append(f"{prefix}min-correlation: proposed pay-performance correlation undefined (fewer than 3 "
                            f"CSMs to rank, or no spread in pay or performance), so not at least the minimum "
                            f"{rules.min_correlation:+.2f}")
        elif rho < rules.min_correlation:
            breaches.append(f"{prefix}min-correlation: proposed pay-performance correlation {rho:+.2f} is below the "
                            f"minimum {rules.min_correlation:+.2f}")
    if rules.budget is not None and rules.max_overrun_probability is None:
        figure = round(budget_figure(summary["proposed_total"], moved), 2)
        if over_budget(figure, rules.budget):
            parts = _budget_parts(summary["proposed_total"], moved)
            breaches.append(f"{prefix}budget: {budget_figure_name(moved)} {figure:,.2f}"
                            f"{f' ({parts})' if parts else ''} is above the budget {rules.budget:,.2f} "
                            f"(by {figure - rules.budget:,.2f})")
    return breaches


# --- simulate -----------------------------------------------------------------------------------------

def simulation_base_change(document: dict) -> float:
    """The change in base over the quarters simulated (a simulation document's "base"; 0 without one)."""
    base = document.get("base")
    return float(base["delta"]) if base else 0.0


def check_simulation(result: dict, rules: Guardrails) -> list[str]:
    """Breaches of a simulation: the share of runs whose --budget figure is above the budget, when
    that share is above --max-overrun-probability."""
    probability = result.get("probability_over_budget")
    if rules.max_overrun_probability is None or probability is None:
        return []
    if probability <= rules.max_overrun_probability:
        return []
    moved = simulation_base_change(result)
    variable = result["total"]["p50"]
    median = round(budget_figure(variable, moved), 2)
    parts = _budget_parts(variable, moved)
    return [f"max-overrun-probability: in {probability * 100:.1f} % of runs the {budget_figure_name(moved)} was "
            f"above the budget {rules.budget:,.2f} (median {median:,.2f}{f': {parts}' if parts else ''}), "
            f"more than the {rules.max_overrun_probability * 100:g} % allowed"]
