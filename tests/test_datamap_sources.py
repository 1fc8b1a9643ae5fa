"""Reading the org's own exports through cscomp-data.yaml: files, sheets, Parquet, globs, value maps,
names, dates, and the messages that name the export's own file, row and header.

Every folder here holds the same two CSMs as CANONICAL, written the way another system exports them.
Under NRR_ONLY_YAML (curve [[0.9, 0], [1, 1], [1.1, 1.5]], target 1.0):
- C1 (Ana Pérez): 100,000 + 10,000 expansion -> nrr 1.1 -> fraction 1.5; TV 20,000 / 4 = 5,000 -> 7,500.00
- C2 (Bo Chen), hired 2026-02-15: Q1 2026 has 31 + 28 + 31 = 90 days, employed 15 Feb–31 Mar =
  14 + 31 = 45 -> proration 0.5 -> TV 2,500; 100,000 − 4,000 contraction -> nrr 0.96 -> fraction
  (0.96 − 0.9) / 0.1 = 0.6 -> 1,500.00
- paid: C1 6,250.00; C2 1,500.00 bonus − 200.00 clawback = 1,300.00
"""

from __future__ import annotations

import json
import textwrap

import pytest

from .conftest import NRR_ONLY_YAML, assert_user_error, run, write_files

CANONICAL = {
    "accounts": """\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn,renewal_due,renewed,health
        2026Q1,A1,C1,100000,10000,0,0,yes,yes,85
        2026Q1,A2,C2,100000,0,4000,0,yes,yes,30
        """,
    "roster": """\
        csm_id,name,segment,annual_base,annual_variable,start_date
        C1,Ana Pérez,Enterprise,100000,20000,2021-01-04
        C2,Bo Chen,SMB,100000,20000,2026-02-15
        """,
    "payouts": """\
        quarter,csm_id,amount,component
        2026Q1,C1,6250,bonus
        2026Q1,C2,1500,bonus
        2026Q1,C2,-200,clawback
        """,
}

CRM = """\
    Account Name,Account ID,CSM Owner,Fiscal Period,Beginning ARR,Upsell ARR,Downsell,Churned ARR,Renewal Status,Health Score
    Acme,A1,ana perez,Q1 2026,"$100,000.00","$10,000.00",-,,Renewed,Green
    Bolt,A2,Bo  Chen,Q1 2026,"$100,000.00",-,"$4,000.00",-,Downgraded,Red
    """
HR = """\
    Employee ID,Worker,Job Profile,Segment,Annual Base Salary,Annual Target Incentive,Hire Date
    C1,Ana Pérez,Customer Success Manager,Enterprise,"USD 100,000.00","USD 20,000.00",01/04/2021
    C2,Bo Chen,Customer Success Manager,SMB,"USD 100,000.00","USD 20,000.00",02/15/2026
    X9,Cy Dee,Account Executive,SMB,"USD 90,000.00","USD 90,000.00",01/01/2020
    """
PAYROLL = """\
    Pay Date,Employee ID,Employee Name,Earnings Code,Amount
    04/15/2026,C1,Ana Pérez,QBON,"6,250.00"
    04/15/2026,C2,Bo Chen,QBON,"1,500.00"
    04/15/2026,C2,Bo Chen,REG,"8,333.33"
    04/30/2026,C2,Bo Chen,CLAW,"(200.00)"
    """
US_MAP = """\
version: 1
tables:
  accounts:
    files: crm.csv
    zero: ['-', '']
    columns:
      quarter: Fiscal Period
      account_id: Account ID
      csm_id: {column: CSM Owner, match: name}
      arr_start: Beginning ARR
      expansion: Upsell ARR
      contraction: Downsell
      churn: Churned ARR
      renewal_due: {column: Renewal Status, values: {Renewed: yes, Churned: yes, Downgraded: yes, "": no}}
      renewed: {column: Renewal Status, values: {Renewed: yes, Downgraded: yes, Churned: no, "": no}}
      health: {column: Health Score, values: {Green: 85, Yellow: 60, Red: 30}}
  roster:
    files: hr.csv
    dates: MM/DD/YYYY
    numbers: "1,234.56"
    rows:
      keep: {column: Job Profile, in: [customer success manager]}
    columns:
      csm_id: Employee ID
      name: Worker
      segment: Segment
      annual_base: Annual Base Salary
      annual_variable: Annual Target Incentive
      start_date: Hire Date
  payouts:
    files: payroll.csv
    dates: MM/DD/YYYY
    rows:
      keep: {column: Earnings Code, in: [QBON, SPIF, CLAW]}
    columns:
      quarter: {column: Pay Date, from: date, paid_months_after: 1}
      csm_id: Employee ID
      amount: Amount
      component: {column: Earnings Code, values: {QBON: bonus, SPIF: spiff, CLAW: clawback}}
"""


