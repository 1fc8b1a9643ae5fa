"""Pay history (SPEC 6.2): roster rows with an effective_date put a raise or a transfer on the day it
happens. A quarter's TV and base are split by day between the rows in force; name, segment, team and
currency come from the row in force on the CSM's last employed day; pay_mix applies row by row.

Every expected figure is worked by hand below. 2026Q1 has 31 + 28 + 31 = 90 days.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cscomp_cli.core.errors import DataError
from cscomp_cli.core.quarters import Calendar
from cscomp_cli.engine.metrics import book_codes
from cscomp_cli.engine.replay import replay
from cscomp_cli.engine.roster import attach_roster, check_pay_currencies, replayed_csms
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.loading import plan_from_document
from tests.conftest import NRR_ONLY_YAML, NRR_PLAN, assert_user_error, run, write_files

ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
2026Q1,A1,C1,100000,0,0,0
"""
HEADER = "csm_id,name,segment,annual_base,annual_variable,effective_date"
# NRR_PLAN's curve pays f(1.0) = 1.0 on a flat book: the payout is the TV, rounded to cents.
PLAN_YAML = NRR_ONLY_YAML


def org(tmp_path, roster: str, *, accounts: str = ACCOUNTS, payouts: str = "quarter,csm_id,amount\n2026Q1,C1,0\n",
        plan: str = PLAN_YAML, **files: str):
    return write_files(tmp_path / "data", accounts=accounts, roster=roster, payouts=payouts,
                       **{"plan.yaml": plan}, **files)


def replayed(folder, plan: dict | None = None, calendar: Calendar | None = None, quarter: str = "2026Q1"):
    dataset = load_dataset(folder, calendar=calendar)
    result = replay(plan_from_document(plan or NRR_PLAN), dataset, window=[quarter])
    return result.rows.set_index("csm_id")


def stress_json(folder) -> dict:
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --- a raise inside the quarter ----------------------------------------------------------------------------

RAISE = f"""\
{HEADER}
C1,Ana,Enterprise,100000,40000,
C1,Ana,Enterprise,110000,44000,2026-02-01
"""


def test_a_raise_on_1_february_splits_2026q1_by_day(tmp_path):
    row = replayed(org(tmp_path, RAISE)).loc["C1"]
    # January (31 days) under the old row, February and March (28 + 31 = 59) under the new one:
    # TV = 40,000 / 4 × 31/90 + 44,000 / 4 × 59/90 = (310,000 + 649,000) / 90 = 959,000 / 90.
    assert row["actual_target_variable"] == pytest.approx(959_000 / 90, abs=1e-9)
    # base = 100,000 / 4 × 31/90 + 110,000 / 4 × 59/90 = (775,000 + 1,622,500) / 90 = 2,397,500 / 90.
    assert row["actual_base"] == pytest.approx(2_397_500 / 90, abs=1e-9)
    assert row["target_variable"] == pytest.approx(959_000 / 90, abs=1e-9)  # no pay_mix: the roster's
    assert row["proration"] == 1.0  # employed every day: (31 + 59) / 90
    assert row["pay_rows"] == 2


def test_stress_test_json_shows_the_split_tv_and_base_in_cents(tmp_path):
    document = stress_json(org(tmp_path, RAISE))
    row = document["rows"][0]
    assert row["target_variable"] == 10655.56  # 959,000 / 90 = 10,655.555… → 10,655.56
    assert row["proposed"] == 10655.56  # round(TV × weight 1 × f(1.0) 1)
    assert row["base"] == 26638.89  # 2,397,500 / 90 = 26,638.888… → 26,638.89
    assert row["actual_base"] == 26638.89


def test_the_order_of_the_rows_in_the_file_does_not_matter(tmp_path):
    lines = RAISE.splitlines()
    row = replayed(org(tmp_path, "\n".join([lines[0], lines[2], lines[1]]) + "\n")).loc["C1"]
    assert row["actual_target_variable"] == pytest.approx(959_000 / 90, abs=1e-9)


