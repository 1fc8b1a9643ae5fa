"""The data map's transforms (docs/data.md "The columns"): scale (MRR to ARR), join (First + Last Name),
owners matched by e-mail or written "Last, First", a pay line's quarter named in its description
(named_in) and a roster joined from a worker list and its compensation history.

Every folder holds the same two CSMs as tests/test_datamap_sources.py: C1 Ana Pérez (Enterprise) and C2
Bo Chen (SMB), base 100,000 and variable 20,000 a year (TV 20,000 / 4 = 5,000 a quarter).
"""

from __future__ import annotations

import json

import pytest

from cscomp_cli.core.errors import CscompError, collect_notes
from cscomp_cli.inputs.dataset import load_dataset

from .conftest import NRR_ONLY_YAML, assert_user_error, run, write_files

HR = """\
    Employee ID,Worker,Work Email,Segment,Annual Base Salary,Annual Target Incentive,Hire Date
    C1,Ana Pérez,Ana.Perez@Example.com,Enterprise,100000.00,20000.00,2021-01-04
    C2,Bo Chen,bo.chen@example.com,SMB,100000.00,20000.00,2021-03-01
    """
CRM = """\
    Account ID,CSM Owner,Fiscal Period,Beginning ARR,Upsell ARR,Downsell,Churned ARR
    A1,Ana Pérez,2026Q1,100000,10000,0,0
    A2,Bo Chen,2026Q1,100000,0,4000,0
    """
PAYROLL = """\
    Pay Date,Employee ID,Amount
    2026-04-15,C1,6250.00
    2026-04-15,C2,1500.00
    """
ROSTER_MAP = """\
  roster:
    files: hr.csv
    columns:
      csm_id: Employee ID
      name: Worker
      email: Work Email
      segment: Segment
      annual_base: Annual Base Salary
      annual_variable: Annual Target Incentive
      start_date: Hire Date
"""
ACCOUNTS_MAP = """\
  accounts:
    files: crm.csv
    columns:
      quarter: Fiscal Period
      account_id: Account ID
      csm_id: {column: CSM Owner, match: name}
      arr_start: Beginning ARR
      expansion: Upsell ARR
      contraction: Downsell
      churn: Churned ARR
"""
PAYOUTS_MAP = """\
  payouts:
    files: payroll.csv
    columns:
      quarter: {column: Pay Date, from: date, paid_months_after: 1}
      csm_id: Employee ID
      amount: Amount
"""


def _folder(tmp_path, *, accounts=ACCOUNTS_MAP, roster=ROSTER_MAP, payouts=PAYOUTS_MAP, head="", **files):
    text = f"version: 1\n{head}tables:\n{accounts}{roster}{payouts}"
    exports = {"crm.csv": CRM, "hr.csv": HR, "payroll.csv": PAYROLL, **files}
    folder = write_files(tmp_path / "raw", **exports)
    (folder / "cscomp-data.yaml").write_text(text)
    return folder


def _load(folder):
    with collect_notes() as notes:
        dataset = load_dataset(folder)
    return dataset, [n.one_line() for n in notes] + list(dataset.warnings)


def _refused(folder, *fragments, docs: bool = True):
    with pytest.raises(CscompError) as caught:
        load_dataset(folder)
    said = f"{caught.value.file} {caught.value.location} {caught.value.message} {caught.value.hint}"
    for fragment in fragments:
        assert fragment in said, f"{fragment!r} not in {said!r}"
    assert not docs or "docs/data.md" in (caught.value.hint or "")
    return caught.value