def _us_folder(tmp_path, name="raw", **overrides):
    files = {"crm.csv": CRM, "hr.csv": HR, "payroll.csv": PAYROLL, "cscomp-data.yaml": US_MAP, **overrides}
    return write_files(tmp_path / name, **files)


def _replay(folder, tmp_path, currency: str = "USD") -> dict:
    plan = tmp_path / "plan.yaml"
    plan.write_text(NRR_ONLY_YAML + f"currency: {currency}\n")
    result = run("stress-test", plan, "--data", folder, "--quarters", "1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _payouts(document: dict) -> dict:
    return {row["csm_id"]: (row["target_variable"], row["proposed"], row["actual"]) for row in document["rows"]}


def test_the_canonical_folder_pays_what_the_arithmetic_says(tmp_path):
    document = _replay(write_files(tmp_path / "canonical", **CANONICAL), tmp_path)
    assert _payouts(document) == {"C1": (5000.0, 7500.0, 6250.0), "C2": (2500.0, 1500.0, 1300.0)}


def test_us_exports_through_the_map_replay_exactly_as_the_canonical_folder(tmp_path):
    mapped = _replay(_us_folder(tmp_path), tmp_path)
    canonical = _replay(write_files(tmp_path / "canonical", **CANONICAL), tmp_path)
    assert _payouts(mapped) == {"C1": (5000.0, 7500.0, 6250.0), "C2": (2500.0, 1500.0, 1300.0)}
    assert mapped["rows"] == canonical["rows"]
    assert mapped["summary"] == canonical["summary"]


def test_xlsx_on_a_named_sheet_below_title_rows_replays_like_the_csv(tmp_path):
    import datetime as dt

    import openpyxl

    folder = _us_folder(tmp_path)
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Accounts")
    sheet.append(["Account report, exported 2026-04-02"])
    sheet.append([])
    sheet.append(["Account Name", "Account ID", "CSM Owner", "Fiscal Period", "Beginning ARR", "Upsell ARR",
                  "Downsell", "Churned ARR", "Renewal Status", "Health Score", "Renewal Date"])
    sheet.append(["Acme", "A1", "Ana Pérez", "Q1 2026", 100000, 10000.0, None, 0, "Renewed", "Green",
                  dt.datetime(2026, 3, 31)])
    sheet.append(["Bolt", "A2", "Bo Chen", "Q1 2026", 100000, "-", 4000, None, "Downgraded", "Red", None])
    book.save(folder / "crm.xlsx")
    (folder / "crm.csv").unlink()
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: crm.csv", "files: crm.xlsx\n    sheet: Accounts\n"
                                                             "    header_row: 3"))
    assert _payouts(_replay(folder, tmp_path)) == {"C1": (5000.0, 7500.0, 6250.0), "C2": (2500.0, 1500.0, 1300.0)}


