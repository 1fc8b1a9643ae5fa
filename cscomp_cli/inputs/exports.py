"""A CS org's own exports, read through the data map into the tables data.py validates.

Each table of the map is read from its file(s) (CSV in any delimiter and encoding, an Excel sheet,
Parquet), its rows filtered, and its columns mapped and translated (value maps, names to ids,
dates to quarters, '-' to 0) into text cells under cscomp's own column names. The result goes
through exactly the checks a canonical CSV does; every message still names the export's file, its
line (or sheet row) and its header.
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError, DataWarning, MapError, note, report
from cscomp_cli.core.quarters import Calendar, label_in_file_name
from cscomp_cli.core.text import folded
from cscomp_cli.inputs import datamap
from cscomp_cli.inputs.csv_reading import parse_csv
from cscomp_cli.inputs.datamap import (
    AMOUNTS,
    DATE_STYLES,
    MAP_FILE,
    DataMap,
    Source,
    Table,
)
from cscomp_cli.inputs.files import (
    DATA_DOC,
    MAX_FILE_BYTES,
    Origin,
    Staged,
    file_kind,
    read_file_bytes,
    refuse_controls,
    too_large,
    unreadable_error,
)
from cscomp_cli.inputs.formats import export_format
from cscomp_cli.inputs.tables import column_key

# Export cells are kept as Arrow strings, as data.py's CSV reader leaves them, so a million cells are
# compared, matched and parsed in vectorised passes rather than one Python call each.
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def _as_text(cells: pd.Series) -> pd.Series:
    """Cells as trimmed Arrow strings, blanks as ''."""
    return cells.astype(_TEXT).fillna("").str.strip()


def _holds(text: pd.Series, pattern: str) -> pd.Series:
    """Which cells match an RE2 pattern, by pyarrow (pandas would fall back to Python's re per cell)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.match_substring_regex(pa.array(text.array), pattern)
    return pd.Series(pc.fill_null(found, False).to_numpy(zero_copy_only=False), index=text.index)


def _per_distinct(values: pd.Series, translate) -> pd.Series:
    """``translate`` applied once per distinct value (a column holds few), then spread back to the rows."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    translated = np.array([translate(str(v)) for v in distinct], dtype=object)
    return pd.Series(translated[codes] if len(distinct) else np.array([], dtype=object), index=values.index,
                     dtype=object)


@dataclass
class _Export:
    """One table's export cells: text under the export's own headers, and where each row came from."""

    cells: pd.DataFrame  # the referenced columns, trimmed text; the row key in "line"
    origin: Origin
    delimiter: str
    header: tuple[str, ...] = ()  # the (first) file's whole header, as written


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
    staged["roster"] = _stage(folder, "roster", roster, calendar, label, names=None)
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
                              extra=extra if name == "accounts" else set())
    return staged


def export_files(folder: Path, data_map: DataMap) -> list[Path]:
    """Every file the map reads (so no command writes its output over one)."""
    found: list[Path] = []
    for name in datamap.TABLES:
        table = data_map.table(name)
        if table is not None:
            for pattern in table.file_list:
                found += _matches(folder, pattern)
    return found


# --- one table ------------------------------------------------------------------------------


def _stage(folder: Path, name: str, table: Table, calendar: Calendar, label: str,
           names: _Names | None, extra: set[str] = frozenset()) -> Staged:
    # The map's own accounts columns no plan reads are left unread; a plan's column the map does not
    # name is read from an export header of that name (csat, Churn Reason for churn_reason) when there is one.
    unread = {c for c in datamap.extra_columns(table) if column_key(c) not in extra} if name == "accounts" else set()
    mapped = {column_key(c) for c in table.columns}
    unmapped = sorted(extra - mapped)
    export = _read_export(folder, name, table, label, skip=unread, optional=unmapped)
    cells, left_out = _filter_rows(export, name, table, label)
    key = f"tables.{name}.columns"
    out = pd.DataFrame({"line": cells["line"]})
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
        values = cells[header]
        if source.values is not None:
            values = _translate(values, source, header, cells, export.origin, where, label)
        if source.match == "name":
            values = _ids_from_names(values, source, names or _Names({}, {}), header, cells, export.origin, where, label)
        if source.from_ == "date":
            values = _quarters_from_dates(values, source, table, header, cells, export.origin, calendar, where)
        elif column in AMOUNTS[name]:
            values = _amount_text(values, table, column)
        elif column in datamap.DATES:
            values = _iso_dates(values, table, header, cells, export.origin, f"tables.{name}.dates")
        out[column] = values
    if name == "accounts":  # the loader reads a plan's own column by the name the plan compares (CSAT is csat)
        renamed = {c: column_key(c) for c in datamap.extra_columns(table) if c not in unread}
        out = out.rename(columns=renamed)
        headers = {renamed.get(c, c): h for c, h in headers.items()}
    out.attrs["written"] = export.header
    origin = Origin(export.origin.path, files=export.origin.files, starts=export.origin.starts,
                    lines=export.origin.lines, headers=headers, places=export.origin.places)
    return Staged(table=out, origin=origin, decimal=table.decimal, delimiter=export.delimiter, left_out=left_out)


def _header(export: _Export, wanted: str, where: str, label: str) -> str:
    """The export's own spelling of a header the map names (matched trimmed, in any case)."""
    spelled = {folded(h): h for h in export.cells.columns if h != "line"}
    found = spelled.get(folded(wanted))
    if found is None:  # only reached for columns _read_export did not already check
        raise MapError(f"names the column '{wanted}', which the export does not have", file=label, location=where)
    return found


def _filter_rows(export: _Export, name: str, table: Table, label: str) -> tuple[pd.DataFrame, dict[str, int]]:
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
        listed = _per_distinct(cells[header], lambda v: v.casefold() in wanted).astype(bool)
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
               label: str) -> pd.Series:
    """An export column's values through the map's value map; a value the map does not list is an error."""
    table = {k.strip().casefold(): v for k, v in source.values.items()}
    mapped = _per_distinct(values, lambda v: table.get(v.casefold()))
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
    return _as_text(mapped)


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


