"""`cscomp compare`: several plans replayed on the same history, side by side against actuals."""

from __future__ import annotations

from collections import Counter

import numpy as np

from cscomp_cli.analyses.shocks import shocks_applied
from cscomp_cli.core.rounding import cents_to_amount, round_half_away
from cscomp_cli.engine.paid_quarters import quarter_notes, select_quarters
from cscomp_cli.engine.replay import replay
from cscomp_cli.engine.versus_actual import (
    Comparison,
    compare_with_actual,
    performance_label,
)
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import PAYOUTS
from cscomp_cli.plan.model import Plan


def _amount(cents) -> float:
    return float(cents_to_amount(int(cents)))


def labels_for(paths: list[str]) -> list[str]:
    """Short column labels from plan file names (nrr_focus), made unique when two share a name."""
    stems = [str(path).rsplit("/", 1)[-1].removesuffix(".yaml").removesuffix(".yml") for path in paths]
    seen: Counter = Counter()
    totals = Counter(stems)
    labels = []
    for stem in stems:
        seen[stem] += 1
        labels.append(stem if totals[stem] == 1 else f"{stem}_{seen[stem]}")
    return labels


def compare_plans(plans: list[tuple[str, Plan]], dataset: Dataset, quarters: int,
                  data: str | None = None, shocks: list | None = None,
                  through: str | None = None) -> tuple[dict, list[Comparison]]:
    """The side-by-side document and each plan's comparison (for guardrails).

    Every plan carries its total cash (base + variable, SPEC 5.1) and whether it moves base; paid
    more / less and top performers paid less are judged on total cash."""
    window = select_quarters(dataset, quarters, through)
    notes = quarter_notes(dataset, window)
    # One dataset, one window: who is replayed and every book's statistics are worked out once for all
    # the plans (each plan's own metric values and payouts are keyed by what they depend on).
    cache: dict = {}
    comparisons = [compare_with_actual(replay(plan, dataset, window=window, cache=cache)) for _, plan in plans]
    accounts = dataset.accounts[dataset.accounts["quarter"].isin(window)]
    base = accounts[accounts["arr_start"] > 0]
    # The ARR the team kept, averaged over the quarters: cost over the period per dollar of book kept.
    kept = (base["arr_start"] - base["contraction"] - base["churn"]).groupby(base["quarter"]).sum()
    retained = float(round_half_away(kept.sum() / len(window), 2))

    first = comparisons[0]
    actual_cents = int(first.summary["actual_total_cents"])
    segments = sorted(set().union(*(set(c.rows["segment"]) for c in comparisons)))
    actual_by_segment = first.rows.groupby("segment")["actual_cents"].sum()
    columns = []
    for (label, plan), comparison in zip(plans, comparisons):
        s = comparison.summary
        by_segment = comparison.rows.groupby("segment")["proposed_cents"].sum()
        columns.append({
            "label": label,
            "plan": plan.name,
            "proposed_total": _amount(s["proposed_total_cents"]),
            "delta": _amount(s["delta_cents"]),
            "delta_pct": _finite(s["delta_pct"]),
            "moves_base": s["base_moves"],
            "base_total": _amount(s["proposed_cash_total_cents"] - s["proposed_total_cents"]),
            "proposed_cash_total": _amount(s["proposed_cash_total_cents"]),
            "cash_delta": _amount(s["cash_delta_cents"]),
            "cash_delta_pct": _finite(s["cash_delta_pct"]),
            "cost_by_segment": {seg: _amount(by_segment.get(seg, 0)) for seg in segments},
            "paid_more": s["paid_more"],
            "paid_less": s["paid_less"],
            # Plans may rank CSMs differently: each says on what (SPEC 5.5).
            "performance_measure": performance_label(plan),
            "top_performers": s["top_performers"],
            "top_performers_paid_less": s["top_performers_paid_less"],
            "pay_performance_correlation": s["pay_performance_correlation"]["proposed"],
            "cost_pct_of_retained_arr": _share(s["proposed_total_cents"], retained),
            # SPEC 6.6: what a plan's floors cost, as its stress test's summary says (only when it has them).
            **{f"{name}_total": _amount(comparison.rows[f"{name}_adjustment_cents"].sum())
               for name in ("ramp", "guarantee") if f"{name}_adjustment_cents" in comparison.rows},
        })
    matrix = first.csms[["csm_id", "name", "segment", "actual_cents", "actual_cash_cents"]].copy()
    for (label, _), comparison in zip(plans, comparisons):
        by_csm = comparison.csms.set_index("csm_id")
        matrix[label] = matrix["csm_id"].map(by_csm["proposed_cents"]).fillna(0).astype("int64")
        matrix[f"{label}\0cash"] = matrix["csm_id"].map(by_csm["proposed_cash_cents"]).fillna(0).astype("int64")
    actual_cash_cents = int(first.summary["actual_cash_total_cents"])
    # The data's own warnings and what is said of the quarters concern every plan: said once.
    once = [*dataset.warnings, *(w.one_line() for w in notes.warnings(dataset.called(PAYOUTS)))]
    document = {
        "quarters": window,
        "through": notes.through,
        "not_replayed": notes.not_replayed,
        "currency": plans[0][1].currency,
        **({"data": data} if data is not None else {}),
        "retained_arr": retained,
        "moves_base": any(column["moves_base"] for column in columns),
        "actual": {
            "total": _amount(actual_cents),
            "base_total": _amount(actual_cash_cents - actual_cents),
            "cash_total": _amount(actual_cash_cents),
            "cost_by_segment": {seg: _amount(actual_by_segment.get(seg, 0)) for seg in segments},
            "pay_performance_correlation": first.summary["pay_performance_correlation"]["actual"],
            "cost_pct_of_retained_arr": _share(actual_cents, retained),
        },
        "plans": columns,
        "csms": [
            {"csm_id": r["csm_id"], "name": r["name"], "segment": r["segment"], "actual": _amount(r["actual_cents"]),
             "proposed": {label: _amount(r[label]) for label, _ in plans},
             "actual_cash": _amount(r["actual_cash_cents"]),
             "proposed_cash": {label: _amount(r[f"{label}\0cash"]) for label, _ in plans}}
            for r in matrix.to_dict("records")
        ],
        "warnings": [*once, *(f"{label}: {w}" for (label, _), c in zip(plans, comparisons)
                              for w in c.warnings if w not in once)],
        **shocks_applied(shocks),
    }
    return document, comparisons


def _finite(value) -> float | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)


def _share(cents: int, retained: float) -> float | None:
    """Cost as a percentage of the books' retained ARR, 2 decimals."""
    if retained <= 0:
        return None
    return float(round_half_away(cents / 100.0 / retained * 100.0, 2))

