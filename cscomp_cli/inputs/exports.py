"""A CS org's own exports, read through the data map into the tables inputs/tables.py validates.

Each table of the map is read from its file(s) (CSV in any delimiter and encoding, an Excel sheet,
Parquet), its rows filtered, and its columns mapped and translated (value maps, names to ids,
dates to quarters, '-' to 0) into text cells under cscomp's own column names. The result goes
through exactly the checks a canonical CSV does; every message still names the export's file, its
line (or sheet row) and its header.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, DataWarning, MapError, note, report
from cscomp_cli.core.quarters import Calendar, label_in_file_name
from cscomp_cli.core.text import folded
from cscomp_cli.inputs import datamap
from cscomp_cli.inputs.datamap import (
    AMOUNTS,
    MAP_FILE,
    DataMap,
    Source,
    Table,
    monthly_word,
)
from cscomp_cli.inputs.export_cells import ExportCells, as_text, per_distinct
from cscomp_cli.inputs.export_reading import matching_files, read_export
from cscomp_cli.inputs.export_values import amount_text, iso_dates, quarters_from_dates
from cscomp_cli.inputs.files import (
    DATA_DOC,
    Origin,
    Staged,
)
from cscomp_cli.inputs.tables import column_key
from cscomp_cli.inputs.warehouse import read_query


def stage_tables(folder: Path, data_map: DataMap, *, require_payouts: bool,
                 columns: dict[str, set[str]] | None = None) -> dict[str, Staged | None]:
    """Every table the map declares, read and mapped (the roster first: names are matched to it).

    ``columns``: the accounts columns the plans' own metrics read; of the map's own accounts columns only
    these are read, and an export header spelled like one the map does not name is read as it."""
    label = str(datamap.map_path(folder))
    calendar = data_map.calendar
    extra = {column_key(c) for c in columns or {}} - set(datamap.REQUIRED["accounts"] + datamap.OPTIONAL["accounts"])
    datamap.check_extra_columns(data_map, label, extra)
    staged: dict[str, Staged | None] = {}
    roster = data_map.tables.roster
    # Without fiscal_year, dates on another calendar's quarter boundaries are worth a warning.
    undeclared = data_map.fiscal_year is None
    staged["roster"] = _stage(folder, "roster", roster, calendar, label, names=None, undeclared=undeclared)
    names = _roster_names(staged["roster"])
    for name in ("accounts", "payouts", "quotas"):
        table = data_map.table(name)
        if table is None:
            if name == "payouts" and require_payouts:
                raise MapError("has no payouts table, which stress-test compares the replay with", file=label,
                               location="tables", hint=f"add tables.payouts naming the payroll export; see {DATA_DOC}")
            staged[name] = None
            continue
        staged[name] = _stage(folder, name, table, calendar, label, names=names,
                              extra=extra if name == "accounts" else set(), undeclared=undeclared)
    return staged


def export_files(folder: Path, data_map: DataMap) -> list[Path]:
    """Every file the map reads (so no command writes its output over one)."""
    found: list[Path] = []
    for name in datamap.TABLES:
        table = data_map.table(name)
        if table is not None:
            for pattern in table.file_list:
                found += matching_files(folder, pattern)
    return found


def _stage(folder: Path, name: str, table: Table, calendar: Calendar, label: str,
           names: _Names | None, extra: set[str] = frozenset(), undeclared: bool = False) -> Staged:
    # The map's own accounts columns no plan reads are left unread; a plan's column the map does not
    # name is read from an export header of that name (csat, Churn Reason for churn_reason) when there is one.
    unread = {c for c in datamap.extra_columns(table) if column_key(c) not in extra} if name == "accounts" else set()
    mapped = {column_key(c) for c in table.columns}
    unmapped = sorted(extra - mapped)
    if table.database is not None:
        export = read_query(folder, name, table, label, skip=unread, optional=unmapped)
    else:
        export = read_export(folder, name, table, label, skip=unread, optional=unmapped)
    cells, left_out = _filter_rows(export, name, table, label)
    key = f"tables.{name}.columns"
    out = pd.DataFrame({"line": cells["line"]})
    # Rows whose required cell the map could not translate (a name on no roster row, a value it does not
    # list): reported once, then left out, so the loader does not report the same cell blank as well.
    failed = pd.Series(False, index=cells.index)
    headers: dict[str, str] = {}
    spelled = {folded(h): h for h in cells.columns if h != "line"}
    own = {folded(h): h for h in export.header}
    for column in unmapped:
        header = spelled.get(folded(column)) or spelled.get(folded(column.replace("_", " ")))
        if header is not None:
            out[column], headers[column] = cells[header], own.get(folded(header), header)
    for column, spec in table.columns.items():
        if column in unread:
            continue
        source = table.source(column)
        where = f"{key}.{column}"
        if source.value is not None:
            out[column] = source.value
            continue
        if source.file_name is not None:
            out[column] = _quarter_from_file_name(export, cells, where, label, calendar)
            continue
        header = _header(export, source.column, where, label)
        headers[column] = header
        if column in datamap.ANNUAL.get(name, ()):
            _warn_monthly(header, name, column, where, label)
        values = cells[header]
        required = column in datamap.REQUIRED[name]
        if source.values is not None:
            values, unlisted = _translate(values, source, header, cells, export.origin, where, label)
            failed |= unlisted & required
        if source.match == "name":
            # A payroll name on no roster row is someone who is not a CSM, as an id would be (docs/data.md):
            # kept under the name, for the one warning that lists them.
            values, unmatched = _ids_from_names(values, source, names or _Names({}, {}), header, cells, export.origin,
                                                where, label, others_are_not_csms=name == "payouts")
            failed |= unmatched
        if source.from_ == "date":
            values = quarters_from_dates(values, source, table, header, cells, export.origin, calendar, where,
                                         undeclared=undeclared, map_label=label, dated=export.dated.get(header))
        elif column in AMOUNTS[name]:
            values = amount_text(values, table, column)
        elif column in datamap.DATES:
            values = iso_dates(values, table, header, cells, export.origin, f"tables.{name}.dates",
                               dated=export.dated.get(header))
        out[column] = values
    if bool(failed.any()):  # only reached while validate collects problems
        out = out[~failed]
    if name == "accounts":  # the loader reads a plan's own column by the name the plan compares (CSAT is csat)
        renamed = {c: column_key(c) for c in datamap.extra_columns(table) if c not in unread}
        out = out.rename(columns=renamed)
        headers = {renamed.get(c, c): h for c, h in headers.items()}
    out.attrs["written"] = export.header
    origin = dataclasses.replace(export.origin, headers=headers, zero_key=f"tables.{name}.zero")
    # A database writes its numbers with a decimal point (inputs/warehouse.py), whatever its text columns do.
    decimal = table.decimal or ("." if table.database is not None else None)
    return Staged(table=out, origin=origin, decimal=decimal, delimiter=export.delimiter, left_out=left_out)


def _warn_monthly(header: str, name: str, column: str, where: str, label: str) -> None:
    """A header whose name says monthly (Expansion MRR) mapped to an annual amount: a unit trap, every
    value a twelfth of what the plan means, that reads without a single error."""
    word = monthly_word(header)
    if word is None:
        return
    kind = "an annual (ARR) amount" if name == "accounts" else "an annual amount"
    note(DataWarning(
        f"column '{header}' is mapped to {column}, {kind}, but its name says monthly ({word}): if it holds "
        f"monthly amounts, every {column} is read 12 times too small", file=label, location=where,
        hint=f"map {column} to the export's annual column, or export the amount as annual (12 × the monthly one); "
        f"if '{header}' does hold annual amounts, rename it in the export; see {DATA_DOC}"))


def _header(export: ExportCells, wanted: str, where: str, label: str) -> str:
    """The export's own spelling of a header the map names (matched trimmed, in any case)."""
    spelled = {folded(h): h for h in export.cells.columns if h != "line"}
    found = spelled.get(folded(wanted))
    if found is None:  # only reached for columns read_export did not already check
        raise MapError(f"names the column '{wanted}', which the export does not have", file=label, location=where)
    return found


