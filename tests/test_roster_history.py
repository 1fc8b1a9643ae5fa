"""A roster whose pay lives only in the compensation history (docs/data.md "Pay history:
tables.roster.history"): BambooHR's Employee Report has no pay columns, so the map names none on the
worker list and each CSM's roster rows come wholly from their history rows.

The folder: two CSMs and a VP on the worker list, the VP left out by its rows filter.
C1 Ana Pérez: 100,000 base / 40,000 variable from her hire, raised to 110,000 / 44,000 on 1 Feb 2026.
C2 Bo Chen: 90,000 / 20,000 throughout. V1 (the VP) has a history row too, not a CSM's.
"""

from __future__ import annotations

import json

import pytest

from cscomp_cli.core.errors import CscompError, collect_notes
from cscomp_cli.inputs.dataset import load_dataset

from .conftest import NRR_ONLY_YAML, assert_user_error, run, write_files

EMPLOYEES = """\
    Employee #,First Name,Last Name,Job Title,Division,Hire Date
    C1,Ana,Pérez,Customer Success Manager,Enterprise,01/04/2021
    C2,Bo,Chen,Customer Success Manager,SMB,03/01/2021
    V1,Dee,Vu,VP Customer Success,All,02/01/2020
    """
COMPENSATION = """\
    Employee #,Effective Date,Pay Rate,Annual Target Bonus,Change Reason
    C1,01/04/2021,"$100,000.00 USD","$40,000.00 USD",New Hire
    C1,02/01/2026,"$110,000.00 USD","$44,000.00 USD",Merit
    C2,03/01/2021,"$90,000.00 USD","$20,000.00 USD",New Hire
    V1,02/01/2020,"$190,000.00 USD","$50,000.00 USD",New Hire
    """
CRM = """\
    Account ID,CSM,Fiscal Period,Beginning ARR,Upsell ARR,Downsell,Churned ARR
    A1,C1,2026Q1,100000,0,0,0
    A2,C2,2026Q1,100000,0,0,0
    """
PAYROLL = """\
    Pay Date,Employee #,Amount
    2026-04-15,C1,7000.00
    2026-04-15,C2,3500.00
    """
MAP = """\
version: 1
tables:
  accounts:
    files: crm.csv
    columns:
      quarter: Fiscal Period
      account_id: Account ID
      csm_id: CSM
      arr_start: Beginning ARR
      expansion: Upsell ARR
      contraction: Downsell
      churn: Churned ARR
  roster:
    files: employees.csv
    dates: MM/DD/YYYY
    rows:
      keep: {column: Job Title, in: [Customer Success Manager]}
    columns:
      csm_id: "Employee #"
      name: {join: [First Name, Last Name]}
      segment: Division
      start_date: Hire Date
    history:
      files: compensation.csv
      dates: MM/DD/YYYY
      columns:
        csm_id: "Employee #"
        effective_date: Effective Date
        annual_base: Pay Rate
        annual_variable: Annual Target Bonus
        reason: Change Reason
  payouts:
    files: payroll.csv
    columns:
      quarter: {column: Pay Date, from: date, paid_months_after: 1}
      csm_id: "Employee #"
      amount: Amount
"""


def _folder(tmp_path, *, data_map=MAP, employees=EMPLOYEES, compensation=COMPENSATION):
    folder = write_files(tmp_path / "raw", **{"employees.csv": employees, "compensation.csv": compensation,
                                              "crm.csv": CRM, "payroll.csv": PAYROLL})
    (folder / "cscomp-data.yaml").write_text(data_map)
    return folder


def _refused(folder, *fragments):
    with pytest.raises(CscompError) as caught:
        with collect_notes():
            load_dataset(folder)
    said = f"{caught.value.file} {caught.value.location} {caught.value.message} {caught.value.hint}"
    for fragment in fragments:
        assert fragment in said, f"{fragment!r} not in {said!r}"
    assert "docs/data.md" in (caught.value.hint or "")
    return caught.value


