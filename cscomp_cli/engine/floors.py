"""Floors under the proposed pay (SPEC 6.6): a new CSM's ramp (at least floor × TV in the quarter of their
start_date and the next ones) and transition protection (at least floor × what was actually paid, in the
replay's first quarters). Applied after the plan's cap and a period's pay; never recovered later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataWarning, PlanError, report
from cscomp_cli.core.quarters import Calendar, quarter_ordinals
from cscomp_cli.core.rounding import to_cents
from cscomp_cli.plan.model import Plan


def ramp_quarters(plan: Plan, rows: pd.DataFrame, calendar: Calendar) -> np.ndarray:
    """Whether each row is one of its CSM's ramp quarters: the quarter holding start_date and the next ones."""
    if plan.ramp is None or "start_date" not in rows:
        return np.zeros(len(rows), dtype=bool)
    start = rows["start_date"].to_numpy(dtype="datetime64[D]")
    hired = ~np.isnat(start)
    if not hired.any():
        return np.zeros(len(rows), dtype=bool)
    started = calendar.quarter_of(np.where(hired, start, np.datetime64("2000-01-01")))
    since = quarter_ordinals(rows["quarter"].astype(object)) - quarter_ordinals(pd.Series(started, dtype=object))
    return hired & (since >= 0) & (since < plan.ramp.quarters)


def guarantee_quarters(plan: Plan, rows: pd.DataFrame, window: list[str], calendar: Calendar) -> np.ndarray:
    """Whether each row is in a guaranteed quarter: the replay's first N, or the quarters the plan lists."""
    guarantee = plan.guarantee
    if guarantee is None:
        return np.zeros(len(rows), dtype=bool)
    if isinstance(guarantee.quarters, int):
        chosen = window[: guarantee.quarters]
    else:
        chosen = []
        for position, text in enumerate(guarantee.quarters):
            label = calendar.canonical(text)
            if label is None:
                report(PlanError(f"guarantee.quarters lists {text}, which is not a quarter of the data's calendar "
                                 f"({calendar.describe()})", location=f"guarantee.quarters[{position}]",
                                 hint=f"write the quarter like {calendar.examples()}; see 'Ramps and guarantees' in "
                                      "docs/plans.md"))
                continue
            chosen.append(label)
    return rows["quarter"].astype(object).isin(chosen).to_numpy()


def guarantee_warnings(plan: Plan, window: list[str], calendar: Calendar) -> list[DataWarning]:
    """One warning when the guarantee lists quarters the replay does not hold: a slip there (2027Q3 for 2026Q3)
    would otherwise report a guarantee that cost nothing."""
    guarantee = plan.guarantee
    if guarantee is None or isinstance(guarantee.quarters, int) or not window:
        return []
    outside = [text for text in guarantee.quarters if calendar.canonical(text) not in window]
    if not outside:
        return []
    return [DataWarning(
        f"guarantee.quarters lists {', '.join(outside)}, which this replay ({window[0]}–{window[-1]}) does not hold: "
        "the guarantee pays nothing there", location="guarantee.quarters",
        hint="check the quarter labels, or replay those quarters (--quarters, --through); "
             "see 'Ramps and guarantees' in docs/plans.md")]


def floor_adjustments(plan: Plan, rows: pd.DataFrame, window: list[str], calendar: Calendar
                      ) -> dict[str, np.ndarray]:
    """ramp_adjustment_cents and guarantee_adjustment_cents (those the plan has) for rows carrying proposed_cents
    (after the cap and a period's pay), actual_cents and target_variable."""
    proposed = rows["proposed_cents"].to_numpy()
    out: dict[str, np.ndarray] = {}
    ramp = np.zeros(len(rows), dtype="int64")
    if plan.ramp is not None:
        floor = to_cents(plan.ramp.floor * rows["target_variable"].to_numpy(dtype="float64"))
        ramp = np.where(ramp_quarters(plan, rows, calendar), np.maximum(floor - proposed, 0), 0).astype("int64")
        out["ramp_adjustment_cents"] = ramp
    if plan.guarantee is not None:
        actual = rows["actual_cents"].to_numpy(dtype="float64") / 100
        floor = to_cents(plan.guarantee.floor * actual)
        guaranteed = guarantee_quarters(plan, rows, window, calendar)
        out["guarantee_adjustment_cents"] = np.where(guaranteed, np.maximum(floor - (proposed + ramp), 0),
                                                     0).astype("int64")
    return out
