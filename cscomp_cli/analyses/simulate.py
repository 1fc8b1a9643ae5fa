"""`cscomp simulate`: how likely is this plan to blow the budget?

A Monte Carlo of the plan's cost over the next quarter (or the next K), by bootstrapping each
CSM's own history under the plan:

1. Replay the plan over the history window (the last N quarters).
2. Each CSM's outcomes are their quarterly payouts under the plan (before any floor; in a period plan
   what the quarter earned) as a share of that quarter's target variable (payout ÷ TV): how far above
   or below target they land, quarter by quarter.
3. The team is the CSMs replayed in the window's last quarter, each at their current full-quarter
   TV (the last quarter's TV without proration, so a mid-quarter hire counts in full).
4. Each run draws, for every CSM and every quarter ahead, one of that CSM's own outcomes at random
   (uniformly, with replacement) and pays share × current TV. A run's cost is the sum.

Draws are independent between CSMs and quarters: a bad quarter for the whole team at once (a
recession) is what `--shock` is for, not this. Everything is vectorised over runs and CSMs with
numpy; the seed makes a run reproducible.

The plan's own pay rules then apply to the quarters ahead (SPEC 6.4, 6.6; docs/plans.md, "Simulating a
period plan"): an outcome is what the quarter *earned* under the plan before any floor (for a period
plan the increase of the earned-to-date pay over the CSM's previous quarter of the period, so a
replayed advance or true-up is never drawn as a quarter's pay). The quarters ahead fall into their
periods; a period the replay ends inside is continued from what each CSM has earned and been paid in it,
and each period pays advances on the earned-to-date pay before its last quarter and the true-up in it.
A ramp pays at least floor × TV in a CSM's ramp quarters ahead (by start_date); a guarantee needs what
was actually paid, which a future quarter does not have, so it does not apply ahead (one warning).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cscomp_cli.analyses.guardrails import budget_figure, over_budget
from cscomp_cli.analyses.shocks import shocks_applied
from cscomp_cli.core.errors import UsageError
from cscomp_cli.core.quarters import ordinal_label, quarter_ordinal, quarter_ordinals
from cscomp_cli.core.rounding import round_half_away, to_cents
from cscomp_cli.engine.lead_in import PERIOD_QUARTERS, period_of
from cscomp_cli.engine.periods import period_labels, true_up_warnings
from cscomp_cli.engine.replay import Replay, replay
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
class Ahead:
    """How the quarters after the history are paid beyond each draw: a period plan's advances and true-up,
    and a ramp. The defaults are a quarterly plan without a ramp: each quarter pays what it draws."""

    last: str = ""  # the last replayed quarter
    period: str = "quarter"  # the plan's period: quarter, half or year
    advance: float = 1.0
    recover: bool = True
    cap: float | None = None
    # Per CSM, where they stand in the period holding `last` when it goes on after it (zeros otherwise):
    earned: np.ndarray | None = None  # earned to date through `last`
    paid: np.ndarray | None = None  # paid in the period through `last` (pay(q), floors not counted)
    tv: np.ndarray | None = None  # TV to date through `last`
    ramp_floor: float | None = None
    ramp_left: np.ndarray | None = None  # [csm] ramp quarters still ahead after `last` (0: none)

    @property
    def length(self) -> int:
        """Quarters in the plan's period (1: a quarterly plan)."""
        return PERIOD_QUARTERS[self.period]


