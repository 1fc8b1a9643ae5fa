"""Which export is which table: each export's headers matched to cscomp's columns through the names real
tools use, and every table given the export whose headers fit it best.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pandas as pd

from cscomp_cli.inputs.guessing.recognition import (
    EXTRA_SYNONYMS,
    Recognition,
    column_profiles,
    recognise,
)
from cscomp_cli.inputs.guessing.words import (
    CORE_COLUMNS,
    EXTRA_TABLES,
    SYNONYMS,
    TABLE_ORDER,
    header_key,
)

# A compensation history has an effective date and an FX sheet a rate: columns no roster or account
# report has, so an export that has them is that table before it is a roster.
BONUS = {"history": 0.5, "fx": 0.5}


@dataclass
class Export:
    """One export (or a group of files with one header) as read for guessing."""

    files: list[str]
    format: str
    cells: pd.DataFrame  # text cells under the export's own header (first SAMPLE_ROWS rows)
    typed: set[str] = field(default_factory=set)  # spreadsheet columns holding real numbers or dates
    sheet: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    notes: dict[str, str] = field(default_factory=dict)  # map key -> the reason for its value
    name_labels: list[str | None] = field(default_factory=list)  # a quarter label in each file's name
    header_row: int = 1  # the file's (or sheet's) row holding the header; 1 unless title rows come first
    titles: list[str] = field(default_factory=list)  # the text of the rows above the header

    @property
    def headers(self) -> list[str]:
        return [str(h) for h in self.cells.columns]


@functools.cache
def known_headers() -> frozenset[str]:
    """Every header name init knows (the canonical names, their synonyms and the tools' defaults), as compared."""
    from cscomp_cli.inputs.guessing.vocabulary.registry import tools

    own = {header_key(name) for columns in SYNONYMS.values() for names in columns.values() for name in names}
    return frozenset(own | {header_key(h.lstrip("~")) for t in tools() for hs in t.columns.values() for h in hs})


def match_columns(headers: list[str], table: str, cells: pd.DataFrame | None = None) -> dict[str, str]:
    """Canonical (or helper) column -> the export header feeding it, by name and (given cells) by what the
    cells hold; columns left open (two equal candidates) are not in it: see recognition.recognise."""
    return recognise(headers, cells, table).columns


def recognition(export: Export, table: str) -> Recognition:
    """The export read as table (computed once per export and table)."""
    cache = export.__dict__.setdefault("_recognised", {})
    if table not in cache:
        if "_profiles" not in export.__dict__:
            export.__dict__["_profiles"] = column_profiles(export.cells)
        cache[table] = recognise(export.headers, export.cells, table, export.__dict__["_profiles"])
    return cache[table]


def table_score(export: Export, table: str) -> tuple[float, dict[str, str]]:
    """How well the export fits table (0 when a column that makes the table is missing), and its columns.
    A column left open between two headers still counts as present: the table is recognised, the
    column is a person's choice."""
    found = recognition(export, table)
    columns = found.columns
    present = set(columns) | set(found.open) | ({"name"} if found.join else set())
    if not all(c in present for c in CORE_COLUMNS[table]):
        return 0.0, columns
    size = len(SYNONYMS.get(table) or EXTRA_SYNONYMS[table])
    return len(present) / size + len(present) * 0.01 + BONUS.get(table, 0.0), columns


def classify_exports(exports: list[Export]) -> dict[str, Export]:
    """Each table gets the export whose header fits it best (an export feeds one table). An export read
    as a compensation history is one only beside a worker list it joins to: alone, names with pay and
    effective dates are the roster itself (its Effective Date the roster's effective_date)."""
    barred: set[tuple[int, str]] = set()
    while True:
        chosen = _best_fits(exports, barred)
        history = chosen.get("history")
        if history is None or joins(history, chosen.get("roster")):
            return chosen
        barred.add((next(i for i, e in enumerate(exports) if e is history), "history"))


def _best_fits(exports: list[Export], barred: set[tuple[int, str]]) -> dict[str, Export]:
    """The greedy assignment: the best-scoring (export, table) pairs first, each export and table once."""
    pairs = sorted(((score, -i, table) for i, export in enumerate(exports) for table in TABLE_ORDER + EXTRA_TABLES
                    if (i, table) not in barred
                    for score in [table_score(export, table)[0]] if score > 0), reverse=True)
    chosen: dict[str, Export] = {}
    taken: set[int] = set()
    for _score, negative_index, table in pairs:
        if table not in chosen and -negative_index not in taken:
            chosen[table] = exports[-negative_index]
            taken.add(-negative_index)
    return {table: chosen[table] for table in TABLE_ORDER + EXTRA_TABLES if table in chosen}


def _people(export: Export, table: str, columns: tuple[str, ...]) -> set[str]:
    """The distinct cells (as compared) of the export's columns that name a person in table."""
    found = recognition(export, table)
    headers = [found.columns[c] for c in columns if c in found.columns]
    headers += [h for c in columns for h in found.open.get(c, [])]
    cells = [export.cells[h].astype(str).str.strip() for h in dict.fromkeys(headers) if h in export.cells]
    return {header_key(v) for column in cells for v in column.unique() if header_key(v)}


def joins(history: Export, roster: Export | None) -> bool:
    """Whether a compensation history joins to the worker list: most of the people it names (by id or
    by name) are the roster's."""
    if roster is None:
        return False
    named = _people(history, "history", ("csm_id",))
    known = _people(roster, "roster", ("csm_id", "name"))
    return bool(named) and len(named & known) * 2 >= len(named)


def rivals(exports: list[Export], chosen: dict[str, Export]) -> dict[str, list[Export]]:
    """Per table, the exports init did not take that fit it too (two account reports in one folder):
    a person must know the map reads only one of them."""
    taken = {id(export) for export in chosen.values()}
    found: dict[str, list[Export]] = {}
    for table, export in chosen.items():
        for other in exports:
            if id(other) not in taken and table_score(other, table)[0] > 0:
                found.setdefault(table, []).append(other)
    return found
