"""Annual (or half-year) goals paid quarterly (SPEC 6.4): every metric and target measured to date over the
period's quarters, the pay earned to date, an advance on it before the period's last quarter and a
true-up in that quarter.

A to-date metric is a window (metric_windows.py) whose quarters are the period's first through the one
measured, so books, teams and churned accounts follow the same rules as a trailing window. Pay to date is
worked out per (CSM, period) with grouped cumulative sums and maxima over the quarters, never a loop:
before the last quarter pay(q) = max(0, round(advance × E(q)) − paid_before), so what has been paid
after q is the running maximum of the advances; at the true-up pay(q) = E(q) − paid_before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataWarning
from cscomp_cli.core.quarters import ordinal_label
from cscomp_cli.core.rounding import to_cents
from cscomp_cli.engine.books import BookMetrics
from cscomp_cli.engine.lead_in import period_of, span_ordinals
from cscomp_cli.engine.payouts import (
    MAX_PAYOUT,
    ToDateShare,
    modifier_multipliers,
    paid_once,
)
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.plan.model import Plan

DOCS = "see 'Annual goals, advances and a true-up' in docs/plans.md"


@dataclass
class PeriodPay:
    """A period plan's pay over the replayed quarters and the period's quarters before them.

    rows: those CSM-quarters (the earlier ones first) with their pay columns and: period (its label),
    to_date_quarters (|D|), tv_to_date, per component X X_earned_to_date_cents, cap_to_date_cents,
    earned_to_date_cents (E), advanced_cents (round(advance × E)), paid_before_cents, pay_cents,
    true_up (the period's last quarter) and reported (a replayed quarter, not an earlier one).
    books: the to-date books of those rows (metric values as the components saw them).
    """

    rows: pd.DataFrame
    books: BookMetrics
    reported: np.ndarray  # positions in rows of the replay's rows, in their order

    def row_of(self, i: int) -> int:
        """The position in rows of the replay's row i."""
        return int(self.reported[i])


def period_labels(rows: pd.DataFrame, plan: Plan) -> np.ndarray:
    """Each row's period as a leader writes it: 2026 or 2026H1 (a fiscal year FY2027, FY2027H1)."""
    ordinal = span_ordinals(rows)
    fiscal = rows["quarter"].astype(str).str.startswith("FY").to_numpy()
    year = (ordinal // 4).astype(str)
    label = np.where(fiscal, "FY", "").astype(object) + year.astype(object)
    if plan.period == "half":
        label = label + np.where(ordinal % 4 < 2, "H1", "H2").astype(object)
    return label


def tv_to_date(rows: pd.DataFrame, absent: pd.DataFrame, first: np.ndarray, ordinal: np.ndarray) -> np.ndarray:
    """TV_D per row: Σ over the quarters x of D(q) of the CSM's TV(x), from their replayed rows and, for a
    quarter of D(q) in which they are not replayed but have a roster row, that row's TV (``absent``)."""
    columns = ["csm_id", "quarter", "target_variable"]
    every = rows[columns] if absent.empty else pd.concat([rows[columns], absent[columns]], ignore_index=True)
    who, ids = pd.factorize(every["csm_id"].astype(object))
    at = span_ordinals(every)
    low = int(min(at.min(), first.min()))
    width = int(at.max()) - low + 1
    grid = np.zeros((len(ids), width + 1))  # column 0: before every quarter, for the differences
    np.add.at(grid, (who, at - low + 1), every["target_variable"].to_numpy(dtype="float64"))
    running = np.cumsum(grid, axis=1)
    mine = who[: len(rows)]
    return running[mine, ordinal - low + 1] - running[mine, first - low]


def period_pay(plan: Plan, dataset: Dataset, span: pd.DataFrame, absent: pd.DataFrame, reported: np.ndarray,
               accounts: pd.DataFrame, grouping: tuple, shared: dict | None, paying: dict,
               warnings: list[str]) -> tuple[dict[str, np.ndarray], pd.DataFrame, PeriodPay]:
    """Every period-plan column of the replay's rows (the positions ``reported`` of ``span``), its modifiers'
    frame and the period figures behind them. ``span``: the replayed rows with the period's earlier quarters
    before them; ``absent``: the CSM-quarters of those periods with a roster row but no replayed row."""
    period = period_of(plan)
    length = period.length
    ordinal = span_ordinals(span)
    data_first = int(span_ordinals(dataset.accounts[["quarter"]]).min())
    first = np.maximum(period.first(ordinal), data_first)
    span = span.copy()
    span["period"] = period_labels(span, plan)
    span["to_date_quarters"] = ordinal - first + 1
    span["tv_to_date"] = tv_to_date(span, absent, first, ordinal)
    span["true_up"] = ordinal == period.last(ordinal)
    flag = np.zeros(len(span), dtype=bool)
    flag[reported] = True
    span["reported"] = flag

    # The components see the to-date books and TV_D as their target variable.
    measured = span.assign(target_variable=span["tv_to_date"].to_numpy())
    books = BookMetrics(plan, accounts, measured, shared, grouping, history=dataset.accounts, roster=dataset.roster,
                        calendar=dataset.calendar, to_date=period)
    share = ToDateShare(quarters=span["to_date_quarters"].to_numpy(dtype="float64"), period=length)
    multipliers, modifiers = modifier_multipliers(plan, books)
    terms = np.zeros(len(span), dtype="int64")
    columns: dict[str, dict] = {}
    for index, component in enumerate(plan.components):
        paid = paid_once(shared, index, component, plan, books, measured, dataset, multipliers[component.id],
                         warnings, paying[component.id], to_date=share, reported=flag)
        term = paid["payout_cents"]
        span[f"{component.id}_earned_to_date_cents"] = term
        terms += term
        columns[component.id] = paid
    if plan.cap is not None:
        ceiling = MAX_PAYOUT * (len(plan.components) + 1) * length
        cap_cents = to_cents(np.minimum(plan.cap * span["tv_to_date"].to_numpy(), ceiling))
        span["cap_to_date_cents"] = np.minimum(cap_cents - terms, 0)
    else:
        span["cap_to_date_cents"] = np.zeros(len(span), dtype="int64")
    earned = terms + span["cap_to_date_cents"].to_numpy()
    span["earned_to_date_cents"] = earned
    group = _csm_periods(span)
    pay_in_quarters(plan, span, group)

    # What the rows report: each term's and the cap's increase over the CSM's previous quarter of the period.
    ids = [c.id for c in plan.components]
    figures = pd.DataFrame({**{cid: span[f"{cid}_earned_to_date_cents"].to_numpy() for cid in ids},
                            "cap": span["cap_to_date_cents"].to_numpy(), "earned": earned})
    before = figures.groupby(group, sort=False).shift(1, fill_value=0)
    out: dict[str, np.ndarray] = {}
    for cid in ids:
        for name, values in columns[cid].items():
            if name != "payout_cents":  # the payout reported is the term's increase, below
                out[f"{cid}_{name}"] = np.asarray(values)[reported]
        out[f"{cid}_payout_cents"] = (figures[cid] - before[cid]).to_numpy()[reported]
        out[f"{cid}_earned_to_date_cents"] = figures[cid].to_numpy()[reported]
    out["cap_adjustment_cents"] = (figures["cap"] - before["cap"]).to_numpy()[reported]
    increase = (figures["earned"] - before["earned"]).to_numpy()
    out["advance_adjustment_cents"] = (span["pay_cents"].to_numpy() - increase)[reported]
    out["earned_to_date_cents"] = earned[reported]
    out["pay_cents"] = span["pay_cents"].to_numpy()[reported]
    out["period"] = span["period"].to_numpy()[reported]
    reported_modifiers = modifiers.iloc[reported].reset_index(drop=True)
    return out, reported_modifiers, PeriodPay(rows=span, books=books, reported=reported)


def _csm_periods(span: pd.DataFrame) -> np.ndarray:
    """A code per row numbering its (CSM, period)."""
    return pd.factorize(pd.MultiIndex.from_arrays([span["csm_id"].astype(object), span["period"]]))[0]


def pay_in_quarters(plan: Plan, span: pd.DataFrame, group: np.ndarray | None = None) -> None:
    """pay(q) per row: the advance on what is earned to date less what was paid before, or the true-up.

    ``span`` needs csm_id, period, earned_to_date_cents and true_up, each (CSM, period) in quarter order; it
    gains advanced_cents, paid_before_cents and pay_cents. Of ``plan`` only advance and recover are read.
    ``group``: the rows' (CSM, period) codes, when the caller has them."""
    group = _csm_periods(span) if group is None else group
    earned = span["earned_to_date_cents"].to_numpy()
    advanced = to_cents(plan.advance * earned / 100)
    span["advanced_cents"] = advanced
    # Paid through q before the last quarter: the highest advance so far (never below 0).
    paid_through = pd.Series(np.maximum(advanced, 0)).groupby(group, sort=False).cummax().to_numpy()
    paid_before = pd.Series(paid_through).groupby(group, sort=False).shift(1, fill_value=0).to_numpy()
    true_up = earned - paid_before
    if not plan.recover:
        true_up = np.maximum(true_up, 0)
    span["paid_before_cents"] = paid_before
    span["pay_cents"] = np.where(span["true_up"].to_numpy(), true_up, paid_through - paid_before).astype("int64")


def true_up_warnings(plan: Plan, window: list[str]) -> list[DataWarning]:
    """One warning when the last replayed quarter is not its period's last: that true-up is not reached."""
    if plan.period == "quarter" or not window:
        return []
    last = pd.DataFrame({"quarter": [window[-1]]})
    ordinal = int(span_ordinals(last)[0])
    period_end = int(period_of(plan).last(ordinal))
    if ordinal == period_end:
        return []
    label = period_labels(last, plan)[0]
    end = ordinal_label(period_end, window[-1])
    return [DataWarning(
        f"the replay ends at {window[-1]}, before {label}'s last quarter {end}: {label}'s true-up is not reached, "
        f"so its rows show advances only ({plan.advance:.0%} of what is earned to date)",
        location="period", hint=f"replay through {end} (--through) when its data is in, to see the true-up; {DOCS}")]
