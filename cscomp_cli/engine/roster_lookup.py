"""A CSM's roster row for a quarter, as every step reads it: the replay's pay and team, and a window's
team and segment books in the quarters before the replayed ones.

A roster is read one of three ways (SPEC 1 and 6.2): one row a CSM for every quarter; rows per
``quarter`` (a row for the quarter wins over an every-quarter row); or a pay history, rows with an
``effective_date``, each in force from that day (blank: from the beginning of time) until the day
before the CSM's next row. In a history the row of a quarter is the one in force on the CSM's last
employed day of it, and the quarter's pay is split by day between the rows in force (pay_periods).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.quarters import CALENDAR, Calendar

ROSTER_FIELDS = ["name", "segment", "team", "annual_base", "annual_variable", "start_date", "end_date", "currency"]

# Day numbers (days since 1970-01-01) of a history, as one sortable integer per (CSM, day): every date
# pandas can hold is within ±2**18 days of 1970, so a CSM's days fit in a span of 2**20.
_SPAN = 1 << 20
_OFFSET = 1 << 19
_NEVER_BEFORE = -_OFFSET + 1  # a blank effective_date: in force from the beginning of time
_NEVER_AFTER = _OFFSET - 1  # the last row's end, or no end_date


def is_history(roster: pd.DataFrame) -> bool:
    """Whether the roster is a pay history: some row has an effective_date (SPEC 6.2)."""
    return "effective_date" in roster and bool(roster["effective_date"].notna().any())


def roster_rows(roster: pd.DataFrame, keys: pd.DataFrame, fields: list[str] = ROSTER_FIELDS,
                calendar: Calendar = CALENDAR) -> pd.DataFrame:
    """``keys`` (quarter, csm_id, …) with each one's roster row for that quarter alongside: a row for the
    quarter wins over an every-quarter row; in a pay history, the row in force on the CSM's last employed
    day of the quarter (``calendar`` gives the quarter's days). No row leaves the fields blank (name NaN)."""
    fields = [f for f in fields if f in roster]
    if is_history(roster):
        history = _History(roster, calendar)
        found = history.rows_for(keys)
        picked = history.sorted[fields].reindex(np.where(found >= 0, found, -1))
        joined = keys.reset_index(drop=True).copy()
        for column in fields:
            joined[column] = picked[column].to_numpy()
        return joined
    specific = roster[roster["quarter"].notna()][["csm_id", "quarter", *fields]]
    general = roster[roster["quarter"].isna()][["csm_id", *fields]]
    joined = keys.merge(specific, on=["quarter", "csm_id"], how="left", validate="many_to_one")
    fallback = keys[["csm_id"]].merge(general, on="csm_id", how="left", validate="many_to_one")
    missing_specific = joined["name"].isna().to_numpy()
    for column in fields:
        joined[column] = joined[column].where(~missing_specific, fallback[column].to_numpy())
    return joined


def pay_periods(roster: pd.DataFrame, keys: pd.DataFrame, calendar: Calendar = CALENDAR) -> pd.DataFrame:
    """In a pay history, each (quarter, csm_id) of ``keys`` split into the roster rows in force on its
    employed days: one row per (key, roster row) with ``key`` (the position in ``keys``), ``row`` (the
    roster's index label), ``days`` (employed days of the quarter under that row), ``first`` and ``last``
    (the first and last of those days, datetime64[D]), in the order of the days."""
    history = _History(roster, calendar)
    span = history.employed(keys)
    lo, hi, code = span["lo"], span["hi"], span["code"]
    employed = (code >= 0) & (hi >= lo)
    keyed = np.flatnonzero(employed)
    first_pos = history.in_force(code[keyed], lo[keyed])
    last_pos = history.in_force(code[keyed], hi[keyed])
    counts = last_pos - first_pos + 1
    key = np.repeat(keyed, counts)
    # Each key's rows are consecutive in the sorted history: first_pos, first_pos + 1, … last_pos.
    step = np.arange(len(key)) - np.repeat(np.cumsum(counts) - counts, counts)
    pos = np.repeat(first_pos, counts) + step
    starts = np.maximum(history.effective[pos], lo[key])
    ends = np.minimum(history.until[pos], hi[key])
    periods = pd.DataFrame({"key": key, "row": history.sorted["label"].to_numpy()[pos],
                            "days": (ends - starts + 1).astype("int64"),
                            "first": _dates(starts), "last": _dates(ends)})
    # Two rows from one day (refused by the loader; validate goes on past it): the later one holds.
    return periods[periods["days"] > 0].reset_index(drop=True)


def _dates(days: np.ndarray) -> np.ndarray:
    return days.astype("int64").astype("datetime64[D]")


def _day_numbers(values: pd.Series, blank: int) -> np.ndarray:
    days = values.to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(days), blank, days.astype("int64")).astype("int64")


