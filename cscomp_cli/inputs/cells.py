"""Reading cells as the contract means them: amounts in either decimal convention (and the warning when a file does not settle which), quarters, yes/no flags, scores, dates and the plan's own columns, and duplicate keys; every bad cell refused with its file, line and column."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, DataWarning, note, report
from cscomp_cli.core.formatting import with_article
from cscomp_cli.core.quarters import CALENDAR, Calendar
from cscomp_cli.inputs.cell_bytes import (
    arrow_categorical,
    blank_and_plain,
    categorical_from_codes,
    distinct_cells,
    plain_floats,
)
from cscomp_cli.inputs.currency_cells import SPACE, split_codes, two_currencies
from cscomp_cli.inputs.export_cells import extract_pattern
from cscomp_cli.inputs.files import (
    DATA_DOC,
    DELIMITER_NAMES,
    Origin,
    fail_where,
)
from cscomp_cli.inputs.quarter_labels import check_quarter_labels

# A plain or thousands-grouped number with an optional currency sign, minus sign or accounting
# parentheses: 1234.5, 1,234.50, $1,234.50, €1234, -1,200.00, ($1,200.00). ASCII digits only: \d
# would also match other scripts' digits (１２３), which float() then reads or refuses unpredictably.
# An RE2 pattern, run over the column by pyarrow; the sign ($, €, £) says the amount's currency.
_AMOUNT = (
    rf"^(?P<open>\()?{SPACE}*(?P<sign>-)?{SPACE}*(?P<symbol>[$€£])?{SPACE}*(?P<sign2>-)?{SPACE}*"
    rf"(?P<number>(?:[0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+){SPACE}*(?P<close>\))?$"
)


_TRUE = {"true", "yes", "y", "1"}


_FALSE = {"false", "no", "n", "0", ""}


# A trillion: larger amounts are export errors, and would overflow the integer cents payouts are summed in.
MAX_AMOUNT = 1e12


_AMOUNT_HINT = f"write amounts like 1234.50, 1,234.50, $1,234.50 or 1,234.50 USD; see {DATA_DOC}"


_EUROPEAN_HINT = ("this file uses decimal commas: write amounts like 1234,50 or 1.234,50 (or re-export it with "
                  f"decimal points); see {DATA_DOC}")


@dataclass(frozen=True)
class NumberColumns:
    """How one file writes numbers: which separator is the decimal one, and whether its cells show it."""

    decimal: str = "."
    # True when some cell can only be read one way (12.5, 1,234.50, 1.234,50, 1,234,567), so a
    # cell like 35.500 is not ambiguous in this file.
    settled: bool = False
    delimiter: str = ","


# A separator that can only be a decimal point: '.' followed by other than three digits (12.5,
# 1234.50), or ',' before '.' (1,234.50) or twice (1,234,567) as a thousands separator. And the
# same with the roles swapped for a decimal comma (12,5, 1.234,50, 1.234.567).
_DOT_DECIMAL = r"\.(?:[0-9]{1,2}|[0-9]{4,})(?:[^0-9]|$)|,[0-9]{3}\.|,[0-9]{3},"


_COMMA_DECIMAL = r",(?:[0-9]{1,2}|[0-9]{4,})(?:[^0-9]|$)|\.[0-9]{3},|\.[0-9]{3}\."


# One separator after 1–3 digits (not a lone 0) and before exactly three: 35.500, 1,250, $1,250.
_AMBIGUOUS = r"[^0-9.,]*[1-9][0-9]{0,2}[.,][0-9]{3}[^0-9.,]*"


def _with_separator(cells: pd.Series) -> pd.Series:
    """The cells holding a '.' or a ',' (plain substring tests, cheap on millions of cells)."""
    mask = cells.str.contains(".", regex=False) | cells.str.contains(",", regex=False)
    return cells[mask.fillna(False).astype(bool)]


def _shows(columns: list[pd.Series], pattern: str, *, whole: bool = True) -> tuple[object, str] | None:
    """The first cell matching ``pattern`` in any of ``columns`` (its index and column name), or None."""
    for cells in columns:
        # Most files show their convention in their first rows: look there before scanning everything.
        for part in (cells.head(200), cells) if whole else (cells,):
            found = part.str.contains(pattern, regex=True).fillna(False).astype(bool)
            if bool(found.any()):
                return part[found].index[0], str(cells.name)
    return None


def number_convention(table: pd.DataFrame, origin: Origin, columns: list[str], delimiter: str) -> NumberColumns:
    """Which separator is this file's decimal one, and whether its cells settle it.

    SPEC's convention ('.' decimal, ',' thousands) holds unless the file is semicolon- or
    tab-separated and its cells show decimal commas (1234,50 or 1.234,50) and never a decimal point.
    """
    if delimiter == ",":
        # The usual export shows a decimal point in its first rows: settled without scanning the file.
        if _shows([table[c].head(200) for c in columns], _DOT_DECIMAL, whole=False) is not None:
            return NumberColumns(settled=True)
    separated = [_with_separator(table[c]).rename(c) for c in columns]
    separated = [cells for cells in separated if len(cells)]
    if not separated:
        return NumberColumns(delimiter=delimiter)
    dot = _shows(separated, _DOT_DECIMAL)
    comma = _shows(separated, _COMMA_DECIMAL) if delimiter != "," else None
    if comma is not None and dot is None:
        index, column = comma
        note(DataWarning(
            f"read as {DELIMITER_NAMES[delimiter]}-separated with decimal commas: ',' is the decimal separator and "
            f"'.' separates thousands in every amount of this file ('{table.at[index, column]}' on "
            f"{origin.location(table.at[index, 'line'], column)}, is {_european(table.at[index, column])})",
            **origin.header()))
        return NumberColumns(decimal=",", settled=True, delimiter=delimiter)
    return NumberColumns(decimal=".", settled=dot is not None and comma is None, delimiter=delimiter)


def _european(cell: str) -> str:
    """A decimal-comma cell written the way the rest of cscomp writes numbers (1.234,50 -> 1,234.50)."""
    swapped = cell.translate(_SWAP)
    number = re.sub(r"[^0-9.]", "", swapped.replace(",", ""))
    try:
        return f"{float(number):,.2f}"
    except ValueError:
        return swapped


_SWAP = str.maketrans(".,", ",.")


def fail_duplicates(table: pd.DataFrame, origin: Origin, keys: list[str], column: str, what: str) -> None:
    # Rows with a missing key (already reported while validate collects) are never duplicates.
    codes, size = _key_codes(table, keys)
    known = codes >= 0
    # Millions of (quarter, account) keys: counted in one pass, no hash of the keys unless some repeat.
    if size <= max(8 * len(table), 1 << 20) and int(np.bincount(codes[known], minlength=1).max(initial=0)) <= 1:
        return
    dup = np.zeros(len(table), dtype=bool)
    dup[known] = pd.Series(codes[known]).duplicated(keep="first").to_numpy()
    if bool(dup.any()):
        at = int(np.argmax(dup))
        first = table.iloc[at]
        original = table["line"].to_numpy()[int(np.argmax(codes == codes[at]))]
        described = ", ".join(f"{k} {first[k]}" for k in keys)
        more = int(dup.sum()) - 1
        report(DataError(
            f"{what}: {described} (first seen on {_seen_on(origin, original, first['line'])})"
            + (f" (and {more} more duplicate row{'s' if more > 1 else ''})" if more else ""),
            **origin.at(first['line'], column),
            hint="keep one row per " + " and ".join(keys),
        ))


def _key_codes(table: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, int]:
    """One integer per row for the whole key (-1 where a part is missing), and how many there can be."""
    codes, size = np.zeros(len(table), dtype=np.int64), 1
    for key in keys:  # a categorical's codes as they are; other columns factorised
        values = table[key]
        part = (values.cat.codes.to_numpy().astype(np.int64) if isinstance(values.dtype, pd.CategoricalDtype)
                else pd.factorize(values.astype(object))[0].astype(np.int64))
        count = int(part.max(initial=-1)) + 1
        if size * count >= 2**62:  # renumber the keys so far, so the product stays inside int64
            codes = np.where(codes < 0, -1, pd.factorize(codes)[0])
            size = int(codes.max(initial=-1)) + 1
        codes = np.where((codes < 0) | (part < 0), -1, codes * count + part)
        size *= max(count, 1)
    return codes, size


def _seen_on(origin: Origin, original: int, key: int) -> str:
    """Where the first of two duplicate rows is: its line, and its file when that is another file."""
    file = origin.file(original)
    return origin.place(original) + (f" of {file}" if file != origin.file(key) else "")


def _cells(table: pd.DataFrame, column: str) -> pd.Series:
    if column in table:
        return table[column]  # already trimmed by _read_csv
    # An absent optional column: Arrow strings, so its checks are vectorised passes, not a Python
    # call per row (a CRM report without arr_end or risk has a million blank cells to look at).
    return pd.Series("", index=table.index, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def text_column(table: pd.DataFrame, origin: Origin, column: str, *, required: bool, categorical: bool = False) -> pd.Series:
    """A text column; ``categorical``: as categories (sorted), a blank cell missing, never a Python object per row."""
    cells = _cells(table, column)
    if required:
        fail_where(cells == "", table, origin, column, f"{origin.column(column)} is blank",
                   f"every row needs {with_article(origin.column(column))}")
    if categorical:
        fast = arrow_categorical(cells, blank_missing=not required)
        if fast is not None:
            return fast
        codes, distinct = distinct_cells(cells)
        values = distinct.to_numpy(dtype=object)
        if not required:  # a blank optional cell has no value; a blank required one is kept, as reported
            values = np.where(values == "", None, values)
        return categorical_from_codes(codes, np.append(values, None), cells.index)
    if required:
        return cells.astype(object)
    # To object first: a pandas string column would turn None back into NaN.
    return cells.astype(object).where(cells != "", None)


def quarter_column(table: pd.DataFrame, origin: Origin, *, required: bool = True, calendar: Calendar = CALENDAR,
              categorical: bool = False, far: bool = True) -> pd.Series:
    """The quarter column as canonical labels; ``far``: refuse a label far from the rest (quarter_labels)."""
    cells = _cells(table, "quarter")
    # A file holds a handful of distinct labels: the calendar parses each once, then maps the rows to them.
    codes, distinct = distinct_cells(cells)
    parsed = np.append(calendar.canonical_many(distinct).to_numpy(dtype=object), None)
    if categorical:
        labels = categorical_from_codes(codes, parsed, cells.index)
    else:
        labels = pd.Series(parsed[codes], index=cells.index, dtype=object)
    bad = labels.isna() & ((cells != "") | required)
    fail_where(
        bad,
        table.assign(cell=cells),
        origin,
        "quarter",
        lambda r: f"'{r.cell}' is not a quarter label" if r.cell else "quarter is blank",
        f"write quarters like {calendar.examples()}; see {DATA_DOC}",
    )
    check_quarter_labels(cells, codes, distinct, parsed, table, origin, calendar, far=far)
    return labels if categorical else labels.where(labels.notna(), None)


def amount_column(table: pd.DataFrame, origin: Origin, column: str, *, required: bool, negative: bool,
             numbers: NumberColumns = NumberColumns(), what: str = "an amount", advice: str = _AMOUNT_HINT,
             codes: dict[str, pd.Series] | None = None) -> pd.Series:
    """Parse an amount column; blank cells are NaN (an error when required).

    A cell may carry an ISO 4217 code before or after the number (USD 37,500, 72,000.00 gbp) or a sign
    in front of it ($, €, £); when ``codes`` is given and some cell does, ``codes[column]`` is each
    row's code, else its sign (None where neither)."""
    written = _cells(table, column)
    # Most exports hold plain numbers: parse those in one vectorised pass, and only send the rest
    # (currency signs, thousands separators, minus signs, parentheses, mistakes) through the regex.
    values = pd.Series(np.nan, index=written.index, dtype="float64")
    fast = blank_and_plain(written, numbers.decimal)
    if fast is not None:
        blank, plain = (pd.Series(mask, index=written.index) for mask in fast)
        parsed = np.full(len(written), np.nan)  # filled in numpy: a masked pandas assignment costs more
        parsed[fast[1]] = plain_floats(written, fast[1], numbers.decimal)
        values = pd.Series(parsed, index=written.index)
    else:
        # A decimal-comma file is read by swapping the two separators, so 1.234,50 is parsed exactly
        # as 1,234.50 would be.
        cells = written if numbers.decimal == "." else written.astype(object).str.translate(_SWAP)
        blank = cells == ""
        plain = cells.str.fullmatch(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+").fillna(False).astype(bool)
        values[plain] = _to_float(cells[plain])
    rest = ~plain & ~blank
    context = table.assign(cell=written)
    if numbers.decimal == ",":
        hint = _EUROPEAN_HINT
    elif numbers.delimiter != ",":
        # A semicolon file that mixes decimal points and decimal commas: say why ',' was not taken as decimal.
        hint = (f"this file is {DELIMITER_NAMES[numbers.delimiter]}-separated, but other cells write a decimal point, so "
                "'.' is read as its decimal separator; write every amount one way (1234.50, or 1234,50 throughout); "
                f"see {DATA_DOC}")
    else:
        hint = advice
    if rest.any():
        # The grouping of 1.234,50 is checked as 1,234.50's; messages still quote the cell as written.
        odd, carried = split_codes(written[rest])
        odd = odd if numbers.decimal == "." else odd.str.translate(_SWAP)
        parts = extract_pattern(odd, _AMOUNT)
        signed = parts["symbol"].notna()
        if bool(signed.any()):
            two_currencies(carried, parts["symbol"], context.loc[odd.index], origin, column)
            carried = carried.where(carried.notna(), parts["symbol"])
        if codes is not None and bool(carried.notna().any()):
            codes[column] = carried.reindex(written.index)
        parens = parts["open"].notna() | parts["close"].notna()
        odd_malformed = (
            parts["number"].isna()
            | (parts["open"].isna() != parts["close"].isna())
            | (parens & (parts["sign"].notna() | parts["sign2"].notna()))
            | (parts["sign"].notna() & parts["sign2"].notna())
        ).to_numpy(dtype=bool)
        # Put back in place by position (numpy), not by aligning indexes: a few $1,234.00 cells among
        # millions of rows made the reindex the costliest step of loading a real export.
        at = np.flatnonzero(rest.to_numpy())
        malformed = np.zeros(len(written), dtype=bool)
        malformed[at] = odd_malformed
        malformed = pd.Series(malformed, index=written.index)
        # A cell with no digit at all ('n/a', 'TBD') is not a separator problem: the convention hint would mislead.
        wordy = bool(odd_malformed.any()) and not any(ch.isdigit() for ch in str(odd[odd_malformed].iloc[0]))
        fail_where(malformed, context, origin, column, lambda r: f"'{r.cell}' is not {what}", advice if wordy else hint)
        number = pd.to_numeric(parts["number"].str.replace(",", "", regex=False), errors="coerce").to_numpy(
            dtype="float64")
        is_negative = (parens | parts["sign"].notna() | parts["sign2"].notna()).to_numpy(dtype=bool)
        parsed = values.to_numpy(dtype="float64", copy=True)
        parsed[at] = np.where(is_negative, -number, number)
        values = pd.Series(parsed, index=written.index)
    if required:
        header = origin.column(column)
        # Under a data map the export is not edited by hand: a blank meaning 0 is said in the map's zero: key.
        blank_hint = (f"fill the cell in the export, or, if a blank {header} means 0, add \"\" to the list under "
                      f"{origin.zero_key} in the data map; see {DATA_DOC}" if origin.zero_key else "write 0 for none")
        fail_where(blank, context, origin, column, f"{header} is blank", f"every row needs {header}; {blank_hint}")
    fail_where(
        values.abs() > MAX_AMOUNT,
        context,
        origin,
        column,
        lambda r: f"{origin.column(column)} '{r.cell}' is larger than {MAX_AMOUNT:,.0f}",
        "no account, salary or payout is that large; check the export for a misplaced digit or separator",
    )
    values = values.where(values.abs() <= MAX_AMOUNT)
    if not numbers.settled:
        _warn_ambiguous(written, values, table, origin, column, numbers)
    if not negative:
        fail_where(
            values < 0,
            context,
            origin,
            column,
            lambda r: f"{origin.column(column)} is negative ('{r.cell}')",
            f"{origin.column(column)} must be 0 or more; record a loss in the contraction or churn column",
        )
        values = values.abs()
    factor = origin.scale(column, table["line"].to_numpy()) if origin.scales or origin.part_scales else None
    if factor is not None:
        values = _scaled(values, factor, context, origin, column)
    return values


def _scaled(values: pd.Series, factor, context: pd.DataFrame, origin: Origin, column: str) -> pd.Series:
    """Amounts × the data map's scale (MRR × 12), rounded to 6 decimals so 1,234.56 × 12 is 14,814.72 and not
    14,814.719999…: the product of two decimals has few digits, which the float product only approximates."""
    scaled = pd.Series(np.round(values.to_numpy(dtype="float64") * factor, 6), index=values.index)
    fail_where(
        scaled.abs() > MAX_AMOUNT,
        context,
        origin,
        column,
        lambda r: f"{origin.column(column)} '{r.cell}' × the data map's scale is larger than {MAX_AMOUNT:,.0f}",
        "check the scale under the column in the data map, and the export for a misplaced digit or separator",
    )
    return scaled.where(scaled.abs() <= MAX_AMOUNT)


def _warn_ambiguous(written: pd.Series, values: pd.Series, table: pd.DataFrame, origin: Origin, column: str,
                    numbers: NumberColumns) -> None:
    """One warning per column whose cells read either way (35.500, 1,250) in a file that never says which."""
    candidates = _with_separator(written)  # a blank cell holds no separator
    ambiguous = candidates.str.fullmatch(_AMBIGUOUS).fillna(False).astype(bool)
    if not bool(ambiguous.any()):
        return
    first = candidates[ambiguous].index[0]
    cell, value = str(written[first]), float(values[first])
    if np.isnan(value):
        return  # refused as an error already
    separator = "." if "." in cell else ","
    other = value * 1000 if separator == "." else value / 1000
    count = int(ambiguous.sum())
    more = f" ({count - 1} more cell{'s' if count > 2 else ''} like it in this column)" if count > 1 else ""
    role = "the decimal point" if separator == "." else "a thousands separator"
    european = (f"; this file is {DELIMITER_NAMES[numbers.delimiter]}-separated, as exports that write 1.234,50 usually "
                "are" if numbers.delimiter != "," else "")
    note(DataWarning(
        f"'{cell}' could mean {_plain(value)} or {_plain(other)}: read as {_plain(value)} ('{separator}' as {role}), "
        f"as no other amount in this file shows which separator is the decimal one{more}{european}",
        **origin.at(table.at[first, 'line'], column),
        hint=(f"if '.' separates thousands here, export the amounts without thousands separators (e.g. "
              f"{_plain(other)} as {_bare(other)}); see {DATA_DOC}" if separator == "." else
              f"if ',' is a decimal comma here, export the amounts with decimal points (e.g. {_bare(other)}); "
              f"see {DATA_DOC}"),
    ))


def _plain(value: float) -> str:
    """A number as a person writes it: thousands grouped, at most three decimals, no trailing zeros."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text


def _bare(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _to_float(cells: pd.Series) -> np.ndarray:
    """Cells already known to be plain numbers, as floats, cast by pyarrow without Python objects."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.cast(pa.array(cells.array), pa.float64()).to_numpy(zero_copy_only=False)


def boolean_column(table: pd.DataFrame, origin: Origin, column: str) -> pd.Series:
    written = _cells(table, column)
    # A handful of distinct words over millions of rows: each is lowered and looked up once.
    codes, distinct = distinct_cells(written)
    words = distinct.astype(pd.StringDtype("pyarrow", na_value=np.nan)).str.lower()
    bad = pd.Series(np.append(~words.isin(_TRUE | _FALSE).to_numpy(dtype=bool), True)[codes], index=written.index)
    fail_where(
        bad,
        table.assign(cell=written),  # quote the cell as written ('Renewed'), not as compared
        origin,
        column,
        lambda r: f"'{r.cell}' is not a yes/no value",
        f"write true/false, yes/no, y/n or 1/0 in any case (blank means false); see {DATA_DOC}",
    )
    return pd.Series(np.append(words.isin(_TRUE).to_numpy(dtype=bool), False)[codes], index=written.index)


def score_column(table: pd.DataFrame, origin: Origin, column: str, low: float, high: float, *, integer: bool = False,
            numbers: NumberColumns = NumberColumns()):
    written = _cells(table, column)
    values = pd.Series(np.nan, index=written.index, dtype="float64")
    # Plain numbers in one vectorised cast; anything else (few cells) through the forgiving parser.
    # A score has no thousands, so in a decimal-comma file its comma is simply the decimal point.
    fast = blank_and_plain(written, "." if numbers.decimal == "." else ".,", signed=True, leading_separator=False)
    if fast is not None:
        blank, plain = (pd.Series(mask, index=written.index) for mask in fast)
        parsed = np.full(len(written), np.nan)
        parsed[fast[1]] = plain_floats(written, fast[1], numbers.decimal)
        values = pd.Series(parsed, index=written.index)
        other = ~plain & ~blank
        odd = written[other].astype(object)
        odd = odd if numbers.decimal == "." else odd.str.replace(",", ".", regex=False)
    else:
        cells = written if numbers.decimal == "." else written.astype(object).str.replace(",", ".", regex=False)
        blank = cells == ""
        plain = cells.str.fullmatch(r"-?[0-9]+(?:\.[0-9]*)?").fillna(False).astype(bool)
        values[plain] = _to_float(cells[plain])
        other = ~plain & ~blank
        odd = cells[other]
    if other.any():
        values[other] = pd.to_numeric(odd.astype(object), errors="coerce").astype("float64")
    unparsed = ~blank & values.isna()
    kind = "a whole number" if integer else "a number"
    context = table.assign(cell=written)
    fail_where(unparsed, context, origin, column, lambda r: f"'{r.cell}' is not {kind}",
                f"{origin.column(column)} must be {kind} from {low:g} to {high:g}, or blank; see {DATA_DOC}")
    bad = values.notna() & ((values < low) | (values > high) | (integer & (values != values.round())))
    fail_where(bad, context, origin, column, lambda r: f"{origin.column(column)} {r.cell} is outside {low:g}–{high:g}",
                f"{origin.column(column)} must be {kind} from {low:g} to {high:g}, or blank; see {DATA_DOC}")
    return values.where(~bad)  # validate carries on past a bad score: treat it as absent, not as inf


def extra_column_values(table: pd.DataFrame, origin: Origin, column: str, kind: str, numbers: NumberColumns,
                        codes: dict[str, pd.Series] | None = None) -> pd.Series:
    """A plan's own accounts column read as text (case-folded), a yes/no flag, or a number.

    A number column whose cells are yes/no words is read as 1 and 0, so the share of new logos onboarded
    is the mean of onboarding_complete; it is taken for one when its words (yes, no, true, false, y, n)
    are at least as many as its other cells but 1 and 0, so a stray 'maybe' is called not yes/no
    rather than every 'yes' not a number.
    """
    written = _cells(table, column)
    if kind == "text":
        codes, distinct = distinct_cells(written)  # each distinct cell folded once
        folded = [None if text == "" else text.casefold() for text in distinct.tolist()]
        return categorical_from_codes(codes, np.array([*folded, None], dtype=object), written.index)
    words = written.str.lower()
    flags = words.isin(_TRUE | _FALSE - {""})
    blank = written == ""
    named = flags & ~words.isin({"1", "0"})
    other = ~flags & ~blank
    if kind == "flag" or not other.any() or (named.any() and int(named.sum()) >= int(other.sum())):
        fail_where(~flags & ~blank, table.assign(cell=written), origin, column,
                    lambda r: f"'{r.cell}' is not a yes/no value",
                    f"write yes/no, true/false, y/n or 1/0 in any case, or leave the cell blank for no value; see {DATA_DOC}")
        return pd.Series(np.where(blank, np.nan, words.isin(_TRUE).astype("float64")), index=written.index)
    # A plan's number column reads like an amount (4.5, 1,234, $1,234.50 or 1.234,50 in a decimal-comma file).
    return amount_column(table, origin, column, required=False, negative=True, numbers=numbers, what="a number",
                    codes=codes, advice=f"the plan's metrics read {origin.column(column)} as numbers: write them like 4.5, 1,234 or "
                    f"$1,234.50, or leave the cell blank for no value; see {DATA_DOC}")


def date_column(table: pd.DataFrame, origin: Origin, column: str) -> pd.Series:
    cells = _cells(table, column)
    values = pd.to_datetime(cells.where(cells != "", None), format="%Y-%m-%d", errors="coerce")
    fail_where(
        (cells != "") & values.isna(),
        table.assign(cell=cells),
        origin,
        column,
        lambda r: f"'{r.cell}' is not a date",
        f"write dates as YYYY-MM-DD (e.g. 2026-02-15), or leave blank; see {DATA_DOC}",
    )
    return values
