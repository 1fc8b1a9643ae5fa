"""Total cash (base + variable), the data folder every output names, and the 80-column table.

Org used throughout (one quarter, 2026Q1, 90 days):
  C1 Ana (Enterprise) and C2 Bo (SMB), each annual base 100,000 and annual variable 20,000 (OTE
  120,000); roster quarterly base 25,000, TV 5,000; each actually paid 5,000.
  C1: start 100,000, −2,000 contraction → nrr 0.98. C2: start 100,000, −4,000 churn → nrr 0.96.
  Curve [0.9, 0] → [1.0, 1.0] → [1.1, 1.5] on nrr / 1.0: C1 f = 0.8, C2 f = 0.6.

Plan OTE (pay_mix 25 %, hold: ote): variable 120,000 × 0.25 = 30,000 → TV 7,500 a quarter;
  base 120,000 × 0.75 = 90,000 → 22,500 a quarter.
  C1: variable 7,500 × 0.8 = 6,000 (+1,000 on variable), cash 22,500 + 6,000 = 28,500 against
      25,000 + 5,000 = 30,000 → −1,500: paid MORE on variable but LESS in total cash.
  C2: variable 7,500 × 0.6 = 4,500 (−500), cash 27,000 against 30,000 → −3,000.
  Totals: variable 10,500 against 10,000 (+500, +5.00 %); base 45,000 against 50,000 (−5,000);
  cash 55,500 against 60,000 (−4,500, −7.50 %). Top performer: ⌈2/4⌉ = 1 → C1 (nrr 0.98 > 0.96),
  paid less in total cash.
Plan BASE (pay_mix 25 %, hold: base): base stays 25,000; variable 100,000 × 0.25 / 0.75 =
  33,333.33… → TV 8,333.33… a quarter.
  C1: 8,333.33… × 0.8 = 6,666.666… → 6,666.67; cash 31,666.67 against 30,000 → +1,666.67.
  C2: 8,333.33… × 0.6 = 4,999.999… → 5,000.00; cash 30,000 against 30,000 → 0: neither.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re

import pytest
import yaml
from openpyxl import load_workbook
from rich.console import Console

from cscomp_cli.commands.common import is_sample_org, sample_org_notice
from cscomp_cli.render.table import render_table

from .conftest import DEFAULT_ROSTER, NRR_PLAN, PAID_AT_TARGET, REPO, run, run_json

ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
2026Q1,A1,C1,100000,0,2000,0
2026Q1,A2,C2,100000,0,0,4000
"""
OTE_PLAN = {**NRR_PLAN, "name": "OTE mix", "pay_mix": {"variable_pct": 25, "hold": "ote"}}
BASE_PLAN = {**NRR_PLAN, "name": "Base mix", "pay_mix": {"variable_pct": 25, "hold": "base"}}
NOTICE = "Using the shipped sample org"


@pytest.fixture
def org(data_dir):
    folder = data_dir(accounts=ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAID_AT_TARGET)
    for name, plan in (("ote", OTE_PLAN), ("base", BASE_PLAN), ("plain", NRR_PLAN)):
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(plan))
    return folder


def stress(folder, plan: str, *extra: str):
    return run("stress-test", folder / f"{plan}.yaml", "--quarters", "1", "--data", folder, *extra)


def stress_json(folder, plan: str) -> dict:
    return run_json("stress-test", folder / f"{plan}.yaml", "--quarters", "1", "--data", folder)


