"""Top performers on a combined score: percentiles of average ranks, undefined metrics dropped and
the rest rescaled, and every report saying what "performance" means."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from .conftest import FLAT_ACCOUNTS, PAID_AT_TARGET, run, write_files

ROSTER = """\
csm_id,name,segment,annual_base,annual_variable
C1,Ana,Enterprise,100000,20000
C2,Bo,SMB,100000,20000
C3,Cy,SMB,100000,20000
C4,Di,Enterprise,100000,20000
C5,Ed,SMB,100000,20000
"""
# One account each, start 100,000:
#   nrr: C1 (100,000 + 5,000) / 100,000 = 1.05; C2 (100,000 + 10,000 − 5,000) / 100,000 = 1.05;
#        C3 (100,000 − 10,000) / 100,000 = 0.90; C4 1.10; C5 1.00
#   grr: C1 1.00; C2 0.95; C3 0.90; C4 1.00; C5 1.00
#   health: C1 80, C2 60, C3 90, C4 blank, C5 70
ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn,health
2026Q1,A1,C1,100000,5000,0,0,80
2026Q1,A2,C2,100000,10000,5000,0,60
2026Q1,A3,C3,100000,0,0,10000,90
2026Q1,A4,C4,100000,10000,0,0,
2026Q1,A5,C5,100000,0,0,0,70
"""
PAYOUTS = "quarter,csm_id,amount\n" + "".join(f"2026Q1,C{i},5000\n" for i in range(1, 6))


def plan(performance: str) -> str:
    return f"""\
name: scored
performance: {performance}
components:
  - id: retention
    metric: nrr
    weight: 1.0
    target: 1.0
    curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
"""


def org(tmp_path, performance: str, accounts: str = ACCOUNTS):
    return write_files(tmp_path / "org", roster=ROSTER, accounts=accounts, payouts=PAYOUTS,
                       **{"plan.yaml": plan(performance)})


def stress(folder, *args: str):
    return run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1", *args)


