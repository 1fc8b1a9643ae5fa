"""Load and validate the data folder (SPEC section 1): accounts, roster, payouts, quotas.

Every format detail lives here: encodings, delimiters, header spelling, quarter labels, amounts
and their separators, booleans, dates (the user-facing rules are docs/data.md). Each loader returns
a typed pandas DataFrame with a ``line`` column (the CSV line the row came from) so later checks can
still point at the row. Problems raise DataError naming the file, the line and the column, and
saying how to fix it; what reads but deserves a word (a semicolon file, an ambiguous 35.500) is
noted as a DataWarning, which load_dataset and validate collect.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, DataWarning, collect_notes, note, report
from cscomp_cli.core.rounding import round_half_away
from cscomp_cli.core.quarters import CALENDAR, Calendar
from cscomp_cli.inputs.cell_bytes import _arrow, _arrow_categorical, _blank_and_plain, _categorical, _distinct, _lengths, _plain_floats, _trimmed
from cscomp_cli.inputs.files import (
    ACCOUNTS, DATA_DOC, Origin, PAYOUTS, QUOTAS, ROSTER, Staged, _check_header_width, _head, _may_hold_controls,
    _physical_lines, _read_bytes, _refuse_binary, _refuse_controls, _refuse_controls_in_header, present,
    relative_to,
)
from cscomp_cli.inputs.files import _DELIMITERS, _fail_where, _read_as


# A plain or thousands-grouped number with an optional currency sign, minus sign or accounting
# parentheses: 1234.5, 1,234.50, $1,234.50, €1234, -1,200.00, ($1,200.00). ASCII digits only: \d
# would also match other scripts' digits (１２３), which float() then reads or refuses unpredictably.
_AMOUNT = (
    r"^(?P<open>\()?\s*(?P<sign>-)?\s*[$€£]?\s*(?P<sign2>-)?\s*"
    r"(?P<number>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<close>\))?$"
)
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}
# A trillion: larger amounts are export errors, and would overflow the integer cents payouts are summed in.
MAX_AMOUNT = 1e12
# Every payout line of a file together (clawbacks counted as paid): a quadrillion keeps every sum of
# integer cents, over any CSMs and quarters, a hundred times inside int64.
MAX_FILE_TOTAL = 1e15
_AMOUNT_HINT = f"write amounts like 1234.50, 1,234.50 or $1,234.50; see {DATA_DOC}"
_EUROPEAN_HINT = ("this file uses decimal commas: write amounts like 1234,50 or 1.234,50 (or re-export it with "
                  f"decimal points); see {DATA_DOC}")


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
    return Dataset(
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
    )


def table_sources(folder: Path, *, require_payouts: bool = True, columns: dict[str, set[str]] | None = None
                  ) -> tuple[dict[str, Path | Staged | None], object]:
    """What each table is read from: the folder's CSVs (None for an optional one absent), or, when the
    folder has a data map, the tables it stages from the exports; and the map (None without one).

    ``columns``: the extra accounts columns the plans name, which the map's staging carries through."""
    from cscomp_cli.inputs.datamap import load_map

    data_map = load_map(folder)
    if data_map is None:
        payouts_path, quotas_path = folder / PAYOUTS, folder / QUOTAS
        return {
            ACCOUNTS: folder / ACCOUNTS,
            ROSTER: folder / ROSTER,
            PAYOUTS: payouts_path if require_payouts or present(payouts_path) else None,
            QUOTAS: quotas_path if present(quotas_path) else None,
        }, None
    from cscomp_cli.inputs.exports import stage_tables

    staged = stage_tables(folder, data_map, require_payouts=require_payouts, columns=columns)
    return {ACCOUNTS: staged["accounts"], ROSTER: staged["roster"], PAYOUTS: staged["payouts"],
            QUOTAS: staged["quotas"]}, data_map


def input_files(folder: Path) -> list[Path]:
    """Every file a replay of this folder reads: its CSVs, or its data map and the exports it names."""
    from cscomp_cli.inputs.datamap import MAP_FILE, load_map
    from cscomp_cli.core.errors import CscompError

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


def header_columns(tables: dict[str, pd.DataFrame | None]) -> dict[str, frozenset[str]]:
    """The header columns each loaded table came with (the loaders leave them in ``attrs``)."""
    return {name: table.attrs.pop("header") for name, table in tables.items()
            if table is not None and "header" in table.attrs}


def written_headers(tables: dict[str, pd.DataFrame | None]) -> dict[str, tuple[str, ...]]:
    """Each loaded table's whole header as its file writes it (the loaders leave it in ``attrs``)."""
    return {name: table.attrs.pop("written") for name, table in tables.items()
            if table is not None and "written" in table.attrs}


# --- one loader per input ------------------------------------------------------------------


ACCOUNT_COLUMNS = ("quarter", "account_id", "csm_id", "arr_start", "expansion", "contraction", "churn",
                   "cross_sell", "arr_end", "renewal_due", "renewed", "segment", "nps", "health", "risk")
# How a plan's metrics may read each built-in accounts column (SPEC 5.3: custom metrics and filters).
BUILTIN_READS = {
    **{c: {"number"} for c in ("arr_start", "expansion", "cross_sell", "contraction", "churn", "arr_end", "nps",
                               "health", "risk")},
    "renewal_due": {"flag", "number"}, "renewed": {"flag", "number"},
    **{c: {"text"} for c in ("quarter", "account_id", "csm_id", "segment")},
}


def column_key(column: str) -> str:
    """A column name as cscomp compares it, like a CSV header: trimmed, in any case (CSAT is csat)."""
    return str(column).strip().lower()


def extra_column(column: str, kind: str) -> str:
    """Where the accounts frame keeps a plan's own column read one way: 'number:csat', 'text:churn_reason'."""
    return f"{kind}:{column_key(column)}"


def merged_columns(wanted: list[dict[str, set[str]]]) -> dict[str, set[str]]:
    """Several plans' account_columns() as one (compare replays them all on one dataset): each column
    read every way one of them reads it, under its compared name."""
    merged: dict[str, set[str]] = {}
    for columns in wanted:
        for name, kinds in (columns or {}).items():
            merged.setdefault(column_key(name), set()).update(kinds)
    return merged


