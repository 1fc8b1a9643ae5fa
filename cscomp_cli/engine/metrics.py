"""The sixteen book metrics of SPEC section 2, computed from summed statistics.

Every metric is a ratio or sum of a few per-account quantities, so each book is first reduced to
those sums (``book_statistics``, one group-by). Books of a team, a segment or the company, or one
CSM's books pooled over several quarters, are then just sums of the same statistics, and each
metric is a vectorised expression over them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from cscomp_cli.core.rounding import round_half_away
from cscomp_cli.plan.model import Credit
from cscomp_cli.plan.vocabulary import METRICS

# Per-account quantities whose sums define every metric.
STATISTICS = (
    "start_arr",         # Σ arr_start over the retention base (arr_start > 0)
    "expansion",         # Σ expansion over the book
    "cross_sell",        # Σ cross_sell over the book
    "contraction",       # Σ contraction over the book
    "churn",             # Σ churn over the book
    "retained",          # Σ (arr_start − contraction − churn) over the base
    "net_retained",      # Σ (arr_start + expansion + cross_sell − contraction − churn) over the base
    "renewed_arr",       # Σ (arr_start − contraction − churn) over rows renewal_due and renewed
    "base_rows",         # rows in the base
    "base_rows_alive",   # rows of the base with arr_end > 0
    "due_start",         # Σ arr_start over rows renewal_due
    "renewed_start",     # Σ arr_start over rows renewal_due and renewed
    "nps_answers", "nps_promoters", "nps_detractors",
    "health_sum", "health_count",
    "risk_weighted",     # Σ risk × arr_start over base rows with a risk score
    "risk_weight",       # Σ arr_start over base rows with a risk score
    "accounts",          # rows in the book
)


def account_statistics(accounts: pd.DataFrame) -> pd.DataFrame:
    """One row per account row: the quantities that ``book_statistics`` sums."""
    return pd.DataFrame({name: compute() for name, compute in _account_quantities(accounts).items()},
                        index=accounts.index)


def row_quantity(accounts: pd.DataFrame, name: str, selected: np.ndarray | None = None) -> np.ndarray:
    """One per-row quantity that does not depend on the retention base, for the ``selected`` rows (all
    when None): the movements, the renewal sums, the NPS counts and health. A trailing window (the
    custom metrics) sums these over an account's rows exactly as a quarter's book does."""
    def col(column, dtype="float64"):
        values = accounts[column].to_numpy(dtype=dtype)
        return values if selected is None else values[selected]

    if name in ("expansion", "cross_sell", "contraction", "churn"):
        return col(name)
    if name in ("renewed_arr", "due_start", "renewed_start"):
        start = col("arr_start")
        due = col("renewal_due", bool)
        renewed = due & col("renewed", bool)
        if name == "renewed_arr":
            return np.where(renewed, start - col("contraction") - col("churn"), 0.0)
        return np.where(due if name == "due_start" else renewed, start, 0.0)
    if name.startswith("nps_"):
        nps = col("nps")
        return {"nps_answers": ~np.isnan(nps), "nps_promoters": nps >= 9,
                "nps_detractors": nps <= 6}[name].astype("float64")
    health = col("health")
    if name == "health_sum":
        return np.where(np.isnan(health), 0.0, health)
    if name == "health_count":
        return (~np.isnan(health)).astype("float64")
    raise KeyError(name)


# The statistics row_quantity gives; the rest depend on the retention base (arr_start > 0).
ROW_QUANTITIES = ("expansion", "cross_sell", "contraction", "churn", "renewed_arr", "due_start", "renewed_start",
                  "nps_answers", "nps_promoters", "nps_detractors", "health_sum", "health_count")


def _account_quantities(accounts: pd.DataFrame) -> dict[str, Callable[[], np.ndarray]]:
    """Each per-row statistic as a function computing it: summed one at a time, millions of rows never
    hold twenty float columns at once (the peak memory of a 2 M-row replay)."""
    def column(name):
        return accounts[name].to_numpy(dtype="float64")

    def start():
        return column("arr_start")

    def kept():
        return start() - column("contraction") - column("churn")

    def in_base(values):
        return np.where(start() > 0, values, 0.0)

    def risk_base():
        return (start() > 0) & ~np.isnan(column("risk"))

    quantities = {name: (lambda name=name: row_quantity(accounts, name)) for name in ROW_QUANTITIES}
    return {
        **quantities,
        "start_arr": lambda: in_base(start()),
        "retained": lambda: in_base(kept()),
        "net_retained": lambda: in_base(kept() + column("expansion") + column("cross_sell")),
        "base_rows": lambda: (start() > 0).astype("float64"),
        "base_rows_alive": lambda: ((start() > 0) & (column("arr_end") > 0)).astype("float64"),
        "risk_weighted": lambda: np.where(risk_base(), np.nan_to_num(column("risk")) * start(), 0.0),
        "risk_weight": lambda: np.where(risk_base(), start(), 0.0),
        "accounts": lambda: np.ones(len(accounts), dtype="float64"),
    }


def book_statistics(accounts: pd.DataFrame, keys: list[str], grouping: tuple | None = None) -> pd.DataFrame:
    """Sum the account statistics per book (e.g. keys = ["quarter", "csm_id"]), one row per book.

    Each book gets an integer code and every statistic is summed with np.bincount: one pass over
    the rows per statistic, far quicker than a group-by over a wide frame of millions of rows.
    """
    codes, index = grouping if grouping is not None else book_codes(accounts, keys)
    quantities = _account_quantities(accounts)
    sums = {name: np.bincount(codes, weights=quantities[name](), minlength=len(index)) for name in STATISTICS}
    return pd.DataFrame(sums, index=index)


def _factor(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and their sorted values; a categorical column already has them."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = np.asarray(column.cat.categories, dtype=object)
        order = np.argsort(categories, kind="stable")
        rank = np.empty(len(order), dtype="int64")
        rank[order] = np.arange(len(order))
        return rank[column.cat.codes.to_numpy()], categories[order]
    return pd.factorize(column.to_numpy(dtype=object), sort=True)


def book_codes(accounts: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.Index]:
    """A code per row numbering its (sorted) book, and the index of those books."""
    if len(accounts) == 0:
        empty = pd.MultiIndex.from_arrays([[] for _ in keys], names=keys) if len(keys) > 1 else pd.Index([], name=keys[0])
        return np.zeros(0, dtype="int64"), empty
    factors = [_factor(accounts[key]) for key in keys]
    sizes = [len(values) for _, values in factors]
    combined = np.ravel_multi_index([codes for codes, _ in factors], sizes)
    if math.prod(sizes) <= 50_000_000:
        # Few quarters × a few thousand CSMs: count into a dense grid instead of sorting millions of codes.
        seen = np.bincount(combined, minlength=math.prod(sizes)) > 0
        present = np.flatnonzero(seen)
        codes = (np.cumsum(seen) - 1)[combined]
    else:
        present, codes = np.unique(combined, return_inverse=True)
    positions = np.unravel_index(present, [len(values) for _, values in factors])
    levels = [np.asarray(values, dtype=object)[where] for (_, values), where in zip(factors, positions)]
    index = pd.MultiIndex.from_arrays(levels, names=keys) if len(keys) > 1 else pd.Index(levels[0], name=keys[0])
    return codes.astype("int64"), index


def metric(stats: pd.DataFrame, name: str, credit: Credit) -> np.ndarray:
    """One metric for every book in ``stats``; NaN where SPEC says it is undefined."""
    if name not in METRICS:
        raise KeyError(name)
    s = {column: stats[column].to_numpy(dtype="float64") for column in STATISTICS}
    with np.errstate(divide="ignore", invalid="ignore"):
        value = FORMULAS[name](s, credit)
    return round_half_away(np.asarray(value, dtype="float64"))


def book_risk(stats: pd.DataFrame) -> np.ndarray:
    """arr_start-weighted mean risk of each book's base rows that have a score; NaN if none do."""
    weighted = stats["risk_weighted"].to_numpy(dtype="float64")
    weight = stats["risk_weight"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(weight > 0, weighted / weight, np.nan)


def _ratio(numerator, denominator):
    return np.where(denominator != 0, numerator / np.where(denominator != 0, denominator, 1.0), np.nan)


def _expansion_arr(s, credit):
    return round_half_away(credit.expansion * s["expansion"])


def _cross_sell_arr(s, credit):
    return round_half_away(credit.cross_sell * s["cross_sell"])


def _gross_expansion(s, credit):
    return _expansion_arr(s, credit) + _cross_sell_arr(s, credit)


FORMULAS = {
    "start_arr": lambda s, c: s["start_arr"],
    "expansion_arr": _expansion_arr,
    "cross_sell_arr": _cross_sell_arr,
    "gross_expansion": _gross_expansion,
    "contraction_arr": lambda s, c: s["contraction"],
    "churn_arr": lambda s, c: s["churn"],
    # A metric built from metrics uses their rounded values (SPEC: later steps use the rounded value).
    "net_expansion": lambda s, c: (_gross_expansion(s, c) - round_half_away(s["contraction"])
                                   - round_half_away(s["churn"])),
    "retained_arr": lambda s, c: s["retained"],
    "renewed_arr": lambda s, c: s["renewed_arr"],
    "nrr": lambda s, c: _ratio(s["net_retained"], round_half_away(s["start_arr"])),
    "grr": lambda s, c: _ratio(round_half_away(s["retained"]), round_half_away(s["start_arr"])),
    "logo_retention": lambda s, c: _ratio(s["base_rows_alive"], s["base_rows"]),
    "renewal_rate": lambda s, c: _ratio(s["renewed_start"], s["due_start"]),
    "nps": lambda s, c: _ratio(100.0 * (s["nps_promoters"] - s["nps_detractors"]), s["nps_answers"]),
    "health": lambda s, c: _ratio(s["health_sum"], s["health_count"]),
    "accounts": lambda s, c: s["accounts"],
}
assert set(FORMULAS) == set(METRICS)


# How each metric is computed, in words and with the book's own figures (for `cscomp explain`).
def _amount(x: float) -> str:
    return f"{x:,.2f}"


DEFINITIONS = {
    "start_arr": ("Σ arr_start over the retention base (arr_start > 0)", lambda s, c: _amount(s["start_arr"])),
    "expansion_arr": ("credit.expansion × Σ expansion", lambda s, c: f"{c.expansion:g} × {_amount(s['expansion'])}"),
    "cross_sell_arr": ("credit.cross_sell × Σ cross_sell",
                       lambda s, c: f"{c.cross_sell:g} × {_amount(s['cross_sell'])}"),
    "gross_expansion": ("expansion_arr + cross_sell_arr",
                        lambda s, c: f"{c.expansion:g} × {_amount(s['expansion'])} + "
                                     f"{c.cross_sell:g} × {_amount(s['cross_sell'])}"),
    "contraction_arr": ("Σ contraction", lambda s, c: _amount(s["contraction"])),
    "churn_arr": ("Σ churn", lambda s, c: _amount(s["churn"])),
    "net_expansion": ("gross_expansion − contraction_arr − churn_arr",
                      lambda s, c: f"{_amount(c.expansion * s['expansion'] + c.cross_sell * s['cross_sell'])} − "
                                   f"{_amount(s['contraction'])} − {_amount(s['churn'])}"),
    "retained_arr": ("Σ (arr_start − contraction − churn) over the base", lambda s, c: _amount(s["retained"])),
    "renewed_arr": ("Σ (arr_start − contraction − churn) over rows due and renewed",
                    lambda s, c: _amount(s["renewed_arr"])),
    "nrr": ("Σ (arr_start + expansion + cross_sell − contraction − churn) over the base ÷ start_arr",
            lambda s, c: f"{_amount(s['net_retained'])} ÷ {_amount(s['start_arr'])}"),
    "grr": ("retained_arr ÷ start_arr", lambda s, c: f"{_amount(s['retained'])} ÷ {_amount(s['start_arr'])}"),
    "logo_retention": ("base rows with arr_end > 0 ÷ base rows",
                       lambda s, c: f"{s['base_rows_alive']:.0f} ÷ {s['base_rows']:.0f}"),
    "renewal_rate": ("Σ arr_start of renewals signed ÷ Σ arr_start of renewals due",
                     lambda s, c: f"{_amount(s['renewed_start'])} ÷ {_amount(s['due_start'])}"),
    "nps": ("100 × (answers ≥ 9 − answers ≤ 6) ÷ answers",
            lambda s, c: f"100 × ({s['nps_promoters']:.0f} − {s['nps_detractors']:.0f}) ÷ {s['nps_answers']:.0f}"),
    "health": ("mean health over rows that have it", lambda s, c: f"{s['health_sum']:g} ÷ {s['health_count']:.0f}"),
    "accounts": ("rows in the book", lambda s, c: f"{s['accounts']:.0f}"),
}
assert set(DEFINITIONS) == set(METRICS)


def describe(stats: pd.Series, name: str, credit: Credit) -> dict:
    """A metric's formula and the figures it was computed from, for one book."""
    formula, figures = DEFINITIONS[name]
    return {"formula": formula, "figures": figures({k: float(stats[k]) for k in STATISTICS}, credit)}
