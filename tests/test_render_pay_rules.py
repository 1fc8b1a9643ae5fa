"""SPEC 6.4-6.6 in every output format: a period plan's advances and true-ups, clawbacks, and what the
ramp and guarantee floors cost and who needed them, on the two hand-worked vectors (13, 14; the
arithmetic is in their WORKING.md). Plans without these rules render exactly as before."""

from __future__ import annotations

import csv
import io

from cscomp_cli.analyses.stress_test import build_document
from cscomp_cli.engine.replay import replay
from cscomp_cli.engine.versus_actual import compare_with_actual
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.loading import load_plan
from cscomp_cli.render.csv import to_csv

from .conftest import VECTORS

V13 = VECTORS / "13_period_true_up"  # --quarters 4: 2025Q2 … 2026Q1
V14 = VECTORS / "14_clawback_and_floors"  # --quarters 2: 2026Q1, 2026Q2
V03 = VECTORS / "03_tiered_commission_credit"

BEFORE = ("quarter,csm_id,name,segment,target_variable,{components}cap_adjustment,proposed,actual,delta,delta_pct,"
          "base,actual_base,proposed_cash,actual_cash,cash_delta")


def comparison(folder, quarters: int):
    return compare_with_actual(replay(load_plan(folder / "plan.yaml"), load_dataset(folder), quarters))


def document(folder, quarters: int) -> dict:
    return build_document(comparison(folder, quarters))


def csv_rows(folder, quarters: int) -> tuple[list[str], dict[str, dict]]:
    reader = csv.DictReader(io.StringIO(to_csv(comparison(folder, quarters))))
    return reader.fieldnames, {f"{row['quarter']} {row['csm_id']}": row for row in reader}


COMPONENTS_13_14 = "".join(f"{c}_metric,{c}_attainment,{c}_payout," for c in ("retention", "expansion_commission"))


# ---- CSV ----

def test_a_period_plans_csv_ends_with_period_earned_to_date_and_advance_adjustment():
    header, rows = csv_rows(V13, 4)
    assert ",".join(header) == BEFORE.format(components=COMPONENTS_13_14) + ",period,earned_to_date,advance_adjustment"
    # C1 2025Q2: E = 12,500 + 500 = 13,000; pay round(0.75 × 13,000) − 4,275 = 5,475; 5,475 − (7,000 + 300) = −1,825
    c1 = rows["2025Q2 C1"]
    assert (c1["period"], c1["earned_to_date"], c1["advance_adjustment"], c1["proposed"]) == \
        ("2025", "13000.00", "-1825.00", "5475.00")
    # C2 2025Q4, the true-up: E = 0 + 2,000; pay 2,000 − 17,250 = −15,250; −15,250 − (−21,000 + 0) = 5,750
    c2 = rows["2025Q4 C2"]
    assert (c2["earned_to_date"], c2["advance_adjustment"], c2["proposed"]) == ("2000.00", "5750.00", "-15250.00")
    # 2026Q1 opens 2026: E 5,250 + 110 = 5,360, pay round(0.75 × 5,360) = 4,020
    assert (rows["2026Q1 C1"]["period"], rows["2026Q1 C1"]["advance_adjustment"]) == ("2026", "-1340.00")


def test_clawback_and_floor_columns_in_the_csv():
    header, rows = csv_rows(V14, 2)
    assert ",".join(header) == (BEFORE.format(components=COMPONENTS_13_14)
                                + ",expansion_commission_clawback,ramp_adjustment,guarantee_adjustment")
    # C1 2026Q1: clawback round(0.5 × 10,000 × 0.075) = 375 → payout −375; guarantee 3,600 − (−375) = 3,975
    c1 = rows["2026Q1 C1"]
    assert (c1["expansion_commission_payout"], c1["expansion_commission_clawback"], c1["ramp_adjustment"],
            c1["guarantee_adjustment"], c1["proposed"]) == ("-375.00", "375.00", "0.00", "3975.00", "3600.00")
    # C3 2026Q1: ramp round(1.0 × 3,750) − 1,200 = 2,550; C2 2026Q2: clawback round(0.5 × 4,000 × 0.1) = 200
    assert (rows["2026Q1 C3"]["ramp_adjustment"], rows["2026Q1 C3"]["guarantee_adjustment"]) == ("2550.00", "0.00")
    assert (rows["2026Q2 C2"]["expansion_commission_clawback"], rows["2026Q2 C2"]["cap_adjustment"]) == \
        ("200.00", "-300.00")


def test_a_plan_without_pay_rules_keeps_its_csv_header():
    header, _ = csv_rows(V03, 1)
    components = "".join(f"{c}_metric,{c}_attainment,{c}_payout," for c in
                         ("retention", "expansion_marginal", "expansion_retro"))
    assert ",".join(header) == BEFORE.format(components=components)
