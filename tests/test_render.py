"""The human formats: the terminal table and Markdown, checked against the 03 vector by hand."""

from __future__ import annotations

import io
import json
from pathlib import Path

import yaml
from rich.console import Console

from cscomp_cli.analyses.stress_test import build_document
from cscomp_cli.core.formatting import money
from cscomp_cli.engine.replay import replay
from cscomp_cli.engine.versus_actual import compare_with_actual
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.loading import load_plan
from cscomp_cli.render.markdown import to_markdown
from cscomp_cli.render.table import render_table
from cscomp_cli.render.views import performance

from .conftest import NRR_PLAN, PAID_AT_TARGET, VECTORS, run

V03 = VECTORS / "03_tiered_commission_credit"


def document(folder: Path = V03) -> dict:
    return build_document(compare_with_actual(replay(load_plan(folder / "plan.yaml"), load_dataset(folder), 1)))


def table_text(doc: dict, width: int = 160) -> str:
    buffer = io.StringIO()
    render_table(doc, Console(file=buffer, width=width, no_color=True))
    return buffer.getvalue()


def test_money_formatting():
    assert money(24699.44) == "$24,699.44"
    assert money(-585.56, sign=True) == "-$585.56"
    assert money(400.0, sign=True) == "+$400.00"
    assert money(1234.5, "EUR") == "€1,234.50"
    assert money(1234.5, "CHF") == "1,234.50 CHF"
    assert money(None) == "—"


def test_performance_has_fixed_decimals_so_the_column_lines_up():
    assert [performance(v) for v in (1.092, 1.08, 41.5, None)] == ["1.092", "1.080", "41.500", "—"]
    assert performance(1_234_567.8) == "1,234,568"


def test_table_summary_and_csms_sorted_by_who_loses_most():
    text = table_text(document())
    # proposed 6,400 + 5,414.44 + 7,160 + 5,725 = 24,699.44 against 4 × 6,000 = 24,000
    assert "$24,699.44" in text and "$24,000.00" in text and "+$699.44 (+2.91 %)" in text
    assert "4: 2 paid more, 2 paid less" in text
    # deltas: C2 −585.56, C4 −275.00, C1 +400.00, C3 +1,160.00
    order = [text.index(f" {csm} ") for csm in ("C2", "C4", "C1", "C3")]
    assert order == sorted(order)
    assert "★ C1" in text  # the top performer (gross expansion 14,000)
    # C2's average retention attainment: 0.95 / 0.9 = 105.6 %; its marginal commission 410.00
    c2_line = next(line for line in text.splitlines() if " C2 " in line)
    assert "105.6 %" in c2_line and "$410.00" in c2_line and "-$585.56" in c2_line and "-9.76 %" in c2_line


def test_table_per_quarter_and_top_performer_paid_less():
    doc = document()
    doc["summary"]["top_performers_paid_less"] = ["C1"]  # as if C1 had lost pay
    text = table_text(doc)
    assert "2026Q1" in text and "▼ 1 of 1: C1" in text and "▼ C1" in text


def test_narrow_terminal_drops_columns_rather_than_cutting_numbers():
    text = table_text(document(), width=80)
    assert "-$585.56" in text and "$24,699.44" in text
    assert "columns left out to fit the terminal: attainment per component" in text
    assert "Name" in text and " Oto " in text  # names stay: lower-value columns go first
    assert max(len(line) for line in text.splitlines()) <= 80


def test_warnings_are_shown():
    doc = document()
    doc["warnings"] = ["component retention: attainment undefined for 1 CSM-quarter(s)"]
    assert "warning: component retention" in table_text(doc)


def test_markdown_tables_have_consistent_columns_and_escape_pipes():
    doc = document()
    doc["csms"][0]["name"] = "Nia | Ops"
    text = to_markdown(doc)
    assert text.startswith("# Expansion commission with cross-sell credit\n")
    assert "- Difference: +$699.44 (+2.91 %)" in text
    assert "Nia \\| Ops" in text
    for block in text.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            widths = {line.replace("\\|", "").count("|") for line in rows}
            assert len(widths) == 1, block


def test_pay_share_buckets_by_hand():
    from cscomp_cli.render.views import pay_share_buckets

    doc = {"csms": [
        {"actual": 2500.0, "actual_target_variable": 5000.0, "proposed": 10000.0, "target_variable": 5000.0},  # 50 %, 200 %
        {"actual": 4999.99, "actual_target_variable": 5000.0, "proposed": 5000.0, "target_variable": 5000.0},  # 99.9998 %, 100 %
        {"actual": 100.0, "actual_target_variable": 0.0, "proposed": 100.0, "target_variable": 0.0},  # no target: left out
    ]}
    assert pay_share_buckets(doc) == [("<50 %", 0, 0), ("≥50 to <75 %", 1, 0), ("≥75 to <100 %", 1, 0),
                                      ("≥100 to <125 %", 0, 1), ("≥125 to <150 %", 0, 0), ("≥150 to <200 %", 0, 0),
                                      ("≥200 %", 0, 1)]