def test_a_bad_cell_in_a_sheet_is_named_by_sheet_row_and_header(tmp_path):
    import openpyxl

    folder = _us_folder(tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Accounts"
    sheet.append(["Account ID", "CSM Owner", "Fiscal Period", "Beginning ARR", "Upsell ARR", "Downsell",
                  "Churned ARR", "Renewal Status", "Health Score"])
    sheet.append(["A1", "Ana Pérez", "Q1 2026", 100000, 0, 0, 0, "Renewed", "Green"])
    sheet.append(["A2", "Bo Chen", "Q1 2026", "lots", 0, 0, 0, "Renewed", "Green"])
    book.save(folder / "crm.xlsx")
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: crm.csv", "files: crm.xlsx"))
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    assert_user_error(run("stress-test", plan, "--data", folder), "crm.xlsx", "sheet Accounts, row 3",
                      "column Beginning ARR", "'lots' is not an amount")


def test_a_missing_sheet_names_the_map_key_and_lists_the_sheets(tmp_path):
    import openpyxl

    folder = _us_folder(tmp_path)
    book = openpyxl.Workbook()
    book.active.title = "Data"
    book.save(folder / "crm.xlsx")
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: crm.csv", "files: crm.xlsx\n    sheet: Accounts"))
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    assert_user_error(run("stress-test", plan, "--data", folder), "cscomp-data.yaml", "tables.accounts.sheet",
                      "no sheet 'Accounts'", "Data")


def test_parquet_replays_like_the_csv(tmp_path):
    import pandas as pd

    folder = _us_folder(tmp_path)
    pd.DataFrame({
        "Account ID": ["A1", "A2"], "CSM Owner": ["Ana Pérez", "Bo Chen"], "Fiscal Period": ["2026Q1", "2026Q1"],
        "Beginning ARR": [100000.0, 100000.0], "Upsell ARR": [10000.0, 0.0], "Downsell": [0.0, 4000.0],
        "Churned ARR": [0, 0], "Renewal Status": ["Renewed", "Downgraded"], "Health Score": ["Green", "Red"],
    }).to_parquet(folder / "crm.parquet")
    (folder / "crm.csv").unlink()
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: crm.csv", "files: crm.parquet"))
    assert _payouts(_replay(folder, tmp_path)) == {"C1": (5000.0, 7500.0, 6250.0), "C2": (2500.0, 1500.0, 1300.0)}


def test_a_glob_of_quarter_files_names_the_file_and_its_own_line(tmp_path):
    header = CRM.splitlines()[0]
    q1 = f"{header}\n" + "\n".join(CRM.splitlines()[1:]) + "\n"
    q2 = textwrap.dedent(f"""\
        {header.strip()}
        Acme,A1,Ana Pérez,Q2 2026,"$110,000.00",-,-,-,,Green
        Bolt,A2,Bo Chen,Q2 2026,"$96,000.00",-,-,lots,,Red
        """)
    folder = _us_folder(tmp_path, **{"crm_2026Q1.csv": q1, "crm_2026Q2.csv": q2})
    (folder / "crm.csv").unlink()
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: crm.csv", "files: crm_*.csv"))
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    assert_user_error(run("stress-test", plan, "--data", folder), "crm_2026Q2.csv", "line 3", "column Churned ARR",
                      "'lots' is not an amount")


def test_the_quarter_can_come_from_each_files_name(tmp_path):
    header = "Account ID,CSM Owner,Beginning ARR,Upsell ARR,Downsell,Churned ARR,Renewal Status,Health Score"
    folder = _us_folder(tmp_path, **{
        "book 2026-Q1.csv": f"{header}\nA1,Ana Pérez,100000,10000,0,0,Renewed,Green\n"
                              "A2,Bo Chen,100000,0,4000,0,Downgraded,Red\n",
    })
    (folder / "crm.csv").unlink()
    (folder / "cscomp-data.yaml").write_text(
        US_MAP.replace("files: crm.csv", "files: book *.csv").replace("quarter: Fiscal Period",
                                                                       "quarter: {file_name: quarter}"))
    assert _payouts(_replay(folder, tmp_path)) == {"C1": (5000.0, 7500.0, 6250.0), "C2": (2500.0, 1500.0, 1300.0)}


def test_a_value_the_map_does_not_list_names_the_export_cell_and_the_map_key(tmp_path):
    folder = _us_folder(tmp_path, **{"crm.csv": CRM.replace("Red", "Amber")})
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    assert_user_error(run("stress-test", plan, "--data", folder), "crm.csv, line 3, column Health Score",
                      "'Amber'", "tables.accounts.columns.health.values")


def test_a_name_that_matches_no_roster_row_suggests_the_closest(tmp_path):
    folder = _us_folder(tmp_path, **{"crm.csv": CRM.replace("Bo  Chen", "Bob Chen")})
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    assert_user_error(run("stress-test", plan, "--data", folder), "crm.csv, line 3, column CSM Owner",
                      "'Bob Chen' matches no name on the roster", "closest: 'Bo Chen' (C2)", "tables.accounts.columns.csm_id.aliases")


def test_an_alias_resolves_a_spelling_and_two_people_of_one_name_are_refused(tmp_path):
    folder = _us_folder(tmp_path, **{"crm.csv": CRM.replace("Bo  Chen", "Bobby")})
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("match: name}", "match: name, aliases: {Bobby: C2}}"))
    assert _payouts(_replay(folder, tmp_path))["C2"] == (2500.0, 1500.0, 1300.0)
    twins = HR + '    C3,Bo Chen,Customer Success Manager,SMB,"USD 1.00","USD 1.00",01/01/2020\n'
    folder = _us_folder(tmp_path, "twins", **{"hr.csv": twins})
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    assert_user_error(run("stress-test", plan, "--data", folder), "'Bo  Chen' is the name of 2 people", "C2, C3")


