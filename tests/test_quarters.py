"""Quarter labels and the fiscal calendar: spellings, the days each quarter spans, dating a payment.

Day counts are worked by hand in the comments (February 2026 has 28 days, February 2024 has 29).
"""

from __future__ import annotations

import functools
import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cscomp_cli.analyses.sweep import apply_setting
from cscomp_cli.analyses.validate import validate
from cscomp_cli.core.errors import DataError, PlanError
from cscomp_cli.core.quarters import (
    CALENDAR,
    Calendar,
    month_number,
    parse_quarter,
    quarter_bounds,
)
from cscomp_cli.engine.replay import replay
from cscomp_cli.inputs import dataset as data_module
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.inputs.tables import load_accounts
from cscomp_cli.plan.loading import parse_plan

from .conftest import NRR_ONLY_YAML, assert_user_error, run, write_files

FEBRUARY = Calendar(2)  # FY2027 = 1 Feb 2026 – 31 Jan 2027 (named for the year it ends in)
FEBRUARY_START = Calendar(2, "start")  # FY2026 = 1 Feb 2026 – 31 Jan 2027


def days(text: str) -> np.ndarray:
    return np.array(text.split(), dtype="datetime64[D]")


# --- spellings -----------------------------------------------------------------------------

CALENDAR_SPELLINGS = ["2026Q1", "2026-Q1", "2026 Q1", "Q1 2026", "Q1-2026", "2026q1", " q1 2026 ", "FY2026Q1",
                      "FY26Q1", "FY26 Q1", "FY2026-Q1", "Q1 FY2026", "Q1 FY26", "fy2026q1", "Fy 2026 - q1"]


@pytest.mark.parametrize("text", CALENDAR_SPELLINGS)
def test_every_spelling_is_2026q1_under_calendar_quarters(text):
    assert CALENDAR.canonical(text) == "2026Q1"


@pytest.mark.parametrize("text", [s.replace("26", "27") for s in CALENDAR_SPELLINGS])
def test_every_spelling_is_fiscal_under_a_fiscal_calendar(text):
    # A plain 2027Q1 is read as FY2027Q1: under a fiscal calendar every label is a fiscal one.
    assert FEBRUARY.canonical(text) == "FY2027Q1"
    assert FEBRUARY_START.canonical(text) == "FY2027Q1"


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "Q1", "2026", "FY2026", "FYQ1", "26Q1", "Q1 26", "F2026Q1",
                                  "FY 2026 Q1 Q2", "2026-Q1-", "spring 2026", "", "  ", "FY202Q1", "２０２６Q1",
                                  "2026Q1x", "FY-Q1-2026", "0000Q1"])
def test_what_is_not_a_quarter(text):
    assert CALENDAR.canonical(text) is None
    assert FEBRUARY.canonical(text) is None


def test_parse_quarter_keeps_the_written_fiscal_ness():
    # The plan is read before any data: only the spelling is settled there.
    assert parse_quarter("FY27 Q1") == "FY2027Q1"
    assert parse_quarter("Q3 FY2026") == "FY2026Q3"
    assert parse_quarter("2026-Q1") == "2026Q1"
    assert parse_quarter("Q4-2025") == "2025Q4"
    assert parse_quarter("Q5 FY27") is None


def test_years_python_cannot_date_are_not_quarters():
    # FY0001 from February, named for its end, would start in February of year 0.
    assert FEBRUARY.canonical("FY0001Q1") is None and FEBRUARY.canonical("FY0002Q1") == "FY0002Q1"
    # Named for its start, FY9999 would end in January 10000.
    assert FEBRUARY_START.canonical("FY9999Q1") is None and FEBRUARY.canonical("FY9999Q4") == "FY9999Q4"
    assert CALENDAR.bounds("9999Q4") == (date(9999, 10, 1), date(9999, 12, 31))


@pytest.mark.parametrize(("value", "month"), [("February", 2), ("feb", 2), ("Feb.", 2), ("FEBRUARY", 2), (2, 2),
                                              ("2", 2), ("02", 2), ("Sept", 9), ("sep", 9), ("december", 12),
                                              (1, 1), (12.0, 12), (" July ", 7)])
def test_month_names_and_numbers(value, month):
    assert month_number(value) == month


@pytest.mark.parametrize("value", ["Febuary", "ju", "ma", 0, 13, "13", True, None, 2.5, "", "second"])
def test_what_is_not_a_month(value):
    assert month_number(value) is None  # the map loader says what is wrong, naming its key