@dataclass(frozen=True)
class Team:
    """Who is simulated, at what TV, and the outcomes each can draw from."""

    csms: pd.DataFrame  # csm_id, name, segment, target_variable (current, full quarter), outcomes
    shares: np.ndarray  # [csm, max outcomes] earned ÷ TV (before floors), padded with NaN
    counts: np.ndarray  # [csm] number of outcomes
    ahead: Ahead = Ahead()


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
    share = earned_cents(history) / 100.0 / history["target_variable"].to_numpy()
    outcomes = pd.DataFrame({"csm_id": history["csm_id"].to_numpy(), "share": share})
    grouped = {csm: group["share"].to_numpy() for csm, group in outcomes.groupby("csm_id", sort=False)}
    # The plan's probable unit mistakes and the data's own warnings (a misread export, a missing
    # column, payees who are not CSMs) still apply.
    # The replay's own "true-up not reached" is not the simulation's: the quarters ahead continue that period
    # (and true_up_ahead_warnings says whether they reach its end).
    unreached = {w.one_line() for w in true_up_warnings(plan, result.quarters)}
    warnings = [*result.plan_warnings, *(w for w in result.data_warnings if w not in unreached)]
    if plan.guarantee is not None:
        warnings.append("the plan's guarantee does not apply to the simulated quarters: it pays at least "
                        f"{plan.guarantee.floor:g} × what was actually paid, and a quarter ahead has no actual pay; "
                        "see 'Simulating a period plan' in docs/plans.md")
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
    ahead = ahead_rules(plan, result, team, dataset)
    return Team(csms=team, shares=shares, counts=counts, ahead=ahead), result.quarters, warnings


def earned_cents(rows: pd.DataFrame) -> np.ndarray:
    """What each replayed row earned under the plan before any floor: proposed less the ramp and guarantee
    adjustments and, in a period plan, less the advance adjustment (so the increase of the earned-to-date
    pay over the previous quarter of the period, not the advance or true-up paid)."""
    earned = rows["proposed_cents"].to_numpy(dtype="int64").copy()
    for column in ("advance_adjustment_cents", "ramp_adjustment_cents", "guarantee_adjustment_cents"):
        if column in rows:
            earned -= rows[column].to_numpy(dtype="int64")
    return earned


def ahead_rules(plan: Plan, result: Replay, team: pd.DataFrame, dataset: Dataset) -> Ahead:
    """The period and ramp rules of the quarters ahead, with each team member's place in them."""
    last = result.quarters[-1]
    n = len(team)
    length = PERIOD_QUARTERS[plan.period]
    earned, paid, tv = np.zeros(n), np.zeros(n), np.zeros(n)
    if length > 1 and result.periods is not None and quarter_ordinal(last) != period_of(plan).last(quarter_ordinal(last)):
        # The period holding the last replayed quarter goes on into the quarters ahead.
        span = result.periods.rows
        now = span[span["quarter"].astype(object) == last].drop_duplicates("csm_id").set_index("csm_id")
        now = now.reindex(team["csm_id"].to_numpy())
        earned = now["earned_to_date_cents"].fillna(0).to_numpy(dtype="float64") / 100
        paid = (now["paid_before_cents"].fillna(0) + now["pay_cents"].fillna(0)).to_numpy(dtype="float64") / 100
        tv = now["tv_to_date"].fillna(0).to_numpy(dtype="float64")
    ramp_floor, ramp_left = None, np.zeros(n, dtype="int64")
    if plan.ramp is not None and "start_date" in result.rows:
        ramp_floor = plan.ramp.floor
        rows = result.rows
        current = rows[rows["quarter"].astype(object) == last].drop_duplicates("csm_id").set_index("csm_id")
        start = current.reindex(team["csm_id"].to_numpy())["start_date"].to_numpy(dtype="datetime64[D]")
        hired = ~np.isnat(start)
        started = dataset.calendar.quarter_of(np.where(hired, start, np.datetime64("2000-01-01")))
        since = quarter_ordinal(last) - quarter_ordinals(pd.Series(started, dtype=object))
        # The ramp covers the quarter holding start_date and the next ones, N in all: those after `last`.
        ramp_left = np.where(hired & (since >= 0), np.maximum(plan.ramp.quarters - 1 - since, 0), 0).astype("int64")
    return Ahead(last=last, period=plan.period, advance=plan.advance, recover=plan.recover, cap=plan.cap,
                 earned=earned, paid=paid, tv=tv, ramp_floor=ramp_floor, ramp_left=ramp_left)


