"""SPEC 6.3 currencies: each replayed CSM-quarter knows the currency it is paid in, the one its roster row
gives (conversion into the plan's currency builds on it)."""

from __future__ import annotations

import pandas as pd

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