def test_a_raise_on_the_first_day_of_a_quarter_is_the_new_pay_for_all_of_it(tmp_path):
    roster = f"{HEADER}\nC1,Ana,Enterprise,100000,40000,\nC1,Ana,Enterprise,100000,44000,2026-01-01\n"
    row = replayed(org(tmp_path, roster)).loc["C1"]
    assert row["actual_target_variable"] == 44000 / 4  # 11,000, exactly: section 1's formula
    assert row["pay_rows"] == 1


def test_explain_says_the_raise_splits_the_quarter(tmp_path):
    folder = org(tmp_path, RAISE)
    result = run("explain", folder / "plan.yaml", "--data", folder, "--csm", "C1", "--quarter", "2026Q1",
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    pay = json.loads(result.stdout)["pay"]
    assert pay["split"] == ("annual_variable 40,000 for 31 days and 44,000 for 59 days of 90; "
                            "annual_base 100,000 for 31 days and 110,000 for 59 days of 90")
    assert [(p["from"], p["to"], p["days"]) for p in pay["pay_history"]] == [
        ("2026-01-01", "2026-01-31", 31), ("2026-02-01", "2026-03-31", 59)]
    assert pay["target_variable"] == pytest.approx(959_000 / 90, abs=1e-9)
    shown = run("explain", folder / "plan.yaml", "--data", folder, "--csm", "C1", "--quarter", "2026Q1")
    assert shown.exit_code == 0, shown.stderr
    assert "annual_variable 40,000 for 31 days and 44,000 for 59 days of 90" in " ".join(shown.stdout.split())


# --- a transfer inside the quarter --------------------------------------------------------------------------

TRANSFER = f"""\
{HEADER},team
C1,Ana,Enterprise,100000,20000,,North
C1,Ana B,SMB,100000,20000,2026-03-01,South
"""


def test_a_transfer_takes_the_segment_of_the_last_day_and_pay_mix_applies_per_row(tmp_path):
    plan = {**NRR_PLAN, "pay_mix": {"variable_pct": {"Enterprise": 20, "SMB": 40}, "hold": "ote"}}
    row = replayed(org(tmp_path, TRANSFER), plan).loc["C1"]
    assert (row["segment"], row["name"], row["team"]) == ("SMB", "Ana B", "South")
    # OTE 120,000. Enterprise (Jan + Feb = 59 days): variable 20 % = 24,000, base 96,000;
    # SMB (March, 31 days): variable 40 % = 48,000, base 72,000.
    # TV = 24,000/4 × 59/90 + 48,000/4 × 31/90 = (354,000 + 372,000) / 90 = 726,000 / 90 = 8,066.67
    assert row["target_variable"] == pytest.approx(726_000 / 90, abs=1e-9)
    # base = 96,000/4 × 59/90 + 72,000/4 × 31/90 = (1,416,000 + 558,000) / 90 = 1,974,000 / 90
    assert row["base"] == pytest.approx(1_974_000 / 90, abs=1e-9)
    # The roster's own pay did not change: 20,000 / 4 = 5,000 and 100,000 / 4 = 25,000.
    assert row["actual_target_variable"] == 5000
    assert row["actual_base"] == 25000


def test_a_team_book_counts_a_transferred_csm_in_the_team_of_the_last_day(tmp_path):
    # C2 is in South all quarter; C1 joins South on 1 March: on the last day both are in South.
    roster = TRANSFER + "C2,Bo,SMB,100000,20000,,South\n"
    accounts = ACCOUNTS + "2026Q1,A2,C2,100000,10000,0,0\n"
    plan = {"name": "team", "components": [{"id": "retention", "metric": "nrr", "scope": "team", "weight": 1.0,
                                            "target": 1.0, "curve": [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]}]}
    rows = replayed(org(tmp_path, roster, accounts=accounts), plan)
    # The South book: start 200,000, expansion 10,000 → nrr 1.05 → f = 1.0 + 0.05 × 5 = 1.25 for both.
    assert rows.loc["C1", "retention_fraction"] == pytest.approx(1.25)
    assert rows.loc["C2", "retention_fraction"] == pytest.approx(1.25)


def test_the_row_of_the_last_employed_day_names_a_leaver(tmp_path):
    # C1 leaves on 15 February; a row from 1 March (after they left) does not name their quarter.
    roster = (f"{HEADER},end_date\nC1,Ana,Enterprise,100000,20000,,2026-02-15\n"
              "C1,Ana,SMB,100000,40000,2026-03-01,2026-02-15\n")
    row = replayed(org(tmp_path, roster)).loc["C1"]
    assert row["segment"] == "Enterprise"
    # Employed 31 + 15 = 46 days, all under the first row: 20,000 / 4 × 46/90 = 230,000 / 90.
    assert row["actual_target_variable"] == pytest.approx(230_000 / 90, abs=1e-9)


# --- hires and rows before the history starts ---------------------------------------------------------------


def test_a_hire_mid_quarter_with_a_raise_counts_only_the_employed_days_under_each_row(tmp_path):
    roster = (f"{HEADER},start_date\nC1,Ana,Enterprise,100000,40000,2026-01-16,2026-01-16\n"
              "C1,Ana,Enterprise,100000,48000,2026-03-01,\n")
    row = replayed(org(tmp_path, roster)).loc["C1"]
    # 16 to 31 January (16 days) + February (28) = 44 days under the first row, March (31) under the second:
    # TV = 40,000/4 × 44/90 + 48,000/4 × 31/90 = (440,000 + 372,000) / 90 = 812,000 / 90.
    assert row["actual_target_variable"] == pytest.approx(812_000 / 90, abs=1e-9)
    assert row["proration"] == pytest.approx(75 / 90)  # 44 + 31 days employed


def test_days_before_the_earliest_effective_date_are_not_employed(tmp_path):
    roster = f"{HEADER}\nC1,Ana,Enterprise,100000,40000,2026-02-01\n"
    row = replayed(org(tmp_path, roster)).loc["C1"]
    # No blank row: nothing is in force in January. 40,000 / 4 × 59/90 = 590,000 / 90.
    assert row["actual_target_variable"] == pytest.approx(590_000 / 90, abs=1e-9)
    assert row["proration"] == pytest.approx(59 / 90)


def test_a_csm_with_no_row_in_force_on_any_day_of_the_quarter_is_refused(tmp_path):
    roster = f"{HEADER}\nC1,Ana,Enterprise,100000,40000,2026-04-01\n"
    folder = org(tmp_path, roster)
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1")
    assert_user_error(result, "CSM C1 appears in 2026Q1", "has no row for them in that quarter",
                      "effective_date", "accounts.csv")


# --- what a history may not say ------------------------------------------------------------------------------


def test_two_rows_of_one_csm_from_the_same_day_are_refused(tmp_path):
    roster = f"{HEADER}\nC1,Ana,Enterprise,100000,40000,2026-02-01\nC1,Ana,Enterprise,100000,44000,2026-02-01\n"
    folder = org(tmp_path, roster)
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1")
    assert_user_error(result, "roster.csv, line 3", "csm_id C1", "effective_date 2026-02-01", "same effective_date")


def test_two_blank_effective_dates_of_one_csm_are_refused(tmp_path):
    roster = f"{HEADER}\nC1,Ana,Enterprise,100000,40000,\nC1,Ana,Enterprise,100000,44000,\n" \
             "C2,Bo,SMB,1,1,2026-01-01\n"
    folder = org(tmp_path, roster)
    result = run("validate", folder / "plan.yaml", "--data", folder)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "roster.csv, line 3" in result.stdout and "effective_date (blank)" in result.stdout


def test_effective_date_beside_quarter_is_refused(tmp_path):
    roster = f"{HEADER},quarter\nC1,Ana,Enterprise,100000,40000,2026-02-01,2026Q1\n"
    folder = org(tmp_path, roster)
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1")
    assert_user_error(result, "roster.csv, line 2, column effective_date", "effective_date and quarter cannot both",
                      "docs/data.md")


def test_start_dates_that_differ_between_rows_are_refused_naming_the_csm_and_both_dates(tmp_path):
    roster = (f"{HEADER},start_date\nC1,Ana,Enterprise,100000,40000,,2025-06-01\n"
              "C1,Ana,Enterprise,100000,44000,2026-02-01,2025-07-01\n")
    folder = org(tmp_path, roster)
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1")
    assert_user_error(result, "CSM C1", "start_date 2025-06-01", "2025-07-01", "roster.csv, line 3",
                      "docs/data.md")


def test_an_end_date_given_on_one_row_only_is_the_csms(tmp_path):
    roster = (f"{HEADER},end_date\nC1,Ana,Enterprise,100000,40000,,\n"
              "C1,Ana,Enterprise,100000,44000,2026-02-01,2026-02-28\n")
    row = replayed(org(tmp_path, roster)).loc["C1"]
    # 31 days under the first row, 28 under the second (the end_date holds for the person):
    # 10,000 × 31/90 + 11,000 × 28/90 = (310,000 + 308,000) / 90 = 618,000 / 90.
    assert row["actual_target_variable"] == pytest.approx(618_000 / 90, abs=1e-9)


def test_rows_in_force_in_one_quarter_in_two_currencies_are_refused(tmp_path):
    # A blank currency is the plan's (USD): a switch to EUR inside the quarter gives two currencies.
    roster = f"{HEADER},currency\nC1,Ana,Enterprise,100000,40000,,\nC1,Ana,Enterprise,100000,44000,2026-02-01,EUR\n"
    dataset = load_dataset(org(tmp_path, roster))
    window = ["2026Q1"]
    rows, periods = attach_roster(replayed_csms(dataset, dataset.accounts, window,
                                                book_codes(dataset.accounts, ["quarter", "csm_id"])), dataset)
    assert rows.loc[0, "currency"] == "EUR"  # the row in force on the last day
    with pytest.raises(DataError) as raised:
        check_pay_currencies(rows, periods, "USD", dataset)
    text = str(raised.value)
    assert "CSM C1" in text and "2026Q1" in text and "USD and EUR" in text and "roster.csv, line 3" in text
    check_pay_currencies(rows, periods, "EUR", dataset)  # under a EUR plan, blank is EUR: one currency


def test_a_blank_currency_and_the_plans_code_are_one_currency(tmp_path):
    roster = f"{HEADER},currency\nC1,Ana,Enterprise,100000,40000,,\nC1,Ana,Enterprise,100000,44000,2026-02-01,USD\n"
    document = stress_json(org(tmp_path, roster))
    assert document["rows"][0]["target_variable"] == 10655.56  # 959,000 / 90, as above


def test_currency_reaches_every_replayed_row(tmp_path):
    roster = "csm_id,name,segment,annual_base,annual_variable,currency\nC1,Ana,Enterprise,100000,40000,USD\n"
    assert replayed(org(tmp_path, roster)).loc["C1", "currency"] == "USD"


# --- the fiscal calendar ------------------------------------------------------------------------------------


def test_a_fiscal_quarter_counts_its_own_days(tmp_path):
    # A fiscal year from February: FY2027Q1 is 1 February – 30 April 2026, 28 + 31 + 30 = 89 days.
    # A raise on 1 April: February and March (59 days) under the old row, April (30) under the new.
    accounts = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\nFY2027Q1,A1,C1,100000,0,0,0\n"
    roster = f"{HEADER}\nC1,Ana,Enterprise,100000,40000,\nC1,Ana,Enterprise,100000,44000,2026-04-01\n"
    folder = org(tmp_path, roster, accounts=accounts, payouts="quarter,csm_id,amount\nFY2027Q1,C1,0\n")
    row = replayed(folder, calendar=Calendar(2), quarter="FY2027Q1").loc["C1"]
    # 10,000 × 59/89 + 11,000 × 30/89 = (590,000 + 330,000) / 89 = 920,000 / 89.
    assert row["actual_target_variable"] == pytest.approx(920_000 / 89, abs=1e-9)


# --- a history that does not change pay is section 1 ---------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(changes=st.lists(st.integers(min_value=-400, max_value=400), min_size=1, max_size=5, unique=True),
       blank=st.booleans(), variable=st.integers(min_value=0, max_value=500_000),
       start=st.one_of(st.none(), st.integers(min_value=-120, max_value=120)),
       end=st.one_of(st.none(), st.integers(min_value=-120, max_value=120)))
