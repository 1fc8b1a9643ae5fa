"""The JSON document of SPEC section 4, built once and shared by the json, csv and table renderers."""

from __future__ import annotations

import math


from ..versus_actual import Comparison, performance_label
from ..numbers import cents_to_amount, plain_number, round_half_away, to_cents
from ..plan import CurveComponent


def _money(value) -> float:
    """An unrounded amount shown in cents."""
    return float(cents_to_amount(to_cents(value)))


def _fraction(value) -> float | None:
    return plain_number(round_half_away(value)) if value is not None and not math.isnan(value) else None


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
    }


def _cash(record: dict) -> dict:
    """Total cash (SPEC 5.1) of a row or a CSM total that carries base and variable in cents."""
    proposed_cash = record["base_cents"] + record["proposed_cents"]
    actual_cash = record["actual_base_cents"] + record["actual_cents"]
    return {
        "base": float(cents_to_amount(record["base_cents"])),
        "actual_base": float(cents_to_amount(record["actual_base_cents"])),
        "proposed_cash": float(cents_to_amount(proposed_cash)),
        "actual_cash": float(cents_to_amount(actual_cash)),
        "cash_delta": float(cents_to_amount(proposed_cash - actual_cash)),
        "cash_delta_pct": _delta_pct(proposed_cash - actual_cash, actual_cash),
    }


def build_document(comparison: Comparison, shocks: list | None = None, data: str | None = None) -> dict:
    """The SPEC section 4 JSON document for one comparison (with the shocks applied, if any);
    ``data`` is the folder the history was read from, named in every output."""
    plan = comparison.plan
    rows = comparison.rows
    components = plan.components
    records = rows.to_dict("records")
    out_rows = []
    for row in records:
        detail = {}
        for c in components:
            entry = {
                "metric": plain_number(row[f"{c.id}_metric"]),
                "target": plain_number(row[f"{c.id}_target"]),
            }
            if isinstance(c, CurveComponent):
                entry["attainment"] = plain_number(row[f"{c.id}_attainment"])
                entry["fraction"] = _fraction(row[f"{c.id}_fraction"])
            entry["multiplier"] = _fraction(row[f"{c.id}_multiplier"])
            entry["payout"] = float(cents_to_amount(row[f"{c.id}_payout_cents"]))
            entry["active"] = bool(row[f"{c.id}_active"])
            detail[c.id] = entry
        cash = _cash(row)
        out_rows.append({
            "quarter": row["quarter"],
            "csm_id": row["csm_id"],
            "name": row["name"],
            "segment": row["segment"],
            "target_variable": _money(row["target_variable"]),
            "base": cash.pop("base"),
            "actual_base": cash.pop("actual_base"),
            "components": detail,
            "cap_adjustment": float(cents_to_amount(row["cap_adjustment_cents"])),
            "proposed": float(cents_to_amount(row["proposed_cents"])),
            "actual": float(cents_to_amount(row["actual_cents"])),
            "delta": float(cents_to_amount(row["proposed_cents"] - row["actual_cents"])),
            "delta_pct": _delta_pct(row["proposed_cents"] - row["actual_cents"], row["actual_cents"]),
            **cash,
        })
    csms = [
        {
            "csm_id": r["csm_id"],
            "name": r["name"],
            "segment": r["segment"],
            "proposed": float(cents_to_amount(r["proposed_cents"])),
            "actual": float(cents_to_amount(r["actual_cents"])),
            "delta": float(cents_to_amount(r["delta_cents"])),
            "delta_pct": plain_number(r["delta_pct"]),
            **_cash(r),
            "performance": plain_number(r["performance"]),
            "top_performer": bool(r["top_performer"]),
            # Added to SPEC's keys: the period's target variable under the plan and the roster, so a
            # reader can put pay as a % of target (the report's distribution chart does).
            "target_variable": _money(r["target_variable"]),
            "actual_target_variable": _money(r["actual_target_variable"]),
        }
        for r in comparison.csms.to_dict("records")
    ]
    summary = document_summary(comparison)
    document = {
        "plan": plan.name,
        "currency": plan.currency,
        **({"data": data} if data is not None else {}),
        "quarters": list(comparison.replay.quarters),
        # What every CSM's "performance" is: the plan's one metric, or a combined score (SPEC 5.5).
        "performance_measure": performance_measure(plan),
        # How each component reads its metric, so reports can summarise a curve paid on the value
        # itself (measure: value, a CSAT of 4.2) as that value rather than as an attainment.
        "components": [{"id": c.id, "kind": "curve" if isinstance(c, CurveComponent) else "commission",
                        "metric": c.metric,
                        **({"measure": c.measure} if isinstance(c, CurveComponent) else {})}
                       for c in plan.components],
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


def shock_labels(document: dict) -> str:
    """'churn=+25%, expansion=-30%' for a document replayed under shocks, else ''."""
    return ", ".join(f"{column}={pct:+g}%" for column, pct in document.get("shocks", {}).items())


def _delta_pct(delta_cents: int, actual_cents: int) -> float | None:
    if actual_cents == 0:
        return None
    return float(round_half_away(round_half_away(delta_cents * 100.0 / abs(actual_cents), 6), 2))



