"""What a quarter column's labels say together, beyond each cell reading: fiscal-year labels nobody said
the start of, fiscal and plain spellings side by side, and a label far from all the others (a mistyped
year). Each reads cell by cell; together they would put a bonus in the wrong quarter without a word.

The rules (docs/data.md, "Quarters that join up"):

- An FY label (FY2026 Q1, FY26-Q1, Q1 FY26) is an error unless the data map declares fiscal_year: its
  months depend on when the fiscal year starts, which nothing else says.
- FY and plain labels in one column under a declared fiscal year (other than January) are all read as
  fiscal, and a warning names both spellings: a plain label may have been written as a calendar quarter.
- A label more than FAR_QUARTERS from every quarter of the column's main run is an error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, DataWarning, note, report
from cscomp_cli.core.quarters import (
    MONTHS,
    Calendar,
    ordinal_label,
    parse_quarter,
    quarter_ordinal,
)
from cscomp_cli.inputs.files import DATA_DOC, Origin

# Two years with nothing between: further than that from the rest, a quarter is taken for a mistyped
# year (2062Q1 among 2025Q1..2026Q2) rather than history, which does not stop for years and resume.
FAR_QUARTERS = 8


def check_quarter_labels(cells: pd.Series, codes: np.ndarray, distinct: pd.Series, parsed: np.ndarray,
                         table: pd.DataFrame, origin: Origin, calendar: Calendar, *, far: bool = True) -> None:
    """Report the labels of one quarter column that do not add up (see the module's rules).

    ``codes`` gives each row's index into ``distinct`` (its distinct cells, -1 for none); ``parsed`` the
    label each distinct cell reads as (None when it is not one). ``far``: check for a label far from the
    rest (not for a roster, whose quarter rows are the few a raise or a transfer falls in)."""
    written = [parse_quarter(str(cell)) if label is not None else None
               for cell, label in zip(distinct.tolist(), parsed[:len(distinct)].tolist())]
    fiscal = np.array([w is not None and w.startswith("FY") for w in written], dtype=bool)
    plain = np.array([w is not None and not w.startswith("FY") for w in written], dtype=bool)
    if fiscal.any() and not calendar.reads_fiscal_labels:
        _undeclared(cells, codes, fiscal, plain, table, origin, parsed)
    elif fiscal.any() and plain.any() and calendar.fiscal:
        _mixed(cells, codes, fiscal, plain, table, origin, parsed, calendar)
    if far:
        _far(cells, codes, parsed, table, origin)


def _first(codes: np.ndarray, which: np.ndarray) -> int:
    """The position of the first row whose distinct cell is one of ``which`` (a mask over the distinct cells)."""
    hit = np.zeros(len(codes), dtype=bool)
    known = codes >= 0
    hit[known] = which[codes[known]]
    return int(np.argmax(hit))


def _rows(codes: np.ndarray, which: np.ndarray) -> int:
    known = codes >= 0
    return int(which[codes[known]].sum())


def _undeclared(cells, codes, fiscal, plain, table, origin: Origin, parsed) -> None:
    at = _first(codes, fiscal)
    label = parsed[codes[at]]
    first, _ = Calendar().bounds(label)
    also = ""
    if plain.any():
        other = _first(codes, plain)
        also = (f"; this column also holds calendar labels, such as '{cells.iloc[other]}' on "
                f"{origin.place(table['line'].iloc[other])}: the two may not mean the same quarter")
    more = _rows(codes, fiscal) - 1
    report(DataError(
        f"'{cells.iloc[at]}'" + (f" (and {more} more row{'s' if more > 1 else ''} like it)" if more else "")
        + f" is a fiscal-year label, but no fiscal year is set: it would be read as calendar quarter {label} "
        f"({MONTHS[first.month - 1]}–{MONTHS[first.month + 1]} {first.year}), whatever months your fiscal year "
        f"gives it{also}",
        **origin.at(table["line"].iloc[at], "quarter"),
        hint=f"if your fiscal year is the calendar year, write calendar quarters ({label}); if it starts in another "
             "month, declare that month in a data map, cscomp-data.yaml (fiscal_year: {first_month: 2} for "
             "February; fiscal_year: {first_month: 1} says FY labels are calendar years); see 'Fiscal years' in "
             f"{DATA_DOC}"))


def _mixed(cells, codes, fiscal, plain, table, origin: Origin, parsed, calendar: Calendar) -> None:
    def example(which):
        at = _first(codes, which)
        count = _rows(codes, which)
        return at, (f"'{cells.iloc[at]}' ({origin.place(table['line'].iloc[at])}"
                    + (f", and {count - 1} more row{'s' if count > 2 else ''}" if count > 1 else "") + ")")

    _, fy = example(fiscal)
    at, bare = example(plain)
    note(DataWarning(
        f"column {origin.column('quarter')} mixes two spellings of quarters: fiscal labels such as {fy} and plain "
        f"ones such as {bare}; the fiscal year starts in {MONTHS[calendar.first_month - 1]}, so every label is a "
        f"fiscal quarter and '{cells.iloc[at]}' is read as {parsed[codes[at]]}",
        **origin.at(table["line"].iloc[at], "quarter"),
        hint="if the plain labels are calendar quarters, relabel them as fiscal ones in the export; if they are "
             f"fiscal, nothing to do (write them one way to silence this); see {DATA_DOC}"))


def _far(cells, codes, parsed, table, origin: Origin) -> None:
    labels = pd.unique(np.asarray([p for p in parsed[:-1] if p is not None], dtype=object)) if len(parsed) > 1 else []
    if len(labels) < 2:
        return
    ordinals = np.array([quarter_ordinal(label) for label in labels], dtype=np.int64)
    order = np.argsort(ordinals, kind="stable")
    run = np.concatenate([[0], np.cumsum(np.diff(ordinals[order]) > FAR_QUARTERS)])
    if run[-1] == 0:
        return
    # Rows per label, then per run of quarters with no gap wider than FAR_QUARTERS: the largest run is
    # the history, every other one a mistake (on a tie, the earliest run is the history).
    position = {label: i for i, label in enumerate(labels)}
    of_distinct = np.array([position.get(p, -1) if p is not None else -1 for p in parsed], dtype=np.int64)
    known = codes >= 0
    row_labels = of_distinct[codes[known]]
    counted = np.bincount(row_labels[row_labels >= 0], minlength=len(labels))
    runs = np.empty(len(labels), dtype=np.int64)
    runs[order] = run
    main = int(np.argmax(np.bincount(runs, weights=counted)))
    low, high = int(ordinals[runs == main].min()), int(ordinals[runs == main].max())
    like = str(labels[0])
    span = ordinal_label(low, like) if low == high else f"{ordinal_label(low, like)} to {ordinal_label(high, like)}"
    line_labels = np.full(len(codes), -1, dtype=np.int64)
    line_labels[known] = row_labels
    for index in np.argsort(ordinals, kind="stable"):
        if runs[index] == main:
            continue
        ordinal = int(ordinals[index])
        at = int(np.argmax(line_labels == index))
        after = ordinal > high
        distance = ordinal - high if after else low - ordinal
        count = int(counted[index])
        report(DataError(
            f"'{cells.iloc[at]}' is {distance} quarters {'after' if after else 'before'} "
            f"{ordinal_label(high if after else low, like)}, {'the last' if after else 'the first'} quarter of the "
            f"rest of this column ({span}): a quarter more than {FAR_QUARTERS} quarters from all the others is taken "
            "for a mistyped label" + (f" ({count} rows hold it)" if count > 1 else ""),
            **origin.at(table["line"].iloc[at], "quarter"),
            hint="correct the label (a mistyped year?); if the history really stops for more than two years, replay "
                 f"each part from its own data folder; see {DATA_DOC}"))
