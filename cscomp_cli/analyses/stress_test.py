"""The stress test's result document (SPEC section 4), built once from a comparison and shared by every
output format; its summary is also what the guardrails judge."""

from __future__ import annotations

import numpy as np

from cscomp_cli.analyses.result import Kind, Result
from cscomp_cli.core.collector import cycles_unchecked
from cscomp_cli.core.rounding import (
    amounts,
    cents_to_amount,
    pct_change,
    plain_number,
    plain_numbers,
    round_half_away,
    to_cents,
)
from cscomp_cli.engine.versus_actual import Comparison, performance_label
from cscomp_cli.plan.components import CurveComponent


def _moneys(values) -> list:
    """Unrounded amounts shown in cents."""
    return amounts(to_cents(values.to_numpy(dtype="float64")))


def _fractions(values) -> list:
    """Fractions and multipliers rounded to 9 places, None where undefined."""
    return plain_numbers(round_half_away(values))


def document_summary(comparison: Comparison) -> dict:
    """The document's "summary" (amounts in currency), which guardrails also check."""
    s = comparison.summary
    return {
        "proposed_total": float(cents_to_amount(s["proposed_total_cents"])),
        "actual_total": float(cents_to_amount(s["actual_total_cents"])),
        "delta": float(cents_to_amount(s["delta_cents"])),
        "delta_pct": plain_number(s["delta_pct"]),
        "proposed_cash_total": float(cents_to_amount(s["proposed_cash_total_cents"])),
        "actual_cash_total": float(cents_to_amount(s["actual_cash_total_cents"])),
        "cash_delta": float(cents_to_amount(s["cash_delta_cents"])),
        "cash_delta_pct": plain_number(s["cash_delta_pct"]),
        "csms": s["csms"],
        "paid_more": s["paid_more"],
        "paid_less": s["paid_less"],
        "top_performers": s["top_performers"],
        "top_performers_paid_less": s["top_performers_paid_less"],
        "pay_performance_correlation": dict(s["pay_performance_correlation"]),
        **floor_totals(comparison.rows),
    }


def floor_totals(rows) -> dict:
    """SPEC 6.6: what the floors cost (ramp_total, guarantee_total), each when the plan has it; the stress
    test's summary, each plan of a comparison and each value of a sweep say it."""
    return {f"{name}_total": float(cents_to_amount(int(rows[f"{name}_adjustment_cents"].sum())))
            for name in ("ramp", "guarantee") if f"{name}_adjustment_cents" in rows}


def pay_rules(plan) -> dict:
    """The plan's SPEC 6.4-6.6 rules as the reports describe them ("75 % advanced each quarter", "90 % of
    what was actually paid"): present only when the plan has a period or a floor, so the plain document
    stays exactly SPEC section 4. A clawback is said on its component's entry."""
    rules = plan.pay_rules()
    return {"pay_rules": rules} if rules else {}


def _clawback(component) -> dict:
    clawback = getattr(component, "clawback", None)
    return {} if clawback is None else {"clawback": {"within": clawback.within, "share": clawback.share}}


# The row figures of SPEC 6.4 and 6.6, each present on every row when the plan has what makes it.
PAY_RULE_FIGURES = ("advance_adjustment", "ramp_adjustment", "guarantee_adjustment")


def pay_rule_figures(rows) -> dict:
    """A period plan's period, earned to date and advance adjustment, and the floors' adjustments, where the
    plan has them, as columns of Python values."""
    figures: dict = {}
    if "period" in rows:
        figures["period"] = _column(rows, "period")
        figures["earned_to_date"] = amounts(rows["earned_to_date_cents"].to_numpy())
    for name in PAY_RULE_FIGURES:
        if f"{name}_cents" in rows:
            figures[name] = amounts(rows[f"{name}_cents"].to_numpy())
    return figures


def _cash(frame) -> dict:
    """Total cash (SPEC 5.1) of the rows or CSM totals that carry base and variable in cents, column by
    column (each a list of Python values)."""
    base, actual_base = frame["base_cents"].to_numpy(), frame["actual_base_cents"].to_numpy()
    proposed_cash = base + frame["proposed_cents"].to_numpy()
    actual_cash = actual_base + frame["actual_cents"].to_numpy()
    return {
        "base": amounts(base),
        "actual_base": amounts(actual_base),
        "proposed_cash": amounts(proposed_cash),
        "actual_cash": amounts(actual_cash),
        "cash_delta": amounts(proposed_cash - actual_cash),
        "cash_delta_pct": _delta_pcts(proposed_cash - actual_cash, actual_cash),
    }


def _column(frame, name: str) -> list:
    return frame[name].tolist()


def _components(rows, components) -> list[dict]:
    """Each row's per-component detail, in plan order, every column converted once for all rows."""
    columns = {}
    for c in components:
        entry = {
            "metric": plain_numbers(rows[f"{c.id}_metric"].to_numpy()),
            "target": plain_numbers(rows[f"{c.id}_target"].to_numpy()),
        }
        if isinstance(c, CurveComponent):
            entry["attainment"] = plain_numbers(rows[f"{c.id}_attainment"].to_numpy())
            entry["fraction"] = _fractions(rows[f"{c.id}_fraction"].to_numpy())
        entry["multiplier"] = _fractions(rows[f"{c.id}_multiplier"].to_numpy())
        entry["payout"] = amounts(rows[f"{c.id}_payout_cents"].to_numpy())
        # SPEC 6.4, 6.5: a period plan's term of the pay earned to date; a clawback's deduction.
        for figure in ("earned_to_date", "clawback"):
            if f"{c.id}_{figure}_cents" in rows:
                entry[figure] = amounts(rows[f"{c.id}_{figure}_cents"].to_numpy())
        entry["active"] = rows[f"{c.id}_active"].to_numpy(dtype=bool).tolist()
        columns[c.id] = _records(entry)
    return _records(columns) if columns else [{} for _ in range(len(rows))]