def test_pay_exactly_at_a_band_edge_lands_in_the_band_its_label_says():
    from cscomp_cli.render.views import pay_share_buckets

    def csm(paid: float, target: float) -> dict:
        return {"actual": paid, "actual_target_variable": target, "proposed": paid, "target_variable": target}

    # 1,311.64 of 1,311.64 is 100 %, though 100 × 1,311.64 / 1,311.64 is 99.99999999999999 in floating point;
    # 32.16 of 42.88 is 75 % (42.88 × 0.75 = 32.16), though the division gives 74.99999999999999.
    doc = {"csms": [csm(2500.0, 5000.0), csm(32.16, 42.88), csm(1311.64, 1311.64), csm(6250.0, 5000.0),
                    csm(10000.0, 5000.0)]}  # 50 %, 75 %, 100 %, 125 %, 200 %
    assert pay_share_buckets(doc) == [("<50 %", 0, 0), ("≥50 to <75 %", 1, 1), ("≥75 to <100 %", 1, 1),
                                      ("≥100 to <125 %", 1, 1), ("≥125 to <150 %", 1, 1), ("≥150 to <200 %", 0, 0),
                                      ("≥200 %", 1, 1)]


def test_the_terminal_table_shows_the_distribution_when_there_is_room():
    doc = document()
    assert "Payout as % of target" in table_text(doc, width=120)
    assert "Payout as % of target" not in table_text(doc, width=80)


def test_a_component_paid_on_the_value_itself_shows_that_value_not_an_attainment(data_dir):
    # measure: value has no attainment; the CSM table shows the mean metric over the CSM's quarters.
    # C1's CSAT: 2026Q1 (4 + 5) ÷ 2 = 4.5, 2026Q2 4 → mean over the two quarters (4.5 + 4) ÷ 2 = 4.25,
    # shown to 3 significant figures as 4.25 (an attainment would have shown "—").
    accounts = """\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn,csat
        2026Q1,A1,C1,100,0,0,0,4
        2026Q1,A2,C1,100,0,0,0,5
        2026Q2,A1,C1,100,0,0,0,4
        2026Q1,A3,C2,100,0,0,0,
        2026Q2,A3,C2,100,0,0,0,
        """
    plan = {"name": "CSAT", "metrics": {"csat": {"column": "csat", "aggregate": "mean"}},
            "components": [{"id": "happy", "metric": "csat", "weight": 1.0, "measure": "value",
                            "curve": [[3, 0.5], [5, 1.0]]}]}
    # A payroll row for 2026Q2 (of 0) makes it a paid quarter, so --quarters 2 replays both.
    paid = PAID_AT_TARGET + "2026Q2,C1,0\n2026Q2,C2,0\n"
    folder = data_dir(accounts=accounts, payouts=paid, plan=yaml.safe_dump(plan))
    for form in ("table", "markdown"):
        result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "2", "--format", form,
                     env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.stderr
        line = next(text for text in result.stdout.splitlines() if "C1" in text and "C2" not in text)
        assert "4.25" in line and "%" not in line.split("4.25")[0].split("C1")[1], line
        assert "value" in result.stdout
    document = json.loads(run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "2",
                              "--format", "json").stdout)
    assert document["components"] == [{"id": "happy", "kind": "curve", "metric": "csat", "measure": "value"}]


def test_the_attainment_columns_say_they_are_a_mean_of_the_quarters(data_dir):
    # C1: 2026Q1 start 100,000, −10,000 contraction → nrr 0.90; 2026Q2 start 300,000, +30,000 → 1.10.
    # The column averages the quarters: (0.90 + 1.10) ÷ 2 = 1.00 → 100.0 %, while performance is
    # pooled over both books: (90,000 + 330,000) ÷ 400,000 = 1.05. The label must say which it is.
    accounts = """\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn
        2026Q1,A1,C1,100000,0,10000,0
        2026Q2,A2,C1,300000,30000,0,0
        2026Q1,A3,C2,100000,0,0,0
        2026Q2,A3,C2,100000,0,0,0
        """
    plan = NRR_PLAN
    payouts = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q2,C1,5000\n2026Q1,C2,5000\n2026Q2,C2,5000\n"
    folder = data_dir(accounts=accounts, payouts=payouts, plan=yaml.safe_dump(plan))
    args = ("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "2")
    table = run(*args, env={"COLUMNS": "160"}).stdout
    lines = table.splitlines()
    header = next(i for i, line in enumerate(lines) if line.strip().startswith("CSM "))
    assert lines[header - 1].split() == ["mean"] and lines[header - 2].split() == ["retention"]
    assert "attain." in lines[header]
    c1 = next(line for line in lines[header + 1:] if " C1 " in line)
    assert "100.0 %" in c1
    assert ("mean attain.: the average of the quarterly attainments; performance (★) is pooled over the quarters"
            in table)
    markdown = run(*args, "--format", "markdown").stdout
    assert "| retention (mean attainment) |" in markdown.replace("| CSM | Name | Segment ", "| ")
    assert "mean attainment: the average of the quarterly attainments" in markdown
    csms = {c["csm_id"]: c for c in json.loads(run(*args, "--format", "json").stdout)["csms"]}
    assert csms["C1"]["performance"] == 1.05
