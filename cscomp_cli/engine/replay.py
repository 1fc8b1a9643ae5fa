"""Replay a plan over history (SPEC sections 1–3): who is replayed, their target variable, every
component's payout with the contract's rounding, modifiers and the cap.

Everything is computed column-wise over the frame of replayed CSM–quarters; the only Python
loops are over the plan's components, modifiers and scopes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, DataWarning, PlanError, UsageError, report
from cscomp_cli.core.quarters import Calendar
from cscomp_cli.core.rounding import round_half_away, to_cents
from cscomp_cli.engine.curves import commission, curve_fraction
from cscomp_cli.engine.metrics import (
    STATISTICS,
    book_codes,
    book_risk,
    book_statistics,
    metric,
)
from cscomp_cli.engine.plan_metrics import (
    CustomMetrics,
    filter_value_warnings,
    window_warnings,
)
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import ACCOUNTS, DATA_DOC, PAYOUTS, QUOTAS, ROSTER
from cscomp_cli.plan.components import CommissionComponent, CurveComponent
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.plausibility import plan_warnings as implausible_values
from cscomp_cli.plan.targets import BySegment, PctOfStartArr, SegmentWeights

WEIGHT_TOLERANCE = 1e-9
# No component pays a trillion to one CSM in a quarter; integer cents overflow not far beyond.
MAX_PAYOUT = 1e12
# Total cash (base and variable) of one replay, as payouts.csv's total is bounded: a quadrillion
# keeps every sum of its integer cents (per segment, per CSM, the company) far inside int64.
MAX_TOTAL_CASH = 1e15


@dataclass
class Replay:
    """The plan replayed: one row per CSM–quarter, plus what the comparison needs."""

    plan: Plan
    quarters: list[str]
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


def select_quarters(dataset: Dataset, count: int | None) -> list[str]:
    """The last ``count`` distinct quarters of accounts.csv in calendar order (all when None)."""
    present = sorted(dataset.accounts["quarter"].unique().tolist())
    if count is None:
        return present
    if count < 1:
        raise UsageError(f"--quarters must be 1 or more, got {count}")
    if count > len(present):
        raise UsageError(
            f"asked for {count} quarters but {dataset.called(ACCOUNTS)} holds only {len(present)} "
            f"({present[0]} to {present[-1]})",
            hint=f"use --quarters {len(present)} or less",
        )
    return present[-count:]


def replay(plan: Plan, dataset: Dataset, quarters: int | None = None, *, window: list[str] | None = None,
           cache: dict | None = None) -> Replay:
    """Replay ``plan`` over the last ``quarters`` quarters of ``dataset`` (all when None), or over
    the explicit ``window`` of quarter labels.

    ``cache``: pass the same dict to several replays of one dataset (a sweep) and who is replayed,
    their roster rows and every book's statistics and metric values are computed once, not per plan.

    rows columns: quarter, csm_id, name, segment, team, proration, target_variable, base,
    actual_target_variable, actual_base (quarterly, unrounded), base_cents, actual_base_cents (int64
    cents, halves away from zero); per component id X: X_active,
    X_metric, X_target, X_attainment, X_fraction, X_multiplier, X_payout_cents; then
    components_cents, cap_adjustment_cents, proposed_cents, actual_cents (int64 cents).
    """
    window = select_quarters(dataset, quarters) if window is None else sorted(window)
    shared = None if cache is None else cache.setdefault((id(dataset), tuple(window)), {})
    if shared and "rows" in shared:
        accounts, rows, grouping = shared["accounts"], shared["rows"].copy(), shared["grouping"]
    else:
        in_window = dataset.accounts["quarter"].isin(window).to_numpy()
        # Replaying every quarter (the usual sweep and benchmark) needs no copy of millions of rows.
        accounts = dataset.accounts if in_window.all() else dataset.accounts[in_window]
        grouping = book_codes(accounts, ["quarter", "csm_id"])
        rows = _attach_roster(_replayed_csms(dataset, accounts, window, grouping), dataset)
        if shared is not None:
            shared.update(accounts=accounts, rows=rows.copy(), grouping=grouping)
    rows = _apply_pay_mix(rows, plan)
    # Base in cents, rounded once per CSM-quarter like every payout, so total cash adds up to the cent.
    rows["base_cents"] = to_cents(rows["base"].to_numpy())
    rows["actual_base_cents"] = to_cents(rows["actual_base"].to_numpy())
    paying = component_quarters(plan, dataset.calendar)
    _check_weights(plan, window, paying, rows)

    books = BookMetrics(plan, accounts, rows, shared, grouping, history=dataset.accounts)
    plan_warnings = [str(w) for w in implausible_values(plan)]
    # The plan's probable unit mistakes, what the loaders noticed and what the data cannot give this
    # plan head every output's warnings.
    about_data = [*dataset.warnings, *(w.one_line() for w in data_warnings(plan, dataset, window, shared))]
    warnings: list[str] = [*plan_warnings, *about_data]
    multipliers, modifiers = _modifier_multipliers(plan, books)
    total = np.zeros(len(rows), dtype="int64")
    paid: dict[str, np.ndarray] = {}
    for index, component in enumerate(plan.components):
        columns = _paid_once(shared, index, component, plan, books, rows, dataset, multipliers[component.id],
                             warnings, paying[component.id])
        paid.update({f"{component.id}_{name}": values for name, values in columns.items()})
        total += columns["payout_cents"]
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
    _bound_total_cash(rows, window)
    # What was paid and who has no book depend on the data alone: a sweep works them out once.
    rows["actual_cents"] = _once(shared, "actual cents", lambda: _actual_cents(dataset, rows, window))
    warnings.extend(_once(shared, "roster warnings", lambda: _roster_warnings(rows, books)))

    return Replay(plan=plan, quarters=window, rows=rows, csm_statistics=books.csm_statistics(), books=books,
                  modifiers=modifiers, warnings=warnings, plan_warnings=plan_warnings,
                  data_warnings=about_data)


# --- who is replayed, and on what pay ------------------------------------------------------


def _replayed_csms(dataset: Dataset, accounts: pd.DataFrame, window: list[str], grouping) -> pd.DataFrame:
    """Every (quarter, csm_id) owning an account row or having a payout row in the window."""
    # One row per (quarter, csm_id) that owns accounts (its first line, for messages), found from
    # the book codes rather than by de-duplicating millions of account rows.
    codes, books = grouping
    first_rows = np.full(len(books), len(codes), dtype="int64")
    np.minimum.at(first_rows, codes, np.arange(len(codes), dtype="int64"))
    owners = pd.DataFrame({"quarter": np.asarray(books.get_level_values(0), dtype=object),
                           "csm_id": np.asarray(books.get_level_values(1), dtype=object),
                           "line": accounts["line"].to_numpy()[first_rows]}).assign(source=ACCOUNTS)
    frames = [owners]
    if dataset.payouts is not None:
        paid = dataset.payouts[dataset.payouts["quarter"].isin(window)]
        # Payroll exports include people who are not CSMs: they are not replayed, and their pay is
        # in no total (a warning lists them).
        paid = paid.drop(index=non_csm_payouts(dataset, window).index)
        frames.append(paid[["quarter", "csm_id", "line"]].assign(source=PAYOUTS))
    seen = pd.concat(frames, ignore_index=True)
    first = seen.drop_duplicates(["quarter", "csm_id"], keep="first")
    return first.sort_values(["quarter", "csm_id"], kind="stable").reset_index(drop=True)


def non_csm_payouts(dataset: Dataset, window: list[str] | None = None) -> pd.DataFrame:
    """payouts.csv rows (in ``window``) for people who are not CSMs: no roster row in any quarter and
    no account in any quarter. Someone who owns accounts is a CSM, and needs a roster row."""
    payouts = dataset.payouts
    if payouts is None:
        return pd.DataFrame({"quarter": [], "csm_id": [], "amount": [], "line": []})
    if window is not None:
        payouts = payouts[payouts["quarter"].isin(window)]
    owners = dataset.accounts["csm_id"]
    owners = owners.cat.categories if isinstance(owners.dtype, pd.CategoricalDtype) else owners.unique()
    ids = payouts["csm_id"]
    return payouts[~ids.isin(dataset.roster["csm_id"]) & ~ids.isin(owners)]


def _once(shared: dict | None, key: str, compute):
    """A result that depends on the data and the replayed quarters only: computed once per sweep (``shared``)."""
    if shared is None:
        return compute()
    if key not in shared:
        shared[key] = compute()
    return shared[key]


def data_warnings(plan: Plan, dataset: Dataset, window: list[str] | None = None,
                  shared: dict | None = None) -> list[DataWarning]:
    """What the data cannot give this plan, said once each: a metric whose optional column the
    accounts export lacks, payouts to people who are not CSMs, a window reaching before the data and a
    filter value no row holds."""
    held = _once(shared, "quarters held", lambda: dataset.accounts["quarter"].unique())
    replayed = sorted(held.tolist()) if window is None else window
    return [*missing_column_warnings(plan, dataset),
            *_once(shared, "non-CSM warnings", lambda: _non_csm_warnings(dataset, window)),
            *window_warnings(plan, held, replayed, dataset.called(ACCOUNTS)),
            *filter_value_warnings(plan, dataset.accounts, dataset.called(ACCOUNTS))]


# Metrics read from optional accounts.csv columns; without the column every value is undefined
# (renewed_arr: 0), which otherwise only shows as "attainment undefined" CSM-quarter by CSM-quarter.
METRIC_COLUMNS = {
    "renewal_rate": ("renewal_due", "renewed"),
    "renewed_arr": ("renewal_due", "renewed"),
    "nps": ("nps",),
    "health": ("health",),
}


def missing_column_warnings(plan: Plan, dataset: Dataset) -> list[DataWarning]:
    header = dataset.columns.get(ACCOUNTS)
    if header is None:
        return []  # a dataset built in code: nothing is known about its export's header
    users: dict[str, list[str]] = {}
    for component in plan.components:
        users.setdefault(component.metric, []).append(f"component {component.id}")
    for modifier in plan.modifiers:
        users.setdefault(modifier.when.metric, []).append(f"modifier {modifier.id}")
    # performance is one metric name, or (SPEC 5.5) a map of names to weights.
    performance = plan.performance
    for name in performance if isinstance(performance, dict) else [performance]:
        users.setdefault(name, []).append("the plan's performance measure")
    found = []
    for name, who in users.items():
        # A metric of the plan's own reads the columns of the built-in it is built from.
        base = plan.definition(name).base if name in plan.metrics else name
        missing = [column for column in METRIC_COLUMNS.get(base, ()) if column not in header]
        if not missing:
            continue
        effect = f"every {name} is 0" if base == "renewed_arr" else f"every {name} is undefined"
        if "the plan's performance measure" in who:
            effect += " (so no CSM can be a top performer)" if base != "renewed_arr" else ""
        found.append(DataWarning(
            f"{_listed(who)} use{'s' if len(who) == 1 else ''} {name}, but {dataset.called(ACCOUNTS)} has no "
            f"{' or '.join(missing)} column: {effect}",
            file=dataset.path(ACCOUNTS), location="line 1",
            hint=f"add the {' and '.join(missing)} column{'s' if len(missing) > 1 else ''} to the export, or use "
            f"another metric; see {DATA_DOC}",
        ))
    adjusted = [component.id for component in plan.components if component.risk_adjust is not None]
    if adjusted and "risk" not in header:
        found.append(DataWarning(
            f"{_listed([f'component {c}' for c in adjusted])} use{'s' if len(adjusted) == 1 else ''} risk_adjust, "
            f"but {dataset.called(ACCOUNTS)} has no risk column: no target is adjusted",
            file=dataset.path(ACCOUNTS), location="line 1",
            hint=f"add a risk column (0–1) to the export, or remove risk_adjust; see {DATA_DOC}",
        ))
    return found


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _non_csm_warnings(dataset: Dataset, window: list[str] | None) -> list[DataWarning]:
    outside = non_csm_payouts(dataset, window)
    if outside.empty:
        return []
    return [non_csm_problem(outside, dataset, DataWarning)]


def non_csm_problem(outside: pd.DataFrame, dataset: Dataset, kind=DataWarning):
    """The one message about payouts to non-CSMs, as a warning (or, under validate --strict, an error)."""
    ids = list(dict.fromkeys(outside["csm_id"]))
    cents = int(to_cents(outside["amount"].to_numpy()).sum())
    shown = ", ".join(ids[:10]) + (" …" if len(ids) > 10 else "")
    people = f"{len(ids)} {'person' if len(ids) == 1 else 'people'}"
    lines = f"{len(outside)} line{'s' if len(outside) > 1 else ''}"
    return kind(
        f"{dataset.called(PAYOUTS)} pays {people} who {'is' if len(ids) == 1 else 'are'} not a CSM (no {dataset.called(ROSTER)} row in any quarter "
        f"and no accounts): {shown}; their {lines}, {cents / 100:,.2f} in all, {'is' if len(outside) == 1 else 'are'} "
        "left out of every total",
        **dataset.origin(PAYOUTS).at(outside["line"].min(), "csm_id"),
        hint=f"if they are CSMs, add them to {dataset.called(ROSTER)}; `cscomp validate --strict` makes this an error; see {DATA_DOC}",
    )


def _attach_roster(rows: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Join each CSM–quarter to its roster row (a row for that quarter wins over an every-quarter row)."""
    roster = dataset.roster
    fields = ["name", "segment", "team", "annual_base", "annual_variable", "start_date", "end_date"]
    specific = roster[roster["quarter"].notna()][["csm_id", "quarter", *fields]]
    general = roster[roster["quarter"].isna()][["csm_id", *fields]]
    joined = rows.merge(specific, on=["quarter", "csm_id"], how="left", validate="one_to_one")
    fallback = rows[["csm_id"]].merge(general, on="csm_id", how="left", validate="many_to_one")
    missing_specific = joined["name"].isna().to_numpy()
    for column in fields:
        joined[column] = joined[column].where(~missing_specific, fallback[column].to_numpy())
    unmatched = joined["name"].isna()
    if unmatched.any():
        first = joined[unmatched].iloc[0]
        count = int(unmatched.sum())
        more = f" ({count - 1} more CSM-quarters like it)" if count > 1 else ""
        report(DataError(
            f"CSM {first.csm_id} appears in {first.quarter} but {dataset.called(ROSTER)} has no row for them in that quarter{more}",
            **dataset.origin(first.source).at(first.line, "csm_id"),
            hint=f"add {first.csm_id} to {dataset.called(ROSTER)} (with quarter {first.quarter}, or with no quarter to cover every "
            "quarter), or correct the csm_id",
        ))
        # Only reached while validate collects problems: carry on without them.
        joined = joined[~unmatched].reset_index(drop=True)

    # The quarter's real days in the data's calendar: FY2027Q1 from February has 89, 2026Q3 has 92.
    first_day, last_day = dataset.calendar.day_numbers(joined["quarter"].to_numpy())
    start = joined["start_date"].to_numpy(dtype="datetime64[D]")
    end = joined["end_date"].to_numpy(dtype="datetime64[D]")
    start = np.where(np.isnat(start), first_day, np.maximum(start, first_day))
    end = np.where(np.isnat(end), last_day, np.minimum(end, last_day))
    employed = np.maximum((end - start).astype("int64") + 1, 0)
    quarter_days = (last_day - first_day).astype("int64") + 1
    joined["proration"] = employed / quarter_days
    joined["actual_target_variable"] = joined["annual_variable"].to_numpy(dtype="float64") / 4 * joined["proration"]
    joined["actual_base"] = joined["annual_base"].to_numpy(dtype="float64") / 4 * joined["proration"]
    return joined


