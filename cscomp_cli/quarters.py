"""Calendar quarter labels: parsing the spellings exports use, and the days each quarter spans."""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np

# 2026Q1, 2026-Q1, 2026 Q1, Q1 2026, Q1-2026, any case.
_YEAR_FIRST = re.compile(r"^\s*([0-9]{4})\s*[- ]?\s*[qQ]([1-4])\s*$")
_QUARTER_FIRST = re.compile(r"^\s*[qQ]([1-4])\s*[- ]?\s*([0-9]{4})\s*$")

QUARTER_PATTERN = r"^\s*(?:([0-9]{4})\s*[- ]?\s*[qQ]([1-4])|[qQ]([1-4])\s*[- ]?\s*([0-9]{4}))\s*$"


def parse_quarter(text: str) -> str | None:
    """Return the canonical label (``2026Q1``) for one spelling, or None if it is not a quarter."""
    m = _YEAR_FIRST.match(text)
    if m:
        return f"{m.group(1)}Q{m.group(2)}"
    m = _QUARTER_FIRST.match(text)
    if m:
        return f"{m.group(2)}Q{m.group(1)}"
    return None


def quarter_bounds(label: str) -> tuple[date, date]:
    """First and last calendar day of a canonical quarter label."""
    year, q = int(label[:4]), int(label[5])
    first = date(year, 3 * (q - 1) + 1, 1)
    next_first = date(year + (q == 4), (3 * q) % 12 + 1, 1)
    return first, next_first - timedelta(days=1)


def quarter_day_numbers(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised quarter_bounds as numpy datetime64[D] arrays (first day, last day)."""
    bounds = {label: quarter_bounds(label) for label in set(labels.tolist())}
    first = np.array([bounds[lb][0] for lb in labels], dtype="datetime64[D]")
    last = np.array([bounds[lb][1] for lb in labels], dtype="datetime64[D]")
    return first, last


# --- TEMPORARY stand-in until the calendar branch lands (replaced at merge) ---
from dataclasses import dataclass  # noqa: E402

_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]


def month_number(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= 12 else None
    text = str(value).strip().lower()
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    for i, name in enumerate(_MONTHS, 1):
        if len(text) >= 3 and name.startswith(text):
            return i
    return None


@dataclass(frozen=True)
class Calendar:
    first_month: int = 1
    named_for: str = "end"

    @property
    def fiscal(self) -> bool:
        return self.first_month != 1

    def canonical(self, text: str) -> str | None:
        return parse_quarter(text)

    def quarter_of(self, dates: np.ndarray, months_back: int = 0) -> np.ndarray:
        months = dates.astype("datetime64[M]").astype("int64") - months_back
        years, month0 = months // 12 + 1970, months % 12
        return np.array([f"{y}Q{m // 3 + 1}" for y, m in zip(years, month0)], dtype=object)


CALENDAR = Calendar()
