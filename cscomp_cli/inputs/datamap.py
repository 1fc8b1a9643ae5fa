"""The data map: a YAML file in the data folder saying how a CS org's own exports become cscomp's tables.

Without it a data folder holds accounts.csv, roster.csv, payouts.csv and quotas.csv exactly as
docs/data.md describes. With it, each table names its export file(s) (or a SQL database's query), how they are written
(delimiter, encoding, numbers, dates) and which export column feeds each of cscomp's columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import (
    Field,
    ValidationError,
    field_validator,
)

from cscomp_cli.core.errors import MapError, PlanError
from cscomp_cli.core.quarters import CALENDAR, Calendar, month_number
from cscomp_cli.core.strict_yaml import load_yaml
from cscomp_cli.core.text import did_you_mean, folded
from cscomp_cli.inputs.map_errors import map_error
from cscomp_cli.inputs.map_sources import ColumnSource, Source, Strict
from cscomp_cli.inputs.map_tables import (
    DATE_STYLES,
    FxTable,
    History,
    RosterTable,
    Table,
)

# The column sources and the table model are read from here too.
__all__ = ["ColumnSource", "DATE_STYLES", "History", "RosterTable", "Source", "Table"]

MAP_FILE = "cscomp-data.yaml"
MAP_DOC = "docs/data.md"
MAX_MAP_BYTES = 1024 * 1024

TABLES = ("accounts", "roster", "payouts", "quotas")
# What each table needs and may have, as inputs/tables.py reads it.
REQUIRED = {
    "accounts": ("quarter", "account_id", "csm_id", "arr_start", "expansion", "contraction", "churn"),
    "roster": ("csm_id", "name", "segment", "annual_base", "annual_variable"),
    "payouts": ("quarter", "csm_id", "amount"),
    "quotas": ("quarter", "csm_id", "component", "target"),
}
OPTIONAL = {
    "accounts": ("cross_sell", "new_arr", "arr_end", "renewal_due", "renewed", "segment", "nps", "health", "risk"),
    "roster": ("team", "quarter", "start_date", "end_date", "currency", "email", "effective_date"),
    "payouts": ("component", "currency"),
    "quotas": (),
}
AMOUNTS = {
    "accounts": ("arr_start", "expansion", "cross_sell", "new_arr", "contraction", "churn", "arr_end"),
    "roster": ("annual_base", "annual_variable"),
    "payouts": ("amount",),
    "quotas": ("target",),
}
DATES = ("start_date", "end_date", "effective_date")
# A compensation-history export joined to the roster's worker list (tables.roster.history).
HISTORY_REQUIRED = ("csm_id", "effective_date", "annual_base", "annual_variable")
HISTORY_OPTIONAL = ("currency", "reason")
# The pay a history row brings; a worker list beside a history may map both or neither.
PAY_COLUMNS = ("annual_base", "annual_variable")
# The roster columns a history row takes from its worker's row of the worker list.
WORKER_COLUMNS = ("name", "segment", "team", "start_date", "end_date", "email")
# The amounts cscomp reads as a year's (ARR, annual pay): a column of monthly ones is 12 times too small.
ANNUAL = {
    "accounts": ("arr_start", "expansion", "cross_sell", "new_arr", "contraction", "churn", "arr_end"),
    "roster": ("annual_base", "annual_variable"),
}
_MONTHLY_WORDS = ("mrr", "cmrr", "monthly", "mthly")
_MONTHLY_PHRASES = (" per month ", " a month ", " mo ")


def monthly_word(header: str) -> str | None:
    """What in an export's header says its amounts are monthly ('MRR', 'monthly', 'per month'), or None."""
    import re

    words = [w for w in re.split(r"[^0-9a-z]+", folded(header)) if w]
    for word in _MONTHLY_WORDS:
        if word in words:
            return word.upper() if word.endswith("mrr") else word
    spaced = f" {' '.join(words)} "
    return next((phrase.strip() for phrase in _MONTHLY_PHRASES if phrase in spaced), None)


