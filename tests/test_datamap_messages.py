"""What the data map says when an export reads but may not mean what the map takes it to mean: a fiscal
year nobody declared, a monthly (MRR) column mapped to an annual one, payroll lines of people who are not
CSMs, and messages that must name the one true problem (never a false "is blank" beside it).

The folders are tests/test_datamap_sources.py's two CSMs (C1 Ana Pérez, C2 Bo Chen) exported US-style,
with one thing changed per test.
"""

from __future__ import annotations

import json

import pytest

from .conftest import NRR_ONLY_YAML, run, write_files
from .test_datamap_sources import CRM, HR, PAYROLL, US_MAP

# The CRM report with its quarter taken from a date column instead of a label: row 1 (Acme, C1) and
# row 2 (Bolt, C2) each get a Close Date.
DATED_MAP = US_MAP.replace("quarter: Fiscal Period", "quarter: {column: Close Date, from: date}")


def _folder(tmp_path, name="raw", **overrides):
    files = {"crm.csv": CRM, "hr.csv": HR, "payroll.csv": PAYROLL, "cscomp-data.yaml": US_MAP, **overrides}
    return write_files(tmp_path / name, **files)


def _dated_crm(first: str, second: str) -> str:
    """The CRM report with Close Date for Acme (first) and Bolt (second) in place of Fiscal Period."""
    crm = CRM.replace("Fiscal Period", "Close Date")
    return crm.replace("Q1 2026", first, 1).replace("Q1 2026", second, 1)


def _validate(tmp_path, folder):
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    return run("validate", plan, "--data", folder)