def _apply_pay_mix(rows: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The plan's quarterly target variable and base (the roster's unless the plan has a pay_mix)."""
    annual_base = rows["annual_base"].to_numpy(dtype="float64")
    annual_variable = rows["annual_variable"].to_numpy(dtype="float64")
    mix = plan.pay_mix
    if mix is not None:
        if isinstance(mix.variable_pct, dict):
            pct = rows["segment"].map(mix.variable_pct)
            if pct.isna().any():
                first = rows[pct.isna()].iloc[0]
                report(PlanError(
                    f"no variable_pct for segment '{first.segment}' (CSM {first.csm_id} in {first.quarter})",
                    location="pay_mix.variable_pct",
                    hint=f"add '{first.segment}: <percent>' to pay_mix.variable_pct, or give one number for everybody",
                ))
            p = pct.fillna(0.0).to_numpy(dtype="float64") / 100
        else:
            p = np.full(len(rows), mix.variable_pct / 100)
        if mix.hold == "ote":
            ote = annual_base + annual_variable
            annual_variable, annual_base = ote * p, ote * (1 - p)
        else:
            annual_variable = annual_base * p / (1 - p)
    if mix is not None and mix.hold == "base":
        absurd = annual_variable / 4 > MAX_PAYOUT
        if absurd.any():
            first = rows[absurd].iloc[0]
            report(PlanError(f"pay_mix makes {first.csm_id}'s annual variable {annual_variable[absurd][0]:,.0f} "
                             f"in {first.quarter}", location="pay_mix.variable_pct",
                             hint="with hold: base, variable = base × p / (1 − p); a variable_pct near 100 explodes"))
            annual_variable = np.where(absurd, 0.0, annual_variable)
    proration = rows["proration"].to_numpy()
    rows["target_variable"] = annual_variable / 4 * proration
    rows["base"] = annual_base / 4 * proration
    return rows


def component_quarters(plan: Plan, calendar: Calendar) -> dict[str, tuple[str, ...] | None]:
    """Each component's ``quarters:`` as the data labels them (under calendar quarters FY2026Q1 is 2026Q1;
    under a fiscal calendar 2027Q1 is FY2027Q1); None for a component paying in every quarter."""
    paying: dict[str, tuple[str, ...] | None] = {}
    for index, component in enumerate(plan.components):
        if component.quarters is None:
            paying[component.id] = None
            continue
        labels = []
        for position, text in enumerate(component.quarters):
            label = calendar.canonical(text)
            if label is None:
                report(PlanError(
                    f"component '{component.id}' pays in {text}, which is not a quarter of the data's calendar "
                    f"({calendar.describe()})",
                    location=f"components[{index}].quarters[{position}]",
                    hint=f"write the quarter like {calendar.examples()}; see docs/plans.md",
                ))
                continue  # only reached while validate collects problems
            labels.append(label)
        paying[component.id] = tuple(labels)
    return paying


def _check_weights(plan: Plan, window: list[str], paying: dict[str, tuple[str, ...] | None],
                   rows: pd.DataFrame) -> None:
    """In every replayed quarter the active curve components' weights sum to 1 (SPEC 5.4: for each
    roster segment of the CSMs replayed in it, when weights are given by segment).

    Each distinct problem is reported once with the segments and quarters it affects (not once per
    quarter), and weights written as percentages (60 + 40 = 100) get one error that suggests the fractions.
    """
    curves = plan.curve_components
    if not curves:
        return
    by_segment = any(isinstance(c.weight, SegmentWeights) for c in curves)
    present = _segments_by_quarter(rows) if by_segment else {}
    failing: dict[tuple[tuple[str, float], ...], dict[str | None, list[str]]] = {}  # active weights -> segment -> quarters
    missing: dict[int, list[tuple]] = {}  # component index -> (segment, csm_id, quarter) without a weight
    for quarter in window:
        active = [(i, c) for i, c in enumerate(curves) if paying[c.id] is None or quarter in paying[c.id]]
        # Segment None stands for everybody when no weight depends on the segment.
        for segment, csm_id in present.get(quarter, []) if by_segment else [(None, None)]:
            weights = tuple((c.id, c.weight_for(segment)) for _, c in active)
            unknown = [i for (i, _), (_, w) in zip(active, weights) if w is None]
            for i in unknown:
                missing.setdefault(i, []).append((segment, csm_id, quarter))
            if not unknown and abs(sum(w for _, w in weights) - 1.0) > WEIGHT_TOLERANCE:
                failing.setdefault(weights, {}).setdefault(segment, []).append(quarter)
    for i, cases in missing.items():
        _report_missing_weight(plan, curves[i], cases)
    if not failing:
        return

    def when(quarters: list[str]) -> str:
        if len(quarters) == len(window) > 1:
            return f"in every replayed quarter ({window[0]}–{window[-1]})"
        return f"in {', '.join(quarters)}"

    def where(segments: dict[str | None, list[str]]) -> str:
        """'in 2026Q1' or, by segment, 'in 2026Q1 for segments Mid-Market and SMB'."""
        if None in segments and len(segments) == 1:
            return when(segments[None])
        alike: dict[tuple[str, ...], list[str]] = {}
        for segment, quarters in segments.items():
            alike.setdefault(tuple(quarters), []).append("no segment" if segment is None else segment)
        return " and ".join(f"{when(list(quarters))} for segment{'s' if len(names) > 1 else ''} {_listed(names)}"
                            for quarters, names in alike.items())

    def listed(weights: tuple[tuple[str, float], ...]) -> str:
        return " + ".join(f"{i} {w:.12g}" for i, w in weights) or "no curve component"

    in_percent = {a: s for a, s in failing.items() if a and abs(sum(w for _, w in a) - 100) <= 1e-6}
    if in_percent:
        sums = "; ".join(f"{where(s)}: {listed(a)}" for a, s in in_percent.items())
        meant = "; ".join(" / ".join(f"{w / 100:.12g}" for _, w in a) for a in in_percent)
        ids = [c.id for c in curves if any(c.id in dict(a) for a in in_percent)]
        first = next(iter(in_percent))[0][1]
        report(PlanError(
            f"the curve components' weights sum to 100, not 1 ({sums}): weights are fractions of the "
            f"target variable; did you mean {meant}?",
            location="components",
            hint="write each weight as a fraction (" + ", ".join(_as_fraction(c) for c in curves if c.id in ids)
            + f"), or as a percentage string such as weight: \"{first:.12g}%\"",
        ))
    for weights, segments in failing.items():
        if weights in in_percent:
            continue
        total = sum(w for _, w in weights)
        report(PlanError(
            f"{where(segments)} the active curve components' weights sum to {total:.12g} ({listed(weights)}), not 1",
            location="components",
            hint="adjust the weights (or the floating components' quarters lists) so that the active weights sum to 1 in every quarter"
            + (" for every segment" if by_segment else ""),
        ))


def _segments_by_quarter(rows: pd.DataFrame) -> dict[str, list[tuple[str | None, str]]]:
    """The roster segments replayed in each quarter, each with its first CSM (for messages)."""
    first = rows[["quarter", "segment", "csm_id"]].drop_duplicates(["quarter", "segment"], keep="first")
    present: dict[str, list[tuple[str | None, str]]] = {}
    for quarter, segment, csm_id in first.itertuples(index=False):
        present.setdefault(quarter, []).append((segment if isinstance(segment, str) else None, csm_id))
    return {q: sorted(s, key=lambda p: (p[0] is None, p[0] or "")) for q, s in present.items()}


def _report_missing_weight(plan: Plan, component: CurveComponent, cases: list[tuple]) -> None:
    """A replayed CSM whose segment the weights by segment neither list nor cover with a default."""
    index = plan.components.index(component)
    segment, csm_id, quarter = cases[0]
    others = list(dict.fromkeys(s for s, _, _ in cases[1:] if s != segment))
    named = f"segment '{segment}'" if segment is not None else "a CSM without a roster segment"
    more = f" (nor for {_listed([repr(s) if s is not None else 'no segment' for s in others])})" if others else ""
    report(PlanError(
        f"component '{component.id}' has no weight for {named} (CSM {csm_id} in {quarter}) and no default{more}",
        location=f"components[{index}].weight.values",
        hint=(f"add '{segment}: <weight>' to the values" if segment is not None else f"fill {csm_id}'s segment in {ROSTER}")
        + ", or give the weight a default: entry (default: 0 when it pays only the segments listed); see docs/plans.md",
    ))


def _as_fraction(component: CurveComponent) -> str:
    """A curve component's weight as the fractions a plan written in percent meant."""
    weight = component.weight
    if not isinstance(weight, SegmentWeights):
        return f"{component.id}: weight: {weight / 100:.12g}"
    values = ", ".join(f"{segment}: {value / 100:.12g}" for segment, value in weight.values.items())
    default = f", default: {weight.default / 100:.12g}" if weight.default is not None else ""
    return f"{component.id}: weight: {{by: segment, values: {{{values}}}{default}}}"


