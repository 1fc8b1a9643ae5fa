"""Which currency each amount of the data is in (SPEC 6.3), checked before any replay.

accounts.csv and quotas.csv are in the plan's currency (the reporting currency): a code naming another
is refused. A roster row is in its ``currency`` cell's currency, or the plan's when blank; a payouts row
in its own cell's, or else in the paid CSM's roster currency that quarter. An amount whose code names
another currency than its row's is refused, file, line and both codes named: summed as if it were the
row's, it would be a wrong number printed with confidence. A sign alone ($, €, £) that names another
currency than its row's is read as the row's currency, as the contract reads an amount like €1234, and
said in a warning.
"""

from __future__ import annotations

import pandas as pd

from cscomp_cli.core.currencies import SIGN_CODES, plan_currency_code
from cscomp_cli.core.errors import DataError, DataWarning, report
from cscomp_cli.engine.roster_lookup import roster_rows
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import DATA_DOC, PAYOUTS, ROSTER, fail_where

PLANS_DOC = "docs/plans.md"
CURRENCIES_DOC = f"'Currencies and exchange rates' in {DATA_DOC}"


def check_currencies(currency: str, plan_name: str, dataset: Dataset) -> list[DataWarning]:
    """Refuse the first amount of the data whose code is not its row's currency (accounts and quotas:
    the plan's ``currency``); the warnings for amounts whose sign names another currency than their row's.
    """
    reporting = plan_currency_code(currency)
    warnings = _plan_currency_amounts(currency, reporting, plan_name, dataset)
    if reporting is None:
        # A plan in '$' names no code: a currency a row states cannot be compared with it, but amounts
        # written with the plan's own sign are the plan's.
        _refuse_unnamed_plan_currency(currency, plan_name, dataset)
        own = SIGN_CODES.get(currency.strip())
        for table, frame in ((ROSTER, dataset.roster), (PAYOUTS, dataset.payouts)):
            if frame is not None:
                warnings.extend(_row_amounts(table, pd.Series(currency.strip(), index=frame.index, dtype=object),
                                             dataset, plan_name, currency.strip(), ignore_sign=own))
        return warnings
    warnings.extend(_row_amounts(ROSTER, roster_currencies(dataset.roster, reporting), dataset, plan_name, reporting))
    if dataset.payouts is not None:
        warnings.extend(_row_amounts(PAYOUTS, payout_currencies(dataset, reporting), dataset, plan_name, reporting))
    return warnings


def roster_currencies(roster: pd.DataFrame, reporting: str) -> pd.Series:
    """Each roster row's currency: its currency cell, or the plan's (``reporting``) when blank."""
    stated = roster["currency"] if "currency" in roster else pd.Series(None, index=roster.index, dtype=object)
    return stated.astype(object).where(stated.notna(), reporting)


def payout_currencies(dataset: Dataset, reporting: str) -> pd.Series:
    """Each payouts row's currency: its currency cell, or else the paid CSM's roster currency in that
    quarter (the currency of the row in force on their last employed day of it), or the plan's for
    someone the roster does not know."""
    payouts = dataset.payouts
    stated = payouts["currency"] if "currency" in payouts else pd.Series(None, index=payouts.index, dtype=object)
    blank = stated.isna().to_numpy()
    currencies = stated.astype(object).copy()
    if blank.any():
        keys = payouts.loc[blank, ["quarter", "csm_id"]]
        found = roster_rows(dataset.roster, keys, fields=["name", "currency"], calendar=dataset.calendar)
        roster_code = found["currency"].astype(object) if "currency" in found else pd.Series(None, index=found.index)
        currencies[blank] = roster_code.where(roster_code.notna(), reporting).to_numpy()
    return currencies.where(currencies.notna(), reporting)


def _row_amounts(table: str, currencies: pd.Series, dataset: Dataset, plan_name: str, reporting: str | None,
                 ignore_sign: str | None = None) -> list[DataWarning]:
    """A roster or payouts amount carrying a code other than its row's currency is refused; one carrying
    a sign of another currency is read as the row's and warned about (once per table)."""
    frame = dataset.roster if table == ROSTER else dataset.payouts
    if "written_currency" not in frame:
        return []
    origin = dataset.origin(table)
    context = frame.assign(row_currency=currencies)
    written = frame["written_currency"]
    differs = written.notna() & (written != currencies)
    coded = differs & ~frame["written_sign"].astype(bool)
    if coded.any():
        column = str(frame.loc[coded.idxmax(), "written_column"])
        fail_where(coded & (frame["written_column"] == column), context, origin, column,
                   lambda r: _other_code(r, table, dataset),
                   _other_code_hint(table, dataset))
    signed = differs & frame["written_sign"].astype(bool)
    if ignore_sign is not None:
        signed &= written != ignore_sign
    warnings = []
    for (column, code, currency), group in context[signed].groupby(
            ["written_column", "written_currency", "row_currency"], sort=False):
        first = group.iloc[0]
        count = len(group)
        cells = f"{count} cells carry" if count > 1 else "1 cell carries"
        sign = next(s for s, c in SIGN_CODES.items() if c == code)
        rows = f"plan '{plan_name}' reports in {currency}" if currency == reporting else \
            f"{'these rows are' if count > 1 else 'this row is'} in {currency}"
        warnings.append(DataWarning(
            f"{cells} the sign {sign}, the sign of {code} (first '{first.written_cell}'), but {rows}; they are "
            f"read as {currency}, as written without the sign",
            **origin.at(int(first.line), column),
            hint=f"if these amounts are in {code}, write {code} in the row's currency column; see {CURRENCIES_DOC}"))
    return warnings


