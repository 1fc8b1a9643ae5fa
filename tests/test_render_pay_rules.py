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
from cscomp_cli.render.html import to_html
from cscomp_cli.render.markdown import to_markdown
from cscomp_cli.render.xlsx import to_xlsx

from .conftest import VECTORS, run, run_json
from .test_render import table_text

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


# ---- JSON: the document names the plan's rules; compare and sweep give the floors' totals ----

def test_the_document_names_the_plans_pay_rules_only_when_it_has_them():
    assert document(V13, 4)["pay_rules"] == {"period": "year", "advance": 0.75, "recover": True}
    doc = document(V14, 2)
    assert doc["pay_rules"] == {"ramp": {"quarters": 2, "floor": 1.0}, "guarantee": {"floor": 0.9, "quarters": 1}}
    assert doc["components"][1]["clawback"] == {"within": 2, "share": 0.5}
    # ramp: C3 2,550; guarantee: C1 3,975 + C2 500
    assert (doc["summary"]["ramp_total"], doc["summary"]["guarantee_total"]) == (2550.0, 4475.0)
    plain = document(V03, 1)
    assert "pay_rules" not in plain and not any("clawback" in c for c in plain["components"])
    assert "ramp_total" not in plain["summary"]


def test_compare_and_sweep_say_what_each_plans_floors_cost():
    doc = run_json("compare", V14 / "plan.yaml", V13 / "plan.yaml", "--quarters", 2, "--data", V14)
    with_floors, without = doc["plans"]
    assert (with_floors["ramp_total"], with_floors["guarantee_total"]) == (2550.0, 4475.0)
    assert "ramp_total" not in without and "guarantee_total" not in without
    swept = run_json("sweep", V14 / "plan.yaml", "--set", "guarantee.floor=0.8,0.9", "--quarters", 2, "--data", V14)
    # floor 0.8: C1 round(0.8 × 4,000) − (−375) = 3,575; C2 round(0.8 × 7,000) = 5,600 < 5,800 → 0
    assert [(row["guarantee_total"], row["ramp_total"]) for row in swept["rows"]] == [(3575.0, 2550.0),
                                                                                       (4475.0, 2550.0)]


# ---- the terminal and Markdown ----

def test_the_terminal_says_how_each_period_paid_and_what_is_held_back():
    text = table_text(document(V13, 4), width=200)
    # 2025's true-up (2025Q4) paid C2 2,000 − 17,250 = −15,250: taken back
    assert "Period 2025" in text and "75 % advanced each quarter, true-up in 2025Q4 (recovered: C2 $15,250.00)" in text
    # 2026 held back: C1 5,360 − 4,020 = 1,340, C2 5,470 − 4,102.50 = 1,367.50 → 2,707.50
    assert "$2,707.50 held back so far; its true-up (2026Q4) is not reached" in text
    c1 = next(line for line in text.splitlines() if " C1 " in line and "Ana" in line)
    assert "$1,340.00" in c1 and "$16,562.50" in c1  # held back; the true-up 31,000 − 14,437.50
    c2 = next(line for line in text.splitlines() if " C2 " in line and "Bo" in line)
    assert "$1,367.50" in c2 and "-$15,250.00" in c2
    # by quarter: 2025Q2 −1,825 − 1,600 = −3,425 held back; 2025Q4 4,812.50 + 5,750 = +10,562.50 released
    assert "Held back / true-up" in text
    assert "-$3,425.00" in next(line for line in text.splitlines() if line.strip().startswith("2025Q2"))
    assert "+$10,562.50" in next(line for line in text.splitlines() if line.strip().startswith("2025Q4"))
    assert "Held back: earned to date but not yet paid" in text


def test_the_terminal_says_what_clawbacks_took_and_who_the_floors_lifted():
    text = table_text(document(V14, 2), width=200)
    # 375 (C1, A1's 2025Q3 expansion) + 200 (C2, A3's 2025Q4 expansion)
    assert "$575.00 clawed back in 2 CSM-quarters: C1 $375.00 (2026Q1), C2 $200.00 (2026Q2)" in text
    assert "$2,550.00 for 1 CSM (C3 +$2,550.00)" in text
    assert "$4,475.00 for 2 CSMs (C1 +$3,975.00, C2 +$500.00); at least 90 % of what was actually paid in 2026Q1" in text
    c1 = next(line for line in text.splitlines() if " C1 " in line and "Ana" in line)
    assert "$375.00" in c1 and "$3,975.00" in c1
    assert "$2,550.00" in next(line for line in text.splitlines() if " C3 " in line and "Cy" in line)


def test_a_csm_id_in_a_pay_rule_line_is_shown_as_written_not_as_markup():
    doc = document(V14, 2)
    for row in doc["rows"]:
        row["csm_id"] = row["csm_id"].replace("C3", "[bold]C3")
    assert "([bold]C3 +$2,550.00)" in table_text(doc, width=200)


def test_markdown_shows_the_pay_rules():
    text = to_markdown(document(V13, 4))
    assert "- Period 2025: 75 % advanced each quarter, true-up in 2025Q4 (recovered: C2 $15,250.00)\n" in text
    assert "| Held back | True-up | Actual |" in text
    assert "| ★ C1 | Ana | Enterprise | 105.2 % | $910.00 | $1,340.00 | $16,562.50 | $23,000.00 |" in text
    assert "| 2025Q4 | 2 | $11,000.00 | $1,312.50 | -$9,687.50 | -88.07 % | +$10,562.50 |" in text
    text = to_markdown(document(V14, 2))
    assert "- Guarantee: $4,475.00 for 2 CSMs (C1 +$3,975.00, C2 +$500.00)" in text
    assert "| Clawed back | Ramp floor | Guarantee | Actual |" in text
    # C1: clawed back 375, no ramp, guarantee 3,975
    assert "| -$375.00 | $375.00 | $0.00 | $3,975.00 | $9,000.00 | $3,600.00 |" in text
    for block in text.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            assert len({line.count("|") for line in rows}) == 1, block


