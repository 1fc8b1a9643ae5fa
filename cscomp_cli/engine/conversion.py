"""Pay in another currency than the plan's, converted at the quarter's rate (SPEC 6.3).

A CSM's TV, base and actual base are in their roster currency; every output is in the plan's. The
quarter's rate comes from fx.csv (or the finance team's FX sheet the data map reads): TV is
TV_local × rate, unrounded, so payouts are worked on it like any TV; base and actual base are rounded
to cents once converted. What was paid is converted row by row before a CSM-quarter's rows are summed,
and the sum rounded to cents. Commissions are computed on accounts.csv amounts, already in the plan's
currency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.currencies import reporting_code
from cscomp_cli.core.errors import DataError, report
from cscomp_cli.core.rounding import to_cents
from cscomp_cli.engine.currencies import CURRENCIES_DOC, payout_currencies
from cscomp_cli.engine.roster_lookup import roster_rows
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import FX, PAYOUTS, ROSTER

# The pay columns of a replayed row that are in the CSM's roster currency until converted.
PAY_COLUMNS = ("target_variable", "base", "actual_target_variable", "actual_base")


def fx_rates(dataset: Dataset, reporting: str) -> pd.DataFrame | None:
    """The data's rates (quarter, currency, rate, line) for a plan reporting in ``reporting``: fx.csv's
    (a rate for the plan's own currency must be 1), or the FX sheet's turned the plan's way."""
    return dataset.fx_rates(reporting)


def quarter_rates(quarters: pd.Series, currencies: pd.Series, reporting: str, dataset: Dataset,
                  missing) -> np.ndarray:
    """The rate of each (quarter, currency): 1 for the plan's currency, else fx.csv's. ``missing(at, fx)``
    reports the first pair fx.csv lacks (``at``: its position; ``fx``: the rates, None without fx.csv)."""
    currencies = currencies.astype(object).where(currencies.notna(), reporting).to_numpy(dtype=object)
    rates = np.ones(len(currencies), dtype="float64")
    foreign = currencies != reporting
    if not foreign.any():
        return rates
    fx = fx_rates(dataset, reporting)
    if fx is None:
        missing(int(np.argmax(foreign)), None)
        return rates
    table = pd.Series(fx["rate"].to_numpy(dtype="float64"),
                      index=pd.MultiIndex.from_arrays([fx["quarter"].astype(str), fx["currency"].astype(str)]))
    wanted = pd.MultiIndex.from_arrays([np.asarray(quarters, dtype=object)[foreign].astype(str),
                                        currencies[foreign].astype(str)])
    found = table.reindex(wanted).to_numpy(dtype="float64")
    if np.isnan(found).any():
        missing(int(np.flatnonzero(foreign)[int(np.argmax(np.isnan(found)))]), fx)
        found = np.where(np.isnan(found), 1.0, found)  # only reached while validate collects problems
    rates[foreign] = found
    return rates


def convert_pay(rows: pd.DataFrame, currency: str, dataset: Dataset) -> pd.DataFrame:
    """Each replayed CSM-quarter's pay in the plan's currency: ``pay_currency`` (the roster currency that
    quarter) and ``fx_rate`` (1 for the plan's) added, and the pay columns multiplied by the rate."""
    reporting = reporting_code(currency)
    stated = rows["currency"] if "currency" in rows else pd.Series(None, index=rows.index, dtype=object)
    pay = stated.astype(object).where(stated.notna() & (stated.astype(str) != ""), reporting)
    rates = quarter_rates(rows["quarter"], pay, reporting, dataset,
                          lambda at, fx: _missing_for_pay(rows.iloc[at], str(pay.iloc[at]), reporting, dataset, fx))
    rows["pay_currency"] = pay.to_numpy(dtype=object)
    rows["fx_rate"] = rates
    if (rates != 1).any():
        for column in PAY_COLUMNS:
            if column in rows:
                rows[column] = rows[column].to_numpy(dtype="float64") * rates
    return rows


def actual_cents(dataset: Dataset, rows: pd.DataFrame, window: list[str], currency: str) -> np.ndarray:
    """What each replayed CSM-quarter was paid, in cents of the plan's currency: each payouts row
    converted at its quarter's rate, the CSM-quarter's rows summed, the sum rounded to cents."""
    if dataset.payouts is None:
        return np.zeros(len(rows), dtype="int64")
    paid = paid_in_plan_currency(dataset, window, currency)
    per_csm = paid["amount"].groupby([paid["quarter"], paid["csm_id"]]).sum()
    keys = pd.MultiIndex.from_frame(rows[["quarter", "csm_id"]])
    return to_cents(per_csm.reindex(keys, fill_value=0.0).to_numpy(dtype="float64"))


def paid_in_plan_currency(dataset: Dataset, window: list[str], currency: str) -> pd.DataFrame:
    """payouts.csv's rows in ``window`` with ``amount`` in the plan's currency (unrounded), the amount
    as written in ``local_amount`` and its ``pay_currency`` and ``fx_rate`` beside it."""
    reporting = reporting_code(currency)
    in_window = dataset.payouts["quarter"].isin(window).to_numpy()
    paid = dataset.payouts[in_window].copy()
    currencies = payout_currencies(dataset, reporting)[in_window]
    rates = quarter_rates(paid["quarter"], currencies, reporting, dataset,
                          lambda at, fx: _missing_for_payout(paid.iloc[at], str(currencies.iloc[at]), reporting,
                                                             dataset, fx))
    paid["local_amount"] = paid["amount"]
    paid["pay_currency"] = currencies.to_numpy(dtype=object)
    paid["fx_rate"] = rates
    paid["amount"] = paid["amount"].to_numpy(dtype="float64") * rates
    return paid


def _missing_for_pay(row: pd.Series, code: str, reporting: str, dataset: Dataset, fx) -> None:
    found = roster_rows(dataset.roster, pd.DataFrame({"quarter": [row.quarter], "csm_id": [row.csm_id]}),
                        fields=["name", "line"], calendar=dataset.calendar)
    line = int(found["line"].iloc[0]) if found["line"].notna().iloc[0] else int(row.line)
    where = dataset.origin(ROSTER).at(line, "currency") if found["line"].notna().iloc[0] else \
        dataset.origin(row.source).at(int(row.line), "csm_id")
    _report_missing(f"CSM {row.csm_id} is paid in {code} in {row.quarter}", row.quarter, code, reporting, dataset,
                    fx, where)


def _missing_for_payout(row: pd.Series, code: str, reporting: str, dataset: Dataset, fx) -> None:
    # Point at what says the currency: the row's own currency cell, else the amount (the CSM's roster's).
    stated = isinstance(row.get("currency"), str)
    what = f"this payout to {row.csm_id} is in {code}" + ("" if stated else f", {row.csm_id}'s roster currency")
    _report_missing(what, row.quarter, code, reporting, dataset, fx,
                    dataset.origin(PAYOUTS).at(int(row.line), "currency" if stated else "amount"))


def _report_missing(what: str, quarter: str, code: str, reporting: str, dataset: Dataset, fx, where: dict) -> None:
    line = f"{quarter},{code},<rate>"
    worth = f"the {reporting} that one {code} was worth for amounts of {quarter}"
    if fx is None:
        report(DataError(
            f"{what}, and the plan reports in {reporting}, but the data has no exchange rates ({FX})",
            **where,
            hint=f"add {FX} to the data folder with the columns quarter,currency,rate and a line {line} ({worth}); "
            f"see {CURRENCIES_DOC}"))
        return
    report(DataError(
        f"{what}, and the plan reports in {reporting}, but {dataset.called(FX)} has no rate for {code} in {quarter}",
        **where,
        hint=f"add the line {line} to {dataset.called(FX)} ({worth}); see {CURRENCIES_DOC}"))