def _ids_from_names(values: pd.Series, source: Source, roster: _Names, header: str,
                    cells: pd.DataFrame, origin: Origin, where: str, label: str) -> pd.Series:
    """Owners written as people's names, turned into the roster's csm_ids."""
    names = roster.ids
    lookup = {name: ids[0] for name, ids in names.items() if len(ids) == 1}
    for alias, csm_id in (source.aliases or {}).items():
        lookup[folded(alias)] = csm_id
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    distinct = np.array([str(v) for v in distinct], dtype=object)
    keys = [folded(v) for v in distinct]  # a few hundred owners, however many rows
    ids = np.array([lookup.get(key, "") for key in keys], dtype=object)
    for i, name in enumerate(distinct):
        if name == "" or ids[i] != "":
            continue
        rows = codes == i
        first = cells.index[rows][0]
        twins = names.get(keys[i], [])
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
    return pd.Series(ids[codes] if len(distinct) else np.array([], dtype=object), index=values.index, dtype=object)


def _closest(folded: str, roster: _Names) -> str:
    import difflib

    close = difflib.get_close_matches(folded, list(roster.ids), n=2, cutoff=0.75)
    return ", ".join(f"'{roster.spelled[c]}' ({', '.join(roster.ids[c])})" for c in close)


def _quarter_from_file_name(export: _Export, cells: pd.DataFrame, where: str, label: str,
                            calendar: Calendar) -> pd.Series:
    labels = []
    for path in export.origin.files:
        found = label_in_file_name(path.name)
        quarter = calendar.canonical(found) if found else None
        if quarter is None:
            raise MapError(f"the file {path.name} has no quarter label in its name (such as 2026Q1 or FY2027Q1)",
                           file=label, location=where,
                           hint=f"rename the file to include its quarter, or map quarter to a column; see {DATA_DOC}")
        labels.append(quarter)
    names = np.array(labels, dtype=object)
    # Each row's file, from the row key (the keys of file i start at origin.starts[i]).
    part = np.searchsorted(np.asarray(export.origin.starts), cells.index.to_numpy(), side="right") - 1
    return pd.Series(names[part], index=cells.index, dtype=object)


