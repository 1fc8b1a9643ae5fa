"""Amounts and dates as exports write them: a currency code or symbol around the number, the map's decimal
mark, dates in the style the map names (or the one the cells show), and quarters from pay dates.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, DataWarning, note, report
from cscomp_cli.core.quarters import Calendar, fiscal_evidence
from cscomp_cli.inputs.currency_cells import split_codes
from cscomp_cli.inputs.datamap import (
    DATE_STYLES,
    MAP_FILE,
    Source,
    Table,
)
from cscomp_cli.inputs.export_cells import ARROW_TEXT, as_text, holds_pattern
from cscomp_cli.inputs.files import (
    DATA_DOC,
    Origin,
)

# A currency sign after the number (230.200,00 €, (230,00) €): the amount parser reads $, € and £ in
# front only, so the sign is moved there (after a minus or an opening parenthesis), where it still says
# the amount's currency.
_SIGN_AFTER = r"^(?P<lead>[-(]?)(?P<body>.*[0-9.,)])\s*(?P<sign>[$€£])$"


def amount_text(values: pd.Series, table: Table, column: str) -> pd.Series:
    """Amount cells as the amount parser reads them: the map's zero cells as 0, a sign after the number
    moved in front of it, and a currency code, before or after it, written after it (1.200,00 EUR), where the parser
    takes it to check it is the row's currency."""
    text = as_text(values)
    if table.zero:
        zero = {z.strip() for z in table.zero}
        # A blank arr_end is derived from the movements, not read as 0.
        if column == "arr_end":
            zero.discard("")
        text = text.where(~text.isin(zero), "0")
    # Only the few cells with a letter, a space or a symbol at the end need the (Python) regexes below.
    odd = holds_pattern(text, r"[A-Za-z\s]|[€£$]$")
    if bool(odd.any()):
        fixed, codes = split_codes(text[odd])
        fixed = fixed.str.replace(_SIGN_AFTER, r"\g<lead>\g<sign>\g<body>", regex=True)
        if table.numbers == "1 234,56":  # spaces (or no-break spaces) group thousands
            fixed = fixed.str.replace(r"(?<=[0-9])[\s\u00a0\u202f](?=[0-9]{3})", "", regex=True)
        fixed = fixed.str.strip()
        fixed = fixed.where(codes.isna(), fixed + " " + codes.fillna(""))
        text = text.astype(object).where(~odd, fixed)
    return _plain_amounts(as_text(text), table.decimal)


def _plain_amounts(text: pd.Series, decimal: str | None) -> pd.Series:
    """Well-formed grouped amounts (230,200.00, 230.200,00) without their grouping, in one Arrow pass, so
    the amount parser's fast path reads them; any other cell is left as written for its checks and
    messages (a sign, $230,200.00, says the amount's currency, so those cells keep theirs). Only when the map states the number style: under auto, the grouping is what
    tells the styles apart."""
    if decimal is None:
        return text
    group, point = (",", r"\.") if decimal == "." else (r"\.", ",")
    grouped = rf"^[0-9]{{1,3}}(?:{group}[0-9]{{3}})+(?:{point}[0-9]*)?$"
    tidy = holds_pattern(text, grouped)
    if not bool(tidy.any()):
        return text
    import pyarrow as pa
    import pyarrow.compute as pc

    stripped = pd.Series(pc.replace_substring_regex(pa.array(text[tidy].array), group, ""),
                         index=text[tidy].index, dtype=ARROW_TEXT)
    return text.where(~tidy, stripped)


_DATE_SHAPES = re.compile(r"^\s*([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})\s*$")