class FiscalYear(Strict):
    first_month: int | str = Field(description="the month the fiscal year starts (February, or 2)")
    named_for: Literal["end", "start"] = Field("end", description="FY2027 ends in 2027 (end) or starts in 2027")

    @field_validator("first_month", mode="before")
    @classmethod
    def _month(cls, value):
        if value is None or value == "":
            raise ValueError("write the month your fiscal year starts (February, or 2)")
        month = month_number(value)
        if month is None:
            raise ValueError(f"'{value}' is not a month; write its name (February) or number (2)")
        return month


class Tables(Strict):
    accounts: Table
    roster: RosterTable
    payouts: Table | None = None
    quotas: Table | None = None
    fx: FxTable | None = Field(None, description="the FX sheet: each quarter's rate from a pay currency into "
                               "the plan's (SPEC 6.3)")


class DataMap(Strict):
    """The whole map: a fiscal year (optional) and the tables."""

    version: Literal[1] = 1
    fiscal_year: FiscalYear | None = None
    tables: Tables

    @property
    def calendar(self) -> Calendar:
        if self.fiscal_year is None:
            return CALENDAR
        return Calendar(first_month=int(self.fiscal_year.first_month), named_for=self.fiscal_year.named_for,
                        declared=True)

    def table(self, name: str) -> Table | None:
        return getattr(self.tables, name)

    def csm_spellings(self) -> dict[str, tuple[str, ...]]:
        """Other spellings of a csm_id this map lists (folded -> the ids they stand for): every table's
        csm_id aliases and value map, so a person may name a CSM as the exports spell them."""
        found: dict[str, set[str]] = {}
        for name in ("accounts", "roster", "payouts", "quotas"):
            table = self.table(name)
            source = table.source("csm_id") if table is not None else None
            if source is None:
                continue
            for spelling, csm_id in {**(source.values or {}), **(source.aliases or {})}.items():
                if spelling.strip() and csm_id.strip():
                    found.setdefault(folded(spelling), set()).add(csm_id.strip())
        return {spelling: tuple(sorted(ids)) for spelling, ids in found.items()}


def map_json_schema() -> dict:
    """The JSON Schema of cscomp-data.yaml, for editors' YAML support."""
    schema = DataMap.model_json_schema(by_alias=True)
    schema["title"] = "cscomp data map (cscomp-data.yaml)"
    schema["description"] = f"How a CS org's own exports become cscomp's tables; every key is explained in {MAP_DOC}."
    return schema


def map_path(folder: Path) -> Path:
    return Path(folder) / MAP_FILE


def load_map(folder: Path) -> DataMap | None:
    """The folder's data map, or None when it has none (the folder then holds canonical CSVs)."""
    from cscomp_cli.inputs.files import present

    path = map_path(folder)
    if not present(path):
        return None
    label = str(path)
    try:
        if not path.is_file():
            raise MapError("is not a regular file", file=label, hint=f"the data map is a YAML text file; see {MAP_DOC}")
        if path.stat().st_size > MAX_MAP_BYTES:
            raise MapError("is larger than 1 MB", file=label, hint=f"a data map is a few dozen lines; see {MAP_DOC}")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MapError("is not UTF-8 text", file=label, hint="save the map as plain UTF-8 text") from None
    except OSError as exc:
        raise MapError(f"cannot be read ({exc.strerror or exc})", file=label,
                       hint="check the file's permissions") from None
    try:
        document = load_yaml(text, label)
    except PlanError as exc:
        raise MapError(exc.message.replace("plan is empty", "the map is empty"), file=label, location=exc.location,
                       hint=f"the data map's keys are described in {MAP_DOC}") from None
    if not isinstance(document, dict):
        raise MapError("must be a mapping with a tables: key", file=label, location="(top level)",
                       hint=f"start from `cscomp init DIR`, or the example in {MAP_DOC}")
    try:
        data_map = DataMap.model_validate(document)
    except ValidationError as exc:
        raise map_error(exc, label) from None
    _check_columns(data_map, label)
    return data_map


