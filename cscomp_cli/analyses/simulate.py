"""`cscomp simulate`: how likely is this plan to blow the budget?

A Monte Carlo of the plan's cost over the next quarter (or the next K), by bootstrapping each
CSM's own history under the plan:

1. Replay the plan over the history window (the last N quarters).
2. Each CSM's outcomes are their quarterly payouts under the plan as a share of that quarter's
   target variable (payout ÷ TV): how far above or below target they land, quarter by quarter.
3. The team is the CSMs replayed in the window's last quarter, each at their current full-quarter
   TV (the last quarter's TV without proration, so a mid-quarter hire counts in full).
4. Each run draws, for every CSM and every quarter ahead, one of that CSM's own outcomes at random
   (uniformly, with replacement) and pays share × current TV. A run's cost is the sum.

Draws are independent between CSMs and quarters: a bad quarter for the whole team at once (a
recession) is what `--shock` is for, not this. Everything is vectorised over runs and CSMs with
numpy; the seed makes a run reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cscomp_cli.analyses.guardrails import budget_figure, over_budget
from cscomp_cli.analyses.shocks import shocks_applied
from cscomp_cli.core.errors import UsageError
from cscomp_cli.core.rounding import round_half_away, to_cents
from cscomp_cli.engine.replay import replay
from cscomp_cli.engine.roster import full_quarter_pay
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.plan.model import Plan

DEFAULT_SEED = 2026
MAX_SEED = 2**32 - 1
MAX_RUNS = 1_000_000
MAX_QUARTERS_AHEAD = 40  # ten years: a plan is redrawn long before, and a few quarters of history say no more
# What a simulation may hold and draw, whatever the team's size: runs × CSMs payouts are kept in memory
# (8 bytes each, twice over for the percentiles: about 500 MB at the cap), and runs × CSMs × quarters
# ahead draws take about a second per 30 million.
MAX_PAYOUTS = 30_000_000
MAX_DRAWS = 1_000_000_000
# Draws are made in blocks so memory stays bounded for large teams (runs × CSMs × quarters ahead).
BLOCK_CELLS = 4_000_000


@dataclass(frozen=True)
class Team:
    """Who is simulated, at what TV, and the outcomes each can draw from."""

    csms: pd.DataFrame  # csm_id, name, segment, target_variable (current, full quarter), outcomes
    shares: np.ndarray  # [csm, max outcomes] payout ÷ TV, padded with NaN
    counts: np.ndarray  # [csm] number of outcomes


def build_team(plan: Plan, dataset: Dataset, quarters: int,
               through: str | None = None) -> tuple[Team, list[str], list[str]]:
    """The current team and each CSM's historic outcomes under the plan; also the window and warnings."""
    result = replay(plan, dataset, quarters, through=through)
    rows = result.rows
    last = result.quarters[-1]
    current = rows[rows["quarter"] == last]
    proration = current["proration"].where(current["proration"] > 0, 1.0)
    full_tv = np.where(current["proration"] > 0, current["target_variable"] / proration, 0.0)
    base = (current["base"] / proration).to_numpy()
    actual_base = (current["actual_base"] / proration).to_numpy()
    # A raise or transfer inside the last quarter (a roster pay history): the quarters ahead are paid on
    # the new row, not on the quarter's mix of old and new days.
    changed = current["pay_rows"].to_numpy() > 1
    if changed.any():
        tv_ahead, base_ahead = full_quarter_pay(current, plan)
        # In the plan's currency at the last quarter's rate, as every quarter ahead is (SPEC 6.3).
        rate = current["fx_rate"].to_numpy(dtype="float64")
        full_tv = np.where(changed, tv_ahead * rate, full_tv)
        base = np.where(changed, base_ahead * rate, base)
        actual_base = np.where(changed, current["annual_base"].to_numpy(dtype="float64") / 4 * rate, actual_base)
    team = pd.DataFrame({"csm_id": current["csm_id"].to_numpy(), "name": current["name"].to_numpy(),
                         "segment": current["segment"].to_numpy(), "target_variable": full_tv,
                         # Full-quarter base under the plan and on the roster: a pay_mix moves it.
                         "base": base, "actual_base": actual_base})
    history = rows[rows["target_variable"] > 0]
    share = history["proposed_cents"].to_numpy() / 100.0 / history["target_variable"].to_numpy()
    outcomes = pd.DataFrame({"csm_id": history["csm_id"].to_numpy(), "share": share})
    grouped = {csm: group["share"].to_numpy() for csm, group in outcomes.groupby("csm_id", sort=False)}
    # The plan's probable unit mistakes and the data's own warnings (a misread export, a missing
    # column, payees who are not CSMs) still apply.
    warnings = [*result.plan_warnings, *result.data_warnings]
    lacking = [c for c, tv in zip(team["csm_id"], team["target_variable"]) if c not in grouped or tv <= 0]
    if lacking:
        warnings.append(f"{len(lacking)} CSM(s) in {last} have no target variable or no outcome to draw from and "
                        f"are left out: {', '.join(lacking[:10])}")
        team = team[~team["csm_id"].isin(lacking)].reset_index(drop=True)
    if team.empty:
        raise UsageError(f"nobody in {last} has a target variable to simulate",
                         hint="check roster.csv annual_variable and the plan's pay_mix")
    counts = np.array([len(grouped[c]) for c in team["csm_id"]], dtype="int64")
    shares = np.full((len(team), int(counts.max())), np.nan)
    for i, csm in enumerate(team["csm_id"]):
        shares[i, : counts[i]] = grouped[csm]
    team["outcomes"] = counts
    return Team(csms=team, shares=shares, counts=counts), result.quarters, warnings


