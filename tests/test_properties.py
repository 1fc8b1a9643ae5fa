"""Properties over random books and plans: what must hold whatever the data."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscomp_cli.engine.metrics import book_statistics, metric
from cscomp_cli.engine.replay import replay
from cscomp_cli.engine.versus_actual import compare_with_actual
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.loading import parse_plan
from cscomp_cli.plan.model import Credit

amount = st.integers(min_value=0, max_value=200_000)


@st.composite
def account_rows(draw, losses_within_start: bool = False):
    """Random books; with losses_within_start no account loses more than it started with."""
    rows = []
    for i in range(draw(st.integers(min_value=1, max_value=12))):
        start = draw(st.sampled_from([0, draw(amount)]))
        expansion, cross_sell = draw(amount), draw(st.integers(0, 20_000))
        ceiling = start if losses_within_start else start + expansion + cross_sell
        contraction = draw(st.integers(0, ceiling))
        churn = draw(st.integers(0, ceiling - contraction))
        csm = f"C{draw(st.integers(1, 4))}"
        rows.append(f"2026Q1,A{i},{csm},{start},{expansion},{cross_sell},{contraction},{churn}")
    return "quarter,account_id,csm_id,arr_start,expansion,cross_sell,contraction,churn\n" + "\n".join(rows) + "\n"


ROSTER = "csm_id,name,segment,annual_base,annual_variable\n" + "".join(
    f"C{i},N{i},SMB,90000,{10000 * i}\n" for i in range(1, 5)
)
PLAN = """
name: property
cap: 1.3
components:
  - id: retention
    metric: nrr
    weight: 0.6
    target: 1.0
    curve: [[0.8, 0.2], [1.0, 1.0], [1.2, 2.0]]
    uncapped: true
  - id: growth
    metric: gross_expansion
    weight: 0.4
    target: {pct_of_start_arr: 0.05}
    curve: [[0.5, 0.5], [1.0, 1.0], [2.0, 1.8]]
  - id: commission
    kind: commission
    metric: net_expansion
    allow_negative: true
    tiers: [{up_to: 10000, rate: 0.02}, {rate: 0.05}]
"""


def _dataset(accounts: str):
    # A folder per example, removed once read (hypothesis runs hundreds: they must not pile up in /tmp).
    with tempfile.TemporaryDirectory(prefix="cscomp-prop-") as name:
        folder = Path(name)
        (folder / "accounts.csv").write_text(accounts)
        (folder / "roster.csv").write_text(ROSTER)
        (folder / "payouts.csv").write_text("quarter,csm_id,amount\n2026Q1,C1,1000\n")
        return load_dataset(folder)


@given(account_rows(losses_within_start=True))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_grr_never_exceeds_nrr_and_stays_within_zero_and_one(accounts):
    # SPEC: retained ARR is not clamped per row, so an account that expands and then churns in the
    # same quarter can push grr below 0; the bound holds when no account loses more than it started with.
    stats = book_statistics(_dataset(accounts).accounts, ["quarter", "csm_id"])
    grr, nrr = metric(stats, "grr", Credit()), metric(stats, "nrr", Credit())
    defined = ~np.isnan(grr)
    assert np.array_equal(defined, ~np.isnan(nrr))
    assert np.all(grr[defined] <= nrr[defined] + 1e-9)
    assert np.all((grr[defined] >= 0) & (grr[defined] <= 1))


@given(account_rows())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_components_plus_cap_adjustment_equal_proposed_and_totals_add_up(accounts):
    result = replay(parse_plan(PLAN), _dataset(accounts), 1)
    rows = result.rows
    components = sum(rows[f"{c}_payout_cents"] for c in ("retention", "growth", "commission"))
    assert (components + rows["cap_adjustment_cents"] == rows["proposed_cents"]).all()
    assert (rows["cap_adjustment_cents"] <= 0).all()
    cap_cents = np.floor(1.3 * rows["target_variable"] * 100 + 0.5 + 1e-6)
    assert (rows["proposed_cents"] <= cap_cents).all()
    comparison = compare_with_actual(result)
    assert comparison.summary["proposed_total_cents"] == int(rows["proposed_cents"].sum())
    assert comparison.summary["delta_cents"] == comparison.summary["proposed_total_cents"] - int(
        rows["actual_cents"].sum())