def _replay(folder, tmp_path) -> dict:
    plan = tmp_path / "plan.yaml"
    plan.write_text(NRR_ONLY_YAML + "currency: USD\n")
    result = run("stress-test", plan, "--data", folder, "--quarters", "1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --- scale ---------------------------------------------------------------------------------------------

MRR_CRM = """\
    Account ID,CSM Owner,Fiscal Period,Beginning MRR,Upsell MRR,Downsell MRR,Churned MRR
    A1,Ana Pérez,2026Q1,"1,250.00",125.00,0,0
    A2,Bo Chen,2026Q1,"1,234.56",0,0,0
    """
MRR_MAP = ACCOUNTS_MAP.replace("arr_start: Beginning ARR", "arr_start: {column: Beginning MRR, scale: 12}").replace(
    "expansion: Upsell ARR", "expansion: {column: Upsell MRR, scale: 12}").replace(
    "contraction: Downsell", "contraction: {column: Downsell MRR, scale: 12}").replace(
    "churn: Churned ARR", "churn: {column: Churned MRR, scale: 12}")


def test_scale_turns_monthly_amounts_into_annual_ones_to_the_cent(tmp_path):
    folder = _folder(tmp_path, accounts=MRR_MAP, **{"crm.csv": MRR_CRM})
    dataset, warnings = _load(folder)
    books = dataset.accounts.set_index("account_id")
    assert books.at["A1", "arr_start"] == 15_000.00  # 1,250.00 × 12
    assert books.at["A1", "expansion"] == 1_500.00  # 125.00 × 12
    assert books.at["A2", "arr_start"] == 14_814.72  # 1,234.56 × 12, exactly, not 14,814.719999…
    assert books.at["A1", "arr_end"] == 16_500.00  # 15,000 + 1,500
    # The map said what the columns hold: no "its name says monthly" warning.
    assert not [w for w in warnings if "monthly" in w]


def test_without_scale_a_monthly_header_is_still_warned_of(tmp_path):
    plain = MRR_MAP.replace(", scale: 12", "")
    folder = _folder(tmp_path, accounts=plain, **{"crm.csv": MRR_CRM})
    _, warnings = _load(folder)
    assert [w for w in warnings if "says monthly (MRR)" in w]


def test_a_scaled_replay_pays_on_the_annual_figures(tmp_path):
    folder = _folder(tmp_path, accounts=MRR_MAP, **{"crm.csv": MRR_CRM})
    document = _replay(folder, tmp_path)
    rows = {row["csm_id"]: row for row in document["rows"]}
    # C1: nrr = (15,000 + 1,500) / 15,000 = 1.1 -> fraction 1.5 -> 5,000 × 1.5 = 7,500.00
    assert rows["C1"]["components"]["retention"]["metric"] == pytest.approx(16_500 / 15_000, abs=1e-12)
    assert rows["C1"]["proposed"] == 7_500.00
    # C2: flat at 14,814.72 -> nrr 1.0 -> fraction 1.0 -> 5,000.00
    assert rows["C2"]["components"]["retention"]["metric"] == 1.0
    assert rows["C2"]["proposed"] == 5_000.00


def test_scale_on_a_roster_amount_and_a_payout(tmp_path):
    hr = HR.replace("100000.00,20000.00", "8333.33,1666.67")
    roster = ROSTER_MAP.replace("annual_base: Annual Base Salary", "annual_base: {column: Annual Base Salary, scale: 12}")
    payouts = PAYOUTS_MAP.replace("amount: Amount", "amount: {column: Amount, scale: 0.5}")
    dataset, _ = _load(_folder(tmp_path, roster=roster, payouts=payouts, **{"hr.csv": hr}))
    assert dataset.roster["annual_base"].tolist() == [99_999.96, 99_999.96]  # 8,333.33 × 12
    assert dataset.roster["annual_variable"].tolist() == [1_666.67, 1_666.67]  # not scaled
    assert sorted(dataset.payouts["amount"].tolist()) == [750.00, 3_125.00]  # 1,500 / 2 and 6,250 / 2


@pytest.mark.parametrize(("scale", "said"), [
    ("0", "greater than 0"), ("-12", "greater than 0"), ("yes", "scale is a number"), ("twelve", "valid number"),
])
def test_a_scale_that_is_no_positive_number_is_refused(tmp_path, scale, said):
    accounts = ACCOUNTS_MAP.replace("arr_start: Beginning ARR", f"arr_start: {{column: Beginning ARR, scale: {scale}}}")
    _refused(_folder(tmp_path, accounts=accounts), "cscomp-data.yaml", "tables.accounts.columns.arr_start.scale", said)


def test_scale_on_a_column_that_is_no_amount_is_refused(tmp_path):
    accounts = ACCOUNTS_MAP.replace("account_id: Account ID", "account_id: {column: Account ID, scale: 12}")
    _refused(_folder(tmp_path, accounts=accounts), "tables.accounts.columns.account_id.scale",
             "scale applies to amount columns")


def test_scale_on_a_constant_is_refused(tmp_path):
    roster = ROSTER_MAP.replace("segment: Segment", "segment: {value: SMB, scale: 2}")
    _refused(_folder(tmp_path, roster=roster), "tables.roster.columns.segment", "apply to an export column")


# --- match: email --------------------------------------------------------------------------------------

def test_owners_written_as_emails_in_any_case_are_the_rosters_csms(tmp_path):
    crm = CRM.replace("A1,Ana Pérez,", "A1, ANA.PEREZ@example.COM ,").replace("A2,Bo Chen,", "A2,Bo.Chen@Example.com,")
    accounts = ACCOUNTS_MAP.replace("match: name", "match: email")
    dataset, _ = _load(_folder(tmp_path, accounts=accounts, **{"crm.csv": crm}))
    assert dict(zip(dataset.accounts["account_id"], dataset.accounts["csm_id"].astype(str))) == {"A1": "C1", "A2": "C2"}
    assert dataset.roster["email"].tolist() == ["Ana.Perez@Example.com", "bo.chen@example.com"]


def test_an_email_on_no_roster_row_is_an_error_naming_the_closest(tmp_path):
    crm = CRM.replace("A1,Ana Pérez,", "A1,ana.peres@example.com,").replace("A2,Bo Chen,", "A2,bo.chen@example.com,")
    accounts = ACCOUNTS_MAP.replace("match: name", "match: email")
    error = _refused(_folder(tmp_path, accounts=accounts, **{"crm.csv": crm}), "crm.csv", "line 2",
                     "column CSM Owner", "'ana.peres@example.com' matches no e-mail on the roster",
                     "closest: 'Ana.Perez@Example.com' (C1)", "tables.accounts.columns.csm_id.aliases")
    assert error.__class__.__name__ == "DataError"


def test_email_aliases_and_payroll_staff_who_are_not_csms(tmp_path):
    crm = CRM.replace("A1,Ana Pérez,", "A1,ana@old-domain.com,").replace("A2,Bo Chen,", "A2,bo.chen@example.com,")
    accounts = ACCOUNTS_MAP.replace("{column: CSM Owner, match: name}",
                                    '{column: CSM Owner, match: email, aliases: {"Ana@Old-Domain.com": C1}}')
    payroll = "Pay Date,Email,Amount\n2026-04-15,ana.perez@example.com,6250\n2026-04-15,cy@example.com,900\n"
    payouts = PAYOUTS_MAP.replace("csm_id: Employee ID", "csm_id: {column: Email, match: email}")
    dataset, _ = _load(_folder(tmp_path, accounts=accounts, payouts=payouts, **{"crm.csv": crm,
                                                                                  "payroll.csv": payroll}))
    assert dict(zip(dataset.accounts["account_id"], dataset.accounts["csm_id"].astype(str))) == {"A1": "C1", "A2": "C2"}
    # Someone payroll pays who is no CSM is kept as written, for the non-CSM warning.
    assert dataset.payouts["csm_id"].tolist() == ["C1", "cy@example.com"]


def test_match_email_without_a_roster_email_column_is_refused(tmp_path):
    roster = ROSTER_MAP.replace("      email: Work Email\n", "")
    accounts = ACCOUNTS_MAP.replace("match: name", "match: email")
    _refused(_folder(tmp_path, accounts=accounts, roster=roster), "tables.accounts.columns.csm_id.match",
             "roster's email column")


def test_match_email_on_the_roster_itself_is_refused(tmp_path):
    roster = ROSTER_MAP.replace("csm_id: Employee ID", "csm_id: {column: Work Email, match: email}")
    _refused(_folder(tmp_path, roster=roster), "tables.roster.columns.csm_id.match", "cannot be matched by email")


def test_one_email_on_two_csms_is_an_error(tmp_path):
    hr = HR.replace("bo.chen@example.com", "ANA.PEREZ@example.com")
    _refused(_folder(tmp_path, **{"hr.csv": hr}), "hr.csv", "line 3", "column Work Email", "two CSMs (C1 and C2)")


def test_a_canonical_roster_may_carry_email(tmp_path):
    folder = write_files(tmp_path / "canonical", roster="csm_id,name,segment,annual_base,annual_variable,email\n"
                         "C1,Ana,SMB,1,1,a@x.com\nC2,Bo,SMB,1,1,\n",
                         accounts="quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                         "2026Q1,A1,C1,1,0,0,0\n", payouts="quarter,csm_id,amount\n2026Q1,C1,1\n")
    dataset = load_dataset(folder)
    assert dataset.roster["email"].tolist() == ["a@x.com", None]


# --- join ----------------------------------------------------------------------------------------------

def test_join_puts_first_and_last_name_together_for_match_name(tmp_path):
    payroll = ("Pay Date,First Name,Middle,Last Name,Amount\n2026-04-15,Ana,,Pérez,6250\n"
               "2026-04-15, bo ,,CHEN,1500\n")
    payouts = PAYOUTS_MAP.replace("csm_id: Employee ID",
                                  "csm_id: {join: [First Name, Middle, Last Name], match: name}")
    dataset, _ = _load(_folder(tmp_path, payouts=payouts, **{"payroll.csv": payroll}))
    # "Ana" + "" + "Pérez" -> "Ana Pérez" (the blank middle name skipped) -> C1; "bo CHEN" -> Bo Chen -> C2
    assert dataset.payouts["csm_id"].tolist() == ["C1", "C2"]


def test_join_of_a_header_the_export_lacks_names_the_map_key(tmp_path):
    payroll = "Pay Date,First Name,Surname,Amount\n2026-04-15,Ana,Pérez,6250\n"
    payouts = PAYOUTS_MAP.replace("csm_id: Employee ID", "csm_id: {join: [First Name, Last Name], match: name}")
    _refused(_folder(tmp_path, payouts=payouts, **{"payroll.csv": payroll}), "payroll.csv",
             "has no column 'Last Name'", "tables.payouts.columns.csm_id.join")


@pytest.mark.parametrize(("source", "said"), [
    ("{column: Worker, join: [Worker, Segment]}", "exactly one of column, join, value or file_name (got column, join)"),
    ("{join: [Worker]}", "at least 2"),
])
def test_join_with_column_or_of_one_header_is_refused(tmp_path, source, said):
    roster = ROSTER_MAP.replace("name: Worker", f"name: {source}")
    _refused(_folder(tmp_path, roster=roster), "tables.roster.columns.name", said)


# --- Last, First ---------------------------------------------------------------------------------------

def test_names_written_last_comma_first_match_the_rosters_first_last(tmp_path):
    hr = HR.replace("Ana Pérez", "Ana María Pérez")
    crm = CRM.replace("A1,Ana Pérez,", 'A1,"Pérez, Ana María",').replace("A2,Bo Chen,", 'A2,"chen,bo",')
    dataset, _ = _load(_folder(tmp_path, **{"hr.csv": hr, "crm.csv": crm}))
    assert dict(zip(dataset.accounts["account_id"], dataset.accounts["csm_id"].astype(str))) == {"A1": "C1", "A2": "C2"}


def test_last_comma_first_of_two_roster_people_is_refused(tmp_path):
    hr = HR + "    C3,Bo Chen,bo2@example.com,SMB,90000,10000,2022-01-01\n"
    crm = CRM.replace("A2,Bo Chen,", 'A2,"Chen, Bo",')
    _refused(_folder(tmp_path, **{"hr.csv": hr, "crm.csv": crm}), "crm.csv", "line 3",
             "'Chen, Bo' is the name of 2 people on the roster (C2, C3)")


# --- named_in ------------------------------------------------------------------------------------------

NAMED_PAYROLL = """\
    Pay Date,Employee ID,Amount,Description
    2026-01-15,C1,100,Quarterly bonus
    2026-01-15,C1,200,Bonus - Q3 CS Variable (correction)
    2026-01-15,C1,300,q4 bonus
    2026-01-15,C2,400,Q4 2024 bonus (late)
    2026-01-15,C2,500,Bonus - Q1
    """
NAMED_MAP = PAYOUTS_MAP.replace("paid_months_after: 1}", "paid_months_after: 1, named_in: Description}")


def _quarters(dataset) -> dict[float, str]:
    return dict(zip(dataset.payouts["amount"], dataset.payouts["quarter"].astype(str)))


def test_named_in_moves_a_line_to_the_quarter_its_text_names(tmp_path):
    dataset, _ = _load(_folder(tmp_path, payouts=NAMED_MAP, **{"payroll.csv": NAMED_PAYROLL}))
    # Pay date 2026-01-15, one month back: December 2025 -> 2025Q4, in year 2025; the pay date is in 2026Q1.
    assert _quarters(dataset) == {
        100: "2025Q4",  # no quarter named: the pay date's
        200: "2025Q3",  # Q3 of 2025
        300: "2025Q4",  # Q4 of 2025 (any case)
        400: "2024Q4",  # a year written wins
        500: "2025Q1",  # Q1 of 2025: not after 2026Q1
    }


def test_a_named_quarter_after_the_pay_date_is_the_year_before(tmp_path):
    payroll = "Pay Date,Employee ID,Amount,Description\n2026-04-15,C1,100,Q4 true-up\n2026-04-15,C1,200,Q2 bonus\n"
    dataset, _ = _load(_folder(tmp_path, payouts=NAMED_MAP, **{"payroll.csv": payroll}))
    # 2026-04-15 one month back: March 2026 -> 2026Q1, year 2026. Q4 2026 would be after the pay date's
    # quarter (2026Q2): 2025Q4. Q2 2026 is the pay date's own quarter, not after it: 2026Q2.
    assert _quarters(dataset) == {100: "2025Q4", 200: "2026Q2"}


def test_named_in_under_a_fiscal_year(tmp_path):
    payroll = ("Pay Date,Employee ID,Amount,Description\n2026-02-15,C1,100,Bonus\n2026-02-15,C1,200,Q3 bonus\n"
               "2026-05-15,C1,300,Q4 correction\n2026-05-15,C1,400,FY2026 Q2 bonus\n")
    head = "fiscal_year: {first_month: 2}\n"
    crm = CRM.replace("2026Q1", "FY2026Q4")
    dataset, _ = _load(_folder(tmp_path, head=head, payouts=NAMED_MAP, **{"payroll.csv": payroll, "crm.csv": crm}))
    # FY2026 runs Feb 2025 – Jan 2026. 2026-02-15 one month back: January 2026 -> FY2026Q4 (year FY2026).
    # 2026-05-15 one month back: April 2026 -> FY2027Q1; the pay date is in FY2027Q2 (May–Jul), so Q4 of
    # FY2027 is still to come: FY2026Q4.
    assert _quarters(dataset) == {100: "FY2026Q4", 200: "FY2026Q3", 300: "FY2026Q4", 400: "FY2026Q2"}


def test_a_text_naming_two_quarters_is_warned_of_and_keeps_the_pay_dates(tmp_path):
    payroll = "Pay Date,Employee ID,Amount,Description\n2026-01-15,C1,100,Q3/Q4 true-up\n"
    dataset, warnings = _load(_folder(tmp_path, payouts=NAMED_MAP, **{"payroll.csv": payroll}))
    assert _quarters(dataset) == {100: "2025Q4"}
    assert [w for w in warnings if "names more than one quarter (Q3, Q4)" in w and "line 2" in w]


def test_an_fy_label_without_a_fiscal_year_is_refused(tmp_path):
    payroll = "Pay Date,Employee ID,Amount,Description\n2026-01-15,C1,100,FY26 Q3 bonus\n"
    _refused(_folder(tmp_path, payouts=NAMED_MAP, **{"payroll.csv": payroll}), "payroll.csv", "line 2",
             "column Description", "names a fiscal quarter (FY2026Q3)")


def test_named_in_without_from_date_is_refused(tmp_path):
    payouts = PAYOUTS_MAP.replace("{column: Pay Date, from: date, paid_months_after: 1}",
                                  "{column: Pay Date, named_in: Description}")
    _refused(_folder(tmp_path, payouts=payouts), "tables.payouts.columns.quarter", "named_in goes with from: date")


def test_named_in_of_a_header_the_export_lacks_names_the_map_key(tmp_path):
    _refused(_folder(tmp_path, payouts=NAMED_MAP), "payroll.csv", "has no column 'Description'",
             "tables.payouts.columns.quarter.named_in")


# --- tables.roster.history -----------------------------------------------------------------------------

COMP = """\
    Employee ID,Effective Date,Base Pay,Target Incentive,Reason
    C1,01/01/2021,"90,000.00","18,000.00",Hire
    C1,02/01/2026,"110,000.00","24,000.00",Merit
    """
HISTORY_MAP = ROSTER_MAP + """\
    history:
      files: comp.csv
      dates: MM/DD/YYYY
      columns:
        csm_id: Employee ID
        effective_date: Effective Date
        annual_base: Base Pay
        annual_variable: Target Incentive
        reason: Reason
"""


def test_a_pay_history_becomes_the_rosters_effective_date_rows(tmp_path):
    dataset, _ = _load(_folder(tmp_path, roster=HISTORY_MAP, **{"comp.csv": COMP}))
    roster = dataset.roster.sort_values(["csm_id", "effective_date"], na_position="first")
    rows = [(r.csm_id, r.name, r.segment, None if r.effective_date != r.effective_date else str(r.effective_date.date()),
             r.annual_base, r.annual_variable, str(r.start_date.date()), r.email) for r in roster.itertuples()]
    assert rows == [
        ("C1", "Ana Pérez", "Enterprise", "2021-01-01", 90_000.0, 18_000.0, "2021-01-04", "Ana.Perez@Example.com"),
        ("C1", "Ana Pérez", "Enterprise", "2026-02-01", 110_000.0, 24_000.0, "2021-01-04", "Ana.Perez@Example.com"),
        # No history row: the worker list's own pay, in force from the beginning.
        ("C2", "Bo Chen", "SMB", None, 100_000.0, 20_000.0, "2021-03-01", "bo.chen@example.com"),
    ]


def test_a_history_row_for_no_worker_names_the_history_file_and_line(tmp_path):
    comp = COMP + "    C7,03/01/2026,1,1,Hire\n"
    _refused(_folder(tmp_path, roster=HISTORY_MAP, **{"comp.csv": comp}), "comp.csv", "line 4",
             "column Employee ID", "csm_id 'C7', who is on no row of the worker list")


def test_a_bad_history_cell_names_the_history_file_line_and_header(tmp_path):
    comp = COMP.replace('"110,000.00"', "lots")
    _refused(_folder(tmp_path, roster=HISTORY_MAP, **{"comp.csv": comp}), "comp.csv", "line 3",
             "column Base Pay", "'lots' is not an amount")


def test_a_bad_worker_cell_on_a_history_row_names_the_worker_list(tmp_path):
    hr = HR.replace("C1,Ana Pérez,Ana.Perez@Example.com,Enterprise", "C1,Ana Pérez,Ana.Perez@Example.com,")
    _refused(_folder(tmp_path, roster=HISTORY_MAP, **{"comp.csv": COMP, "hr.csv": hr}), "hr.csv", "line 2",
             "column Segment", "Segment is blank", docs=False)


def test_a_bad_history_date_names_the_history_file(tmp_path):
    comp = COMP.replace("02/01/2026", "13/45/2026")
    _refused(_folder(tmp_path, roster=HISTORY_MAP, **{"comp.csv": comp}), "comp.csv", "line 3",
             "column Effective Date")


def test_a_person_on_two_worker_rows_is_refused_with_a_history(tmp_path):
    hr = HR + "    C1,Ana Pérez,ana2@example.com,Enterprise,1,1,2021-01-04\n"
    _refused(_folder(tmp_path, roster=HISTORY_MAP, **{"comp.csv": COMP, "hr.csv": hr}), "hr.csv", "line 4",
             "csm_id 'C1' is on two rows of the worker list (line 2")


def test_a_history_scale_applies_to_the_history_rows_only(tmp_path):
    comp = "Employee ID,Effective Date,Base Pay,Target Incentive\nC1,01/01/2021,7500,1500\n"
    roster = HISTORY_MAP.replace("annual_base: Base Pay", "annual_base: {column: Base Pay, scale: 12}").replace(
        "        reason: Reason\n", "")
    dataset, _ = _load(_folder(tmp_path, roster=roster, **{"comp.csv": comp}))
    pay = dict(zip(dataset.roster["csm_id"], dataset.roster["annual_base"]))
    assert pay == {"C1": 90_000.0, "C2": 100_000.0}  # 7,500 × 12; C2 from the worker list, unscaled


@pytest.mark.parametrize(("change", "where", "said"), [
    (("annual_variable: Target Incentive\n", "annual_variable: Target Incentive\n        bonus: Bonus\n"),
     "tables.roster.history.columns.bonus", "'bonus' is not a column of roster.history"),
    (("        annual_variable: Target Incentive\n", ""), "tables.roster.history.columns",
     "roster.history needs annual_variable"),
    (("csm_id: Employee ID\n        effective", "csm_id: {column: Employee ID, match: name}\n        effective"),
     "tables.roster.history.columns.csm_id.match", "match does not apply"),
    (("      start_date: Hire Date\n", "      start_date: Hire Date\n      effective_date: Hire Date\n"),
     "tables.roster.columns.effective_date", "the history gives each row's effective_date"),
    (("    history:\n", "    history:\n      flies: x\n"), "tables.roster.history", "unknown key 'flies'"),
])
def test_a_history_the_map_states_wrongly_is_refused(tmp_path, change, where, said):
    roster = HISTORY_MAP.replace(*change)
    _refused(_folder(tmp_path, roster=roster, **{"comp.csv": COMP}), "cscomp-data.yaml", where, said)


def test_the_cli_names_a_history_error_and_exits_2(tmp_path):
    comp = COMP + "    C7,03/01/2026,1,1,Hire\n"
    folder = _folder(tmp_path, roster=HISTORY_MAP, **{"comp.csv": comp})
    plan = tmp_path / "plan.yaml"
    plan.write_text(NRR_ONLY_YAML)
    assert_user_error(run("stress-test", plan, "--data", folder), "comp.csv", "line 4", "C7")


def test_cscomp_schema_describes_the_new_keys():
    result = run("schema", "--data-map")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    for key in ('"scale"', '"join"', '"named_in"', '"history"', '"email"'):
        assert key in text, key