def account_column(accounts: pd.DataFrame, column: str, kind: str) -> np.ndarray | None:
    """An accounts column read as ``kind``: number (float, NaN blank), flag (1.0 / 0.0, NaN blank) or text
    (trimmed and case-folded, None blank); None when the data has no such column.

    A built-in column is read from its parsed values; a plan's own column from what the loader kept
    for it (load_accounts' ``extra``). Raises KeyError when a built-in column cannot be read that way
    (BUILTIN_READS says how each can).
    """
    column = column_key(column)
    if column in BUILTIN_READS:
        if kind not in BUILTIN_READS[column]:
            raise KeyError(column)
        values = accounts[column]
        if kind == "text":
            if isinstance(values.dtype, pd.CategoricalDtype):
                # A few segments or quarters over millions of rows: each category folded once.
                folded = np.array([str(c).strip().casefold() for c in values.cat.categories] + [None], dtype=object)
                return folded[values.cat.codes.to_numpy()]
            text = values.astype(object)
            return np.asarray(text.where(text.notna(), None).map(lambda v: None if v is None else str(v).casefold()),
                              dtype=object)
        return values.to_numpy(dtype="float64")
    name = extra_column(column, kind)
    if name not in accounts:
        return None
    values = accounts[name]
    if kind == "text":
        return np.asarray(values.astype(object).where(values.notna(), None), dtype=object)
    return values.to_numpy(dtype="float64")


def load_accounts(path: Path | Staged, *, calendar: Calendar = CALENDAR,
                  extra: dict[str, set[str]] | None = None) -> pd.DataFrame:
    """accounts.csv: one row per account per quarter, the CSMs' books.

    ``extra``: columns a plan's own metrics read beyond the built-in ones, each with how it is read
    (number, text, flag); only these are kept, so unused export columns cost no memory.
    """
    amounts = ["arr_start", "expansion", "cross_sell", "contraction", "churn", "arr_end"]
    # "line" is the row key every table carries, never an export's column.
    extra = {name: kinds for name, kinds in merged_columns([extra]).items() if name not in BUILTIN_READS
             and name != "line"}
    table, numbers, origin = _open_table(path,
        required=["quarter", "account_id", "csm_id", "arr_start", "expansion", "contraction", "churn"],
        optional=["cross_sell", "arr_end", "renewal_due", "renewed", "segment", "nps", "health", "risk", *extra],
        # A plan's own number column tells the file's decimal separator as well as the amounts do (4,5).
        numbers=[*amounts, "health", "risk", *(c for c, kinds in extra.items() if "number" in kinds)],
    )
    out = pd.DataFrame({"line": table["line"]})
    header = table.head(0)  # the header as read, for _with_header: cells are let go of below as they are parsed

    def parsed(*columns: str) -> None:
        # Each text column is dropped once its values are parsed, so millions of cells are never held
        # twice over (as text and as numbers): the peak memory of loading a 2 M-row export.
        nonlocal table
        table = table.drop(columns=[c for c in columns if c in table.columns])
    # A few quarters and a few thousand CSMs repeat over millions of rows: categories hold each once
    # and give the group-bys of the metrics (and the duplicate check) their codes for free.
    out["quarter"] = _quarters(table, origin, calendar=calendar, categorical=True)
    out["account_id"] = _text(table, origin, "account_id", required=True, categorical=True)
    out["csm_id"] = _text(table, origin, "csm_id", required=True, categorical=True)
    parsed("quarter", "account_id", "csm_id")
    for column in ("arr_start", "expansion", "contraction", "churn"):
        out[column] = _amounts(table, origin, column, required=True, negative=False, numbers=numbers)
        parsed(column)
    out["cross_sell"] = _amounts(table, origin, "cross_sell", required=False, negative=False,
                                 numbers=numbers).fillna(0.0)
    out["renewal_due"] = _booleans(table, origin, "renewal_due")
    out["renewed"] = _booleans(table, origin, "renewed")
    out["segment"] = _text(table, origin, "segment", required=False, categorical=True)  # informational
    out["nps"] = _scores(table, origin, "nps", 0, 10, integer=True, numbers=numbers)
    out["health"] = _scores(table, origin, "health", 0, 100, numbers=numbers)
    out["risk"] = _scores(table, origin, "risk", 0, 1, numbers=numbers)
    parsed("cross_sell", "renewal_due", "renewed", "segment", "nps", "health", "risk")

    gained = out["arr_start"] + out["expansion"] + out["cross_sell"]
    lost = out["contraction"] + out["churn"]
    _fail_where(
        lost > gained + 1e-6,
        out,
        origin,
        "contraction",
        lambda r: f"contraction + churn ({r.contraction + r.churn:,.2f}) exceeds arr_start + expansion + "
        f"cross_sell ({r.arr_start + r.expansion + r.cross_sell:,.2f})",
        "an account cannot lose more ARR than it had; check the contraction and churn columns",
    )
    derived = gained - lost
    arr_end = _amounts(table, origin, "arr_end", required=False, negative=False, numbers=numbers)
    out["arr_end"] = arr_end
    parsed("arr_end")
    _fail_where(
        arr_end.notna() & ((arr_end - derived).abs() > 0.01 + 1e-9),
        out.assign(derived=derived),
        origin,
        "arr_end",
        lambda r: f"arr_end {r.arr_end:,.2f} does not equal arr_start + expansion + cross_sell − "
        f"contraction − churn = {r.derived:,.2f}",
        "fix the movement columns or leave arr_end blank to have it derived",
    )
    # Derived in exact arithmetic, as a person would: 0.1 + 0.2 − 0.3 is 0 (a churned logo), not 5.6e-17.
    out["arr_end"] = arr_end.fillna(pd.Series(round_half_away(derived.to_numpy()), index=derived.index))
    for column, kinds in extra.items():
        if column in table:
            for kind in sorted(kinds):
                out[extra_column(column, kind)] = _extra_values(table, origin, column, kind, numbers)
            parsed(column)
    _fail_duplicates(out, origin, ["quarter", "account_id"], "account_id", "an account appears twice in one quarter")
    _bound_book_totals(out, origin, ["arr_start", "expansion", "cross_sell", "contraction", "churn"])
    return _with_header(out.reset_index(drop=True), header)