def _actual_cents(dataset: Dataset, rows: pd.DataFrame, window: list[str]) -> np.ndarray:
    if dataset.payouts is None:
        return np.zeros(len(rows), dtype="int64")
    paid = dataset.payouts[dataset.payouts["quarter"].isin(window)]
    cents = pd.Series(to_cents(paid["amount"].to_numpy()), index=paid.index)
    per_csm = cents.groupby([paid["quarter"], paid["csm_id"]]).sum()
    keys = pd.MultiIndex.from_frame(rows[["quarter", "csm_id"]])
    return per_csm.reindex(keys, fill_value=0).to_numpy(dtype="int64")


def _roster_warnings(rows: pd.DataFrame, books: "BookMetrics") -> list[str]:
    warnings = []
    not_employed = rows[rows["proration"] <= 0]
    for row in not_employed.itertuples():
        warnings.append(f"{row.csm_id} appears in {row.quarter} but their roster dates give 0 days employed "
                        "in that quarter, so their target variable is 0")
    empty = books.statistics("csm", "accounts")["accounts"].to_numpy() == 0
    no_book = [f"{q} {c}" for q, c in zip(rows["quarter"][empty], rows["csm_id"][empty])]
    if no_book:
        warnings.append(f"{len(no_book)} CSM-quarter(s) have payouts but no accounts (empty book): "
                        + ", ".join(no_book[:10]) + (" …" if len(no_book) > 10 else ""))
    return warnings


