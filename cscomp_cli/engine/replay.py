"""Replay a plan over history (SPEC sections 1–3): the pipeline from a plan and a dataset to every
CSM-quarter's proposed payout, with the cap applied and the total cash bounded.

Its steps live beside it: who is replayed and on what pay (roster.py), book metrics per scope
(books.py), weights and the quarters each component pays in (weights.py), each component's payout
(payouts.py) and what the data cannot give the plan (data_warnings.py). Everything is computed
column-wise over the frame of replayed CSM–quarters; the only Python loops are over the plan's
components, modifiers and scopes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import PlanError, report
from cscomp_cli.core.quarters import ordinal_label, quarter_ordinal
from cscomp_cli.core.rounding import to_cents
from cscomp_cli.engine.books import BookMetrics
from cscomp_cli.engine.clawbacks import clawbacks
from cscomp_cli.engine.conversion import actual_cents, convert_pay
from cscomp_cli.engine.currencies import check_currencies
from cscomp_cli.engine.data_warnings import data_warnings, roster_warnings
from cscomp_cli.engine.floors import floor_adjustments, guarantee_warnings
from cscomp_cli.engine.lead_in import (
    lead_in_quarters,
    lead_in_rows,
    period_first,
    replayed_before,
    span_ordinals,
)
from cscomp_cli.engine.metrics import (
    book_codes,
)
from cscomp_cli.engine.paid_quarters import quarter_notes, select_quarters
from cscomp_cli.engine.payouts import MAX_PAYOUT, modifier_multipliers, paid_once
from cscomp_cli.engine.periods import PeriodPay, period_pay, true_up_warnings
from cscomp_cli.engine.roster import (
    apply_pay_mix,
    attach_roster,
    check_pay_currencies,
    replayed_csms,
)
from cscomp_cli.engine.sweep_cache import computed_once
from cscomp_cli.engine.weights import check_weights, component_quarters
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import PAYOUTS, ROSTER
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.plausibility import plan_warnings as implausible_values

# Total cash (base and variable) of one replay, as payouts.csv's total is bounded: a quadrillion
# keeps every sum of its integer cents (per segment, per CSM, the company) far inside int64.
MAX_TOTAL_CASH = 1e15


@dataclass
class Replay:
    """The plan replayed: one row per CSM–quarter, plus what the comparison needs."""

    plan: Plan
    quarters: list[str]
    through: str  # the last replayed quarter (SPEC 6.1)
    not_replayed: list[str]  # quarters after it left out for having no payouts yet
    rows: pd.DataFrame  # see replay() for the columns
    csm_statistics: pd.DataFrame  # each CSM's books pooled over the replayed quarters
    books: "BookMetrics"  # metric values per scope, as the components saw them
    modifiers: pd.DataFrame  # per modifier id: <id>_value (its metric) and <id>_applies, aligned to rows
    warnings: list[str] = field(default_factory=list)
    # The plan's probable unit mistakes (also at the start of warnings): about the plan, not any CSM.
    plan_warnings: list[str] = field(default_factory=list)
    # What the loaders noticed and what the data cannot give this plan (also in warnings): about
    # the data, not any CSM.
    data_warnings: list[str] = field(default_factory=list)
    # A period plan's figures to date, with the period's quarters before the replay (engine/periods.py).
    periods: "PeriodPay | None" = None
    # One line per clawback charged: quarter, csm_id, component, account_id, earlier_quarter, contribution,
    # effective_rate, clawback_cents, earlier_payout_cents and earlier_metric (what the rate divides; see
    # engine/clawbacks.py); None without a clawback.
    clawbacks: pd.DataFrame | None = None


def replay(plan: Plan, dataset: Dataset, quarters: int | None = None, *, through: str | None = None,
           window: list[str] | None = None, cache: dict | None = None, later_quarters: bool = True) -> Replay:
    """Replay ``plan`` over the last ``quarters`` quarters of ``dataset`` (all when None) ending at
    ``through`` or else at the last paid quarter (paid_quarters.py), or over the explicit ``window`` of
    quarter labels. ``later_quarters``: warn about unpaid quarters after the window (not for explain,
    which looks at one quarter of the user's choosing).

    ``cache``: pass the same dict to several replays of one dataset (a sweep) and who is replayed,
    their roster rows and every book's statistics and metric values are computed once, not per plan.

    rows columns: quarter, csm_id, name, segment, team, currency (the pay currency, None: the plan's),
    pay_rows (how many roster rows' pay the quarter is split between), proration, target_variable, base,
    actual_target_variable, actual_base (quarterly, unrounded), base_cents, actual_base_cents (int64
    cents, halves away from zero); per component id X: X_active,
    X_metric, X_target, X_attainment, X_fraction, X_multiplier, X_payout_cents; then
    components_cents, cap_adjustment_cents, proposed_cents, actual_cents (int64 cents).
    """
    about_currencies = check_currencies(plan.currency, plan.name, dataset)
    window = select_quarters(dataset, quarters, through) if window is None else sorted(window, key=quarter_ordinal)
    notes = quarter_notes(dataset, window)
    shared = None if cache is None else cache.setdefault((id(dataset), tuple(window)), {})
    if shared and "rows" in shared:
        accounts, rows, grouping = shared["accounts"], shared["rows"].copy(), shared["grouping"]
        periods = shared["pay periods"]
    else:
        in_window = dataset.accounts["quarter"].isin(window).to_numpy()
        # Replaying every quarter (the usual sweep and benchmark) needs no copy of millions of rows.
        accounts = dataset.accounts if in_window.all() else dataset.accounts[in_window]
        grouping = book_codes(accounts, ["quarter", "csm_id"])
        rows, periods = attach_roster(replayed_csms(dataset, accounts, window, grouping), dataset)
        if shared is not None:
            shared.update(accounts=accounts, rows=rows.copy(), grouping=grouping)
            shared["pay periods"] = periods
    # A pay history's quarters are split by day between the pay rows in force (SPEC 6.2).
    check_pay_currencies(rows, periods, plan.currency, dataset)
    rows = apply_pay_mix(rows, plan, periods)
    # Pay in the CSM's roster currency turned into the plan's at the quarter's rate (SPEC 6.3).
    rows = convert_pay(rows, plan.currency, dataset)
    # Base in cents, rounded once per CSM-quarter like every payout, so total cash adds up to the cent.
    rows["base_cents"] = to_cents(rows["base"].to_numpy())
    rows["actual_base_cents"] = to_cents(rows["actual_base"].to_numpy())
    paying = component_quarters(plan, dataset.calendar)
    check_weights(plan, window, paying, rows)

    # One replay's books share their quarterly statistics with a period plan's to-date books (risk reads them).
    measured = {} if shared is None else shared
    books = BookMetrics(plan, accounts, rows, measured, grouping, history=dataset.accounts, roster=dataset.roster,
                        calendar=dataset.calendar)
    plan_warnings = [str(w) for w in implausible_values(plan)]
    # The quarters before the replay a period or a clawback needs worked out (never reported).
    lead, about_lead = lead_in_quarters(plan, dataset, window)
    # The plan's probable unit mistakes, what the loaders noticed and what the data cannot give this
    # plan head every output's warnings.
    about_quarters = notes.warnings(dataset.called(PAYOUTS), later=later_quarters)
    about_data = [*dataset.warnings, *(w.one_line() for w in (*about_currencies, *about_quarters, *about_lead,
                                                               # explain looks at one quarter of the user's
                                                               # choosing, inside its period or not
                                                               *(true_up_warnings(plan, window) if later_quarters
                                                                 else []),
                                                               *(guarantee_warnings(plan, window, dataset.calendar)
                                                                 if later_quarters else []))),
                  *(w.one_line() for w in data_warnings(plan, dataset, window, shared))]
    warnings: list[str] = [*plan_warnings, *about_data]
    span, span_accounts, span_grouping, span_shared = rows, accounts, grouping, shared
    if lead:
        span, span_accounts, span_grouping = _with_lead_in(plan, dataset, rows, lead)
        span_shared = None if cache is None else cache.setdefault(("lead in", id(dataset), tuple(lead), tuple(window)), {})
    reported = np.arange(len(span) - len(rows), len(span))
    periods = None
    if plan.period != "quarter":
        absent = _not_replayed(plan, dataset, span)
        columns, modifiers, periods = period_pay(plan, dataset, span, absent, reported, span_accounts, span_grouping,
                                                 span_shared if lead else measured,
                                                 paying, warnings)
        total = sum(columns[f"{c.id}_payout_cents"] for c in plan.components)
        rows = pd.concat([rows, pd.DataFrame({k: v for k, v in columns.items() if k != "pay_cents"},
                                             index=rows.index)], axis=1)
        rows["components_cents"] = total
        rows["proposed_cents"] = columns["pay_cents"]
        clawback_lines = None
    else:
        span_books = books if not lead else BookMetrics(
            plan, span_accounts, span, span_shared, span_grouping, history=dataset.accounts, roster=dataset.roster,
            calendar=dataset.calendar)
        multipliers, modifiers = modifier_multipliers(plan, span_books)
        flag = None
        if lead:
            flag = np.zeros(len(span), dtype=bool)
            flag[reported] = True
        paid_span: dict[str, dict] = {}
        for index, component in enumerate(plan.components):
            paid_span[component.id] = paid_once(span_shared, index, component, plan, span_books, span, dataset,
                                                multipliers[component.id], warnings, paying[component.id],
                                                reported=flag)
        taken, clawback_lines = clawbacks(plan, dataset, span, paid_span, window)
        total = np.zeros(len(rows), dtype="int64")
        paid: dict[str, np.ndarray] = {}
        for component in plan.components:
            columns = {name: np.asarray(values)[reported] for name, values in paid_span[component.id].items()}
            if component.id in taken:
                columns["clawback_cents"] = taken[component.id][reported]
                columns["payout_cents"] = columns["payout_cents"] - columns["clawback_cents"]
            paid.update({f"{component.id}_{name}": values for name, values in columns.items()})
            total += columns["payout_cents"]
        modifiers = modifiers.iloc[reported].reset_index(drop=True) if lead else modifiers
        # One concat rather than a column at a time: a plan may have dozens of components.
        rows = pd.concat([rows, pd.DataFrame(paid, index=rows.index)], axis=1)
        rows["components_cents"] = total
        if plan.cap is not None:
            # Components are at most MAX_PAYOUT each, so a larger cap never binds; clip it before cents.
            ceiling = MAX_PAYOUT * (len(plan.components) + 1)
            cap_cents = to_cents(np.minimum(plan.cap * rows["target_variable"].to_numpy(), ceiling))
            rows["cap_adjustment_cents"] = np.minimum(cap_cents - total, 0)
        else:
            rows["cap_adjustment_cents"] = np.zeros(len(rows), dtype="int64")
        rows["proposed_cents"] = total + rows["cap_adjustment_cents"].to_numpy()
    # What was paid and who has no book depend on the data alone: a sweep works them out once.
    rows["actual_cents"] = computed_once(shared, "actual cents", lambda: actual_cents(dataset, rows, window, plan.currency))
    # Floors come last: after the cap and a period's pay, against what the plan proposes and what was paid.
    floors = floor_adjustments(plan, rows, window, dataset.calendar)
    for name, values in floors.items():
        rows[name] = values
        rows["proposed_cents"] = rows["proposed_cents"].to_numpy() + values
    _bound_total_cash(rows, window)
    warnings.extend(computed_once(shared, "roster warnings", lambda: roster_warnings(rows, books)))

    return Replay(plan=plan, quarters=window, through=notes.through,
                  not_replayed=notes.not_replayed if later_quarters else [], rows=rows, csm_statistics=books.csm_statistics(), books=books,
                  modifiers=modifiers, warnings=warnings, plan_warnings=plan_warnings,
                  data_warnings=about_data, periods=periods, clawbacks=clawback_lines)


def _bound_total_cash(rows: pd.DataFrame, window: list[str]) -> None:
    """Refuse a replay whose total cash no payroll reaches: every later sum of its cents stays inside int64."""
    cash = float(np.abs(rows["proposed_cents"].to_numpy(dtype="float64")).sum()
                 + np.abs(rows["base_cents"].to_numpy(dtype="float64")).sum()) / 100
    if cash > MAX_TOTAL_CASH:
        report(PlanError(
            f"the plan would pay about {float(f'{cash:.3g}'):,.0f} in all over {len(window)} quarter"
            f"{'s' if len(window) != 1 else ''}, more than {MAX_TOTAL_CASH:,.0f}",
            location="components",
            hint=f"check the plan's rates, curve points and multipliers, and the annual_base and annual_variable "
            f"of {ROSTER}, for a misplaced digit",
        ))
        rows["proposed_cents"] = 0  # validate goes on without the amounts


def _with_lead_in(plan: Plan, dataset: Dataset, rows: pd.DataFrame, lead: list[str]
                  ) -> tuple[pd.DataFrame, pd.DataFrame, tuple]:
    """The replayed rows with the lead-in quarters' rows before them, and the accounts and book codes of both."""
    _, before, _ = replayed_before(plan, dataset, lead)
    span = pd.concat([before, rows], ignore_index=True)
    quarters = span["quarter"].astype(object).unique().tolist()
    in_span = dataset.accounts["quarter"].isin(quarters).to_numpy()
    accounts = dataset.accounts if in_span.all() else dataset.accounts[in_span]
    return span, accounts, book_codes(accounts, ["quarter", "csm_id"])


def _not_replayed(plan: Plan, dataset: Dataset, span: pd.DataFrame) -> pd.DataFrame:
    """The CSM-quarters of the span's periods in which a CSM of the span is not replayed but has a roster row:
    their TV still counts in a period's TV to date (SPEC 6.4). Every quarter from the first period's start (or
    accounts.csv's first quarter) through the span's last counts, also one accounts.csv has no row in: D(q) is
    the period's quarters, not the data's."""
    ids = span["csm_id"].astype(object).unique()
    ordinals = span_ordinals(span)
    data_first = int(span_ordinals(dataset.accounts[["quarter"]]).min())
    low = max(int(period_first(plan, ordinals).min()), data_first)
    like = str(span["quarter"].iloc[0])
    quarters = [ordinal_label(o, like) for o in range(low, int(ordinals.max()) + 1)]
    grid = pd.MultiIndex.from_product([quarters, ids], names=["quarter", "csm_id"]).to_frame(index=False)
    seen = pd.MultiIndex.from_frame(span[["quarter", "csm_id"]].astype(object))
    missing = grid[~pd.MultiIndex.from_frame(grid).isin(seen)].reset_index(drop=True)
    return lead_in_rows(plan, dataset, missing.assign(line=0, source=ROSTER), employed_only=True)