def load_roster(path: Path | Staged, *, calendar: Calendar = CALENDAR) -> pd.DataFrame:
    """roster.csv: the CSMs, optionally one row per quarter."""
    table, numbers, origin = _open_table(path,
        required=["csm_id", "name", "segment", "annual_base", "annual_variable"],
        optional=["team", "quarter", "start_date", "end_date"],
        numbers=["annual_base", "annual_variable"],
    )
    out = pd.DataFrame({"line": table["line"]})
    out["csm_id"] = _text(table, origin, "csm_id", required=True)
    out["name"] = _text(table, origin, "name", required=True)
    out["segment"] = _text(table, origin, "segment", required=True)
    out["team"] = _text(table, origin, "team", required=False)
    out["annual_base"] = _amounts(table, origin, "annual_base", required=True, negative=False, numbers=numbers)
    out["annual_variable"] = _amounts(table, origin, "annual_variable", required=True, negative=False,
                                      numbers=numbers)
    if "quarter" in table and (table["quarter"].str.strip() != "").any():
        out["quarter"] = _quarters(table, origin, required=False, calendar=calendar)
    else:
        out["quarter"] = pd.Series(None, index=table.index, dtype="object")
    out["start_date"] = _dates(table, origin, "start_date")
    out["end_date"] = _dates(table, origin, "end_date")
    _fail_where(
        out["start_date"].notna() & out["end_date"].notna() & (out["end_date"] < out["start_date"]),
        out,
        origin,
        "end_date",
        lambda r: f"end_date {r.end_date.date()} is before start_date {r.start_date.date()}",
        "swap the dates or correct the one that is wrong",
    )
    _fail_duplicates(
        out.assign(quarter=out["quarter"].fillna("(every quarter)")),
        origin,
        ["csm_id", "quarter"],
        "csm_id",
        "the same CSM has two roster rows for one quarter",
    )
    return _with_header(out.reset_index(drop=True), table)


def load_payouts(path: Path | Staged, *, calendar: Calendar = CALENDAR) -> pd.DataFrame:
    """payouts.csv: what was actually paid; amounts may be negative (clawbacks)."""
    table, numbers, origin = _open_table(path, required=["quarter", "csm_id", "amount"], optional=["component"],
                               allow_empty=True, numbers=["amount"])
    out = pd.DataFrame({"line": table["line"]})
    out["quarter"] = _quarters(table, origin, calendar=calendar)
    out["csm_id"] = _text(table, origin, "csm_id", required=True)
    out["amount"] = _amounts(table, origin, "amount", required=True, negative=True, numbers=numbers)
    out["component"] = _text(table, origin, "component", required=False)
    _bound_payout_totals(out, origin)
    return _with_header(out.reset_index(drop=True), table)


def load_quotas(path: Path | Staged, *, calendar: Calendar = CALENDAR) -> pd.DataFrame:
    """quotas.csv: per-CSM targets for components whose target is `quotas`."""
    table, numbers, origin = _open_table(path, required=["quarter", "csm_id", "component", "target"], allow_empty=True,
                               numbers=["target"])
    out = pd.DataFrame({"line": table["line"]})
    out["quarter"] = _quarters(table, origin, calendar=calendar)
    out["csm_id"] = _text(table, origin, "csm_id", required=True)
    out["component"] = _text(table, origin, "component", required=True)
    out["target"] = _amounts(table, origin, "target", required=True, negative=False, numbers=numbers)
    _fail_where(
        out["target"] <= 0,
        out,
        origin,
        "target",
        lambda r: f"target must be greater than 0, got {r.target:g}",
        "a quota of 0 makes attainment meaningless; remove the row or give the real quota",
    )
    _fail_duplicates(
        out, origin, ["quarter", "csm_id", "component"], "component", "two quotas for one CSM, quarter and component"
    )
    return _with_header(out.reset_index(drop=True), table)


# --- totals no book or payroll reaches ------------------------------------------------------
# Each cell is at most MAX_AMOUNT, but a million of them are not: payouts are summed in integer
# cents, and 100,000 lines of 999,999,999,999.99 wrap int64 round to a negative total. Totals are
# bounded where they are summed, in floats first, so no later integer sum can overflow.


def _bound_payout_totals(out: pd.DataFrame, origin: Origin) -> None:
    """Refuse a CSM-quarter paid more than MAX_AMOUNT in all, and a file paying more than MAX_FILE_TOTAL."""
    amounts = out["amount"].fillna(0.0)
    totals = amounts.groupby([out["quarter"], out["csm_id"]], sort=False).transform("sum")
    over = totals.abs() > MAX_AMOUNT
    if bool(over.any()):
        first = out.loc[over].iloc[0]
        books = out.loc[over, ["quarter", "csm_id"]].drop_duplicates()
        more = f" (and {len(books) - 1} more CSM-quarter{'s' if len(books) > 2 else ''} like it)" if len(books) > 1 else ""
        report(DataError(
            f"the payouts to {first.csm_id} in {first.quarter} add up to {_total(totals[over].iloc[0])}, more than "
            f"{MAX_AMOUNT:,.0f}{more}",
            **origin.at(first['line'], 'amount'),
            hint="no CSM is paid that much in a quarter: check the export for repeated lines or a misplaced digit "
            f"or separator; see {DATA_DOC}"))
        out.loc[over, "amount"] = np.nan  # validate goes on without them
    paid = float(out["amount"].abs().sum())
    if paid > MAX_FILE_TOTAL:
        report(DataError(
            f"the payout lines add up to {_total(paid)} (clawbacks counted as paid), more than {MAX_FILE_TOTAL:,.0f}",
            file=origin.path, location=f"column {origin.column('amount')}",
            hint=f"no payroll pays that much: check that this is the right file; see {DATA_DOC}"))
        out["amount"] = np.nan


def _total(value: float) -> str:
    """A sum as a person reads it: to the cent while a float holds cents exactly, else to three digits."""
    if abs(value) < 2**53 / 100:
        return f"{value:,.2f}"
    return f"about {float(f'{value:.3g}'):,.0f}"


def _bound_book_totals(out: pd.DataFrame, origin: Origin, columns: list[str]) -> None:
    """Refuse a CSM's book (one quarter) whose column adds up to more than MAX_AMOUNT."""
    quarter, csm = out["quarter"].cat.codes.to_numpy(), out["csm_id"].cat.codes.to_numpy()
    known = (quarter >= 0) & (csm >= 0)
    csms = max(len(out["csm_id"].cat.categories), 1)
    books = np.where(known, quarter.astype("int64") * csms + csm, 0)
    size = len(out["quarter"].cat.categories) * csms
    if size > 50_000_000:  # hundreds of quarters × a million CSMs: number the books present instead
        _, books = np.unique(books, return_inverse=True)
        size = int(books.max()) + 1 if len(books) else 0
    for column in columns:
        values = out[column].to_numpy(dtype="float64")
        totals = np.bincount(books, weights=np.where(known & (values == values), values, 0.0), minlength=size)
        if not bool((totals > MAX_AMOUNT).any()):
            continue
        over = known & (totals[books] > MAX_AMOUNT)
        first = out.loc[over].iloc[0]
        count = len(np.unique(books[over]))
        more = f" (and {count - 1} more book{'s' if count > 2 else ''} like it)" if count > 1 else ""
        report(DataError(
            f"the book of {first.csm_id} in {first.quarter} adds up to {_total(totals[books[over][0]])} of {column}, "
            f"more than {MAX_AMOUNT:,.0f}{more}",
            **origin.at(first['line'], column),
            hint="no CSM's book is that large: check the export for repeated rows or a misplaced digit or "
            f"separator; see {DATA_DOC}"))
        out.loc[over, column] = np.nan  # validate goes on without them


