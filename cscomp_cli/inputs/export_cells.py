"""An export's cells as the data map reads them: trimmed Arrow text, tested and translated in vectorised
passes (a million cells, not a Python call each), with where each row came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cscomp_cli.inputs.files import (
    Origin,
)

# Export cells are kept as Arrow strings, as the CSV reader (inputs/csv_reading.py) leaves them, so a million cells are
# compared, matched and parsed in vectorised passes rather than one Python call each.
ARROW_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def as_text(cells: pd.Series) -> pd.Series:
    """Cells as trimmed Arrow strings, blanks as ''."""
    return cells.astype(ARROW_TEXT).fillna("").str.strip()


def holds_pattern(text: pd.Series, pattern: str) -> pd.Series:
    """Which cells match an RE2 pattern, by pyarrow (pandas would fall back to Python's re per cell)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.match_substring_regex(pa.array(text.array), pattern)
    return pd.Series(pc.fill_null(found, False).to_numpy(zero_copy_only=False), index=text.index)


def extract_pattern(text: pd.Series, pattern: str) -> pd.DataFrame:
    """The named groups of an RE2 pattern in each cell, by pyarrow: None where the cell does not match
    or a group took no part (every group of the patterns read here matches at least one character)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.extract_regex(pa.array(text.astype(object).array, pa.string()), pattern)
    groups = {}
    for group in found.type:
        part = pc.struct_field(found, group.name)
        part = pc.if_else(pc.equal(part, ""), pa.scalar(None, pa.string()), part)
        groups[group.name] = pd.Series(part.to_numpy(zero_copy_only=False), index=text.index, dtype=object)
    return pd.DataFrame(groups, index=text.index)


def per_distinct(values: pd.Series, translate) -> pd.Series:
    """``translate`` applied once per distinct value (a column holds few), then spread back to the rows."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    translated = np.array([translate(str(v)) for v in distinct], dtype=object)
    return pd.Series(translated[codes] if len(distinct) else np.array([], dtype=object), index=values.index,
                     dtype=object)


@dataclass
class ExportCells:
    """One table's export cells: text under the export's own headers, and where each row came from."""

    cells: pd.DataFrame  # the referenced columns, trimmed text; the row key in "line"
    origin: Origin
    delimiter: str
    header: tuple[str, ...] = ()  # the (first) file's whole header, as written
    # header -> which rows (by row key) held a real date cell, read whatever the map's text date style
    dated: dict[str, pd.Series] = field(default_factory=dict)


@dataclass
class FileCells:
    """One export file as a reader gives it: the cells of the columns the map names, under the header's
    spelling (trimmed), each row's line or sheet row, the whole header, and which cells were real dates
    (a workbook's date cells, a Parquet date column), which no text date style applies to."""

    cells: pd.DataFrame
    lines: np.ndarray
    place: str  # "line", "sheet Accounts, row" or "row"
    header: tuple[str, ...]
    dated: dict[str, np.ndarray] = field(default_factory=dict)  # header -> which rows hold a real date