def _plan(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(NRR_ONLY_YAML + "currency: USD\n")
    return plan


def test_with_no_pay_on_the_worker_list_each_csms_rows_come_from_their_history(tmp_path):
    with collect_notes():
        dataset = load_dataset(_folder(tmp_path))
    roster = dataset.roster.sort_values(["csm_id", "effective_date"])
    rows = [(r.csm_id, r.name, r.segment, str(r.effective_date.date()), r.annual_base, r.annual_variable,
             r.written_currency, str(r.start_date.date())) for r in roster.itertuples()]
    assert rows == [
        ("C1", "Ana Pérez", "Enterprise", "2021-01-04", 100_000.0, 40_000.0, "USD", "2021-01-04"),
        ("C1", "Ana Pérez", "Enterprise", "2026-02-01", 110_000.0, 44_000.0, "USD", "2021-01-04"),
        ("C2", "Bo Chen", "SMB", "2021-03-01", 90_000.0, 20_000.0, "USD", "2021-03-01"),
    ]  # V1's history row is left out with her worker-list row (the rows filter keeps CSMs only)
    # The amounts' USD code is kept as what they are written in; no currency cell says one (the plan's).
    assert roster["currency"].isna().all()


def test_a_raise_mid_quarter_splits_the_quarter_by_day(tmp_path):
    result = run("stress-test", _plan(tmp_path), "--data", _folder(tmp_path), "--quarters", "1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = {r["csm_id"]: r for r in json.loads(result.stdout)["rows"]}
    # 2026Q1 has 31 + 28 + 31 = 90 days: 1-31 Jan (31 days) under 40,000, 1 Feb-31 Mar (28 + 31 = 59) under 44,000.
    assert rows["C1"]["target_variable"] == pytest.approx(40_000 / 4 * 31 / 90 + 44_000 / 4 * 59 / 90, abs=0.005)
    assert rows["C1"]["target_variable"] == pytest.approx(10_655.56, abs=0.005)  # 3,444.44 + 7,211.11
    assert rows["C2"]["target_variable"] == pytest.approx(20_000 / 4, abs=0.005)  # 5,000: no change
    assert set(rows) == {"C1", "C2"}


def test_a_csm_with_no_history_row_has_no_pay_and_the_cli_says_where(tmp_path):
    employees = EMPLOYEES + "    C3,Cy,Dahl,Customer Success Manager,SMB,05/04/2022\n"
    folder = _folder(tmp_path, employees=employees)
    result = run("stress-test", _plan(tmp_path), "--data", folder)
    # C3 is on line 5 of employees.csv (header line 1; the VP's line 4 is still counted).
    assert_user_error(result, "employees.csv", "line 5", "Employee #", "C3", "compensation.csv",
                      "map annual_base and annual_variable on the worker list", "docs/data.md")


def test_the_missing_history_error_names_the_worker_list_line_and_id(tmp_path):
    employees = EMPLOYEES + "    C3,Cy,Dahl,Customer Success Manager,SMB,05/04/2022\n"
    error = _refused(_folder(tmp_path, employees=employees), "employees.csv", "line 5", "CSM 'C3'",
                     "no row of the pay history (compensation.csv)", "Pay history: tables.roster.history")
    assert str(error.file).endswith("employees.csv")


def test_a_worker_list_mapping_half_the_pay_is_refused(tmp_path):
    data_map = MAP.replace("      start_date: Hire Date\n", "      start_date: Hire Date\n      annual_base: Hire Date\n")
    _refused(_folder(tmp_path, data_map=data_map), "cscomp-data.yaml", "tables.roster.columns.annual_base",
             "maps annual_base but not annual_variable")


@pytest.mark.parametrize("worker_pay", ["", "      annual_base: {value: '1'}\n      annual_variable: {value: '1'}\n"])
def test_a_blank_history_pay_cell_points_at_the_historys_zero_list(tmp_path, worker_pay):
    compensation = COMPENSATION.replace('"$20,000.00 USD"', "")
    data_map = MAP.replace("      start_date: Hire Date\n", "      start_date: Hire Date\n" + worker_pay)
    error = _refused(_folder(tmp_path, data_map=data_map, compensation=compensation), "compensation.csv", "line 4",
                     "Annual Target Bonus is blank", "tables.roster.history.zero")
    assert "tables.roster.zero" not in error.hint


def test_the_historys_zero_list_reads_its_blank_pay_cell_as_0(tmp_path):
    compensation = COMPENSATION.replace('"$20,000.00 USD"', "")
    data_map = MAP.replace("      dates: MM/DD/YYYY\n      columns:\n        csm_id",
                           "      dates: MM/DD/YYYY\n      zero: ['']\n      columns:\n        csm_id")
    with collect_notes():
        dataset = load_dataset(_folder(tmp_path, data_map=data_map, compensation=compensation))
    bo = dataset.roster[dataset.roster["csm_id"] == "C2"]
    assert list(bo["annual_variable"]) == [0.0]
