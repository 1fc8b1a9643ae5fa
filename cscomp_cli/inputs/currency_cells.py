"""Currencies as the data writes them: an ISO 4217 code beside an amount (USD 37,500, 72,000.00 GBP),
and a currency column on the roster and payouts. Each row's currency is settled here, where the file
and line are known; whether it is the plan's is checked once a plan is replayed (engine/currencies.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cscomp_cli.core.currencies import ISO_4217
from cscomp_cli.inputs.export_cells import ARROW_TEXT, holds_pattern
from cscomp_cli.inputs.files import DATA_DOC, Origin, fail_where

# A code in front of the number, after an optional minus or opening parenthesis (USD 37,500,
# -usd1,200, (EUR 1.200,00)); or after it, before an optional closing parenthesis (72,000.00 GBP).
_BEFORE = r"^(?P<lead>[-(]?)\s*(?P<code>[A-Za-z]{3})\s*(?P<rest>[-(]?\s*[$€£]?\s*[0-9.,].*)$"
_AFTER = r"^(?P<rest>.*[0-9.,])\s*(?P<code>[A-Za-z]{3})\s*(?P<tail>\)?)$"

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
    before = text.str.extract(_BEFORE)
    found = before["code"].str.upper().isin(ISO_4217).to_numpy(dtype=bool)
    at = text.index[found]
    stripped[at] = (before["lead"] + before["rest"])[found]
    codes[at] = before["code"][found].str.upper()
    after = text[~found].str.extract(_AFTER)
    tail = after["code"].str.upper().isin(ISO_4217).to_numpy(dtype=bool)
    if tail.any():
        at = after.index[tail]
        stripped[at] = (after["rest"] + after["tail"])[tail]
        codes[at] = after["code"][tail].str.upper()
    return stripped, codes


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
                   stated: pd.Series) -> pd.Series:
    """Each row's currency: its currency cell, else the code its amounts carry (None when nothing says).

    ``written``: per amount column, the code each cell carries (None where none). A code that differs
    from the row's currency cell, or from the code an earlier amount of the row carries, is an error:
    which of the two the row is paid in cannot be known."""
    currency, said_by = stated.copy(), pd.Series("currency", index=stated.index, dtype=object)
    for column, codes in written.items():
        context = table.assign(cell=table[column], code=codes, row=currency, said_by=said_by)
        fail_where(currency.notna() & codes.notna() & (currency != codes), context, origin, column,
                   lambda r, column=column: f"{origin.column(column)} '{r.cell}' is in {r.code}, but "
                   + (f"this row's {origin.column('currency')} is {r.row}" if r.said_by == "currency" else
                      f"{origin.column(r.said_by)} on this row is in {r.row}"),
                   f"give every amount of a row in one currency, the row's currency cell's; {CURRENCY_HINT}")
        said_by = said_by.where(currency.notna(), column)
        currency = currency.where(currency.notna(), codes)
    return currency.astype(object).where(currency.notna(), None)


@dataclass(frozen=True)
class CurrencyMark:
    """The first cell of one column of one table that names a currency: enough to say where it is."""

    table: str  # accounts.csv, roster.csv, payouts.csv, quotas.csv
    column: str  # the canonical column (annual_base, currency)
    code: str
    line: int  # the row key messages point at
    cell: str  # the cell as written
    count: int  # how many cells of the column name this code


def currency_marks(table_name: str, table: pd.DataFrame, columns: dict[str, pd.Series]) -> list[CurrencyMark]:
    """One mark per column and code: where each currency the table names is first written."""
    marks: list[CurrencyMark] = []
    for column, codes in columns.items():
        named = codes[codes.notna()]
        for code, count in named.value_counts(sort=False).items():
            first = named.index[int(np.argmax((named == code).to_numpy()))]
            marks.append(CurrencyMark(table_name, column, str(code), int(table.at[first, "line"]),
                                      str(table.at[first, column]), int(count)))
    return marks