def _date_style(cells: pd.Series, table: Table, where: str, origin: Origin, header: str, lines: pd.Series) -> str:
    """The table's date style: the map's, or the one its cells prove (a day above 12 settles day-first)."""
    if table.dates != "auto":
        return DATE_STYLES[table.dates]
    written = cells[cells != ""]
    if written.empty or written.str.match(r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}").all():
        return "%Y-%m-%d"
    parts = written.str.extract(_DATE_SHAPES)
    if parts[0].isna().any():
        first = parts[0].isna().idxmax()
        raise DataError(f"'{written[first]}' is not a date cscomp can read", **origin.at(lines[first], header),
                        hint=f"set {where} in {MAP_FILE} to the export's date style (YYYY-MM-DD, MM/DD/YYYY, "
                        f"DD/MM/YYYY or DD.MM.YYYY); see {DATA_DOC}")
    first_part, second_part = parts[0].astype(int), parts[1].astype(int)
    separator = "." if written.iloc[0].strip()[2:3] == "." or "." in written.iloc[0] else (
        "-" if "-" in written.iloc[0] else "/")
    day_first, month_first = bool((first_part > 12).any()), bool((second_part > 12).any())
    if day_first and month_first:
        raise DataError(f"the dates in {header} are written both day-first and month-first",
                        **origin.at(lines[(first_part > 12).idxmax()], header),
                        hint=f"set {where} in {MAP_FILE}, and correct the cells written the other way; see {DATA_DOC}")
    if not day_first and not month_first:
        example = written.iloc[0]
        raise DataError(f"the dates in {header} ('{example}') could be day-first or month-first, and no cell shows which",
                        **origin.at(lines[written.index[0]], header),
                        hint=f"set {where} in {MAP_FILE} to MM/DD/YYYY or DD/MM/YYYY (or DD.MM.YYYY); see {DATA_DOC}")
    return f"%d{separator}%m{separator}%Y" if day_first else f"%m{separator}%d{separator}%Y"


def _parse_dates(values: pd.Series, table: Table, header: str, cells: pd.DataFrame, origin: Origin,
                 where: str, dated: pd.Series | None = None) -> pd.Series:
    """The cells as dates: text in the map's date style (or the one the text shows); a real date cell of a
    workbook or Parquet file (``dated``, by row key), arriving as YYYY-MM-DD, is a date whatever that style."""
    real = dated.reindex(values.index, fill_value=False).to_numpy(dtype=bool) if dated is not None else None
    text_cells = values if real is None or not real.any() else values.where(~real, "")
    style = _date_style(text_cells, table, where, origin, header, cells["line"])
    # A spreadsheet's dates arrive as 2026-04-15 00:00:00: the day is what counts.
    text = text_cells.where(text_cells != "", None)
    if style == "%Y-%m-%d":
        text = text.str.slice(0, 10)
    parsed = pd.to_datetime(text, format=style, errors="coerce")
    if real is not None and real.any():
        parsed = parsed.where(~real, pd.to_datetime(values.where(real, None).str.slice(0, 10), format="%Y-%m-%d",
                                                      errors="coerce"))
    bad = parsed.isna() & (values != "")
    if bool(bad.any()):
        first = bad.idxmax()
        shown = {v: k for k, v in DATE_STYLES.items()}.get(style, style)
        report(DataError(f"'{values[first]}' is not a date written {shown}", **origin.at(cells.at[first, "line"], header),
                         hint=f"correct the cell, or set {where} in {MAP_FILE} to the export's date style; see {DATA_DOC}"))
    return parsed


def iso_dates(values: pd.Series, table: Table, header: str, cells: pd.DataFrame, origin: Origin,
               where: str, dated: pd.Series | None = None) -> pd.Series:
    parsed = _parse_dates(values, table, header, cells, origin, where, dated)
    return as_text(parsed.dt.strftime("%Y-%m-%d"))


