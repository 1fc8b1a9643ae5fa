"""`cscomp explain`: every number behind one CSM–quarter, equal to the engine's own figures."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from .conftest import VECTORS, assert_user_error, run, run_json

V03 = VECTORS / "03_tiered_commission_credit"


def explain_json(csm: str, quarter: str = "2026Q1") -> dict:
    result = run("explain", V03 / "plan.yaml", "--csm", csm, "--quarter", quarter, "--data", V03, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_explain_shows_the_worked_figures_of_vector_03():
    doc = explain_json("C2", "Q1 2026")
    assert doc["quarter"] == "2026Q1" and doc["name"] == "Oto"
    # book: A3 start 100,000, +6,000 expansion, +4,000 cross-sell (credited 25 % = 1,000), −5,000 contraction
    assert [a["account_id"] for a in doc["book"]["accounts"]] == ["A3"]
    assert doc["metrics"]["gross_expansion"] == {"value": 7000.0, "formula": "expansion_arr + cross_sell_arr",
                                                 "figures": "1 × 6,000.00 + 0.25 × 4,000.00"}
    assert doc["metrics"]["grr"] == {"value": 0.95, "formula": "retained_arr ÷ start_arr",
                                     "figures": "95,000.00 ÷ 100,000.00"}
    retention, marginal, retro = doc["components"]
    # grr 0.95 / 0.9 = 1.055555556 → f = 0.5 + (0.155555556 / 0.2) × 0.5 = 0.88888889 → 5,000 × f = 4,444.44445
    assert retention["attainment"] == 1.055555556
    assert retention["fraction"] == pytest.approx(0.88888889, abs=1e-9)
    assert retention["unrounded"] == pytest.approx(4444.44445, abs=1e-6)
    assert retention["payout"] == 4444.44
    assert retention["points_used"] == "between [0.9, 0.5] and [1.1, 1]: 0.5 + (x − 0.9) × 2.5"
    # target 5 % × 100,000 = 5,000 → bounds 1.0 × and 2.0 × 5,000
    assert marginal["bounds"] == [5000.0, 10000.0] and marginal["commission"] == 410.0
    assert retro["payout"] == 560.0
    assert doc["total"]["proposed"] == 5414.44
    assert doc["actual"]["total"] == 6000.0 and doc["actual"]["delta"] == -585.56
    assert doc["actual"]["payouts"] == [{"line": 3, "component": None, "amount": 6000.0}]


def test_explain_agrees_with_stress_test_for_every_csm():
    document = run_json("stress-test", V03 / "plan.yaml", "--quarters", "1", "--data", V03)
    for row in document["rows"]:
        doc = explain_json(row["csm_id"])
        assert doc["total"]["proposed"] == row["proposed"]
        assert {c["id"]: c["payout"] for c in doc["components"]} == {
            cid: c["payout"] for cid, c in row["components"].items()}


def test_explain_tree_on_the_terminal():
    result = run("explain", V03 / "plan.yaml", "--csm", "C4", "--quarter", "2026Q1", "--data", V03)
    assert result.exit_code == 0
    # C4: 5,000 is exactly the 2.0 × target bound → retroactive stays in tier 2 → 400.00
    assert "Proposed 5,725.00" in result.stdout and "400.00" in result.stdout


def test_explain_unknown_csm_or_quarter_is_a_usage_error():
    assert_user_error(run("explain", V03 / "plan.yaml", "--csm", "C9", "--quarter", "2026Q1", "--data", V03),
                      "C9", "2026Q1")
    assert_user_error(run("explain", V03 / "plan.yaml", "--csm", "C1", "--quarter", "2025Q1", "--data", V03),
                      "2025Q1", "quarters present: 2026Q1")
    assert_user_error(run("explain", V03 / "plan.yaml", "--csm", "C1", "--quarter", "spring", "--data", V03),
                      "'spring' is not a quarter")


# --- --csm as a person writes it: the id, the roster name, a spelling the data map lists ----------

def test_explain_accepts_the_roster_name_in_any_case_and_with_spaces():
    # V03's roster: C2 is Oto.
    assert explain_json("  oTo ")["csm_id"] == "C2"
    assert explain_json("c2")["csm_id"] == "C2"  # an id in another case


def test_explain_accepts_a_spelling_the_data_map_lists(tmp_path):
    # The CRM names owners by name, or by e-mail through an alias of `match: name`; the payroll by
    # e-mail through a `values` map. Each spelling the map lists names the CSM for explain too.
    crm = ("Quarter,Account,Owner,Start,Up,Down,Churn\n"
           "2026Q1,A1,tyler.hughes@example.com,100000,0,0,0\n"
           "2026Q1,A2,Ana Ruiz,100000,0,0,0\n")
    hr = "Employee ID,Worker,Segment,Base,Variable\n0192,Tyler Hughes,SMB,100000,20000\n0007,Ana Ruiz,SMB,100000,20000\n"
    data_map = """\
