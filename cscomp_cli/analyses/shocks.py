"""Shocks: "what if next year is worse". Scale the movement columns of accounts.csv before a replay.

`churn=+25%` multiplies every account's churn by 1.25; `expansion=-30%` multiplies expansion by
0.70. After scaling, churn and contraction are clamped so that no account loses more than it had
(arr_start + new_arr + expansion + cross_sell): churn first, since a customer who leaves takes everything,
then contraction with what is left. arr_end is derived again from the shocked movements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import UsageError
from cscomp_cli.core.rounding import round_half_away
from cscomp_cli.core.units import shortened
from cscomp_cli.inputs.dataset import Dataset

MOVEMENTS = ("expansion", "cross_sell", "contraction", "churn")
# A movement at most 101 times as large: beyond any scenario, and far from where the scaled amounts
# (or, with hundreds of digits, the factor itself) stop being numbers.
MAX_SHOCK_PCT = 10_000
_SHOCK = re.compile(r"^\s*(?P<column>[a-z_]+)\s*=\s*(?P<pct>[+-]?[0-9]+(?:\.[0-9]+)?)\s*%?\s*$")


@dataclass(frozen=True)
class Shock:
    """One movement column scaled by (1 + pct / 100)."""

    column: str
    pct: float

    @property
    def factor(self) -> float:
        return 1.0 + self.pct / 100.0

    def label(self) -> str:
        return f"{self.column}={self.pct:+g}%"


def parse_shocks(texts: list[str]) -> list[Shock]:
    """Parse --shock options such as 'churn=+25%'; a column given twice is an error."""
    shocks: dict[str, Shock] = {}
    for text in texts:
        match = _SHOCK.match(text)
        if not match:
            raise UsageError(f"--shock '{shortened(text)}' is not COLUMN=±PCT%",
                             hint="e.g. --shock churn=+25% --shock expansion=-30%")
        column, pct = match["column"], float(match["pct"])
        if column not in MOVEMENTS:
            raise UsageError(f"--shock '{shortened(text)}': {column} is not a movement column",
                             hint=f"shock one of {', '.join(MOVEMENTS)}")
        if pct > MAX_SHOCK_PCT:
            raise UsageError(f"--shock '{shortened(text)}': a movement can grow by at most {MAX_SHOCK_PCT:,} % "
                             f"({MAX_SHOCK_PCT // 100 + 1} times as large)", hint=f"e.g. --shock {column}=+50%")
        if pct < -100:
            raise UsageError(f"--shock '{shortened(text)}': a movement cannot fall by more than 100 %",
                             hint=f"use {column}=-100% to remove all {column}")
        if column in shocks:
            raise UsageError(f"--shock {column} is given twice", hint="give each column once")
        shocks[column] = Shock(column, pct)
    return [shocks[c] for c in MOVEMENTS if c in shocks]


def shock_accounts(accounts: pd.DataFrame, shocks: list[Shock]) -> pd.DataFrame:
    """A shocked copy of accounts; the input frame is not changed."""
    if not shocks:
        return accounts
    out = accounts.copy()
    for shock in shocks:
        out[shock.column] = out[shock.column].to_numpy(dtype="float64") * shock.factor
    had = (out["arr_start"] + out["expansion"] + out["cross_sell"]).to_numpy()
    if "new_arr" in out:  # a new logo's landed ARR is part of what it had (SPEC 6.7); not shocked
        had = had + out["new_arr"].to_numpy(dtype="float64")
    churn = np.minimum(out["churn"].to_numpy(), had)
    contraction = np.minimum(out["contraction"].to_numpy(), had - churn)
    out["churn"], out["contraction"] = churn, contraction
    out["arr_end"] = round_half_away(had - churn - contraction)  # exact zero for a lost logo
    return out


def shock_dataset(dataset: Dataset, shocks: list[Shock]) -> Dataset:
    """The dataset with shocked accounts (roster, payouts and quotas as they were)."""
    return dataset if not shocks else replace(dataset, accounts=shock_accounts(dataset.accounts, shocks))


def shocks_applied(shocks: list | None) -> dict:
    """The document's "shocks" entry ({column: pct}), present only under --shock so that a plain
    document stays exactly as the contract lists it."""
    return {"shocks": {shock.column: shock.pct for shock in shocks}} if shocks else {}
