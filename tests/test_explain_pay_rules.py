"""`cscomp explain` under the pay rules of SPEC 6.4–6.6: a period plan's figures to date (vector 13), a
clawback's lines and the ramp and guarantee floors (vector 14), each written out in the CSM's own figures.

Every expected number is hand-worked in the vectors' WORKING.md; the arithmetic is repeated beside it here.
"""

from __future__ import annotations

import csv
import io
import json

from .conftest import VECTORS, assert_user_error, run, run_json

DEADLINE_SECONDS = 90  # several explanations per test, each a replay with the quarters before it

V13 = VECTORS / "13_period_true_up"
V14 = VECTORS / "14_clawback_and_floors"
V03 = VECTORS / "03_tiered_commission_credit"


def explain(vector, csm: str, quarter: str, *more: str, form: str = "json"):
    result = run("explain", vector / "plan.yaml", "--csm", csm, "--quarter", quarter, "--data", vector,
                 "--format", form, *more)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout) if form == "json" else result.stdout


# ---- SPEC 6.4: a year period, 75 % advances, a true-up (vector 13) -------------------------------------------

def test_an_advance_is_written_out_with_the_to_date_figures():
    doc = explain(V13, "C1", "2025Q2")
    period = doc["period"]
    assert period["period"] == "2025" and period["to_date_quarters"] == ["2025Q1", "2025Q2"]
    assert period["true_up"] is False and period["true_up_quarter"] == "2025Q4"
    # the to-date book: A1 in 2025Q1 (100,000 +2,000) and 2025Q2 (102,000 +3,000)
    assert [(a["quarter"], a["account_id"], a["expansion"]) for a in period["book"]["accounts"]] == [
        ("2025Q1", "A1", 2000.0), ("2025Q2", "A1", 3000.0)]
    # NRR to date: start = arr_start in 2025Q1 = 100,000; + 2,000 + 3,000 → 105,000 / 100,000 = 1.05
    assert period["metrics"]["nrr"]["value"] == 1.05
    assert period["metrics"]["nrr"]["figures"] == "105,000.00 ÷ 100,000.00"
    assert period["metrics"]["expansion_arr"]["figures"] == "1 × 5,000.00"
    # TV to date 5,000 + 5,000 = 10,000
    assert period["tv_to_date"]["total"] == 10000.0
    assert period["tv_to_date"]["figures"] == "5,000.00 + 5,000.00 = 10,000.00"
    # E = 10,000 × 1.25 + min(10 % × 5,000, 1,000 × 2) = 12,500 + 500 = 13,000
    assert period["earned_to_date"]["figures"] == "12,500.00 + 500.00 = 13,000.00"
    # paid before: 2025Q1's round(0.75 × 5,700) = 4,275; pay = 9,750 − 4,275 = 5,475
    assert period["paid_before"]["total"] == 4275.0
    assert period["paid_before"]["figures"] == "4,275.00 (2025Q1)"
    assert period["advanced"] == 9750.0 and period["pay"] == 5475.0
    assert period["pay_figures"] == "round(0.75 × 13,000.00) − 4,275.00 = 5,475.00"
    # advance_adjustment = pay − (E − E(2025Q1)) = 5,475 − (13,000 − 5,700) = −1,825
    assert period["advance_adjustment"] == -1825.0
    assert period["advance_adjustment_figures"] == "5,475.00 − (13,000.00 − 5,700.00) = -1,825.00"

    retention, commission = doc["components"]
    # retention term round(10,000 × 1 × 1.25 × 1) = 12,500; 2025Q1's 5,000 × 1.1 = 5,500 → payout 7,000
    assert retention["earned_to_date"] == 12500.0 and retention["payout"] == 7000.0
    assert retention["to_date"]["figures"] == "round(10,000.00 × 1 × 1.25 × 1) = 12,500.00"
    assert retention["to_date"]["previous_quarter"] == "2025Q1"
    assert retention["to_date"]["increase_figures"] == "12,500.00 − 5,500.00 = 7,000.00"
    # commission to date 10 % × 5,000 = 500 under the cap 1,000 × |D| = 2,000; 2025Q1's 200 → payout 300
    assert commission["commission"] == 500.0 and commission["earned_to_date"] == 500.0
    assert commission["to_date"]["figures"] == "round(min(500.00, 1,000.00 × 2 = 2,000.00) × 1) = 500.00"
    assert commission["to_date"]["increase_figures"] == "500.00 − 200.00 = 300.00"
    # the row adds up: 7,000 + 300 + 0 (cap) − 1,825 = 5,475
    assert doc["total"]["components"] == 7300.0 and doc["total"]["advance_adjustment"] == -1825.0
    assert doc["total"]["proposed"] == 5475.0


