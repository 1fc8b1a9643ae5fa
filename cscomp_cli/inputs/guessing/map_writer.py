"""Writing the guessed data map: YAML text with a comment on every guess saying why, and an UNDECIDED mark
on each choice a person must make.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cscomp_cli.core.quarters import FiscalEvidence, fiscal_evidence
from cscomp_cli.core.text import folded
from cscomp_cli.inputs.datamap import ANNUAL, REQUIRED, monthly_word
from cscomp_cli.inputs.files import DATA_DOC
from cscomp_cli.inputs.guessing.classify import (
    Export,
    match_columns,
    table_score,
)
from cscomp_cli.inputs.guessing.conventions import (
    ambiguous_number,
    date_convention,
    label_ordinal,
    nonblank,
    number_convention,
    payroll_lag,
    quarter_labels,
    whole_column,
)
from cscomp_cli.inputs.guessing.reading import comment_text, files_value
from cscomp_cli.inputs.guessing.words import (
    AMOUNT_COLUMNS,
    BONUS_CODES,
    CSM_PROFILE,
    DATE_COLUMNS,
    NOT_A_BOOK,
    RAG_SCORES,
    STATUS_WORDS,
    TABLE_ORDER,
    ZERO_TOKENS,
)

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.()'-]*")

_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "none", "nan", "inf"}

# A currency column is read, not trusted: every code in it must be the plan's currency (cscomp does not convert).
_CURRENCY_COMMENT = f"each row's currency (ISO 4217); every code must be the plan's currency, see {DATA_DOC}"


@dataclass
class Undecided:
    """A choice init could not make: the map key it concerns and what a person must decide."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


