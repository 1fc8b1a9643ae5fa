"""The file formats cscomp reads its inputs from, by extension: one table for the loader, the data map
and `cscomp init`, so that every part that looks for exports finds the same files."""

from __future__ import annotations

from pathlib import Path

# Extension (lower case) -> how the file is read. A .txt export is comma- or semicolon-separated text
# like a .csv; .tab is tab-separated like .tsv; .xlsm is a workbook with macros, read like .xlsx.
EXPORT_FORMATS = {
    ".csv": "csv", ".txt": "csv",
    ".tsv": "tsv", ".tab": "tsv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".parquet": "parquet", ".pq": "parquet",
}


def export_format(path: Path | str) -> str | None:
    """csv, tsv, xlsx or parquet for a file cscomp can read as an export; None for any other file."""
    return EXPORT_FORMATS.get(Path(path).suffix.lower())