def test_dates_that_read_either_way_are_refused_unless_the_map_says(tmp_path):
    folder = _us_folder(tmp_path, **{"cscomp-data.yaml": US_MAP.replace("    dates: MM/DD/YYYY\n    numbers",
                                                                         "    numbers")})
    hr = HR.replace("02/15/2026", "02/01/2026")  # no day above 12: 1 February or 2 January?
    (folder / "hr.csv").write_text(textwrap.dedent(hr))
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    assert_user_error(run("stress-test", plan, "--data", folder), "hr.csv", "column Hire Date",
                      "day-first or month-first", "tables.roster.dates")


def test_a_day_above_twelve_settles_the_date_style(tmp_path):
    # 02/15/2026 can only be month-first, so the roster's dates need no dates: key.
    folder = _us_folder(tmp_path, **{"cscomp-data.yaml": US_MAP.replace("    dates: MM/DD/YYYY\n    numbers",
                                                                         "    numbers")})
    assert _payouts(_replay(folder, tmp_path))["C2"] == (2500.0, 1500.0, 1300.0)


def test_european_exports_read_with_decimal_commas_and_currency_after_the_number(tmp_path):
    crm = textwrap.dedent("""\
        Account ID;CSM Owner;Fiscal Period;Beginning ARR;Upsell ARR;Downsell;Churned ARR;Renewal Status;Health Score
        A1;Ana Pérez;Q1-2026;100.000,00 €;10.000,00 €;-;-;Renewed;Green
        A2;Bo Chen;Q1-2026;100.000,00 €;-;4.000,00 €;-;Downgraded;Red
        """)
    hr = textwrap.dedent("""\
        Employee ID;Worker;Job Profile;Segment;Annual Base Salary;Annual Target Incentive;Hire Date
        C1;Ana Pérez;Customer Success Manager;Enterprise;EUR 100.000,00;EUR 20.000,00;04.01.2021
        C2;Bo Chen;Customer Success Manager;SMB;EUR 100.000,00;EUR 20.000,00;15.02.2026
        """)
    payroll = textwrap.dedent("""\
        Pay Date;Employee ID;Earnings Code;Amount
        15.04.2026;C1;QBON;6.250,00
        15.04.2026;C2;QBON;1.500,00
        30.04.2026;C2;CLAW;-200,00
        """)
    raw = US_MAP.replace("files: crm.csv", "files: crm.csv\n    numbers: 1.234,56").replace(
        'numbers: "1,234.56"', "numbers: 1.234,56").replace("dates: MM/DD/YYYY", "dates: DD.MM.YYYY")
    raw = raw.replace("    files: payroll.csv\n", "    files: payroll.csv\n    numbers: 1.234,56\n")
    folder = write_files(tmp_path / "eu", **{"crm.csv": crm, "hr.csv": hr, "payroll.csv": payroll,
                                             "cscomp-data.yaml": raw})
    (folder / "crm.csv").write_bytes(crm.encode("cp1252"))  # Excel on Windows
    # Its salaries say EUR: the plan reports in EUR, or they would be refused as another currency.
    canonical = _replay(write_files(tmp_path / "canonical", **CANONICAL), tmp_path, "EUR")
    mapped = _replay(folder, tmp_path, "EUR")
    assert mapped["rows"] == canonical["rows"]
    assert any("Windows-1252" in w for w in mapped["warnings"])  # auto encoding says what it chose


