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