def _with_header(out: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Leave the columns the file's header had on the frame (those cscomp reads, and the whole header as
    written), for load_dataset to pick up."""
    out.attrs["header"] = frozenset(c for c in table.columns if c != "line")
    out.attrs["written"] = tuple(table.attrs.get("written", out.attrs["header"]))
    return out


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Numbers:
    """How one file writes numbers: which separator is the decimal one, and whether its cells show it."""

    decimal: str = "."
    # True when some cell can only be read one way (12.5, 1,234.50, 1.234,50, 1,234,567), so a
    # cell like 35.500 is not ambiguous in this file.
    settled: bool = False
    delimiter: str = ","


def _read_csv(path: Path, *, required: list[str], optional: list[str] = (), allow_empty: bool = False,
              numbers: list[str] = ()) -> tuple[pd.DataFrame, _Numbers]:
    """Read a CSV as text cells with normalised column names and a ``line`` column.

    Also works out how the file writes numbers, from the cells of its ``numbers`` columns.
    """
    raw = _read_bytes(path)
    _refuse_binary(path, raw[:8])
    table, lines, head, delimiter = parse_csv(raw, path, known=set(required) | set(optional))
    controls = _may_hold_controls(raw)
    del raw

    written = [str(c).strip().lstrip("\ufeff") for c in table.columns]
    names = [c.lower() for c in written]
    _refuse_controls_in_header(path, names)
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(f"column '{name}' appears twice in the header", file=path, location="line 1")
        seen.add(name)
    table.columns = names
    missing = [c for c in required if c not in seen]
    if missing:
        raise DataError(
            f"missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
            + _header_looks(delimiter, head),
            file=path,
            location="line 1",
            hint=f"the header must contain {', '.join(required)} (any case, any order), separated by commas, "
            f"semicolons or tabs; see {DATA_DOC}",
        )
    keep = [c for c in names if c in set(required) | set(optional)]
    table = table[keep].copy()
    for column in keep:
        # Cells are compared trimmed everywhere ("  1,234.50 " is an amount), so trim them once here.
        table[column] = _trimmed(table[column])
    table["line"] = lines
    if controls:
        _refuse_controls(Origin(path), table, keep)
    # Blank lines (every cell empty) are skipped; their line numbers stay counted.
    blank = _all_blank(table, keep)
    if blank.any():
        table = table.loc[~blank]
    if table.empty and not allow_empty:
        raise DataError("has a header but no rows", file=path, hint=f"export {path.name} with its data rows")
    convention = _number_convention(table, Origin(path), [c for c in numbers if c in table], delimiter)
    if delimiter != "," and convention.decimal == ".":
        note(DataWarning(f"read as {_DELIMITERS[delimiter]}-separated (not comma-separated)", file=path,
                         location="line 1"))
    table.attrs["written"] = tuple(written)
    return table, convention


def _all_blank(table: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The rows whose every cell is empty (from the cells' lengths where they are Arrow text)."""
    blank = np.ones(len(table), dtype=bool)
    for column in columns:
        chunks = _arrow(table[column])
        blank &= (_lengths(chunks) == 0) if chunks is not None else (table[column] == "").to_numpy()
        if not blank.any():
            break
    return blank


def _open_table(source: Path | Staged, *, required: list[str], optional: list[str] = (), allow_empty: bool = False,
                numbers: list[str] = ()) -> tuple[pd.DataFrame, _Numbers, Origin]:
    """A canonical CSV read from disk, or a table the data map staged from an export, ready to validate."""
    if not isinstance(source, Staged):
        table, convention = _read_csv(source, required=required, optional=optional, allow_empty=allow_empty,
                                      numbers=numbers)
        return table, convention, Origin(source)
    table, origin = source.table, source.origin
    if table.empty and not allow_empty:
        raise DataError("has no rows left to read (after the data map's rows filter, if any)", file=origin.path,
                        hint=f"check the export and the map's rows: keep/drop; see {DATA_DOC}")
    if source.decimal is not None:
        return table, _Numbers(decimal=source.decimal, settled=True, delimiter=source.delimiter), origin
    return table, _number_convention(table, origin, [c for c in numbers if c in table], source.delimiter), origin


def parse_csv(raw: bytes, path: Path, *, known: set[str], delimiter: str | None = None
              ) -> tuple[pd.DataFrame, np.ndarray, str, str]:
    """UTF-8 CSV bytes as text cells under the header's names, each row's physical line, the header
    line and the delimiter (sniffed from the header unless given)."""
    try:
        head = _head(raw)
        if head == "":
            raise DataError("file is empty", file=path, hint=f"export {path.name} again with a header row")
        delimiter = delimiter or _sniff_delimiter(head, known)
        _check_header_width(path, head, delimiter)
        table = _read_fast(raw, delimiter)
        if table is None:
            with warnings.catch_warnings():
                # pandas only warns, and drops the extra cells, when a row has more fields than the header.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                table = pd.read_csv(
                    io.BytesIO(raw),
                    sep=delimiter,
                    dtype=str,
                    keep_default_na=False,
                    na_filter=False,
                    encoding="utf-8-sig",
                    skip_blank_lines=False,
                    # Never take the first column as the index when a row has one field too many:
                    # that would silently shift every column of the file by one.
                    index_col=False,
                    quoting=csv.QUOTE_MINIMAL,
                )
    except UnicodeDecodeError as exc:
        raise DataError(
            f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})",
            file=path,
            hint="re-export the file as 'CSV UTF-8', or convert it: iconv -f latin1 -t utf-8",
        ) from None
    except pd.errors.ParserWarning:
        line = _first_long_row(raw, delimiter)
        raise DataError("a row has more cells than the header has columns" + _read_as(delimiter), file=path,
                        location=None if line is None else f"line {line}",
                        hint=_too_many_cells_hint(delimiter)) from None
    except pd.errors.EmptyDataError:
        raise DataError("file is empty", file=path, hint=f"export {path.name} again with a header row") from None
    except pd.errors.ParserError as exc:
        if "EOF inside string" in str(exc):  # pandas counts records, not the lines an editor shows
            raise DataError("a quote is opened and never closed: the rest of the file reads as one cell", file=path,
                            location=f"line {_unclosed_quote_line(raw)}",
                            hint='close the quoted text, or write a quote inside quoted text as two ("")') from None
        raise DataError(f"cannot be read as CSV{_read_as(delimiter)}: {str(exc).strip()}", file=path,
                        hint=_too_many_cells_hint(delimiter)) from None
    except (ValueError, csv.Error) as exc:
        raise DataError(f"cannot be read as CSV{_read_as(delimiter)}: {str(exc).strip()}", file=path,
                        hint=_too_many_cells_hint(delimiter)) from None
    return table, _physical_lines(raw, table), head, delimiter