def test_hold_ote_moves_base_and_judges_paid_more_or_less_on_total_cash(org):
    doc = stress_json(org, "ote")
    rows = {r["csm_id"]: r for r in doc["rows"]}
    c1, c2 = rows["C1"], rows["C2"]
    assert (c1["target_variable"], c1["base"], c1["actual_base"]) == (7500.0, 22500.0, 25000.0)
    assert (c1["proposed"], c1["actual"], c1["delta"]) == (6000.0, 5000.0, 1000.0)
    assert (c1["proposed_cash"], c1["actual_cash"], c1["cash_delta"]) == (28500.0, 30000.0, -1500.0)
    assert c1["cash_delta_pct"] == -5.0  # −1,500 / 30,000
    assert (c2["proposed_cash"], c2["actual_cash"], c2["cash_delta"], c2["cash_delta_pct"]) == (
        27000.0, 30000.0, -3000.0, -10.0)
    csm = {c["csm_id"]: c for c in doc["csms"]}["C1"]
    assert {k: csm[k] for k in ("base", "actual_base", "proposed_cash", "actual_cash", "cash_delta",
                                "cash_delta_pct")} == {"base": 22500.0, "actual_base": 25000.0,
                                                       "proposed_cash": 28500.0, "actual_cash": 30000.0,
                                                       "cash_delta": -1500.0, "cash_delta_pct": -5.0}
    s = doc["summary"]
    assert (s["proposed_total"], s["actual_total"], s["delta"], s["delta_pct"]) == (10500.0, 10000.0, 500.0, 5.0)
    assert (s["proposed_cash_total"], s["actual_cash_total"], s["cash_delta"], s["cash_delta_pct"]) == (
        55500.0, 60000.0, -4500.0, -7.5)
    # C1 gains 1,000 of variable but loses 1,500 of cash: paid less, and a top performer paid less.
    assert (s["paid_more"], s["paid_less"]) == (0, 2)
    assert s["top_performers"] == ["C1"] and s["top_performers_paid_less"] == ["C1"]


def test_hold_base_keeps_base_and_cash_is_base_plus_variable(org):
    doc = stress_json(org, "base")
    rows = {r["csm_id"]: r for r in doc["rows"]}
    assert rows["C1"]["base"] == rows["C1"]["actual_base"] == 25000.0
    assert rows["C1"]["target_variable"] == 8333.33
    assert (rows["C1"]["proposed"], rows["C1"]["proposed_cash"], rows["C1"]["cash_delta"]) == (
        6666.67, 31666.67, 1666.67)
    assert (rows["C2"]["proposed"], rows["C2"]["proposed_cash"], rows["C2"]["cash_delta"]) == (
        5000.0, 30000.0, 0.0)
    s = doc["summary"]
    assert (s["paid_more"], s["paid_less"], s["top_performers_paid_less"]) == (1, 0, [])
    assert s["cash_delta"] == s["delta"] == 1666.67
    assert s["cash_delta_pct"] == 2.78  # 1,666.67 / 60,000 = 2.7778 %


def test_prorated_base_rounds_half_a_cent_away_from_zero(data_dir):
    # Hired 2026-02-15: 14 days of February + 31 of March = 45 of 90 → proration 0.5.
    # Base 100,000.04 / 4 × 0.5 = 12,500.005 → 12,500.01 (a binary float would round it down).
    folder = data_dir(
        accounts="quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n2026Q1,A1,C1,100000,0,0,0\n",
        roster="csm_id,name,segment,annual_base,annual_variable,start_date\nC1,Ana,SMB,100000.04,20000,2026-02-15\n",
        payouts="quarter,csm_id,amount\n2026Q1,C1,2500\n",
    )
    (folder / "plain.yaml").write_text(yaml.safe_dump(NRR_PLAN))
    doc = stress_json(folder, "plain")
    row = doc["rows"][0]
    assert (row["base"], row["actual_base"]) == (12500.01, 12500.01)
    # TV 20,000 / 4 × 0.5 = 2,500, f = 1.0 → 2,500 proposed; cash 12,500.01 + 2,500
    assert (row["proposed_cash"], row["actual_cash"], row["cash_delta"]) == (15000.01, 15000.01, 0.0)
    assert doc["summary"]["proposed_cash_total"] == 15000.01


def test_csv_appends_the_cash_columns_after_delta_pct(org):
    rows = list(csv.reader(io.StringIO(stress(org, "ote", "--format", "csv").stdout)))
    assert rows[0] == ["quarter", "csm_id", "name", "segment", "target_variable", "retention_metric",
                       "retention_attainment", "retention_payout", "cap_adjustment", "proposed", "actual", "delta",
                       "delta_pct", "base", "actual_base", "proposed_cash", "actual_cash", "cash_delta"]
    assert rows[1][-6:] == ["20.00", "22500.00", "25000.00", "28500.00", "30000.00", "-1500.00"]


# --- human formats: total cash when base moves, and only then --------------------------------


def table_of(folder, plan: str, width: int) -> str:
    doc = stress_json(folder, plan)
    buffer = io.StringIO()
    render_table(doc, Console(file=buffer, width=width, no_color=True))
    return buffer.getvalue()