# --- amounts and dates --------------------------------------------------------------------------

# A currency written as a code or a symbol after the number (230.200,00 €, 37,500 USD) or a code
# before it (USD 37,500): the amount parser reads $, € and £ in front only.
_CODE_BEFORE = r"^(?P<sign>[-(]?)\s*[A-Z]{3}\s*(?=[-(]?[$€£]?[0-9.,])"
_AFTER = r"(?<=[0-9.,)])\s*(?:[A-Z]{3}|[$€£])$"


def _amount_text(values: pd.Series, table: Table, column: str) -> pd.Series:
    """Amount cells as the amount parser reads them: the map's zero cells as 0, currency codes dropped."""
    text = _as_text(values)
    if table.zero:
        zero = {z.strip() for z in table.zero}
        # A blank arr_end is derived from the movements, not read as 0.
        if column == "arr_end":
            zero.discard("")
        text = text.where(~text.isin(zero), "0")
    # Only the few cells with a letter, a space or a symbol at the end need the (Python) regexes below.
    odd = _holds(text, r"[A-Za-z\s]|[€£$]$")
    if bool(odd.any()):
        fixed = text[odd].astype(object).str.replace(_CODE_BEFORE, r"\g<sign>", regex=True).str.replace(_AFTER, "", regex=True)
        if table.numbers == "1 234,56":  # spaces (or no-break spaces) group thousands
            fixed = fixed.str.replace(r"(?<=[0-9])[\s\u00a0\u202f](?=[0-9]{3})", "", regex=True)
        text = text.astype(object).where(~odd, fixed.str.strip())
    return _plain_amounts(_as_text(text), table.decimal)


def _plain_amounts(text: pd.Series, decimal: str | None) -> pd.Series:
    """Well-formed grouped amounts ($230,200.00, 230.200,00) without their symbol and grouping, in one
    Arrow pass, so the amount parser's fast path reads them; any other cell is left as written for its
    checks and messages. Only when the map states the number style: under auto, the grouping is what
    tells the styles apart."""
    if decimal is None:
        return text
    group, point = (",", r"\.") if decimal == "." else (r"\.", ",")
    grouped = rf"^[$€£]?[0-9]{{1,3}}(?:{group}[0-9]{{3}})+(?:{point}[0-9]*)?$|^[$€£][0-9]+(?:{point}[0-9]*)?$"
    tidy = _holds(text, grouped)
    if not bool(tidy.any()):
        return text
    import pyarrow as pa
    import pyarrow.compute as pc

    stripped = pd.Series(pc.replace_substring_regex(pa.array(text[tidy].array), rf"[$€£]|{group}", ""),
                         index=text[tidy].index, dtype=_TEXT)
    return text.where(~tidy, stripped)


_DATE_SHAPES = re.compile(r"^\s*([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})\s*$")


def _date_style(cells: pd.Series, table: Table, where: str, origin: Origin, header: str, lines: pd.Series) -> str:
    """The table's date style: the map's, or the one its cells prove (a day above 12 settles day-first)."""
    if table.dates != "auto":
        return DATE_STYLES[table.dates]
    written = cells[cells != ""]
    if written.empty or written.str.match(r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}").all():
        return "%Y-%m-%d"
    parts = written.str.extract(_DATE_SHAPES)
    if parts[0].isna().any():
        first = parts[0].isna().idxmax()
        raise DataError(f"'{written[first]}' is not a date cscomp can read", **origin.at(lines[first], header),
                        hint=f"set {where} in {MAP_FILE} to the export's date style (YYYY-MM-DD, MM/DD/YYYY, "
                        f"DD/MM/YYYY or DD.MM.YYYY); see {DATA_DOC}")
    first_part, second_part = parts[0].astype(int), parts[1].astype(int)
    separator = "." if written.iloc[0].strip()[2:3] == "." or "." in written.iloc[0] else (
        "-" if "-" in written.iloc[0] else "/")
    day_first, month_first = bool((first_part > 12).any()), bool((second_part > 12).any())
    if day_first and month_first:
        raise DataError(f"the dates in {header} are written both day-first and month-first",
                        **origin.at(lines[(first_part > 12).idxmax()], header),
                        hint=f"set {where} in {MAP_FILE}, and correct the cells written the other way; see {DATA_DOC}")
    if not day_first and not month_first:
        example = written.iloc[0]
        raise DataError(f"the dates in {header} ('{example}') could be day-first or month-first, and no cell shows which",
                        **origin.at(lines[written.index[0]], header),
                        hint=f"set {where} in {MAP_FILE} to MM/DD/YYYY or DD/MM/YYYY (or DD.MM.YYYY); see {DATA_DOC}")
    return f"%d{separator}%m{separator}%Y" if day_first else f"%m{separator}%d{separator}%Y"


