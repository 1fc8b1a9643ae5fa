"""fx.csv (SPEC 6.3): the rate that turns one unit of a pay currency into the plan's currency, quarter
by quarter, for CSMs paid in another currency than the plan reports in."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cscomp_cli.core.quarters import CALENDAR, Calendar
from cscomp_cli.inputs.cells import amount_column, fail_duplicates, quarter_column
from cscomp_cli.inputs.csv_reading import open_table
from cscomp_cli.inputs.currency_cells import currency_column
from cscomp_cli.inputs.files import DATA_DOC, Staged, fail_where


def load_fx(path: Path | Staged, plan_currency: str | None = None, *, calendar: Calendar = CALENDAR) -> pd.DataFrame:
    """fx.csv: one rate > 0 per (quarter, currency); the plan's own currency, when listed, has rate 1."""
    table, numbers, origin = open_table(path, required=["quarter", "currency", "rate"], allow_empty=True,
                                        numbers=["rate"])
    out = pd.DataFrame({"line": table["line"]})
    out["quarter"] = quarter_column(table, origin, calendar=calendar)
    out["currency"] = currency_column(table, origin)
    fail_where(out["currency"].isna(), out, origin, "currency", lambda r: "currency is blank",
               f"write the ISO 4217 code the rate converts from (GBP, EUR); see fx.csv in {DATA_DOC}")
    out["rate"] = amount_column(table, origin, "rate", required=True, negative=False, numbers=numbers,
                                what="a rate")
    fail_where(out["rate"] <= 0, out, origin, "rate", lambda r: f"rate must be greater than 0, got {r.rate:g}",
               f"give how many units of the plan's currency one unit of this currency buys; see fx.csv in {DATA_DOC}")
    if plan_currency is not None:
        fail_where((out["currency"] == plan_currency) & (out["rate"] != 1), out, origin, "rate",
                   lambda r: f"the plan reports in {plan_currency}, so its rate must be 1, got {r.rate:g}",
                   f"write 1 for {plan_currency}, or remove its rows; see fx.csv in {DATA_DOC}")
    fail_duplicates(out, origin, ["quarter", "currency"], "currency", "two rates for one quarter and currency")
    return out.reset_index(drop=True)


def plan_rate_is_one(fx: pd.DataFrame, origin, plan_currency: str) -> None:
    """fx.csv's rows for the plan's own currency, known only at replay, must have rate 1."""
    from cscomp_cli.core.currencies import plan_currency_code

    plan = plan_currency_code(plan_currency) or plan_currency.strip().upper()
    fail_where((fx["currency"] == plan) & (fx["rate"] != 1), fx, origin, "rate",
               lambda r: f"the plan reports in {plan}, so its rate must be 1, got {r.rate:g}",
               f"write 1 for {plan}, or remove its rows; see fx.csv in {DATA_DOC}")
