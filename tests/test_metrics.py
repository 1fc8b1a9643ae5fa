"""SPEC section 2: the sixteen metrics, scopes, credit factors and book risk, worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from cscomp_cli.engine.metrics import book_risk, book_statistics, metric
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.model import Credit
from cscomp_cli.plan.vocabulary import METRICS

from .conftest import run_json

# One book (C1, 2026Q1) built so that every metric has a distinct, hand-checkable value.
#   A1 start 100,000 +10,000 exp +4,000 xs            due, renewed  nps 10  health 80  risk 0.2
#   A2 start  50,000 −5,000 contraction                due, renewed  nps 9   health 60  risk 0.6
#   A3 start  30,000 −30,000 churn                     due, lost     nps 3   (no health, no risk)
#   A4 new logo: start 0, +20,000 expansion            not due       (no nps) health 90  risk 0.9 (not in base)
#   A5 start  20,000 +1,000 xs −2,000 contraction      not due       nps 7   (no health) risk 0.5
ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,cross_sell,contraction,churn,renewal_due,renewed,nps,health,risk
2026Q1,A1,C1,100000,10000,4000,0,0,yes,yes,10,80,0.2
2026Q1,A2,C1,50000,0,0,5000,0,yes,yes,9,60,0.6
2026Q1,A3,C1,30000,0,0,0,30000,yes,no,3,,
2026Q1,A4,C1,0,20000,0,0,0,no,no,,90,0.9
2026Q1,A5,C1,20000,0,1000,2000,0,no,no,7,,0.5
2026Q1,B1,C2,100000,5000,0,0,0,,,,,
"""
ROSTER = """\
csm_id,name,segment,team,annual_base,annual_variable
C1,Ana,Enterprise,T1,100000,20000
C2,Bo,SMB,T1,100000,20000
"""
PAYOUTS = "quarter,csm_id,amount\n"

EXPECTED_C1 = {
    "start_arr": 200_000.0,          # base = A1, A2, A3, A5: 100k + 50k + 30k + 20k
    "expansion_arr": 30_000.0,       # whole book, the new logo included: 10k + 20k
    "cross_sell_arr": 5_000.0,       # 4k + 1k
    "gross_expansion": 35_000.0,     # 30k + 5k
    "contraction_arr": 7_000.0,      # 5k + 2k
    "churn_arr": 30_000.0,           # A3
    "net_expansion": -2_000.0,       # 35k − 7k − 30k
    "retained_arr": 163_000.0,       # 100k + 45k + 0 + 18k
    "renewed_arr": 145_000.0,        # due and renewed: A1 100k + A2 45k
    "nrr": 0.89,                     # (114k + 45k + 0 + 19k) / 200k = 178k / 200k
    "grr": 0.815,                    # 163k / 200k
    "logo_retention": 0.75,          # base rows alive at the end: A1, A2, A5 of 4
    "renewal_rate": 0.833333333,     # renewed start 150k / due start 180k = 5/6, 9 places
    "nps": 25.0,                     # answers 10, 9, 3, 7: (2 promoters − 1 detractor) / 4 × 100
    "health": 76.666666667,          # (80 + 60 + 90) / 3, 9 places
    "accounts": 5.0,
}


def _folder(data_dir):
    return load_dataset(data_dir(accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS))


@pytest.mark.parametrize("name", METRICS)
def test_each_metric_of_one_book(data_dir, name):
    stats = book_statistics(_folder(data_dir).accounts, ["quarter", "csm_id"])
    value = metric(stats, name, Credit())[0]
    assert value == pytest.approx(EXPECTED_C1[name], abs=1e-9)


def test_credit_factors_scale_amount_metrics_but_not_nrr(data_dir):
    stats = book_statistics(_folder(data_dir).accounts, ["quarter", "csm_id"])
    credit = Credit(expansion=0.5, cross_sell=0.25)
    assert metric(stats, "expansion_arr", credit)[0] == 15_000.0    # 0.5 × 30k
    assert metric(stats, "cross_sell_arr", credit)[0] == 1_250.0    # 0.25 × 5k
    assert metric(stats, "gross_expansion", credit)[0] == 16_250.0  # 15k + 1.25k
    assert metric(stats, "net_expansion", credit)[0] == -20_750.0   # 16.25k − 7k − 30k
    assert metric(stats, "nrr", credit)[0] == 0.89                  # no credit factors in nrr


def test_book_risk_is_start_weighted_over_base_rows_with_a_score(data_dir):
    stats = book_statistics(_folder(data_dir).accounts, ["quarter", "csm_id"])
    # (0.2 × 100k + 0.6 × 50k + 0.5 × 20k) / (100k + 50k + 20k) = 60k / 170k; A4 (start 0) is not in the base
    assert book_risk(stats)[0] == pytest.approx(60_000 / 170_000, abs=1e-12)
    assert book_risk(stats)[1] != book_risk(stats)[1]  # C2 has no scores: undefined (NaN)


def test_undefined_metrics_of_an_empty_base(data_dir):
    folder = data_dir(
        accounts="quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n2026Q1,N1,C1,0,5000,0,0\n",
        payouts=PAYOUTS,
    )
    stats = book_statistics(load_dataset(folder).accounts, ["quarter", "csm_id"])
    for name in ("nrr", "grr", "logo_retention", "renewal_rate", "nps", "health"):
        assert metric(stats, name, Credit())[0] != metric(stats, name, Credit())[0], name  # NaN
    assert metric(stats, "start_arr", Credit())[0] == 0.0
    assert metric(stats, "expansion_arr", Credit())[0] == 5000.0