def _parse_dates(values: pd.Series, table: Table, header: str, cells: pd.DataFrame, origin: Origin,
                 where: str) -> pd.Series:
    style = _date_style(values, table, where, origin, header, cells["line"])
    # A spreadsheet's dates arrive as 2026-04-15 00:00:00: the day is what counts.
    text = values.where(values != "", None)
    if style == "%Y-%m-%d":
        text = text.str.slice(0, 10)
    parsed = pd.to_datetime(text, format=style, errors="coerce")
    bad = parsed.isna() & (values != "")
    if bool(bad.any()):
        first = bad.idxmax()
        shown = {v: k for k, v in DATE_STYLES.items()}.get(style, style)
        report(DataError(f"'{values[first]}' is not a date written {shown}", **origin.at(cells.at[first, "line"], header),
                         hint=f"correct the cell, or set {where} in {MAP_FILE} to the export's date style; see {DATA_DOC}"))
    return parsed


def _iso_dates(values: pd.Series, table: Table, header: str, cells: pd.DataFrame, origin: Origin,
               where: str) -> pd.Series:
    parsed = _parse_dates(values, table, header, cells, origin, where)
    return _as_text(parsed.dt.strftime("%Y-%m-%d"))


def _quarters_from_dates(values: pd.Series, source: Source, table: Table, header: str, cells: pd.DataFrame,
                         origin: Origin, calendar: Calendar, where: str) -> pd.Series:
    """A date column (a pay date) as the quarter it belongs to, counting back paid_months_after months."""
    dates_key = where.rsplit(".columns.", 1)[0] + ".dates"
    parsed = _parse_dates(values, table, header, cells, origin, dates_key)
    known = parsed.notna().to_numpy()
    labels = np.full(len(parsed), "", dtype=object)
    if known.any():
        days = parsed[known].to_numpy().astype("datetime64[D]")
        labels[known] = calendar.quarter_of(days, source.paid_months_after or 0)
    return pd.Series(labels, index=values.index, dtype=object)


# --- reading the files --------------------------------------------------------------------------


def _matches(folder: Path, pattern: str) -> list[Path]:
    base = Path(folder)
    if glob.has_magic(pattern):
        found = sorted(Path(p) for p in glob.glob(str(base / pattern), recursive=True))
    else:
        found = [base / pattern] if (base / pattern).exists() or (base / pattern).is_symlink() else []
    return [p for p in found if p.name != MAP_FILE]


