"""Which export is which table: each export's headers matched to cscomp's columns through the names real
tools use, and every table given the export whose headers fit it best.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from cscomp_cli.inputs.guessing.words import (
    CORE_COLUMNS,
    SYNONYMS,
    TABLE_ORDER,
)


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
    """Every header name init knows (the canonical names and their synonyms), as compared."""
    return frozenset(header_key(name) for columns in SYNONYMS.values() for names in columns.values() for name in names)


def header_key(text: str) -> str:
    """A header or a name as compared: no accents, case or punctuation, single spaces."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def match_columns(headers: list[str], table: str) -> dict[str, str]:
    """Canonical (or helper) column -> the export header feeding it: exact synonyms, then close ones."""
    normalised = {header_key(h): h for h in reversed(headers)}
    found: dict[str, str] = {}
    used: set[str] = set()
    for exact in (True, False):
        for canonical, names in SYNONYMS[table].items():
            if canonical in found:
                continue
            for name in names:
                if exact:
                    header = normalised.get(name)
                else:
                    close = difflib.get_close_matches(name, [n for n in normalised if normalised[n] not in used],
                                                      n=1, cutoff=0.88)
                    header = normalised[close[0]] if close else None
                if header is not None and header not in used:
                    found[canonical] = header
                    used.add(header)
                    break
    return found


def table_score(export: Export, table: str) -> tuple[float, dict[str, str]]:
    columns = match_columns(export.headers, table)
    if not all(c in columns for c in CORE_COLUMNS[table]):
        return 0.0, columns
    return len(columns) / len(SYNONYMS[table]) + len(columns) * 0.01, columns


def classify_exports(exports: list[Export]) -> dict[str, Export]:
    """Each table gets the export whose header fits it best (an export feeds one table)."""
    pairs = sorted(((score, -i, table) for i, export in enumerate(exports) for table in TABLE_ORDER
                    for score in [table_score(export, table)[0]] if score > 0), reverse=True)
    chosen: dict[str, Export] = {}
    taken: set[int] = set()
    for _score, negative_index, table in pairs:
        if table not in chosen and -negative_index not in taken:
            chosen[table] = exports[-negative_index]
            taken.add(-negative_index)
    return {table: chosen[table] for table in TABLE_ORDER if table in chosen}


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
