"""Clawbacks on commission (SPEC 6.5): when an account churns, the commission paid on its expansion in the
quarters just before comes back, charged to the CSM who was paid it.

For each churned account row and each of the ``within`` quarters before it, the account's row then (whoever
owned it) gives its contribution to the metric; the owner's effective rate that quarter is what the
component paid them over its metric. Lookups are joins over integer keys, one per quarter back (≤ 8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.quarters import quarter_ordinals
from cscomp_cli.core.rounding import round_half_away, to_cents
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.plan.components import CommissionComponent
from cscomp_cli.plan.model import Plan

LINE_COLUMNS = ("quarter", "csm_id", "component", "account_id", "earlier_quarter", "contribution", "effective_rate",
                "clawback_cents", "earlier_payout_cents", "earlier_metric")


def _contribution(plan: Plan, metric: str, accounts: pd.DataFrame) -> np.ndarray:
    """Each account row's part of the component's metric: credited expansion, cross-sell, or both."""
    parts = []
    if metric in ("expansion_arr", "gross_expansion"):
        parts.append(round_half_away(plan.credit.expansion * accounts["expansion"].to_numpy(dtype="float64")))
    if metric in ("cross_sell_arr", "gross_expansion") and "cross_sell" in accounts:
        parts.append(round_half_away(plan.credit.cross_sell * accounts["cross_sell"].to_numpy(dtype="float64")))
    return np.sum(parts, axis=0) if parts else np.zeros(len(accounts))


def _labelled(labels: dict[int, str], ordinals: np.ndarray) -> np.ndarray:
    """Quarter ordinals as the data's labels."""
    return pd.Series(labels, dtype=object).reindex(ordinals).to_numpy(dtype=object)


def clawbacks(plan: Plan, dataset: Dataset, span: pd.DataFrame, paid: dict[str, dict], window: list[str]
              ) -> tuple[dict[str, np.ndarray], pd.DataFrame | None]:
    """Per clawback component, the cents clawed back from each row of ``span`` (the replayed rows with the
    quarters before them that a clawback reaches), and one line per (churned account, earlier quarter).

    ``paid``: each component's columns over ``span`` (payout_cents before any clawback, metric)."""
    components = [c for c in plan.components if isinstance(c, CommissionComponent) and c.clawback is not None]
    if not components:
        return {}, None
    accounts = dataset.accounts
    ordinal = quarter_ordinals(accounts["quarter"])
    # Integer codes (a categorical column's own): no Python object per account row.
    account, account_ids = pd.factorize(accounts["account_id"])
    owner_codes, owner_ids = pd.factorize(accounts["csm_id"])
    owner_ids = np.asarray(owner_ids, dtype=object)
    account_ids = np.asarray(account_ids, dtype=object)
    span_ordinal = quarter_ordinals(span["quarter"].astype(object))
    span_at = pd.MultiIndex.from_arrays([span_ordinal, span["csm_id"].astype(object).to_numpy()])
    churned = np.flatnonzero((accounts["churn"].to_numpy(dtype="float64") > 0)
                             & accounts["quarter"].isin(window).to_numpy())
    # (account, quarter) → its row, over the rows a clawback can reach: the churned accounts' own, back far enough.
    reach = max(c.clawback.within for c in components)
    earliest = int(ordinal[churned].min()) - reach if len(churned) else 0
    candidates = np.flatnonzero(np.isin(account, np.unique(account[churned])) & (ordinal >= earliest))
    rows_at = pd.Index(account[candidates].astype("int64") * (1 << 20) + ordinal[candidates])
    labels = {int(o): str(q) for o, q in zip(span_ordinal, span["quarter"].astype(object))}
    labels.update({int(o): str(q) for o, q in zip(ordinal[churned], accounts["quarter"].iloc[churned].astype(object))})
    charged: dict[str, np.ndarray] = {}
    lines = []
    for component in components:
        contribution = _contribution(plan, component.metric, accounts.iloc[candidates])  # per candidate row
        cents_paid = np.asarray(paid[component.id]["payout_cents"], dtype="int64")
        payout = cents_paid / 100
        metric = np.nan_to_num(np.asarray(paid[component.id]["metric"], dtype="float64"))
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where((payout > 0) & (metric > 0), payout / np.where(metric > 0, metric, 1.0), 0.0)
        total = np.zeros(len(span), dtype="int64")
        for back in range(1, component.clawback.within + 1):
            earlier = ordinal[churned] - back
            found = rows_at.get_indexer(account[churned].astype("int64") * (1 << 20) + earlier)
            held = found >= 0
            at, prior, earlier = churned[held], candidates[found[held]], earlier[held]
            part = contribution[found[held]]
            owner = owner_ids[owner_codes[prior]]
            paid_row = span_at.get_indexer(pd.MultiIndex.from_arrays([earlier, owner]))
            charged_row = span_at.get_indexer(pd.MultiIndex.from_arrays([ordinal[at], owner]))
            effective = np.where(paid_row >= 0, rate[np.maximum(paid_row, 0)], 0.0)
            due = (part > 0) & (effective > 0) & (charged_row >= 0)
            cents = to_cents(component.clawback.share * part[due] * effective[due])
            np.add.at(total, charged_row[due], cents)
            lines.append(pd.DataFrame({
                "quarter": _labelled(labels, ordinal[at][due]), "csm_id": owner[due],
                "component": component.id, "account_id": account_ids[account[at][due]],
                "earlier_quarter": _labelled(labels, earlier[due]),
                "contribution": part[due], "effective_rate": effective[due], "clawback_cents": cents,
                # What the effective rate was worked out from (explain writes the division out).
                "earlier_payout_cents": cents_paid[paid_row[due]], "earlier_metric": metric[paid_row[due]]}))
        charged[component.id] = total
    found = pd.concat(lines, ignore_index=True) if lines else pd.DataFrame(columns=list(LINE_COLUMNS))
    return charged, found.sort_values(["quarter", "csm_id", "component", "account_id", "earlier_quarter"],
                                      kind="stable").reset_index(drop=True)