def test_a_history_with_the_same_pay_on_every_row_gives_section_1s_tv(tmp_path_factory, changes, blank, variable,
                                                                    start, end):
    import datetime

    day0 = datetime.date(2026, 1, 1)

    def day(offset):
        return (day0 + datetime.timedelta(days=offset)).isoformat()

    if start is not None and end is not None and end < start:
        start, end = end, start
    dates = f",{day(start) if start is not None else ''},{day(end) if end is not None else ''}"
    body = "".join(f"C1,Ana,Enterprise,100000,{variable},{day(c)}{dates}\n" for c in changes)
    if blank:
        body += f"C1,Ana,Enterprise,100000,{variable},{dates}\n"
    folder = tmp_path_factory.mktemp("history")
    history = org(folder, f"{HEADER},start_date,end_date\n{body}")
    # Section 1: one row, no effective_date; its start is the later of start_date and the first row.
    earliest = None if blank else min(changes)
    first = max(d for d in (start, earliest) if d is not None) if (start, earliest) != (None, None) else None
    flat = org(folder / "flat", "csm_id,name,segment,annual_base,annual_variable,start_date,end_date\n"
               f"C1,Ana,Enterprise,100000,{variable},{day(first) if first is not None else ''},"
               f"{day(end) if end is not None else ''}\n")
    if earliest is not None and earliest > 89:  # nothing in force in 2026Q1 (31 March is day 89): refused
        return
    if first is not None and end is not None and end < first:
        return  # section 1's roster would refuse an end before the start
    ours, theirs = replayed(history).loc["C1"], replayed(flat).loc["C1"]
    for column in ("actual_target_variable", "target_variable", "actual_base", "base", "proration"):
        assert ours[column] == theirs[column], column  # exactly, to the last bit