def test_the_true_up_recovers_what_the_advances_overpaid():
    doc = explain(V13, "C2", "2025Q4")
    period = doc["period"]
    assert period["true_up"] is True and "advanced" not in period
    # NRR to date 220,000 / 250,000 = 0.88 → f 0 → retention term 0; commission min(2,000, 4,000) = 2,000
    assert period["metrics"]["nrr"]["figures"] == "220,000.00 ÷ 250,000.00"
    assert period["tv_to_date"]["figures"] == "5,000.00 + 5,000.00 + 5,000.00 + 5,000.00 = 20,000.00"
    assert period["earned_to_date"]["figures"] == "0.00 + 2,000.00 = 2,000.00"
    # paid before 5,400 + 4,800 + 7,050 = 17,250; pay = 2,000 − 17,250 = −15,250 (recover: true)
    assert period["paid_before"]["figures"] == "5,400.00 (2025Q1) + 4,800.00 (2025Q2) + 7,050.00 (2025Q3) = 17,250.00"
    assert period["pay"] == -15250.0
    assert period["pay_figures"].startswith("2,000.00 − 17,250.00 = -15,250.00 (recovered")
    # advance_adjustment = −15,250 − (2,000 − 23,000) = 5,750
    assert period["advance_adjustment_figures"] == "-15,250.00 − (2,000.00 − 23,000.00) = 5,750.00"
    retention = doc["components"][0]
    assert retention["to_date"]["increase_figures"] == "0.00 − 21,000.00 = -21,000.00"
    assert doc["total"]["proposed"] == -15250.0


def test_a_new_period_starts_from_nothing_paid():
    period = explain(V13, "C1", "2026Q1")["period"]
    # |D| = 1: TV 5,000; E = 5,000 × 1.05 + 110 = 5,360; pay = round(0.75 × 5,360) − 0 = 4,020
    assert period["period"] == "2026" and period["to_date_quarters"] == ["2026Q1"]
    assert period["tv_to_date"]["figures"] == "5,000.00"
    assert period["paid_before"]["total"] == 0.0
    assert period["pay_figures"] == "round(0.75 × 5,360.00) − 0.00 = 4,020.00"
    assert period["advance_adjustment_figures"] == "4,020.00 − (5,360.00 − 0.00) = -1,340.00"


def test_the_period_lines_in_the_text_forms():
    for form in ("markdown", "table"):
        text = run("explain", V13 / "plan.yaml", "--csm", "C1", "--quarter", "2025Q2", "--data", V13,
                   "--format", form, env={"COLUMNS": "400"}).stdout
        for line in ("TV to date 5,000.00 + 5,000.00 = 10,000.00",
                     "earned to date E = 12,500.00 + 500.00 = 13,000.00",
                     "paid before: 4,275.00 (2025Q1)",
                     "pay = round(0.75 × 13,000.00) − 4,275.00 = 5,475.00",
                     "advance_adjustment = 5,475.00 − (13,000.00 − 5,700.00) = -1,825.00",
                     "round(10,000.00 × 1 × 1.25 × 1) = 12,500.00",
                     "12,500.00 − 5,500.00 = 7,000.00"):
            assert line in text, (form, line)


def test_the_csv_form_carries_the_period_figures():
    text = explain(V13, "C1", "2025Q2", form="csv")
    rows = {(r["section"], r["item"], r["field"]): r["value"] for r in csv.DictReader(io.StringIO(text))}
    assert rows[("period", "", "pay_figures")] == "round(0.75 × 13,000.00) − 4,275.00 = 5,475.00"
    assert rows[("period", "", "tv_to_date.total")] == "10000"
    assert rows[("component", "retention", "earned_to_date")] == "12500"
    assert rows[("total", "", "advance_adjustment")] == "-1825"