version: 1
tables:
  accounts:
    files: crm.csv
    columns:
      quarter: Quarter
      account_id: Account
      csm_id: {column: Owner, match: name, aliases: {tyler.hughes@example.com: "0192"}}
      arr_start: Start
      expansion: Up
      contraction: Down
      churn: Churn
  roster:
    files: hr.csv
    columns: {csm_id: Employee ID, name: Worker, segment: Segment, annual_base: Base, annual_variable: Variable}
  payouts:
    files: payroll.csv
    columns:
      quarter: Quarter
      csm_id: {column: Who, values: {ana.ruiz@example.com: "0007", tyler.hughes@example.com: "0192"}}
      amount: Amount
"""
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "crm.csv").write_text(crm)
    (folder / "hr.csv").write_text(hr)
    (folder / "payroll.csv").write_text("Quarter,Who,Amount\n2026Q1,ana.ruiz@example.com,5000\n"
                                        "2026Q1,tyler.hughes@example.com,5000\n")
    (folder / "cscomp-data.yaml").write_text(data_map)
    plan = V03 / "plan.yaml"
    for asked, meant in (("tyler.hughes@example.com", "0192"), ("Tyler.Hughes@Example.com", "0192"),
                         ("tyler hughes", "0192"), ("0192", "0192"),
                         ("ana.ruiz@example.com", "0007")):  # the payroll's value map
        result = run("explain", plan, "--csm", asked, "--quarter", "2026Q1", "--data", folder, "--format", "json")
        assert result.exit_code == 0, (asked, result.stderr)
        assert json.loads(result.stdout)["csm_id"] == meant
    # A near miss names the id and the person, never "not replayed … (no accounts and no payouts there)".
    result = run("explain", plan, "--csm", "tyler.huges@example.com", "--quarter", "2026Q1", "--data", folder)
    assert_user_error(result, "'tyler.huges@example.com' is no CSM's id, roster name or data-map spelling",
                      "did you mean 0192 (Tyler Hughes)?")
    assert "no accounts and no payouts" not in result.stderr


def test_explain_refuses_a_name_two_csms_share_and_lists_both(data_dir):
    roster = ("csm_id,name,segment,annual_base,annual_variable\n"
              "C1,Bo Chen,SMB,100000,20000\nC2,Bo Chen,SMB,100000,20000\n")
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                "2026Q1,A1,C1,100000,0,0,0\n2026Q1,A2,C2,100000,0,0,0\n")
    folder = data_dir(roster=roster, accounts=accounts, plan=(V03 / "plan.yaml").read_text())
    assert_user_error(run("explain", folder / "plan.yaml", "--csm", "bo chen", "--quarter", "2026Q1", "--data", folder),
                      "'bo chen' is the name of 2 CSMs on the roster: C1, C2", "--csm C1")


def test_explain_names_a_known_csm_who_is_not_replayed_that_quarter(data_dir):
    # C2 is on the roster but owns nothing and was paid nothing in 2026Q1.
    accounts = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n2026Q1,A1,C1,100000,0,0,0\n"
    folder = data_dir(accounts=accounts, plan=(V03 / "plan.yaml").read_text())
    assert_user_error(run("explain", folder / "plan.yaml", "--csm", "BO", "--quarter", "2026Q1", "--data", folder),
                      "CSM C2 (Bo) is not replayed in 2026Q1 (no accounts and no payouts there)")


def test_explain_shows_how_targets_were_derived(data_dir):
    # One CSM, book risk 0.5 on 100,000; the company also has C2 at risk 0.1 on 100,000, so company
    # risk = (0.5 × 100k + 0.1 × 100k) / 200k = 0.3 and the target moves by −0.2 × (0.5 − 0.3) = −0.04.
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn,risk\n"
                "2026Q1,A1,C1,100000,5000,0,0,0.5\n2026Q1,A2,C2,100000,0,0,0,0.1\n")
    quotas = "quarter,csm_id,component,target\n2026Q1,C2,upsell,2000\n2026Q1,C1,upsell,4000\n"
    plan = """\
