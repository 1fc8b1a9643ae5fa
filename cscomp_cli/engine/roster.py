"""Who is replayed, and on what pay: every CSM owning accounts or paid in a replayed quarter, joined to
their roster row, prorated by the days they were employed, and the plan's pay mix applied.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.currencies import plan_currency_code
from cscomp_cli.core.errors import DataError, PlanError, report
from cscomp_cli.engine.payouts import MAX_PAYOUT
from cscomp_cli.engine.roster_lookup import is_history, pay_periods, roster_rows
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import ACCOUNTS, PAYOUTS, ROSTER
from cscomp_cli.plan.model import Plan


def replayed_csms(dataset: Dataset, accounts: pd.DataFrame, window: list[str], grouping) -> pd.DataFrame:
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


def attach_roster(rows: pd.DataFrame, dataset: Dataset) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Join each CSM–quarter to its roster row (a row for that quarter wins over an every-quarter row; in
    a pay history the row in force on the last employed day) and prorate its pay by the days employed.

    Also the pay periods of a history (None otherwise): one row per CSM–quarter and pay row in force in
    it, with ``key`` (the position in the rows), segment, annual_base, annual_variable and ``share`` (its
    days over the quarter's), which apply_pay_mix needs to apply the plan's mix row by row (SPEC 6.2)."""
    joined = roster_rows(dataset.roster, rows, calendar=dataset.calendar)
    unmatched = joined["name"].isna()
    if unmatched.any():
        first = joined[unmatched].iloc[0]
        count = int(unmatched.sum())
        more = f" ({count - 1} more CSM-quarters like it)" if count > 1 else ""
        dated = is_history(dataset.roster)
        report(DataError(
            f"CSM {first.csm_id} appears in {first.quarter} but {dataset.called(ROSTER)} has no row for them in that quarter"
            + (" (no row of theirs is in force on any day of it)" if dated else "") + more,
            **dataset.origin(first.source).at(first.line, "csm_id"),
            hint=(f"add a row for {first.csm_id} to {dataset.called(ROSTER)} with an effective_date on or before the "
                  f"quarter's last day (or a blank one, from the beginning), or correct the csm_id" if dated else
                  f"add {first.csm_id} to {dataset.called(ROSTER)} (with quarter {first.quarter}, or with no quarter to "
                  "cover every quarter), or correct the csm_id"),
        ))
        # Only reached while validate collects problems: carry on without them.
        joined = joined[~unmatched].reset_index(drop=True)

    # The quarter's real days in the data's calendar: FY2027Q1 from February has 89, 2026Q3 has 92.
    first_day, last_day = dataset.calendar.day_numbers(joined["quarter"].to_numpy())
    quarter_days = (last_day - first_day).astype("int64") + 1
    if is_history(dataset.roster):
        return _split_by_day(joined, dataset, quarter_days)
    start = joined["start_date"].to_numpy(dtype="datetime64[D]")
    end = joined["end_date"].to_numpy(dtype="datetime64[D]")
    start = np.where(np.isnat(start), first_day, np.maximum(start, first_day))
    end = np.where(np.isnat(end), last_day, np.minimum(end, last_day))
    employed = np.maximum((end - start).astype("int64") + 1, 0)
    joined["proration"] = employed / quarter_days
    joined["actual_target_variable"] = joined["annual_variable"].to_numpy(dtype="float64") / 4 * joined["proration"]
    joined["actual_base"] = joined["annual_base"].to_numpy(dtype="float64") / 4 * joined["proration"]
    joined["pay_rows"] = np.ones(len(joined), dtype="int64")
    return joined, None