def _sniff_delimiter(head: str, known: set[str]) -> str:
    """Comma, semicolon or tab: the one whose header holds the most known column names.

    Ties go to the delimiter that splits the first data lines into as many cells as the header,
    then to the one giving the most columns, then to the comma.
    """
    lines = head.splitlines()[:6]
    best, best_score = ",", None
    for delimiter in _DELIMITERS:
        rows = [row for row in csv.reader(lines, delimiter=delimiter) if row]
        if not rows:
            continue
        header = [cell.strip().lower() for cell in rows[0]]
        width = len(header)
        consistent = sum(len(row) == width for row in rows[1:]) if width > 1 else 0
        score = (len(known & set(header)), consistent, width)
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best


def _header_looks(delimiter: str, head: str) -> str:
    """Why the header may have been split wrongly, when it was not split by commas or looks otherwise."""
    header = head.splitlines()[0] if head else ""
    if delimiter != ",":
        return _read_as(delimiter)
    for other in (";", "\t"):
        if header.count(other) >= 1:
            return (f" (the header line contains {_DELIMITERS[other]}s, so the file may be "
                    f"{_DELIMITERS[other]}-separated, but its column names do not match either way)")
    return ""


def _too_many_cells_hint(delimiter: str) -> str:
    if delimiter == ",":
        return "check for an extra comma, or quote text that contains commas"
    name = _DELIMITERS[delimiter]
    return f"check for an extra {name}, or quote text that contains {name}s"


def _unclosed_quote_line(raw: bytes) -> int:
    """The line of the quote that opens the text left open at the end of the file."""
    # Quotes inside quoted text come in pairs (""), so with an odd count the last one opened it.
    at = raw.rfind(b'"')
    return raw.count(b"\n", 0, max(at, 0)) + 1


def _first_long_row(raw: bytes, delimiter: str = ",") -> int | None:
    """The line of the first row with more cells than the header (only read when one exists)."""
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter)
    width = len(next(reader, []))
    start = reader.line_num + 1
    for row in reader:
        if len(row) > width:
            return start  # where the row begins, though a quoted cell may carry it over several lines
        start = reader.line_num + 1
    return None


_POOL_CHOSEN = False


def _returning_memory_pool() -> None:
    """Have pyarrow allocate from jemalloc, which hands freed pages back to the system: the cells of a
    2 M-row export are let go of column by column as they are parsed, and with pyarrow's default
    (mimalloc) their pages stayed resident, so loading peaked at 1.12 GB instead of 0.89 GB. Left
    alone when ARROW_DEFAULT_MEMORY_POOL says otherwise, or where pyarrow has no jemalloc (Windows)."""
    global _POOL_CHOSEN
    if _POOL_CHOSEN:
        return
    _POOL_CHOSEN = True
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except (NotImplementedError, pa.ArrowNotImplementedError, AttributeError):
        pass


def _read_fast(raw: bytes, delimiter: str = ",") -> pd.DataFrame | None:
    """The common case (well-formed UTF-8, no blank lines) read by pyarrow's multithreaded parser.

    None sends the file to pandas' parser instead, which keeps blank lines (so line numbers stay
    right) and words every problem precisely; a large, clean export never needs it.
    """
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    _returning_memory_pool()

    if b"\n\n" in raw or b"\n\r\n" in raw or raw.startswith((b"\n", b"\r\n")):
        return None
    parse = arrow_csv.ParseOptions(delimiter=delimiter)
    try:
        header = arrow_csv.read_csv(pa.py_buffer(raw[: raw.find(b"\n") + 1] or raw),
                                    read_options=arrow_csv.ReadOptions(encoding="utf8"),
                                    parse_options=parse).column_names
        names = [name.lstrip("\ufeff") for name in header]
        if len(set(names)) != len(names):
            return None  # a repeated column: let the careful path say which
        table = arrow_csv.read_csv(
            pa.py_buffer(raw),
            read_options=arrow_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=parse,
            # Large strings are what pandas holds Arrow text as: read so, no column is cast on the way.
            convert_options=arrow_csv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError):
        return None
    return table.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)


# --- how a file writes numbers ---------------------------------------------------------------

# A separator that can only be a decimal point: '.' followed by other than three digits (12.5,
# 1234.50), or ',' before '.' (1,234.50) or twice (1,234,567) as a thousands separator. And the
# same with the roles swapped for a decimal comma (12,5, 1.234,50, 1.234.567).
_DOT_DECIMAL = r"\.(?:[0-9]{1,2}|[0-9]{4,})(?:[^0-9]|$)|,[0-9]{3}\.|,[0-9]{3},"
_COMMA_DECIMAL = r",(?:[0-9]{1,2}|[0-9]{4,})(?:[^0-9]|$)|\.[0-9]{3},|\.[0-9]{3}\."
# One separator after 1–3 digits (not a lone 0) and before exactly three: 35.500, 1,250, $1,250.
_AMBIGUOUS = r"[^0-9.,]*[1-9][0-9]{0,2}[.,][0-9]{3}[^0-9.,]*"


def _with_separator(cells: pd.Series) -> pd.Series:
    """The cells holding a '.' or a ',' (plain substring tests, cheap on millions of cells)."""
    mask = cells.str.contains(".", regex=False) | cells.str.contains(",", regex=False)
    return cells[mask.fillna(False).astype(bool)]