def test_a_calendar_refuses_an_impossible_start():
    with pytest.raises(ValueError, match="first_month"):
        Calendar(13)
    with pytest.raises(ValueError, match="named_for"):
        Calendar(2, "middle")


def test_describe():
    assert FEBRUARY.describe() == ("fiscal year starts 1 February, named for the year it ends in; "
                                   "FY2027 = 1 Feb 2026 – 31 Jan 2027")
    assert FEBRUARY_START.describe() == ("fiscal year starts 1 February, named for the year it starts in; "
                                         "FY2026 = 1 Feb 2026 – 31 Jan 2027")
    assert CALENDAR.describe() == "calendar quarters (the year starts 1 January); 2026Q1 = 1 Jan 2026 – 31 Mar 2026"
    assert not CALENDAR.fiscal and FEBRUARY.fiscal and not Calendar(1, "start").fiscal


# --- days ----------------------------------------------------------------------------------


def test_february_fiscal_quarters_named_for_their_end():
    # FY2027 runs 1 Feb 2026 – 31 Jan 2027. Q1 Feb–Apr: 28 + 31 + 30 = 89 days.
    assert FEBRUARY.bounds("FY2027Q1") == (date(2026, 2, 1), date(2026, 4, 30))
    assert FEBRUARY.bounds("FY2027Q2") == (date(2026, 5, 1), date(2026, 7, 31))  # 31 + 30 + 31 = 92
    assert FEBRUARY.bounds("FY2027Q4") == (date(2026, 11, 1), date(2027, 1, 31))
    first, last = FEBRUARY.day_numbers(np.array(["FY2027Q1", "FY2027Q2", "FY2027Q1"], dtype=object))
    assert ((last - first).astype(int) + 1).tolist() == [89, 92, 89]


def test_named_for_start_shifts_the_name_not_the_days():
    # Named for its start, the year of 1 Feb 2026 – 31 Jan 2027 is FY2026, not FY2027.
    assert FEBRUARY_START.bounds("FY2026Q1") == (date(2026, 2, 1), date(2026, 4, 30))
    assert FEBRUARY_START.bounds("FY2026Q4") == (date(2026, 11, 1), date(2027, 1, 31))
    assert FEBRUARY.bounds("FY2026Q1") == (date(2025, 2, 1), date(2025, 4, 30))


def test_a_january_calendar_reads_fy2026q1_as_2026q1():
    assert CALENDAR.canonical("FY2026Q1") == "2026Q1"
    assert CALENDAR.bounds("FY2026Q1") == CALENDAR.bounds("2026Q1") == (date(2026, 1, 1), date(2026, 3, 31))
    # Naming does not matter when the fiscal year is the calendar year.
    assert Calendar(1, "start").canonical("FY2026Q1") == "2026Q1"
    assert quarter_bounds("2026Q4") == (date(2026, 10, 1), date(2026, 12, 31))


def test_leap_years():
    # FY2025 from February (named end) = 1 Feb 2024 – 31 Jan 2025; 2024 is a leap year.
    # Q1 1 Feb – 30 Apr 2024: 29 + 31 + 30 = 90 days. Q4 1 Nov 2024 – 31 Jan 2025: 30 + 31 + 31 = 92.
    assert FEBRUARY.bounds("FY2025Q1") == (date(2024, 2, 1), date(2024, 4, 30))
    assert FEBRUARY.bounds("FY2025Q4") == (date(2024, 11, 1), date(2025, 1, 31))
    first, last = FEBRUARY.day_numbers(np.array(["FY2025Q1", "FY2025Q4", "FY2026Q1"], dtype=object))
    assert ((last - first).astype(int) + 1).tolist() == [90, 92, 89]
    # A December fiscal year holding a leap February: Q1 = Dec 2023 – Feb 2024 = 31 + 31 + 29 = 91.
    assert Calendar(12).bounds("FY2024Q1") == (date(2023, 12, 1), date(2024, 2, 29))


# --- dating a payment ----------------------------------------------------------------------