# --- metrics per scope ---------------------------------------------------------------------


class BookMetrics:
    """Metric values for each replayed CSM–quarter, per scope, each computed once and reused."""

    def __init__(self, plan: Plan, accounts: pd.DataFrame, rows: pd.DataFrame, shared: dict | None = None,
                 grouping: tuple | None = None, history: pd.DataFrame | None = None):
        self.plan = plan
        self.rows = rows
        shared = {} if shared is None else shared
        if grouping is None:
            grouping = book_codes(accounts, ["quarter", "csm_id"])
        # The plan's own metrics (SPEC 5.3); a window looks back into every quarter of the data (history).
        self.custom = CustomMetrics(plan, rows, accounts, grouping, accounts if history is None else history, shared,
                                    self.scope_groups)
        self._groups: dict[str, np.ndarray] = {}
        self._pooled: pd.DataFrame | None = None
        # Book statistics and risk depend only on the data; metric values also on the plan's credit.
        self._stats = shared.setdefault("stats", {})
        self._risk = shared.setdefault("risk", {})
        credit = (plan.credit.expansion, plan.credit.cross_sell)
        self._cache: dict[tuple[str, str], np.ndarray] = shared.setdefault(("values", credit), {})
        if "csm" not in self._stats:
            keys = pd.MultiIndex.from_frame(rows[["quarter", "csm_id"]])
            csm = book_statistics(accounts, ["quarter", "csm_id"], grouping).reindex(keys, fill_value=0)
            self._stats["csm"] = csm.reset_index(drop=True)

    def statistics(self, scope: str, where: str) -> pd.DataFrame:
        """Book statistics of each row's scope book (team, segment or company union of CSM books)."""
        if scope not in self._stats:
            pooled = self._stats["csm"].groupby(self.scope_groups(scope, where), sort=False).transform("sum")
            self._stats[scope] = pooled[list(STATISTICS)]
        return self._stats[scope]

    def scope_groups(self, scope: str, where: str) -> np.ndarray:
        """A code per row numbering its scope book: its (quarter, team), (quarter, segment) or quarter."""
        if scope not in self._groups:
            if scope == "company":
                group = pd.Series("company", index=self.rows.index)
            else:
                group = self.rows[scope]
                if group.isna().any():
                    first = self.rows[group.isna()].iloc[0]
                    report(PlanError(
                        f"scope: {scope} needs every CSM's {scope}, but {first.csm_id} has none in {first.quarter}",
                        location=where,
                        hint=f"fill the {scope} column of {ROSTER}, or use another scope",
                    ))
                    group = group.fillna("")
            keys = pd.MultiIndex.from_arrays([self.rows["quarter"], group.astype(object)])
            self._groups[scope] = pd.factorize(keys)[0].astype("int64")
        return self._groups[scope]

    def value(self, name: str, scope: str, where: str) -> np.ndarray:
        if name in self.plan.metrics:
            definition = self.plan.definition(name)
            key = (f"custom {definition!r}", scope)
            if key not in self._cache:
                self._cache[key] = self.custom.value(definition, scope, where)
            return self._cache[key]
        key = (name, scope)
        if key not in self._cache:
            self._cache[key] = metric(self.statistics(scope, where), name, self.plan.credit)
        return self._cache[key]

    def pooled(self, name: str) -> pd.Series:
        """A metric per CSM (indexed by csm_id) over the replayed quarters, for the performance measure: the
        formula over the union of their books; a windowed metric, its value in their last replayed quarter."""
        if name in self.plan.metrics:
            return self.custom.pooled(self.plan.definition(name))
        stats = self.csm_statistics()
        return pd.Series(metric(stats, name, self.plan.credit), index=stats.index, dtype="float64")

    def csm_statistics(self) -> pd.DataFrame:
        """Each CSM's books pooled over the replayed quarters (indexed by csm_id): the sums of their
        quarterly books, so no second pass over the accounts."""
        if self._pooled is None:
            quarterly = self.statistics("csm", "performance")
            self._pooled = quarterly.groupby(self.rows["csm_id"].to_numpy(), sort=True).sum()
            self._pooled.index.name = "csm_id"
        return self._pooled

    def risk(self, scope: str, where: str) -> np.ndarray:
        if scope not in self._risk:
            self._risk[scope] = book_risk(self.statistics(scope, where))
        return self._risk[scope]


