"""Load and validate the data folder (SPEC section 1): accounts, roster, payouts, quotas.

Every format detail lives here: encodings, delimiters, header spelling, quarter labels, amounts
and their separators, booleans, dates (the user-facing rules are docs/data.md). Each loader returns
a typed pandas DataFrame with a ``line`` column (the CSV line the row came from) so later checks can
still point at the row. Problems raise DataError naming the file, the line and the column, and
saying how to fix it; what reads but deserves a word (a semicolon file, an ambiguous 35.500) is
noted as a DataWarning, which load_dataset and validate collect.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from cscomp_cli.core.errors import CscompError, DataError, collect_notes
from cscomp_cli.core.quarters import CALENDAR, Calendar
from cscomp_cli.inputs.continuity import history_warnings
from cscomp_cli.inputs.currency_cells import CurrencyMark
from cscomp_cli.inputs.datamap import MAP_FILE, load_map
from cscomp_cli.inputs.files import (
    ACCOUNTS,
    FX,
    PAYOUTS,
    QUOTAS,
    ROSTER,
    Origin,
    Staged,
    present,
    relative_to,
)
from cscomp_cli.inputs.fx_sheet import FxPair, load_rates, rates_for
from cscomp_cli.inputs.tables import (
    header_columns,
    load_accounts,
    load_payouts,
    load_quotas,
    load_roster,
    table_currencies,
    written_headers,
)


@dataclass(frozen=True)
class Dataset:
    """The validated contents of one data folder."""

    folder: Path
    accounts: pd.DataFrame
    roster: pd.DataFrame
    payouts: pd.DataFrame | None
    quotas: pd.DataFrame | None
    # What the loaders noticed but could read (an ambiguous separator, a semicolon file), one line
    # each; every replay carries them into its output's warnings.
    warnings: list[str] = field(default_factory=list)
    # The columns each file's header had (file name -> names); a file missing here is "unknown".
    columns: dict[str, frozenset[str]] = field(default_factory=dict)
    # How the data's quarter labels read (calendar quarters unless the data map names a fiscal year).
    calendar: Calendar = CALENDAR
    # Every header each file has, as written (the export's own spelling), for messages about a column
    # a plan names but the data lacks; ``columns`` holds only those cscomp reads.
    headers: dict[str, tuple[str, ...]] = field(default_factory=dict)

    # Where each table was read from; a table missing here is the canonical CSV of that name.
    origins: dict[str, Origin] = field(default_factory=dict)
    # Other spellings of csm_ids the data map lists (aliases, value maps), folded -> ids, so a person
    # may name a CSM as the exports spell them (explain --csm); empty without a map.
    csm_spellings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Where each table names a currency (a code beside an amount, a currency column), one mark per
    # column and code: checked against the plan's currency before any replay (engine/currencies.py).
    currencies: tuple[CurrencyMark, ...] = ()
    # The folder's exchange rates, else None. Read them with fx_rates(plan currency), never directly:
    # fx.csv's frame is (quarter, currency, rate, line); a data map's FX sheet (tables.fx) is its
    # pair's rate per quarter (quarter, rate, line) with the pair in fx_pair, which way to turn it
    # known only once the plan's currency is.
    fx: pd.DataFrame | None = None
    fx_pair: FxPair | None = None

    def path(self, name: str) -> Path | str:
        origin = self.origins.get(name)
        return origin.path if origin is not None else self.folder / name

    def called(self, name: str) -> str:
        """How a message names a table: accounts.csv, or the export the data map reads it from."""
        origin = self.origins.get(name)
        if origin is None:
            return name
        return f"{relative_to(origin.path, self.folder)} (the {name.removesuffix('.csv')} table)"

    def origin(self, name: str) -> Origin:
        return self.origins.get(name) or Origin(self.folder / name)

    def fx_rates(self, plan_currency: str) -> pd.DataFrame | None:
        """fx.csv's rates (quarter, currency, rate, line) for a plan reporting in ``plan_currency``: the
        rate is units of the plan's currency per 1 unit of ``currency`` (SPEC 6.3); None without rates.
        From fx.csv a row for the plan's own currency must be 1 (a DataError); from an FX sheet whose pair
        does not involve the plan's currency, a MapError at tables.fx.pair."""
        if self.fx is None:
            return None
        if self.fx_pair is not None:
            return rates_for(self.fx, self.fx_pair, plan_currency)
        from cscomp_cli.inputs.fx_rates import plan_rate_is_one

        plan_rate_is_one(self.fx, self.origin(FX), plan_currency)
        return self.fx


