"""Currencies as the data writes them: an ISO 4217 code beside an amount (USD 37,500, 72,000.00 GBP)
or a sign in front of it ($37,500 is USD, €1.200,00 EUR, £900 GBP), and a currency column on the roster and payouts. Each row's currency is settled here, where the file
and line are known; whether it is the plan's is checked once a plan is replayed (engine/currencies.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cscomp_cli.core.currencies import ISO_4217, SIGN_CODES
from cscomp_cli.inputs.export_cells import ARROW_TEXT, extract_pattern, holds_pattern
from cscomp_cli.inputs.files import DATA_DOC, Origin, fail_where

# A code in front of the number, after an optional minus or opening parenthesis (USD 37,500,
# -usd1,200, (EUR 1.200,00)); or after it, before an optional closing parenthesis (72,000.00 GBP).
# RE2 patterns (pyarrow runs them over a column at once); spaces include no-break ones, as Python's \s did.
SPACE = r"[\s\v\pZ]"
_BEFORE = rf"^(?P<lead>[-(]?){SPACE}*(?P<code>[A-Za-z]{{3}}){SPACE}*(?P<rest>[-(]?{SPACE}*[$€£]?{SPACE}*[0-9.,].*)$"
_AFTER = rf"^(?P<rest>.*[0-9.,]){SPACE}*(?P<code>[A-Za-z]{{3}}){SPACE}*(?P<tail>\)?)$"

CURRENCY_HINT = f"see currencies in {DATA_DOC}"


def split_codes(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Amount cells without the ISO 4217 code some carry before or after the number, and that code in
    upper case (None where a cell carries none). Three letters that are not a currency code are left in
    the cell, so the amount parser refuses it rather than dropping a word it does not know."""
    text = cells.astype(object)
    codes = pd.Series(None, index=text.index, dtype=object)
    if text.empty:
        return text, codes
    # Only cells with a letter can carry a code: a million $1,234.50 cells skip the Python regexes.
    lettered = holds_pattern(cells.astype(ARROW_TEXT), "[A-Za-z]").to_numpy(dtype=bool)
    if not lettered.any():
        return text, codes
    stripped = text.copy()
    text = text[lettered]
    before = extract_pattern(text, _BEFORE).fillna("")
    found = before["code"].str.upper().isin(ISO_4217).to_numpy(dtype=bool)
    at = text.index[found]
    stripped[at] = (before["lead"] + before["rest"])[found]
    codes[at] = before["code"][found].str.upper()
    after = extract_pattern(text[~found], _AFTER).fillna("")
    tail = after["code"].str.upper().isin(ISO_4217).to_numpy(dtype=bool)
    if tail.any():
        at = after.index[tail]
        stripped[at] = (after["rest"] + after["tail"])[tail]
        codes[at] = after["code"][tail].str.upper()
    return stripped, codes


def as_code(written: pd.Series) -> pd.Series:
    """The ISO 4217 code of each currency a cell names: a code as it is, a sign ($, €, £) as its code."""
    return written.where(~written.isin(list(SIGN_CODES)), written.map(SIGN_CODES))


def two_currencies(codes: pd.Series, signs: pd.Series, context: pd.DataFrame, origin: Origin, column: str) -> None:
    """Refuse a cell whose code and sign name different currencies (EUR $100): which it is paid in cannot
    be known."""
    fail_where(codes.notna() & signs.notna() & (codes != as_code(signs)),
               context.assign(code=codes, sign=signs), origin, column,
               lambda r: f"'{r.cell}' names two currencies: {r.code} and {r.sign} ({SIGN_CODES[r.sign]})",
               f"write the amount with one currency, its code or its sign; {CURRENCY_HINT}")


def currency_column(table: pd.DataFrame, origin: Origin, column: str = "currency") -> pd.Series:
    """A currency column: ISO 4217 codes in any case, upper-cased; a blank cell is None (no currency said)."""
    cells = table[column].astype(object) if column in table else pd.Series("", index=table.index, dtype=object)
    codes = cells.str.strip().str.upper()
    # Under a data map the export is not edited by hand: its words for a currency are mapped to codes.
    fix = (f"map the export's words to codes under {origin.zero_key.removesuffix('.zero')}.columns.{column} "
           f"in the data map (values: {{US Dollar: USD}})" if origin.zero_key else
           "write a three-letter code such as USD, EUR or GBP, or leave the cell blank for the plan's currency")
    fail_where((codes != "") & ~codes.isin(ISO_4217), table.assign(cell=cells), origin, column,
               lambda r: f"'{r.cell}' is not an ISO 4217 currency code", f"{fix}; {CURRENCY_HINT}")
    return codes.where((codes != "") & codes.isin(ISO_4217), None)


