"""Quarter labels: parsing the spellings exports use, the fiscal calendar, and the days each quarter spans."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

# numpy and pandas are imported where used: a plan alone (validate --plan-only, --help) never needs them.
if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# 2026Q1, 2026-Q1, 2026 Q1, Q1 2026, Q1-2026, any case.
_YEAR_FIRST = re.compile(r"^\s*([0-9]{4})\s*[- ]?\s*[qQ]([1-4])\s*$")
_QUARTER_FIRST = re.compile(r"^\s*[qQ]([1-4])\s*[- ]?\s*([0-9]{4})\s*$")
# FY2027Q1, FY27Q1, FY27 Q1, FY2027-Q1, Q1 FY2027, Q1 FY27, any case: a two-digit year is 20xx.
_FY_FIRST = re.compile(r"^\s*[fF][yY]\s*[- ]?\s*([0-9]{4}|[0-9]{2})\s*[- ]?\s*[qQ]([1-4])\s*$")
_FY_LAST = re.compile(r"^\s*[qQ]([1-4])\s*[- ]?\s*[fF][yY]\s*[- ]?\s*([0-9]{4}|[0-9]{2})\s*$")

# The calendar-quarter spellings only (kept for callers that extract them column-wise).
QUARTER_PATTERN = r"^\s*(?:([0-9]{4})\s*[- ]?\s*[qQ]([1-4])|[qQ]([1-4])\s*[- ]?\s*([0-9]{4}))\s*$"

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def parse_quarter(text: str) -> str | None:
    """The label for one spelling, keeping whether it was written as fiscal (``2026Q1``, ``FY2027Q1``), or None."""
    m = _YEAR_FIRST.match(text)
    if m:
        return f"{m.group(1)}Q{m.group(2)}"
    m = _QUARTER_FIRST.match(text)
    if m:
        return f"{m.group(2)}Q{m.group(1)}"
    m = _FY_FIRST.match(text)
    if m:
        return f"FY{_full_year(m.group(1))}Q{m.group(2)}"
    m = _FY_LAST.match(text)
    if m:
        return f"FY{_full_year(m.group(2))}Q{m.group(1)}"
    return None


def _full_year(digits: str) -> str:
    return digits if len(digits) == 4 else f"20{digits}"


def month_number(value) -> int | None:
    """A month written as a name, an abbreviation or a number (February, feb, Feb., 2, "02") as 1-12, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        number = int(value.strip())
    elif isinstance(value, str):
        word = value.strip().rstrip(".").lower()
        found = [i for i, name in enumerate(MONTHS, 1) if len(word) >= 3 and name.lower().startswith(word)]
        return found[0] if len(found) == 1 else None
    else:
        return None
    return number if 1 <= number <= 12 else None