# --- components ----------------------------------------------------------------------------


def _modifier_multipliers(plan: Plan, books: BookMetrics) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """The product of every modifier that applies, per component, and which modifiers applied."""
    n = len(books.rows)
    product = {c.id: np.ones(n) for c in plan.components}
    fired: dict[str, np.ndarray] = {}
    for index, modifier in enumerate(plan.modifiers):
        when = modifier.when
        value = books.value(when.metric, when.scope, f"modifiers[{index}].when.scope")
        holds = ~np.isnan(value)
        if when.below is not None:
            holds &= value < when.below
        if when.at_least is not None:
            holds &= value >= when.at_least
        factor = np.where(holds, modifier.multiply, 1.0)
        for component_id in plan.multiplier_targets(modifier):
            product[component_id] = product[component_id] * factor
        fired[f"{modifier.id}_value"] = value
        fired[f"{modifier.id}_applies"] = holds
    return product, pd.DataFrame(fired, index=books.rows.index)


def _target(index, component, books: BookMetrics, rows, dataset: Dataset, active: np.ndarray) -> np.ndarray:
    """The component's target per CSM–quarter (NaN where none is configured), rounded to 9 places."""
    where = f"components[{index}].target"
    n = len(rows)
    spec = component.target
    if spec is None:
        return np.full(n, np.nan)
    if isinstance(spec, (int, float)):
        target = np.full(n, float(spec))
    elif isinstance(spec, BySegment):
        target = rows["segment"].map(spec.values).to_numpy(dtype="float64")
        if spec.default is not None:
            target = np.where(np.isnan(target), spec.default, target)
        missing = np.isnan(target) & active
        if missing.any():
            first = rows[missing].iloc[0]
            report(PlanError(
                f"no target for segment '{first.segment}' (CSM {first.csm_id} in {first.quarter}) and no default",
                location=f"{where}.values",
                hint=f"add '{first.segment}: <target>' to the values, or give the target a default: entry",
            ))
    elif isinstance(spec, PctOfStartArr):
        start = books.value("start_arr", component.scope, f"components[{index}].scope")
        target = round_half_away(start * spec.pct_of_start_arr)
    else:  # quotas
        target = _quota_targets(component, rows, dataset, active, where)
    if component.risk_adjust is not None:
        scope_where = f"components[{index}].scope"
        own = books.risk(component.scope, scope_where)
        company = books.risk("company", scope_where)
        shift = component.risk_adjust * (own - company)
        target = np.where(np.isnan(shift), target, target + np.nan_to_num(shift))
    return round_half_away(target)