def row_currencies(table: pd.DataFrame, origin: Origin, written: dict[str, pd.Series],
                   stated: pd.Series) -> pd.DataFrame:
    """Each row's currency as its cells say it: ``currency``, its currency cell (None when blank), and
    where that is blank, the currency its amounts name (``written_currency``, None when none; with the
    ``written_column`` and ``written_cell`` that name it first, and ``written_sign`` when only a sign
    does). Which currency a blank cell means (the plan's, or for payouts the CSM's roster currency) is
    settled in the engine (engine/currencies.py), once the plan and the roster are known.

    ``written``: per amount column, the code or sign each cell carries (None where none). A code that
    differs from the row's currency cell, or from the code an earlier amount of the row carries, is an
    error: which of the two the row is paid in cannot be known. So is a sign that differs from the
    currency the row's cell or codes say."""
    currency, said_by = stated.copy(), pd.Series("currency", index=stated.index, dtype=object)
    signs = {column: cells.where(cells.isin(list(SIGN_CODES))) for column, cells in written.items()}
    for column, cells in written.items():
        codes = cells.where(~cells.isin(list(SIGN_CODES)))
        _refuse_other(table, origin, column, codes, currency, said_by)
        said_by = said_by.where(currency.notna(), column)
        currency = currency.where(currency.notna(), codes)
    by_sign = currency.isna()
    for column, cells in signs.items():
        _refuse_other(table, origin, column, as_code(cells), currency, said_by)
        said_by = said_by.where(currency.notna(), column)
        currency = currency.where(currency.notna(), as_code(cells))
    unstated = stated.isna() & currency.notna()
    cell = pd.Series(None, index=table.index, dtype=object)
    for column in written:
        cell = cell.where(said_by != column, table[column].astype(object))
    return pd.DataFrame({
        "currency": stated.astype(object).where(stated.notna(), None),
        "written_currency": currency.astype(object).where(unstated, None),
        "written_column": said_by.where(unstated, None),
        "written_cell": cell.where(unstated, None),
        "written_sign": (unstated & by_sign).astype(bool),
    }, index=table.index)


def _refuse_other(table: pd.DataFrame, origin: Origin, column: str, codes: pd.Series, currency: pd.Series,
                  said_by: pd.Series) -> None:
    context = table.assign(cell=table[column], code=codes, row=currency, said_by=said_by)
    fail_where(currency.notna() & codes.notna() & (currency != codes), context, origin, column,
               lambda r: f"{origin.column(column)} '{r.cell}' is in {r.code}, but "
               + (f"this row's {origin.column('currency')} is {r.row}" if r.said_by == "currency" else
                  f"{origin.column(r.said_by)} on this row is in {r.row}"),
               f"give every amount of a row in one currency, the row's currency cell's; {CURRENCY_HINT}")


@dataclass(frozen=True)
class CurrencyMark:
    """The first cell of one column of one table that names a currency: enough to say where it is."""

    table: str  # accounts.csv, roster.csv, payouts.csv, quotas.csv
    column: str  # the canonical column (annual_base, currency)
    code: str  # the ISO 4217 code
    line: int  # the row key messages point at
    cell: str  # the cell as written
    count: int  # how many cells of the column name this code
    sign: str | None = None  # the sign these cells write instead of a code ($), else None


def currency_marks(table_name: str, table: pd.DataFrame, columns: dict[str, pd.Series]) -> list[CurrencyMark]:
    """One mark per column and code or sign: where each currency the table names is first written."""
    marks: list[CurrencyMark] = []
    for column, codes in columns.items():
        named = codes[codes.notna()]
        for written, count in named.value_counts(sort=False).items():
            first = named.index[int(np.argmax((named == written).to_numpy()))]
            sign = written if written in SIGN_CODES else None
            marks.append(CurrencyMark(table_name, column, SIGN_CODES.get(written, str(written)),
                                      int(table.at[first, "line"]), str(table.at[first, column]), int(count), sign))
    return marks