def _read_export(folder: Path, name: str, table: Table, label: str, skip: set[str] = frozenset(),
                 optional: list[str] = ()) -> _Export:
    """The table's export cells: the headers the map names (but those of ``skip``), and those of
    ``optional`` the export has (a plan's column read under its own name, csat or churn reason)."""
    files: list[Path] = []
    for i, pattern in enumerate(table.file_list):
        found = _matches(folder, pattern)
        if not found:
            where = f"tables.{name}.files" + (f"[{i}]" if isinstance(table.files, list) else "")
            listed = sorted(p.name for p in Path(folder).iterdir() if p.name != MAP_FILE)[:12]
            raise MapError(f"'{pattern}' matches no file in {folder}", file=label, location=where,
                           hint=f"the folder holds {', '.join(listed) or 'no files'}; paths are relative to the data "
                           f"folder; see {DATA_DOC}")
        files += [p for p in found if p not in files]
    wanted = _referenced_headers(name, table, skip)
    optional = [spelling for column in optional for spelling in dict.fromkeys([column, column.replace("_", " ")])]
    frames, starts, lines, places, delimiter, header = [], [], [], [], ",", ()
    key = 1
    for path in files:
        kind = table.format if table.format != "auto" else export_format(path)
        if kind is None:
            raise MapError(f"cannot tell what kind of file {path.name} is from its name", file=label,
                           location=f"tables.{name}.format",
                           hint=f"set format: csv, tsv, xlsx or parquet; see {DATA_DOC}")
        if table.sheet is not None and kind != "xlsx":
            raise MapError(f"sheet applies to xlsx files, and {path.name} is read as {kind}", file=label,
                           location=f"tables.{name}.sheet", hint=f"remove sheet:, or name the workbook; see {DATA_DOC}")
        if kind in ("csv", "tsv"):
            cells, own_lines, used = _read_text(path, table, kind, wanted)
            delimiter = used if path == files[0] else delimiter
            places.append("line")
        elif kind == "xlsx":
            cells, own_lines, sheet = _read_sheet(path, table, name, label, wanted)
            places.append(f"sheet {sheet}, row")
        else:
            cells, own_lines = _read_parquet(path)
            places.append("row")
        header = header or tuple(str(c) for c in cells.columns)
        cells = _pick(cells, wanted, path, places[-1], name, label, table, optional)
        starts.append(key)
        lines.append(own_lines)
        cells.index = pd.RangeIndex(key, key + len(cells))
        key += len(cells)
        frames.append(cells)
    table_cells = pd.concat(frames) if len(frames) > 1 else frames[0]
    for column in optional:  # a plan's column some of the files lack: blank (no value) in their rows
        if column in table_cells:
            table_cells[column] = table_cells[column].fillna("")
    line_numbers = np.concatenate(lines) if lines else np.array([], dtype="int64")
    table_cells["line"] = table_cells.index.to_numpy()
    shown = files[0] if len(files) == 1 else (Path(folder) / table.file_list[0] if len(table.file_list) == 1
                                             else Path(folder))
    origin = Origin(shown, files=tuple(files), starts=tuple(starts), lines=line_numbers, places=tuple(places))
    export = _Export(table_cells, origin, delimiter, header)
    headers = [c for c in table_cells.columns if c != "line"]
    refuse_controls(origin, table_cells, headers)
    # A row whose every referenced cell is blank is a spacer (or the sheet's empty tail): skipped.
    blank = (table_cells[headers] == "").all(axis=1) if headers else pd.Series(False, index=table_cells.index)
    export.cells = table_cells.loc[~blank]
    return export


def _referenced_headers(name: str, table: Table, skip: set[str] = frozenset()) -> list[str]:
    wanted = [s.column for c in table.columns if c not in skip and (s := table.source(c)).column is not None]
    if table.rows is not None:
        wanted += [r.column for r in (table.rows.keep, table.rows.drop) if r is not None]
    return list(dict.fromkeys(wanted))


def _pick(cells: pd.DataFrame, wanted: list[str], path: Path, place: str, name: str, label: str,
          table: Table, optional: list[str] = ()) -> pd.DataFrame:
    """The columns the map names, under the map's spelling of each header (and those of ``optional``
    the export has)."""
    spelled: dict[str, list[str]] = {}
    for header in cells.columns:
        spelled.setdefault(folded(header), []).append(header)
    picked = {}
    wanted_folded = {folded(w) for w in wanted}
    for want in [*wanted, *(o for o in optional if folded(o) not in wanted_folded and folded(o) in spelled)]:
        found = spelled.get(folded(want), [])
        if not found:
            close = _closest_header(want, list(cells.columns))
            raise DataError(
                f"has no column '{want}', which the data map names ({_where_named(name, table, want)})"
                + (f"; did you mean '{close}'?" if close else ""),
                file=path, location="line 1" if place == "line" else "header",
                hint=f"the header has {', '.join(str(c) for c in cells.columns[:15])}"
                + (" …" if len(cells.columns) > 15 else "") + f"; correct the name in {MAP_FILE}; see {DATA_DOC}")
        if len(found) > 1:
            raise DataError(f"has two columns named '{found[0]}'", file=path,
                            location="line 1" if place == "line" else "header",
                            hint="rename one of them in the export, so the map can say which it means")
        picked[want] = cells[found[0]]
    return pd.DataFrame(picked, index=cells.index)