def _quota_targets(component, rows, dataset: Dataset, active: np.ndarray, where: str) -> np.ndarray:
    quotas = dataset.quotas
    if quotas is None:
        report(PlanError(
            f"component '{component.id}' has target: quotas but the data folder has no {dataset.called(QUOTAS)}",
            location=where,
            hint=f"add {dataset.called(QUOTAS)} with columns quarter, csm_id, component, target",
        ))
        return np.full(len(rows), np.nan)
    mine = quotas[quotas["component"] == component.id].set_index(["quarter", "csm_id"])["target"]
    keys = pd.MultiIndex.from_frame(rows[["quarter", "csm_id"]])
    target = mine.reindex(keys).to_numpy(dtype="float64")
    missing = np.isnan(target) & active
    if missing.any():
        first = rows[missing].iloc[0]
        count = int(missing.sum())
        report(DataError(
            f"no quota for CSM {first.csm_id}, quarter {first.quarter}, component {component.id}"
            + (f" ({count - 1} more CSM-quarters missing)" if count > 1 else ""),
            file=dataset.path(QUOTAS),
            hint=f"add a row '{first.quarter},{first.csm_id},{component.id},<target>' to {dataset.called(QUOTAS)}",
        ))
    return target


def _paid_once(shared: dict | None, index, component, plan, books: BookMetrics, rows, dataset, multiplier,
               warnings: list[str], quarters: tuple[str, ...] | None) -> dict:
    """_pay_component, reused across a sweep's replays for a component whose inputs did not change:
    a sweep moves one setting, so most components pay exactly as they did for the previous value."""
    if shared is None:
        return _pay_component(index, component, plan, books, rows, dataset, multiplier, warnings, quarters)
    definition = repr(plan.definition(component.metric)) if component.metric in plan.metrics else ""
    digest = hashlib.blake2b(rows["target_variable"].to_numpy(dtype="float64").tobytes()
                             + np.asarray(multiplier, dtype="float64").tobytes(), digest_size=16).digest()
    key = ("component", index, repr(component), definition, (plan.credit.expansion, plan.credit.cross_sell),
           quarters, digest)
    paid = shared.setdefault("components", {})
    if key not in paid:
        said: list[str] = []
        paid[key] = (_pay_component(index, component, plan, books, rows, dataset, multiplier, said, quarters), said)
    columns, said = paid[key]
    warnings.extend(said)
    return columns


