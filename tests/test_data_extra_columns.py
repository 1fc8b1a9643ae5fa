"""Extra accounts columns for a plan's own metrics (csat, seats, onboarding, churn reasons): read in every
cell format, only the ones a plan names, through a data map too, and every problem one clear error."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pytest

import cscomp_cli.inputs.dataset as data_module
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.inputs.tables import account_column
from cscomp_cli.plan.loading import load_plan

from .conftest import DEFAULT_ROSTER, PAID_AT_TARGET, run, write_files

# Components on nrr only (the engine's custom metrics are another module's work): the plan's metrics
# still name csat (numbers), onboarding_complete (yes/no) and churn_reason (text), so they are read.
PLAN = """\
name: custom columns
metrics:
  csat:
    column: csat
    aggregate: mean
  onboarded:
    column: onboarding_complete
    aggregate: mean
  seats:
    column: seats_purchased
    aggregate: sum
  controllable_grr:
    from: grr
    filter:
      - {column: churn_reason, not_in: [product_gap, acquired]}
components:
  - id: retention
    metric: nrr
    weight: 1.0
    target: 1.0
    curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
"""
# US style: '.' decimal, ',' thousands, a currency sign; yes/no in any case; blank cells for no value.
ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn,csat,seats_purchased,onboarding_complete,churn_reason,notes
2026Q1,A1,C1,100000,0,0,0,4.5,"$1,200",Yes,,call back
2026Q1,A2,C2,100000,0,0,0,,"1,250.50",no, Product_Gap ,x
2026Q1,A3,C2,50000,0,0,0,2,30,,,y
"""


def _folder(tmp_path: Path, accounts: str = ACCOUNTS, plan: str = PLAN, **more: str) -> Path:
    return write_files(tmp_path / "data", accounts=accounts, roster=DEFAULT_ROSTER, payouts=PAID_AT_TARGET,
                       **{"plan.yaml": plan}, **more)


def _plan_file(folder: Path, text: str, name: str = "plan.yaml") -> Path:
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder / name


def _loaded(folder: Path, plan: Path | None = None):
    return load_dataset(folder, columns=load_plan(plan or folder / "plan.yaml").account_columns())