def test_a_bonus_paid_a_month_after_its_quarter():
    # Paid 2026-05-15, one month after the quarter: for the quarter holding 2026-04-15.
    # February calendar: April 2026 is in Feb–Apr 2026 = FY2027Q1. Calendar quarters: Apr–Jun = 2026Q2.
    paid = days("2026-05-15")
    assert FEBRUARY.quarter_of(paid, months_back=1).tolist() == ["FY2027Q1"]
    assert CALENDAR.quarter_of(paid, months_back=1).tolist() == ["2026Q2"]
    assert FEBRUARY_START.quarter_of(paid, months_back=1).tolist() == ["FY2026Q1"]
    # Paid in the quarter itself (months_back 0): 2026-05-15 is in May–Jul 2026 = FY2027Q2.
    assert FEBRUARY.quarter_of(paid).tolist() == ["FY2027Q2"]


def test_quarter_of_across_a_year_end_and_missing_dates():
    # 2026-02-10 less one month is January 2026: the last quarter of FY2026 (Nov 2025 – Jan 2026).
    dates = days("2026-02-10 NaT 2026-01-31 2026-02-01")
    assert FEBRUARY.quarter_of(dates, months_back=1).tolist() == ["FY2026Q4", None, "FY2026Q4", "FY2026Q4"]
    assert FEBRUARY.quarter_of(dates).tolist() == ["FY2027Q1", None, "FY2026Q4", "FY2027Q1"]
    assert CALENDAR.quarter_of(dates, months_back=3).tolist() == ["2025Q4", None, "2025Q4", "2025Q4"]
    assert CALENDAR.quarter_of(days("")).tolist() == []


def test_canonical_many_keeps_the_index_and_blanks():
    cells = pd.Series(["FY27Q1", "", "Q2 FY2027", "2027Q1", "bad"], index=[5, 6, 7, 8, 9])
    out = FEBRUARY.canonical_many(cells)
    assert out.index.tolist() == [5, 6, 7, 8, 9]
    assert out.tolist() == ["FY2027Q1", None, "FY2027Q2", "FY2027Q1", None]
    assert FEBRUARY.canonical_many(pd.Series([], dtype=object)).tolist() == []


# --- properties ----------------------------------------------------------------------------

calendars = st.builds(Calendar, st.integers(1, 12), st.sampled_from(["end", "start"]))
years = st.integers(1901, 2199)


@given(calendars, years)
def test_the_four_quarters_tile_the_fiscal_year(calendar, year):
    prefix = "FY" if calendar.fiscal else ""
    spans = [calendar.bounds(f"{prefix}{year}Q{q}") for q in range(1, 5)]
    following = calendar.bounds(f"{prefix}{year + 1}Q1")[0]
    for (_, last), (first, _) in zip(spans, [*spans[1:], (following, None)]):
        assert last + timedelta(days=1) == first  # no gap, no overlap
    total = (spans[3][1] - spans[0][0]).days + 1
    assert total in (365, 366)
    assert spans[0][0].month == calendar.first_month and spans[0][0].day == 1


@settings(max_examples=50)
@given(calendars, years)
def test_every_day_of_a_fiscal_year_is_in_exactly_one_of_its_quarters(calendar, year):
    prefix = "FY" if calendar.fiscal else ""
    labels = [f"{prefix}{year}Q{q}" for q in range(1, 5)]
    first = calendar.bounds(labels[0])[0]
    every_day = np.arange(np.datetime64(first), np.datetime64(calendar.bounds(labels[3])[1]) + 1)
    held = [[a <= day.astype(date) <= b for a, b in map(calendar.bounds, labels)] for day in every_day]
    assert all(sum(row) == 1 for row in held)
    found = calendar.quarter_of(every_day)
    assert found.tolist() == [labels[row.index(True)] for row in held]


@given(calendars, st.one_of(st.text(max_size=12),
                            st.builds(lambda fy, y, q, sep, first: (f"Q{q}{sep}{fy}{y}" if first else
                                                                    f"{fy}{y}{sep}Q{q}"),
                                      st.sampled_from(["", "FY", "fy", "FY "]), st.integers(1000, 2999),
                                      st.integers(1, 4), st.sampled_from(["", " ", "-"]), st.booleans())))
def test_canonical_is_idempotent(calendar, text):
    label = calendar.canonical(text)
    if label is not None:
        assert calendar.canonical(label) == label
        assert calendar.quarter_of(np.array([calendar.bounds(label)[1]], dtype="datetime64[D]")).tolist() == [label]


# --- loading and replaying with a fiscal calendar ------------------------------------------