def test_explain_agrees_with_the_period_stress_test():
    document = run_json("stress-test", V13 / "plan.yaml", "--quarters", "4", "--data", V13)
    for row in document["rows"]:
        doc = explain(V13, row["csm_id"], row["quarter"])
        assert doc["total"]["proposed"] == row["proposed"]
        assert doc["period"]["earned_to_date"]["total"] == row["earned_to_date"]
        assert doc["total"]["advance_adjustment"] == row["advance_adjustment"]
        assert {c["id"]: (c["payout"], c["earned_to_date"]) for c in doc["components"]} == {
            cid: (c["payout"], c["earned_to_date"]) for cid, c in row["components"].items()}


# ---- SPEC 6.5: a clawback (vector 14) ------------------------------------------------------------------------

def test_a_clawback_names_the_account_the_quarter_and_the_rate():
    doc = explain(V14, "C1", "2026Q1")
    commission = doc["components"][1]
    # 2025Q3: C1's commission 10 % × 40,000 = 4,000 → own cap 3,000 → rate 3,000 / 40,000 = 0.075;
    # A1 (+10,000 then) churns in 2026Q1: round(0.5 × 10,000 × 0.075) = 375
    assert commission["clawback"] == 375.0 and commission["payout"] == -375.0
    [line] = commission["clawbacks"]
    assert (line["account_id"], line["churned_in"], line["earlier_quarter"]) == ("A1", "2026Q1", "2025Q3")
    assert (line["contribution"], line["earlier_payout"], line["earlier_metric"]) == (10000.0, 3000.0, 40000.0)
    assert line["effective_rate"] == 0.075 and line["clawback"] == 375.0
    assert line["text"] == ("A1 churned in 2026Q1; in 2025Q3 it added 10,000.00 to your expansion_arr, paid at "
                            "3,000.00 ÷ 40,000.00 = 0.075; clawed back 0.5 × 10,000.00 × 0.075 = 375.00")
    markdown = explain(V14, "C1", "2026Q1", form="markdown")
    assert "clawback 375.00" in markdown and line["text"] in markdown


def test_a_clawback_is_charged_to_who_was_paid():
    # A3 churns in 2026Q2 under C1, but its 2025Q4 expansion (4,000) was in C2's book, paid at 400 / 4,000 = 0.1:
    # round(0.5 × 4,000 × 0.1) = 200, charged to C2
    commission = explain(V14, "C2", "2026Q2", "--quarters", "2")["components"][1]
    assert commission["clawback"] == 200.0 and commission["payout"] == 2800.0
    assert [line["text"] for line in commission["clawbacks"]] == [
        "A3 churned in 2026Q2; in 2025Q4 it added 4,000.00 to your expansion_arr, paid at 400.00 ÷ 4,000.00 = 0.1; "
        "clawed back 0.5 × 4,000.00 × 0.1 = 200.00"]
    # C1 is charged nothing in 2026Q2 (A7's expansion is 3 quarters back, A3's was C2's)
    assert explain(V14, "C1", "2026Q2", "--quarters", "2")["components"][1]["clawbacks"] == []


# ---- SPEC 6.6: the ramp and the guarantee (vector 14) --------------------------------------------------------