# ---- HTML and the workbook ----

def test_the_html_report_shows_what_the_floors_cost_and_who_needed_them():
    text = to_html(document(V14, 2), "plan")
    assert "<span>Ramp floor cost</span><b>$2,550.00</b>" in text
    assert "<span>Guarantee cost</span><b>$4,475.00</b>" in text
    assert "<li><b>Guarantee</b>: $4,475.00 for 2 CSMs (C1 +$3,975.00, C2 +$500.00)" in text
    assert "<th>Clawed back</th><th>Ramp floor</th><th>Guarantee</th><th>Actual</th>" in text
    text = to_html(document(V13, 4), "plan")
    assert "<li><b>Period 2026</b>: 75 % advanced each quarter, $2,707.50 held back so far" in text
    assert "<td>$1,367.50</td><td>-$15,250.00</td>" in text  # C2: held back, its true-up


def _sheets(doc: dict) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(to_xlsx(doc, "plan")))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def test_the_workbook_has_the_pay_rule_figures():
    sheets = _sheets(document(V14, 2))
    summary = dict(sheets["Summary"][1:])
    assert (summary["Ramp floor cost"], summary["Guarantee cost"]) == (2550, 4475)
    assert summary["Clawbacks"].startswith("$575.00 clawed back in 2 CSM-quarters")
    csms = sheets["CSMs"]
    assert csms[0][-3:] == ("Clawed back", "Ramp floor", "Guarantee")
    assert {row[0]: row[-3:] for row in csms[1:]} == {"C1": (375, 0, 3975), "C2": (200, 0, 500), "C3": (0, 2550, 0)}
    rows = sheets["Rows"]
    assert rows[0][-3:] == ("expansion_commission clawback", "Ramp adjustment", "Guarantee adjustment")
    assert {f"{r[0]} {r[1]}": r[-3:] for r in rows[1:]}["2026Q2 C2"] == (200, 0, 0)

    sheets = _sheets(document(V13, 4))
    assert sheets["Rows"][0][-3:] == ("Period", "Earned to date", "Advance adjustment")
    assert {f"{r[0]} {r[1]}": r[-3:] for r in sheets["Rows"][1:]}["2025Q4 C2"] == ("2025", 2000, 5750)
    assert sheets["Quarters"][0][-1] == "Held back / true-up"
    assert [row[-1] for row in sheets["Quarters"][1:]] == [-3425, -3912.5, 10562.5, -2707.5]
    assert {row[0]: row[-2:] for row in sheets["CSMs"][1:]} == {"C1": (1340, 16562.5), "C2": (1367.5, -15250)}


def test_every_format_renders_both_vectors_from_the_command_line(tmp_path):
    for folder, quarters in ((V13, 4), (V14, 2)):
        for fmt in ("table", "csv", "json", "markdown", "html", "xlsx"):
            out = tmp_path / f"{folder.name}.{fmt}"
            result = run("stress-test", folder / "plan.yaml", "--quarters", quarters, "--data", folder,
                         "--format", fmt, "--output", out)
            assert result.exit_code == 0, result.stderr
            assert out.stat().st_size > 0


# ---- a plan without these rules renders as before ----

def test_a_plan_without_pay_rules_shows_none_of_them():
    doc = document(V03, 1)
    text = table_text(doc, width=200) + to_markdown(doc) + to_html(doc, "plan")
    for word in ("Held back", "True-up", "Clawed back", "Clawbacks", "Ramp floor", "Guarantee", "Period 20",
                 "pay-rules"):
        assert word not in text, word
    header = next(line for line in to_markdown(doc).splitlines() if line.startswith("| CSM |"))
    assert header == ("| CSM | Name | Segment | retention (mean attainment) | expansion_marginal (commission) "
                      "| expansion_retro (commission) | Actual | Proposed | Delta | Delta % |")
    sheets = _sheets(doc)
    assert sheets["Quarters"][0] == ("Quarter", "CSMs", "Actual", "Proposed", "Delta", "Delta %")
    assert sheets["CSMs"][0][-1] == "Top performer"


def test_a_sweep_shows_what_the_floors_cost_at_each_value():
    args = ("sweep", V14 / "plan.yaml", "--set", "guarantee.floor=0.8,0.9", "--quarters", 2, "--data", V14)
    text = run(*args, "--format", "csv").stdout
    # guarantee 0.8: C1 3,200 + 375 = 3,575; 0.9: 3,975 + C2 500 = 4,475; the ramp 2,550 either way
    assert text.splitlines()[0].endswith(",error,ramp_total,guarantee_total")
    assert text.splitlines()[1:] == ["0.8,28050.00,-2950.00,-9.52,2,1,,0.5,,2550.00,3575.00",
                                     "0.9,28950.00,-2050.00,-6.61,2,1,,0.5,,2550.00,4475.00"]
    markdown = run(*args, "--format", "markdown").stdout
    assert "| Spearman | Ramp floor cost | Guarantee cost | Error |" in markdown
    assert "| +0.50 | $2,550.00 | $3,575.00 |  |" in markdown
    assert "$4,475.00" in run(*args).stdout