def _shows(columns: list[pd.Series], pattern: str, *, whole: bool = True) -> tuple[object, str] | None:
    """The first cell matching ``pattern`` in any of ``columns`` (its index and column name), or None."""
    for cells in columns:
        # Most files show their convention in their first rows: look there before scanning everything.
        for part in (cells.head(200), cells) if whole else (cells,):
            found = part.str.contains(pattern, regex=True).fillna(False).astype(bool)
            if bool(found.any()):
                return part[found].index[0], str(cells.name)
    return None


def _number_convention(table: pd.DataFrame, origin: Origin, columns: list[str], delimiter: str) -> _Numbers:
    """Which separator is this file's decimal one, and whether its cells settle it.

    SPEC's convention ('.' decimal, ',' thousands) holds unless the file is semicolon- or
    tab-separated and its cells show decimal commas (1234,50 or 1.234,50) and never a decimal point.
    """
    if delimiter == ",":
        # The usual export shows a decimal point in its first rows: settled without scanning the file.
        if _shows([table[c].head(200) for c in columns], _DOT_DECIMAL, whole=False) is not None:
            return _Numbers(settled=True)
    separated = [_with_separator(table[c]).rename(c) for c in columns]
    separated = [cells for cells in separated if len(cells)]
    if not separated:
        return _Numbers(delimiter=delimiter)
    dot = _shows(separated, _DOT_DECIMAL)
    comma = _shows(separated, _COMMA_DECIMAL) if delimiter != "," else None
    if comma is not None and dot is None:
        index, column = comma
        note(DataWarning(
            f"read as {_DELIMITERS[delimiter]}-separated with decimal commas: ',' is the decimal separator and "
            f"'.' separates thousands in every amount of this file ('{table.at[index, column]}' on "
            f"{origin.location(table.at[index, 'line'], column)}, is {_european(table.at[index, column])})",
            **origin.header()))
        return _Numbers(decimal=",", settled=True, delimiter=delimiter)
    return _Numbers(decimal=".", settled=dot is not None and comma is None, delimiter=delimiter)


def _european(cell: str) -> str:
    """A decimal-comma cell written the way the rest of cscomp writes numbers (1.234,50 -> 1,234.50)."""
    swapped = cell.translate(_SWAP)
    number = re.sub(r"[^0-9.]", "", swapped.replace(",", ""))
    try:
        return f"{float(number):,.2f}"
    except ValueError:
        return swapped


_SWAP = str.maketrans(".,", ",.")


def _fail_duplicates(table: pd.DataFrame, origin: Origin, keys: list[str], column: str, what: str) -> None:
    # Rows with a missing key (already reported while validate collects) are never duplicates.
    codes, size = _key_codes(table, keys)
    known = codes >= 0
    # Millions of (quarter, account) keys: counted in one pass, no hash of the keys unless some repeat.
    if size <= max(8 * len(table), 1 << 20) and int(np.bincount(codes[known], minlength=1).max(initial=0)) <= 1:
        return
    dup = np.zeros(len(table), dtype=bool)
    dup[known] = pd.Series(codes[known]).duplicated(keep="first").to_numpy()
    if bool(dup.any()):
        at = int(np.argmax(dup))
        first = table.iloc[at]
        original = table["line"].to_numpy()[int(np.argmax(codes == codes[at]))]
        described = ", ".join(f"{k} {first[k]}" for k in keys)
        more = int(dup.sum()) - 1
        report(DataError(
            f"{what}: {described} (first seen on {_seen_on(origin, original, first['line'])})"
            + (f" (and {more} more duplicate row{'s' if more > 1 else ''})" if more else ""),
            **origin.at(first['line'], column),
            hint="keep one row per " + " and ".join(keys),
        ))


def _key_codes(table: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, int]:
    """One integer per row for the whole key (-1 where a part is missing), and how many there can be."""
    codes, size = np.zeros(len(table), dtype=np.int64), 1
    for key in keys:  # a categorical's codes as they are; other columns factorised
        values = table[key]
        part = (values.cat.codes.to_numpy().astype(np.int64) if isinstance(values.dtype, pd.CategoricalDtype)
                else pd.factorize(values.astype(object))[0].astype(np.int64))
        count = int(part.max(initial=-1)) + 1
        if size * count >= 2**62:  # renumber the keys so far, so the product stays inside int64
            codes = np.where(codes < 0, -1, pd.factorize(codes)[0])
            size = int(codes.max(initial=-1)) + 1
        codes = np.where((codes < 0) | (part < 0), -1, codes * count + part)
        size *= max(count, 1)
    return codes, size


def _seen_on(origin: Origin, original: int, key: int) -> str:
    """Where the first of two duplicate rows is: its line, and its file when that is another file."""
    file = origin.file(original)
    return origin.place(original) + (f" of {file}" if file != origin.file(key) else "")


# --- cell formats --------------------------------------------------------------------------


