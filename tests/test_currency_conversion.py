"""SPEC 6.3 currencies: each replayed CSM-quarter knows the currency it is paid in, the one its roster row
gives (conversion into the plan's currency builds on it)."""

from __future__ import annotations

import pandas as pd
import pytest

from cscomp_cli.engine.roster_lookup import roster_rows


def test_a_replayed_row_carries_its_roster_rows_currency():
    roster = pd.DataFrame({
        "csm_id": ["UK1", "UK1", "US1"], "quarter": [None, "2026Q2", None],
        "name": ["Ann", "Ann", "Bo"], "segment": ["SMB"] * 3, "team": [None] * 3,
        "annual_base": [72000.0, 80000.0, 100000.0], "annual_variable": [40000.0, 40000.0, 20000.0],
        "start_date": [pd.NaT] * 3, "end_date": [pd.NaT] * 3, "currency": ["GBP", "EUR", None]})
    keys = pd.DataFrame({"quarter": ["2026Q1", "2026Q2", "2026Q1"], "csm_id": ["UK1", "UK1", "US1"]})
    # The every-quarter row in 2026Q1, the 2026Q2 row in 2026Q2; a blank currency stays blank (the plan's).
    currency = roster_rows(roster, keys)["currency"]
    assert currency.iloc[:2].tolist() == ["GBP", "EUR"] and pd.isna(currency.iloc[2])


def _fx(tmp_path, text: str, plan_currency: str | None = "USD"):
    from cscomp_cli.inputs.fx_rates import load_fx
    path = tmp_path / "fx.csv"
    path.write_text(text)
    return load_fx(path, plan_currency)


def test_fx_csv_gives_a_rate_per_quarter_and_currency(tmp_path):
    fx = _fx(tmp_path, "quarter,currency,rate\n2026Q1,gbp,1.27\n2026Q1,USD,1\n")
    assert fx[["quarter", "currency", "rate"]].values.tolist() == [["2026Q1", "GBP", 1.27], ["2026Q1", "USD", 1.0]]


def test_fx_csv_refuses_a_plan_currency_rate_other_than_1(tmp_path):
    import pytest

    from cscomp_cli.core.errors import DataError
    with pytest.raises(DataError, match="its rate must be 1"):
        _fx(tmp_path, "quarter,currency,rate\n2026Q1,USD,1.1\n")


def test_fx_csv_refuses_two_rates_for_one_quarter_and_currency(tmp_path):
    import pytest

    from cscomp_cli.core.errors import DataError
    with pytest.raises(DataError, match="two rates"):
        _fx(tmp_path, "quarter,currency,rate\n2026Q1,GBP,1.27\n2026Q1,GBP,1.28\n")


def test_fx_csv_refuses_a_rate_of_0(tmp_path):
    import pytest

    from cscomp_cli.core.errors import DataError
    with pytest.raises(DataError, match="greater than 0"):
        _fx(tmp_path, "quarter,currency,rate\n2026Q1,GBP,0\n")


def test_a_data_folder_with_fx_csv_loads_its_rates_into_the_dataset(data_dir):
    from cscomp_cli.inputs.dataset import load_dataset
    data_dir = data_dir(accounts="quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n2026Q1,A1,C1,100,0,0,0\n",
                        payouts="quarter,csm_id,amount\n")
    assert load_dataset(data_dir).fx is None  # no fx.csv: nothing to convert with
    (data_dir / "fx.csv").write_text("quarter,currency,rate\n2026Q1,GBP,1.27\n")
    assert load_dataset(data_dir).fx[["quarter", "currency", "rate"]].values.tolist() == [["2026Q1", "GBP", 1.27]]


# --- conversion into the plan's currency (SPEC 6.3), worked by hand ------------------------------------------

import json  # noqa: E402

from tests.conftest import (  # noqa: E402
    FLAT_ACCOUNTS,
    NRR_ONLY_YAML,
    assert_user_error,
    run,
    write_files,
)

