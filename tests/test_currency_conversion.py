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
