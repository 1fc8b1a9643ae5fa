"""The quarters before the replay that a plan still has to work out (SPEC 6.4, 6.5): a period's earlier
quarters, whose advances count in what was paid before, and the quarters a clawback reaches back to,
whose commissions it takes back. They are computed like replayed quarters but never reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataWarning
from cscomp_cli.core.quarters import ordinal_label, quarter_ordinal, quarter_ordinals
from cscomp_cli.core.rounding import to_cents
from cscomp_cli.engine.conversion import convert_pay
from cscomp_cli.engine.metrics import book_codes
from cscomp_cli.engine.roster import (
    apply_pay_mix,
    attach_roster,
    check_pay_currencies,
    replayed_csms,
)
from cscomp_cli.engine.roster_lookup import roster_rows
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import ACCOUNTS
from cscomp_cli.plan.components import CommissionComponent
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.own_metrics import ToDate

PERIOD_QUARTERS = {"quarter": 1, "half": 2, "year": 4}


def period_of(plan: Plan) -> ToDate:
    """The plan's measurement period as the quarters it holds (a quarter plan's: one)."""
    return ToDate(PERIOD_QUARTERS[plan.period])


def period_first(plan: Plan, ordinal):
    """The first quarter (as quarter_ordinal counts) of the plan's period holding each quarter ordinal."""
    return period_of(plan).first(ordinal)


def clawback_reach(plan: Plan) -> int:
    """How many quarters back the plan's clawbacks reach (0 without one)."""
    return max((c.clawback.within for c in plan.components
                if isinstance(c, CommissionComponent) and c.clawback is not None), default=0)


def lead_in_quarters(plan: Plan, dataset: Dataset, window: list[str]) -> tuple[list[str], list[DataWarning]]:
    """The data's quarters before ``window`` that the plan needs worked out, oldest first, and a warning when
    the first replayed quarter's period starts before the data does."""
    if not window or (plan.period == "quarter" and not clawback_reach(plan)):
        return [], []
    held = {quarter_ordinal(q): str(q) for q in pd.unique(dataset.accounts["quarter"].astype(object))}
    data_first = min(held)
    first = quarter_ordinal(window[0])
    reach = first - clawback_reach(plan)
    warnings = []
    if plan.period != "quarter":
        start = period_first(plan, first)
        reach = min(reach, start)
        if start < data_first:
            asked = ordinal_label(start, window[0])
            warnings.append(DataWarning(
                f"the {plan.period} holding {window[0]} starts at {asked}, before {dataset.called(ACCOUNTS)}'s first "
                f"quarter {held[data_first]}: its goals to date start at {held[data_first]}",
                location="period",
                hint=f"add the earlier quarters to {dataset.called(ACCOUNTS)} (and payouts), or replay from a "
                     "period's first quarter; see 'Annual goals, advances and a true-up' in docs/plans.md"))
    return [held[o] for o in sorted(held) if reach <= o < first], warnings


def lead_in_rows(plan: Plan, dataset: Dataset, frame: pd.DataFrame, employed_only: bool = False) -> pd.DataFrame:
    """The CSM-quarters of ``frame`` (quarter, csm_id, line, source) with their pay under the plan, as
    replayed rows are; those with no roster row then are left out (they are not replayed, and nobody
    reported is paid for them). ``employed_only``: leave out those not employed on any day of the quarter
    too (their pay is 0, and converting it would ask for a rate nothing needs)."""
    if frame.empty:
        return frame.assign(base_cents=np.zeros(0, dtype="int64"))
    placed = roster_rows(dataset.roster, frame.reset_index(drop=True), ["name"], dataset.calendar)
    frame = frame.reset_index(drop=True)[placed["name"].notna().to_numpy()].reset_index(drop=True)
    rows, periods = attach_roster(frame, dataset)
    if employed_only and len(rows):
        employed = rows["proration"].to_numpy() > 0
        if not employed.all():
            kept = np.flatnonzero(employed)
            rows = rows.iloc[kept].reset_index(drop=True)
            if periods is not None:  # a pay history's periods point at rows by position
                periods = periods[np.isin(periods["key"].to_numpy(), kept)].copy()
                periods["key"] = np.searchsorted(kept, periods["key"].to_numpy())
                periods = periods.reset_index(drop=True)
    check_pay_currencies(rows, periods, plan.currency, dataset)
    rows = apply_pay_mix(rows, plan, periods)
    rows = convert_pay(rows, plan.currency, dataset)
    rows["base_cents"] = to_cents(rows["base"].to_numpy())
    rows["actual_base_cents"] = to_cents(rows["actual_base"].to_numpy())
    return rows


def replayed_before(plan: Plan, dataset: Dataset, lead: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, tuple]:
    """The lead-in quarters' accounts, their book codes and their replayed CSM-quarters with pay."""
    in_lead = dataset.accounts["quarter"].isin(lead).to_numpy()
    accounts = dataset.accounts[in_lead]
    grouping = book_codes(accounts, ["quarter", "csm_id"])
    return accounts, lead_in_rows(plan, dataset, replayed_csms(dataset, accounts, lead, grouping)), grouping


def span_ordinals(rows: pd.DataFrame) -> np.ndarray:
    """Each row's quarter as quarter_ordinal counts it."""
    return quarter_ordinals(rows["quarter"].astype(object))