def _filter_rows(export: ExportCells, name: str, table: Table, label: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """The rows the map's rows: keep/drop lets through, and how many of each value it left out."""
    cells = export.cells
    rows = table.rows
    left_out: dict[str, int] = {}
    if rows is None:
        return cells, left_out
    for kind, rule in (("keep", rows.keep), ("drop", rows.drop)):
        if rule is None:
            continue
        header = _header(export, rule.column, f"tables.{name}.rows.{kind}.column", label)
        wanted = {v.strip().casefold() for v in rule.in_}
        listed = per_distinct(cells[header], lambda v: v.casefold() in wanted).astype(bool)
        passed = listed if kind == "keep" else ~listed
        if len(cells) and not bool(passed.any()):
            found = ", ".join(f"'{v}'" for v in cells[header].drop_duplicates().head(8)) + (
                " …" if cells[header].nunique() > 8 else "")
            raise MapError(f"the rows filter leaves no row of {export.origin.path}: its {header} column holds "
                           f"{found}", file=label, location=f"tables.{name}.rows.{kind}",
                           hint=f"list the values the export really uses under tables.{name}.rows.{kind}.in; "
                           f"see {DATA_DOC}")
        for value, count in cells.loc[~passed, header].replace("", "(blank)").value_counts().items():
            left_out[f"{header} {value}"] = left_out.get(f"{header} {value}", 0) + int(count)
        cells = cells[passed]
    return cells, left_out


def _translate(values: pd.Series, source: Source, header: str, cells: pd.DataFrame, origin: Origin, where: str,
               label: str) -> tuple[pd.Series, pd.Series]:
    """An export column's values through the map's value map; a value the map does not list is an error.
    Returns the values and which rows held an unlisted one."""
    table = {k.strip().casefold(): v for k, v in source.values.items()}
    mapped = per_distinct(values, lambda v: table.get(v.casefold()))
    unlisted = mapped.isna() & (values != "")
    if bool(unlisted.any()):
        distinct = list(dict.fromkeys(values[unlisted]))
        first = unlisted.idxmax()
        shown = ", ".join(f"'{v}'" for v in distinct[:5]) + (" …" if len(distinct) > 5 else "")
        report(DataError(
            f"'{values[first]}' is not one of the values the data map lists for {header} ({where}.values)"
            + (f"; unlisted: {shown}" if len(distinct) > 1 else ""),
            **origin.at(cells.at[first, "line"], header),
            hint=f"add it to {where}.values in {MAP_FILE}, e.g. \"{distinct[0]}\": <value>; see {DATA_DOC}"))
    return as_text(mapped), unlisted.astype(bool)


@dataclass
class _Names:
    """The roster's names, folded (case, accents, spaces ignored) -> csm_ids, and as the roster spells them."""

    ids: dict[str, list[str]]
    spelled: dict[str, str]


def _roster_names(roster: Staged) -> _Names:
    table = roster.table
    if "name" not in table or "csm_id" not in table:
        return _Names({}, {})
    pairs = table.loc[(table["name"] != "") & (table["csm_id"] != ""), ["name", "csm_id"]].drop_duplicates()
    keys = pairs["name"].map(folded)
    ids = pairs.groupby(keys)["csm_id"].agg(lambda found: sorted(set(found))).to_dict()
    spelled = dict(zip(keys, pairs["name"]))
    return _Names(ids, spelled)


def _ids_from_names(values: pd.Series, source: Source, roster: _Names, header: str, cells: pd.DataFrame,
                    origin: Origin, where: str, label: str, *, others_are_not_csms: bool = False
                    ) -> tuple[pd.Series, pd.Series]:
    """Owners written as people's names, turned into the roster's csm_ids; and which rows' names were
    reported (matching no roster row, or two).

    ``others_are_not_csms``: a name matching no roster row is not an error but someone who is not a
    CSM (payroll's other staff), kept under the name as written."""
    names = roster.ids
    lookup = {name: ids[0] for name, ids in names.items() if len(ids) == 1}
    for alias, csm_id in (source.aliases or {}).items():
        lookup[folded(alias)] = csm_id
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    distinct = np.array([str(v) for v in distinct], dtype=object)
    keys = [folded(v) for v in distinct]  # a few hundred owners, however many rows
    ids = np.array([lookup.get(key, "") for key in keys], dtype=object)
    reported = np.zeros(len(distinct), dtype=bool)
    for i, name in enumerate(distinct):
        if name == "" or ids[i] != "":
            continue
        rows = codes == i
        first = cells.index[rows][0]
        twins = names.get(keys[i], [])
        if len(twins) <= 1 and others_are_not_csms:
            ids[i] = name
            continue
        reported[i] = True
        if len(twins) > 1:
            message = f"'{name}' is the name of {len(twins)} people on the roster ({', '.join(twins)})"
            hint = f"say which one this export means under {where}.aliases, e.g. \"{name}\": {twins[0]}"
        else:
            close = _closest(keys[i], roster)
            message = f"'{name}' matches no name on the roster" + (f" (closest: {close})" if close else "")
            hint = (f"add the spelling under {where}.aliases in {MAP_FILE}, e.g. \"{name}\": <csm_id>, or correct the "
                    "roster")
        more = int(rows.sum()) - 1
        report(DataError(message + (f" ({more} more row{'s' if more > 1 else ''} with this name)" if more else ""),
                         **origin.at(cells.at[first, "line"], header), hint=f"{hint}; see {DATA_DOC}"))
    empty = np.array([], dtype=object)
    return (pd.Series(ids[codes] if len(distinct) else empty, index=values.index, dtype=object),
            pd.Series(reported[codes] if len(distinct) else np.array([], dtype=bool), index=values.index))


def _closest(folded: str, roster: _Names) -> str:
    import difflib

    close = difflib.get_close_matches(folded, list(roster.ids), n=2, cutoff=0.75)
    return ", ".join(f"'{roster.spelled[c]}' ({', '.join(roster.ids[c])})" for c in close)


def _quarter_from_file_name(export: ExportCells, cells: pd.DataFrame, where: str, label: str,
                            calendar: Calendar) -> pd.Series:
    labels = []
    for path in export.origin.files:
        found = label_in_file_name(path.name)
        quarter = calendar.canonical(found) if found else None
        if quarter is None:
            raise MapError(f"the file {path.name} has no quarter label in its name (such as 2026Q1 or FY2027Q1)",
                           file=label, location=where,
                           hint=f"rename the file to include its quarter, or map quarter to a column; see {DATA_DOC}")
        if found.startswith("FY") and not calendar.reads_fiscal_labels:  # the rule of inputs/quarter_labels.py
            raise MapError(f"the file {path.name} is named for a fiscal quarter, but the map sets no fiscal year: it "
                           f"would be read as calendar quarter {quarter}", file=label, location=where,
                           hint="add fiscal_year: {first_month: 2} (the month your fiscal year starts) to the map, or "
                                f"fiscal_year: {{first_month: 1}} if FY labels are calendar years; see {DATA_DOC}")
        labels.append(quarter)
    names = np.array(labels, dtype=object)
    # Each row's file, from the row key (the keys of file i start at origin.starts[i]).
    part = np.searchsorted(np.asarray(export.origin.starts), cells.index.to_numpy(), side="right") - 1
    return pd.Series(names[part], index=cells.index, dtype=object)