def assert_clean_error(result, *fragments: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    text = result.stdout + result.stderr
    assert "Traceback" not in text and "unexpected" not in text
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    return text


# --- how cells are read ----------------------------------------------------------------------------


def test_us_style_cells_read_as_numbers_yes_no_and_text(tmp_path):
    accounts = _loaded(_folder(tmp_path)).accounts
    assert account_column(accounts, "csat", "number")[[0, 2]].tolist() == [4.5, 2.0]
    assert math.isnan(account_column(accounts, "csat", "number")[1])  # blank: no value
    # "$1,200" and "1,250.50": currency sign and thousands separator as in any amount.
    assert account_column(accounts, "seats_purchased", "number").tolist() == [1200.0, 1250.5, 30.0]
    onboarded = account_column(accounts, "onboarding_complete", "number")  # yes/no read as 1/0
    assert onboarded[:2].tolist() == [1.0, 0.0] and math.isnan(onboarded[2])
    # Text trimmed and case-folded; blank is no value.
    assert account_column(accounts, "churn_reason", "text").tolist() == [None, "product_gap", None]


def test_european_style_cells_read_with_decimal_commas(tmp_path):
    accounts = """\
    quarter;account_id;csm_id;arr_start;expansion;contraction;churn;csat;seats_purchased;onboarding_complete;churn_reason
    2026Q1;A1;C1;100.000,00;0;0;0;4,5;1.200;JA;
    2026Q1;A2;C2;100.000,00;0;0;0;;1.250,5;nein;acquired
    """.replace("JA", "yes").replace("nein", "NO")
    loaded = _loaded(_folder(tmp_path, accounts=textwrap.dedent(accounts))).accounts
    assert account_column(loaded, "csat", "number")[0] == 4.5  # 4,5 is four and a half here
    assert account_column(loaded, "seats_purchased", "number").tolist() == [1200.0, 1250.5]
    assert account_column(loaded, "onboarding_complete", "number").tolist() == [1.0, 0.0]
    assert account_column(loaded, "churn_reason", "text").tolist() == [None, "acquired"]


def test_a_word_in_a_decimal_comma_file_is_told_to_be_blank_not_to_change_its_separators(tmp_path):
    # 'n/a' has no digit: the file's decimal commas are not the problem, an unanswered survey is.
    accounts = """\
    quarter;account_id;csm_id;arr_start;expansion;contraction;churn;csat
    2026Q1;A1;C1;100.000,50;0;0;0;4,5
    2026Q1;A2;C2;100.000,00;0;0;0;n/a
    """
    folder = _folder(tmp_path, accounts=textwrap.dedent(accounts))
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1")
    text = assert_clean_error(result, "line 3, column csat", "'n/a' is not a number", "leave the cell blank")
    assert "decimal commas" not in text


def test_a_metric_column_alone_can_show_the_decimal_comma(tmp_path):
    # Whole amounts say nothing about the separator; csat's 4,5 in a semicolon file says ',' is decimal.
    accounts = """\
    quarter;account_id;csm_id;arr_start;expansion;contraction;churn;csat
    2026Q1;A1;C1;100000;0;0;0;4,5
    2026Q1;A2;C2;100000;0;0;0;3
    """
    loaded = _loaded(_folder(tmp_path, accounts=textwrap.dedent(accounts))).accounts
    assert account_column(loaded, "csat", "number").tolist() == [4.5, 3.0]


def test_only_the_columns_a_plan_names_are_kept(tmp_path):
    accounts = _loaded(_folder(tmp_path)).accounts
    extra = {c for c in accounts.columns if ":" in c}
    assert extra == {"number:csat", "number:onboarding_complete", "number:seats_purchased", "text:churn_reason"}
    assert "notes" not in accounts.columns and not any("notes" in c for c in accounts.columns)
    # Without a plan's columns nothing extra is read.
    assert not any(":" in c for c in load_dataset(tmp_path / "data").accounts.columns)


def test_a_plan_may_write_a_column_in_any_case(tmp_path):
    folder = _folder(tmp_path)
    plan = _plan_file(folder, PLAN.replace("column: csat", "column: CSAT"), "upper.yaml")
    accounts = _loaded(folder, plan).accounts
    # The loader keeps CSAT as csat; reading it as the plan spells it finds it.
    assert account_column(accounts, "CSAT", "number")[0] == 4.5


def test_a_segment_read_as_text_is_folded_per_category(tmp_path):
    accounts = ACCOUNTS.replace(",notes\n", ",segment\n").replace(",call back\n", ", Enterprise \n")
    loaded = _loaded(_folder(tmp_path, accounts=accounts)).accounts
    assert account_column(loaded, "segment", "text").tolist() == ["enterprise", "x", "y"]


# --- every command replays the plan's columns ------------------------------------------------------


@pytest.fixture
def seen(monkeypatch):
    """The accounts columns of every dataset the commands load."""
    loads: list[set[str]] = []
    real = data_module.load_dataset

    def spy(*args, **kwargs):
        dataset = real(*args, **kwargs)
        loads.append(set(dataset.accounts.columns))
        return dataset

    monkeypatch.setattr(data_module, "load_dataset", spy)
    return loads


@pytest.mark.parametrize("command", [
    ["stress-test", "{plan}", "-n", "1", "-f", "json"],
    ["explain", "{plan}", "--csm", "C1", "--quarter", "2026Q1", "-f", "json"],
    ["reconcile", "{plan}", "-n", "1", "-f", "json"],
    ["simulate", "{plan}", "--runs", "20", "-n", "1", "-f", "json"],
    ["sweep", "{plan}", "--set", "components.retention.target=0.9,1.0", "-n", "1", "-f", "json"],
    ["compare", "{plan}", "{plan}", "-n", "1", "-f", "json"],
    ["stress-test", "{plan}", "-n", "1", "-f", "json", "--shock", "churn=+10%"],
], ids=["stress-test", "explain", "reconcile", "simulate", "sweep", "compare", "shocked"])
def test_every_command_loads_the_plan_columns(tmp_path, seen, command):
    folder = _folder(tmp_path)
    args = [part.format(plan=folder / "plan.yaml") for part in command]
    result = run(*args, "--data", folder, "--quiet")
    assert result.exit_code == 0, result.stderr
    assert seen and {"number:csat", "text:churn_reason", "number:onboarding_complete"} <= seen[-1]


def test_compare_keeps_the_columns_of_every_plan(tmp_path, seen):
    folder = _folder(tmp_path)
    retention = PLAN.split("components:")[1]
    only_csat = _plan_file(folder, "name: csat\nmetrics:\n  csat: {column: csat, aggregate: mean}\n"
                           "components:" + retention, "csat.yaml")
    seats = "name: seats\nmetrics:\n  seats: {column: seats_active, aggregate: sum}\ncomponents:" + retention
    result = run("compare", only_csat, _plan_file(folder, seats, "seats.yaml"), "--data", folder, "-n", "1",
                 "-f", "json", "--quiet")
    # seats.yaml names seats_active, which the file lacks: refused, naming that plan and its key.
    assert_clean_error(result, "seats.yaml", "metrics.seats.column", "'seats_active'", "accounts.csv")
    fixed = _plan_file(folder, seats.replace("seats_active", "seats_purchased"), "seats.yaml")
    result = run("compare", only_csat, fixed, "--data", folder, "-n", "1", "-f", "json", "--quiet")
    assert result.exit_code == 0, result.stderr
    # The union: csat from the first plan, seats_purchased from the second, nothing else.
    assert {c for c in seen[-1] if ":" in c} == {"number:csat", "number:seats_purchased"}


# --- one clear error for each problem ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["stress-test", "validate"])
def test_a_bad_cell_in_a_metric_column_names_file_line_and_column(tmp_path, command):
    folder = _folder(tmp_path, accounts=ACCOUNTS.replace(",2,30,", ",n/a,30,"))
    result = run(command, folder / "plan.yaml", "--data", folder)
    # The cell is on the file's line 4 (the header is line 1).
    assert_clean_error(result, "accounts.csv", "line 4", "column csat", "'n/a' is not a number")


def test_validate_lists_bad_cells_of_several_metric_columns(tmp_path):
    accounts = ACCOUNTS.replace(",2,30,", ",n/a,30,").replace(",no, Product_Gap", ",maybe, Product_Gap")
    folder = _folder(tmp_path, accounts=accounts)
    text = assert_clean_error(run("validate", folder / "plan.yaml", "--data", folder),
                              "line 4, column csat", "line 3, column onboarding_complete")
    assert "2 errors" in text


@pytest.mark.parametrize("command", ["stress-test", "validate", "explain"])
def test_a_column_the_data_lacks_names_the_metric_and_the_header(tmp_path, command):
    folder = _folder(tmp_path)
    plan = _plan_file(folder, PLAN.replace("column: csat", "column: cast"), "typo.yaml")
    args = ["--csm", "C1", "--quarter", "2026Q1"] if command == "explain" else []
    result = run(command, plan, "--data", folder, *args)
    assert_clean_error(result, "typo.yaml", "metrics.csat.column", "'cast'", "accounts.csv does not have",
                       "did you mean 'csat'?", "quarter, account_id, csm_id", "notes")


def test_a_filter_column_the_data_lacks_names_its_key(tmp_path):
    folder = _folder(tmp_path)
    plan = _plan_file(folder, PLAN.replace("{column: churn_reason,", "{column: loss_reason,"), "filter.yaml")
    for command in ("stress-test", "validate"):
        assert_clean_error(run(command, plan, "--data", folder), "metrics.controllable_grr.filter[0].column",
                           "'loss_reason'")


def test_a_built_in_column_read_the_wrong_way_is_an_error(tmp_path):
    folder = _folder(tmp_path)
    plan = _plan_file(folder, PLAN.replace("{column: churn_reason, not_in: [product_gap, acquired]}",
                                           "{column: segment, at_least: 3}"), "misread.yaml")
    for command in ("stress-test", "validate"):
        assert_clean_error(run(command, plan, "--data", folder), "metrics.controllable_grr.filter[0].column",
                           "segment, which holds text")


# --- through a data map ----------------------------------------------------------------------------

CRM = """\
Quarter,Account,Owner,Start ARR,Upsell,Downsell,Churned,CSAT Score,Seats Purchased,Onboarding Complete,Churn Reason
2026Q1,A1,C1,100000,0,0,0,4.5,1200,Yes,
2026Q1,A2,C2,100000,0,0,0,,1250,no,Product gap
2026Q1,A3,C2,50000,0,0,0,2,30,,
"""
MAP = """\
version: 1
tables:
  accounts:
    files: crm.{ext}
    columns:
      quarter: Quarter
      account_id: Account
      csm_id: Owner
      arr_start: Start ARR
      expansion: Upsell
      contraction: Downsell
      churn: Churned
      csat: CSAT Score
      onboarding_complete: {column: Onboarding Complete, values: {"yes": "yes", "no": "no", "": ""}}
      seats_purchased: Seats Purchased
  roster:
    files: roster.csv
    columns:
      csm_id: csm_id
      name: name
      segment: segment
      annual_base: annual_base
      annual_variable: annual_variable
  payouts:
    files: payouts.csv
    columns:
      quarter: quarter
      csm_id: csm_id
      amount: amount
"""


def _mapped(tmp_path: Path, ext: str = "csv", crm: str = CRM, data_map: str = MAP) -> Path:
    folder = write_files(tmp_path / "raw", roster=DEFAULT_ROSTER, payouts=PAID_AT_TARGET,
                         **{"cscomp-data.yaml": data_map.replace("{ext}", ext), "plan.yaml": PLAN})
    if ext == "csv":
        (folder / "crm.csv").write_text(crm, encoding="utf-8")
    elif ext == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "Accounts"
        for line in crm.splitlines():
            sheet.append([float(c) if c.replace(".", "", 1).isdigit() else c for c in line.split(",")])
        book.save(folder / "crm.xlsx")
    return folder


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_a_map_carries_the_plan_columns_and_picks_up_a_header_of_the_same_name(tmp_path, ext):
    accounts = _loaded(_mapped(tmp_path, ext)).accounts
    assert account_column(accounts, "csat", "number")[[0, 2]].tolist() == [4.5, 2.0]
    assert account_column(accounts, "seats_purchased", "number").tolist() == [1200.0, 1250.0, 30.0]
    assert account_column(accounts, "onboarding_complete", "number")[:2].tolist() == [1.0, 0.0]
    # churn_reason has no map entry: the export's "Churn Reason" header is read as it.
    assert account_column(accounts, "churn_reason", "text").tolist() == [None, "product gap", None]


@pytest.mark.parametrize("ext, place", [("csv", "line 4"), ("xlsx", "sheet Accounts, row 4")])
@pytest.mark.parametrize("command", ["stress-test", "validate"])
def test_a_bad_cell_through_the_map_names_the_export_and_its_header(tmp_path, ext, place, command):
    folder = _mapped(tmp_path, ext, crm=CRM.replace(",2,30,", ",n/a,30,"))
    result = run(command, folder / "plan.yaml", "--data", folder)
    assert_clean_error(result, f"crm.{ext}", place, "column CSAT Score", "'n/a' is not a number")


def test_a_column_the_export_lacks_names_the_metric_and_the_export_header(tmp_path):
    folder = _mapped(tmp_path)
    plan = _plan_file(folder, PLAN.replace("column: csat", "column: nps_comment"), "other.yaml")
    for command in ("stress-test", "validate"):
        assert_clean_error(run(command, plan, "--data", folder), "metrics.csat.column", "'nps_comment'",
                           "crm.csv (the accounts table) does not have", "CSAT Score, Seats Purchased",
                           "tables.accounts.columns")


def test_a_map_column_no_plan_reads_is_not_read(tmp_path):
    # The map names a header the export lacks, for a column this plan does not use: nothing to say.
    folder = _mapped(tmp_path, data_map=MAP.replace("      seats_purchased: Seats Purchased\n",
                                                   "      seats_purchased: Seats Purchased\n      nps_reason: Why\n"))
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "-n", "1", "-f", "json", "--quiet")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("line, fragments", [
    ("      helth: CSAT Score\n", ["tables.accounts.columns.helth", "did you mean 'health'?"]),
    ("      Churn: Churned\n", ["tables.accounts.columns.Churn", "did you mean 'churn'?"]),
    ("      score: NPS\n", ["tables.accounts.columns.score", "looks like nps"]),
], ids=["close to an unmapped column", "a mapped column in capitals", "header names an unmapped column"])
def test_the_map_still_refuses_typos_of_its_columns(tmp_path, line, fragments):
    folder = _mapped(tmp_path, data_map=MAP.replace("      csat: CSAT Score\n", "      csat: CSAT Score\n" + line))
    assert_clean_error(run("stress-test", folder / "plan.yaml", "--data", folder), "cscomp-data.yaml", *fragments)


