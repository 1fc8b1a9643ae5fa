"""A CSM's roster row for a quarter, as every step reads it: the replay's pay and team, and a window's
team and segment books in the quarters before the replayed ones.
"""

from __future__ import annotations

import pandas as pd

# currency: the pay currency each replayed row carries, for engine conversion (SPEC 6.3).
ROSTER_FIELDS = ["name", "segment", "team", "annual_base", "annual_variable", "start_date", "end_date", "currency"]


def roster_rows(roster: pd.DataFrame, keys: pd.DataFrame, fields: list[str] = ROSTER_FIELDS) -> pd.DataFrame:
    """``keys`` (quarter, csm_id, …) with each one's roster row for that quarter alongside: a row for the
    quarter wins over an every-quarter row; no row leaves the fields blank (name NaN)."""
    specific = roster[roster["quarter"].notna()][["csm_id", "quarter", *fields]]
    general = roster[roster["quarter"].isna()][["csm_id", *fields]]
    joined = keys.merge(specific, on=["quarter", "csm_id"], how="left", validate="many_to_one")
    fallback = keys[["csm_id"]].merge(general, on="csm_id", how="left", validate="many_to_one")
    missing_specific = joined["name"].isna().to_numpy()
    for column in fields:
        joined[column] = joined[column].where(~missing_specific, fallback[column].to_numpy())
    return joined
