"""The replay set against what was actually paid (SPEC section 4): per-CSM totals, the summary,
top performers and the pay–performance correlation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cscomp_cli.core.rounding import pct_change, round_half_away
from cscomp_cli.engine.replay import Replay

PAID_MORE_CENTS = 0  # a delta above 0.005 is at least one whole cent once amounts are in cents


@dataclass
class Comparison:
    """A replay set against actual payouts."""

    replay: Replay
    csms: pd.DataFrame  # csm_id, name, segment, proposed_cents, actual_cents, delta_cents, delta_pct,
    #                     base_cents, actual_base_cents, proposed_cash_cents, actual_cash_cents,
    #                     cash_delta_cents, cash_delta_pct, performance, top_performer,
    #                     target_variable, actual_target_variable
    summary: dict
    warnings: list[str]

    @property
    def rows(self) -> pd.DataFrame:
        return self.replay.rows

    @property
    def plan(self):
        return self.replay.plan


def with_cash(frame: pd.DataFrame) -> pd.DataFrame:
    """Add total cash (base + variable) to rows or CSM totals that carry base_cents and proposed_cents."""
    frame["proposed_cash_cents"] = frame["base_cents"] + frame["proposed_cents"]
    frame["actual_cash_cents"] = frame["actual_base_cents"] + frame["actual_cents"]
    frame["cash_delta_cents"] = frame["proposed_cash_cents"] - frame["actual_cash_cents"]
    frame["cash_delta_pct"] = pct_change(frame["cash_delta_cents"].to_numpy(),
                                         np.abs(frame["actual_cash_cents"].to_numpy()))
    return frame


def compare_with_actual(replay: Replay) -> Comparison:
    """Totals per CSM and for the org, top performers and Spearman correlations.

    Paid more / less and top performers paid less are judged on total cash (base + variable): a
    pay-mix change that raises variable but cuts base more leaves the CSM with less. Without a
    pay_mix base does not move and cash deltas equal variable deltas.
    """
    rows = replay.rows
    by_csm = rows.groupby("csm_id", sort=True)
    csms = by_csm[["proposed_cents", "actual_cents", "base_cents", "actual_base_cents", "target_variable",
                   "actual_target_variable"]].sum()
    # Only the two columns wanted: a plan with many components makes rows a hundred columns wide.
    last = rows[["quarter", "csm_id", "name", "segment"]].sort_values("quarter", kind="stable").groupby("csm_id").last()
    csms["name"] = last["name"]
    csms["segment"] = last["segment"]
    csms["delta_cents"] = csms["proposed_cents"] - csms["actual_cents"]
    csms["delta_pct"] = pct_change(csms["delta_cents"].to_numpy(), np.abs(csms["actual_cents"].to_numpy()))
    csms = with_cash(csms)
    csms["performance"] = performance_scores(replay).reindex(csms.index)
    csms["top_performer"] = _top_performers(csms["performance"])
    csms = csms.reset_index()

    proposed = int(csms["proposed_cents"].sum())
    actual = int(csms["actual_cents"].sum())
    proposed_cash = int(csms["proposed_cash_cents"].sum())
    actual_cash = int(csms["actual_cash_cents"].sum())
    top = csms[csms["top_performer"]].sort_values(["performance", "csm_id"], ascending=[False, True])
    summary = {
        "proposed_total_cents": proposed,
        "actual_total_cents": actual,
        "delta_cents": proposed - actual,
        "delta_pct": float(pct_change(proposed - actual, abs(actual))),
        "proposed_cash_total_cents": proposed_cash,
        "actual_cash_total_cents": actual_cash,
        "cash_delta_cents": proposed_cash - actual_cash,
        "cash_delta_pct": float(pct_change(proposed_cash - actual_cash, abs(actual_cash))),
        # Whether the plan changes anybody's base: human reports show total cash only then.
        "base_moves": bool((rows["base_cents"] != rows["actual_base_cents"]).any()),
        "csms": len(csms),
        "paid_more": int((csms["cash_delta_cents"] > PAID_MORE_CENTS).sum()),
        "paid_less": int((csms["cash_delta_cents"] < -PAID_MORE_CENTS).sum()),
        "top_performers": top["csm_id"].tolist(),
        "top_performers_paid_less": top.loc[top["cash_delta_cents"] < -PAID_MORE_CENTS, "csm_id"].tolist(),
        "pay_performance_correlation": {
            "actual": spearman(csms["performance"], csms["actual_cents"], csms["actual_target_variable"]),
            "proposed": spearman(csms["performance"], csms["proposed_cents"], csms["target_variable"]),
        },
    }
    return Comparison(replay=replay, csms=csms, summary=summary, warnings=list(replay.warnings))


def pooled_metric(replay: Replay, name: str) -> pd.Series:
    """One metric pooled per CSM over the replayed quarters (SPEC section 4), indexed by csm_id."""
    # The engine pools every metric: built-ins over each CSM's pooled books, a windowed one at the
    # CSM's last replayed quarter.
    return replay.books.pooled(name)


def performance_scores(replay: Replay) -> pd.Series:
    """Each CSM's performance, indexed by csm_id: the plan's one metric pooled (as it always was), or
    for a map of metrics to weights the combined score of SPEC 5.5.

    Per metric a CSM's percentile is (r − 1) ÷ (m − 1), r their average rank (ascending) among the m
    CSMs for whom it is defined (1 when m = 1); the score is Σ weight × percentile over the metrics
    defined for them, the weights rescaled to sum to 1; undefined when none is. Rounded to 9 places.
    """
    plan = replay.plan
    if not isinstance(plan.performance, dict):
        return pooled_metric(replay, plan.performance)
    index = replay.csm_statistics.index
    score = np.zeros(len(index))
    weighed = np.zeros(len(index))
    for name, weight in plan.performance_weights.items():
        # Ranked at 9 places, as every metric is shown, so float noise never breaks a tie.
        values = pd.Series(round_half_away(pooled_metric(replay, name).reindex(index).to_numpy(dtype="float64")),
                           index=index)
        defined = values.notna().to_numpy()
        count = int(defined.sum())
        ranks = values.rank(method="average", ascending=True).to_numpy(dtype="float64")
        percentile = (ranks - 1) / (count - 1) if count > 1 else np.ones(len(index))
        score += np.where(defined, weight * percentile, 0.0)
        weighed += np.where(defined, weight, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        combined = np.where(weighed > 0, score / np.where(weighed > 0, weighed, 1.0), np.nan)
    return pd.Series(round_half_away(combined), index=index, dtype="float64")


def performance_label(plan) -> str:
    """What performance means in words: the metric's name, or 'combined score (nrr 70 %, csat 30 %)'."""
    if not isinstance(plan.performance, dict):
        return plan.performance
    weights = plan.performance_weights
    total = sum(weights.values())
    shares = ", ".join(f"{name} {round(weight / total * 100, 2):g} %" for name, weight in weights.items())
    return f"combined score ({shares})"


