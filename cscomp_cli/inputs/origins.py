"""Where a table's rows came from (a canonical CSV, or a data map's exports), so every message names the
file, the line (or sheet row) and the column a person can open."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class Origin:
    """Where a table's rows were read from, so a message names the file, line and column a person can open.

    A canonical CSV's row key is its line. A table read through the data map numbers its rows 1, 2, …
    across all its export files; ``lines`` turns that key back into the export's own line (or sheet
    row), ``headers`` a cscomp column back into the export's header.
    """

    path: Path | str
    files: tuple[Path, ...] = ()
    starts: tuple[int, ...] = ()  # the row key of each file's first row
    lines: np.ndarray | None = None
    headers: dict[str, str] = field(default_factory=dict)
    places: tuple[str, ...] = ()  # per file: "line" (CSV), "sheet Accounts, row" or "row" (Parquet)
    zero_key: str | None = None  # a table read through a data map: its key listing the cells that mean 0
    # A data map's scale: amount column -> the factor its cells are multiplied by once parsed (MRR × 12).
    scales: dict[str, float] = field(default_factory=dict)
    # A table joined from two exports (a roster's worker list and its pay history), per file: the headers
    # and scales of the export that file belongs to; and the columns some rows take from another row
    # (``lent``) with, per row key, the key of the row whose cells they show (``lenders``), so a message
    # about a worker's name on a history row names the worker list's line.
    part_headers: tuple[dict[str, str], ...] = ()
    part_scales: tuple[dict[str, float], ...] = ()
    lent: frozenset[str] = frozenset()
    lenders: np.ndarray | None = None

    def _part(self, key: int) -> int:
        return bisect.bisect_right(self.starts, key) - 1

    def file(self, key: int | None = None) -> Path | str:
        """The file holding row ``key`` (the table's path when the row is not known)."""
        if not self.files:
            return self.path
        if key is None or len(self.files) == 1:
            return self.files[0] if len(self.files) == 1 else self.path
        return self.files[max(self._part(int(key)), 0)]

    def place(self, key: int) -> str:
        """'line 7' (or 'sheet Accounts, row 7'): row ``key`` as its file shows it."""
        if self.lines is None:
            return f"line {int(key)}"
        part = max(self._part(int(key)), 0)
        return f"{self.places[part]} {self.number(key)}"

    def number(self, key: int) -> int:
        """Row ``key``'s line (or sheet row) as its own file numbers it, header line 1: what place() shows.
        A table read through a data map keys its rows 1, 2, … across its exports, not by their lines."""
        return int(key) if self.lines is None else int(self.lines[int(key) - 1])

    def column(self, name: str, key: int | None = None) -> str:
        """The export's header for a cscomp column (of row ``key``'s export, when a table joins two)."""
        if key is not None and self.part_headers:
            shown = self.shown(key, name)
            own = self.part_headers[max(self._part(shown), 0)]
            return own.get(name, self.headers.get(name, name))
        return self.headers.get(name, name)

    def shown(self, key: int, column: str | None = None) -> int:
        """The row whose cell a message about row ``key``'s ``column`` points at: its own, or the row it
        took that column from (a history row's worker name, from the worker list)."""
        if column is not None and self.lenders is not None and column in self.lent:
            return int(self.lenders[int(key) - 1])
        return int(key)

    def scale(self, column: str, keys: np.ndarray):
        """The factor each row's amounts of ``column`` are multiplied by (a number, one per row when the
        table joins two exports), or None when the map scales none."""
        if self.part_scales:
            if not any(column in part for part in self.part_scales):
                return None
            factors = np.array([part.get(column, 1.0) for part in self.part_scales], dtype="float64")
            parts = np.searchsorted(np.asarray(self.starts), np.asarray(keys, dtype="int64"), side="right") - 1
            return factors[np.maximum(parts, 0)]
        return self.scales.get(column)

    def describe(self, key: int) -> str:
        """'payouts.csv line 7', or 'payroll.xlsx sheet Earnings, row 7': a row as a person finds it."""
        return f"{Path(self.file(key)).name} {self.place(key)}"

    def location(self, key: int, column: str | None = None) -> str:
        where = self.place(self.shown(key, column))
        return f"{where}, column {self.column(column, key)}" if column else where

    def at(self, key: int, column: str | None = None) -> dict:
        """file= and location= for an error about row ``key`` (and ``column``)."""
        return {"file": self.file(self.shown(key, column)), "location": self.location(key, column)}

    def header(self) -> dict:
        """file= and location= for an error about the header."""
        first = self.places[0] if self.places else "line"
        return {"file": self.file(1) if self.files else self.path,
                "location": "line 1" if first == "line" and self.lines is None else "header"}


@dataclass(frozen=True, eq=False)
class Staged:
    """A table the data map has read from the org's exports: canonical columns as text, ready to validate."""

    table: pd.DataFrame  # trimmed text cells under cscomp's column names, and the row key in ``line``
    origin: Origin
    decimal: str | None = None  # the map's number style; None works it out from the cells
    delimiter: str = ","
    left_out: dict[str, int] = field(default_factory=dict)  # rows the map's rows filter left out, by value