def _where_named(name: str, table: Table, header: str) -> str:
    for column in table.columns:
        source = table.source(column)
        if source.column is not None and folded(source.column) == folded(header):
            return f"tables.{name}.columns.{column}"
    return f"tables.{name}.rows"


def _closest_header(want: str, headers: list[str]) -> str | None:
    import difflib

    spelled = {folded(h): h for h in headers}
    close = difflib.get_close_matches(folded(want), list(spelled), n=1, cutoff=0.6)
    return spelled[close[0]] if close else None


def _read_text(path: Path, table: Table, kind: str, wanted: list[str]) -> tuple[pd.DataFrame, np.ndarray, str]:
    raw = read_file_bytes(path)
    text = _decode(raw, path, table.encoding)
    skipped = table.header_row - 1
    if skipped:
        text = "".join(text.splitlines(keepends=True)[skipped:])
    delimiter = "\t" if kind == "tsv" and table.delimiter == "auto" else (
        None if table.delimiter == "auto" else table.delimiter)
    cells, lines, head, used = parse_csv(text.encode("utf-8"), path, known={w.strip().lower() for w in wanted},
                                         delimiter=delimiter)
    # pandas renames a repeated header (Segment, Segment.1): say so from the header as written.
    import csv

    written = next(csv.reader(head.splitlines()[:1], delimiter=used), [])
    _refuse_repeated([h.lstrip("\ufeff") for h in written], wanted, path, "line 1")
    cells.columns = [str(c).strip() for c in cells.columns]
    for column in cells.columns:
        cells[column] = _as_text(cells[column])
    return cells, lines + skipped, used


def _decode(raw: bytes, path: Path, encoding: str) -> str:
    if encoding == "auto":
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return raw.decode("utf-16")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            text = raw.decode("cp1252", errors="replace")
            line = raw.count(b"\n", 0, exc.start) + 1
            start = raw.rfind(b"\n", 0, exc.start) + 1
            end = raw.find(b"\n", exc.start)
            sample = raw[start: end if end >= 0 else len(raw)][:80].decode("cp1252", errors="replace").strip()
            note(DataWarning(f"is not UTF-8: read as Windows-1252, the encoding of Excel on Windows (line {line} "
                             f"reads '{sample}')", file=path,
                             hint=f"if the accented names look right, write encoding: cp1252 for this table in "
                             f"{MAP_FILE}; see {DATA_DOC}"))
            return text
    try:
        return raw.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        raise DataError(f"is not {encoding} text (byte {exc.object[exc.start]:#04x} at offset {exc.start})", file=path,
                        hint=f"set this table's encoding in {MAP_FILE} (auto, utf-8, cp1252); see {DATA_DOC}") from None


def _refuse_repeated(headers: list[str], wanted: list[str], path: Path, where: str) -> None:
    """Two export columns under a header the map names: reading either could be the wrong one."""
    wanted_folded = {folded(w) for w in wanted}
    seen: dict[str, str] = {}
    for header in headers:
        key = folded(header)
        if key in seen and key in wanted_folded:
            first, second = seen[key], str(header).strip()
            raise DataError(f"has two columns named '{first}'" + (f" ('{first}' and '{second}')" if first != second
                                                                   else ""), file=path, location=where,
                            hint="rename one of them in the export, so the map can say which it means; "
                            f"see {DATA_DOC}")
        seen.setdefault(key, str(header).strip())


