"""The rules of a roster written as a pay history (SPEC 6.2): rows with an effective_date, each in force
from that day until the day before the CSM's next row. Raises and transfers land on the day they happen.
"""

from __future__ import annotations

import pandas as pd

from cscomp_cli.core.errors import DataError, report
from cscomp_cli.inputs.cells import fail_duplicates
from cscomp_cli.inputs.files import DATA_DOC, Origin

HISTORY_DOC = f"'Raises and transfers: effective_date' in {DATA_DOC}"


def check_pay_history(roster: pd.DataFrame, origin: Origin) -> None:
    """Refuse what makes a history ambiguous: a quarter column beside it, two rows of one CSM in force
    from the same day, and employment dates that differ between a CSM's rows."""
    effective = roster["effective_date"]
    quarters = roster["quarter"].notna()
    if bool(quarters.any()):
        first = roster[effective.notna()].iloc[0]
        report(DataError(
            f"{origin.column('effective_date')} and {origin.column('quarter')} cannot both be given: a roster "
            "is either one row per quarter or a pay history with the day each row starts",
            **origin.at(first["line"], "effective_date"),
            hint=f"keep effective_date (a raise or transfer on the day it happens) and leave the quarter column "
                 f"blank or remove it, or the other way round; see {HISTORY_DOC}"))
    days = effective.dt.strftime("%Y-%m-%d").where(effective.notna(), "(blank)")
    fail_duplicates(roster.assign(effective_date=days), origin, ["csm_id", "effective_date"], "csm_id",
                    "the same CSM has two roster rows in force from the same effective_date")
    for column in ("start_date", "end_date"):
        _one_date_per_csm(roster, origin, column)


def _one_date_per_csm(roster: pd.DataFrame, origin: Origin, column: str) -> None:
    """start_date (end_date), where given, must be the same on every row of one CSM: employment is one
    span, whatever the pay history says about the days inside it."""
    given = roster[roster[column].notna() & roster["csm_id"].notna()]
    if given.empty:
        return
    counts = given.groupby("csm_id", sort=False)[column].nunique()
    differing = counts[counts > 1]
    if differing.empty:
        return
    csm_id = differing.index[0]
    mine = given[given["csm_id"] == csm_id]
    first_value = mine[column].iloc[0]
    other = mine[mine[column] != first_value].iloc[0]
    more = len(differing) - 1
    report(DataError(
        f"CSM {csm_id} has {column} {first_value.date()} on one roster row and {other[column].date()} on another"
        + (f" ({more} more CSM{'s' if more > 1 else ''} like it)" if more else ""),
        **origin.at(other["line"], column),
        hint=f"give {column} the same value on every row of {csm_id} (or leave it blank on all but one): "
             f"employment dates belong to the person, not to one pay row; see {HISTORY_DOC}"))