# Under a February calendar (named end): FY2027Q1 = 2026-02-01..2026-04-30 (89 days), FY2027Q2 =
# 2026-05-01..2026-07-31 (92 days). Cy is hired 2026-03-15: employed 15–31 March (17 days) + April
# (30 days) = 47 of FY2027Q1's 89 days, and all of FY2027Q2. TV 20,000 / 4 = 5,000 a quarter.
# Flat books (nrr 1.0) pay f(1.0) = 1 × TV: Ana 5,000 each quarter; Cy 5,000 × 47/89 = 2,640.4494…
# → 2,640.45 in FY2027Q1, 5,000 in FY2027Q2. Cy's base 100,000 / 4 × 47/89 = 13,202.2471… → 13,202.25.
FISCAL_ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
FY2027Q1,A1,C1,100000,0,0,0
FY27 Q1,A3,C3,100000,0,0,0
Q2 FY27,A1,C1,100000,0,0,0
2027Q2,A3,C3,100000,0,0,0
"""
FISCAL_ROSTER = """\
csm_id,name,segment,annual_base,annual_variable,start_date
C1,Ana,Enterprise,100000,20000,
C3,Cy,SMB,100000,20000,2026-03-15
"""
FISCAL_PAYOUTS = """\
quarter,csm_id,amount
FY2027Q1,C1,5000
fy2027q1,C3,2640.45
Q2-FY2027,C1,5000
2027-Q2,C3,5000
"""


@pytest.fixture
def fiscal_folder(tmp_path):
    return write_files(tmp_path / "data", accounts=FISCAL_ACCOUNTS, roster=FISCAL_ROSTER, payouts=FISCAL_PAYOUTS,
                       **{"plan.yaml": NRR_ONLY_YAML})


@pytest.fixture
def fiscal_cli(monkeypatch):
    """The CLI with its data read under a February calendar (the data map will say so; here the loader does)."""
    monkeypatch.setattr(data_module, "load_dataset", functools.partial(load_dataset, calendar=FEBRUARY))


def test_a_fiscal_stress_test_prorates_over_the_fiscal_quarter_and_shows_fy_labels(fiscal_folder, fiscal_cli):
    result = run("stress-test", fiscal_folder / "plan.yaml", "--data", fiscal_folder, "-n", "2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["quarters"] == ["FY2027Q1", "FY2027Q2"]
    rows = {(r["quarter"], r["csm_id"]): r for r in document["rows"]}
    assert set(rows) == {("FY2027Q1", "C1"), ("FY2027Q1", "C3"), ("FY2027Q2", "C1"), ("FY2027Q2", "C3")}
    assert rows["FY2027Q1", "C3"]["target_variable"] == 2640.45  # 5,000 × 47/89
    assert rows["FY2027Q1", "C3"]["base"] == 13202.25  # 25,000 × 47/89
    assert rows["FY2027Q1", "C3"]["proposed"] == 2640.45 and rows["FY2027Q1", "C3"]["actual"] == 2640.45
    assert rows["FY2027Q2", "C3"]["target_variable"] == 5000.0  # hired before 1 May 2026: the whole quarter
    assert rows["FY2027Q1", "C1"]["proposed"] == 5000.0
    assert document["summary"]["delta"] == 0.0
    assert "2027Q1" not in result.stdout.replace("FY2027Q1", "")  # no calendar label leaks out


def test_a_fiscal_stress_test_as_csv_and_table(fiscal_folder, fiscal_cli):
    csv_out = run("stress-test", fiscal_folder / "plan.yaml", "--data", fiscal_folder, "-n", "2", "--format", "csv")
    assert csv_out.exit_code == 0, csv_out.stderr
    assert "FY2027Q1,C3" in csv_out.stdout and "FY2027Q2,C1" in csv_out.stdout
    table = run("stress-test", fiscal_folder / "plan.yaml", "--data", fiscal_folder, "-n", "2")
    assert table.exit_code == 0, table.stderr
    assert "FY2027Q1" in table.stdout


@pytest.mark.parametrize("quarter", ["Q1 FY27", "FY2027Q1", "2027Q1", "fy27-q1"])
def test_explain_reads_the_quarter_in_the_data_calendar(fiscal_folder, fiscal_cli, quarter):
    result = run("explain", fiscal_folder / "plan.yaml", "--data", fiscal_folder, "--csm", "C3", "--quarter", quarter,
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["quarter"] == "FY2027Q1"
    assert document["pay"]["proration"] == pytest.approx(47 / 89)


def test_explain_names_fiscal_spellings_when_the_quarter_is_bad(fiscal_folder, fiscal_cli):
    result = run("explain", fiscal_folder / "plan.yaml", "--data", fiscal_folder, "--csm", "C3", "--quarter", "Q5 FY27")
    assert_user_error(result, "'Q5 FY27' is not a quarter label", "FY2027Q1")
    result = run("explain", fiscal_folder / "plan.yaml", "--data", fiscal_folder, "--csm", "C3", "--quarter", "FY2026Q4")
    assert_user_error(result, "FY2026Q4 is not in accounts.csv", "FY2027Q1, FY2027Q2")


def test_a_bad_label_under_a_fiscal_calendar_says_how_to_write_one(tmp_path):
    path = write_files(tmp_path, accounts=FISCAL_ACCOUNTS + "FY27Q5,A9,C1,1,0,0,0\n") / "accounts.csv"
    with pytest.raises(DataError) as raised:
        load_accounts(path, calendar=FEBRUARY)
    error = raised.value
    assert error.location == "line 6, column quarter" and "'FY27Q5' is not a quarter label" in error.message
    assert "FY2027Q1" in error.hint and "docs/data.md" in error.hint
    # Calendar quarters keep today's hint.
    with pytest.raises(DataError) as raised:
        load_accounts(path)
    assert raised.value.hint.startswith("write quarters like 2026Q1, 2026-Q1") and "FY" not in raised.value.hint


def test_calendar_quarters_read_fy_labels_as_calendar_ones_only_when_declared(tmp_path):
    # FY2026Q1 under a declared January year (fiscal_year: {first_month: 1}) is 2026Q1: one quarter, not
    # two. Undeclared, nothing says which months FY2026Q1 covers (issue 22): an error, not a guess.
    path = write_files(tmp_path, accounts="""\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn
        FY2026Q1,A1,C1,100,0,0,0
        2026Q1,A2,C1,100,0,0,0
        """) / "accounts.csv"
    assert load_accounts(path, calendar=Calendar(1, declared=True))["quarter"].astype(str).tolist() == [
        "2026Q1", "2026Q1"]
    with pytest.raises(DataError, match="'FY2026Q1' is a fiscal-year label, but no fiscal year is set"):
        load_accounts(path)
    assert load_accounts(path, calendar=FEBRUARY)["quarter"].astype(str).tolist() == ["FY2026Q1", "FY2026Q1"]


# Two floating components, each paying in one quarter (weight 1 each): the plan spells its quarters
# its own way; the replay reads them in the data's calendar.
FLOATING_PLAN = """\
name: floating
components:
  - id: spring
    metric: nrr
    weight: 1.0
    target: 1.0
    curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
    quarters: [FY27 Q1]
  - id: summer
    metric: nrr
    weight: 1.0
    target: 1.0
    curve: [[0.9, 0.0], [1.0, 2.0]]
    quarters: [2027Q2]
