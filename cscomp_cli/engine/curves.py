"""Payout curves and commission tiers, vectorised over every CSM–quarter at once."""

from __future__ import annotations

import numpy as np


def curve_fraction(x: np.ndarray, points, *, interpolate: str = "linear", uncapped: bool = False) -> np.ndarray:
    """f(x) for a curve of [x, payout] points; NaN where x is NaN (the caller applies on_missing).

    0 below the first point; linear interpolation or a step between points (exactly on a point pays
    that point); the last point's payout at or beyond it, unless ``uncapped`` continues the slope.
    """
    x = np.asarray(x, dtype="float64")
    xs = np.array([p[0] for p in points], dtype="float64")
    ys = np.array([p[1] for p in points], dtype="float64")
    # i: the highest point at or below x (-1 below the first point).
    i = np.searchsorted(xs, np.nan_to_num(x, nan=-np.inf), side="right") - 1
    at = np.clip(i, 0, len(xs) - 1)
    if interpolate == "step" or len(xs) == 1:
        fraction = ys[at]
    else:
        seg = np.clip(at, 0, len(xs) - 2)  # beyond the last point, extend the last segment
        x0, x1, y0, y1 = xs[seg], xs[seg + 1], ys[seg], ys[seg + 1]
        fraction = y0 + (x - x0) / (x1 - x0) * (y1 - y0)
        if not uncapped:
            fraction = np.where(i >= len(xs) - 1, ys[-1], fraction)
    fraction = np.where(i < 0, 0.0, fraction)
    return np.where(np.isnan(x), np.nan, fraction)


def commission(
    amount: np.ndarray,
    bounds: np.ndarray,
    rates,
    *,
    tiering: str = "marginal",
    allow_negative: bool = False,
) -> np.ndarray:
    """Commission on ``amount`` (n,) with per-row tier ``bounds`` (n, tiers − 1) and ``rates``.

    Marginal: each rate on the part of the amount inside its tier. Retroactive: the rate of the
    tier the whole amount reaches, on all of it; an amount exactly on a bound stays in the lower
    tier. A negative amount pays 0, or with ``allow_negative`` the first rate times the amount.
    """
    amount = np.asarray(amount, dtype="float64")
    rates = np.asarray(rates, dtype="float64")
    bounds = np.asarray(bounds, dtype="float64").reshape(len(amount), len(rates) - 1)
    positive = np.maximum(amount, 0.0)
    if tiering == "retroactive":
        reached = (positive[:, None] > bounds).sum(axis=1)
        paid = rates[reached] * positive
    else:
        lower = np.concatenate([np.zeros((len(amount), 1)), bounds], axis=1)
        upper = np.concatenate([bounds, np.full((len(amount), 1), np.inf)], axis=1)
        inside = np.clip(np.minimum(positive[:, None], upper) - lower, 0.0, None)
        paid = (inside * rates).sum(axis=1)
    if allow_negative:
        paid = np.where(amount < 0, rates[0] * amount, paid)
    return paid