def test_an_explicit_encoding_that_does_not_fit_is_an_error(tmp_path):
    folder = _us_folder(tmp_path)
    (folder / "hr.csv").write_bytes(textwrap.dedent(HR).encode("cp1252"))
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("    files: hr.csv\n",
                                                            "    files: hr.csv\n    encoding: utf-8\n"))
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    assert_user_error(run("stress-test", plan, "--data", folder), "hr.csv", "is not utf-8 text",
                      "encoding in cscomp-data.yaml")


@pytest.mark.parametrize("change, fragments", [
    (("version: 1", "version: 1\nextra: 2"), ("cscomp-data.yaml", "(top level)", "unknown key 'extra'")),
    (("churn: Churned ARR", "churned: Churned ARR"), ("tables.accounts.columns.churned", "not a column of accounts",
                                                      "did you mean 'churn'")),
    (("    files: hr.csv\n", "    files: hr.csv\n    delimiter: '#'\n"), ("tables.roster.delimiter",
                                                                                "not a delimiter")),
    (("segment: Segment", "segment: {column: Segment, match: name}"), ("tables.roster.columns.segment.match",
                                                                       "csm_id only")),
    (("files: crm.csv", "files: crm_*.csv"), ("tables.accounts.files", "matches no file")),
    (("files: crm.csv", "files: crm.csv\n    sheet: Accounts"), ("tables.accounts.sheet", "applies to xlsx files")),
    (("csm_id: Employee ID\n      name", "csm_id: {column: Worker, match: name}\n      name"),
     ("tables.roster.columns.csm_id.match", "cannot be matched by name")),
    (("in: [QBON, SPIF, CLAW]", "in: [BONUS]"), ("tables.payouts.rows.keep", "leaves no row", "'QBON'")),
    (("Upsell ARR", "Upsell"), ("crm.csv", "line 1", "no column 'Upsell'", "tables.accounts.columns.expansion",
                                "did you mean 'Upsell ARR'")),
    (("      account_id: Account ID\n", ""), ("tables.accounts.columns", "accounts needs account_id")),
    (("paid_months_after: 1", "paid_months_after: 1, values: {a: b}, extra: 1"),
     ("tables.payouts.columns.quarter", "unknown key 'extra'")),
    (("version: 1", "version: 1\nbad: [unclosed"), ("cscomp-data.yaml", "YAML syntax error")),
])
def test_every_map_mistake_names_the_map_and_its_key(tmp_path, change, fragments):
    old, new = change
    assert old in US_MAP
    folder = _us_folder(tmp_path, **{"cscomp-data.yaml": US_MAP.replace(old, new, 1)})
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    result = run("stress-test", plan, "--data", folder)
    assert_user_error(result, *fragments)
    validated = run("validate", plan, "--data", folder)  # validate lists the same problem, never a traceback
    assert validated.exit_code == 2 and "Traceback" not in validated.stderr + validated.stdout
    assert fragments[-1] in validated.stdout + validated.stderr


def test_validate_reports_every_bad_export_cell_at_once(tmp_path):
    crm = CRM.replace("Red", "Amber").replace("Bo  Chen", "Nobody")
    folder = _us_folder(tmp_path, **{"crm.csv": crm})
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    result = run("validate", plan, "--data", folder)
    assert result.exit_code == 2
    assert "'Amber'" in result.stdout and "'Nobody' matches no name" in result.stdout
    assert "accounts from crm.csv" in result.stdout