name: t
components:
  - {id: retention, metric: nrr, weight: 0.5, target: {by: segment, values: {Enterprise: 1.0}, default: 0.9},
     risk_adjust: -0.2, curve: [[0.9, 0], [1.0, 1.0]], interpolate: step}
  - {id: upsell, metric: expansion_arr, weight: 0.5, target: quotas, curve: [[1.0, 1.0]]}
"""
    folder = data_dir(accounts=accounts, quotas=quotas, payouts="quarter,csm_id,amount\n", plan=plan)
    result = run("explain", folder / "plan.yaml", "--csm", "C1", "--quarter", "2026Q1", "--data", folder,
                 "--format", "json")
    retention, upsell = json.loads(result.stdout)["components"]
    assert retention["target"] == {"form": "by segment", "values": {"Enterprise": 1.0}, "default": 0.9,
                                   "segment": "Enterprise", "segment_value": 1.0, "risk_adjust": -0.2,
                                   "book_risk": 0.5, "company_risk": 0.3, "adjustment": -0.04, "computed": 0.96}
    # nrr 1.05 / 0.96 = 1.09375 ≥ the last point 1.0: step pays its 1.0
    assert retention["points_used"] == "at or beyond the last point (1): its payout"
    assert upsell["target"]["quota_line"] == 3 and upsell["target"]["computed"] == 4000.0
    tree = run("explain", folder / "plan.yaml", "--csm", "C1", "--quarter", "2026Q1", "--data", folder).stdout
    assert "by segment (Enterprise: 1.0); risk_adjust -0.2 × (book risk 0.5 − company risk 0.3) = -0.04" in tree
    assert "target: quotas.csv line 3 → 4,000.00" in tree


def explain_as(output_format: str, csm: str = "C2", folder=V03) -> str:
    result = run("explain", folder / "plan.yaml", "--csm", csm, "--quarter", "2026Q1", "--data", folder,
                 "--format", output_format)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_explain_csv_has_one_row_per_figure():
    rows = list(csv.reader(io.StringIO(explain_as("csv"))))
    assert rows[0] == ["section", "item", "field", "value"]
    assert all(len(row) == 4 for row in rows)
    cells = {(section, item, name): value for section, item, name, value in rows[1:]}
    assert len(cells) == len(rows) - 1  # every (section, item, field) names one figure
    assert cells["csm", "", "name"] == "Oto" and cells["csm", "", "quarter"] == "2026Q1"
    # Vector 03, C2: A3 starts at 100,000 with +6,000 expansion, +4,000 cross-sell, −5,000 contraction.
    assert float(cells["book", "A3", "arr_start"]) == 100000 and float(cells["book", "A3", "cross_sell"]) == 4000
    assert cells["book", "A3", "in_retention_base"] == "true"
    # grr = (100,000 − 5,000) / 100,000 = 0.95; attainment 0.95 / 0.9 = 1.055555556 (9 places)
    assert float(cells["metric", "grr", "value"]) == 0.95
    assert cells["metric", "grr", "figures"] == "95,000.00 ÷ 100,000.00"
    assert float(cells["component", "retention", "attainment"]) == 1.055555556
    # curve [[0.9, 0.5], [1.1, 1.0]]: one row per coordinate
    assert [float(cells["component", "retention", f"curve.{n}.{axis}"]) for n in (1, 2)
            for axis in ("x", "fraction")] == [0.9, 0.5, 1.1, 1.0]
    # f = 0.5 + (1.055555556 − 0.9) × 2.5 = 0.88888889; 5,000 × 1.0 × f = 4,444.44445 → 4,444.44
    assert float(cells["component", "retention", "fraction"]) == pytest.approx(0.88888889, abs=1e-9)
    assert float(cells["component", "retention", "payout"]) == 4444.44
    # gross expansion 6,000 + 0.25 × 4,000 = 7,000 against a target of 5 % × 100,000 = 5,000:
    # marginal 5,000 × 5 % + 2,000 × 8 % = 250 + 160 = 410; retroactive 7,000 × 8 % = 560
    assert float(cells["component", "expansion_marginal", "target.computed"]) == 5000
    assert [cells["component", "expansion_marginal", f"tiers.{n}.rate"] for n in (1, 2, 3)] == ["0.05", "0.08", "0.1"]
    assert cells["component", "expansion_marginal", "tiers.3.up_to"] == ""  # the open top tier
    assert float(cells["component", "expansion_marginal", "payout"]) == 410
    assert float(cells["component", "expansion_retro", "payout"]) == 560
    # 4,444.44 + 410 + 560 = 5,414.44 computed; paid 6,000 → delta 5,414.44 − 6,000 = −585.56
    assert float(cells["total", "", "proposed"]) == 5414.44
    assert float(cells["paid", "", "total"]) == 6000 and float(cells["paid", "", "delta"]) == -585.56
    assert float(cells["paid", "payouts.csv line 3", "amount"]) == 6000


def hostile_org(data_dir):
    """A name and an account id a spreadsheet would run and Markdown would format."""
    roster = "csm_id,name,segment,annual_base,annual_variable\nC1,=HYPERLINK(\"x\")|*Bo* [x](y),SMB,100000,20000\n"
    accounts = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n2026Q1,-A1,C1,100000,0,0,0\n"
    plan = "name: '# Plan | _draft_'\ncomponents:\n  - {id: nrr, metric: nrr, weight: 1, target: 1, curve: [[1, 1]]}\n"
    return data_dir(roster=roster, accounts=accounts, payouts="quarter,csm_id,amount\n2026Q1,C1,5000\n", plan=plan)


def test_explain_csv_never_starts_a_cell_with_a_formula(data_dir):
    rows = list(csv.reader(io.StringIO(explain_as("csv", "C1", hostile_org(data_dir)))))
    cells = {(section, item, name): value for section, item, name, value in rows[1:]}
    assert cells["csm", "", "name"] == "'=HYPERLINK(\"x\")|*Bo* [x](y)"
    assert cells["book", "'-A1", "arr_start"] == "100000"
    # nrr 1.0 at target 1.0 on curve [[1, 1]]: 5,000 × 1 = 5,000.00, as paid
    assert float(cells["total", "", "proposed"]) == 5000 and float(cells["paid", "", "delta"]) == 0
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row[:3])
    assert not any(row[3].startswith(("=", "+", "@")) for row in rows)
    assert all(row[3].startswith("'") or re.fullmatch(r"-[\d.]+(e-?\d+)?", row[3]) for row in rows
               if row[3].startswith("-"))  # a minus only on a number


def test_explain_markdown_is_the_tree_as_nested_lists():
    text = explain_as("markdown")
    lines = text.splitlines()
    assert lines[0] == "## C2 Oto · 2026Q1 · Enterprise · plan *Expansion commission with cross-sell credit*"
    assert lines[1] == ""
    depths = []
    for line in lines[2:]:
        match = re.fullmatch(r"((?:    )*)- (.+)", line)
        assert match, line
        depths.append(len(match.group(1)) // 4)
    assert depths[0] == 0 and all(b <= a + 1 for a, b in zip(depths, depths[1:]))  # a level at a time
    # The same figures as the tree, one item per node, nested under their section.
    top = [line[2:] for line in lines[2:] if line.startswith("- ")]
    assert top == ["Pay", "Book: 1 account row(s)", "Metrics (CSM scope, 9 decimal places)",
                   "Components (each payout rounded to 6 decimal places, then to the cent, halves away from zero each time)",
                   "**Proposed 5,414.44**", "**Actually paid 6,000.00** (delta -585.56)"]
    retention = lines.index("    - **retention** (curve) → 4,444.44")
    assert lines[retention + 1] == "        - grr (csm scope) = 0.95"
    assert "        - round(target_variable × weight × fraction × multiplier): 4,444.444450 → 4,444.44" in lines
    assert "        - *between \\[0.9, 0.5\\] and \\[1.1, 1\\]: 0.5 + (x − 0.9) × 2.5*" in lines
    assert "    - payouts.csv line 3: 6,000.00" in lines
    # Same nodes as the terminal tree.
    tree = run("explain", V03 / "plan.yaml", "--csm", "C2", "--quarter", "2026Q1", "--data", V03).stdout
    assert len(lines) - 2 == len(tree.splitlines()) - 1


def test_explain_markdown_escapes_names(data_dir):
    text = explain_as("markdown", "C1", hostile_org(data_dir))
    heading = text.splitlines()[0]
    assert heading == ("## C1 =HYPERLINK(\"x\")\\|\\*Bo\\* \\[x\\](y) · 2026Q1 · SMB · plan "
                       "*\\# Plan \\| \\_draft\\_*")
    assert "    - \\-A1 (line 2): start 100,000.00 → end 100,000.00" in text.splitlines()


def test_explain_tree_prints_names_as_written(data_dir):
    tree = explain_as("table", "C1", hostile_org(data_dir))
    assert 'C1 =HYPERLINK("x")|*Bo* [x](y) · 2026Q1 · SMB · plan # Plan | _draft_' in tree


def test_the_rounding_of_a_payout_is_said_the_same_way_everywhere():
    # SPEC's rule: round to 6 decimals, then to cents, halves away from zero each time. explain, the
    # JSON Schema, docs/plans.md and the README say it in these words (the docs once said only "to the
    # cent", explain "6 places, then cents").
    rule = "rounded to 6 decimal places, then to the cent, halves away from zero each time"
    doc = explain_json("C2")
    assert doc["rounding"] == rule and all(c["formula"].startswith("round(") for c in doc["components"])
    tree = run("explain", V03 / "plan.yaml", "--csm", "C2", "--quarter", "2026Q1", "--data", V03,
               env={"COLUMNS": "200"}).stdout
    assert f"Components (each payout {rule})" in tree
    table = run("explain", V03 / "plan.yaml", "--csm", "C2", "--quarter", "2026Q1", "--data", V03, "--format", "csv")
    assert f'total,,rounding,"{rule}"' in table.stdout.splitlines()  # quoted: the rule holds commas
    schema = run_json_plain("schema")
    for name in ("CurveComponent", "CommissionComponent"):
        assert rule in schema["$defs"][name]["description"], name
    assert rule in schema["properties"]["cap"]["description"]
    for path in ("docs/plans.md", "README.md"):
        text = " ".join((VECTORS.parent.parent / path).read_text(encoding="utf-8").split())  # lines rewrapped
        assert rule in text, path
        assert "rounded to the cent (halves" not in text and "6 places, then cents" not in text, path


def run_json_plain(*args: str) -> dict:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)