def quarter_pay(ahead: Ahead, earned: np.ndarray, tv: np.ndarray) -> np.ndarray:
    """Pay in each quarter ahead from what each quarter earns: ``earned`` [runs, CSMs, quarters ahead]
    (amounts), ``tv`` [CSMs] the full-quarter TV. A period plan pays, within each period, advances on the
    earned-to-date pay before its last quarter and the true-up in it (SPEC 6.4), continuing the period the
    history ends in; then a ramp lifts its quarters to floor × TV (SPEC 6.6), never recovered later."""
    pay = earned
    k = earned.shape[2]
    if ahead.length > 1:
        pay = np.empty_like(earned)
        first = quarter_ordinal(ahead.last) + 1
        ordinals = np.arange(first, first + k)
        starts = ordinals - ordinals % ahead.length
        for start in np.unique(starts):
            inside = np.flatnonzero(starts == start)
            continuing = start <= first - 1  # the period holding the last replayed quarter
            earned0 = ahead.earned if continuing else np.zeros(len(tv))
            paid0 = ahead.paid if continuing else np.zeros(len(tv))
            tv0 = ahead.tv if continuing else np.zeros(len(tv))
            to_date = earned0[None, :, None] + np.cumsum(earned[:, :, inside], axis=2)
            if ahead.cap is not None:
                tv_to_date = tv0[:, None] + tv[:, None] * np.arange(1, len(inside) + 1)[None, :]
                to_date = np.minimum(to_date, ahead.cap * tv_to_date[None, :, :])
            # Paid through each quarter before the last: the highest advance so far (never below 0).
            advanced = np.maximum(ahead.advance * to_date, 0)
            through = np.maximum(np.maximum.accumulate(advanced, axis=2), paid0[None, :, None])
            before = np.concatenate([np.broadcast_to(paid0[None, :, None], through[:, :, :1].shape),
                                     through[:, :, :-1]], axis=2)
            paid = through - before
            if ordinals[inside[-1]] % ahead.length == ahead.length - 1:  # the period's true-up is ahead
                true_up = to_date[:, :, -1] - before[:, :, -1]
                paid[:, :, -1] = true_up if ahead.recover else np.maximum(true_up, 0)
            pay[:, :, inside] = paid
    if ahead.ramp_floor is not None and ahead.ramp_left is not None and ahead.ramp_left.any():
        ramping = np.arange(1, k + 1)[None, :] <= ahead.ramp_left[:, None]  # [CSMs, quarters ahead]
        floor = ahead.ramp_floor * tv[:, None]
        pay = np.where(ramping[None, :, :], np.maximum(pay, floor[None, :, :]), pay)
    return pay


def true_up_ahead_warnings(ahead: Ahead, quarters_ahead: int) -> list[str]:
    """One warning when the quarters ahead end before their period's last quarter: its true-up is not in
    the simulated cost."""
    if ahead.length == 1 or not ahead.last:
        return []
    end = quarter_ordinal(ahead.last) + quarters_ahead
    if end % ahead.length == ahead.length - 1:
        return []
    label = ordinal_label(end, ahead.last)
    period = period_labels(pd.DataFrame({"quarter": [label]}), ahead)[0]  # reads only .period
    closing = end - end % ahead.length + ahead.length - 1
    return [f"the simulated quarters end at {label}, before {period}'s last quarter "
            f"{ordinal_label(closing, ahead.last)}: {period}'s true-up is not in the simulated cost, which holds "
            f"its advances only ({ahead.advance:.0%} of what is earned to date); --quarters-ahead "
            f"{quarters_ahead + closing - end} reaches it"]


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
        earned = team.shares[rows, picks] * tv[None, :, None]
        paid[start:start + size] = quarter_pay(team.ahead, earned, tv).sum(axis=2)
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
            **summarise(team, paid, budget=budget, quarters_ahead=quarters_ahead),
            "warnings": [*warnings, *true_up_ahead_warnings(team.ahead, quarters_ahead)],
            **shocks_applied(shocks)}
