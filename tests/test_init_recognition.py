"""`cscomp init` recognises exports by meaning: the tools' default headers weighed with what the cells
hold (e-mails, names, ids, dates, money, RAG words...), every guess with its evidence in the map, and
every choice it cannot settle written UNDECIDED, never chosen silently."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cscomp_cli.inputs.guessing import profiles as p
from cscomp_cli.inputs.guessing.guess import guess_map
from cscomp_cli.inputs.guessing.recognition import recognise

from .conftest import run, write_files

REPO = Path(__file__).resolve().parents[1]
SETS = REPO / "tests" / "tool_exports"


def _benchmark():
    spec = importlib.util.spec_from_file_location("init_decisions", REPO / "benchmarks" / "init_decisions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["init_decisions"] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def cells(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype=object)


# --- value profiles ---------------------------------------------------------------------------------


def test_emails_are_told_from_names_and_ids():
    assert p.emails(cells("ana@x.io", "Bo.Chen@Example.com", "", "not an email")) == 2
    assert p.profile(cells("ana@x.io", "bo@x.io", "cy@x.io")).kind == "email"
    assert p.profile(cells("ana@x.io", "bo@x.io", "cy@x.io")).evidence == "3 of 3 cells are e-mail addresses"


def test_names_first_last_and_last_first():
    assert p.person_names(cells("Ana Lima", "Ben Okoro", "Chen, Maya")) == (2, 1)
    assert p.profile(cells("Chen, Maya", "Haddad, Omar", "O'Connor, James")).kind == "name_last_first"
    assert p.profile(cells("Maya Chen", "Omar Haddad", "Lucia Romero")).kind == "name"
    # A job title or an earnings line is not a person's name, though it is two capitalised words.
    assert p.person_names(cells("Customer Success Manager", "Regular Salary")) == (0, 0)


def test_ids_keep_their_leading_zeros():
    assert p.ids(cells("000412", "000417", "E1001")) == (3, True)
    found = p.profile(cells("000412", "000417", "000423"))
    assert found.kind == "id" and found.leading_zeros


def test_mrr_magnitude_against_the_arr_beside_it():
    # 1,250 × 12 = 15,000 and 2,000 × 12 = 24,000: both rows are the ARR beside them; the third row
    # (500 × 12 = 6,000 against 7,000) is not, so 2 of 3.
    mrr, arr = cells("1,250.00", "2,000.00", "500.00"), cells("15,000.00", "24,000.00", "7,000.00")
    assert p.monthly_against(mrr, arr) == pytest.approx(2 / 3)
    # Per-account amounts with a median of 1,250 are a month's, not a year's; 150,000 is a year's.
    assert p.typical_monthly(cells("1,250.00", "900.00", "3,100.00"))
    assert not p.typical_monthly(cells("150,000.00", "90,000.00", "310,000.00"))


def test_rag_words_and_health_emoji():
    assert p.rag(cells("Green", "amber", "Red")) == {"Green": "green", "amber": "amber", "Red": "red"}
    assert p.rag(cells("🟢", "🟡", "🔴")) == {"🟢": "green", "🟡": "yellow", "🔴": "red"}
    assert p.rag(cells("Green", "Adopting")) == {}  # one word is no colour: not a RAG column
    assert p.profile(cells("🟢", "🟡", "🔴")).evidence == "3 of 3 cells are health emoji"


def test_dates_on_quarter_boundaries():
    # 31 Mar, 30 Jun and 1 Oct are a quarter's last or first day; 15 May is not: 3 of 4.
    assert p.quarter_boundaries(cells("3/31/2026", "6/30/2026", "10/01/2026", "5/15/2026")) == pytest.approx(0.75)
    found = p.profile(cells("9/30/2025", "12/31/2025", "3/31/2026"))
    assert found.kind == "date" and found.quarter_ends == 1.0


def test_fx_pairs_and_currency_codes():
    assert p.fx_pairs(cells("EURUSD", "GBP/USD", "EUR-USD", "EURXYZ")) == 3
    assert p.currencies(cells("USD", "eur", "GBP", "XYZ")) == 3
    assert p.profile(cells("EURUSD", "GBPUSD")).kind == "pair"


def test_earning_codes_and_status_words():
    assert p.earning_codes(cells("REG", "BONUS", "COMM", "QBON", "Ana")) == 4
    assert p.profile(cells("REG", "BON", "REG", "OT")).kind == "code"
    assert p.status_words(cells("Renewed", "Churned", "Downgraded", "Adopting")) == 3


def test_money_with_codes_and_signs():
    assert p.money(cells("$217,300.00", "$64,483.00")) == (2, "$")
    assert p.money(cells("USD 142,000", "USD 35,500")) == (2, "USD")
    assert p.amount_of("(1,200.00)") == -1200.0 and p.amount_of("230.200,00") == 230200.0


# --- recognition: a header's name weighed with its cells --------------------------------------------


def _recognised(csv: str, table: str):
    lines = [line.split(",") for line in csv.strip().splitlines()]
    frame = pd.DataFrame(lines[1:], columns=lines[0], dtype=object)
    return recognise(list(frame.columns), frame, table)


def test_a_generic_header_is_taken_only_when_its_cells_agree():
    # 'Company owner' is HubSpot's generic owner: names confirm it as the CSM.
    found = _recognised("Record ID,Company owner,ARR at quarter start\n1,Ana Lima,100\n2,Bo Chen,200\n", "accounts")
    assert found.columns["csm_id"] == "Company owner" and found.columns["account_id"] == "Record ID"
    assert "HubSpot's default header" in found.evidence["csm_id"] and "people's names" in found.evidence["csm_id"]
    # 'Owner' left blank says nothing: not taken.
    blank = _recognised("Account ID,Owner,Beginning ARR\nA1,,100\nA2,,200\n", "accounts")
    assert "csm_id" not in blank.columns


def test_two_headers_that_fit_equally_are_left_open():
    found = _recognised("Employee ID,Worker ID,Worker,Annual Base Salary\nE1,W1,Ana Lima,1\n", "roster")
    assert "csm_id" not in found.columns and found.open["csm_id"] == ["Employee ID", "Worker ID"]


def test_first_and_last_name_join_when_no_full_name():
    found = _recognised("Employee #,First Name,Last Name\n101,Ana,Lima\n", "roster")
    assert found.join == ["First Name", "Last Name"] and "name" not in found.columns


# --- the map written ----------------------------------------------------------------------------------

ROSTER = """\
Employee ID,First Name,Last Name,Work Email,Job Title,Annual Salary,Target Bonus,Hire Date
E1,Ana,Lima,ana.lima@acme.io,Customer Success Manager,"100,000.00","20,000.00",2021-03-01
E2,Bo,Chen,bo.chen@acme.io,Customer Success Manager,"110,000.00","25,000.00",2022-01-04
"""


def test_owner_emails_match_the_roster_by_email_with_the_evidence(tmp_path):
    folder = write_files(tmp_path / "e", roster=ROSTER, accounts=(
        "Account ID,Company owner,Quarter,Beginning ARR,Expansion ARR,Contraction ARR,Churned ARR\n"
        "A1,Ana.Lima@acme.io,2026Q1,100.00,0.00,0.00,0.00\nA2,bo.chen@acme.io,2026Q1,200.00,0.00,0.00,0.00\n"))
    guess = guess_map(folder)
    data = yaml.safe_load(guess.text)
    assert data["tables"]["accounts"]["columns"]["csm_id"] == {"column": "Company owner", "match": "email"}
    assert data["tables"]["roster"]["columns"]["email"] == "Work Email"
    assert data["tables"]["roster"]["columns"]["name"] == {"join": ["First Name", "Last Name"]}
    assert ("'Company owner' — 2 of 2 cells are e-mail addresses; matched to roster column 'Work Email' "
            "(2 of 2 addresses are a roster person's)") in guess.text


def test_owner_names_match_by_name(tmp_path):
    folder = write_files(tmp_path / "n", roster=ROSTER, accounts=(
        "Account ID,Owner,Quarter,Beginning ARR,Expansion ARR,Contraction ARR,Churned ARR\n"
        "A1,Ana Lima,2026Q1,100.00,0.00,0.00,0.00\nA2,Bo Chen,2026Q1,200.00,0.00,0.00,0.00\n"))
    columns = yaml.safe_load(guess_map(folder).text)["tables"]["accounts"]["columns"]
    assert columns["csm_id"] == {"column": "Owner", "match": "name"}


def test_payroll_names_last_first_and_a_description_naming_quarters(tmp_path):
    folder = write_files(tmp_path / "p", roster=ROSTER, accounts=(
        "Account ID,Owner,Quarter,Beginning ARR,Expansion ARR,Contraction ARR,Churned ARR\n"
        "A1,Ana Lima,2026Q1,100.00,0.00,0.00,0.00\nA2,Bo Chen,2026Q2,200.00,0.00,0.00,0.00\n"),
        payroll=("Pay Date,Employee,Earning Type,Description,Gross Amount\n"
                 "2026-04-15,\"Lima, Ana\",Bonus,Bonus - Q1 CS Variable,\"1,000.00\"\n"
                 "2026-07-15,\"Chen, Bo\",Bonus,Bonus - Q1 CS Variable (correction),\"200.00\"\n"
                 "2026-07-15,\"Chen, Bo\",Salary,Regular,\"9,000.00\"\n"))
    guess = guess_map(folder)
    columns = yaml.safe_load(guess.text)["tables"]["payouts"]["columns"]
    assert columns["csm_id"] == {"column": "Employee", "match": "name"}
    assert columns["quarter"] == {"column": "Pay Date", "from": "date", "paid_months_after": 1,
                                  "named_in": "Description"}
    assert "cells are names written 'Last, First'" in guess.text
    assert "2 of 2 lines name a quarter in 'Description'" in guess.text


def test_mrr_columns_scale_by_12_with_their_evidence(tmp_path):
    # Starting MRR 10,000 / 5,000 / 2,500: median 5,000 an account, a month's amount; the movements
    # beside it are MRR too.
    folder = write_files(tmp_path / "m", roster=ROSTER, accounts=(
        "Company GSID,CSM,Snapshot Quarter,Starting MRR,Expansion MRR,Contraction MRR,Churned MRR\n"
        "G1,Ana Lima,Q1 2026,\"10,000.00\",300.00,0.00,0.00\nG2,Ana Lima,Q1 2026,\"5,000.00\",0.00,0.00,0.00\n"
        "G3,Bo Chen,Q1 2026,\"2,500.00\",0.00,0.00,0.00\n"))
    guess = guess_map(folder)
    columns = yaml.safe_load(guess.text)["tables"]["accounts"]["columns"]
    assert columns["arr_start"] == {"column": "Starting MRR", "scale": 12}
    assert columns["expansion"] == {"column": "Expansion MRR", "scale": 12}
    assert "its amounts fit a month (median 5,000.00 an account)" in guess.text
    assert "'Expansion MRR' is MRR like 'Starting MRR' beside it" in guess.text


def test_new_business_arr_is_new_arr(tmp_path):
    folder = write_files(tmp_path / "nb", roster=ROSTER, accounts=(
        "External ID,Owner,Quarter,ARR Start,New Business ARR,Expansion ARR,Contraction ARR,Churned ARR\n"
        "P1,Ana Lima,2026Q1,0.00,\"50,000.00\",0.00,0.00,0.00\n"))
    columns = yaml.safe_load(guess_map(folder).text)["tables"]["accounts"]["columns"]
    assert columns["new_arr"] == "New Business ARR" and columns["arr_start"] == "ARR Start"


def test_a_column_two_headers_fit_is_undecided_with_the_choice_on_one_line(tmp_path):
    folder = write_files(tmp_path / "u", accounts=(
        "Account ID,CSM,Quarter,Beginning ARR,Expansion ARR,Contraction ARR,Churned ARR\n"
        "A1,E1,2026Q1,100.00,0.00,0.00,0.00\n"), roster=(
        "Employee ID,Worker ID,Worker,Annual Base Salary,Annual Target Incentive\nE1,W1,Ana Lima,1,1\n"))
    guess = guess_map(folder)
    assert "csm_id" not in yaml.safe_load(guess.text)["tables"]["roster"]["columns"]
    line = next(line for line in guess.text.splitlines() if "UNDECIDED: csm_id" in line)
    assert "one of Employee ID | Worker ID" in line
    assert "tables.roster.columns.csm_id" in [u.key for u in guess.undecided]


def test_a_history_and_an_fx_sheet_are_recognised(tmp_path):
    folder = write_files(tmp_path / "h", roster=ROSTER, accounts=(
        "Account ID,Owner,Quarter,Beginning ARR,Expansion ARR,Contraction ARR,Churned ARR\n"
        "A1,Ana Lima,2026Q1,100.00,0.00,0.00,0.00\n"),
        history=("Employee ID,Effective Date,Base salary,Target bonus,Currency,Reason\n"
                 "E1,2021-03-01,\"100,000.00\",\"20,000.00\",EUR,Hire\n"
                 "E1,2026-02-01,\"105,000.00\",\"21,000.00\",EUR,Merit\n"),
        rates="Month,EURUSD\n2026-01,1.08\n2026-02,1.09\n2026-03,1.10\n")
    guess = guess_map(folder)
    tables = yaml.safe_load(guess.text)["tables"]
    history = tables["roster"]["history"]
    assert history["files"] == "history.csv"
    assert history["columns"] == {"csm_id": "Employee ID", "effective_date": "Effective Date",
                                  "annual_base": "Base salary", "annual_variable": "Target bonus",
                                  "currency": "Currency", "reason": "Reason"}
    assert tables["fx"]["columns"] == {"month": "Month", "rate": "EURUSD"} and tables["fx"]["pair"] == "EURUSD"
    assert "tables.fx.rule" in [u.key for u in guess.undecided]  # quarter end or average: the finance team's rule



HISTORY_SHAPED = ("Employee ID,Worker,Base Salary,Target Bonus,Effective Date\n"
                  "E1,Ana Lima,\"100,000.00\",\"20,000.00\",2021-03-01\n"
                  "E1,Ana Lima,\"105,000.00\",\"21,000.00\",2026-02-01\n")
ANA_ACCOUNTS = "Account ID,Owner,Quarter,Beginning ARR\nA1,Ana Lima,2026Q1,100.00\n"


def test_a_lone_file_of_names_pay_and_effective_dates_is_the_roster(tmp_path):
    # Regression: it was read as a compensation history (an effective date scores for one), which left
    # the map with no roster. A history needs a worker list beside it to join to; alone it is the roster.
    folder = write_files(tmp_path / "alone", people=HISTORY_SHAPED, accounts=ANA_ACCOUNTS)
    guess = guess_map(folder)
    assert guess.tables == {"accounts": ["accounts.csv"], "roster": ["people.csv"]}
    roster = yaml.safe_load(guess.text)["tables"]["roster"]
    assert "history" not in roster
    assert roster["columns"]["effective_date"] == "Effective Date"
    assert roster["columns"]["annual_base"] == "Base Salary"


def test_a_history_is_one_only_when_it_joins_the_worker_list(tmp_path):
    # Beside a worker list naming E1, the same file is E1's pay history ...
    joined = write_files(tmp_path / "joined", roster=ROSTER, people=HISTORY_SHAPED, accounts=ANA_ACCOUNTS)
    assert guess_map(joined).tables["history"] == ["people.csv"]
    # ... but not beside a worker list of other people (X1, X2): no row of it would join.
    strangers = ROSTER.replace("E1,", "X1,").replace("E2,", "X2,").replace("Ana,Lima", "Cy,Ode")
    apart = write_files(tmp_path / "apart", roster=strangers, people=HISTORY_SHAPED, accounts=ANA_ACCOUNTS)
    assert "history" not in guess_map(apart).tables

# --- the tool-shaped sets ------------------------------------------------------------------------------

TOOL_SETS = sorted(p.name for p in SETS.iterdir() if (p / "decisions.yaml").is_file()) if SETS.is_dir() else []


@pytest.mark.parametrize("name", TOOL_SETS)
def test_no_wrong_decision_on_a_tool_shaped_set(name):
    outcome = _benchmark().score(name)
    wrong = [(path, detail) for path, verdict, detail in outcome.verdicts if verdict == "wrong"]
    assert wrong == []


def test_the_tool_shaped_sets_are_mostly_decided():
    bench = _benchmark()
    outcomes = [bench.score(name) for name in TOOL_SETS]
    right = sum(o.count("right") for o in outcomes)
    assert right / sum(len(o.verdicts) for o in outcomes) >= 0.85


def test_every_column_of_a_tool_set_map_carries_its_evidence():
    text = guess_map(SETS / "salesforce_workday_adp" / "raw").text
    assert "account_id: Account ID  # 'Account ID': a header cscomp knows; 23 of 23 cells are ids" in text
    assert "csm_id: File Number  # 'File Number': 14 of 14 cells are the roster's ids" in text
    assert ("'Supervisory Organization' names the segment after 'Customer Success -': Customer Success - "
            "Enterprise -> Enterprise") in text


def test_a_generated_map_with_the_new_transforms_loads(tmp_path):
    folder = tmp_path / "set"
    shutil.copytree(SETS / "churnzero_rippling" / "raw", folder)
    assert run("init", folder).exit_code == 0
    text = (folder / "cscomp-data.yaml").read_text(encoding="utf-8")
    for transform in ("match: email", "join: [First Name, Last Name]", "email: Work Email", "match: name",
                      "named_in: Description"):
        assert transform in text, transform
    result = run("validate", SETS / "plan.yaml", "--data", folder)
    assert result.exit_code == 0, result.stderr
    # the roster's CS Operations Analyst is left out and his bonus named as paid to someone not a CSM
    assert "Title CS Operations Analyst" in result.stdout and "Kim, Alex" in result.stdout