def _cells(table: pd.DataFrame, column: str) -> pd.Series:
    if column in table:
        return table[column]  # already trimmed by _read_csv
    # An absent optional column: Arrow strings, so its checks are vectorised passes, not a Python
    # call per row (a CRM report without arr_end or risk has a million blank cells to look at).
    return pd.Series("", index=table.index, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


# --- whole-column passes over the cells' bytes -------------------------------------------------
# Millions of cells are classified by looking at the UTF-8 bytes pyarrow holds them in (one offset per
# row), never a Python object or a regex call per cell. These passes only ever decide that a cell is
# certainly plain; every other cell goes through the careful code that words its error.


def _text(table: pd.DataFrame, origin: Origin, column: str, *, required: bool, categorical: bool = False) -> pd.Series:
    """A text column; ``categorical``: as categories (sorted), a blank cell missing, never a Python object per row."""
    cells = _cells(table, column)
    if required:
        _fail_where(cells == "", table, origin, column, f"{origin.column(column)} is blank", f"every row needs a {origin.column(column)}")
    if categorical:
        fast = _arrow_categorical(cells, blank_missing=not required)
        if fast is not None:
            return fast
        codes, distinct = _distinct(cells)
        values = distinct.to_numpy(dtype=object)
        if not required:  # a blank optional cell has no value; a blank required one is kept, as reported
            values = np.where(values == "", None, values)
        return _categorical(codes, np.append(values, None), cells.index)
    if required:
        return cells.astype(object)
    # To object first: a pandas string column would turn None back into NaN.
    return cells.astype(object).where(cells != "", None)


def _quarters(table: pd.DataFrame, origin: Origin, *, required: bool = True, calendar: Calendar = CALENDAR,
              categorical: bool = False) -> pd.Series:
    cells = _cells(table, "quarter")
    # A file holds a handful of distinct labels: the calendar parses each once, then maps the rows to them.
    codes, distinct = _distinct(cells)
    parsed = np.append(calendar.canonical_many(distinct).to_numpy(dtype=object), None)
    if categorical:
        labels = _categorical(codes, parsed, cells.index)
    else:
        labels = pd.Series(parsed[codes], index=cells.index, dtype=object)
    bad = labels.isna() & ((cells != "") | required)
    _fail_where(
        bad,
        table.assign(cell=cells),
        origin,
        "quarter",
        lambda r: f"'{r.cell}' is not a quarter label" if r.cell else "quarter is blank",
        f"write quarters like {calendar.examples()}; see {DATA_DOC}",
    )
    return labels if categorical else labels.where(labels.notna(), None)


def _amounts(table: pd.DataFrame, origin: Origin, column: str, *, required: bool, negative: bool,
             numbers: _Numbers = _Numbers(), what: str = "an amount", advice: str = _AMOUNT_HINT) -> pd.Series:
    """Parse an amount column; blank cells are NaN (an error when required)."""
    written = _cells(table, column)
    # Most exports hold plain numbers: parse those in one vectorised pass, and only send the rest
    # (currency signs, thousands separators, minus signs, parentheses, mistakes) through the regex.
    values = pd.Series(np.nan, index=written.index, dtype="float64")
    fast = _blank_and_plain(written, numbers.decimal)
    if fast is not None:
        blank, plain = (pd.Series(mask, index=written.index) for mask in fast)
        parsed = np.full(len(written), np.nan)  # filled in numpy: a masked pandas assignment costs more
        parsed[fast[1]] = _plain_floats(written, fast[1], numbers.decimal)
        values = pd.Series(parsed, index=written.index)
    else:
        # A decimal-comma file is read by swapping the two separators, so 1.234,50 is parsed exactly
        # as 1,234.50 would be.
        cells = written if numbers.decimal == "." else written.astype(object).str.translate(_SWAP)
        blank = cells == ""
        plain = cells.str.fullmatch(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+").fillna(False).astype(bool)
        values[plain] = _to_float(cells[plain])
    rest = ~plain & ~blank
    context = table.assign(cell=written)
    if numbers.decimal == ",":
        hint = _EUROPEAN_HINT
    elif numbers.delimiter != ",":
        # A semicolon file that mixes decimal points and decimal commas: say why ',' was not taken as decimal.
        hint = (f"this file is {_DELIMITERS[numbers.delimiter]}-separated, but other cells write a decimal point, so "
                "'.' is read as its decimal separator; write every amount one way (1234.50, or 1234,50 throughout); "
                f"see {DATA_DOC}")
    else:
        hint = advice
    if rest.any():
        # The grouping of 1.234,50 is checked as 1,234.50's; messages still quote the cell as written.
        odd = written[rest].astype(object)
        odd = odd if numbers.decimal == "." else odd.str.translate(_SWAP)
        parts = odd.str.extract(_AMOUNT)
        parens = parts["open"].notna() | parts["close"].notna()
        odd_malformed = (
            parts["number"].isna()
            | (parts["open"].isna() != parts["close"].isna())
            | (parens & (parts["sign"].notna() | parts["sign2"].notna()))
            | (parts["sign"].notna() & parts["sign2"].notna())
        ).to_numpy(dtype=bool)
        # Put back in place by position (numpy), not by aligning indexes: a few $1,234.00 cells among
        # millions of rows made the reindex the costliest step of loading a real export.
        at = np.flatnonzero(rest.to_numpy())
        malformed = np.zeros(len(written), dtype=bool)
        malformed[at] = odd_malformed
        malformed = pd.Series(malformed, index=written.index)
        # A cell with no digit at all ('n/a', 'TBD') is not a separator problem: the convention hint would mislead.
        wordy = bool(odd_malformed.any()) and not any(ch.isdigit() for ch in str(odd[odd_malformed].iloc[0]))
        _fail_where(malformed, context, origin, column, lambda r: f"'{r.cell}' is not {what}", advice if wordy else hint)
        number = pd.to_numeric(parts["number"].str.replace(",", "", regex=False), errors="coerce").to_numpy(
            dtype="float64")
        is_negative = (parens | parts["sign"].notna() | parts["sign2"].notna()).to_numpy(dtype=bool)
        parsed = values.to_numpy(dtype="float64", copy=True)
        parsed[at] = np.where(is_negative, -number, number)
        values = pd.Series(parsed, index=written.index)
    if required:
        _fail_where(blank, context, origin, column, f"{origin.column(column)} is blank", f"every row needs {origin.column(column)}; write 0 for none")
    _fail_where(
        values.abs() > MAX_AMOUNT,
        context,
        origin,
        column,
        lambda r: f"{origin.column(column)} '{r.cell}' is larger than {MAX_AMOUNT:,.0f}",
        "no account, salary or payout is that large; check the export for a misplaced digit or separator",
    )
    values = values.where(values.abs() <= MAX_AMOUNT)
    if not numbers.settled:
        _warn_ambiguous(written, values, table, origin, column, numbers)
    if not negative:
        _fail_where(
            values < 0,
            context,
            origin,
            column,
            lambda r: f"{origin.column(column)} is negative ('{r.cell}')",
            f"{origin.column(column)} must be 0 or more; record a loss in the contraction or churn column",
        )
        values = values.abs()
    return values


def _warn_ambiguous(written: pd.Series, values: pd.Series, table: pd.DataFrame, origin: Origin, column: str,
                    numbers: _Numbers) -> None:
    """One warning per column whose cells read either way (35.500, 1,250) in a file that never says which."""
    candidates = _with_separator(written)  # a blank cell holds no separator
    ambiguous = candidates.str.fullmatch(_AMBIGUOUS).fillna(False).astype(bool)
    if not bool(ambiguous.any()):
        return
    first = candidates[ambiguous].index[0]
    cell, value = str(written[first]), float(values[first])
    if np.isnan(value):
        return  # refused as an error already
    separator = "." if "." in cell else ","
    other = value * 1000 if separator == "." else value / 1000
    count = int(ambiguous.sum())
    more = f" ({count - 1} more cell{'s' if count > 2 else ''} like it in this column)" if count > 1 else ""
    role = "the decimal point" if separator == "." else "a thousands separator"
    european = (f"; this file is {_DELIMITERS[numbers.delimiter]}-separated, as exports that write 1.234,50 usually "
                "are" if numbers.delimiter != "," else "")
    note(DataWarning(
        f"'{cell}' could mean {_plain(value)} or {_plain(other)}: read as {_plain(value)} ('{separator}' as {role}), "
        f"as no other amount in this file shows which separator is the decimal one{more}{european}",
        **origin.at(table.at[first, 'line'], column),
        hint=(f"if '.' separates thousands here, export the amounts without thousands separators (e.g. "
              f"{_plain(other)} as {_bare(other)}); see {DATA_DOC}" if separator == "." else
              f"if ',' is a decimal comma here, export the amounts with decimal points (e.g. {_bare(other)}); "
              f"see {DATA_DOC}"),
    ))


def _plain(value: float) -> str:
    """A number as a person writes it: thousands grouped, at most three decimals, no trailing zeros."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text


def _bare(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _to_float(cells: pd.Series) -> np.ndarray:
    """Cells already known to be plain numbers, as floats, cast by pyarrow without Python objects."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.cast(pa.array(cells.array), pa.float64()).to_numpy(zero_copy_only=False)


def _booleans(table: pd.DataFrame, origin: Origin, column: str) -> pd.Series:
    written = _cells(table, column)
    # A handful of distinct words over millions of rows: each is lowered and looked up once.
    codes, distinct = _distinct(written)
    words = distinct.astype(pd.StringDtype("pyarrow", na_value=np.nan)).str.lower()
    bad = pd.Series(np.append(~words.isin(_TRUE | _FALSE).to_numpy(dtype=bool), True)[codes], index=written.index)
    _fail_where(
        bad,
        table.assign(cell=written),  # quote the cell as written ('Renewed'), not as compared
        origin,
        column,
        lambda r: f"'{r.cell}' is not a yes/no value",
        f"write true/false, yes/no, y/n or 1/0 in any case (blank means false); see {DATA_DOC}",
    )
    return pd.Series(np.append(words.isin(_TRUE).to_numpy(dtype=bool), False)[codes], index=written.index)


def _scores(table: pd.DataFrame, origin: Origin, column: str, low: float, high: float, *, integer: bool = False,
            numbers: _Numbers = _Numbers()):
    written = _cells(table, column)
    values = pd.Series(np.nan, index=written.index, dtype="float64")
    # Plain numbers in one vectorised cast; anything else (few cells) through the forgiving parser.
    # A score has no thousands, so in a decimal-comma file its comma is simply the decimal point.
    fast = _blank_and_plain(written, "." if numbers.decimal == "." else ".,", signed=True, leading_separator=False)
    if fast is not None:
        blank, plain = (pd.Series(mask, index=written.index) for mask in fast)
        parsed = np.full(len(written), np.nan)
        parsed[fast[1]] = _plain_floats(written, fast[1], numbers.decimal)
        values = pd.Series(parsed, index=written.index)
        other = ~plain & ~blank
        odd = written[other].astype(object)
        odd = odd if numbers.decimal == "." else odd.str.replace(",", ".", regex=False)
    else:
        cells = written if numbers.decimal == "." else written.astype(object).str.replace(",", ".", regex=False)
        blank = cells == ""
        plain = cells.str.fullmatch(r"-?[0-9]+(?:\.[0-9]*)?").fillna(False).astype(bool)
        values[plain] = _to_float(cells[plain])
        other = ~plain & ~blank
        odd = cells[other]
    if other.any():
        values[other] = pd.to_numeric(odd.astype(object), errors="coerce").astype("float64")
    unparsed = ~blank & values.isna()
    kind = "a whole number" if integer else "a number"
    context = table.assign(cell=written)
    _fail_where(unparsed, context, origin, column, lambda r: f"'{r.cell}' is not {kind}",
                f"{origin.column(column)} must be {kind} from {low:g} to {high:g}, or blank; see {DATA_DOC}")
    bad = values.notna() & ((values < low) | (values > high) | (integer & (values != values.round())))
    _fail_where(bad, context, origin, column, lambda r: f"{origin.column(column)} {r.cell} is outside {low:g}–{high:g}",
                f"{origin.column(column)} must be {kind} from {low:g} to {high:g}, or blank; see {DATA_DOC}")
    return values.where(~bad)  # validate carries on past a bad score: treat it as absent, not as inf


def _extra_values(table: pd.DataFrame, origin: Origin, column: str, kind: str, numbers: _Numbers) -> pd.Series:
    """A plan's own accounts column read as text (case-folded), a yes/no flag, or a number.

    A number column whose cells are yes/no words is read as 1 and 0, so the share of new logos onboarded
    is the mean of onboarding_complete; it is taken for one when its words (yes, no, true, false, y, n)
    are at least as many as its other cells but 1 and 0, so a stray 'maybe' is called not yes/no
    rather than every 'yes' not a number.
    """
    written = _cells(table, column)
    if kind == "text":
        codes, distinct = _distinct(written)  # each distinct cell folded once
        folded = [None if text == "" else text.casefold() for text in distinct.tolist()]
        return _categorical(codes, np.array([*folded, None], dtype=object), written.index)
    words = written.str.lower()
    flags = words.isin(_TRUE | _FALSE - {""})
    blank = written == ""
    named = flags & ~words.isin({"1", "0"})
    other = ~flags & ~blank
    if kind == "flag" or not other.any() or (named.any() and int(named.sum()) >= int(other.sum())):
        _fail_where(~flags & ~blank, table.assign(cell=written), origin, column,
                    lambda r: f"'{r.cell}' is not a yes/no value",
                    f"write yes/no, true/false, y/n or 1/0 in any case, or leave the cell blank for no value; see {DATA_DOC}")
        return pd.Series(np.where(blank, np.nan, words.isin(_TRUE).astype("float64")), index=written.index)
    # A plan's number column reads like an amount (4.5, 1,234, $1,234.50 or 1.234,50 in a decimal-comma file).
    return _amounts(table, origin, column, required=False, negative=True, numbers=numbers, what="a number",
                    advice=f"the plan's metrics read {origin.column(column)} as numbers: write them like 4.5, 1,234 or "
                    f"$1,234.50, or leave the cell blank for no value; see {DATA_DOC}")


def _dates(table: pd.DataFrame, origin: Origin, column: str) -> pd.Series:
    cells = _cells(table, column)
    values = pd.to_datetime(cells.where(cells != "", None), format="%Y-%m-%d", errors="coerce")
    _fail_where(
        (cells != "") & values.isna(),
        table.assign(cell=cells),
        origin,
        column,
        lambda r: f"'{r.cell}' is not a date",
        f"write dates as YYYY-MM-DD (e.g. 2026-02-15), or leave blank; see {DATA_DOC}",
    )
    return values
