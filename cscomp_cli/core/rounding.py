"""The contract's rounding: halves away from zero, decided in integers so binary floats never tip it.

Metric values, targets, attainments and currency tier bounds are rounded to 9 decimals as soon as
they are computed. Payouts are rounded first to 6 decimals, then to cents, and summed as integer
cents so a total never drifts by a fraction of a cent.
"""

from __future__ import annotations

import math

import numpy as np

METRIC_DECIMALS = 9


def round_half_away(values, decimals: int = METRIC_DECIMALS):
    """Round to ``decimals`` places, halves away from zero; NaN stays NaN. Accepts scalars or arrays."""
    x = np.asarray(values, dtype="float64")
    scale = 10.0**decimals
    rounded = np.sign(x) * np.floor(np.abs(x) * scale + 0.5) / scale
    # Beyond 2**53 a float has no fractional digits left to round; keep the value as it is.
    rounded = np.where(np.abs(x) * scale >= 2.0**53, x, rounded)
    rounded = rounded + 0.0  # turn -0.0 into 0.0 so it never prints as "-0.0"
    return rounded if rounded.ndim else float(rounded)


def to_cents(values) -> np.ndarray:
    """Round amounts to 6 decimals, then to whole cents (halves away from zero each time), as int64."""
    x = np.asarray(values, dtype="float64")
    micros = np.floor(np.abs(x) * 1e6 + 0.5).astype("int64")
    cents = (micros + 5_000) // 10_000
    return np.where(x < 0, -cents, cents).astype("int64")


def cents_to_amount(cents) -> np.ndarray | float:
    """Integer cents back to a float amount whose shortest repr is exact (12345 -> 123.45)."""
    arr = np.asarray(cents, dtype="int64")
    out = arr / 100.0 + 0.0
    return out if out.ndim else float(out)


def pct_change(delta_cents, base_cents):
    """delta ÷ base as a percentage rounded to 2 decimals; NaN where the base is 0."""
    delta = np.asarray(delta_cents, dtype="float64")
    base = np.asarray(base_cents, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(base != 0, delta * 100.0 / np.where(base != 0, base, 1.0), np.nan)
    return round_half_away(round_half_away(pct, 6), 2)


def plain_number(value) -> float | None:
    """A plain float for JSON, or None where undefined (NaN); -0.0 becomes 0.0."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value + 0.0


def plain_numbers(values) -> list:
    """plain_number over a whole column: Python floats, None where NaN, -0.0 as 0.0."""
    x = np.asarray(values, dtype="float64") + 0.0
    nan = np.isnan(x)
    if not nan.any():
        return x.tolist()
    out = x.astype(object)
    out[nan] = None
    return out.tolist()


def amounts(cents) -> list:
    """cents_to_amount over a whole column of integer cents, as Python floats."""
    return np.atleast_1d(cents_to_amount(cents)).tolist()
