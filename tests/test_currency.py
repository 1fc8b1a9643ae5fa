"""Currencies the data names (SPEC 6.3's cell rule): an amount may carry an ISO 4217 code before or after
the number, the roster and payouts may carry a currency column. A code other than its row's currency
(accounts and quotas: the plan's; a roster row without a currency cell: the plan's) is refused with file,
line, column and both codes, never summed as if it were the row's. Conversion itself:
tests/test_currency_conversion.py."""

from __future__ import annotations

import json
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cscomp_cli.core.currencies import ISO_4217, plan_currency_code
from cscomp_cli.inputs.tables import load_payouts, load_roster
from tests.conftest import (
    FLAT_ACCOUNTS,
    NRR_ONLY_YAML,
    PAID_AT_TARGET,
    assert_user_error,
    run,
    write_files,
)

# Two CSMs on annual_variable 20,000: TV 20,000 / 4 = 5,000 a quarter; flat books (nrr 1.0) pay the
# target, 5,000 each, under NRR_ONLY_YAML's curve (f(1.0) = 1.0).
ROSTER = "csm_id,name,segment,annual_base,annual_variable\nC1,Ana,SMB,{base},{variable}\nC2,Bo,SMB,100000,20000\n"


def org(tmp_path, *, roster: str | None = None, payouts: str = PAID_AT_TARGET, accounts: str = FLAT_ACCOUNTS,
        currency: str | None = None, **files: str):
    plan = NRR_ONLY_YAML + (f"currency: '{currency}'\n" if currency is not None else "")
    return write_files(tmp_path / "data", accounts=accounts, payouts=payouts, **{"plan.yaml": plan},
                       roster=roster or ROSTER.format(base="100000", variable="20000"), **files)


def stress(folder, *extra: str):
    return run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1", *extra)