# C1 is paid in the plan's dollars; C2 in pounds. Both books are flat (nrr 1.0), so NRR_ONLY_YAML pays
# each exactly their TV (f(1.0) = 1.0).
TWO_CURRENCIES = ("csm_id,name,segment,annual_base,annual_variable,currency\n"
                  "C1,Ana,SMB,100000,20000,\nC2,Bo,SMB,80000,16000,GBP\n")
GBP_RATE = "quarter,currency,rate\n2026Q1,GBP,1.2734\n"


def converted(tmp_path, *, roster=TWO_CURRENCIES, payouts="quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,3900\n",
              fx=GBP_RATE, plan=NRR_ONLY_YAML, accounts=FLAT_ACCOUNTS, **more):
    files = {"accounts": accounts, "roster": roster, "payouts": payouts, "plan.yaml": plan, **more}
    if fx is not None:
        files["fx.csv"] = fx
    return write_files(tmp_path / "data", **files)


def stress(folder, *extra):
    return run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1", *extra)


def rows_of(folder) -> dict:
    result = stress(folder, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {row["csm_id"]: row for row in json.loads(result.stdout)["rows"]}


def test_a_csm_paid_in_pounds_is_reported_in_the_plans_dollars_at_the_quarters_rate(tmp_path):
    c1, c2 = rows_of(converted(tmp_path)).values()
    # C2: TV 16,000 / 4 = 4,000 GBP × 1.2734 = 5,093.60 USD, paid in full on a flat book;
    # base 80,000 / 4 = 20,000 GBP × 1.2734 = 25,468.00; actual 3,900 GBP (the roster's currency,
    # the payouts row saying none) × 1.2734 = 4,966.26; delta 5,093.60 − 4,966.26 = 127.34.
    assert (c2["target_variable"], c2["proposed"], c2["base"], c2["actual_base"]) == (5093.6, 5093.6, 25468.0, 25468.0)
    assert (c2["actual"], c2["delta"]) == (4966.26, 127.34)
    assert (c2["pay_currency"], c2["fx_rate"]) == ("GBP", 1.2734)
    # C1 is in the plan's currency: rate 1, nothing moves.
    assert (c1["target_variable"], c1["actual"], c1["pay_currency"], c1["fx_rate"]) == (5000.0, 5000.0, "USD", 1.0)


def test_the_csm_totals_and_the_summary_add_the_converted_amounts(tmp_path):
    result = stress(converted(tmp_path), "--format", "json")
    document = json.loads(result.stdout)
    # proposed 5,000.00 + 5,093.60 = 10,093.60; actual 5,000.00 + 4,966.26 = 9,966.26.
    assert (document["summary"]["proposed_total"], document["summary"]["actual_total"]) == (10093.6, 9966.26)
    assert document["currency"] == "USD"


def test_payout_rows_are_converted_before_they_are_summed_and_the_sum_rounded_once(tmp_path):
    payouts = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,333.33\n2026Q1,C2,333.33\n"
    folder = converted(tmp_path, payouts=payouts, fx="quarter,currency,rate\n2026Q1,GBP,1.2345\n")
    # 333.33 × 1.2345 = 411.495885 per row; 2 × 411.495885 = 822.99177 → 822.99. Rounding each row
    # first would give 411.50 + 411.50 = 823.00.
    assert rows_of(folder)["C2"]["actual"] == 822.99


def test_tv_stays_unrounded_once_converted_and_base_is_rounded_to_cents(tmp_path):
    roster = TWO_CURRENCIES.replace("C2,Bo,SMB,80000,16000,GBP", "C2,Bo,SMB,100001,16001,GBP")
    folder = converted(tmp_path, roster=roster, fx="quarter,currency,rate\n2026Q1,GBP,1.2345\n")
    c2 = rows_of(folder)["C2"]
    # base 100,001 / 4 = 25,000.25 × 1.2345 = 30,862.808625 → 30,862.81.
    assert c2["base"] == 30862.81
    # TV 16,001 / 4 = 4,000.25 × 1.2345 = 4,938.308625, paid at f = 1 and rounded once: 4,938.31.
    assert (c2["target_variable"], c2["proposed"]) == (4938.31, 4938.31)


def test_a_payout_row_in_its_own_currency_is_converted_at_that_currencys_rate(tmp_path):
    payouts = "quarter,csm_id,amount,currency\n2026Q1,C1,4000,EUR\n2026Q1,C2,3900,\n"
    folder = converted(tmp_path, payouts=payouts, fx=GBP_RATE + "2026Q1,EUR,1.1\n")
    # C1's roster pays in dollars, but this line was paid in euros: 4,000 × 1.1 = 4,400.00.
    c1 = rows_of(folder)["C1"]
    assert (c1["actual"], c1["pay_currency"], c1["fx_rate"]) == (4400.0, "USD", 1.0)


def test_a_plan_reporting_in_pounds_converts_a_dollar_csm(tmp_path):
    roster = "csm_id,name,segment,annual_base,annual_variable,currency\nC1,Ana,SMB,100000,20000,USD\nC2,Bo,SMB,80000,16000,\n"
    folder = converted(tmp_path, roster=roster, plan=NRR_ONLY_YAML + "currency: GBP\n",
                       fx="quarter,currency,rate\n2026Q1,USD,0.8\n",
                       payouts="quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,4000\n")
    c1, c2 = rows_of(folder).values()
    # C1: TV 20,000 / 4 = 5,000 USD × 0.8 = 4,000.00 GBP; paid 5,000 USD × 0.8 = 4,000.00.
    assert (c1["target_variable"], c1["actual"], c1["pay_currency"]) == (4000.0, 4000.0, "USD")
    assert (c2["target_variable"], c2["pay_currency"], c2["fx_rate"]) == (4000.0, "GBP", 1.0)


def test_a_raise_that_moves_a_csm_to_pounds_converts_only_the_quarters_paid_in_pounds(tmp_path):
    accounts = FLAT_ACCOUNTS + "2026Q2,A1,C1,100000,0,0,0\n2026Q2,A2,C2,100000,0,0,0\n"
    roster = ("csm_id,name,segment,annual_base,annual_variable,currency,effective_date\n"
              "C1,Ana,SMB,100000,20000,,\nC2,Bo,SMB,80000,16000,,\nC2,Bo,SMB,80000,16000,GBP,2026-04-01\n")
    payouts = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,4000\n2026Q2,C1,5000\n2026Q2,C2,4000\n"
    # Only 2026Q2's pound rate is needed: C2 is paid in dollars in 2026Q1.
    folder = converted(tmp_path, accounts=accounts, roster=roster, payouts=payouts,
                       fx="quarter,currency,rate\n2026Q2,GBP,1.3\n")
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    c2 = {row["quarter"]: row for row in json.loads(result.stdout)["rows"] if row["csm_id"] == "C2"}
    # 2026Q1: 16,000 / 4 = 4,000.00 USD; 2026Q2: 4,000 GBP × 1.3 = 5,200.00, paid 4,000 GBP × 1.3 = 5,200.00.
    assert (c2["2026Q1"]["target_variable"], c2["2026Q1"]["pay_currency"]) == (4000.0, "USD")
    assert (c2["2026Q2"]["target_variable"], c2["2026Q2"]["actual"], c2["2026Q2"]["fx_rate"]) == (5200.0, 5200.0, 1.3)


def test_the_csv_gains_pay_currency_and_fx_rate_at_its_end_only_when_some_pay_is_converted(tmp_path):
    result = stress(converted(tmp_path), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    header, first, second = result.stdout.splitlines()[:3]
    assert header.endswith(",cash_delta,pay_currency,fx_rate")
    assert first.endswith(",USD,1.0") and second.endswith(",GBP,1.2734")
    plain = tmp_path / "plain"
    folder = converted(plain, roster=TWO_CURRENCIES.replace(",GBP", ","), fx=None,
                       payouts="quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,4000\n")
    header = stress(folder, "--format", "csv").stdout.splitlines()[0]
    assert header.endswith(",cash_delta") and "pay_currency" not in header


def test_a_needed_rate_missing_from_fx_csv_is_an_error_naming_the_quarter_and_currency(tmp_path):
    folder = converted(tmp_path, fx="quarter,currency,rate\n2026Q1,EUR,1.1\n")
    assert_user_error(stress(folder), "roster.csv, line 3, column currency", "C2 is paid in GBP in 2026Q1",
                      "fx.csv has no rate for GBP in 2026Q1", "2026Q1,GBP,<rate>", "docs/data.md")


def test_no_fx_csv_at_all_says_to_add_one(tmp_path):
    assert_user_error(stress(converted(tmp_path, fx=None)), "roster.csv, line 3", "no exchange rates (fx.csv)",
                      "quarter,currency,rate", "2026Q1,GBP,<rate>")


def test_a_rate_other_than_1_for_the_plans_own_currency_is_refused(tmp_path):
    folder = converted(tmp_path, fx=GBP_RATE + "2026Q1,USD,1.1\n")
    assert_user_error(stress(folder), "fx.csv, line 3, column rate", "must be 1", "1.1")


def test_codes_in_amounts_that_match_the_rows_currency_are_read(tmp_path):
    roster = TWO_CURRENCIES.replace("C2,Bo,SMB,80000,16000,GBP", 'C2,Bo,SMB,"GBP 80,000",16000 GBP,GBP')
    payouts = 'quarter,csm_id,amount\n2026Q1,C1,USD 5000\n2026Q1,C2,"3,900.00 GBP"\n'
    c2 = rows_of(converted(tmp_path, roster=roster, payouts=payouts))["C2"]
    assert (c2["base"], c2["actual"]) == (25468.0, 4966.26)  # as above: 20,000 and 3,900 GBP × 1.2734


def test_a_payout_code_other_than_the_csms_roster_currency_is_refused(tmp_path):
    payouts = "quarter,csm_id,amount\n2026Q1,C1,GBP 100\n2026Q1,C2,3900\n"
    assert_user_error(stress(converted(tmp_path, payouts=payouts)), "payouts.csv, line 2, column amount",
                      "'GBP 100' is in GBP", "C1's roster currency for 2026Q1, USD")


def test_account_amounts_in_another_currency_are_refused_they_are_in_the_plans(tmp_path):
    accounts = FLAT_ACCOUNTS.replace("A2,C2,100000", "A2,C2,100000 GBP")
    assert_user_error(stress(converted(tmp_path, accounts=accounts)), "accounts.csv, line 3, column arr_start",
                      "is in the plan's currency", "USD")


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_the_human_formats_say_who_is_paid_in_another_currency(tmp_path, fmt):
    result = stress(converted(tmp_path), "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert "1 CSM paid in GBP, converted into USD at each quarter" in result.stdout
    assert "GBP" in result.stdout.split("converted into USD")[1]  # the CSM's own line names it too


def test_the_workbook_says_who_is_paid_in_another_currency(tmp_path):
    from openpyxl import load_workbook
    folder = converted(tmp_path)
    out = tmp_path / "report.xlsx"
    result = stress(folder, "--format", "xlsx", "--output", out)
    assert result.exit_code == 0, result.stderr
    book = load_workbook(out)
    csms = list(book["CSMs"].values)
    assert csms[0][-1] == "Paid in" and {row[0]: row[-1] for row in csms[1:]}["C2"] == "GBP"
    rows = list(book["Rows"].values)
    assert rows[0][-2:] == ("Pay currency", "FX rate")
    assert {row[1]: row[-2:] for row in rows[1:]}["C2"] == ("GBP", 1.2734)