def test_an_export_the_map_reads_is_never_overwritten_by_output(tmp_path):
    folder = _us_folder(tmp_path)
    before = (folder / "crm.csv").read_bytes()
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    for target in (folder / "crm.csv", folder / "cscomp-data.yaml"):
        result = run("stress-test", plan, "--data", folder, "--output", target)
        assert result.exit_code == 2, result.stderr
    assert (folder / "crm.csv").read_bytes() == before


def test_explain_names_the_export_rows(tmp_path):
    folder = _us_folder(tmp_path)
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    result = run("explain", plan, "--data", folder, "--csm", "C2", "--quarter", "2026Q1")
    assert result.exit_code == 0, result.stderr
    assert "A2 (crm.csv line 3)" in result.stdout
    assert "payroll.csv line 5: -200.00 (clawback)" in result.stdout


def test_the_data_map_schema_is_printed(tmp_path):
    result = run("schema", "--data-map")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "tables" in schema["properties"] and "docs/data.md" in schema["description"]


def test_a_fiscal_year_starting_in_february_prorates_by_the_fiscal_quarters_days(tmp_path):
    # FY2027Q1 (named for the year it ends in) is 1 Feb – 30 Apr 2026: 28 + 31 + 30 = 89 days. Bo,
    # hired 15 March, is employed 17 + 30 = 47 of them: TV 20,000 / 4 × 47/89 = 2,640.449… -> 2,640.45,
    # and his nrr 0.96 pays 0.6 × 2,640.449… = 1,584.269… -> 1,584.27. Pay dated 15 May, one month
    # after the quarter closes, is FY2027Q1's.
    crm = CRM.replace("Q1 2026", "FY27 Q1")
    hr = HR.replace("02/15/2026", "03/15/2026")
    payroll = PAYROLL.replace("04/15/2026", "05/15/2026").replace("04/30/2026", "05/29/2026")
    data_map = "fiscal_year: {first_month: February, named_for: end}\n" + US_MAP
    folder = _us_folder(tmp_path, **{"crm.csv": crm, "hr.csv": hr, "payroll.csv": payroll,
                                     "cscomp-data.yaml": data_map})
    document = _replay(folder, tmp_path)
    assert {row["quarter"] for row in document["rows"]} == {"FY2027Q1"}
    assert _payouts(document) == {"C1": (5000.0, 7500.0, 6250.0), "C2": (2640.45, 1584.27, 1300.0)}


def test_validate_says_which_rows_the_maps_filter_left_out(tmp_path):
    # A new earnings code next quarter must be seen, not silently dropped: HR's Account Executive
    # and payroll's REG salary line are listed.
    folder = _us_folder(tmp_path)
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    result = run("validate", plan, "--data", folder)
    assert result.exit_code == 0, result.stdout
    assert "roster: the map's rows filter left out Job Profile Account Executive ×1" in result.stdout
    assert "payouts: the map's rows filter left out Earnings Code REG ×1" in result.stdout


def test_a_cell_message_speaks_of_the_exports_header(tmp_path):
    folder = _us_folder(tmp_path, **{"crm.csv": CRM.replace('"$100,000.00","$10,000.00"', '"","$10,000.00"')})
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("zero: ['-', '']", "zero: ['-']"))
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    assert_user_error(run("stress-test", plan, "--data", folder), "crm.csv, line 2, column Beginning ARR: "
                      "Beginning ARR is blank", "every row needs Beginning ARR")


def test_a_folder_of_raw_exports_without_a_map_points_at_init(tmp_path):
    folder = _us_folder(tmp_path)
    (folder / "cscomp-data.yaml").unlink()
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    assert_user_error(run("stress-test", plan, "--data", folder), "accounts.csv: file not found",
                      f"run `cscomp init {folder}`", "crm.csv, hr.csv, payroll.csv")


# --- found by tests/test_fuzz_datamap.py --------------------------------------------------------


