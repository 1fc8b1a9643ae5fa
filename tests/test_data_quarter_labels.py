"""Issue 22: quarter labels that used to be read without a word.

Fiscal-year labels (FY2026 Q1) read as calendar quarters when nothing says when the fiscal year starts,
fiscal and calendar spellings mixed in one column, and one mistyped year (2062Q1) among the others.
Everything runs through the CLI on inline fixtures; the plan is one NRR curve and every book is flat
(nrr 1.0 pays f = 1.0 × TV = 20,000 / 4 = 5,000 a quarter).
"""

from __future__ import annotations

import json

import pytest

from .conftest import NRR_ONLY_YAML, assert_user_error, run

ROSTER = "csm_id,name,segment,annual_base,annual_variable\nC1,Ana,Enterprise,100000,20000\n"
HEADER = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"

# The canonical files read through a map that only declares the fiscal year (a map names every column).
MAP = """\
version: 1
fiscal_year: {{first_month: {month}}}
tables:
  accounts:
    files: accounts.csv
    columns: {{quarter: quarter, account_id: account_id, csm_id: csm_id, arr_start: arr_start,
              expansion: expansion, contraction: contraction, churn: churn}}
  roster:
    files: roster.csv
    columns: {{csm_id: csm_id, name: name, segment: segment, annual_base: annual_base,
              annual_variable: annual_variable}}
  payouts:
    files: payouts.csv
    columns: {{quarter: quarter, csm_id: csm_id, amount: amount}}
"""


def accounts(*labels: str) -> str:
    """One flat account of 100,000 per label (A1, A2, …), in that order (line 2 holds the first)."""
    return HEADER + "".join(f"{label},A{i},C1,100000,0,0,0\n" for i, label in enumerate(labels, 1))


def payouts(*labels: str) -> str:
    return "quarter,csm_id,amount\n" + "".join(f"{label},C1,5000\n" for label in labels)


def folder(data_dir, accounts_csv: str, payouts_csv: str, month: int | None = None):
    files = {"accounts": accounts_csv, "roster": ROSTER, "payouts": payouts_csv, "plan": NRR_ONLY_YAML}
    if month is not None:
        files["cscomp-data.yaml"] = MAP.format(month=month)
    return data_dir(**files)


def stress(path, *extra):
    return run("stress-test", path / "plan.yaml", "--data", path, *extra)


def validate_json(path) -> dict:
    return json.loads(run("validate", path / "plan.yaml", "--data", path, "--format", "json").stdout)


# --- 1. fiscal labels with no fiscal year -------------------------------------------------------


@pytest.mark.parametrize("label", ["FY2026 Q1", "FY26-Q1", "Q1 FY26"])
def test_a_fiscal_label_without_a_fiscal_year_is_refused(data_dir, label):
    # Read as calendar 2026Q1 it would pay 5,000 for January-March, whatever months FY2026 Q1 covers.
    path = folder(data_dir, accounts(label), payouts("2026Q1"))
    result = stress(path, "--quarters", "1")
    assert_user_error(result, "accounts.csv", "line 2, column quarter", f"'{label}' is a fiscal-year label",
                      "no fiscal year is set", "2026Q1", "fiscal_year", "docs/data.md")


def test_a_fiscal_label_in_payouts_is_refused_too(data_dir):
    path = folder(data_dir, accounts("2026Q1"), payouts("FY2026Q1"))
    assert_user_error(stress(path, "--quarters", "1"), "payouts.csv", "line 2, column quarter", "'FY2026Q1'")


def test_validate_lists_the_fiscal_label_error(data_dir):
    path = folder(data_dir, accounts("FY2026 Q1"), payouts("2026Q1"))
    document = validate_json(path)
    assert document["ok"] is False
    assert any("'FY2026 Q1' is a fiscal-year label" in e["message"] and e["location"] == "line 2, column quarter"
               for e in document["errors"])


