"""A column aggregate's statistics per book (SPEC 5.3 aggregate:): counts, totals, weights, hits, lows and
highs, summed over each book's rows in one pass, pooled across books, and the metric value made from them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.rounding import round_half_away
from cscomp_cli.engine.metrics import (
    DEFINITIONS,
    FORMULAS,
    ROW_QUANTITIES,
    STATISTICS,
    metric,
    row_quantity,
)
from cscomp_cli.engine.row_filters import column_owner, typed_cells
from cscomp_cli.plan.model import Credit, Plan
from cscomp_cli.plan.own_metrics import Definition

# Statistics of a column aggregate; low and high pool as min of mins and max of maxes, the rest add.
COLUMN_STATISTICS = ("n", "total", "weighted", "weight", "hits", "low", "high")

POOLING = {"low": "min", "high": "max"}


def statistics_used(base: str) -> list[str]:
    """The statistics a built-in formula and its explanation read, found by running them on zeros."""
    used: set[str] = set()

    class Recorder(dict):
        def __missing__(self, key):
            used.add(key)
            return 0.0

    with np.errstate(all="ignore"):
        FORMULAS[base](Recorder(), Credit())
        DEFINITIONS[base][1](Recorder(), Credit())
    return [name for name in STATISTICS if name in used]


def column_row_quantity(frame: pd.DataFrame, name: str, selected: np.ndarray) -> np.ndarray:
    """One per-row quantity for the selected rows: the built-in metrics' own (metrics.row_quantity), plus
    arr_start, risk, new_arr, and the net movement and losses a window folds as one grid each instead of five."""
    if name in ROW_QUANTITIES:
        return row_quantity(frame, name, selected)
    if name in ("arr_start", "risk"):
        return frame[name].to_numpy(dtype="float64")[selected]
    if name == "new_arr":  # SPEC 6.7: folded into arr_end only (a frame built without the column has none)
        if "new_arr" not in frame:
            return np.zeros(int(np.count_nonzero(selected)))
        return frame["new_arr"].to_numpy(dtype="float64")[selected]
    movements = {column: row_quantity(frame, column, selected)
                 for column in ("expansion", "cross_sell", "contraction", "churn")}
    if name == "growth":
        return movements["expansion"] + movements["cross_sell"] - movements["contraction"] - movements["churn"]
    if name == "loss":
        return movements["contraction"] + movements["churn"]
    raise KeyError(name)


def column_rows(plan: Plan, definition: Definition, frame: pd.DataFrame, selected: np.ndarray) -> dict:
    """Per selected row: whether it has a value, and the quantities a column aggregate sums."""
    owner = column_owner(plan, definition)
    values = typed_cells(frame, definition.column, "number", owner, f"metrics.{owner}.column")[selected]
    start = frame["arr_start"].to_numpy(dtype="float64")[selected]
    has = ~np.isnan(values)
    v = np.where(has, values, 0.0)
    weighted = has & (start > 0)  # rule: each row weighted by its own arr_start, rows with arr_start > 0
    hits = has.copy()
    band = definition.where
    if band is not None:
        if band.at_least is not None:
            hits &= values >= band.at_least
        if band.below is not None:
            hits &= values < band.below
    return {"n": has.astype("float64"), "total": v, "weighted": np.where(weighted, v * start, 0.0),
            "weight": np.where(weighted, start, 0.0), "hits": hits.astype("float64"),
            "low": np.where(has, values, np.nan), "high": np.where(has, values, np.nan)}


def reduce_by_code(codes: np.ndarray, values: np.ndarray, size: int, how: str) -> np.ndarray:
    """Per code: the sum of values (0 for none), or the min / max ignoring NaN (NaN for none)."""
    if how == "sum":
        return np.bincount(codes, weights=values, minlength=size)
    out = np.full(size, np.nan)
    (np.fmin if how == "min" else np.fmax).at(out, codes, values)
    return out


def column_value(definition: Definition, stats: pd.DataFrame) -> np.ndarray:
    """A column aggregate from its statistics; NaN where undefined (n = 0, or no ARR to weigh by)."""
    s = {name: stats[name].to_numpy(dtype="float64") for name in COLUMN_STATISTICS}
    n = s["n"]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = {
            "mean": lambda: np.where(n > 0, s["total"] / n, np.nan),
            "sum": lambda: s["total"],
            "min": lambda: s["low"],
            "max": lambda: s["high"],
            "count": lambda: n,
            "arr_weighted_mean": lambda: np.where(s["weight"] > 0, s["weighted"] / s["weight"], np.nan),
            "share": lambda: np.where(n > 0, s["hits"] / n, np.nan),
        }[definition.aggregate]()
    return round_half_away(np.asarray(value, dtype="float64"))


def value_of(definition: Definition, stats: pd.DataFrame, credit: Credit) -> np.ndarray:
    if definition.base == "column":
        return column_value(definition, stats)
    return metric(stats, definition.base, credit)


def pooled_by_scope(frame: pd.DataFrame, groups: np.ndarray) -> pd.DataFrame:
    """Each row's statistics replaced by those of its group: sums add, lows and highs take min and max."""
    grouped = frame.groupby(groups, sort=False)
    return pd.DataFrame({name: grouped[name].transform(POOLING.get(name, "sum")) for name in frame.columns},
                        index=frame.index)