def _pay_component(index, component, plan, books: BookMetrics, rows, dataset, multiplier, warnings,
                   quarters: tuple[str, ...] | None) -> dict:
    """Every output column of one component (paying in ``quarters``, in the data's labels), with its payout in cents."""
    n = len(rows)
    active = rows["quarter"].isin(quarters).to_numpy() if component.quarters else np.ones(n, dtype=bool)
    value = books.value(component.metric, component.scope, f"components[{index}].scope")
    target = _target(index, component, books, rows, dataset, active)
    columns = {"active": active, "metric": value, "target": target, "multiplier": multiplier}

    if isinstance(component, CurveComponent):
        if component.measure == "attainment":
            with np.errstate(divide="ignore", invalid="ignore"):
                attainment = round_half_away(np.where(target > 0, value / np.where(target > 0, target, 1.0), np.nan))
            x = attainment
        else:
            attainment = np.full(n, np.nan)
            x = value
        fraction = curve_fraction(x, component.curve, interpolate=component.interpolate, uncapped=component.uncapped)
        undefined = np.isnan(fraction)
        fraction = np.where(undefined, 1.0 if component.on_missing == "target" else 0.0, fraction)
        weight = _weights(component, rows)
        # A CSM whose segment weighs 0 is paid nothing either way: no warning about how they would be.
        uses = undefined & active & (weight != 0)
        if uses.any():
            what = "attainment" if component.measure == "attainment" else component.metric
            examples = [f"{q} {c}" for q, c in zip(rows["quarter"][uses], rows["csm_id"][uses])]
            paid_as = "target (f = 1.0)" if component.on_missing == "target" else "zero"
            warnings.append(
                f"component {component.id}: {what} undefined for {len(examples)} CSM-quarter(s), paid as "
                f"{paid_as} (on_missing: {component.on_missing}): " + ", ".join(examples[:10])
                + (" …" if len(examples) > 10 else "")
            )
        payout = rows["target_variable"].to_numpy() * weight * fraction * multiplier
        columns.update(attainment=attainment, fraction=np.where(active, fraction, 0.0))
    else:
        assert isinstance(component, CommissionComponent)
        earned = commission(np.nan_to_num(value), tier_bounds(component, target), [t.rate for t in component.schedule],
                            tiering=component.tiering, allow_negative=component.allow_negative)
        capped = earned if component.cap is None else np.minimum(earned, component.cap)
        payout = capped * multiplier
        columns.update(attainment=np.full(n, np.nan), fraction=np.full(n, np.nan), commission=earned)
    payout = _plausible(payout, active, rows, index, component.id)
    columns["unrounded"] = np.where(active, payout, 0.0)
    columns["payout_cents"] = np.where(active, to_cents(payout), 0)
    return columns