@dataclass(frozen=True)
class Calendar:
    """Which month a fiscal year starts in, and whether it is named for the year it starts or ends in.

    The default is calendar quarters: 2026Q1 is January–March 2026. Under a fiscal calendar every
    label is a fiscal one (FY2027Q1), including a plain 2027Q1 written in the data.
    """

    first_month: int = 1
    named_for: Literal["end", "start"] = "end"
    # Whether someone said when the fiscal year starts (a data map's fiscal_year, even January): only
    # then does an FY label have a meaning. Not part of equality: the quarters are the same either way.
    declared: bool = field(default=False, compare=False)

    def __post_init__(self):
        month = self.first_month
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise ValueError(f"first_month must be a month number 1-12, got {self.first_month!r}")
        if self.named_for not in ("end", "start"):
            raise ValueError(f"named_for must be 'end' or 'start', got {self.named_for!r}")

    @property
    def fiscal(self) -> bool:
        return self.first_month != 1

    @property
    def reads_fiscal_labels(self) -> bool:
        """Whether FY labels (FY2027Q1) have a stated meaning: the fiscal year starts in another month, or
        someone declared that it starts in January. Without that, FY2026Q1 may be any three months."""
        return self.fiscal or self.declared

    # --- labels --------------------------------------------------------------------------

    def canonical(self, text: str) -> str | None:
        """The label this calendar writes for any spelling (2026Q1, or FY2027Q1 when fiscal), or None."""
        label = parse_quarter(str(text))
        if label is None:
            return None
        year, quarter = int(label[-6:-2]), int(label[-1])
        if not self._representable(year):
            return None
        return self._label(year, quarter)

    def canonical_many(self, cells: pd.Series) -> pd.Series:
        """canonical for a column of cells (None where a cell is not a label), each distinct cell parsed once."""
        import numpy as np
        import pandas as pd
        codes, distinct = pd.factorize(cells.astype(object))
        parsed = np.array([self.canonical(text) for text in distinct], dtype=object)
        labels = parsed[codes] if len(parsed) else np.array([], dtype=object)
        # factorize gives -1 to a missing cell, which would pick the last label.
        labels = np.where(codes < 0, None, labels) if len(labels) else labels
        return pd.Series(labels, index=cells.index, dtype=object)

    def examples(self) -> str:
        """How to write this calendar's labels, for hints."""
        if self.fiscal:
            return "FY2027Q1, FY27 Q1, FY2027-Q1, Q1 FY2027 or 2027Q1 (read as FY2027Q1)"
        return "2026Q1, 2026-Q1, 2026 Q1, Q1 2026 or Q1-2026"

    def describe(self) -> str:
        """One line a person reads to check the calendar: when the year starts and how it is named."""
        if not self.fiscal:
            return "calendar quarters (the year starts 1 January); 2026Q1 = 1 Jan 2026 – 31 Mar 2026"
        year = 2027 if self.named_for == "end" else 2026
        first, _ = self.bounds(f"FY{year}Q1")
        _, last = self.bounds(f"FY{year}Q4")
        naming = "the year it ends in" if self.named_for == "end" else "the year it starts in"
        return (f"fiscal year starts 1 {MONTHS[self.first_month - 1]}, named for {naming}; "
                f"FY{year} = {_day(first)} – {_day(last)}")

    # --- days ----------------------------------------------------------------------------

    def bounds(self, label: str) -> tuple[date, date]:
        """First and last day of a quarter (any spelling this calendar reads)."""
        canonical = self.canonical(label)
        if canonical is None:
            raise ValueError(f"'{label}' is not a quarter label")
        year, quarter = int(canonical[-6:-2]), int(canonical[-1])
        month = self._first_month_index(year) + 3 * (quarter - 1)
        last = month + 2
        last_year, last_month = last // 12, last % 12 + 1
        return date(month // 12, month % 12 + 1, 1), date(last_year, last_month, monthrange(last_year, last_month)[1])

    def day_numbers(self, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised bounds as numpy datetime64[D] arrays (first day, last day)."""
        import numpy as np
        import pandas as pd
        labels = np.asarray(labels, dtype=object)
        codes, distinct = pd.factorize(labels)
        if bool((codes < 0).any()):
            raise ValueError("a quarter label is missing")
        spans = [self.bounds(label) for label in distinct]
        first = np.array([s[0] for s in spans], dtype="datetime64[D]")
        last = np.array([s[1] for s in spans], dtype="datetime64[D]")
        return first[codes], last[codes]

    def quarter_of(self, dates: np.ndarray, months_back: int = 0) -> np.ndarray:
        """The label of the quarter holding each date moved back ``months_back`` months (None for NaT)."""
        import numpy as np
        days = np.asarray(dates, dtype="datetime64[D]")
        missing = np.isnat(days)
        # Months since year 0, then since the fiscal year's first month: year and quarter fall out.
        months = days.astype("datetime64[M]").astype("int64") + 1970 * 12 - months_back - (self.first_month - 1)
        start_year, quarter = months // 12, (months % 12) // 3 + 1
        named = start_year + (1 if self.fiscal and self.named_for == "end" else 0)
        prefix = "FY" if self.fiscal else ""
        codes = np.where(missing, 0, named * 4 + quarter - 1)
        distinct, inverse = np.unique(codes, return_inverse=True)
        texts = np.array([f"{prefix}{c // 4:04d}Q{c % 4 + 1}" for c in distinct.tolist()], dtype=object)
        out = texts[inverse.reshape(-1)] if len(texts) else np.array([], dtype=object)
        out = np.where(missing.reshape(-1), None, out)
        return out.reshape(days.shape)

    # --- helpers -------------------------------------------------------------------------

    def _label(self, year: int, quarter: int) -> str:
        return f"FY{year:04d}Q{quarter}" if self.fiscal else f"{year:04d}Q{quarter}"

    def _first_month_index(self, year: int) -> int:
        """The fiscal year's first month as months since year 0 (year × 12 + month − 1)."""
        start_year = year - 1 if self.fiscal and self.named_for == "end" else year
        return start_year * 12 + self.first_month - 1

    def _representable(self, year: int) -> bool:
        """Whether every day of the (fiscal) year is a date Python can hold (years 1–9999)."""
        first = self._first_month_index(year)
        return 12 <= first and first + 11 <= 9999 * 12 + 11


CALENDAR = Calendar()


@dataclass(frozen=True)
class FiscalEvidence:
    """Dates that sit on the boundaries of quarters other than the calendar's: the month a fiscal year
    then likely starts, whether the dates are quarters' first days or their last, and the months seen."""

    first_month: int  # 2 (quarters from Feb, May, Aug, Nov) or 3 (from Mar, Jun, Sep, Dec)
    last_day: bool  # the dates are the last day of a month (the day before a quarter starts)
    months: tuple[int, ...]  # the months the dates fall in, 1-12, in calendar order

    def seen(self) -> str:
        """'the 1st of Feb or May', 'the last day of Jan, Apr or Jul': what every date is."""
        names = [MONTHS[m - 1][:3] for m in self.months]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        return f"{'the last day' if self.last_day else 'the 1st'} of {listed}"

    @property
    def month_name(self) -> str:
        return MONTHS[self.first_month - 1]

    def others(self) -> str:
        """The other months starting the same quarters ('May, August or November')."""
        names = [MONTHS[(self.first_month - 1 + 3 * i) % 12] for i in (1, 2, 3)]
        return f"{names[0]}, {names[1]} or {names[2]}"


def fiscal_evidence(days: np.ndarray, *, pay_dates: bool = False) -> FiscalEvidence | None:
    """Whether dates read as quarters show a fiscal year nobody declared: every date the 1st of a month
    (or, for quarter dates, the last day of one), and those months one quarter's length apart from
    each other but not January, April, July and October. None when the dates show nothing of the kind.

    Conservative on purpose: a mix of days, the 1st of every month (monthly snapshots) or a single
    date is no evidence. ``pay_dates``: the dates are pay dates; payroll pays after a quarter closes,
    and the last day of a month is simply when month-end payroll runs (31 January pays a calendar Q4
    bonus as often as anything), so only a pay date on the 1st counts: the day after a quarter closed."""
    import numpy as np
    days = np.asarray(days, dtype="datetime64[D]")
    days = np.unique(days[~np.isnat(days)])
    if len(days) < 2:
        return None
    month_of = days.astype("datetime64[M]")
    months = month_of.astype("int64") % 12 + 1
    if bool((days == month_of.astype("datetime64[D]")).all()):
        starts, last_day = months, False
    elif not pay_dates and bool(((days + 1).astype("datetime64[M]") != month_of).all()):
        starts, last_day = months % 12 + 1, True  # the day before the month after starts
    else:
        return None
    # January, April, July and October leave 1 (mod 3): calendar quarters.
    remainders = set((starts % 3).tolist())
    if len(remainders) != 1 or remainders == {1}:
        return None
    return FiscalEvidence(first_month=2 if remainders == {2} else 3, last_day=last_day,
                          months=tuple(sorted(set(months.tolist()))))


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def quarter_bounds(label: str) -> tuple[date, date]:
    """First and last calendar day of a canonical quarter label."""
    return CALENDAR.bounds(label)


def quarter_day_numbers(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised quarter_bounds as numpy datetime64[D] arrays (first day, last day)."""
    return CALENDAR.day_numbers(labels)


# A quarter label inside a file name: accounts_FY2027Q1.csv, crm 2026-Q3.xlsx, book_Q2_2026.csv.
_LABEL_IN_NAME = re.compile(r"(?i)(?<![a-z0-9])(FY\s*[-_ ]?\s*\d{2,4}\s*[-_ ]?\s*Q[1-4]|\d{4}\s*[-_ ]?\s*Q[1-4]|"
                            r"Q[1-4]\s*[-_ ]?\s*(?:FY\s*)?\d{4})(?![0-9])")


def label_in_file_name(name: str) -> str | None:
    """The quarter label a file's name carries, spelled as parse_quarter spells it (FY kept), or None.

    One rule for `cscomp init` (which groups quarter files) and the loader (which reads them)."""
    stem = name.replace("\\", "/").rpartition("/")[2]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return label_in_text(stem)


def label_in_text(text: str) -> str | None:
    """The first quarter label written inside a text (a file's name, a pay line's description: 'Q4 2025
    bonus'), spelled as parse_quarter spells it (FY kept), or None."""
    found = _LABEL_IN_NAME.search(text)
    return parse_quarter(re.sub(r"[-_\s]+", " ", found.group(1))) if found else None


_ORDINAL_LABEL = re.compile(r"^(FY)?([0-9]{4})Q([1-4])$")


def quarter_ordinal(label: str) -> int:
    """A canonical label as a number counting quarters (2026Q1 → 2026 × 4 + 0; FY2027Q1 → 2027 × 4 + 0), so a
    window's quarters are label arithmetic under any calendar."""
    m = _ORDINAL_LABEL.match(str(label))
    if m is None:
        raise ValueError(f"'{label}' is not a canonical quarter label")
    return int(m.group(2)) * 4 + int(m.group(3)) - 1


def quarter_ordinals(labels: pd.Series) -> np.ndarray:
    """Each row's canonical label as quarter_ordinal counts it (-1 where missing), each distinct label parsed
    once: a categorical's own codes, no Python object per row (millions of account rows)."""
    import numpy as np
    import pandas as pd

    if isinstance(labels.dtype, pd.CategoricalDtype):
        codes, distinct = labels.cat.codes.to_numpy(), labels.cat.categories
    else:
        codes, distinct = pd.factorize(labels.to_numpy(dtype=object))
    return np.array([quarter_ordinal(label) for label in distinct] + [-1], dtype=np.int64)[codes]


def ordinal_label(ordinal: int, like: str) -> str:
    """The label of a quarter ordinal, written as ``like`` is (FY prefix or none)."""
    prefix = "FY" if str(like).startswith("FY") else ""
    return f"{prefix}{ordinal // 4:04d}Q{ordinal % 4 + 1}"