def _top_performers(performance: pd.Series) -> pd.Series:
    """The ⌈n/4⌉ highest performers; ties go to the smaller csm_id; undefined never qualifies."""
    count = math.ceil(len(performance) / 4)
    ranked = (
        performance.dropna()
        .rename("performance")
        .reset_index()
        .sort_values(["performance", "csm_id"], ascending=[False, True], kind="stable")
    )
    chosen = set(ranked["csm_id"].head(count))
    return pd.Series([csm in chosen for csm in performance.index], index=performance.index)


def spearman(performance: pd.Series, paid_cents: pd.Series, target_variable: pd.Series) -> float | None:
    """Spearman's rank correlation of performance with pay as a share of TV (None when undefined)."""
    tv = target_variable.to_numpy(dtype="float64")
    share = np.where(tv > 0, paid_cents.to_numpy(dtype="float64") / 100.0 / np.where(tv > 0, tv, 1.0), np.nan)
    # Shares are rounded so that equal pay ratios tie instead of differing in the last float bit.
    frame = pd.DataFrame({"performance": performance.to_numpy(), "share": round_half_away(share)}).dropna()
    if len(frame) < 3:
        return None
    ranks = frame.rank(method="average")
    if ranks["performance"].nunique() < 2 or ranks["share"].nunique() < 2:
        return None
    rho = float(np.corrcoef(ranks["performance"], ranks["share"])[0, 1])
    return float(round_half_away(rho, 6))
