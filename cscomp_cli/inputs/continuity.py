"""Whether the tables join up across quarters: an account's arr_start against its arr_end of the quarter
before, and payroll lines for quarters the accounts export does not hold. Neither stops a replay or
changes a number (the data is replayed as written); each is one warning naming what does not join up.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataWarning
from cscomp_cli.core.formatting import and_joined
from cscomp_cli.core.quarters import quarter_ordinal, quarter_ordinals
from cscomp_cli.core.rounding import to_cents
from cscomp_cli.inputs.files import ACCOUNTS, DATA_DOC, PAYOUTS, Origin

# Exports round ARR and some systems snapshot it a day apart: a break is more than 1 % of last
# quarter's arr_end AND more than 1.00 (so cents on a tiny account, or 900 on 100,000, are no break).
BREAK_SHARE = 0.01
BREAK_AMOUNT = 1.00
SHOWN = 5  # accounts named in the warning; the rest are counted


class Dataset(Protocol):
    """What these checks read of inputs.dataset.Dataset (which calls them: no import back)."""

    accounts: pd.DataFrame
    payouts: pd.DataFrame | None

    def called(self, name: str) -> str: ...

    def origin(self, name: str) -> Origin: ...


def history_warnings(dataset: Dataset) -> list[DataWarning]:
    """Everything about the data's quarters that does not join up, one warning per kind."""
    return [*arr_break_warnings(dataset), *uncovered_payout_warnings(dataset)]


def _codes(values: pd.Series) -> np.ndarray:
    """Each row's code (-1 where missing): a categorical's own codes, no Python object per row (millions
    of account rows)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(values.astype(object))[0].astype(np.int64)


def arr_break_warnings(dataset: Dataset) -> list[DataWarning]:
    """Accounts whose arr_start differs from their arr_end of the quarter just before (BREAK_SHARE and
    BREAK_AMOUNT): ARR that appeared or vanished between two exports, so a metric moves that no
    expansion or churn explains. Only consecutive quarters are compared."""
    accounts = dataset.accounts
    if len(accounts) < 2:
        return []
    ordinal = quarter_ordinals(accounts["quarter"])
    account = _codes(accounts["account_id"])
    order = np.lexsort((ordinal, account))
    ordinal, account = ordinal[order], account[order]
    start = accounts["arr_start"].to_numpy(dtype="float64")[order]
    end = accounts["arr_end"].to_numpy(dtype="float64")[order]
    follows = ((account[1:] == account[:-1]) & (account[1:] >= 0) & (ordinal[:-1] >= 0)
               & (ordinal[1:] == ordinal[:-1] + 1))
    before = end[:-1]
    apart = np.abs(start[1:] - before)
    # NaN (a cell validate already reported) compares False: never a break.
    broken = follows & (apart > BREAK_AMOUNT + 1e-9) & (apart > BREAK_SHARE * np.abs(before) + 1e-9)
    if not bool(broken.any()):
        return []
    at = np.flatnonzero(broken)  # pairs (at, at + 1) in sorted order
    rows = order[at + 1]
    first_of_account = np.concatenate([[True], account[at][1:] != account[at][:-1]])
    shown_at = at[first_of_account]
    count = int(first_of_account.sum())
    origin = dataset.origin(ACCOUNTS)
    lines = accounts["line"].to_numpy()
    quarters, ids = accounts["quarter"], accounts["account_id"]

    def described(i: int) -> str:
        now, then = order[i + 1], order[i]
        return (f"{ids.iloc[now]}: arr_start {start[i + 1]:,.2f} in {quarters.iloc[now]} ({_place(origin, lines[now], lines[then])}) "
                f"after arr_end {before[i]:,.2f} in {quarters.iloc[then]} ({origin.place(lines[then])})")

    listed = "; ".join(described(int(i)) for i in shown_at[:SHOWN])
    more = f"; and {count - SHOWN} more" if count > SHOWN else ""
    breaks = f" ({len(at)} times in all)" if len(at) > count else ""
    first = int(rows[0])
    return [DataWarning(
        f"{count} account{'s' if count > 1 else ''}{breaks} start{'s' if count == 1 else ''} a quarter with an "
        f"arr_start unlike the arr_end of the quarter before (more than {BREAK_SHARE * 100:g} % and "
        f"{BREAK_AMOUNT:,.2f} apart): {listed}{more}; numbers are computed as written",
        **origin.at(lines[first], "arr_start"),
        hint="an account's ARR carries over from one quarter to the next: check both quarters' exports (a "
             "changed filter, currency or snapshot date) and the movement columns; see 'Quarters that join up' in "
             f"{DATA_DOC}")]


def _place(origin: Origin, key, other) -> str:
    """Where row ``key`` is, with its file when the row it is set against is in another file."""
    file = origin.file(int(key))
    return origin.place(int(key)) + (f" of {getattr(file, 'name', file)}" if file != origin.file(int(other)) else "")


def uncovered_payout_warnings(dataset: Dataset) -> list[DataWarning]:
    """Payroll lines for quarters the accounts export does not hold: no replay holds those quarters, so
    their pay is in no actual total. Said with the quarters, the number of lines and their amount."""
    payouts = dataset.payouts
    if payouts is None or payouts.empty:
        return []
    held = dataset.accounts["quarter"]
    held = held.cat.categories if isinstance(held.dtype, pd.CategoricalDtype) else held.dropna().unique()
    outside = payouts[payouts["quarter"].notna() & ~payouts["quarter"].isin(held)]
    if outside.empty:
        return []
    quarters = sorted(set(outside["quarter"]), key=quarter_ordinal)
    cents = int(to_cents(outside["amount"].fillna(0.0).to_numpy()).sum())
    lines = len(outside)
    return [DataWarning(
        f"{dataset.called(PAYOUTS)} has {lines} line{'s' if lines > 1 else ''} ({cents / 100:,.2f}) in "
        f"{and_joined(quarters)}, which {dataset.called(ACCOUNTS)} does not cover: "
        f"{'they are' if lines > 1 else 'it is'} left out of actual pay",
        **dataset.origin(PAYOUTS).at(outside["line"].min(), "quarter"),
        hint=f"export the accounts of {'those quarters' if len(quarters) > 1 else 'that quarter'} too, or leave "
             "them out of the payroll export; see 'Quarters that join up' in " + DATA_DOC)]