class _History:
    """A pay history sorted by CSM and effective_date, with lookups of the row in force on a day."""

    def __init__(self, roster: pd.DataFrame, calendar: Calendar):
        self.calendar = calendar
        frame = roster.assign(label=roster.index.to_numpy())
        effective = _day_numbers(frame["effective_date"], _NEVER_BEFORE)
        frame = frame.assign(_day=effective).sort_values(["csm_id", "_day"], kind="stable")
        self.sorted = frame.reset_index(drop=True)
        self.ids = pd.Index(pd.unique(self.sorted["csm_id"].astype(object)))
        self.code = self.ids.get_indexer(self.sorted["csm_id"].astype(object)).astype("int64")
        self.effective = self.sorted["_day"].to_numpy(dtype="int64")
        self.order = self.code * _SPAN + (self.effective + _OFFSET)
        same_next = np.append(self.code[1:] == self.code[:-1], False)
        # A row is in force until the day before the CSM's next row; the last one for ever.
        self.until = np.where(same_next, np.append(self.effective[1:], 0) - 1, _NEVER_AFTER)
        first_of = np.append(True, self.code[1:] != self.code[:-1])
        self.earliest = self.effective[first_of]  # per CSM code: the first day any row is in force
        # Employment dates are one per CSM (the loader refuses two); the first row's given value.
        by_csm = self.sorted.groupby(self.code, sort=True)
        self.start = _day_numbers(by_csm["start_date"].first(), _NEVER_BEFORE) if "start_date" in self.sorted \
            else np.full(len(self.ids), _NEVER_BEFORE)
        self.end = _day_numbers(by_csm["end_date"].first(), _NEVER_AFTER) if "end_date" in self.sorted \
            else np.full(len(self.ids), _NEVER_AFTER)

    def in_force(self, code: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Per (CSM code, day): the sorted position of the row in force that day, −1 for none."""
        pos = np.searchsorted(self.order, code * _SPAN + (day + _OFFSET), side="right") - 1
        safe = np.clip(pos, 0, max(len(self.code) - 1, 0))
        ok = (code >= 0) & (pos >= 0) & (self.code[safe] == code) if len(self.code) else np.zeros(len(code), bool)
        return np.where(ok, pos, -1)

    def employed(self, keys: pd.DataFrame) -> dict[str, np.ndarray]:
        """Per key: the CSM's code (−1 off the roster) and the first and last day of the quarter on which
        they are employed with a row in force (lo > hi: none); also the quarter's last day."""
        code = self.ids.get_indexer(keys["csm_id"].astype(object).to_numpy()).astype("int64")
        first_day, last_day = self.calendar.day_numbers(keys["quarter"].to_numpy())
        first_day, last_day = first_day.astype("int64"), last_day.astype("int64")
        known = code >= 0
        at = np.where(known, code, 0)
        lo = np.maximum.reduce([first_day, np.where(known, self.start[at], first_day),
                                np.where(known, self.earliest[at], first_day)]) if len(self.ids) else first_day
        hi = np.minimum(last_day, np.where(known, self.end[at], last_day)) if len(self.ids) else last_day
        return {"code": code, "lo": lo, "hi": hi, "last_day": last_day}

    def rows_for(self, keys: pd.DataFrame) -> np.ndarray:
        """Per key: the sorted position of its quarter's row (in force on the last employed day, else on
        the quarter's last day), −1 when no row is in force on any day of the quarter."""
        span = self.employed(keys)
        reference = np.where(span["hi"] >= span["lo"], span["hi"], span["last_day"])
        return self.in_force(span["code"], reference)
