"""An export's conventions read from its cells: how its numbers are written (1,234.56 or 1.234,56), its
dates (month or day first, and when a date cannot tell), its quarter labels and how long payroll lags.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from cscomp_cli.core.quarters import parse_quarter
from cscomp_cli.inputs.guessing.classify import (
    Export,
)
from cscomp_cli.inputs.guessing.words import (
    FISCAL_LABEL,
)


def nonblank(cells: pd.Series) -> pd.Series:
    cells = cells.astype(str).str.strip()
    return cells[cells != ""]


def number_convention(cells: pd.Series) -> tuple[str | None, str]:
    """The number convention the amount cells show ("1,234.56", "1.234,56", "1 234,56"), and why;
    None when no cell settles it."""
    numbers = cells.str.replace(r"[^0-9.,\s\u00a0\u202f]", "", regex=True).str.strip()
    numbers = numbers[numbers != ""]
    dot = numbers.str.contains(r"[0-9]\.(?:[0-9]{1,2}|[0-9]{4,})$|,[0-9]{3}\.|,[0-9]{3},[0-9]{3}", regex=True)
    comma = numbers.str.contains(r"[0-9],(?:[0-9]{1,2}|[0-9]{4,})$|\.[0-9]{3},|\.[0-9]{3}\.[0-9]{3}", regex=True)
    spaced = numbers.str.contains(r"[0-9][\s\u00a0\u202f][0-9]{3}", regex=True)
    if dot.any() and comma.any():
        return None, (f"the cells mix conventions: {numbers[dot].iloc[0]!r} has a decimal point, "
                      f"{numbers[comma].iloc[0]!r} a decimal comma")
    if dot.any():
        return "1,234.56", f"{cells[dot[dot].index[0]]!r} has a decimal point"
    if comma.any():
        style = "1 234,56" if spaced.any() else "1.234,56"
        return style, f"{cells[comma[comma].index[0]]!r} has a decimal comma"
    return None, ""


def ambiguous_number(cells: pd.Series) -> str | None:
    numbers = cells.str.replace(r"[^0-9.,]", "", regex=True)
    hits = cells[numbers.str.fullmatch(r"[0-9]{1,3}[.,][0-9]{3}")]
    return None if hits.empty else hits.iloc[0]


_DATE_FORMATS = [
    ("YYYY-MM-DD", r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"),
    ("DD.MM.YYYY", r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}"),
]


def date_convention(cells: pd.Series) -> tuple[str | None, str, bool]:
    """(format, why, decided) for the date cells of a table."""
    if cells.empty:
        return None, "", True
    for name, pattern in _DATE_FORMATS:
        if cells.str.fullmatch(pattern).all():
            return name, f"every date looks like {cells.iloc[0]!r}", True
    parts = cells.str.extract(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$").astype(float)
    if parts[0].isna().any():
        odd = cells[parts[0].isna()].iloc[0]
        return None, f"{odd!r} is in no date format cscomp reads (YYYY-MM-DD, MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY)", False
    day_first, month_first = (parts[0] > 12).any(), (parts[1] > 12).any()
    if day_first and month_first:
        return None, "some dates have a day first and some a day second", False
    if day_first:
        return "DD/MM/YYYY", f"{cells[parts[0] > 12].iloc[0]!r} can only be day/month", True
    if month_first:
        return "MM/DD/YYYY", f"{cells[parts[1] > 12].iloc[0]!r} can only be month/day", True
    return None, f"every date ({cells.iloc[0]!r}, ...) has day and month of 12 or less: they read both ways", False


def quarter_labels(cells: pd.Series) -> tuple[list[str], bool]:
    """The distinct labels of a quarter column, and whether they are fiscal (FY) labels."""
    distinct = [label for label in pd.unique(nonblank(cells))]
    return distinct, any(re.search(FISCAL_LABEL, label) for label in distinct)


def label_ordinal(label: str) -> int | None:
    """year * 4 + quarter - 1 for a calendar label (2026Q1, Q1 2026, ...), else None."""
    canonical = parse_quarter(label)
    if canonical is None or not re.fullmatch(r"[0-9]{4}Q[1-4]", canonical):  # a fiscal label: no calendar ordinal
        return None
    return int(canonical[:4]) * 4 + int(canonical[5]) - 1


def whole_column(folder: Path, export: Export, header: str) -> list[str]:
    """The distinct values of one column over every file of a CSV export ([] for other formats)."""
    if export.format not in ("csv", "tsv") or not export.delimiter:
        return []
    encoding = {"utf-8": "utf-8-sig"}.get(export.encoding or "utf-8", export.encoding or "utf-8")
    distinct: dict[str, None] = {}
    try:
        for relative in export.files:
            for path in sorted(folder.glob(relative)) if any(c in relative for c in "*?[") else [folder / relative]:
                frame = pd.read_csv(path, sep=export.delimiter, encoding=encoding, dtype=str, keep_default_na=False,
                                    skiprows=export.header_row - 1, usecols=lambda c: str(c).strip() == header,
                                    engine="python" if export.delimiter == "|" else "c", on_bad_lines="skip")
                for column in frame.columns:
                    distinct.update(dict.fromkeys(nonblank(frame[column])))
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return []
    return list(distinct)


def payroll_lag(dates: pd.Series, quarters: set[int]) -> tuple[int, str] | None:
    """The months between a quarter's close and its pay dates that put the pay dates in the quarters
    the accounts cover (the fewest months of those that fit best)."""
    months = dates.dt.year * 12 + dates.dt.month - 1
    # A bonus is paid once its quarter has closed: 0 months back fits only pay dates on a quarter's last day.
    closing = bool(len(dates)) and bool(dates.dt.is_quarter_end.all())
    fits = {}
    for lag in range(0 if closing else 1, 4):
        shifted = months - lag
        ordinals = (shifted // 12) * 4 + (shifted % 12) // 3
        fits[lag] = float(ordinals.isin(quarters).mean())
    best = max(fits.values(), default=0.0)
    if best == 0:
        return None
    # Of lags that fit as well, the fewest months: payroll runs the month after a close far more often.
    tied = [lag for lag, fit in fits.items() if fit >= best - 1e-9]
    return tied[0], f"{best:.0%} of the pay dates then fall in the quarters the accounts cover"
