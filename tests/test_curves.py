"""Curves, tiers and rounding: hand-worked points plus properties that must hold for every plan."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cscomp_cli.core.rounding import round_half_away, to_cents
from cscomp_cli.engine.curves import commission, curve_fraction

CURVE = [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]


@pytest.mark.parametrize(
    ("x", "linear", "step"),
    [
        (0.85, 0.0, 0.0),   # below the first point: 0
        (0.90, 0.0, 0.0),   # on the first point: its payout
        (0.95, 0.5, 0.0),   # halfway 0.9→1.0: 0 + 0.5 × 1.0; step keeps the 0.9 point
        (1.00, 1.0, 1.0),   # exactly on a point pays that point
        (1.04, 1.2, 1.0),   # 1.0 + 0.4 × 0.5
        (1.10, 1.5, 1.5),
        (2.00, 1.5, 1.5),   # beyond the last point: capped at its payout
    ],
)
def test_curve_points_by_hand(x, linear, step):
    assert curve_fraction(np.array([x]), CURVE)[0] == pytest.approx(linear, abs=1e-12)
    assert curve_fraction(np.array([x]), CURVE, interpolate="step")[0] == step


def test_uncapped_extends_the_last_slope_and_single_point_curves():
    # slope of the last segment: (1.5 − 1.0) / 0.1 = 5 → at 1.3: 1.5 + 0.2 × 5 = 2.5
    assert curve_fraction(np.array([1.3]), CURVE, uncapped=True)[0] == pytest.approx(2.5)
    assert list(curve_fraction(np.array([0.5, 1.0, 9.0]), [[1.0, 1.0]])) == [0.0, 1.0, 1.0]
    assert np.isnan(curve_fraction(np.array([np.nan]), CURVE)[0])


def test_tiers_by_hand():
    bounds = np.array([[5000.0, 10000.0]])
    rates = [0.05, 0.08, 0.10]
    # 7,000: 5,000 × 5 % + 2,000 × 8 % = 410 marginal; 7,000 × 8 % = 560 retroactive
    assert commission(np.array([7000.0]), bounds, rates)[0] == pytest.approx(410.0)
    assert commission(np.array([7000.0]), bounds, rates, tiering="retroactive")[0] == pytest.approx(560.0)
    # exactly on the 10,000 bound: the lower tier, 8 %
    assert commission(np.array([10000.0]), bounds, rates, tiering="retroactive")[0] == pytest.approx(800.0)
    assert commission(np.array([-100.0]), bounds, rates)[0] == 0.0
    assert commission(np.array([-100.0]), bounds, rates, allow_negative=True)[0] == pytest.approx(-5.0)


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        (0.005, 1),          # half a cent rounds away from zero
        (-0.005, -1),
        (0.015, 2),          # binary 0.01499999…: 6 places first (0.015000), then cents
        (4444.445, 444445),  # binary 4444.44499999…: 4444.445000 → 4444.45
        (4444.4444444, 444444),
        (1e9 + 0.125, 100000000013),
    ],
)
def test_payouts_round_to_six_places_then_cents_half_away(amount, cents):
    assert int(to_cents(amount)) == cents


def test_metric_rounding_to_nine_places():
    assert round_half_away(100 * (2 - 1) / 5) == 20.0
    assert round_half_away(0.3 / 0.1) == 3.0       # 2.9999999999999996 in binary
    assert round_half_away(2 / 3) == 0.666666667
    assert round_half_away(-2.5, 0) == -3.0 and round_half_away(2.5, 0) == 3.0


# --- properties ----------------------------------------------------------------------------

coordinates = st.floats(min_value=-5, max_value=5, allow_nan=False, allow_infinity=False)
payout_steps = st.floats(min_value=0, max_value=3, allow_nan=False, allow_infinity=False)


@st.composite
def curves(draw):
    xs = sorted(set(round(v, 3) for v in draw(st.lists(coordinates, min_size=1, max_size=6))))
    ys = np.cumsum([draw(payout_steps) for _ in xs]).tolist()
    return [[x, y] for x, y in zip(xs, ys)]


probe = st.lists(st.floats(min_value=-10, max_value=10, allow_nan=False), min_size=2, max_size=40)


@given(curves(), probe, st.sampled_from(["linear", "step"]))
def test_curves_never_decrease_and_never_pass_their_cap(points, xs, interpolate):
    x = np.sort(np.array(xs))
    f = curve_fraction(x, points, interpolate=interpolate)
    assert np.all(np.diff(f) >= -1e-12)
    assert np.all(f >= 0)
    assert np.all(f <= points[-1][1] + 1e-12)
    assert np.all(f[x < points[0][0]] == 0)


@given(curves(), st.floats(min_value=-5, max_value=5, allow_nan=False))
def test_linear_curves_are_continuous_inside_their_span(points, x):
    if len(points) < 2 or not points[0][0] <= x <= points[-1][0]:
        return
    slope = max((b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(points, points[1:]))
    eps = 1e-7
    here, there = curve_fraction(np.array([x, min(x + eps, points[-1][0])]), points)
    assert abs(there - here) <= slope * eps + 1e-9


@st.composite
def schedules(draw):
    count = draw(st.integers(min_value=1, max_value=4))
    bounds = np.cumsum([draw(st.floats(min_value=1, max_value=1e5)) for _ in range(count - 1)])
    rates = np.cumsum([draw(st.floats(min_value=0, max_value=0.1)) for _ in range(count)])  # increasing
    return bounds, rates


@given(schedules(), st.lists(st.floats(min_value=0, max_value=5e5), min_size=1, max_size=20), st.floats(0.01, 100))
@settings(max_examples=200)
def test_marginal_tiers_are_continuous_monotone_and_never_above_retroactive(schedule, amounts, step):
    bounds, rates = schedule
    a = np.sort(np.array(amounts))
    grid = np.broadcast_to(bounds, (len(a), len(bounds)))
    marginal = commission(a, grid, rates)
    retroactive = commission(a, grid, rates, tiering="retroactive")
    assert np.all(np.diff(marginal) >= -1e-9)
    assert np.all(marginal <= retroactive + 1e-6)
    nudged = commission(a + step, grid, rates)
    assert np.all(np.abs(nudged - marginal) <= rates.max() * step + 1e-6)