def _read_sheet(path: Path, table: Table, name: str, label: str, wanted: list[str]
                ) -> tuple[pd.DataFrame, np.ndarray, str]:
    # python-calamine (Rust) reads a 100,000-row sheet in about 2 s where openpyxl takes about 30.
    from python_calamine import CalamineError, CalamineWorkbook

    content = _binary(path)  # a FIFO or /dev/zero named crm.xlsx is refused before it is opened
    try:
        # From the bytes, not the name: a workbook saved as crm.dat reads under format: xlsx.
        with CalamineWorkbook.from_filelike(content) as book:
            sheets = list(book.sheet_names)
            sheet_name = table.sheet or (sheets[0] if sheets else "")
            if sheet_name not in sheets:
                raise MapError(f"{path.name} has no sheet '{sheet_name}'", file=label, location=f"tables.{name}.sheet",
                               hint=f"its sheets are {', '.join(sheets) or '(none)'}; see {DATA_DOC}")
            # Empty leading rows and columns kept, so row numbers are the ones the spreadsheet shows.
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError) as exc:
        raise DataError(f"cannot be read as an Excel workbook ({exc})", file=path,
                        hint="open it in Excel and save it again as .xlsx, or export the sheet as CSV UTF-8") from None
    rows = rows[table.header_row - 1:]
    if not rows:
        raise DataError(f"sheet {sheet_name} is empty", file=path, hint="check the sheet and header_row in the map")
    width = max(len(r) for r in rows)
    header = [_cell_text(c, table.decimal) for c in rows[0]] + [""] * (width - len(rows[0]))
    _refuse_repeated(header, wanted, path, f"sheet {sheet_name}, row {table.header_row}")
    body = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows[1:]], columns=range(width), dtype=object)
    cells = pd.DataFrame({h or f"(column {i + 1})": _as_text(body[i].map(lambda c: _cell_text(c, table.decimal)))
                          for i, h in enumerate(header)}, index=body.index)
    lines = np.arange(len(cells), dtype="int64") + table.header_row + 1
    return cells, lines, sheet_name


def _cell_text(value, decimal: str | None) -> str:
    """A spreadsheet cell as the text an export would hold (numbers in the table's own decimal style)."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "":
        return ""
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) or value.time() == dt.time() \
            else value.isoformat(sep=" ")
    if isinstance(value, float):
        text = repr(value) if "e" not in repr(value) else f"{value:.10f}".rstrip("0").rstrip(".")
        text = text[:-2] if text.endswith(".0") else text
        return text.replace(".", ",") if decimal == "," else text
    if isinstance(value, int):
        return str(value)
    return str(value).strip()


def _read_parquet(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(_binary(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"cannot be read as Parquet ({exc})", file=path, hint="export the table again") from None
    columns = {}
    for field, column in zip(arrow.schema, arrow.columns):
        kind = field.type
        if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
            text = pc.strftime(column, format="%Y-%m-%d")
        elif pa.types.is_boolean(kind):
            text = pc.if_else(column, "true", "false")
        else:
            text = _parquet_text(column, kind)
        columns[str(field.name).strip()] = _as_text(pc.fill_null(text, "").to_pandas())
    cells = pd.DataFrame(columns)
    return cells, np.arange(len(cells), dtype="int64") + 1


def _parquet_text(column, kind):
    """A Parquet column as text: lists, structs and bytes (which Arrow cannot cast) as Python writes them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.cast(column, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        def text(value):
            if isinstance(value, bytes):
                return value.decode("utf-8", errors="replace")
            return value if value is None else str(value)

        return pa.array([text(v) for v in column.to_pylist()], pa.string())


def _binary(path: Path):
    """A workbook's or Parquet file's bytes, once it is known to be a regular file of a sane size
    (openpyxl and pyarrow open what they are given: a FIFO waits for a writer, /dev/zero never ends)."""
    import io
    import stat

    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DataError("is a folder, not an export file", file=path)
        if not stat.S_ISREG(info.st_mode):
            raise DataError(f"is not a regular file: it is {file_kind(info.st_mode)}", file=path,
                            hint=f"put the exported file itself in the data folder; see {DATA_DOC}")
        if info.st_size > MAX_FILE_BYTES:
            raise too_large(path, info.st_size)
        with path.open("rb") as handle:
            return io.BytesIO(handle.read())
    except FileNotFoundError:
        raise DataError("file not found" + (" (a symlink to a file that does not exist)" if path.is_symlink() else ""),
                        file=path) from None
    except OSError as exc:
        raise unreadable_error(path, exc) from None
