"""Writing the guessed data map: YAML text with a comment on every guess saying why, and an UNDECIDED mark
on each choice a person must make.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from cscomp_cli.core.quarters import FiscalEvidence
from cscomp_cli.core.text import folded
from cscomp_cli.inputs.datamap import ANNUAL, REQUIRED, monthly_word
from cscomp_cli.inputs.files import DATA_DOC
from cscomp_cli.inputs.guessing.classify import (
    Export,
    recognition,
    table_score,
)
from cscomp_cli.inputs.guessing.conventions import (
    ambiguous_number,
    date_convention,
    label_ordinal,
    nonblank,
    number_convention,
    quarter_labels,
    whole_column,
)
from cscomp_cli.inputs.guessing.map_accounts import AccountColumns, People
from cscomp_cli.inputs.guessing.map_payouts import PayoutColumns
from cscomp_cli.inputs.guessing.map_recognised import RecognisedColumns
from cscomp_cli.inputs.guessing.reading import comment_text, files_value
from cscomp_cli.inputs.guessing.undecided import Undecided
from cscomp_cli.inputs.guessing.words import (
    AMOUNT_COLUMNS,
    BONUS_CODES,
    CSM_PROFILE,
    DATE_COLUMNS,
    NOT_A_BOOK,
    NOT_PLAN_PAY,
    TABLE_ORDER,
    ZERO_TOKENS,
)

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.()'-]*")

_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "none", "nan", "inf"}

# A currency column is read, not trusted: every code in it must be its row's currency (engine/currencies.py).
_CURRENCY_COMMENT = f"each row's currency (ISO 4217); every code must be the plan's currency, see {DATA_DOC}"


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


class MapWriter(AccountColumns, PayoutColumns, RecognisedColumns):
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
        self.found = None  # the recognition of the export being written (classify.recognition)
        self.depth = 0  # extra indent of a table's keys (2 for the roster's history)
        self.scales: dict[str, tuple[int, str]] = {}  # canonical -> (factor, why) for the table being written
        self.email_wanted = False  # an owner column matched by e-mail: the roster maps its e-mail column
        self.also_read: set[str] = set()  # headers a table reads beyond its columns' own (the roster's segment)

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
                if table == "roster" and "history" in chosen:
                    self._history(chosen["history"])
            elif table in ("accounts", "roster"):
                self.comment(2, f"UNDECIDED: no export here looks like the {table} table (see {DATA_DOC})")
                self.undecided.append(Undecided(f"tables.{table}", f"no export here looks like the {table} table; "
                                                f"add it and declare it here"))
        if "fx" in chosen:
            self._fx(chosen["fx"])
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
        self.found = recognition(export, table)
        base = f"tables.{table}"
        # A header that says monthly (Expansion MRR) is never mapped to an annual amount: a month read as a
        # year is 12 times too small, and a comment alone is easy to run past. Left for a person (a
        # required column unmapped stops every command until they decide), said below.
        monthly = {c: h for c, h in columns.items() if c in ANNUAL.get(table, ()) and monthly_word(h)}
        # ... unless its cells say monthly too (×12 is the ARR beside it, or MRR-sized amounts): then
        # scale: 12, with that evidence.
        self.scales = {c: (12, why) for c, h in monthly.items() if (why := self._monthly_scale(export, c, h))}
        # Movements beside a column shown to be MRR share its unit (mostly zero, their own cells cannot show it).
        shown = next((monthly[c] for c in self.scales), None)
        for canonical, header in monthly.items():
            if shown is not None and canonical not in self.scales and re.search(r"(?i)\bmrr\b", header):
                self.scales[canonical] = (12, f"'{header}' is MRR like '{shown}' beside it (shown monthly by its "
                                          "amounts): scale 12 reads it as annual")
        monthly = {c: h for c, h in monthly.items() if c not in self.scales}
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
        left = self._open_choices(base + ".columns")
        unread = [h for h in export.headers if h not in columns.values() and h not in self.also_read
                  and h not in (self.found.join or []) and not any(h in hs for hs in self.found.open.values())]
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
            if canonical in columns or canonical in monthly or canonical in left or canonical == "quarter" or (
                    table == "roster" and canonical == "segment") or (canonical == "name" and self.found.join) or (
                    table == "roster" and canonical in ("annual_base", "annual_variable") and "history" in chosen):
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
                self.entry(4 + self.depth, "numbers", "auto", "the amounts are numbers in the file, not text")
            return
        cells = pd.concat([nonblank(export.cells[h]) for h in amounts], ignore_index=True)
        style, why = number_convention(cells)
        if style is not None:
            self.numbers_seen[table] = style
            self.entry(4 + self.depth, "numbers", style, why)
            return
        if why:  # mixed
            self.entry(4 + self.depth, "numbers", "auto", why, undecided="which convention do the amounts use?",
                       path=f"{base}.numbers")
            return
        ambiguous = ambiguous_number(cells)
        if ambiguous is None:
            self.entry(4 + self.depth, "numbers", "auto", "only whole numbers without separators: either convention reads them")
        elif export.delimiter == ",":
            self.numbers_seen[table] = "1,234.56"
            self.entry(4 + self.depth, "numbers", "1,234.56", f"a comma-separated file: {ambiguous!r} groups thousands")
        else:
            others = set(self.numbers_seen.values())
            if len(others) == 1:
                style = others.pop()
                self.entry(4 + self.depth, "numbers", style, f"{ambiguous!r} reads both ways; the other exports use {style}")
            else:
                self.entry(4 + self.depth, "numbers", "auto", f"{ambiguous!r} reads both ways and nothing here settles it",
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
            self.entry(4 + self.depth, "dates", style, why)
            return
        european = self.numbers_seen.get(table, next(iter(self.numbers_seen.values()), "1,234.56")) != "1,234.56"
        if style is None and "both ways" in why:
            style = self.date_styles[table] = "DD/MM/YYYY" if european else "MM/DD/YYYY"
            self.entry(4 + self.depth, "dates", style, f"{why}; {style} matches the amounts' convention",
                       undecided=f"confirm the date format ({'DD/MM/YYYY' if style[0] == 'M' else 'MM/DD/YYYY'} "
                       "is the other reading)", path=f"{base}.dates")
        else:
            self.entry(4 + self.depth, "dates", "auto", why, undecided="write the date format of "
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
            self.entry(4 + self.depth, "zero", found, f"{shown} cells in {', '.join(amounts)} read as 0")

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
            # A spot award or a referral bonus is pay outside the plan, unless its text also says incentive
            # (SPIF, "Spot Incentive") or bonus.
            outside = described.str.contains(NOT_PLAN_PAY, case=False, regex=True) & ~described.str.contains(
                r"spif|incent|commis|bonus|variable", case=False, regex=True)
            bonus = described.str.contains(BONUS_CODES, case=False, regex=True) & ~outside
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
        if canonical in self.scales and canonical in columns:
            factor, why = self.scales[canonical]
            self.entry(6, canonical, {"column": columns[canonical], "scale": factor}, why)
        elif canonical in columns:
            self.entry(6, canonical, columns[canonical], comment or self._evidence(canonical))

    def _quarter(self, export: Export, columns: dict[str, str], cells: pd.DataFrame, path: str) -> list[str]:
        """The quarter: a label column, else the file names; returns the labels seen."""
        if "quarter" in columns:
            labels, fiscal = quarter_labels(cells[columns["quarter"]])
            self.fiscal |= fiscal
            shown = ", ".join(labels[:4]) + (", ..." if len(labels) > 4 else "")
            self.entry(6, "quarter", columns["quarter"], f"labels {shown}")
            return labels
        snapshot = columns.get("_snapshot")
        if snapshot is not None:
            return self._snapshot_quarter(export, snapshot, cells, path)
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
        for canonical in ("arr_start", "new_arr", "expansion", "cross_sell", "contraction", "churn", "arr_end"):
            self._source(columns, canonical)
        self._renewals(columns, cells, path)
        self._source(columns, "segment")
        self._source(columns, "nps")
        self._health(columns, cells, path)
        self._source(columns, "risk")

    def _roster_people(self, export: Export | None):
        """The roster's (ids, names) of the rows a keep filter would keep; computed before the filter
        is written, so the owners' profiles are known: all rows here, narrowed in _roster_columns."""
        if export is None:
            return None
        found = recognition(export, "roster")
        columns = found.columns
        if "csm_id" not in columns or ("name" not in columns and not found.join):
            return None
        cells = export.cells
        ids = cells[columns["csm_id"]].astype(str).str.strip().tolist()
        parts = [columns["name"]] if "name" in columns else found.join
        joined = cells[parts[0]].astype(str).str.strip()
        for part in parts[1:]:
            joined = (joined + " " + cells[part].astype(str).str.strip()).str.strip()
        email = columns.get("email")
        emails = cells[email].astype(str).str.strip().tolist() if email else None
        return People(ids, joined.tolist(), emails, email)

    def _roster_columns(self, export, columns, cells, roster_names, path) -> None:
        self._source(columns, "csm_id")
        self._source(columns, "name")
        if "name" not in columns and self.found.join:
            self.entry(6, "name", {"join": self.found.join}, self._evidence("name"))
        if "email" in columns:
            self._source(columns, "email", (f"'{columns['email']}': the work e-mails the accounts' owner cells are "
                         "matched to (match: email)") if self.email_wanted else None)
        segment_from = None
        if "segment" in columns:
            self._source(columns, "segment")
        elif (found := self._segment_in(export, columns, cells)) is not None:
            segment_from, source, why = found
            self.also_read.add(segment_from)
            self.entry(6, "segment", source, why)
            if segment_from in self.found.open.get("team", []):
                del self.found.open["team"]  # the column is the segment, not a team left to decide
        else:
            self.entry(6, "segment", {"value": "All"}, "the roster has no segment column: every CSM in one "
                       "segment, All; a plan with targets by segment needs a segment per CSM")
        team = columns.get("team")
        if team is not None and team != segment_from and nonblank(export.cells[team]).nunique() > 1:
            self._source(columns, "team")
        for canonical in ("quarter", "annual_base", "annual_variable", "start_date", "end_date", "effective_date"):
            self._source(columns, canonical)
        self._source(columns, "currency", _CURRENCY_COMMENT)

    def _quotas_columns(self, export, columns, cells, roster_names, path) -> None:
        self._quarter(export, columns, cells, path)
        for canonical in ("csm_id", "component", "target"):
            self._source(columns, canonical)