def _split_by_day(joined: pd.DataFrame, dataset: Dataset, quarter_days: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A pay history's quarters: TV = Σ over the rows in force annual_variable / 4 × days_row / days(q)."""
    roster = dataset.roster
    periods = pay_periods(roster, joined, dataset.calendar)
    pay = roster.loc[periods["row"], ["segment", "annual_base", "annual_variable", "currency", "line"]]
    periods = pd.concat([periods[["key", "days"]].reset_index(drop=True), pay.reset_index(drop=True)], axis=1)
    periods["currency"] = periods["currency"].astype(object).where(periods["currency"].notna(), "")
    # Consecutive rows with the same pay, segment and currency are one period: a history whose rows all
    # carry the same pay gives section 1's TV to the last bit (one product, not a sum of pieces).
    periods = (periods.groupby(["key", "segment", "annual_base", "annual_variable", "currency"], sort=False)
               .agg(days=("days", "sum"), line=("line", "max")).reset_index())
    key = periods["key"].to_numpy()
    periods["share"] = periods["days"].to_numpy() / quarter_days[key]
    n = len(joined)
    employed = np.bincount(key, weights=periods["days"].to_numpy(dtype="float64"), minlength=n)
    joined["proration"] = employed / quarter_days
    joined["actual_target_variable"] = _summed(periods, periods["annual_variable"].to_numpy(dtype="float64"), n)
    joined["actual_base"] = _summed(periods, periods["annual_base"].to_numpy(dtype="float64"), n)
    joined["pay_rows"] = np.bincount(key, minlength=n).astype("int64")
    return joined, periods


def _summed(periods: pd.DataFrame, annual: np.ndarray, n: int) -> np.ndarray:
    """Per CSM–quarter: Σ annual / 4 × share over its pay periods (0 without any)."""
    return np.bincount(periods["key"].to_numpy(), weights=annual / 4 * periods["share"].to_numpy(), minlength=n)


def check_pay_currencies(rows: pd.DataFrame, periods: pd.DataFrame | None, currency: str, dataset: Dataset) -> None:
    """The roster rows in force during one quarter must pay in one currency (SPEC 6.3): a quarter's TV is
    one amount, converted at one rate. A blank currency is the plan's ``currency``."""
    if periods is None or periods.empty:
        return
    plan_code = plan_currency_code(currency) or currency.strip()
    codes = periods["currency"].where(periods["currency"] != "", plan_code).str.upper()
    kinds = codes.groupby(periods["key"]).nunique()
    mixed = kinds[kinds > 1]
    if mixed.empty:
        return
    at = int(mixed.index[0])
    row = rows.iloc[at]
    mine = periods["key"].to_numpy() == at
    written = codes[mine].tolist()
    more = len(mixed) - 1
    report(DataError(
        f"CSM {row.csm_id}'s {dataset.called(ROSTER)} rows in force during {row.quarter} pay in different "
        f"currencies ({' and '.join(dict.fromkeys(written))}; a blank currency is the plan's, {plan_code})"
        + (f" ({more} more CSM-quarters like it)" if more else ""),
        **dataset.origin(ROSTER).at(int(periods["line"][mine].max()), "currency"),
        hint="a quarter's pay is in one currency: give the rows in force in it the same currency, or make the "
             "change of currency effective on the first day of a quarter; see 'Raises and transfers: "
             "effective_date' in docs/data.md"))


def _mixed(annual_base: np.ndarray, annual_variable: np.ndarray, who: pd.DataFrame, plan: Plan
           ) -> tuple[np.ndarray, np.ndarray]:
    """Annual base and variable after the plan's pay_mix, for the segment of each row of ``who``
    (segment, csm_id, quarter)."""
    mix = plan.pay_mix
    if mix is None:
        return annual_base, annual_variable
    if isinstance(mix.variable_pct, dict):
        pct = who["segment"].map(mix.variable_pct)
        if pct.isna().any():
            first = who[pct.isna()].iloc[0]
            report(PlanError(
                f"no variable_pct for segment '{first.segment}' (CSM {first.csm_id} in {first.quarter})",
                location="pay_mix.variable_pct",
                hint=f"add '{first.segment}: <percent>' to pay_mix.variable_pct, or give one number for everybody",
            ))
        p = pct.fillna(0.0).to_numpy(dtype="float64") / 100
    else:
        p = np.full(len(who), mix.variable_pct / 100)
    if mix.hold == "ote":
        ote = annual_base + annual_variable
        annual_variable, annual_base = ote * p, ote * (1 - p)
    else:
        annual_variable = annual_base * p / (1 - p)
        absurd = annual_variable / 4 > MAX_PAYOUT
        if absurd.any():
            first = who[absurd].iloc[0]
            report(PlanError(f"pay_mix makes {first.csm_id}'s annual variable {annual_variable[absurd][0]:,.0f} "
                             f"in {first.quarter}", location="pay_mix.variable_pct",
                             hint="with hold: base, variable = base × p / (1 − p); a variable_pct near 100 explodes"))
            annual_variable = np.where(absurd, 0.0, annual_variable)
    return annual_base, annual_variable


def apply_pay_mix(rows: pd.DataFrame, plan: Plan, periods: pd.DataFrame | None = None) -> pd.DataFrame:
    """The plan's quarterly target variable and base (the roster's unless the plan has a pay_mix).

    ``periods`` (attach_roster's, for a pay history): the mix applies to each pay row with that row's
    segment, before proration by its days."""
    if periods is None:
        annual_base, annual_variable = _mixed(rows["annual_base"].to_numpy(dtype="float64"),
                                              rows["annual_variable"].to_numpy(dtype="float64"), rows, plan)
        proration = rows["proration"].to_numpy()
        rows["target_variable"] = annual_variable / 4 * proration
        rows["base"] = annual_base / 4 * proration
        return rows
    key = periods["key"].to_numpy()
    who = pd.DataFrame({"segment": periods["segment"].to_numpy(), "csm_id": rows["csm_id"].to_numpy()[key],
                        "quarter": rows["quarter"].to_numpy()[key]})
    annual_base, annual_variable = _mixed(periods["annual_base"].to_numpy(dtype="float64"),
                                          periods["annual_variable"].to_numpy(dtype="float64"), who, plan)
    rows["target_variable"] = _summed(periods, annual_variable, len(rows))
    rows["base"] = _summed(periods, annual_base, len(rows))
    return rows


def full_quarter_pay(rows: pd.DataFrame, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Each row's quarterly target variable and base under the plan on the pay of its roster row (the
    one in force on the last employed day), unprorated: the pay going forward after a raise."""
    annual_base, annual_variable = _mixed(rows["annual_base"].to_numpy(dtype="float64"),
                                          rows["annual_variable"].to_numpy(dtype="float64"), rows, plan)
    return annual_variable / 4, annual_base / 4