def _records(columns: dict) -> list[dict]:
    """Columns (name -> list of values, in key order) as one dict per row."""
    keys = list(columns)
    return [dict(zip(keys, values)) for values in zip(*columns.values())]


def build_document(comparison: Comparison, shocks: list | None = None, data: str | None = None) -> dict:
    """The SPEC section 4 JSON document for one comparison (with the shocks applied, if any);
    ``data`` is the folder the history was read from, named in every output."""
    with cycles_unchecked():
        return _build_document(comparison, shocks, data)


def _build_document(comparison: Comparison, shocks: list | None, data: str | None) -> dict:
    plan = comparison.plan
    rows = comparison.rows
    # Whole columns rounded and converted at once: a numpy call per value took seconds on 16 k rows.
    cash = _cash(rows)
    proposed, actual = rows["proposed_cents"].to_numpy(), rows["actual_cents"].to_numpy()
    out_rows = _records({
        "quarter": _column(rows, "quarter"),
        "csm_id": _column(rows, "csm_id"),
        "name": _column(rows, "name"),
        "segment": _column(rows, "segment"),
        "target_variable": _moneys(rows["target_variable"]),
        "base": cash.pop("base"),
        "actual_base": cash.pop("actual_base"),
        "components": _components(rows, plan.components),
        "cap_adjustment": amounts(rows["cap_adjustment_cents"].to_numpy()),
        **pay_rule_figures(rows),
        "proposed": amounts(proposed),
        "actual": amounts(actual),
        "delta": amounts(proposed - actual),
        "delta_pct": _delta_pcts(proposed - actual, actual),
        **cash,
        # SPEC 6.3: the CSM's roster currency that quarter and its rate into the plan's (1 for the plan's).
        "pay_currency": _column(rows, "pay_currency"),
        "fx_rate": plain_numbers(rows["fx_rate"].to_numpy(dtype="float64")),
    })
    csms_frame = comparison.csms
    csms = _records({
        "csm_id": _column(csms_frame, "csm_id"),
        "name": _column(csms_frame, "name"),
        "segment": _column(csms_frame, "segment"),
        "proposed": amounts(csms_frame["proposed_cents"].to_numpy()),
        "actual": amounts(csms_frame["actual_cents"].to_numpy()),
        "delta": amounts(csms_frame["delta_cents"].to_numpy()),
        "delta_pct": plain_numbers(csms_frame["delta_pct"].to_numpy()),
        **_cash(csms_frame),
        "performance": plain_numbers(csms_frame["performance"].to_numpy()),
        "top_performer": csms_frame["top_performer"].to_numpy(dtype=bool).tolist(),
        # Added to SPEC's keys: the period's target variable under the plan and the roster, so a
        # reader can put pay as a % of target (the report's distribution chart does).
        "target_variable": _moneys(csms_frame["target_variable"]),
        "actual_target_variable": _moneys(csms_frame["actual_target_variable"]),
    })
    summary = document_summary(comparison)
    document = {
        "plan": plan.name,
        "currency": plan.currency,
        **({"data": data} if data is not None else {}),
        "quarters": list(comparison.replay.quarters),
        # The last replayed quarter, and the later ones left out for having no payouts yet (SPEC 6.1).
        "through": comparison.replay.through,
        "not_replayed": list(comparison.replay.not_replayed),
        # What every CSM's "performance" is: the plan's one metric, or a combined score (SPEC 5.5).
        "performance_measure": performance_measure(plan),
        # How each component reads its metric, so reports can summarise a curve paid on the value
        # itself (measure: value, a CSAT of 4.2) as that value rather than as an attainment.
        "components": [{"id": c.id, "kind": "curve" if isinstance(c, CurveComponent) else "commission",
                        "metric": c.metric,
                        **({"measure": c.measure} if isinstance(c, CurveComponent) else {}), **_clawback(c)}
                       for c in plan.components],
        **pay_rules(plan),
        "rows": out_rows,
        "csms": csms,
        "summary": summary,
        "warnings": list(comparison.warnings),
    }
    if shocks:
        # Only present when asked for, so the plain document stays exactly SPEC section 4.
        document["shocks"] = {shock.column: shock.pct for shock in shocks}
    return document


def performance_measure(plan) -> dict:
    """The plan's performance measure as the document states it: label, whether a score, metric weights."""
    combined = isinstance(plan.performance, dict)
    # A windowed metric is not pooled over the period: it is each CSM's window at their last quarter.
    window = None if combined else plan.definition(plan.performance).window
    return {"label": performance_label(plan), "combined": combined, "weights": plan.performance_weights,
            **({"window": window} if window is not None else {})}


def _delta_pcts(delta_cents, actual_cents) -> list:
    """delta ÷ |actual| in % (6 places, then 2), None where nothing was actually paid."""
    return plain_numbers(pct_change(delta_cents, np.abs(actual_cents)))


def stress_test_result(comparison: Comparison, shocks: list, *, data: str, plan, source: str) -> Result:
    """The stress test as every format renders it: the document (built on first use: the CSV is written
    straight from the comparison's columns), the comparison itself, and the plan as run for reports."""
    return Result(Kind.stress_test, lambda: build_document(comparison, shocks, data=data), facts=comparison,
                  shocks=list(shocks), plan=plan, source=source)