"""


def test_plan_quarters_are_read_in_the_data_calendar(fiscal_folder):
    plan = parse_plan(FLOATING_PLAN)
    assert plan.components[0].quarters == ("FY2027Q1",) and plan.components[1].quarters == ("2027Q2",)
    rows = replay(plan, load_dataset(fiscal_folder, calendar=FEBRUARY)).rows.set_index(["quarter", "csm_id"])
    assert rows["spring_active"].to_dict() == {("FY2027Q1", "C1"): True, ("FY2027Q1", "C3"): True,
                                               ("FY2027Q2", "C1"): False, ("FY2027Q2", "C3"): False}
    # spring in FY2027Q1: f(1.0) = 1 × TV; summer in FY2027Q2: f(1.0) = 2 × TV = 10,000.
    assert rows["proposed_cents"].to_dict() == {("FY2027Q1", "C1"): 500_000, ("FY2027Q1", "C3"): 264_045,
                                                ("FY2027Q2", "C1"): 1_000_000, ("FY2027Q2", "C3"): 1_000_000}


def test_fy_plan_quarters_apply_to_calendar_data(tmp_path):
    folder = write_files(tmp_path, accounts=FISCAL_ACCOUNTS.replace("FY2027Q1", "2027Q1").replace("FY27 Q1", "2027Q1")
                         .replace("Q2 FY27", "2027Q2"), roster=FISCAL_ROSTER,
                         payouts="quarter,csm_id,amount\n2027Q1,C1,1\n")
    rows = replay(parse_plan(FLOATING_PLAN), load_dataset(folder)).rows
    assert sorted(set(rows["quarter"])) == ["2027Q1", "2027Q2"]
    assert rows.groupby("quarter")["spring_active"].all().to_dict() == {"2027Q1": True, "2027Q2": False}
    # Under calendar quarters Cy (hired 2026-03-15) works all of 2027Q1.
    assert rows.set_index(["quarter", "csm_id"])["proration"].to_dict()["2027Q1", "C3"] == 1.0


def test_a_plan_quarter_the_calendar_cannot_date_is_a_plan_error(fiscal_folder, fiscal_cli):
    (fiscal_folder / "bad.yaml").write_text(NRR_ONLY_YAML + "    quarters: [2027Q1, 0000Q1]\n", encoding="utf-8")
    result = run("stress-test", fiscal_folder / "bad.yaml", "--data", fiscal_folder.parent / "data", "-n", "1")
    assert_user_error(result, "components[0].quarters[1]", "0000Q1", "bad.yaml")
    assert "unexpected" not in result.stderr
    with pytest.raises(PlanError) as raised:
        replay(parse_plan((fiscal_folder / "bad.yaml").read_text()), load_dataset(fiscal_folder, calendar=FEBRUARY))
    assert raised.value.location == "components[0].quarters[1]" and "fiscal year starts 1 February" in raised.value.message


def test_a_year_0_label_in_the_data_is_a_data_error_not_a_crash(tmp_path):
    # It used to load and then fail in the replay with "unexpected ValueError: year 0 is out of range".
    folder = write_files(tmp_path, accounts="""\
        quarter,account_id,csm_id,arr_start,expansion,contraction,churn
        0000Q1,A1,C1,100,0,0,0
        """, roster=FISCAL_ROSTER, payouts="quarter,csm_id,amount\n")
    write_files(folder, **{"plan.yaml": NRR_ONLY_YAML})
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "-n", "1")
    assert_user_error(result, "accounts.csv", "line 2, column quarter", "'0000Q1' is not a quarter label")
    assert "unexpected" not in result.stderr


def test_validate_reads_plan_quarters_in_the_data_calendar(fiscal_folder):
    (fiscal_folder / "floating.yaml").write_text(FLOATING_PLAN.replace("[2027Q2]", "[2027Q2, Q3 FY27]"),
                                                 encoding="utf-8")
    found = validate(fiscal_folder / "floating.yaml", fiscal_folder, calendar=FEBRUARY)
    assert found.ok, [p.as_dict() for p in found.errors]
    never = [p.message for p in found.warnings if "does not cover" in p.message]
    assert never == ["component 'summer' pays in FY2027Q3, which accounts.csv does not cover"]
    assert found.checked["accounts.csv"]["quarters"] == "FY2027Q1–FY2027Q2"


def test_a_weight_sweep_rebalances_components_paying_in_the_same_quarters_however_spelled():
    # FY27 Q1 and 2027-Q1 are one quarter under any calendar: sweeping a to 0.5 leaves b 0.5 (0.4 × 0.5 / 0.4).
    document = {"name": "p", "components": [
        {"id": "a", "metric": "nrr", "weight": 0.6, "curve": [[1, 1]], "quarters": ["FY27 Q1"]},
        {"id": "b", "metric": "nrr", "weight": 0.4, "curve": [[1, 1]], "quarters": ["2027-Q1"]},
        {"id": "c", "metric": "nrr", "weight": 1.0, "curve": [[1, 1]], "quarters": ["FY2027Q2"]}]}
    changed = apply_setting(document, ("components", "a", "weight"), 0.5)
    assert [c["weight"] for c in changed["components"]] == [0.5, pytest.approx(0.5), 1.0]


def test_a_plan_quarter_that_is_no_spelling_is_refused_before_any_data(tmp_path):
    plan = write_files(tmp_path, **{"plan.yaml": NRR_ONLY_YAML + "    quarters: [FY27 Q1, Q5 FY27]\n"}) / "plan.yaml"
    result = run("validate", plan, "--data", tmp_path / "missing")
    assert result.exit_code == 2 and "Traceback" not in result.stderr + result.stdout
    assert "components[0].quarters" in result.stdout + result.stderr
    assert "'Q5 FY27' is not a quarter label (write 2026Q1, or FY2027Q1 for a fiscal quarter)" in (result.stdout
                                                                                                  + result.stderr)