def test_a_plan_column_spelled_like_a_built_in_is_no_typo(tmp_path):
    # health_score looks like health, which the map leaves unmapped; the plan reads it, so it is meant.
    data_map = MAP.replace("      csat: CSAT Score\n", "      health_score: CSAT Score\n")
    folder = _mapped(tmp_path, data_map=data_map)
    plan = _plan_file(folder, PLAN.replace("column: csat", "column: health_score"), "health.yaml")
    accounts = _loaded(folder, plan).accounts
    assert account_column(accounts, "health_score", "number")[0] == 4.5
    assert np.isnan(account_column(accounts, "health", "number")).all()


def test_a_header_picked_up_in_some_files_of_a_glob_is_blank_in_the_others(tmp_path):
    data_map = MAP.replace("files: crm.{ext}", "files: crm_*.csv").replace("      csat: CSAT Score\n", "")
    folder = _mapped(tmp_path, ext="none", data_map=data_map)
    first, second = CRM.splitlines(keepends=True)[:3], CRM.splitlines(keepends=True)[3:]
    (folder / "crm_1.csv").write_text(first[0].replace("CSAT Score", "CSAT") + "".join(first[1:]), encoding="utf-8")
    header = first[0].replace("CSAT Score,", "")
    (folder / "crm_2.csv").write_text(header + "".join(row.replace(",2,30,", ",30,") for row in second),
                                      encoding="utf-8")
    csat = account_column(_loaded(folder).accounts, "csat", "number")
    assert csat[0] == 4.5 and np.isnan(csat[1:]).all()  # crm_2.csv has no CSAT column: no value