def _value_plan(scope: str = "csm") -> str:
    # One zero-paying value component per metric: 16 × 0.0625 = 1 exactly in binary.
    lines = ["name: every metric", "components:"]
    for name in METRICS:
        lines += [f"  - id: m_{name}", f"    metric: {name}", f"    scope: {scope}", "    weight: 0.0625",
                  "    measure: value", "    curve: [[0, 0]]"]
    return "\n".join(lines) + "\n"


def test_every_metric_reaches_the_json_output(data_dir):
    folder = data_dir(accounts=ACCOUNTS, roster=ROSTER, payouts=PAYOUTS, plan=_value_plan())
    document = run_json("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder)
    c1 = next(r for r in document["rows"] if r["csm_id"] == "C1")
    for name in METRICS:
        assert c1["components"][f"m_{name}"]["metric"] == pytest.approx(EXPECTED_C1[name], abs=1e-9), name
        assert c1["components"][f"m_{name}"]["attainment"] is None  # measure: value


def test_team_segment_and_company_scopes_pool_the_books(data_dir):
    roster = ROSTER + "C3,Cy,SMB,T2,100000,20000\n"
    accounts = ACCOUNTS + "2026Q1,D1,C3,50000,0,0,10000,0,,,,,\n"
    folder = data_dir(accounts=accounts, roster=roster, payouts=PAYOUTS)
    dataset = load_dataset(folder)
    plan_text = "name: scopes\ncomponents:\n" + "".join(
        f"  - id: nrr_{scope}\n    metric: nrr\n    scope: {scope}\n    weight: 0.25\n    measure: value\n"
        f"    curve: [[0, 0]]\n"
        for scope in ("csm", "team", "segment", "company")
    )
    (folder / "plan.yaml").write_text(plan_text)
    document = run_json("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder)
    rows = {r["csm_id"]: r["components"] for r in document["rows"]}
    # C1 178k/200k; C2 105k/100k; C3 40k/50k
    assert rows["C1"]["nrr_csm"]["metric"] == 0.89
    assert rows["C2"]["nrr_csm"]["metric"] == 1.05
    assert rows["C3"]["nrr_csm"]["metric"] == 0.8
    # team T1 = C1 + C2: (178k + 105k) / (200k + 100k) = 283/300; C3 alone in T2
    assert rows["C1"]["nrr_team"]["metric"] == pytest.approx(0.943333333, abs=1e-12)
    assert rows["C2"]["nrr_team"]["metric"] == pytest.approx(0.943333333, abs=1e-12)
    assert rows["C3"]["nrr_team"]["metric"] == 0.8
    # segment SMB = C2 + C3: (105k + 40k) / 150k = 29/30; Enterprise = C1 alone
    assert rows["C2"]["nrr_segment"]["metric"] == pytest.approx(0.966666667, abs=1e-12)
    assert rows["C1"]["nrr_segment"]["metric"] == 0.89
    # company: (178k + 105k + 40k) / 350k = 323/350
    for csm in ("C1", "C2", "C3"):
        assert rows[csm]["nrr_company"]["metric"] == pytest.approx(0.922857143, abs=1e-12)
    assert dataset.accounts["csm_id"].nunique() == 3


# Found by the DuckDB reference implementation: metrics built from metrics must use their rounded
# values. Amounts with more than 9 decimals are absurd in real exports but decide the cent here.
def test_nrr_divides_by_the_rounded_start_arr(data_dir):
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                "2026Q1,A1,C1,0.0000000004,0,0,0\n2026Q1,A2,C2,100,0,0,0\n")
    dataset = load_dataset(data_dir(accounts=accounts, roster=ROSTER, payouts=PAYOUTS))
    stats = book_statistics(dataset.accounts, ["quarter", "csm_id"])
    # start_arr 0.0000000004 rounds to 0 at 9 places, so nrr and grr are undefined, not 1.0
    assert np.isnan(metric(stats, "nrr", Credit())[0]) and np.isnan(metric(stats, "grr", Credit())[0])


def test_net_expansion_subtracts_the_rounded_contraction_and_churn(data_dir):
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                "2026Q1,A1,C1,100,0,0.0000000006,0.0000000006\n")
    dataset = load_dataset(data_dir(accounts=accounts, roster=ROSTER, payouts=PAYOUTS))
    stats = book_statistics(dataset.accounts, ["quarter", "csm_id"])
    # contraction_arr and churn_arr are each 0.000000001 once rounded: 0 − 0.000000001 − 0.000000001
    assert metric(stats, "net_expansion", Credit())[0] == -0.000000002


def test_a_fully_churned_account_with_a_derived_arr_end_is_a_lost_logo(data_dir):
    # Found by the per-row reference loop: 0.1 + 0.2 − 0.3 is 5.6e-17 in binary floating point,
    # which counted the logo as retained. Derived arr_end is rounded to 9 places, so it is 0.
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                "2026Q1,A1,C1,0.1,0.2,0,0.3\n2026Q1,A2,C1,1000,0,0,0\n"
                "2026Q1,B1,C2,1593.93,0,140.64,1453.29\n2026Q1,B2,C2,10,0,0,0\n")
    dataset = load_dataset(data_dir(accounts=accounts, roster=ROSTER, payouts=PAYOUTS))
    assert dataset.accounts["arr_end"].tolist()[:3] == [0.0, 1000.0, 0.0]
    stats = book_statistics(dataset.accounts, ["quarter", "csm_id"])
    assert metric(stats, "logo_retention", Credit()).tolist() == [0.5, 0.5]  # 1 of 2 logos kept, each
