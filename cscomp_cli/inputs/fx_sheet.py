"""A finance team's FX sheet, read through the data map's tables.fx, as the rates fx.csv would give
(SPEC 6.3): one rate per quarter of one currency pair (EURUSD), from a monthly sheet by a declared
rule (the quarter's last month, or the mean of its three months), a quarterly sheet as given, or
one fixed plan rate for every quarter.

Which way the pair is turned (EURUSD: US dollars per euro, so euro pay into a dollar plan at the rate as
given, or dollar pay into a euro plan at 1 / rate) depends on the plan's currency, known only at replay:
``rates_for`` gives the fx.csv frame for one plan currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cscomp_cli.core.currencies import plan_currency_code
from cscomp_cli.core.errors import DataError, DataWarning, MapError, note, report
from cscomp_cli.core.quarters import Calendar
from cscomp_cli.core.text import did_you_mean
from cscomp_cli.inputs.cells import amount_column, fail_duplicates, quarter_column
from cscomp_cli.inputs.csv_reading import open_table
from cscomp_cli.inputs.datamap import MAP_DOC, FxTable
from cscomp_cli.inputs.files import Staged, fail_where
from cscomp_cli.inputs.months import month_indexes, month_label

# The sheet's columns the map may name, and the amount among them.
FX_COLUMNS = ("month", "quarter", "rate")
FX_AMOUNTS = ("rate",)
_SECTION = f"'Exchange rates' in {MAP_DOC}"


@dataclass(frozen=True)
class FxPair:
    """The pair an FX sheet quotes: ``rate`` units of ``quote`` per 1 ``base`` (EURUSD: base EUR, quote USD)."""

    base: str
    quote: str
    map_file: str  # the data map, which messages about the pair point at (tables.fx.pair)

    @property
    def name(self) -> str:
        return self.base + self.quote


def check_fx_table(table: FxTable, label: str) -> None:
    """The map's tables.fx says one consistent thing: a sheet with a month or quarter column and a rate
    column under a rule that fits it, or rule: fixed with one rate (in the map, or the sheet's one row)."""
    for column in table.columns:
        if column not in FX_COLUMNS:
            raise MapError(f"'{column}' is not a column of the FX sheet" + did_you_mean(column, FX_COLUMNS),
                           file=label, location=f"tables.fx.columns.{column}",
                           hint=f"tables.fx has the columns month (or quarter) and rate; see {_SECTION}")
        if table.source(column).column is None:
            raise MapError("name the sheet's header (column: ...)", file=label, location=f"tables.fx.columns.{column}",
                           hint=f"a fixed rate is written rate: 1.27 under tables.fx with rule: fixed; see {_SECTION}")
    columns = set(table.columns)
    if table.rule == "fixed":
        if table.rate is not None and (table.files is not None or columns):
            raise MapError("rule: fixed takes one rate: rate: in the map, or a sheet of one row, not both", file=label,
                           location="tables.fx.rate", hint=f"remove rate:, or files: and columns:; see {_SECTION}")
        if table.rate is None and table.files is None:
            raise MapError("rule: fixed needs its rate: write rate: (quote units per 1 base) or name a sheet",
                           file=label, location="tables.fx", hint=f"e.g. rate: 1.27; see {_SECTION}")
        dated = sorted(columns & {"month", "quarter"})
        if dated:
            raise MapError(f"rule: fixed uses one rate for every quarter, so the sheet's {dated[0]} is not read",
                           file=label, location=f"tables.fx.columns.{dated[0]}",
                           hint=f"remove columns.{dated[0]}, or choose rule: quarter_end, quarter_average or "
                           f"quarter; see {_SECTION}")
    else:
        if table.rate is not None:
            raise MapError(f"rate: is the one rate of rule: fixed, and the rule is {table.rule}", file=label,
                           location="tables.fx.rate", hint=f"remove rate:, or write rule: fixed; see {_SECTION}")
        if table.files is None:
            raise MapError("names no FX sheet: write files:", file=label, location="tables.fx",
                           hint=f"e.g. files: Finance_FX_Rates.csv; see {_SECTION}")
        if {"month", "quarter"} <= columns:
            raise MapError("the sheet gives its rates by month or by quarter: name one of the two", file=label,
                           location="tables.fx.columns", hint=f"keep month (a monthly sheet) or quarter; see {_SECTION}")
        if table.rule == "quarter" and "month" in columns:
            raise MapError("rule: quarter reads one rate per quarter, and the sheet is monthly (columns.month)",
                           file=label, location="tables.fx.rule",
                           hint=f"write rule: quarter_end or quarter_average for a monthly sheet; see {_SECTION}")
        if table.rule != "quarter" and "quarter" in columns:
            raise MapError(f"rule: {table.rule} takes a quarter's rate from its months, and the sheet gives one "
                           "rate per quarter (columns.quarter)", file=label, location="tables.fx.rule",
                           hint=f"write rule: quarter to read each quarter's rate as the sheet gives it; see {_SECTION}")
        if not columns & {"month", "quarter"}:
            raise MapError("say which column dates each rate: month or quarter", file=label,
                           location="tables.fx.columns", hint=f"e.g. month: Month; see {_SECTION}")
    if table.files is not None and "rate" not in columns:
        raise MapError("say which column holds the rates", file=label, location="tables.fx.columns",
                       hint=f"e.g. rate: {table.pair} (the sheet's header); see {_SECTION}")


def pair_of(table: FxTable, label: str) -> FxPair:
    return FxPair(base=table.pair[:3], quote=table.pair[3:], map_file=label)


def sheet_rates(source: Staged | None, table: FxTable, calendar: Calendar, quarters: list[str]) -> pd.DataFrame:
    """The pair's rate for each quarter (quarter, rate, line), unrounded, by the map's rule; ``quarters``
    are the data's, which a fixed rate is given for. ``line`` is the sheet's row the rate comes from
    (the quarter's last month under quarter_average; None for a rate written in the map)."""
    if source is None:  # rule: fixed with rate: in the map
        return pd.DataFrame({"quarter": pd.Series(quarters, dtype=object), "rate": float(table.rate),
                             "line": None})
    cells, numbers, origin = open_table(source, required=["rate"], numbers=["rate"])
    out = pd.DataFrame({"line": cells["line"]})
    # Negative rates pass the parser so that the check below, not a movement's hint, says what a rate is.
    out["rate"] = amount_column(cells, origin, "rate", required=True, negative=True, numbers=numbers,
                                what="a rate", advice=f"write the rate as a number (1.1650): how many "
                                f"{table.pair[3:]} one {table.pair[:3]} is worth; see {_SECTION}")
    fail_where(out["rate"] <= 0, out, origin, "rate", lambda r: f"{origin.column('rate')} must be greater than 0, "
               f"got {r.rate:g}", f"a rate is how many {table.pair[3:]} one {table.pair[:3]} is worth; see {_SECTION}")
    if table.rule == "fixed":
        if len(out) > 1:
            report(DataError(f"rule: fixed reads one rate, and the sheet has {len(out)} rows",
                             **origin.at(int(out["line"].iloc[1]), "rate"),
                             hint=f"keep one row, or read the sheet by quarter or month (rule: quarter, quarter_end "
                             f"or quarter_average); see {_SECTION}"))
        first = out.iloc[:1]
        return pd.DataFrame({"quarter": pd.Series(quarters, dtype=object),
                             "rate": float(first["rate"].iloc[0]) if len(first) else np.nan,
                             "line": first["line"].iloc[0] if len(first) else None}).dropna(subset=["rate"])
    if table.rule == "quarter":
        out["quarter"] = quarter_column(cells, origin, calendar=calendar)
        fail_duplicates(out, origin, ["quarter"], "quarter", "two rates for one quarter")
        kept = out.dropna(subset=["quarter", "rate"]).drop_duplicates("quarter")
        return kept[["quarter", "rate", "line"]].reset_index(drop=True)
    out["month"] = month_indexes(cells["month"])
    fail_where(out["month"].isna(), out.assign(cell=cells["month"]), origin, "month",
               lambda r: f"'{r.cell}' is not a month" if r.cell else f"{origin.column('month')} is blank",
               f"write months like 2025-07, Jul 2025 or July 2025; see {_SECTION}")
    out = out.dropna(subset=["month"]).astype({"month": "int64"})
    fail_duplicates(out.assign(shown=[month_label(m) for m in out["month"]]), origin, ["shown"], "month",
                    "two rates for one month")
    out = out.drop_duplicates("month").dropna(subset=["rate"])
    return _by_rule(out, table.rule, calendar, origin)


def _by_rule(months: pd.DataFrame, rule: str, calendar: Calendar, origin) -> pd.DataFrame:
    """Each quarter's rate from its months: the last month's (quarter_end) or the mean of all three."""
    index = months["month"].to_numpy()
    # numpy counts months from January 1970; the month index from year 0 (year × 12 + month − 1).
    months = months.assign(quarter=calendar.quarter_of((index - 1970 * 12).astype("datetime64[M]")),
                           place=(index - (calendar.first_month - 1)) % 3)  # 0, 1, 2: the month's place in its quarter
    latest = int(index.max()) if len(index) else 0
    rows = []
    for quarter, group in months.groupby("quarter", sort=True):
        start = int(group["month"].iloc[0] - group["place"].iloc[0])
        wanted = [start + 2] if rule == "quarter_end" else [start, start + 1, start + 2]
        missing = [m for m in wanted if m not in set(group["month"])]
        if missing and all(m > latest for m in missing):
            # The sheet stops inside this quarter (finance has not published its last month yet).
            note(DataWarning(f"{quarter} has no rate yet: the sheet stops at {month_label(latest)}, before "
                             f"{month_label(missing[0])}", **origin.at(int(group["line"].iloc[-1]), "month"),
                             hint=f"a replay that needs {quarter}'s rate stops; add the rest of the quarter's months to "
                             f"the sheet; see {_SECTION}"))
            continue
        if missing:
            given = ", ".join(month_label(m) for m in sorted(group["month"]))
            which = "its last month" if rule == "quarter_end" else "each of its three months"
            report(DataError(f"{quarter} has no rate for {month_label(missing[0])} (rule: {rule} needs {which}; "
                             f"the sheet gives {given})", **origin.at(int(group["line"].iloc[0]), "month"),
                             hint=f"add a row for {month_label(missing[0])} to the sheet; see {_SECTION}"))
            continue
        chosen = group[group["month"].isin(wanted)].sort_values("month")
        rate = float(chosen["rate"].iloc[-1]) if rule == "quarter_end" else float(chosen["rate"].sum() / 3)
        rows.append((quarter, rate, chosen["line"].iloc[-1]))
    return pd.DataFrame(rows, columns=["quarter", "rate", "line"]).astype({"quarter": object})


def rates_for(rates: pd.DataFrame, pair: FxPair, plan_currency: str) -> pd.DataFrame:
    """fx.csv's frame (quarter, currency, rate, line) for a plan reporting in ``plan_currency``: the sheet's
    other currency at the rate as given when the plan's currency is the quote (EURUSD, a USD plan), at
    1 / rate, unrounded, when it is the base (a EUR plan). A pair without the plan's currency is a MapError."""
    plan = plan_currency_code(plan_currency) or plan_currency.strip().upper()
    if plan == pair.quote:
        currency, rate = pair.base, rates["rate"]
    elif plan == pair.base:
        currency, rate = pair.quote, 1.0 / rates["rate"]
    else:
        raise MapError(f"the FX sheet quotes {pair.name}, and the plan reports in {plan}: its rates do not convert "
                       f"{pair.base} or {pair.quote} into {plan}", file=pair.map_file, location="tables.fx.pair",
                       hint=f"give a sheet of rates between the pay currency and {plan} ({pair.base}{plan} or "
                       f"{plan}{pair.base}), or fx.csv; see {_SECTION}")
    return pd.DataFrame({"quarter": rates["quarter"], "currency": currency, "rate": rate,
                         "line": rates["line"]}).reset_index(drop=True)


def refuse_two_rate_sources(folder: Path, label: str) -> None:
    """fx.csv beside a map's tables.fx: which rates count cannot be known."""
    raise MapError("the data folder has fx.csv and the map reads an FX sheet (tables.fx): "
                   "which rates count cannot be known", file=label, location="tables.fx",
                   hint=f"remove fx.csv from {folder}, or tables.fx from the map; see {_SECTION}")



def load_rates(source: Path | Staged | None, fx_table: FxTable | None, label: str | None, calendar: Calendar,
               quarters: list[str]) -> tuple[pd.DataFrame | None, FxPair | None]:
    """The folder's rates: fx.csv as written (no pair: it is already in the plan's currency), or the map's
    FX sheet as the pair's rate per quarter with its pair (turned by rates_for at replay); (None, None)
    without either. ``quarters``: the data's, for a fixed rate."""
    from cscomp_cli.inputs.fx_rates import load_fx

    if fx_table is None:
        return (load_fx(source, calendar=calendar) if source is not None else None), None
    return sheet_rates(source, fx_table, calendar, quarters), pair_of(fx_table, label)