def _other_code(row, table: str, dataset: Dataset) -> str:
    origin = dataset.origin(table)
    said = f"{origin.column('currency')} {row.currency}" if isinstance(row.currency, str) else None
    if said:
        why = f"this row's {said}"
    elif table == ROSTER:
        why = "this row has no currency, so it is in the plan's"
    else:
        why = f"this row has no currency, so it is in {row.csm_id}'s roster currency for {row.quarter}"
    return (f"{origin.column(row.written_column)} '{row.written_cell}' is in {row.written_currency}, but {why}, "
            f"{row.row_currency}")


def _other_code_hint(table: str, dataset: Dataset) -> str:
    if table == ROSTER:
        return (f"write the currency the CSM is paid in in the row's currency column (add a currency column to "
                f"{dataset.called(ROSTER)}); see {CURRENCIES_DOC}")
    return (f"write the currency of the amount in the row's currency column (add a currency column to "
            f"{dataset.called(PAYOUTS)}), or give the CSM's roster row that currency; see {CURRENCIES_DOC}")


def _plan_currency_amounts(currency: str, reporting: str | None, plan_name: str, dataset: Dataset
                           ) -> list[DataWarning]:
    """accounts.csv and quotas.csv are in the plan's currency: a code naming another is refused, a sign
    naming another is read as the plan's and warned about, one warning per column and sign."""
    warnings = []
    for mark in dataset.currencies:
        if mark.table in (ROSTER, PAYOUTS):
            continue  # checked row by row against each row's own currency
        if mark.code == reporting or (mark.sign is not None and mark.sign == currency.strip()):
            continue
        origin = dataset.origin(mark.table)
        header = origin.column(mark.column)
        more = f" ({mark.count - 1} more cell{'s' if mark.count > 2 else ''} in {mark.code} in this column)" \
            if mark.count > 1 else ""
        if mark.sign is not None:
            cells = f"{mark.count} cells carry" if mark.count > 1 else "1 cell carries"
            warnings.append(DataWarning(
                f"{cells} the sign {mark.sign}, the sign of {mark.code} (first '{mark.cell}'), "
                f"but plan '{plan_name}' reports in {reporting or currency}; they are read as "
                f"{reporting or currency}, as written without the sign",
                **origin.at(mark.line, mark.column),
                hint=f"if these amounts are in {mark.code}, convert them in the export; write {mark.code} beside "
                f"them to have cscomp refuse them instead; see {CURRENCIES_DOC}"))
            continue
        written = f"{header} '{mark.cell}' is in {mark.code}"
        if reporting is None:
            raise DataError(
                f"{written}, but plan '{plan_name}' gives its currency as '{currency}', which "
                f"names no ISO 4217 code{more}",
                **origin.at(mark.line, mark.column),
                hint=f"write the plan's currency as a code (currency: {mark.code} if the plan reports in "
                f"{mark.code}); see currency in {PLANS_DOC}")
        raise DataError(
            f"{written}, but {dataset.called(mark.table)} is in the plan's currency: plan '{plan_name}' reports "
            f"in {reporting}{more}",
            **origin.at(mark.line, mark.column),
            hint=f"give the {dataset.called(mark.table)} amounts in {reporting} (convert them in the export), or "
            f"set currency: {mark.code} in the plan if it should report in {mark.code}; see {CURRENCIES_DOC}")
    return warnings


def _refuse_unnamed_plan_currency(currency: str, plan_name: str, dataset: Dataset) -> None:
    """A plan whose currency names no code ($) cannot say which roster or payouts rows are in another."""
    for table in (ROSTER, PAYOUTS):
        frame = dataset.roster if table == ROSTER else dataset.payouts
        if frame is None:
            continue
        for column in ("currency", "written_currency"):
            said = frame[column].notna() if column == "currency" else \
                frame[column].notna() & ~frame["written_sign"].astype(bool)
            if column in frame and said.any():
                at = said.idxmax()
                origin = dataset.origin(table)
                where = "currency" if column == "currency" else str(frame.at[at, "written_column"])
                report(DataError(
                    f"{origin.column(where)} on this row is in {frame.at[at, column]}, but plan '{plan_name}' gives "
                    f"its currency as '{currency}', which names no ISO 4217 code",
                    **origin.at(int(frame.at[at, "line"]), where),
                    hint=f"write the plan's currency as a code (currency: USD); see currency in {PLANS_DOC}"))
                return
