"""Months as finance sheets write them (2025-07, 2025/07, 07/2025, Jul 2025, July 2025, Jul-25, a
first-of-month date 2025-07-01), as one number per month: year × 12 + month − 1."""

from __future__ import annotations

import re

import pandas as pd

from cscomp_cli.core.quarters import MONTHS, month_number

_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?(?:[ T]00:00(?::00)?)?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_NAME_YEAR = re.compile(r"^([A-Za-z]{3,9})\.?[ \-/]?'?(\d{4}|\d{2})$")
_YEAR_NAME = re.compile(r"^(\d{4})[ \-/]([A-Za-z]{3,9})\.?$")


def month_index(text: str) -> int | None:
    """One cell's month as year × 12 + month − 1, or None when it names no month of one year."""
    cell = str(text).strip()
    for pattern, year_at, month_at in ((_YEAR_MONTH, 1, 2), (_MONTH_YEAR, 2, 1), (_NAME_YEAR, 2, 1),
                                       (_YEAR_NAME, 1, 2)):
        found = pattern.match(cell)
        if found:
            year, month = found.group(year_at), month_number(found.group(month_at))
            if month is None:
                return None
            return (int(year) if len(year) == 4 else 2000 + int(year)) * 12 + month - 1
    return None


def month_indexes(cells: pd.Series) -> pd.Series:
    """month_index for a column of cells (NaN where a cell names no month), each distinct cell parsed once."""
    codes, distinct = pd.factorize(cells.astype(object))
    parsed = pd.Series([month_index(text) for text in distinct], dtype="float64")
    values = parsed.to_numpy()[codes] if len(parsed) else parsed.to_numpy()
    return pd.Series(values, index=cells.index, dtype="float64").where(codes >= 0)


def month_label(index: int) -> str:
    """'July 2025' for a month index."""
    return f"{MONTHS[int(index) % 12]} {int(index) // 12}"