def test_table_and_markdown_show_total_cash_only_when_base_moves(org):
    text = table_of(org, "ote", 160)
    assert "$50,000.00 → $45,000.00 (-$5,000.00)" in text and "│ Base " in text
    assert "$60,000.00 → $55,500.00" in text and "-$4,500.00 (-7.50 %)" in text
    assert "2: 0 paid more, 2 paid less in total cash" in text and "Cash Δ" in text
    assert "Total cash" not in table_of(org, "base", 160) and "Cash Δ" not in table_of(org, "plain", 160)
    markdown = stress(org, "ote", "--format", "markdown").stdout
    assert "- Total cash (base + variable): $60,000.00 → $55,500.00" in markdown
    assert "- Cash difference: -$4,500.00 (-7.50 %)" in markdown
    assert "| Cash Δ | Cash Δ % |" in markdown
    assert "Total cash" not in stress(org, "plain", "--format", "markdown").stdout


def test_html_and_xlsx_show_total_cash_only_when_base_moves(org, tmp_path):
    html = stress(org, "ote", "--format", "html").stdout
    assert "Total cash (base + variable)" in html and "$55,500.00" in html and "<th>Cash Δ</th>" in html
    assert "Total cash" not in stress(org, "plain", "--format", "html").stdout
    for plan, moves in (("ote", True), ("plain", False)):
        path = tmp_path / f"{plan}.xlsx"
        assert stress(org, plan, "--format", "xlsx", "--output", path).exit_code == 0
        summary = {r[0]: r[1] for r in load_workbook(path)["Summary"].iter_rows(min_row=2, values_only=True)}
        assert summary["Data"] == str(org)
        if moves:
            assert summary["Total cash (base + variable), proposed"] == 55500
            assert summary["Cash difference"] == -4500 and summary["Paid less (total cash)"] == 2
        else:
            assert not any("cash" in key.lower() for key in summary)


def test_compare_shows_total_cash_in_every_format_when_a_plan_moves_base(org, tmp_path):
    args = ("compare", org / "plain.yaml", org / "ote.yaml", "--quarters", "1", "--data", org)
    doc = run_json(*args)
    plain, ote = doc["plans"]
    assert doc["moves_base"] is True and (plain["moves_base"], ote["moves_base"]) == (False, True)
    assert (ote["proposed_cash_total"], ote["cash_delta"], ote["cash_delta_pct"]) == (55500.0, -4500.0, -7.5)
    assert (ote["paid_more"], ote["paid_less"], ote["top_performers_paid_less"]) == (0, 2, ["C1"])
    assert doc["actual"]["cash_total"] == 60000.0 and doc["data"] == str(org)
    table = run(*args).stdout
    assert "Total cash (base + variable)" in table and "Total cash (base + variable) per CSM" in table
    assert "Total cash (base + variable)" in run(*args, "--format", "markdown").stdout
    assert "Total cash (base + variable)" in run(*args, "--format", "html").stdout
    lines = run(*args, "--format", "csv").stdout.splitlines()
    assert lines[0] == "csm_id,name,segment,actual,plain,ote,actual_cash,plain_cash,ote_cash"
    assert lines[1] == "C1,Ana,Enterprise,5000.00,4000.00,6000.00,30000.00,29000.00,28500.00"
    path = tmp_path / "compare.xlsx"
    assert run(*args, "--format", "xlsx", "--output", path).exit_code == 0
    measures = [r[0] for r in load_workbook(path)["Summary"].iter_rows(min_row=2, values_only=True)]
    assert "Total cash (base + variable)" in measures
    # Two plans that leave base alone: the report is exactly as before, no cash rows.
    same = run("compare", org / "plain.yaml", org / "base.yaml", "--quarters", "1", "--data", org).stdout
    assert "Total cash" not in same and "Total cost" in same


def test_sweep_of_the_pay_mix_shows_total_cash(org):
    args = ("sweep", org / "plain.yaml", "--set", "pay_mix.variable_pct=25", "--quarters", "1", "--data", org)
    doc = run_json(*args)
    row = doc["rows"][0]
    assert doc["moves_base"] is True and doc["data"] == str(org)
    assert (row["proposed_cash_total"], row["cash_delta"], row["paid_less"]) == (55500.0, -4500.0, 2)
    assert "Total cash" in run(*args).stdout and "Total cash" in run(*args, "--format", "markdown").stdout
    assert run(*args, "--format", "csv").stdout.splitlines()[0].endswith(
        "error,proposed_cash_total,cash_delta,cash_delta_pct")
    target = ("sweep", org / "plain.yaml", "--set", "components.retention.target=1.0", "--quarters", "1",
              "--data", org)
    assert "Total cash" not in run(*target).stdout
    assert run(*target, "--format", "csv").stdout.splitlines()[0].endswith("pay_performance_correlation,error")