def _stress_test(tmp_path, folder) -> dict:
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML}) / "plan.yaml"
    result = run("stress-test", plan, "--data", folder, "--quarters", "1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --- a fiscal year nobody declared ----------------------------------------------------------------


@pytest.mark.parametrize("first, second, seen, month", [
    ("2026-02-01", "2026-05-01", "the 1st of Feb or May", 2),  # the day a February fiscal quarter starts
    ("2026-01-31", "2026-04-30", "the last day of Jan or Apr", 2),  # the day before: the day one closes
    ("2026-03-01", "2026-06-01", "the 1st of Mar or Jun", 3),
])
def test_quarter_dates_on_a_fiscal_quarters_boundary_warn_once_naming_the_column_and_the_month(
        tmp_path, first, second, seen, month):
    folder = _folder(tmp_path, **{"crm.csv": _dated_crm(first, second), "cscomp-data.yaml": DATED_MAP})
    result = _validate(tmp_path, folder)
    assert result.exit_code == 0, result.stdout
    assert "0 warnings" not in result.stdout
    warning = [line for line in result.stdout.splitlines() if "column Close Date" in line]
    assert len(warning) == 1, result.stdout
    assert "crm.csv" in warning[0] and f"every Close Date is {seen}" in warning[0]
    assert "without fiscal_year" in warning[0] and "calendar quarters" in warning[0]
    assert f"fiscal_year: {{first_month: {month}}}" in result.stdout and "docs/data.md" in result.stdout
    # Every run says it, not only validate.
    assert any("Close Date" in w and "fiscal_year" in w for w in _stress_test(tmp_path, folder)["warnings"])


@pytest.mark.parametrize("first, second", [
    ("2026-01-01", "2026-04-01"),  # calendar quarters' first days
    ("2026-03-31", "2026-06-30"),  # calendar quarters' last days
    ("2026-02-01", "2026-05-15"),  # a mix of days is no evidence
    ("2026-02-01", "2026-03-01"),  # the 1st of every month: monthly snapshots, not quarters
    ("2026-02-01", "2026-02-01"),  # one date is too little to tell
])
def test_quarter_dates_that_show_no_fiscal_quarter_are_silent(tmp_path, first, second):
    folder = _folder(tmp_path, **{"crm.csv": _dated_crm(first, second), "cscomp-data.yaml": DATED_MAP})
    result = _validate(tmp_path, folder)
    assert "fiscal_year" not in result.stdout, result.stdout


def test_a_declared_fiscal_year_even_january_silences_the_warning(tmp_path):
    # fiscal_year: {first_month: 1} is how a map says "calendar quarters, we checked".
    crm = _dated_crm("2026-02-01", "2026-05-01")
    for i, declared in enumerate(("fiscal_year: {first_month: 1}\n", "fiscal_year: {first_month: February}\n")):
        folder = _folder(tmp_path, f"declared{i}", **{"crm.csv": crm, "cscomp-data.yaml": declared + DATED_MAP})
        result = _validate(tmp_path, folder)
        assert result.exit_code == 0, result.stdout
        assert "Close Date" not in result.stdout, result.stdout


def test_pay_dates_on_the_first_of_a_fiscal_quarter_warn_but_month_end_payroll_does_not(tmp_path):
    # Bonuses paid on 1 May and (the clawback) 1 August: the day after a February year's quarters close.
    payroll = PAYROLL.replace("04/15/2026", "05/01/2026").replace("04/30/2026", "08/01/2026")
    result = _validate(tmp_path, _folder(tmp_path, "first", **{"payroll.csv": payroll}))
    assert result.exit_code == 0, result.stdout
    assert "payroll.csv, column Pay Date: every Pay Date is the 1st of May or Aug" in result.stdout
    assert "fiscal_year: {first_month: 2}" in result.stdout
    # Paid with the last payroll of the month after a calendar quarter (30 April, 31 July): ordinary,
    # whatever the fiscal year, so no evidence.
    payroll = PAYROLL.replace("04/15/2026", "04/30/2026").replace("04/30/2026,C2,Bo Chen,CLAW", "07/31/2026,C2,Bo Chen,CLAW")
    result = _validate(tmp_path, _folder(tmp_path, "month_end", **{"payroll.csv": payroll}))
    assert "fiscal_year" not in result.stdout, result.stdout


# --- a bonus set a year back ---------------------------------------------------------------------


def test_paid_months_after_12_says_every_bonus_is_set_against_the_quarter_a_year_before(tmp_path):
    # Pay dates 2026-04-15 and 2026-04-30 moved back 12 months: 2025-04 is in 2025Q2, a year before the
    # 2026Q1 they were paid for; 1 month back (the 15th of the quarter's first month) is 2026Q1.
    data_map = US_MAP.replace("paid_months_after: 1", "paid_months_after: 12")
    result = _validate(tmp_path, _folder(tmp_path, **{"cscomp-data.yaml": data_map}))
    assert result.exit_code == 0, result.stdout
    [said] = [line for line in result.stdout.splitlines() if "paid_months_after 12" in line]
    assert "cscomp-data.yaml, tables.payouts.columns.quarter.paid_months_after:" in said
    assert "every quarter's bonus is read as paid 12 months after the quarter closes" in said
    assert "the Pay Date 2026-04-15 counts for 2025Q2" in said
    assert "did you mean paid_months_after: 1 (2026-04-15 then counts for 2026Q1)?" in said
    assert any("paid_months_after 12" in w for w in _stress_test(tmp_path, _folder(
        tmp_path, "again", **{"cscomp-data.yaml": data_map}))["warnings"])
    # A bonus paid one to three months after its quarter is ordinary.
    for months in (1, 3):
        data_map = US_MAP.replace("paid_months_after: 1", f"paid_months_after: {months}")
        quiet = _validate(tmp_path, _folder(tmp_path, f"lag{months}", **{"cscomp-data.yaml": data_map}))
        assert "did you mean paid_months_after" not in quiet.stdout, quiet.stdout


# --- one true message, not a false one beside it -------------------------------------------------


def _errors(stdout: str) -> list[str]:
    """validate's numbered error lines (the list under 'N errors')."""
    errors = stdout.split(" error", 1)[1].split("warning", 1)[0] if " error" in stdout else ""
    return [line for line in errors.splitlines() if line.strip()[:3].rstrip(".").isdigit()]


def test_an_owner_matching_no_roster_name_is_that_one_error_not_also_a_blank_owner(tmp_path):
    folder = _folder(tmp_path, **{"crm.csv": CRM.replace("Bo  Chen", "Bob Chen")})
    result = _validate(tmp_path, folder)
    assert result.exit_code == 2
    assert "'Bob Chen' matches no name on the roster (closest: 'Bo Chen' (C2))" in result.stdout
    assert "is blank" not in result.stdout, result.stdout
    assert "1 error" in result.stdout and len(_errors(result.stdout)) == 1, result.stdout


def test_a_required_value_the_map_does_not_list_is_that_one_error_not_also_a_blank(tmp_path):
    # The roster's segment through a value map that lacks 'SMB': Bo's row is reported once.
    data_map = US_MAP.replace("      segment: Segment\n", "      segment: {column: Segment, values: {Enterprise: ENT}}\n")
    result = _validate(tmp_path, _folder(tmp_path, **{"cscomp-data.yaml": data_map}))
    assert result.exit_code == 2
    assert "'SMB' is not one of the values the data map lists for Segment" in result.stdout
    assert "is blank" not in result.stdout, result.stdout
    assert len(_errors(result.stdout)) == 1, result.stdout


# Payroll matched to the roster by the employee's name rather than the id.
BY_NAME = US_MAP.replace("      csm_id: Employee ID\n      amount: Amount",
                         "      csm_id: {column: Employee Name, match: name}\n      amount: Amount")


def test_payroll_names_of_people_who_are_not_csms_are_a_warning_as_with_canonical_files(tmp_path):
    # Dana Whitfield, the VP, is paid a 9,000.00 QBON: not on the (filtered) roster, so not a CSM.
    # Her line is in no total: actual stays C1 6,250.00 + C2 (1,500.00 − 200.00) = 7,550.00.
    payroll = PAYROLL + '    04/15/2026,X7,Dana Whitfield,QBON,"9,000.00"\n'
    folder = _folder(tmp_path, **{"cscomp-data.yaml": BY_NAME, "payroll.csv": payroll})
    result = _validate(tmp_path, folder)
    assert result.exit_code == 0, result.stdout
    assert "pays 1 person who is not a CSM" in result.stdout and "Dana Whitfield" in result.stdout
    assert "9,000.00 in all" in result.stdout
    document = _stress_test(tmp_path, folder)
    assert {row["csm_id"]: row["actual"] for row in document["rows"]} == {"C1": 6250.0, "C2": 1300.0}
    assert any("Dana Whitfield" in w and "not a CSM" in w for w in document["warnings"]), document["warnings"]
    strict = run("validate", tmp_path / "plan.yaml", "--data", folder, "--strict")
    assert strict.exit_code == 2 and "Dana Whitfield" in strict.stdout


def test_a_payroll_name_of_two_roster_people_is_still_an_error(tmp_path):
    hr = HR + '    C3,Bo Chen,Customer Success Manager,SMB,"USD 1.00","USD 1.00",01/01/2020\n'
    result = _validate(tmp_path, _folder(tmp_path, **{"cscomp-data.yaml": BY_NAME, "hr.csv": hr}))
    assert result.exit_code == 2
    assert "'Bo Chen' is the name of 2 people on the roster (C2, C3)" in result.stdout


def test_a_blank_name_says_an_not_a(tmp_path):
    payroll = PAYROLL.replace("04/15/2026,C2,Bo Chen,QBON", "04/15/2026,C2,,QBON")
    result = _validate(tmp_path, _folder(tmp_path, **{"cscomp-data.yaml": BY_NAME, "payroll.csv": payroll}))
    assert result.exit_code == 2
    assert "payroll.csv, line 3, column Employee Name: Employee Name is blank" in result.stdout
    assert "every row needs an Employee Name" in result.stdout and "a Employee" not in result.stdout


def test_a_blank_amount_under_a_map_points_at_the_maps_zero_key(tmp_path):
    folder = _folder(tmp_path, **{"crm.csv": CRM.replace('"$100,000.00","$10,000.00"', '"","$10,000.00"'),
                                  "cscomp-data.yaml": US_MAP.replace("zero: ['-', '']", "zero: ['-']")})
    result = _validate(tmp_path, folder)
    assert result.exit_code == 2
    assert "crm.csv, line 2, column Beginning ARR: Beginning ARR is blank" in result.stdout
    assert "tables.accounts.zero" in result.stdout and "write 0 for none" not in result.stdout, result.stdout
    # Canonical files have no map: the hint stays as it was.
    canonical = write_files(tmp_path / "canonical", accounts="quarter,account_id,csm_id,arr_start,expansion,contraction,"
                            "churn\n2026Q1,A1,C1,,0,0,0\n", roster="csm_id,name,segment,annual_base,annual_variable\n"
                            "C1,Ana,SMB,1,1\n")
    result = _validate(tmp_path, canonical)
    assert "every row needs arr_start; write 0 for none" in result.stdout and "tables." not in result.stdout


# --- a monthly column mapped to an annual one ----------------------------------------------------


def test_a_monthly_column_mapped_to_an_arr_column_warns_at_every_run(tmp_path):
    folder = _folder(tmp_path, **{"crm.csv": CRM.replace("Upsell ARR", "Expansion MRR"),
                                  "cscomp-data.yaml": US_MAP.replace("expansion: Upsell ARR", "expansion: Expansion MRR")})
    result = _validate(tmp_path, folder)
    assert result.exit_code == 0, result.stdout
    assert ("column 'Expansion MRR' is mapped to expansion, an annual (ARR) amount, but its name says monthly"
            in result.stdout), result.stdout
    assert "tables.accounts.columns.expansion" in result.stdout and "docs/data.md" in result.stdout
    assert any("Expansion MRR" in w for w in _stress_test(tmp_path, folder)["warnings"])
    # An annual header says nothing of the kind.
    assert "says monthly" not in _validate(tmp_path, _folder(tmp_path, "annual")).stdout


# --- value maps and aliases whose keys the cells cannot tell apart (issue 22) ---------------------------


@pytest.mark.parametrize("values, first, second", [
    ('{Green: 85, green: 30, Red: 30}', "Green", "green"),  # matched in any case: every Green cell would be 30
    ('{Green: 85, " Green ": 60, Red: 30}', "Green", " Green "),  # spaces around a key are ignored
])
def test_value_map_keys_that_collide_after_case_and_spaces_are_refused(tmp_path, values, first, second):
    folder = _folder(tmp_path, **{"cscomp-data.yaml": US_MAP.replace(
        "values: {Green: 85, Yellow: 60, Red: 30}", f"values: {values}")})
    result = _validate(tmp_path, folder)
    assert result.exit_code == 2, result.stdout
    for part in ("tables.accounts.columns.health.values", f"'{first}' and '{second}' are the same to cscomp",
                 "different values", "docs/data.md"):
        assert part in result.stdout + result.stderr


def test_value_map_keys_that_collide_with_one_value_are_harmless(tmp_path):
    folder = _folder(tmp_path, **{"cscomp-data.yaml": US_MAP.replace(
        "values: {Green: 85, Yellow: 60, Red: 30}", "values: {Green: 85, GREEN: 85, Red: 30}")})
    assert _validate(tmp_path, folder).exit_code == 0


def test_aliases_that_collide_once_accents_are_folded_are_refused(tmp_path):
    # Names are matched ignoring accents: 'José Díaz' and 'Jose Diaz' are one spelling to cscomp.
    folder = _folder(tmp_path, **{"cscomp-data.yaml": US_MAP.replace(
        "csm_id: {column: CSM Owner, match: name}",
        "csm_id: {column: CSM Owner, match: name, aliases: {José Díaz: C1, Jose Diaz: C2}}", 1)})
    result = _validate(tmp_path, folder)
    assert result.exit_code == 2, result.stdout
    for part in ("tables.accounts.columns.csm_id.aliases", "'José Díaz' and 'Jose Diaz' are the same",
                 "accents", "('C1' and 'C2')"):
        assert part in result.stdout + result.stderr