def _check_columns(data_map: DataMap, label: str) -> None:
    """Every table maps the columns cscomp needs, and only columns it knows."""
    roster = data_map.tables.roster
    for name in TABLES:
        table = data_map.table(name)
        if table is not None:
            required, optional = REQUIRED[name], OPTIONAL[name]
            if name == "roster" and roster.history is not None:
                # A history maps the pay itself (an HR worker list often has no pay column at all).
                required = tuple(c for c in required if c not in PAY_COLUMNS)
                optional = (*optional, *PAY_COLUMNS)
            _check_table(name, table, label, required, optional, AMOUNTS[name])
    if roster.history is not None:
        _check_history(roster, label)
    if "email" not in roster.columns:
        for name in ("accounts", "payouts", "quotas"):
            table = data_map.table(name)
            source = table.source("csm_id") if table is not None and "csm_id" in table.columns else None
            if source is not None and source.match == "email":
                raise MapError("match: email looks owners up by the roster's email column, which the map does not "
                               "name", file=label, location=f"tables.{name}.columns.csm_id.match",
                               hint=f"add email: <the worker list's e-mail header> under tables.roster.columns; "
                               f"see {MAP_DOC}")


def _check_history(roster: RosterTable, label: str) -> None:
    """The compensation history: its own columns, and a worker list it can be joined to."""
    _check_table("roster.history", roster.history, label, HISTORY_REQUIRED, HISTORY_OPTIONAL,
                 ("annual_base", "annual_variable"))
    for column, why in (("effective_date", "the history gives each row's effective_date"),
                        ("quarter", "a history's rows are in force from their effective dates, not by quarter")):
        if column in roster.columns:
            raise MapError(f"the roster maps {column} and has a history: {why}", file=label,
                           location=f"tables.roster.columns.{column}",
                           hint=f"remove {column} from tables.roster.columns, or the history; see {MAP_DOC}")
    mapped = [c for c in PAY_COLUMNS if c in roster.columns]
    if len(mapped) == 1:
        other = next(c for c in PAY_COLUMNS if c not in mapped)
        raise MapError(f"the worker list maps {mapped[0]} but not {other}: beside a history it maps both "
                       "(the pay of a CSM with no history row) or neither (every CSM's pay from the history)",
                       file=label, location=f"tables.roster.columns.{mapped[0]}",
                       hint=f"add {other}: <the worker list's header>, or remove {mapped[0]}; see {MAP_DOC}")
    for column in roster.history.columns:
        if roster.history.source(column).match is not None:
            raise MapError("the history is joined to the worker list by its csm_id as written: match does not apply",
                           file=label, location=f"tables.roster.history.columns.{column}.match",
                           hint=f"map csm_id to the history's employee id column; see {MAP_DOC}")