def test_simulate_states_the_base_change(org):
    args = ("simulate", org / "ote.yaml", "--quarters", "1", "--runs", "50", "--data", org)
    doc = run_json(*args)
    # full-quarter base 2 × 22,500 under the plan against 2 × 25,000 on the roster
    assert doc["base"] == {"proposed": 45000.0, "roster": 50000.0, "delta": -5000.0}
    assert doc["data"] == str(org)
    assert "Base (not simulated)" in run(*args).stdout
    plain = run_json("simulate", org / "plain.yaml", "--quarters", "1", "--runs", "50", "--data", org)
    assert plain["base"] is None
    assert "Base" not in run("simulate", org / "plain.yaml", "--quarters", "1", "--runs", "50", "--data", org).stdout


def test_cost_guardrails_judge_total_cash_when_base_moves(org):
    # Variable +5.00 % but total cash −7.50 %: the cash figure is what the org pays.
    assert stress(org, "ote", "--format", "json", "--max-increase", "4").exit_code == 0
    breach = stress(org, "ote", "--format", "json", "--max-decrease", "5")
    assert breach.exit_code == 1
    assert "proposed total cash (base + variable) 55,500.00 is 7.50 % below actual 60,000.00" in breach.stderr
    # --budget: variable 10,500 − 5,000 of base = 5,500
    assert stress(org, "ote", "--format", "json", "--budget", "5500").exit_code == 0
    over = stress(org, "ote", "--format", "json", "--budget", "5499.99")
    assert over.exit_code == 1
    assert ("proposed variable pay net of the change in base 5,500.00 (variable 10,500.00, base -5,000.00) is above "
            "the budget 5,499.99") in over.stderr
    top = stress(org, "ote", "--format", "json", "--protect-top")
    assert top.exit_code == 1 and "paid less than actual in total cash (base + variable): C1 (-1,500.00)" in top.stderr
    # Without a base change, the limits read variable pay as before: C1 4,000, C2 3,000 → −30 %.
    plain = stress(org, "plain", "--format", "json", "--max-decrease", "5")
    assert plain.exit_code == 1 and "proposed variable pay 7,000.00 is 30.00 % below actual" in plain.stderr


# --- the terminal table at 80 columns -----------------------------------------------------------


@pytest.mark.parametrize("plan", ["ote", "plain"])
def test_80_columns_keep_the_names_and_a_wide_terminal_shows_everything(org, plan):
    narrow = table_of(org, plan, 80)
    assert max(len(line) for line in narrow.splitlines()) <= 80
    csm_lines = [line for line in narrow.splitlines() if " C1 " in line or " C2 " in line]
    assert any("Ana" in line for line in csm_lines) and any("Bo" in line for line in csm_lines)
    assert "columns left out to fit the terminal" in narrow
    wide = table_of(org, plan, 220)
    assert "attain." in wide and "Segment" in wide and "Delta %" in wide
    assert "columns left out" not in wide
    assert ("Cash Δ %" in wide) == (plan == "ote")


# --- the data folder, named in every output; the shipped sample org, announced -------------------


def test_every_output_names_the_data_folder(org):
    assert stress_json(org, "plain")["data"] == str(org)
    assert f"- Data: {org}" in stress(org, "plain", "--format", "markdown").stdout
    assert str(org) in " ".join(stress(org, "plain").stdout.split())
    assert f"from the data in {org}" in stress(org, "plain", "--format", "html").stdout
    compare = ("compare", org / "plain.yaml", org / "ote.yaml", "--quarters", "1", "--data", org)
    assert f"Data: {org}" in run(*compare, "--format", "markdown").stdout
    assert run_json(*compare)["data"] == str(org)
    for command in (("reconcile", org / "plain.yaml", "--quarters", "1"),
                    ("explain", org / "plain.yaml", "--csm", "C1", "--quarter", "2026Q1"),
                    ("validate", org / "plain.yaml")):
        result = run(*command, "--data", org, "--format", "json")
        assert json.loads(result.stdout)["data"] == str(org), command