def document(folder) -> dict:
    result = stress(folder, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def scores(doc: dict) -> dict:
    return {c["csm_id"]: c["performance"] for c in doc["csms"]}


def test_percentiles_of_average_ranks_weighted_into_one_score(tmp_path):
    doc = document(org(tmp_path, "{nrr: 0.7, grr: 0.3}"))
    # nrr ascending: C3 0.90 r1, C5 1.00 r2, C1 = C2 1.05 r (3 + 4) / 2 = 3.5, C4 1.10 r5; m = 5
    #   percentile (r − 1) / 4: C3 0, C5 0.25, C1 0.625, C2 0.625, C4 1
    # grr ascending: C3 0.90 r1, C2 0.95 r2, C1 = C4 = C5 1.00 r (3 + 4 + 5) / 3 = 4
    #   percentile: C3 0, C2 0.25, C1 0.75, C4 0.75, C5 0.75
    # score 0.7 × nrr + 0.3 × grr:
    #   C1 0.4375 + 0.225 = 0.6625; C2 0.4375 + 0.075 = 0.5125; C3 0; C4 0.7 + 0.225 = 0.925; C5 0.175 + 0.225 = 0.4
    assert scores(doc) == {"C1": 0.6625, "C2": 0.5125, "C3": 0.0, "C4": 0.925, "C5": 0.4}
    # ⌈5 / 4⌉ = 2 top performers on the score, highest first
    assert doc["summary"]["top_performers"] == ["C4", "C1"]
    assert {c["csm_id"] for c in doc["csms"] if c["top_performer"]} == {"C4", "C1"}
    assert doc["performance_measure"] == {"label": "combined score (nrr 70 %, grr 30 %)", "combined": True,
                                          "weights": {"nrr": 0.7, "grr": 0.3}}


def test_a_metric_undefined_for_a_csm_drops_out_and_the_rest_is_rescaled(tmp_path):
    doc = document(org(tmp_path, "{nrr: 0.5, health: 0.5}"))
    # health defined for m = 4 (C4 has no value): ascending C2 60 r1, C5 70 r2, C1 80 r3, C3 90 r4
    #   percentile (r − 1) / 3: C2 0, C5 1/3, C1 2/3, C3 1
    # nrr percentiles as above: C3 0, C5 0.25, C1 = C2 0.625, C4 1
    #   C1 0.5 × 0.625 + 0.5 × 2/3 = 0.3125 + 0.333333333… = 0.645833333 (9 places)
    #   C2 0.3125 + 0 = 0.3125; C3 0 + 0.5 = 0.5; C5 0.125 + 0.166666666… = 0.291666667 (9 places)
    #   C4: health undefined → nrr's weight rescaled to 0.5 / 0.5 = 1 → 1 × 1 = 1
    assert scores(doc) == {"C1": 0.645833333, "C2": 0.3125, "C3": 0.5, "C4": 1.0, "C5": 0.291666667}
    assert doc["summary"]["top_performers"] == ["C4", "C1"]


def test_none_defined_is_undefined_and_never_a_top_performer_m_1_is_percentile_1(tmp_path):
    # Only C1 has a health value: m = 1 → C1's percentile is 1 (not 0 / 0). Nobody has NPS answers.
    accounts = re.sub(r",(60|90|70)\n", ",\n", ACCOUNTS)
    doc = document(org(tmp_path, "{health: 0.6, nps: 0.4}", accounts))
    # C1: nps undefined → health alone, rescaled 0.6 / 0.6 = 1 → 1 × 1 = 1; the others: nothing defined
    assert scores(doc) == {"C1": 1.0, "C2": None, "C3": None, "C4": None, "C5": None}
    # ⌈5 / 4⌉ = 2 places, but an undefined score never takes one
    assert doc["summary"]["top_performers"] == ["C1"]
    assert [c["csm_id"] for c in doc["csms"] if c["top_performer"]] == ["C1"]


def test_ties_in_score_go_to_the_smaller_csm_id_and_a_one_metric_map_is_a_score(tmp_path):
    doc = document(org(tmp_path, "{nrr: 1}"))
    # A map is a score even with one metric: the nrr percentiles, not nrr itself
    assert scores(doc) == {"C1": 0.625, "C2": 0.625, "C3": 0.0, "C4": 1.0, "C5": 0.25}
    # C1 and C2 tie at 0.625 for the second place: the smaller csm_id takes it
    assert doc["summary"]["top_performers"] == ["C4", "C1"]


def test_one_metric_keeps_its_own_value_as_performance(tmp_path):
    doc = document(org(tmp_path, "nrr"))
    assert scores(doc) == {"C1": 1.05, "C2": 1.05, "C3": 0.9, "C4": 1.1, "C5": 1.0}
    assert doc["summary"]["top_performers"] == ["C4", "C1"]
    assert doc["performance_measure"]["label"] == "nrr" and doc["performance_measure"]["combined"] is False


def words(text: str) -> str:
    """The text with every run of white space (the terminal wraps titles) as one space."""
    return re.sub(r"\s+", " ", text)


def test_every_human_format_says_what_performance_is(tmp_path):
    folder = org(tmp_path, "{nrr: 0.7, grr: 0.3}")
    label = "combined score (nrr 70 %, grr 30 %)"
    table = stress(folder, "--format", "table")
    assert table.exit_code == 0, table.stderr
    assert f"Top performers by {label}" in words(table.stdout)
    top = table.stdout[table.stdout.index("Top performers by"):]
    assert re.search(r"#\s+CSM\s+Name\s+Score\s+Delta", top)
    assert re.search(r"C4\s+Di\s+0\.925", top) and re.search(r"C1\s+Ana\s+0\.66", top)  # scores, 3 decimals

    markdown = stress(folder, "--format", "markdown")
    assert markdown.exit_code == 0, markdown.stderr
    assert f"Ranked by {label}." in markdown.stdout
    assert "| # | CSM | Name | Score | Delta |" in markdown.stdout

    result = stress(folder, "--format", "html", "--output", tmp_path / "report.html", "-q")
    assert result.exit_code == 0, result.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"Ranked by {label}." in html and "<th>Score</th>" in html
    assert f"performance: {label}" in html  # the scatter chart's axis
    assert "the plan's performance metric" not in html

    from openpyxl import load_workbook

    result = stress(folder, "--format", "xlsx", "--output", tmp_path / "report.xlsx", "-q")
    assert result.exit_code == 0, result.stderr
    book = load_workbook(tmp_path / "report.xlsx")
    header = [cell.value for cell in book["CSMs"][1]]
    assert f"Performance: {label}" in header
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows()}
    assert summary["Performance measure"] == label


def test_one_metric_is_named_in_the_reports(tmp_path):
    folder = org(tmp_path, "nrr")
    table = stress(folder, "--format", "table")
    assert "Top performers by nrr, pooled over the period" in words(table.stdout)
    markdown = stress(folder, "--format", "markdown").stdout
    assert "Ranked by nrr, pooled over the period." in markdown and "| # | CSM | Name | nrr | Delta |" in markdown


def test_compare_says_what_each_plan_ranks_on(tmp_path):
    folder = org(tmp_path, "{nrr: 0.7, grr: 0.3}")
    (folder / "single.yaml").write_text(plan("grr"), encoding="utf-8")
    result = run("compare", folder / "plan.yaml", folder / "single.yaml", "--data", folder, "--quarters", "1",
                 "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert "| Top performers by | — | combined score (nrr 70 %, grr 30 %) | grr |" in result.stdout


@pytest.mark.parametrize("performance", ["{nrr: 0.7, grr: 0.3}", "nrr"])
def test_json_keeps_performance_as_the_number(tmp_path, performance):
    doc = document(org(tmp_path, performance))
    assert all(isinstance(c["performance"], float) for c in doc["csms"])


def test_a_windowed_performance_metric_is_not_called_pooled(data_dir):
    # nrr_ttm is each CSM's four-quarter window at their last replayed quarter (not pooled over the
    # period), and the reports say so.
    plan = {"name": "TTM", "metrics": {"nrr_ttm": {"from": "nrr", "window": 4}}, "performance": "nrr_ttm",
            "components": [{"id": "retention", "metric": "nrr", "weight": 1.0, "target": 1.0,
                            "curve": [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]}]}
    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, plan=yaml.safe_dump(plan))
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert "nrr_ttm, over 4 quarters to each CSM's last replayed quarter" in result.stdout
    assert "pooled over the period" not in result.stdout