def quarters_from_dates(values: pd.Series, source: Source, table: Table, header: str, cells: pd.DataFrame,
                         origin: Origin, calendar: Calendar, where: str, *, undeclared: bool = False,
                         map_label: str = MAP_FILE, dated: pd.Series | None = None,
                         named: tuple[str, pd.Series] | None = None) -> pd.Series:
    """A date column (a pay date) as the quarter it belongs to, counting back paid_months_after months.

    ``named``: the named_in column (its header and cells), whose text naming a quarter moves the line there
    (inputs/named_quarters.py).

    ``undeclared``: the map says nothing of a fiscal year, so dates on another calendar's quarter
    boundaries are worth a warning (fiscal_year_warning)."""
    dates_key = where.rsplit(".columns.", 1)[0] + ".dates"
    parsed = _parse_dates(values, table, header, cells, origin, dates_key, dated)
    known = parsed.notna().to_numpy()
    labels = np.full(len(parsed), "", dtype=object)
    if known.any():
        days = parsed[known].to_numpy().astype("datetime64[D]")
        labels[known] = calendar.quarter_of(days, source.paid_months_after or 0)
        if (source.paid_months_after or 0) >= A_YEAR:
            note(late_pay_warning(days, source, header, calendar, map_label, f"{where}.paid_months_after"))
        if undeclared:
            warning = fiscal_year_warning(days, source, header, origin, calendar)
            if warning is not None:
                note(warning)
        if named is not None:
            from cscomp_cli.inputs.named_quarters import named_quarters

            labels = named_quarters(labels, days, known, named[1], calendar, named[0], cells["line"], origin)
    return pd.Series(labels, index=values.index, dtype=object)


A_YEAR = 12  # months: a bonus paid a year late is a slip (months for quarters, or the year's pay date)


def late_pay_warning(days: np.ndarray, source: Source, header: str, calendar: Calendar, map_label: str,
                     where: str) -> DataWarning:
    """paid_months_after of a year: every payout is set against the same quarter a year before the one it
    was paid for, so each replayed quarter is compared with another year's bonus, without an error."""
    lag = source.paid_months_after
    # The months since its quarter began, counted from 1: the lag that sets a pay date against the quarter
    # that closed just before it (the 15th of April: 1, March, Q1); the dates' most common one is suggested.
    months = days.astype("datetime64[M]").astype("int64") - (calendar.first_month - 1)
    into = months % 3 + 1
    meant = int(np.bincount(into).argmax())
    example = days[int(np.argmax(into == meant))]
    read = calendar.quarter_of(np.array([example]), lag)[0]
    then = calendar.quarter_of(np.array([example]), meant)[0]
    return DataWarning(
        f"paid_months_after {lag}: every quarter's bonus is read as paid {lag} months after the quarter closes, in "
        f"the same quarter a year on, so the {header} {example} counts for {read}; did you mean "
        f"paid_months_after: {meant} ({example} then counts for {then})?", file=map_label, location=where,
        hint="paid_months_after is the months from a quarter's close to the pay date of its bonus (1 for a bonus "
        f"paid the month after, 2 or 3 for a later payroll run); see {DATA_DOC}")


def fiscal_year_warning(days: np.ndarray, source: Source, header: str, origin: Origin,
                        calendar: Calendar) -> DataWarning | None:
    """A map reading quarters from dates that all sit on a fiscal quarter's boundary, with no fiscal_year:
    every bonus would be set against the wrong calendar quarter, and proration count the wrong days."""
    paid = bool(source.paid_months_after)
    found = fiscal_evidence(days, pay_dates=paid)
    if found is None:
        return None
    first = days[0]
    if paid:
        meaning = "the day after a quarter closes"
    else:
        meaning = "the day a quarter closes" if found.last_day else "the day a quarter starts"
    quarter = calendar.quarter_of(np.array([first]), source.paid_months_after or 0)[0]
    example = f"a pay date of {first} counts for {quarter}" if paid else f"{first} is in {quarter}"
    return DataWarning(
        f"every {header} is {found.seen()}: {meaning} if your fiscal year starts in {found.month_name}; without "
        f"fiscal_year the map reads them as calendar quarters ({example})",
        file=origin.path, location=f"column {header}",
        hint=f"if your fiscal year starts in {found.month_name}, add fiscal_year: {{first_month: {found.first_month}}} "
        f"to {MAP_FILE} ({found.others()} start the same quarters, numbered from another month); if your quarters "
        f"are calendar quarters, write fiscal_year: {{first_month: 1}} to say so; see {DATA_DOC}")