def _with_two_more_columns(first: str, second: str) -> str:
    """The CRM export with two more columns at its end, headed ``first`` and ``second``."""
    lines = CRM.splitlines()
    return "\n".join([f"{lines[0]},{first},{second}", *(f"{line},Budget,x" for line in lines[1:])]) + "\n"


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_a_plan_column_picked_up_by_its_header_written_twice_is_refused(tmp_path, ext):
    # churn_reason has no map entry and is read from the export's Churn Reason: a CSV with two such
    # columns read the first one silently, where a workbook with them was refused.
    folder = _mapped(tmp_path, ext, crm=_with_two_more_columns("Churn Reason", "Notes"))
    assert_clean_error(run("validate", folder / "plan.yaml", "--data", folder), f"crm.{ext}",
                       "two columns named 'Churn Reason'")


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_two_unread_columns_one_space_apart_are_left_alone(tmp_path, ext):
    # Neither Notes column is named by the map or the plan: a CSV with them ended in 'unexpected
    # AttributeError', its headers trimmed into two columns of one name.
    folder = _mapped(tmp_path, ext, crm=_with_two_more_columns("Notes", "Notes "))
    accounts = _loaded(folder).accounts
    assert account_column(accounts, "churn_reason", "text").tolist() == [None, "product gap", None]
    assert account_column(accounts, "seats_purchased", "number").tolist() == [1200.0, 1250.0, 30.0]
