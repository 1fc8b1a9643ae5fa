"""A CS org's own exports, read through the data map into the tables inputs/tables.py validates.

Each table of the map is read from its file(s) (CSV in any delimiter and encoding, an Excel sheet,
Parquet), its rows filtered, and its columns mapped and translated (value maps, names to ids,
dates to quarters, '-' to 0) into text cells under cscomp's own column names. The result goes
through exactly the checks a canonical CSV does; every message still names the export's file, its
line (or sheet row) and its header.
"""

from __future__ import annotations

import dataclasses
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
from cscomp_cli.inputs.owner_names import Names, ids_from_owners, roster_names
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
    if roster.history is not None:
        from cscomp_cli.inputs.roster_history import join_history

        history = _stage(folder, "roster.history", roster.history, calendar, label, names=None, undeclared=undeclared)
        staged["roster"] = join_history(staged["roster"], history, label)
    names = roster_names(staged["roster"])
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
    staged["fx"] = stage_fx(folder, data_map, calendar, label)
    return staged


def stage_fx(folder: Path, data_map: DataMap, calendar: Calendar, label: str) -> Staged | None:
    """The map's FX sheet, checked and read like any export (None without one, or for a fixed rate
    written in the map)."""
    from cscomp_cli.inputs.files import FX, present
    from cscomp_cli.inputs.fx_sheet import check_fx_table, refuse_two_rate_sources

    table = data_map.tables.fx
    if table is None:
        return None
    check_fx_table(table, label)
    if present(Path(folder) / FX):
        refuse_two_rate_sources(folder, label)
    return _stage(folder, "fx", table, calendar, label, names=None) if table.files is not None else None


def export_files(folder: Path, data_map: DataMap) -> list[Path]:
    """Every file the map reads (so no command writes its output over one)."""
    found: list[Path] = []
    tables = [data_map.table(name) for name in datamap.TABLES] + [data_map.tables.roster.history,
                                                                  data_map.tables.fx]
    for table in tables:
        if table is not None:
            for pattern in table.file_list:
                found += matching_files(folder, pattern)
    return found


def _stage(folder: Path, name: str, table: Table, calendar: Calendar, label: str,
           names: Names | None, extra: set[str] = frozenset(), undeclared: bool = False) -> Staged:
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
    scales: dict[str, float] = {}
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
        amounts = _amounts(name)
        if source.when is not None and column not in amounts:
            raise MapError(f"when applies to amount columns only, and {column} is not one", file=label,
                           location=f"{where}.when", hint=f"the amount columns of {name} are "
                           f"{', '.join(amounts)}; to leave rows out use tables.{name}.rows; see {DATA_DOC}")
        if source.join is not None:
            joined = [_header(export, wanted, f"{where}.join", label) for wanted in source.join]
            header = " + ".join(joined)
            values = _joined(cells, joined)
        else:
            header = _header(export, source.column, where, label)
            values = cells[header]
        headers[column] = header
        if column in datamap.ANNUAL.get(name.split(".")[0], ()) and source.scale is None:
            # A scale says what the column holds (MRR × 12): no unit to warn of.
            _warn_monthly(header, name, column, where, label)
        required = column in _required(name)
        if source.values is not None:
            values, unlisted = _translate(values, source, header, cells, export.origin, where, label)
            failed |= unlisted & required
        if source.match in ("name", "email"):
            # A payroll name on no roster row is someone who is not a CSM, as an id would be (docs/data.md):
            # kept under the name, for the one warning that lists them.
            values, unmatched = ids_from_owners(values, source, names or Names({}, {}), header, cells, export.origin,
                                                where, others_are_not_csms=name == "payouts")
            failed |= unmatched
        if source.scale is not None:
            scales[column] = float(source.scale)
        if source.from_ == "date":
            named = None
            if source.named_in is not None:
                text = _header(export, source.named_in, f"{where}.named_in", label)
                named = (own.get(folded(text), text), cells[text])
            values = quarters_from_dates(values, source, table, header, cells, export.origin, calendar, where,
                                         undeclared=undeclared, map_label=label, dated=export.dated.get(header),
                                         named=named)
        elif column in _amounts(name):
            values = amount_text(values, table, column)
        elif column in datamap.DATES:
            values = iso_dates(values, table, header, cells, export.origin, f"tables.{name}.dates",
                               dated=export.dated.get(header))
        if source.when is not None:
            values = _when(values, source, cells, export, column, f"{where}.when", label)
        out[column] = values
    if bool(failed.any()):  # only reached while validate collects problems
        out = out[~failed]
    if name == "accounts":  # the loader reads a plan's own column by the name the plan compares (CSAT is csat)
        renamed = {c: column_key(c) for c in datamap.extra_columns(table) if c not in unread}
        out = out.rename(columns=renamed)
        headers = {renamed.get(c, c): h for c, h in headers.items()}
    out.attrs["written"] = export.header
    origin = dataclasses.replace(export.origin, headers=headers, zero_key=f"tables.{name}.zero", scales=scales)
    # A database writes its numbers with a decimal point (inputs/warehouse.py), whatever its text columns do.
    decimal = table.decimal or ("." if table.database is not None else None)
    return Staged(table=out, origin=origin, decimal=decimal, delimiter=export.delimiter, left_out=left_out,
                  left_out_ids=_left_out_ids(export, cells, name, table, label))


def _left_out_ids(export: ExportCells, kept: pd.DataFrame, name: str, table: Table, label: str) -> frozenset[str]:
    """The roster's csm_ids on rows its rows filter left out (a VP on the worker list): a pay history
    listing every employee has rows for them too, which are not a CSM's either."""
    if name != "roster" or table.rows is None or "csm_id" not in table.columns:
        return frozenset()
    source = table.source("csm_id")
    if source.column is None:
        return frozenset()
    header = _header(export, source.column, "tables.roster.columns.csm_id", label)
    left = export.cells.loc[~export.cells.index.isin(kept.index), header]
    return frozenset(as_text(left).str.strip()) - {""}


def _required(name: str) -> tuple[str, ...]:
    # The FX sheet's rate column (inputs/fx_sheet.py checks which others it has).
    return {"roster.history": datamap.HISTORY_REQUIRED, "fx": ("rate",)}.get(name) or datamap.REQUIRED[name]


def _amounts(name: str) -> tuple[str, ...]:
    return {"roster.history": ("annual_base", "annual_variable"), "fx": ("rate",)}.get(name) or AMOUNTS[name]


def _joined(cells: pd.DataFrame, headers: list[str]) -> pd.Series:
    """The cells of several export columns joined with one space, blank ones skipped (First, Last)."""
    joined = as_text(cells[headers[0]])
    for header in headers[1:]:
        part = as_text(cells[header])
        both = (joined != "") & (part != "")
        joined = (joined + " " + part).where(both, joined.where(joined != "", part))
    return as_text(joined)


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


def _when(values: pd.Series, source: Source, cells: pd.DataFrame, export: ExportCells, column: str, where: str,
          label: str) -> pd.Series:
    """An amount read only on the rows whose condition column holds one of the listed values (a CRM's one ARR
    column, its Lifecycle Stage New on a new logo's row for new_arr); 0 on the others, or blank for arr_end,
    which is then derived from the movements."""
    header = _header(export, source.when.column, f"{where}.column", label)
    wanted = {v.strip().casefold() for v in source.when.in_}
    holds = per_distinct(cells[header], lambda v: v.strip().casefold() in wanted).astype(bool)
    return values.where(holds, "" if column == "arr_end" else "0")


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