def load_dataset(folder: Path, *, require_payouts: bool = True, calendar: Calendar | None = None,
                 columns: dict[str, set[str]] | None = None) -> Dataset:
    """Read and validate every table of a data folder: its CSVs, or the exports its data map names.

    The calendar is the map's fiscal year (calendar quarters without one) unless ``calendar`` is given.
    ``columns``: the extra accounts columns the plans' own metrics read (Plan.account_columns()).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(
            "data folder not found",
            file=folder,
            hint="pass --data DIR (or set CSCOMP_DATA) to the folder holding accounts.csv and roster.csv",
        )
    with collect_notes() as notes:
        sources, data_map = table_sources(folder, require_payouts=require_payouts, columns=columns)
        calendar = calendar or (data_map.calendar if data_map is not None else CALENDAR)
        tables = {
            ACCOUNTS: load_accounts(sources[ACCOUNTS], calendar=calendar, extra=columns),
            ROSTER: load_roster(sources[ROSTER], calendar=calendar),
            PAYOUTS: load_payouts(sources[PAYOUTS], calendar=calendar) if sources[PAYOUTS] is not None else None,
            QUOTAS: load_quotas(sources[QUOTAS], calendar=calendar) if sources[QUOTAS] is not None else None,
        }
        fx, fx_pair = load_rates(sources[FX], data_map.tables.fx if data_map is not None else None,
                                 str(folder / MAP_FILE), calendar, data_quarters(tables))
    dataset = Dataset(
        folder=folder,
        accounts=tables[ACCOUNTS],
        roster=tables[ROSTER],
        payouts=tables[PAYOUTS],
        quotas=tables[QUOTAS],
        warnings=[n.one_line() for n in notes],
        columns=header_columns(tables),
        origins={name: source.origin for name, source in sources.items() if isinstance(source, Staged)},
        calendar=calendar,
        headers=written_headers(tables),
        csm_spellings=data_map.csm_spellings() if data_map is not None else {},
        currencies=table_currencies(tables),
        fx=fx,
        fx_pair=fx_pair,
    )
    return replace(dataset, warnings=[*dataset.warnings, *(w.one_line() for w in history_warnings(dataset))])


def table_sources(folder: Path, *, require_payouts: bool = True, columns: dict[str, set[str]] | None = None
                  ) -> tuple[dict[str, Path | Staged | None], object]:
    """What each table is read from: the folder's CSVs (None for an optional one absent), or, when the
    folder has a data map, the tables it stages from the exports; and the map (None without one).

    ``columns``: the extra accounts columns the plans name, which the map's staging carries through."""
    data_map = load_map(folder)
    # fx.csv is read as written beside the canonical CSVs, and beside a map without tables.fx.
    fx_path = folder / FX if present(folder / FX) else None
    if data_map is None:
        payouts_path, quotas_path = folder / PAYOUTS, folder / QUOTAS
        return {
            ACCOUNTS: folder / ACCOUNTS,
            ROSTER: folder / ROSTER,
            PAYOUTS: payouts_path if require_payouts or present(payouts_path) else None,
            QUOTAS: quotas_path if present(quotas_path) else None,
            FX: fx_path,
        }, None
    from cscomp_cli.inputs.exports import stage_tables

    staged = stage_tables(folder, data_map, require_payouts=require_payouts, columns=columns)
    return {ACCOUNTS: staged["accounts"], ROSTER: staged["roster"], PAYOUTS: staged["payouts"],
            QUOTAS: staged["quotas"], FX: staged["fx"] if data_map.tables.fx is not None else fx_path}, data_map


def data_quarters(tables: dict[str, pd.DataFrame | None]) -> list[str]:
    """Every quarter a table of the data names (accounts, payouts, quotas, a roster's quarter rows): the
    quarters a fixed exchange rate is given for."""
    found: set[str] = set()
    for table in tables.values():
        if table is not None and "quarter" in table:
            found |= {q for q in table["quarter"].dropna().unique() if isinstance(q, str)}
    return sorted(found)


def input_files(folder: Path) -> list[Path]:
    """Every file a replay of this folder reads: its CSVs, or its data map and the exports it names."""
    folder = Path(folder)
    files = [folder / name for name in (ACCOUNTS, ROSTER, PAYOUTS, QUOTAS, MAP_FILE)]
    try:
        data_map = load_map(folder) if folder.is_dir() else None
    except CscompError:
        return files  # the replay itself will say what is wrong with the map
    if data_map is not None:
        from cscomp_cli.inputs.exports import export_files

        files += export_files(folder, data_map)
    return files