def _yaml(value) -> str:
    """A value as YAML text: plain when it reads back as the same string, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if value is None:
        return "~"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml(str(k))}: {_yaml(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if not text.isprintable():  # a control character or a line separator from an export: escaped
        return json.dumps(text)
    if _PLAIN.fullmatch(text) and text == text.strip() and text.lower() not in _YAML_WORDS and "  " not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


class MapWriter:
    """Builds the map's lines, each guess with its comment, collecting the undecided choices."""

    def __init__(self, folder: Path, all_files: set[str]):
        self.folder = folder
        self.all_files = all_files
        self.lines: list[str] = []
        self.undecided: list[Undecided] = []
        self.quarters: set[int] = set()  # the accounts' quarters (calendar ordinals) for the payroll lag
        self.fiscal = False
        self.numbers_seen: dict[str, str] = {}  # table -> the convention its cells settled
        self.owners: set[str] = set()  # the accounts' owners (names as compared, and ids): their profiles stay
        self.date_styles: dict[str, str] = {}  # table -> the date format written
        # Pay dates that say where fiscal quarters start (FiscalEvidence), and their header: the first month's guess.
        self.fiscal_evidence: tuple[FiscalEvidence, str] | None = None
        self.rivals: dict[str, list[Export]] = {}  # table -> other exports that fit it too (classify.rivals)

    # lines

    def entry(self, indent: int, key: str, value=None, comment: str | None = None, *, undecided: str | None = None,
              path: str | None = None) -> None:
        """`key: value  # comment`; an undecided choice is marked and listed."""
        if undecided:
            self.undecided.append(Undecided(path or key, comment_text(undecided)))
            comment = f"UNDECIDED: {undecided}" + (f" ({comment})" if comment else "")
        line = " " * indent + f"{_yaml(key) if key != '-' else '-'}:" + ("" if value is None else f" {_yaml(value)}")
        if comment:
            comment = comment_text(comment)
            if len(line) + len(comment) + 4 <= 110:
                line += f"  # {comment}"
            else:
                self.lines.append(" " * indent + f"# {comment}")
        self.lines.append(line)

    def comment(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + f"# {comment_text(text)}")

    # the whole map

    def write(self, chosen: dict[str, Export]) -> str:
        self.lines += [
            f"# The data map cscomp reads from this folder (see {DATA_DOC}), written by `cscomp init`.",
            "# Every value below is a guess with its reason in a comment; search for UNDECIDED for the choices",
            "# a person must make. Edit this file freely; `cscomp init --force` writes a fresh one.",
            "version: 1",
        ]
        body: list[str] = []
        lines, self.lines = self.lines, body
        self.lines.append("tables:")
        roster_names = self._roster_people(chosen.get("roster"))
        for table in TABLE_ORDER:
            if table in chosen:
                self._table(table, chosen[table], chosen, roster_names)
            elif table in ("accounts", "roster"):
                self.comment(2, f"UNDECIDED: no export here looks like the {table} table (see {DATA_DOC})")
                self.undecided.append(Undecided(f"tables.{table}", f"no export here looks like the {table} table; "
                                                f"add it and declare it here"))
        self.lines = lines
        if self.fiscal:
            self.entry(0, "fiscal_year", None, "the quarter labels say FY: a fiscal year")
            if self.fiscal_evidence is not None:
                # The pay dates show where the quarters start, not which of the four starts the year: a
                # guess to confirm, but one that lets the map read (and validate) at once.
                found, header = self.fiscal_evidence
                self.entry(2, "first_month", found.month_name,
                           f"guess: every {header} is {found.seen()}, the day after a quarter closes if the year "
                           f"starts in {found.month_name}",
                           undecided=f"confirm the month your fiscal year starts: {found.month_name} is a guess, "
                           f"and {found.others()} fit the pay dates too", path="fiscal_year.first_month")
            else:
                self.entry(2, "first_month", None, "labels alone do not say which month the fiscal year starts",
                           undecided="write the month your fiscal year starts (e.g. February)",
                           path="fiscal_year.first_month")
            self.entry(2, "named_for", "end", "FY2027 ends in 2027 (Salesforce and Workday style); "
                       "write start if FY2027 starts in 2027")
        return "\n".join(self.lines + body) + "\n"

    def _table(self, table: str, export: Export, chosen: dict[str, Export], roster_names) -> None:
        columns = table_score(export, table)[1]
        base = f"tables.{table}"
        # A header that says monthly (Expansion MRR) is never mapped to an annual amount: a month read as a
        # year is 12 times too small, and a comment alone is easy to run past. Left for a person (a
        # required column unmapped stops every command until they decide), said below.
        monthly = {c: h for c, h in columns.items() if c in ANNUAL.get(table, ()) and monthly_word(h)}
        columns = {c: h for c, h in columns.items() if c not in monthly}
        self.entry(2, table, None, f"{len(columns)} of its columns match the {table} table's")
        files = files_value(export.files, self.all_files)
        others = [f for other in self.rivals.get(table, []) for f in other.files]
        # The map reads one export per table: the one whose header fits best is written, and the other
        # candidates are named, so a person who meant one of them changes files: rather than finding out
        # from a replay of the wrong report.
        rival = (f"{', '.join(others)} also look{'s' * (len(others) == 1)} like the {table} table; init took "
                 f"{', '.join(export.files)}, whose header fits it best. If another is the right one, name it here "
                 "instead; a table reads only the files listed, so leave the rest out or move them out of the "
                 "folder") if others else None
        self.entry(4, "files", files, f"{len(export.files)} files with one header" if len(export.files) > 1 else None,
                   undecided=rival, path=f"{base}.files")
        if export.sheet is not None:
            self.entry(4, "sheet", export.sheet, export.notes.get("sheet"))
        if export.header_row > 1:
            titles = "; ".join(repr(t[:40]) for t in export.titles if t) or "blank"
            self.entry(4, "header_row", export.header_row, f"the header is row {export.header_row}: the rows above "
                       f"it are a report's title ({titles})")
        if export.delimiter is not None:
            self.entry(4, "delimiter", export.delimiter, export.notes.get("delimiter"))
            self.entry(4, "encoding", export.encoding, export.notes.get("encoding"))
        cells = export.cells
        self._numbers(table, export, columns, base)
        self._dates(table, export, columns, base)
        self._zero(table, export, columns)
        rows = self._rows(table, export, columns, chosen, base)
        self.entry(4, "columns")
        writer = getattr(self, f"_{table}_columns")
        writer(export, columns, cells if rows is None else cells[rows], roster_names, base + ".columns")
        unread = [h for h in export.headers if h not in columns.values()]
        # A required column no header was taken for is a choice for a person, not a gap for the
        # loader to find later. (A quarter missing is said by _quarter; a segment gets a constant.)
        for canonical, header in monthly.items():
            problem = (f"{header} looks like {canonical}, but its name says monthly ({monthly_word(header)}) and "
                       f"{canonical} is a year's amount: not mapped. If it holds annual amounts after all, write "
                       f"{canonical}: {header}; if monthly, map an annual column or export one (12 × the monthly "
                       f"amount); see {DATA_DOC}")
            self.comment(6, f"UNDECIDED: {problem}")
            self.undecided.append(Undecided(f"{base}.columns.{canonical}", problem))
        for canonical in REQUIRED[table]:
            if canonical in columns or canonical in monthly or canonical == "quarter" or (
                    table == "roster" and canonical == "segment"):
                continue
            problem = (f"no header of {', '.join(export.files)} was taken for {canonical}: write which column holds "
                       f"it" + (f" (not read: {', '.join(unread)})" if unread else ""))
            self.comment(6, f"UNDECIDED: {problem}")
            self.undecided.append(Undecided(f"{base}.columns.{canonical}", problem))
        if unread:
            self.comment(6, f"not read: {', '.join(unread)}")

    # conventions

    def _numbers(self, table: str, export: Export, columns: dict[str, str], base: str) -> None:
        amounts = [columns[c] for c in AMOUNT_COLUMNS[table] if c in columns and columns[c] not in export.typed]
        if not amounts:
            if export.format in ("xlsx", "parquet") and any(columns.get(c) for c in AMOUNT_COLUMNS[table]):
                self.entry(4, "numbers", "auto", "the amounts are numbers in the file, not text")
            return
        cells = pd.concat([nonblank(export.cells[h]) for h in amounts], ignore_index=True)
        style, why = number_convention(cells)
        if style is not None:
            self.numbers_seen[table] = style
            self.entry(4, "numbers", style, why)
            return
        if why:  # mixed
            self.entry(4, "numbers", "auto", why, undecided="which convention do the amounts use?",
                       path=f"{base}.numbers")
            return
        ambiguous = ambiguous_number(cells)
        if ambiguous is None:
            self.entry(4, "numbers", "auto", "only whole numbers without separators: either convention reads them")
        elif export.delimiter == ",":
            self.numbers_seen[table] = "1,234.56"
            self.entry(4, "numbers", "1,234.56", f"a comma-separated file: {ambiguous!r} groups thousands")
        else:
            others = set(self.numbers_seen.values())
            if len(others) == 1:
                style = others.pop()
                self.entry(4, "numbers", style, f"{ambiguous!r} reads both ways; the other exports use {style}")
            else:
                self.entry(4, "numbers", "auto", f"{ambiguous!r} reads both ways and nothing here settles it",
                           undecided="write \"1,234.56\" or \"1.234,56\"", path=f"{base}.numbers")

    def _dates(self, table: str, export: Export, columns: dict[str, str], base: str) -> None:
        headers = [columns[c] for c in DATE_COLUMNS.get(table, []) if c in columns and columns[c] not in export.typed]
        if not headers:
            return
        cells = pd.concat([nonblank(export.cells[h]) for h in headers], ignore_index=True)
        style, why, decided = date_convention(cells)
        if style is None and cells.empty:
            return
        if style is not None:
            self.date_styles[table] = style
        if decided:
            self.entry(4, "dates", style, why)
            return
        european = self.numbers_seen.get(table, next(iter(self.numbers_seen.values()), "1,234.56")) != "1,234.56"
        if style is None and "both ways" in why:
            style = self.date_styles[table] = "DD/MM/YYYY" if european else "MM/DD/YYYY"
            self.entry(4, "dates", style, f"{why}; {style} matches the amounts' convention",
                       undecided=f"confirm the date format ({'DD/MM/YYYY' if style[0] == 'M' else 'MM/DD/YYYY'} "
                       "is the other reading)", path=f"{base}.dates")
        else:
            self.entry(4, "dates", "auto", why, undecided="write the date format of "
                       + ", ".join(headers), path=f"{base}.dates")

    def _zero(self, table: str, export: Export, columns: dict[str, str]) -> None:
        # Spreadsheet columns too: a report leaves a zero amount as an empty cell among the numbers.
        amounts = [columns[c] for c in AMOUNT_COLUMNS[table] if c in columns]
        if table == "payouts" or not amounts:
            return
        cells = pd.concat([export.cells[h].astype(str).str.strip() for h in amounts], ignore_index=True)
        found = [token for token in ZERO_TOKENS if (cells == token).any()]
        if found:
            shown = ", ".join("blank" if t == "" else repr(t) for t in found)
            self.entry(4, "zero", found, f"{shown} cells in {', '.join(amounts)} read as 0")

    def _rows(self, table: str, export: Export, columns: dict[str, str], chosen, base: str) -> pd.Series | None:
        """A keep filter (roster Job Profile, payroll Earnings Code); the rows it keeps."""
        if table == "roster" and "_profile" in columns:
            header = columns["_profile"]
            profiles = export.cells[header].astype(str).str.strip()
            owners = self.owners
            names = export.cells[columns["name"]].map(folded) if "name" in columns else pd.Series(dtype=str)
            ids = export.cells[columns["csm_id"]].astype(str).str.strip()
            owning = set(profiles[names.isin(owners) | ids.isin(owners)])
            looks = {p for p in pd.unique(profiles) if re.search(CSM_PROFILE, p, re.IGNORECASE)
                     and not re.search(NOT_A_BOOK, p, re.IGNORECASE)}
            keep = [p for p in pd.unique(profiles) if p in owning or p in looks]
            left = [p for p in pd.unique(profiles) if p not in keep]
            if not left or not keep:
                return None
            self.entry(4, "rows")
            self.entry(6, "keep", {"column": header, "in": keep}, "profiles that own accounts or read like a "
                       f"CSM's; left out: {', '.join(p or '(blank)' for p in left)}")
            return profiles.isin(keep)
        if table == "payouts" and "component" in columns:
            header = columns["component"]
            codes = export.cells[header].astype(str).str.strip()
            described = codes + " " + (export.cells[columns["_description"]].astype(str)
                                       if "_description" in columns else "")
            bonus = described.str.contains(BONUS_CODES, case=False, regex=True)
            keep = list(pd.unique(codes[bonus]))
            left = list(pd.unique(codes[~bonus]))
            if not left:
                return None
            self.entry(4, "rows")
            if not keep:
                self.entry(6, "keep", {"column": header, "in": []}, f"no code looks like a bonus: {', '.join(left)}",
                           undecided="list the earnings codes that pay the plan", path=f"{base}.rows.keep")
                return bonus
            self.entry(6, "keep", {"column": header, "in": keep},
                       f"codes that look like incentive pay; left out: {', '.join(left)}")
            return bonus
        return None

    # columns, table by table

    def _source(self, columns: dict[str, str], canonical: str, comment: str | None = None) -> None:
        if canonical in columns:
            self.entry(6, canonical, columns[canonical], comment)

    def _quarter(self, export: Export, columns: dict[str, str], cells: pd.DataFrame, path: str) -> list[str]:
        """The quarter: a label column, else the file names; returns the labels seen."""
        if "quarter" in columns:
            labels, fiscal = quarter_labels(cells[columns["quarter"]])
            self.fiscal |= fiscal
            shown = ", ".join(labels[:4]) + (", ..." if len(labels) > 4 else "")
            self.entry(6, "quarter", columns["quarter"], f"labels {shown}")
            return labels
        names = export.name_labels
        if names and all(names):
            self.fiscal |= any(n.startswith("FY") for n in names)
            self.entry(6, "quarter", {"file_name": "quarter"}, f"one file per quarter: {', '.join(names[:4])}"
                       + (", ..." if len(names) > 4 else ""))
            return names
        self.comment(6, "UNDECIDED: no quarter column and no quarter in the file names")
        self.undecided.append(Undecided(f"{path}.quarter", "no column holds the quarter; declare where it comes from"))
        return []

    def _accounts_columns(self, export, columns, cells, roster_names, path) -> None:
        labels = self._quarter(export, columns, cells, path)
        # The payroll lag is judged against every quarter the accounts cover, not only those of the
        # first rows read for guessing: read the whole quarter column once.
        source = columns.get("quarter")
        if isinstance(source, str):
            labels = whole_column(self.folder, export, source) or labels
        self.quarters = {o for o in map(label_ordinal, labels) if o is not None}
        self._source(columns, "account_id")
        self._owner(columns, cells, roster_names, path)
        for canonical in ("arr_start", "expansion", "cross_sell", "new_arr", "contraction", "churn", "arr_end"):
            self._source(columns, canonical)
        self._renewals(columns, cells, path)
        self._source(columns, "segment")
        self._source(columns, "nps")
        self._health(columns, cells, path)
        self._source(columns, "risk")

    def _owner(self, columns, cells, roster, path) -> None:
        if "csm_id" not in columns:
            return
        header = columns["csm_id"]
        owners = nonblank(cells[header])
        distinct = list(pd.unique(owners))
        self.owners = {folded(o) for o in distinct} | set(distinct)
        if roster is None:
            self.entry(6, "csm_id", header, "no roster to match names against")
            return
        ids, names = roster
        if not distinct or owners.isin(set(ids)).mean() >= 0.5:
            self.entry(6, "csm_id", header, "the cells are the roster's ids")
            return
        by_name: dict[str, list[str]] = {}
        for person_id, name in zip(ids, names):
            # Names compared exactly as the loader's match: name compares them, so an exact match here is one there.
            people = by_name.setdefault(folded(name), [])
            if person_id not in people:  # a roster with a row per quarter repeats each person
                people.append(person_id)
        aliases, open_names = {}, []
        for owner in distinct:
            key = folded(owner)
            if len(by_name.get(key, [])) == 1:
                continue
            if len(by_name.get(key, [])) > 1:
                open_names.append(f"{owner!r} is the name of {len(by_name[key])} roster people "
                                  f"({', '.join(by_name[key])})")
                continue
            close = difflib.get_close_matches(key, list(by_name), n=2, cutoff=0.75)
            scores = [difflib.SequenceMatcher(None, key, c).ratio() for c in close]
            if close and len(by_name[close[0]]) == 1 and (len(close) == 1 or scores[0] - scores[1] >= 0.1):
                aliases[owner] = by_name[close[0]][0]
            else:
                near = ", ".join(names[ids.index(by_name[c][0])] for c in close)
                open_names.append(f"{owner!r} matches no roster name "
                                  + (f"(closest: {near})" if near else "and none is close"))
        source: dict = {"column": header, "match": "name"}
        if aliases:
            source["aliases"] = aliases
        matched = len(distinct) - len(aliases) - len(open_names)
        comment = f"the cells are names: {matched} of {len(distinct)} match the roster's exactly"
        if aliases:
            comment += "; aliases: the closest roster name, for " + ", ".join(
                f"{k!r} -> {names[ids.index(v)]}" for k, v in aliases.items())
        self.entry(6, "csm_id", source, comment)
        for problem in open_names:
            self.comment(6, f"UNDECIDED: {problem}: add it to aliases with the person's id")
            self.undecided.append(Undecided(f"{path}.csm_id.aliases", problem))

    def _renewals(self, columns, cells, path) -> None:
        for canonical in ("renewal_due", "renewed"):
            self._source(columns, canonical)
        if "_status" not in columns or ("renewal_due" in columns and "renewed" in columns):
            return
        header = columns["_status"]
        words = [""] + [w for w in pd.unique(cells[header].astype(str).str.strip()) if w != ""]
        due, renewed, unknown = {}, {}, []
        for word in words:
            for pattern, (is_due, is_renewed) in STATUS_WORDS:
                if re.search(pattern, word, re.IGNORECASE):
                    break
            else:
                is_due, is_renewed = "yes", "no"
                unknown.append(word)
            due[word], renewed[word] = is_due, is_renewed
        self.entry(6, "renewal_due", {"column": header, "values": due},
                   "a status means a renewal fell due; blank means none")
        self.entry(6, "renewed", {"column": header, "values": renewed},
                   "Renewed and Downgraded renewed (a downgrade is a smaller renewal); Churned did not")
        if unknown:
            problem = f"status {', '.join(map(repr, unknown))} written as due and not renewed"
            self.comment(6, f"UNDECIDED: {problem}: correct both maps if that is wrong")
            self.undecided.append(Undecided(f"{path}.renewed.values", problem))

    def _health(self, columns, cells, path) -> None:
        if "health" not in columns:
            return
        header = columns["health"]
        values = nonblank(cells[header])
        numeric = pd.to_numeric(values.str.replace(r"[%\s]", "", regex=True), errors="coerce")
        if numeric.notna().all():
            self.entry(6, "health", header, "numbers" if not values.empty else "the column is blank")
            return
        words = list(pd.unique(values[numeric.isna()]))
        mapped = {w: RAG_SCORES[w.lower()] for w in words if w.lower() in RAG_SCORES}
        unknown = [w for w in words if w.lower() not in RAG_SCORES]
        self.entry(6, "health", {"column": header, "values": mapped},
                   undecided="the numbers for the RAG words are a choice (Green 85, Yellow/Amber 60, Red 30): "
                   "confirm or change them", path=f"{path}.health.values")
        if unknown:
            self.comment(6, f"UNDECIDED: {', '.join(map(repr, unknown))} has no number: add it to the values")
            self.undecided.append(Undecided(f"{path}.health.values", f"no number for {', '.join(map(repr, unknown))}"))

    def _roster_people(self, export: Export | None):
        """The roster's (ids, names) of the rows a keep filter would keep; computed before the filter
        is written, so the owners' profiles are known: all rows here, narrowed in _roster_columns."""
        if export is None:
            return None
        columns = match_columns(export.headers, "roster")
        if "csm_id" not in columns or "name" not in columns:
            return None
        ids = export.cells[columns["csm_id"]].astype(str).str.strip().tolist()
        names = export.cells[columns["name"]].astype(str).str.strip().tolist()
        return ids, names

    def _roster_columns(self, export, columns, cells, roster_names, path) -> None:
        self._source(columns, "csm_id")
        self._source(columns, "name")
        if "segment" in columns:
            self._source(columns, "segment")
        else:
            self.entry(6, "segment", {"value": "All"}, "the roster has no segment column: every CSM in one "
                       "segment, All; a plan with targets by segment needs a segment per CSM")
        for canonical in ("team", "quarter", "annual_base", "annual_variable", "start_date", "end_date",
                          "effective_date"):
            self._source(columns, canonical)
        self._source(columns, "currency", _CURRENCY_COMMENT)

    def _payouts_columns(self, export, columns, cells, roster_names, path) -> None:
        if "quarter" in columns or "_pay_date" not in columns:
            self._quarter(export, columns, cells, path)
        else:
            self._pay_quarter(export, columns, cells, path)
        self._source(columns, "csm_id")
        self._source(columns, "amount")
        self._source(columns, "currency", _CURRENCY_COMMENT)
        if "component" in columns:
            self._components(columns, cells)

    def _pay_quarter(self, export, columns, cells, path) -> None:
        header = columns["_pay_date"]
        values = nonblank(cells[header])
        style, _why, _decided = date_convention(values)
        formats = {"YYYY-MM-DD": "%Y-%m-%d", "MM/DD/YYYY": "%m/%d/%Y", "DD/MM/YYYY": "%d/%m/%Y",
                   "DD.MM.YYYY": "%d.%m.%Y"}
        chosen = self.date_styles.get("payouts", style)
        dates = pd.to_datetime(values, format=formats.get(chosen or "", "%Y-%m-%d"), errors="coerce").dropna()
        months = list(pd.unique(dates.sort_values().dt.strftime("%b")))
        source = {"column": header, "from": "date", "paid_months_after": 1}
        if self.fiscal:
            found = fiscal_evidence(dates.to_numpy(), pay_dates=True)
            if found is not None:
                self.fiscal_evidence = (found, header)
                self.entry(6, "quarter", source, f"every pay date is {found.seen()}, the day after a quarter "
                           "closes: 1 month back is the quarter that closed")
                return
            self.entry(6, "quarter", source, f"pay dates in {', '.join(months)}",
                       undecided="months between a fiscal quarter's close and its pay date: 1 is a guess, "
                       "the fiscal year's first month decides it", path=f"{path}.quarter.paid_months_after")
            return
        lag = payroll_lag(dates, self.quarters) if self.quarters and not dates.empty else None
        if lag is None:
            self.entry(6, "quarter", source, f"pay dates in {', '.join(months) or 'no readable date'}",
                       undecided="how many months after a quarter closes is its bonus paid? 1 is a guess",
                       path=f"{path}.quarter.paid_months_after")
            return
        source["paid_months_after"] = lag[0]
        self.entry(6, "quarter", source, f"pay dates in {', '.join(months)}; {lag[0]} month{'s' * (lag[0] != 1)} "
                   f"back, {lag[1]}")

    def _components(self, columns, cells) -> None:
        header = columns["component"]
        codes = cells[header].astype(str).str.strip()
        descriptions = cells[columns["_description"]].astype(str).str.strip() if "_description" in columns else codes
        values = {}
        for code in pd.unique(codes):
            text = f"{code} {descriptions[codes == code].mode().iloc[0]}".lower()
            values[code] = ("spiff" if "spif" in text else "clawback" if "claw" in text
                            else "discretionary" if "discretion" in text else "")
        self.entry(6, "component", {"column": header, "values": values},
                   "the plan's own bonus has no component (reconcile compares it with the plan's total); "
                   "SPIFs and clawbacks are payments outside the plan")

    def _quotas_columns(self, export, columns, cells, roster_names, path) -> None:
        self._quarter(export, columns, cells, path)
        for canonical in ("csm_id", "component", "target"):
            self._source(columns, canonical)