def test_a_ramp_quarter_is_written_out():
    doc = explain(V14, "C3", "2026Q1", "--quarters", "2")  # the vector's replay: 2026Q1 is guaranteed
    ramp = doc["floors"]["ramp"]
    # hired 2026-02-15 → TV 30,000 / 4 × 45/90 = 3,750; proposed 0 + 1,200 = 1,200 → 3,750 − 1,200 = 2,550
    assert (ramp["start_date"], ramp["start_quarter"], ramp["ramp_quarter"]) == ("2026-02-15", "2026Q1", 1)
    assert ramp["floor_amount"] == 3750.0 and ramp["adjustment"] == 2550.0
    assert "max(0, 3,750.00 − 1,200.00) = 2,550.00" in ramp["text"]
    # the guarantee round(0.9 × 2,000) = 1,800 < 1,200 + 2,550 → 0
    guarantee = doc["floors"]["guarantee"]
    assert guarantee["adjustment"] == 0.0 and "max(0, 1,800.00 − 3,750.00) = 0.00" in guarantee["text"]
    assert doc["total"]["ramp_adjustment"] == 2550.0 and doc["total"]["proposed"] == 3750.0
    # the second ramp quarter: 7,500 − 7,800 < 0 → 0
    later = explain(V14, "C3", "2026Q2", "--quarters", "2")["floors"]["ramp"]
    assert later["ramp_quarter"] == 2 and later["adjustment"] == 0.0


def test_a_guarantee_is_written_out():
    doc = explain(V14, "C1", "2026Q1", "--quarters", "2")
    guarantee = doc["floors"]["guarantee"]
    # round(0.9 × 4,000) = 3,600 − (−375 + 0) = 3,975
    assert guarantee["guaranteed"] is True and guarantee["adjustment"] == 3975.0
    assert guarantee["text"] == ("max(0, round(0.9 × actual 4,000.00) − (proposed -375.00 + ramp 0.00)) = "
                                 "max(0, 3,600.00 − (-375.00)) = 3,975.00")
    assert doc["floors"]["ramp"]["text"] == "no start_date on the roster: no ramp"
    assert doc["total"]["guarantee_adjustment"] == 3975.0 and doc["total"]["proposed"] == 3600.0
    text = explain(V14, "C1", "2026Q1", "--quarters", "2", form="markdown")
    assert "3,600.00 − (-375.00)) = 3,975.00" in text and "guarantee_adjustment 3,975.00" in text


def test_a_guarantee_of_the_replays_first_quarters_needs_that_replay():
    # stress-test --quarters 2 guarantees 2026Q1 only: 2026Q2 is not guaranteed there, and explain says so
    inside = explain(V14, "C1", "2026Q2", "--quarters", "2")
    assert inside["floors"]["guarantee"]["guaranteed"] is False and inside["total"]["proposed"] == 0.0
    # without --quarters, explain takes stress-test's default replay (the last 4 paid quarters, 2025Q3–2026Q2),
    # whose one guaranteed quarter is 2025Q3: 2026Q2 is not guaranteed there either
    default = explain(V14, "C1", "2026Q2")
    assert default["floors"]["guarantee"]["guaranteed"] is False and default["total"]["proposed"] == 0.0
    assert "note" not in default["floors"]["guarantee"]
    # and 2025Q3 is: round(0.9 × actual 5,000.00) = 4,500.00 against C1's GRR 1.0 → 5,000.00 + commission
    # 3,000.00 = 8,000.00, capped at 1.5 × 5,000.00 = 7,500.00, so the floor does not bind
    first = explain(V14, "C1", "2025Q3")["floors"]["guarantee"]
    assert first["guaranteed"] is True and first["floor_amount"] == 4500.0 and first["adjustment"] == 0.0
    assert_user_error(run("explain", V14 / "plan.yaml", "--csm", "C1", "--quarter", "2025Q4", "--data", V14,
                          "--quarters", "2"), "2025Q4", "--quarters 2")


def test_explain_agrees_with_the_floors_stress_test():
    document = run_json("stress-test", V14 / "plan.yaml", "--quarters", "2", "--data", V14)
    for row in document["rows"]:
        doc = explain(V14, row["csm_id"], row["quarter"], "--quarters", "2")
        assert doc["total"]["proposed"] == row["proposed"]
        assert doc["total"]["ramp_adjustment"] == row["ramp_adjustment"]
        assert doc["total"]["guarantee_adjustment"] == row["guarantee_adjustment"]
        commission = doc["components"][1]
        assert commission["clawback"] == row["components"]["expansion_commission"]["clawback"]


# ---- plans without these keys ---------------------------------------------------------------------------------