def test_simulate_pays_the_quarters_ahead_on_the_new_row_after_a_raise(tmp_path):
    from cscomp_cli.analyses.simulate import build_team

    dataset = load_dataset(org(tmp_path, RAISE))
    team, _, _ = build_team(plan_from_document(NRR_PLAN), dataset, 1)
    csm = team.csms.set_index("csm_id").loc["C1"]
    # Ahead, the raise holds every day: 44,000 / 4 = 11,000 TV and 110,000 / 4 = 27,500 base a quarter.
    assert (csm["target_variable"], csm["base"], csm["actual_base"]) == (11000, 27500, 27500)


# --- a data map and init read an HR export's effective dates ----------------------------------------------


def test_init_maps_an_effective_date_column_and_the_replay_splits_the_quarter(tmp_path):
    from cscomp_cli.inputs.datamap import MAP_FILE
    from cscomp_cli.inputs.guessing.guess import guess_map

    folder = write_files(tmp_path / "hr",
                         roster="Employee ID,Worker,Segment,Base Salary,Target Bonus,Effective Date\n"
                                "E1,Ana,SMB,100000,40000,\nE1,Ana,SMB,110000,44000,02/01/2026\n",
                         accounts=ACCOUNTS.replace("C1", "E1"),
                         payouts="quarter,csm_id,amount\n2026Q1,E1,0\n")
    guess = guess_map(folder)
    assert "effective_date: Effective Date" in guess.text
    # 02/01/2026 reads both ways: init proposes the US reading and asks to confirm it (confirmed here).
    assert [u.key for u in guess.undecided] == ["tables.roster.dates"]
    (folder / MAP_FILE).write_text(guess.text, encoding="utf-8")
    dataset = load_dataset(folder, calendar=Calendar(1))
    # 02/01/2026 read as the US export writes it, 1 February: the same split as above, 959,000 / 90.
    result = replay(plan_from_document(NRR_PLAN), dataset, window=["2026Q1"])
    assert result.rows.loc[0, "actual_target_variable"] == pytest.approx(959_000 / 90, abs=1e-9)