def test_parquet_columns_of_lists_structs_or_bytes_do_not_stop_the_read(tmp_path):
    # A warehouse export carries columns the map never names (tags as a list, an address struct, a raw
    # id as bytes): they used to end the read with an internal ArrowNotImplementedError / ArrowInvalid.
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = _us_folder(tmp_path)
    pq.write_table(pa.table({
        "Account ID": ["A1", "A2"], "CSM Owner": ["Ana Pérez", "Bo Chen"], "Fiscal Period": ["2026Q1", "2026Q1"],
        "Beginning ARR": [100000.0, 100000.0], "Upsell ARR": [10000.0, 0.0], "Downsell": [0.0, 4000.0],
        "Churned ARR": [0, 0], "Renewal Status": ["Renewed", "Downgraded"], "Health Score": ["Green", "Red"],
        "Tags": [["a", "b"], []], "Address": [{"city": "Oslo"}, {"city": None}], "Raw": [b"\xff\x00", b"ok"],
    }), folder / "crm.parquet")
    (folder / "crm.csv").unlink()
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: crm.csv", "files: crm.parquet"))
    assert _payouts(_replay(folder, tmp_path)) == {"C1": (5000.0, 7500.0, 6250.0), "C2": (2500.0, 1500.0, 1300.0)}


def test_a_parquet_list_column_the_map_names_is_a_clear_error(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = _us_folder(tmp_path)
    pq.write_table(pa.table({
        "Account ID": ["A1", "A2"], "CSM Owner": ["Ana Pérez", "Bo Chen"], "Fiscal Period": ["2026Q1", "2026Q1"],
        "Beginning ARR": [[100000.0], [100000.0]], "Upsell ARR": [10000.0, 0.0], "Downsell": [0.0, 4000.0],
        "Churned ARR": [0, 0], "Renewal Status": ["Renewed", "Downgraded"], "Health Score": ["Green", "Red"],
    }), folder / "crm.parquet")
    (folder / "crm.csv").unlink()
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: crm.csv", "files: crm.parquet"))
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    result = run("stress-test", plan, "--data", folder)
    assert_user_error(result, "crm.parquet", "Beginning ARR")
    assert "unexpected" not in result.stderr


def test_format_xlsx_reads_a_workbook_whatever_its_name(tmp_path):
    # format: xlsx on a workbook saved as crm.dat (or a CSV mislabelled so) used to end in openpyxl's
    # internal InvalidFileException ("does not support .dat file format").
    import openpyxl

    folder = _us_folder(tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Account ID", "CSM Owner", "Fiscal Period", "Beginning ARR", "Upsell ARR", "Downsell",
                  "Churned ARR", "Renewal Status", "Health Score"])
    sheet.append(["A1", "Ana Pérez", "Q1 2026", 100000, 10000, 0, 0, "Renewed", "Green"])
    sheet.append(["A2", "Bo Chen", "Q1 2026", 100000, 0, 4000, 0, "Downgraded", "Red"])
    book.save(folder / "crm.dat")
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: crm.csv", "files: crm.dat\n    format: xlsx"))
    assert _payouts(_replay(folder, tmp_path)) == {"C1": (5000.0, 7500.0, 6250.0), "C2": (2500.0, 1500.0, 1300.0)}
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: crm.csv", "files: crm.csv\n    format: xlsx"))
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    result = run("stress-test", plan, "--data", folder)
    assert_user_error(result, "crm.csv", "Excel workbook")
    assert "unexpected" not in result.stderr


@pytest.mark.parametrize("suffix", ["xlsx", "parquet"])
@pytest.mark.parametrize("kind", ["fifo", "folder", "zero"])
def test_a_fifo_device_or_folder_named_as_a_workbook_or_parquet_is_refused(tmp_path, suffix, kind):
    # openpyxl and pyarrow open what they are given: a FIFO waited for a writer forever.
    import os
    import subprocess
    import sys

    from .conftest import REPO

    folder = _us_folder(tmp_path)
    target = folder / f"crm.{suffix}"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        target.symlink_to("/dev/zero")
    (folder / "cscomp-data.yaml").write_text(US_MAP.replace("files: crm.csv", f"files: crm.{suffix}"))
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    result = subprocess.run([sys.executable, "-c", "from cscomp_cli.cli import main; main()", "validate", str(plan),
                             "--data", str(folder)], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert result.returncode == 2, (result.stdout, result.stderr)
    shown = result.stdout + result.stderr
    assert f"crm.{suffix}" in shown and "Traceback" not in shown and "unexpected" not in shown, shown