def test_a_fiscal_year_declared_as_january_reads_fy_labels_as_calendar_quarters(data_dir):
    # fiscal_year: {first_month: 1} says FY2026 is the calendar year 2026: FY2026 Q1 is 2026Q1, paid 5,000.
    path = folder(data_dir, accounts("FY2026 Q1"), payouts("2026Q1"), month=1)
    result = stress(path, "--quarters", "1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["quarters"] == ["2026Q1"]
    assert document["summary"]["proposed_total"] == 5000.0
    assert not any("fiscal" in w for w in document["warnings"])


def test_a_file_named_for_a_fiscal_quarter_needs_the_maps_fiscal_year(tmp_path):
    # The same rule for a quarter taken from each file's name ({file_name: quarter}).
    from .test_datamap_sources import US_MAP, _us_folder

    header = "Account ID,CSM Owner,Beginning ARR,Upsell ARR,Downsell,Churned ARR,Renewal Status,Health Score"
    folder = _us_folder(tmp_path, **{"book FY2026-Q1.csv": f"{header}\nA1,Ana Pérez,100000,0,0,0,Renewed,Green\n"})
    (folder / "crm.csv").unlink()
    (folder / "cscomp-data.yaml").write_text(
        US_MAP.replace("files: crm.csv", "files: book *.csv").replace("quarter: Fiscal Period",
                                                                       "quarter: {file_name: quarter}"))
    (tmp_path / "plan.yaml").write_text(NRR_ONLY_YAML)
    assert_user_error(run("stress-test", tmp_path / "plan.yaml", "--data", folder),
                      "book FY2026-Q1.csv is named for a fiscal quarter", "sets no fiscal year", "2026Q1",
                      "fiscal_year: {first_month: 2}")


# --- 2. fiscal and calendar labels in one column -----------------------------------------------


def test_fiscal_and_calendar_labels_mixed_without_a_fiscal_year_name_both_spellings_and_lines(data_dir):
    path = folder(data_dir, accounts("2025Q4", "FY2026 Q1", "FY2026 Q1"), payouts("2025Q4"))
    result = stress(path, "--quarters", "1")
    assert_user_error(result, "line 3, column quarter", "'FY2026 Q1'", "(and 1 more row like it)",
                      "also holds calendar labels", "'2025Q4' on line 2", "may not mean the same quarter")


def test_fiscal_and_plain_labels_mixed_under_a_fiscal_year_are_read_as_fiscal_but_warned(data_dir):
    # Under a fiscal year from February every label is fiscal: the plain 2027Q1 is FY2027Q1 (SPEC's
    # data map rule), replayed and paid as before; the warning names both spellings and their lines.
    path = folder(data_dir, accounts("FY27 Q1", "2027Q1"), payouts("FY2027Q1"), month=2)
    result = stress(path, "--quarters", "1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["quarters"] == ["FY2027Q1"]
    assert document["summary"]["proposed_total"] == 5000.0  # both accounts in one flat book: f 1.0 × 5,000
    [warning] = [w for w in document["warnings"] if "spellings" in w]
    for fragment in ("accounts.csv", "'FY27 Q1' (line 2)", "'2027Q1' (line 3)", "read as FY2027Q1",
                     "fiscal year starts in February"):
        assert fragment in warning, (fragment, warning)
    assert "'2027Q1'" in result.stderr
    assert any("'2027Q1' (line 3)" in w["message"] for w in validate_json(path)["warnings"])


def test_one_spelling_throughout_under_a_fiscal_year_is_not_warned(data_dir):
    path = folder(data_dir, accounts("FY27 Q1", "FY27 Q2"), payouts("FY2027Q1", "FY2027Q2"), month=2)
    document = validate_json(path)
    assert document["ok"] is True and not any("spelling" in w["message"] for w in document["warnings"])


# --- 3. one label far from the others ---------------------------------------------------------


def test_a_mistyped_year_far_from_the_other_quarters_is_refused_with_its_line(data_dir):
    # 2062Q1 among 2025Q1..2026Q2: 143 quarters after 2026Q2 (2062 × 4 − 2026 × 4 − 1 = 143).
    labels = ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2062Q1", "2026Q2"]
    body = HEADER + "".join(f"{q},A{i},C1,100000,0,0,0\n" for i, q in enumerate(labels))
    path = folder(data_dir, body, payouts("2026Q2"))
    result = stress(path, "--quarters", "1")
    assert_user_error(result, "accounts.csv", "line 7, column quarter", "'2062Q1'", "143 quarters after 2026Q2",
                      "2025Q1 to 2026Q2", "more than 8 quarters", "correct the label", "docs/data.md")


def test_a_mistyped_year_in_payouts_is_refused(data_dir):
    path = folder(data_dir, accounts("2025Q4", "2026Q1"), payouts("2025Q4", "2026Q1", "2016Q1"))
    assert_user_error(stress(path, "--quarters", "1"), "payouts.csv", "line 4, column quarter", "'2016Q1'",
                      "39 quarters before 2025Q4")


def test_validate_lists_every_far_label(data_dir):
    labels = ["1999Q1", "2025Q4", "2026Q1", "2062Q1"]
    body = HEADER + "".join(f"{q},A{i},C1,100000,0,0,0\n" for i, q in enumerate(labels))
    document = validate_json(folder(data_dir, body, payouts("2026Q1")))
    far = [e for e in document["errors"] if "more than 8 quarters" in e["message"]]
    assert [e["location"] for e in far] == ["line 2, column quarter", "line 5, column quarter"]


def test_quarters_eight_apart_are_accepted_and_nine_are_not(data_dir):
    # 2024Q1 → 2026Q1 is 8 quarters: a long gap, but within the rule. 2024Q1 → 2026Q2 is 9.
    ok = folder(data_dir, accounts("2024Q1", "2024Q1", "2026Q1"), payouts("2026Q1"))
    assert stress(ok, "--quarters", "1").exit_code == 0
    far = folder(data_dir, accounts("2024Q1", "2024Q1", "2026Q2"), payouts("2026Q2"))
    # Two rows in 2024Q1, one in 2026Q2: the lone quarter is the one taken for the mistake.
    assert_user_error(stress(far, "--quarters", "1"), "line 4, column quarter", "'2026Q2'", "9 quarters after 2024Q1")