def paid(folder, *extra: str) -> dict:
    result = stress(folder, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return {row["csm_id"]: (row["target_variable"], row["actual"]) for row in json.loads(result.stdout)["rows"]}


# --- a code other than the plan's is refused -------------------------------------------------------------


def test_a_roster_salary_in_pounds_under_a_dollar_plan_is_refused_naming_file_line_column_and_both_codes(tmp_path):
    folder = org(tmp_path, roster=ROSTER.format(base='"72,000.00 GBP"', variable="20000"))
    before = (folder / "roster.csv").read_bytes()
    result = stress(folder)
    assert_user_error(result, "roster.csv, line 2, column annual_base", "'72,000.00 GBP'", "GBP", "USD",
                      "docs/data.md")
    assert (folder / "roster.csv").read_bytes() == before  # inputs never touched


@pytest.mark.parametrize(("table", "text", "where"), [
    ("payouts", "quarter,csm_id,amount\n2026Q1,C1,EUR 5000\n2026Q1,C2,5000\n", "payouts.csv, line 2, column amount"),
    ("accounts", FLAT_ACCOUNTS.replace("A2,C2,100000", "A2,C2,100000 CAD"), "accounts.csv, line 3, column arr_start"),
])
def test_any_amount_column_carrying_another_code_is_refused(tmp_path, table, text, where):
    folder = org(tmp_path, **{table: text})
    assert_user_error(stress(folder), where, "USD")


def test_a_payouts_currency_column_in_another_code_needs_its_exchange_rate(tmp_path):
    folder = org(tmp_path, payouts="quarter,csm_id,amount,currency\n2026Q1,C1,5000,USD\n2026Q1,C2,5000,cad\n")
    assert_user_error(stress(folder), "payouts.csv, line 3, column currency", "CAD", "USD", "fx.csv",
                      "2026Q1,CAD,<rate>", "docs/data.md")


def test_a_roster_currency_column_in_another_code_needs_its_exchange_rate(tmp_path):
    roster = "csm_id,name,segment,annual_base,annual_variable,currency\nC1,Ana,SMB,100000,20000,\nC2,Bo,SMB,100000,20000,GBP\n"
    assert_user_error(stress(org(tmp_path, roster=roster)), "roster.csv, line 3, column currency", "GBP", "USD",
                      "no exchange rates (fx.csv)")


def test_the_error_counts_the_other_rows_like_it(tmp_path):
    roster = ROSTER.format(base="72000 GBP", variable="18000").replace("C2,Bo,SMB,100000", "C2,Bo,SMB,90000 GBP")
    assert_user_error(stress(org(tmp_path, roster=roster)), "line 2, column annual_base",
                      "this row has no currency, so it is in the plan's, USD", "1 more row like it",
                      "currency column")


def test_every_command_that_replays_refuses_it(tmp_path):
    folder = org(tmp_path, roster=ROSTER.format(base="72000 GBP", variable="20000"))
    plan = folder / "plan.yaml"
    for args in (["compare", plan, plan, "--quarters", "1"], ["simulate", plan, "--quarters", "1"],
                 ["reconcile", plan, "--quarters", "1"],
                 ["explain", plan, "--csm", "C1", "--quarter", "2026Q1"]):
        result = run(*args, "--data", folder)
        assert_user_error(result, "roster.csv, line 2, column annual_base", "GBP")


def test_a_sweep_stops_once_rather_than_failing_every_value(tmp_path):
    folder = org(tmp_path, roster=ROSTER.format(base="72000 GBP", variable="20000"))
    result = run("sweep", folder / "plan.yaml", "--quarters", "1", "--set", "components.retention.weight=0.5:1.0:0.25", "--data", folder)
    assert_user_error(result, "roster.csv, line 2, column annual_base", "GBP", "USD")


def test_validate_lists_it_among_the_problems(tmp_path):
    folder = org(tmp_path, roster=ROSTER.format(base="72000 GBP", variable="20000"))
    result = run("validate", folder / "plan.yaml", "--data", folder)
    assert result.exit_code == 2
    assert "roster.csv, line 2, column annual_base" in result.stdout + result.stderr
    assert "GBP" in result.stdout + result.stderr


# --- the plan's own code is accepted, in any spelling SPEC 6.3 allows ----------------------------------------


@pytest.mark.parametrize("cell", ["USD 20,000", "usd20000", "20,000.00 USD", "20000usd", "USD 20,000.00",
                                  "Usd 20000", "USD $20,000"])
def test_a_code_equal_to_the_plans_currency_is_read_as_the_number(tmp_path, cell):
    folder = org(tmp_path, roster=ROSTER.format(base="USD 100000", variable=f'"{cell}"'))
    # TV = 20,000 / 4 = 5,000.00; paid 5,000.00 in 2026Q1.
    assert paid(folder) == {"C1": (5000.0, 5000.0), "C2": (5000.0, 5000.0)}


def test_negative_payout_lines_may_carry_the_code_on_either_side_of_the_sign(tmp_path):
    payouts = ("quarter,csm_id,amount\n2026Q1,C1,USD 5200\n2026Q1,C1,USD -200\n2026Q1,C2,5300 USD\n"
               "2026Q1,C2,(300.00 USD)\n2026Q1,C2,-USD 0\n")
    # C1: 5,200 − 200 = 5,000; C2: 5,300 − 300 − 0 = 5,000.
    assert paid(org(tmp_path, payouts=payouts)) == {"C1": (5000.0, 5000.0), "C2": (5000.0, 5000.0)}


def test_a_currency_column_equal_to_the_plans_is_accepted_in_any_case(tmp_path):
    roster = ("csm_id,name,segment,annual_base,annual_variable,currency\n"
              "C1,Ana,SMB,100000,EUR 20000,eur\nC2,Bo,SMB,100000,20000,\n")
    payouts = "quarter,csm_id,amount,currency\n2026Q1,C1,5000,EUR\n2026Q1,C2,5000 EUR,\n"
    assert paid(org(tmp_path, roster=roster, payouts=payouts, currency="EUR")) == {
        "C1": (5000.0, 5000.0), "C2": (5000.0, 5000.0)}


def test_a_plan_writing_its_currency_as_the_euro_sign_accepts_eur(tmp_path):
    folder = org(tmp_path, roster=ROSTER.format(base="100000", variable="20000 EUR"), currency="€")
    assert paid(folder)["C1"] == (5000.0, 5000.0)


def test_a_plan_whose_currency_names_no_code_refuses_codes_and_asks_for_one(tmp_path):
    # '$' is the dollar of a dozen countries: USD beside an amount cannot be said to be the plan's.
    folder = org(tmp_path, roster=ROSTER.format(base="100000", variable="20000 USD"), currency="$")
    assert_user_error(stress(folder), "roster.csv, line 2, column annual_variable", "'$'", "currency: USD",
                      "docs/plans.md")


def test_a_decimal_comma_file_carries_codes_too(tmp_path):
    roster = ("csm_id;name;segment;annual_base;annual_variable\n"
              "C1;Ana;SMB;EUR 100.000,00;20.000,00 EUR\nC2;Bo;SMB;100000;20000\n")
    folder = org(tmp_path, roster=roster, currency="EUR")
    assert paid(folder)["C1"] == (5000.0, 5000.0)  # 20.000,00 is 20,000: TV 5,000


# --- what the loader refuses on its own, whatever the plan -------------------------------------------------


def test_a_word_that_is_not_a_currency_code_is_not_dropped(tmp_path):
    folder = org(tmp_path, roster=ROSTER.format(base="100000", variable="20000 ABC"))
    assert_user_error(stress(folder), "roster.csv, line 2, column annual_variable", "'20000 ABC' is not an amount")


def test_a_currency_column_must_hold_codes(tmp_path):
    roster = "csm_id,name,segment,annual_base,annual_variable,currency\nC1,Ana,SMB,100000,20000,pounds\nC2,Bo,SMB,1,1,\n"
    assert_user_error(stress(org(tmp_path, roster=roster)), "roster.csv, line 2, column currency",
                      "'pounds' is not an ISO 4217 currency code")


def test_an_amount_in_another_code_than_its_rows_currency_is_refused_even_under_that_plan(tmp_path):
    roster = "csm_id,name,segment,annual_base,annual_variable,currency\nC1,Ana,SMB,72000 GBP,20000,USD\nC2,Bo,SMB,1,1,\n"
    assert_user_error(stress(org(tmp_path, roster=roster, currency="GBP")), "roster.csv, line 2, column annual_base",
                      "'72000 GBP' is in GBP", "currency is USD")


def test_two_amounts_of_one_row_in_two_codes_are_refused(tmp_path):
    folder = org(tmp_path, roster=ROSTER.format(base="72000 GBP", variable="20000 EUR"), currency="GBP")
    assert_user_error(stress(folder), "roster.csv, line 2, column annual_variable", "EUR", "annual_base", "GBP")


def test_each_rows_currency_is_its_cell_and_the_code_its_amounts_carry_is_kept_beside_it(tmp_path):
    # Which currency a blank cell means is the engine's to say (the plan's, or the CSM's roster currency).
    path = tmp_path / "roster.csv"
    path.write_text("csm_id,name,segment,annual_base,annual_variable,currency\n"
                    "C1,Ana,SMB,100000,20000,gbp\nC2,Bo,SMB,100000 EUR,20000,\nC3,Cy,SMB,1,1,\n")
    roster = load_roster(path)
    assert roster["currency"].tolist() == ["GBP", None, None]
    assert roster["written_currency"].tolist() == [None, "EUR", None]
    assert roster["written_column"].tolist() == [None, "annual_base", None]
    path = tmp_path / "payouts.csv"
    path.write_text("quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,CHF 5000\n")
    payouts = load_payouts(path)
    assert payouts["currency"].tolist() == [None, None]
    assert payouts["written_currency"].tolist() == [None, "CHF"]


# --- under a data map: a payroll's Currency column ---------------------------------------------------------


MAP = """\
version: 1
tables:
  accounts:
    files: crm.csv
    columns: {quarter: Quarter, account_id: Account, csm_id: Owner, arr_start: ARR, expansion: Up,
              contraction: Down, churn: Lost}
  roster:
    files: hr.csv
    columns: {csm_id: Employee ID, name: Worker, segment: Segment, annual_base: Base, annual_variable: Target}
  payouts:
    files: payroll.csv
    columns: {quarter: Quarter, csm_id: Employee ID, amount: Amount, currency: Currency}
"""


def mapped(tmp_path, payroll: str):
    folder = write_files(tmp_path / "exports", **{
        "crm.csv": "Quarter,Account,Owner,ARR,Up,Down,Lost\n2026Q1,A1,C1,100000,0,0,0\n2026Q1,A2,C2,100000,0,0,0\n",
        "hr.csv": "Employee ID,Worker,Segment,Base,Target\nC1,Ana,SMB,USD 100000,\"20,000.00 USD\"\nC2,Bo,SMB,100000,20000\n",
        "payroll.csv": payroll, "cscomp-data.yaml": MAP, "plan.yaml": NRR_ONLY_YAML})
    return folder


def test_a_mapped_payroll_currency_column_in_another_code_is_refused_under_its_own_header(tmp_path):
    folder = mapped(tmp_path, "Quarter,Employee ID,Amount,Currency\n2026Q1,C1,5000,USD\n2026Q1,C2,4000,GBP\n")
    assert_user_error(stress(folder), "payroll.csv", "line 3", "column Currency", "GBP", "USD")


def test_a_mapped_payroll_in_the_plans_currency_replays_to_the_cent(tmp_path):
    folder = mapped(tmp_path, "Quarter,Employee ID,Amount,Currency\n2026Q1,C1,\"USD 5,000.00\",USD\n2026Q1,C2,5000,\n")
    assert paid(folder) == {"C1": (5000.0, 5000.0), "C2": (5000.0, 5000.0)}


def test_a_mapped_amount_carrying_another_code_is_refused(tmp_path):
    # Before, the map dropped any three capitals beside a number: 4,000 GBP was summed as 4,000 USD.
    folder = mapped(tmp_path, "Quarter,Employee ID,Amount,Currency\n2026Q1,C1,5000,\n2026Q1,C2,\"4,000.00 GBP\",\n")
    assert_user_error(stress(folder), "payroll.csv", "line 3", "column Amount", "'4,000.00 GBP' is in GBP", "USD")


def test_a_mapped_currency_word_is_refused_with_how_to_map_it_to_a_code(tmp_path):
    folder = mapped(tmp_path, "Quarter,Employee ID,Amount,Currency\n2026Q1,C1,5000,US Dollar\n2026Q1,C2,5000,\n")
    assert_user_error(stress(folder), "payroll.csv", "line 2", "'US Dollar' is not an ISO 4217 currency code",
                      "tables.payouts.columns.currency", "values:")


def test_a_mapped_currency_word_translated_to_the_plans_code_replays(tmp_path):
    folder = mapped(tmp_path, "Quarter,Employee ID,Amount,Currency\n2026Q1,C1,5000,US Dollar\n2026Q1,C2,5000,\n")
    data_map = folder / "cscomp-data.yaml"
    data_map.write_text(data_map.read_text().replace(
        "currency: Currency}", 'currency: {column: Currency, values: {US Dollar: USD, "": ""}}}'))
    assert paid(folder) == {"C1": (5000.0, 5000.0), "C2": (5000.0, 5000.0)}


def test_init_maps_a_payroll_currency_column(tmp_path):
    folder = mapped(tmp_path, "Quarter,Employee ID,Amount,Currency\n2026Q1,C1,5000,USD\n2026Q1,C2,5000,USD\n")
    (folder / "cscomp-data.yaml").unlink()
    result = run("init", folder)
    assert result.exit_code in (0, 1), result.stderr
    written = (folder / "cscomp-data.yaml").read_text(encoding="utf-8")
    payouts = written[written.index("payouts:"):]
    assert "currency: Currency" in textwrap.dedent(payouts)


# --- the code reading itself, for every code and spelling ------------------------------------------------------


def test_plan_currency_codes():
    assert [plan_currency_code(c) for c in ("USD", "usd", "€", "£", "$", "¥", "kr", "ABC")] == [
        "USD", "USD", "EUR", "GBP", None, None, None, None]
    assert {"USD", "EUR", "GBP", "JPY", "CHF", "INR"} <= ISO_4217 and "XXX" not in ISO_4217


@settings(max_examples=60, deadline=None)
@given(cents=st.integers(0, 10**11), code=st.sampled_from(sorted(ISO_4217)),
       before=st.booleans(), space=st.booleans(), lower=st.booleans(), grouped=st.booleans())
def test_any_code_on_either_side_is_read_off_and_the_number_kept(tmp_path_factory, cents, code, before, space,
                                                                 lower, grouped):
    number = f"{cents / 100:,.2f}" if grouped else f"{cents / 100:.2f}"
    written = code.lower() if lower else code
    cell = f"{written}{' ' if space else ''}{number}" if before else f"{number}{' ' if space else ''}{written}"
    path = tmp_path_factory.mktemp("codes") / "payouts.csv"
    path.write_text(f'quarter,csm_id,amount\n2026Q1,C1,"{cell}"\n')
    table = load_payouts(path)
    assert table["amount"].tolist() == [cents / 100]
    assert table["written_currency"].tolist() == [code]


# --- a sign is a currency too: $ is USD, € EUR, £ GBP (issue 22, item 8) ---------------------------------
# The contract reads an amount like €1234 as the number (its first worked example reads a roster's
# €64000 under a USD plan as 64,000 dollars), so a sign alone cannot be refused: it is warned about,
# naming the column, the sign, its currency and how many cells carry it. A sign that contradicts a code
# the row writes is refused.


def sign_warnings(folder) -> list[str]:
    result = stress(folder, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return [w for w in json.loads(result.stdout)["warnings"] if "the sign" in w]


def warned(folder, *parts: str) -> None:
    found = sign_warnings(folder)
    assert len(found) == 1 and all(part in found[0] for part in parts), found


def test_dollar_and_euro_signs_in_one_payouts_column_are_warned_about_at_the_euro_cell(tmp_path):
    # Before, '$5,000.00' and '€4,000.00' were summed as 9,000 of the plan's dollars without a word.
    folder = org(tmp_path, payouts='quarter,csm_id,amount\n2026Q1,C1,"$5,000.00"\n2026Q1,C2,"€4,000.00"\n')
    warned(folder, "payouts.csv, line 3, column amount: 1 cell carries the sign €, the sign of EUR",
           "'€4,000.00'", "reports in USD", "read as USD", "docs/data.md")
    # read as the contract reads it: TV 5,000.00 each; C2 paid 4,000.00
    assert paid(folder) == {"C1": (5000.0, 5000.0), "C2": (5000.0, 4000.0)}


def test_a_whole_payroll_in_euro_signs_under_a_dollar_plan_is_warned_about_once_counting_the_cells(tmp_path):
    folder = org(tmp_path, payouts="quarter,csm_id,amount\n2026Q1,C1,€5000\n2026Q1,C2,€5000\n")
    warned(folder, "payouts.csv, line 2", "2 cells carry the sign €", "(first '€5000')")


@pytest.mark.parametrize(("table", "text", "where", "sign"), [
    ("roster", ROSTER.format(base="£72000", variable="20000"), "roster.csv, line 2, column annual_base", "£"),
    ("accounts", FLAT_ACCOUNTS.replace("A2,C2,100000", "A2,C2,€100000"), "accounts.csv, line 3, column arr_start",
     "€"),
])
def test_a_pound_or_euro_sign_in_any_amount_column_is_warned_about_under_a_dollar_plan(tmp_path, table, text, where,
                                                                                      sign):
    warned(org(tmp_path, **{table: text}), where, f"the sign {sign}")


def test_a_dollar_sign_under_a_euro_plan_is_warned_about(tmp_path):
    folder = org(tmp_path, payouts='quarter,csm_id,amount\n2026Q1,C1,"$5,000"\n2026Q1,C2,5000\n', currency="EUR")
    warned(folder, "payouts.csv, line 2", "the sign $, the sign of USD", "reports in EUR")


def test_signs_of_the_plans_own_currency_say_nothing(tmp_path):
    assert sign_warnings(org(tmp_path, payouts='quarter,csm_id,amount\n2026Q1,C1,"$5,000.00"\n2026Q1,C2,$5000\n')) == []


def test_the_plans_own_sign_is_accepted_and_read_to_the_cent(tmp_path):
    # Each CSM's TV is 20,000 / 4 = 5,000.00; C1 paid €4,999.99 + €0.01 = 5,000.00, C2 EUR 0 + €4,000.50 = 4,000.50.
    payouts = 'quarter,csm_id,amount\n2026Q1,C1,"€4,999.99"\n2026Q1,C1,€0.01\n2026Q1,C2,EUR 0\n2026Q1,C2,€4000.50\n'
    folder = org(tmp_path, payouts=payouts, currency="EUR")
    assert sign_warnings(folder) == []
    assert paid(folder) == {"C1": (5000.0, 5000.0), "C2": (5000.0, 4000.5)}


def test_a_plan_in_dollar_signs_accepts_dollar_signs(tmp_path):
    # A plan written currency: '$' names no single code, but amounts written with its own sign are its own.
    folder = org(tmp_path, payouts='quarter,csm_id,amount\n2026Q1,C1,"$5,000.00"\n2026Q1,C2,"($1,000.00)"\n'
                 '2026Q1,C2,"$6,000.00"\n', currency="$")
    assert sign_warnings(folder) == []
    assert paid(folder) == {"C1": (5000.0, 5000.0), "C2": (5000.0, 5000.0)}  # C2: −1,000 + 6,000


def test_a_cell_with_a_code_and_a_sign_of_another_currency_is_refused(tmp_path):
    folder = org(tmp_path, payouts="quarter,csm_id,amount\n2026Q1,C1,EUR $5000\n2026Q1,C2,5000\n")
    assert_user_error(stress(folder), "payouts.csv, line 2, column amount", "names two currencies", "EUR", "$ (USD)")


def test_a_cell_with_a_code_and_the_same_currencys_sign_is_read(tmp_path):
    folder = org(tmp_path, payouts="quarter,csm_id,amount\n2026Q1,C1,USD $5000\n2026Q1,C2,$5000 USD\n")
    assert paid(folder) == {"C1": (5000.0, 5000.0), "C2": (5000.0, 5000.0)}


def test_a_sign_that_disagrees_with_the_rows_currency_cell_is_refused(tmp_path):
    folder = org(tmp_path, payouts="quarter,csm_id,amount,currency\n2026Q1,C1,€5000,USD\n2026Q1,C2,5000,\n")
    assert_user_error(stress(folder), "payouts.csv, line 2, column amount", "'€5000' is in EUR", "currency is USD")


def test_a_sign_that_disagrees_with_a_code_on_the_same_row_is_refused(tmp_path):
    folder = org(tmp_path, roster=ROSTER.format(base="USD 100000", variable="£20000"))
    assert_user_error(stress(folder), "roster.csv, line 2, column annual_variable", "'£20000' is in GBP",
                      "annual_base on this row is in USD")


def test_a_sign_alone_is_told_apart_from_a_code():
    # Conversion (SPEC 6.3) looks a row's currency up: only a code or a currency cell says one.
    import pandas as pd

    from cscomp_cli.inputs.currency_cells import row_currencies
    from cscomp_cli.inputs.files import Origin

    table = pd.DataFrame({"amount": ["€5000", "EUR 10", "7"], "line": [2, 3, 4]})
    codes = {"amount": pd.Series(["€", "EUR", None], dtype=object)}
    stated = pd.Series([None, None, None], dtype=object)
    currencies = row_currencies(table, Origin("payouts.csv"), codes, stated)
    assert currencies["currency"].tolist() == [None, None, None]
    assert currencies["written_currency"].tolist() == ["EUR", "EUR", None]
    assert currencies["written_sign"].tolist() == [True, False, False]


def test_a_mapped_payroll_writing_the_euro_sign_after_the_number_is_warned_about(tmp_path):
    # Before, the map dropped a sign after the number without a word.
    folder = mapped(tmp_path, 'Quarter,Employee ID,Amount,Currency\n2026Q1,C1,5000,\n2026Q1,C2,"4,000.00 €",\n')
    warned(folder, "payroll.csv", "line 3", "column Amount", "the sign €", "read as USD")


def test_a_mapped_payroll_in_euro_signs_replays_to_the_cent_under_a_euro_plan(tmp_path):
    folder = mapped(tmp_path, 'Quarter,Employee ID,Amount,Currency\n2026Q1,C1,"€5,000.00",\n2026Q1,C2,"(1,000.00) €",\n'
                    '2026Q1,C2,"€5,000.50",\n')
    hr = folder / "hr.csv"
    hr.write_text(hr.read_text().replace("USD", "EUR"))
    (folder / "plan.yaml").write_text(NRR_ONLY_YAML + "currency: EUR\n")
    assert sign_warnings(folder) == []
    assert paid(folder) == {"C1": (5000.0, 5000.0), "C2": (5000.0, 4000.5)}  # C2: −1,000.00 + 5,000.50