def simulate(team: Team, *, runs: int, quarters_ahead: int = 1, seed: int = DEFAULT_SEED,
             progress=None) -> np.ndarray:
    """Simulated payout per run and CSM over the quarters ahead: an array [runs, CSMs]."""
    check_options(runs=runs, quarters_ahead=quarters_ahead, seed=seed)
    n = len(team.csms)
    check_size(runs, n, quarters_ahead)
    rng = np.random.default_rng(seed)
    tv = team.csms["target_variable"].to_numpy(dtype="float64")
    rows = np.arange(n)[None, :, None]
    block = max(1, BLOCK_CELLS // (n * quarters_ahead))
    paid = np.empty((runs, n))
    for start in range(0, runs, block):
        size = min(block, runs - start)
        picks = np.floor(rng.random((size, n, quarters_ahead)) * team.counts[None, :, None]).astype("int64")
        paid[start:start + size] = (team.shares[rows, picks] * tv[None, :, None]).sum(axis=2)
        if progress is not None:
            progress(start + size, runs)
    return paid


def check_options(*, runs: int, quarters_ahead: int, seed: int) -> None:
    """The simulation's own options, checked before any data is read."""
    if not 1 <= runs <= MAX_RUNS:
        raise UsageError(f"--runs must be between 1 and {MAX_RUNS:,}, got {runs:,}",
                         hint="10,000 runs (the default) is usually plenty")
    if not 1 <= quarters_ahead <= MAX_QUARTERS_AHEAD:
        raise UsageError(f"--quarters-ahead must be between 1 and {MAX_QUARTERS_AHEAD} (ten years), got "
                         f"{quarters_ahead:,}", hint="4 simulates a year; history says little about further ahead")
    if not 0 <= seed <= MAX_SEED:
        raise UsageError(f"--seed must be a whole number from 0 to {MAX_SEED:,}, got {seed:,}",
                         hint="any number in that range; the same seed gives the same result")


def check_size(runs: int, csms: int, quarters_ahead: int) -> None:
    """Refuse a simulation too large for memory or patience, saying how many runs would fit."""
    fits = min(MAX_PAYOUTS // csms, MAX_DRAWS // (csms * quarters_ahead))
    if runs > fits:
        raise UsageError(f"--runs {runs:,} for {csms:,} CSMs over {quarters_ahead} quarter(s) ahead is more than "
                         f"cscomp simulates at once (at most {MAX_PAYOUTS:,} payouts and {MAX_DRAWS:,} draws)",
                         hint=f"use --runs {fits} or fewer")


def _base_change(team: Team, quarters_ahead: int) -> dict | None:
    """The team's base over the quarters ahead under the plan and on the roster, when the plan moves
    it (a pay_mix); None otherwise. Base is certain, so it is reported beside the simulated
    variable cost rather than drawn."""
    if "base" not in team.csms:
        return None
    proposed = float(to_cents(team.csms["base"].to_numpy()).sum()) / 100 * quarters_ahead
    actual = float(to_cents(team.csms["actual_base"].to_numpy()).sum()) / 100 * quarters_ahead
    if (to_cents(team.csms["base"].to_numpy()) == to_cents(team.csms["actual_base"].to_numpy())).all():
        return None
    return {"proposed": _cents(proposed), "roster": _cents(actual), "delta": _cents(proposed - actual)}


def summarise(team: Team, paid: np.ndarray, *, budget: float | None, quarters_ahead: int = 1) -> dict:
    """Percentiles of total and per-segment cost, overrun probability, and each CSM's P10/P50/P90."""
    totals = paid.sum(axis=1)
    segments = team.csms["segment"].to_numpy()
    by_segment = {}
    for segment in sorted(set(segments)):
        cost = paid[:, segments == segment].sum(axis=1)
        by_segment[segment] = _percentiles(cost, (5, 50, 95))
    csm_points = np.percentile(paid, [10, 50, 90], axis=0)
    csms = [
        {"csm_id": row.csm_id, "name": row.name, "segment": row.segment,
         "target_variable": _cents(row.target_variable), "outcomes": int(row.outcomes),
         "p10": _cents(csm_points[0, i]), "p50": _cents(csm_points[1, i]), "p90": _cents(csm_points[2, i])}
        for i, row in enumerate(team.csms.itertuples(index=False))
    ]
    base = _base_change(team, quarters_ahead)
    # --budget judges each run as stress-test judges a replay (analyses/guardrails.py): the variable
    # pay drawn plus the plan's change in base, which is certain and so the same in every run.
    judged = budget_figure(totals, base["delta"] if base else 0.0)
    return {
        "total": {**_percentiles(totals, (5, 50, 95)), "mean": _cents(totals.mean())},
        "base": base,
        "by_segment": by_segment,
        "budget": budget,
        "probability_over_budget": None if budget is None else float(round_half_away(
            np.count_nonzero(over_budget(judged, budget)) / len(totals), 6)),
        "csms": csms,
    }


def _percentiles(values: np.ndarray, points: tuple[int, ...]) -> dict:
    found = np.percentile(values, points)
    return {f"p{p}": _cents(v) for p, v in zip(points, found)}


def _cents(value) -> float:
    return float(round_half_away(round_half_away(float(value), 6), 2))


def simulation_document(plan: Plan, team: Team, paid: np.ndarray, *, runs: int, seed: int, quarters_ahead: int,
                        history: list[str], budget: float | None, warnings: list[str], data: str | None = None,
                        shocks: list | None = None, not_replayed: list[str] | None = None) -> dict:
    """The JSON form of a simulation: what was drawn from (and the later quarters left out for having no
    payouts yet), the cost percentiles, each CSM's range."""
    return {"plan": plan.name, "currency": plan.currency, **({"data": data} if data is not None else {}),
            "runs": runs, "seed": seed, "quarters_ahead": quarters_ahead, "history": history,
            "through": history[-1] if history else None, "not_replayed": list(not_replayed or []),
            **summarise(team, paid, budget=budget, quarters_ahead=quarters_ahead), "warnings": warnings,
            **shocks_applied(shocks)}