def _fake_sample(tmp_path):
    """A folder the generator marked: its marker lists the sizes of the files it wrote."""
    spec = importlib.util.spec_from_file_location("generate", REPO / "sample_data" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    folder = tmp_path / "sample"
    folder.mkdir()
    for name, text in (("accounts.csv", ACCOUNTS), ("roster.csv", DEFAULT_ROSTER), ("payouts.csv", PAID_AT_TARGET),
                       ("quotas.csv", "quarter,csm_id,component,target\n")):
        (folder / name).write_text(text)
    generate._write_marker(folder)
    (folder / "plain.yaml").write_text(yaml.safe_dump(NRR_PLAN))
    return folder


def test_the_shipped_sample_org_is_recognised():
    assert is_sample_org(REPO / "sample_data")
    assert not is_sample_org(REPO / "tests" / "vectors" / "01_paymix_nrr_linear")


def test_the_sample_org_is_announced_once_on_stderr_unless_quiet(tmp_path):
    folder = _fake_sample(tmp_path)
    result = stress(folder, "plain", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr.count(NOTICE) == 1 and sample_org_notice(folder) in " ".join(result.stderr.split())
    assert NOTICE not in result.stdout
    assert NOTICE not in stress(folder, "plain", "--format", "json", "--quiet").stderr
    # --quiet before or after --data, and a folder given through CSCOMP_DATA
    assert NOTICE not in run("stress-test", folder / "plain.yaml", "-q", "--quarters", "1", "--data", folder).stderr
    from_env = run("stress-test", folder / "plain.yaml", "--quarters", "1", "--format", "json",
                   env={"CSCOMP_DATA": str(folder)})
    assert from_env.exit_code == 0 and NOTICE in from_env.stderr
    # every command reads --data the same way
    assert NOTICE in run("validate", folder / "plain.yaml", "--data", folder).stderr
    # and every command that reads --data can be silenced
    assert NOTICE not in run("validate", folder / "plain.yaml", "--data", folder, "--quiet").stderr
    quiet_explain = run("explain", folder / "plain.yaml", "--csm", "C1", "--quarter", "2026Q1", "--data", folder, "-q")
    assert quiet_explain.exit_code == 0 and NOTICE not in quiet_explain.stderr


def test_own_exports_copied_over_the_sample_are_not_called_the_sample(tmp_path, org):
    folder = _fake_sample(tmp_path)
    (folder / "accounts.csv").write_text(ACCOUNTS + "2026Q1,A3,C1,5,0,0,0\n")
    assert not is_sample_org(folder)
    assert NOTICE not in stress(folder, "plain", "--format", "json").stderr
    assert NOTICE not in stress(org, "plain", "--format", "json").stderr


def test_80_columns_shorten_long_names_before_cutting_money():
    # The sample org's 70/30 proposal: three components, long names, and the cash columns.
    doc = run_json("stress-test", REPO / "plans" / "seventy_thirty.yaml", "--quarters", "4", "--data",
                   REPO / "sample_data", "--quiet")
    buffer = io.StringIO()
    render_table(doc, Console(file=buffer, width=80, no_color=True))
    text = buffer.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    c23 = next(line for line in text.splitlines() if " C23 " in line)
    # C23 Wen Eriksen: variable 24,052.14 → 36,078.23 (+12,026.09); base 10,250.00 lower over the year
    # (a tenth of a 102,500 OTE), so cash +12,026.09 − 10,250.00 = +1,776.09
    assert "Wen" in c23 and "$24,052.14" in c23 and "$36,078.23" in c23 and "+$1,776.09" in c23
    # No table cuts a figure to '$251,982.…': the quarter table drops its percentage and head count first.
    assert not re.search(r"\$[\d,.]*…", text)
    q1 = next(line for line in text.splitlines() if line.strip().startswith("2026Q1"))
    rows = [r for r in doc["rows"] if r["quarter"] == "2026Q1"]
    actual = round(sum(r["actual"] for r in rows), 2)  # what payroll paid in 2026Q1, summed here
    cash_delta = round(sum(r["cash_delta"] for r in rows), 2)
    assert f"${actual:,.2f}" in q1 and f"+${cash_delta:,.2f}" in q1