def test_a_plan_without_the_pay_rules_explains_as_before():
    doc = explain(V03, "C2", "2026Q1")
    assert "period" not in doc and "floors" not in doc
    assert set(doc["total"]) == {"components", "cap", "cap_adjustment", "proposed"}
    for component in doc["components"]:
        assert not {"to_date", "earned_to_date", "clawback", "clawbacks"} & set(component)
    assert doc["components"][0]["formula"] == "round(target_variable × weight × fraction × multiplier)"
    text = explain(V03, "C2", "2026Q1", form="markdown")
    assert "Period" not in text and "Floors" not in text and "advance_adjustment" not in text


def test_a_plans_own_metric_is_explained_to_date_in_a_period_plan(tmp_path):
    import shutil

    for name in ("accounts.csv", "roster.csv", "payouts.csv"):
        shutil.copy(V13 / name, tmp_path / name)
    (tmp_path / "plan.yaml").write_text(
        "name: Own metric to date\nperiod: year\nadvance: 0.75\n"
        "metrics:\n  kept:\n    from: nrr\n    filter:\n      - {column: account_id, not_in: [A9]}\n"
        "components:\n  - id: retention\n    metric: kept\n    weight: 1\n    target: 1.0\n"
        "    curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]\n")
    [entry] = explain(tmp_path, "C1", "2025Q2")["custom_metrics"]
    # to date over 2025Q1–2025Q2, as the component saw it: 105,000 / 100,000 = 1.05 (the quarter alone: 1.0294)
    assert entry["value"] == 1.05 and entry["figures"] == "105,000.00 ÷ 100,000.00"
    assert entry["window"] == {"quarters": ["2025Q1", "2025Q2"], "asked": 4}
    assert "over the period's quarters to date (2025Q1–2025Q2)" in entry["definition"]


def _vector_13_with(tmp_path, extra: str):
    import shutil

    for name in ("accounts.csv", "roster.csv", "payouts.csv"):
        shutil.copy(V13 / name, tmp_path / name)
    plan = (V13 / "plan.yaml").read_text().replace("recover: true\n", extra)
    (tmp_path / "plan.yaml").write_text(plan)
    return tmp_path


def test_a_negative_true_up_is_forgiven_without_recover(tmp_path):
    folder = _vector_13_with(tmp_path, "recover: false\n")
    period = explain(folder, "C2", "2025Q4")["period"]
    # E 2,000 − paid before 17,250 = −15,250 → forgiven: pay 0; advance_adjustment 0 − (2,000 − 23,000) = 21,000
    assert period["pay"] == 0.0 and period["recover"] is False
    assert period["pay_figures"] == "2,000.00 − 17,250.00 = -15,250.00; forgiven (recover: false): pay 0.00"
    assert period["advance_adjustment_figures"] == "0.00 − (2,000.00 − 23,000.00) = 21,000.00"


def test_the_plan_cap_to_date_is_written_out(tmp_path):
    folder = _vector_13_with(tmp_path, "recover: true\ncap: 1.2\n")
    doc = explain(folder, "C1", "2025Q2")
    earned = doc["period"]["earned_to_date"]
    # terms 12,500 + 500 = 13,000 over round(1.2 × 10,000) = 12,000 → cap adjustment to date −1,000, E 12,000
    assert earned["cap"]["limit_figures"] == "round(1.2 × 10,000.00) = 12,000.00"
    assert earned["cap_adjustment"] == -1000.0
    assert earned["figures"] == "12,500.00 + 500.00 + cap adjustment -1,000.00 = 12,000.00"
    # pay = round(0.75 × 12,000) − 2025Q1's round(0.75 × 5,700) = 9,000 − 4,275 = 4,725
    assert doc["period"]["pay_figures"] == "round(0.75 × 12,000.00) − 4,275.00 = 4,725.00"
    # the row's cap is the one on E to date; its adjustment the increase −1,000 − 0 (2025Q1 under the cap)
    assert doc["total"]["cap"] == {"cap": 1.2, "limit": 12000.0, "formula": "round(cap × TV_D)"}
    assert doc["total"]["cap_adjustment"] == -1000.0
    markdown = explain(folder, "C1", "2025Q2", form="markdown")
    assert "cap 1.2 × TV to date = 12,000.00; adjustment increase -1,000.00" in markdown