def _check_table(name: str, table: Table, label: str, required: tuple[str, ...], optional: tuple[str, ...],
                 amounts: tuple[str, ...]) -> None:
    known = required + optional
    where = f"tables.{name}.columns"
    for column, spec in table.columns.items():
        # accounts may also carry columns of the org's own (csat), for the plans' metrics to read.
        if column not in known and name != "accounts":
            raise MapError(f"'{column}' is not a column of {name}" + did_you_mean(column, known),
                           file=label, location=f"{where}.{column}",
                           hint=f"{name} has the columns {', '.join(known)}; see {MAP_DOC}")
        source = table.source(column)
        if source.match and column != "csm_id":
            raise MapError("match applies to csm_id only", file=label, location=f"{where}.{column}.match",
                           hint=f"see {MAP_DOC}")
        if source.match in ("name", "email") and name == "roster":
            raise MapError(f"the roster is where {source.match}s are looked up, so its csm_id cannot be matched by "
                           f"{source.match}", file=label, location=f"{where}.{column}.match",
                           hint=f"map csm_id to the HR export's employee id column; see {MAP_DOC}")
        if source.file_name and table.database is not None:
            raise MapError("file_name reads the quarter from an export file's name, and this table is read from "
                           "a database", file=label, location=f"{where}.{column}.file_name",
                           hint=f"map quarter to a column of the query; see {MAP_DOC}")
        if (source.from_ or source.file_name) and column != "quarter":
            key = "from" if source.from_ else "file_name"
            raise MapError(f"{key} applies to quarter only", file=label, location=f"{where}.{column}.{key}",
                           hint=f"see {MAP_DOC}")
        if source.scale is not None and column not in amounts:
            raise MapError(f"scale applies to amount columns, and {column} is not one", file=label,
                           location=f"{where}.{column}.scale",
                           hint=f"the amount columns of {name} are {', '.join(amounts)}; remove scale; see {MAP_DOC}")
        _refuse_colliding(source.values, lambda key: key.strip().casefold(), "in any case, spaces around ignored",
                          label, f"{where}.{column}.values")
        _refuse_colliding(source.aliases, folded if source.match == "name" else _mail_key,
                          "as names are, ignoring case, accents and repeated spaces" if source.match == "name"
                          else "as e-mails are, in any case", label, f"{where}.{column}.aliases")
    missing = [c for c in required if c not in table.columns]
    for column in extra_columns(table) if name == "accounts" and missing else ():
        # A column of the map's own spelled like a required one it lacks (churned) is its typo.
        close = did_you_mean(column.strip().lower(), missing)
        if close:
            raise MapError(f"'{column}' is not a column of accounts{close}", file=label, location=f"{where}.{column}",
                           hint=f"accounts has the columns {', '.join(known)}; see {MAP_DOC}")
    if missing:
        raise MapError(f"{name} needs {', '.join(missing)}: say which export column holds "
                       f"{'each' if len(missing) > 1 else 'it'}", file=label, location=where,
                       hint=f"add e.g. {missing[0]}: <the export's header> (or {{value: ...}} for a constant); "
                       f"see {MAP_DOC}")


def _mail_key(address: str) -> str:
    return address.strip().casefold()


def _refuse_colliding(spellings: dict[str, str] | None, key, how: str, label: str, location: str) -> None:
    """Two keys of a value map (or aliases) that the export's cells are matched to alike (Yes and yes,
    José and Jose) but that map to different values: which one a cell gets cannot be known."""
    seen: dict[str, tuple[str, str]] = {}
    for spelling, value in (spellings or {}).items():
        first = seen.setdefault(key(spelling), (spelling, value))
        if first[1].strip() != value.strip():
            raise MapError(f"'{first[0]}' and '{spelling}' are the same to cscomp (cells are matched to them {how}), "
                           f"but the map gives them different values ('{first[1]}' and '{value}')", file=label,
                           location=location, hint=f"keep one of the two, with the value the export means; see {MAP_DOC}")


def extra_columns(table: Table) -> list[str]:
    """The accounts columns a map names beyond cscomp's own (csat, churn_reason), as the map spells them."""
    return [column for column in table.columns if column not in REQUIRED["accounts"] + OPTIONAL["accounts"]]


def check_extra_columns(data_map: DataMap, label: str, wanted) -> None:
    """A column of the map's own that no plan being run names is a typo of one of cscomp's columns the
    map leaves unmapped when its name is spelled like it (helth, Churn) or its export header names it
    (net_promoter: NPS Score): refused, as in every other table."""
    import re

    from cscomp_cli.inputs.tables import column_key

    table = data_map.tables.accounts
    known = REQUIRED["accounts"] + OPTIONAL["accounts"]
    unmapped = [c for c in known if c not in table.columns]
    for column in extra_columns(table):
        key = column_key(column)
        if key in wanted and key not in known:
            continue
        close = did_you_mean(key, unmapped) if key not in known else f" (did you mean '{key}'?)"
        source = table.source(column)
        if not close and source.column is not None:
            words = f" {' '.join(re.split(r'[^0-9a-z]+', folded(source.column)))} "
            named = [c for c in unmapped if f" {c.replace('_', ' ')} " in words]
            close = f" (its export column {source.column} looks like {named[0]})" if named else ""
        if close:
            raise MapError(f"'{column}' is not a column of accounts{close}", file=label,
                           location=f"tables.accounts.columns.{column}",
                           hint=f"accounts has the columns {', '.join(known)}; a column of your own (for a plan's "
                           f"metrics: metrics.NAME.column: {key}) is read only when a plan being run names it; "
                           f"see {MAP_DOC}")