def _weights(component: CurveComponent, rows: pd.DataFrame) -> np.ndarray:
    """Each CSM-quarter's weight of a curve component: one number, or their roster segment's (SPEC 5.4)."""
    spec = component.weight
    if not isinstance(spec, SegmentWeights):
        return np.full(len(rows), float(spec))
    weight = rows["segment"].map(spec.values).to_numpy(dtype="float64")
    if spec.default is not None:
        weight = np.where(np.isnan(weight), spec.default, weight)
    # A segment with no weight was reported by _check_weights; validate carries on paying it nothing.
    return np.nan_to_num(weight)


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


def _plausible(payout: np.ndarray, active: np.ndarray, rows: pd.DataFrame, index: int, component_id: str):
    """Refuse a payout no plan means (it would also overflow integer cents); 0 where validate carries on."""
    absurd = active & ~(np.abs(payout) <= MAX_PAYOUT)  # NaN counts as absurd too
    if absurd.any():
        first = rows[absurd].iloc[0]
        report(PlanError(
            f"component '{component_id}' would pay {payout[absurd][0]:,.0f} to {first.csm_id} in {first.quarter} "
            f"(more than {MAX_PAYOUT:,.0f} in one quarter)",
            location=f"components[{index}]",
            hint="check the plan's rates, curve points, uncapped slope, multipliers and pay_mix",
        ))
        payout = np.where(absurd, 0.0, payout)
    return payout


def tier_bounds(component: CommissionComponent, target: np.ndarray) -> np.ndarray:
    """Tier bounds in currency per CSM–quarter: up_to amounts, or fractions of the target (rounded to 9 places)."""
    up_to = np.array([t.up_to for t in component.schedule[:-1]], dtype="float64")
    if component.target is None:
        # Bounds in currency are rounded to 9 places like every other currency figure.
        return np.broadcast_to(round_half_away(up_to), (len(target), len(up_to)))
    positive_target = np.where(target > 0, target, 0.0)  # a target ≤ 0 (or undefined) makes every bound 0
    return round_half_away(np.nan_to_num(positive_target)[:, None] * up_to[None, :])
