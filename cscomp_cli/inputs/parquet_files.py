"""Reading a Parquet export: only the columns the data map names (matched as a header is, trimmed and in
any case), its metadata checked against a stated budget before a byte of data is decoded, dictionary
columns measured before they are expanded, and every Arrow failure said as a message about the file.

A Parquet file is a few KB of metadata over compressed pages, so its size on disk says nothing of what it
takes to read: 5,000 row groups × 2,000 columns, or one 1 MB text repeated by a dictionary on 8,000 rows
(8 GB decoded, 50 KB on disk), used to end in ArrowMemoryError or the process being killed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import DataError
from cscomp_cli.inputs.export_cells import FileCells, as_text
from cscomp_cli.inputs.export_headers import named_columns, refuse_repeated
from cscomp_cli.inputs.files import DATA_DOC, MAX_FILE_BYTES, read_binary

# The budget (docs/data.md, "How large a workbook or Parquet file can be"):
MAX_FOOTER_BYTES = 64 << 20  # the metadata at the end of the file, parsed before anything else
MAX_COLUMN_CHUNKS = 500_000  # row groups × columns: each is a piece of metadata held in memory
MAX_CELLS = 50_000_000  # rows × the columns the map names (2.5 M rows × 20 columns)
MAX_TEXT_BYTES = MAX_FILE_BYTES  # the text of the columns read, decoded: as large as the largest CSV read
_SMALLER = ("export only the columns the data map names, or fewer rows (one file per quarter, matched by a glob in "
            f"files:); see {DATA_DOC}")


def read_parquet(path: Path, wanted: list[str]) -> FileCells:
    """The file's cells under the columns of ``wanted`` (the header spellings the map names)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    content = read_binary(path)
    _check_footer(content.getbuffer(), path)
    try:
        parquet = pq.ParquetFile(content)
        meta = parquet.metadata
        chunks = meta.num_row_groups * meta.num_columns
        if chunks > MAX_COLUMN_CHUNKS:
            raise DataError(f"has {meta.num_row_groups:,} row groups × {meta.num_columns:,} columns = {chunks:,} "
                            f"column chunks, more than the {MAX_COLUMN_CHUNKS:,} cscomp reads", file=path,
                            location="header", hint="write it again with larger row groups (row_group_size) and "
                            f"only the columns the map names; {_SMALLER}")
        names = [str(n) for n in parquet.schema_arrow.names]
        refuse_repeated(names, wanted, path, "header")
        read = [names[i] for i in named_columns(names, wanted)]
        _check_sizes(meta, read, path)
        dictionaries = _dictionary_columns(meta, read, parquet.schema_arrow)
        content.seek(0)
        arrow = pq.read_table(content, columns=read, read_dictionary=dictionaries or None)
        for name in dictionaries:
            _check_decoded(arrow[name], name, path)
        columns, dated = {}, {}
        for name, column in zip(arrow.column_names, arrow.columns):
            columns[name.strip()] = as_text(pc.fill_null(_text(column), "").to_pandas())
            if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
                dated[name.strip()] = column.is_valid().to_numpy(zero_copy_only=False)
    except pa.ArrowMemoryError as exc:
        raise DataError(f"is more than this computer's memory can read ({exc})", file=path, hint=_SMALLER) from None
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"cannot be read as Parquet ({exc})", file=path, hint="export the table again") from None
    cells = pd.DataFrame(columns, index=pd.RangeIndex(arrow.num_rows))
    header = tuple(n.strip() for n in names)
    return FileCells(cells, np.arange(len(cells), dtype="int64") + 1, "row", header, dated)


def parquet_sample(path: Path, rows: int):
    """The first ``rows`` rows of a Parquet file, for `cscomp init` to guess from, within the same budget:
    its metadata checked first, and a text column too large to be a table's column (a dictionary of huge
    texts) left out."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    content = read_binary(path)
    _check_footer(content.getbuffer(), path)
    parquet = pq.ParquetFile(content)
    meta = parquet.metadata
    if meta.num_row_groups * meta.num_columns > MAX_COLUMN_CHUNKS:
        raise DataError(f"has {meta.num_row_groups:,} row groups × {meta.num_columns:,} columns, more than the "
                        f"{MAX_COLUMN_CHUNKS:,} column chunks cscomp reads")
    names = [str(n) for n in parquet.schema_arrow.names]
    dictionaries = _dictionary_columns(meta, names, parquet.schema_arrow)
    content.seek(0)
    # Opened again only to read those columns as dictionaries: the metadata already parsed is reused.
    parquet = pq.ParquetFile(content, metadata=meta, read_dictionary=dictionaries or None)
    if not meta.num_rows:
        return parquet.schema_arrow.empty_table()
    sample = pa.Table.from_batches([next(parquet.iter_batches(batch_size=rows))])
    for name in dictionaries:
        try:
            _check_decoded(sample[name], name, path, limit=MAX_TEXT_BYTES // 8)
        except DataError:
            sample = sample.drop_columns([name])
            continue
        # Expanded once measured: the guessing reads plain text, not pandas categories.
        at = sample.schema.get_field_index(name)
        sample = sample.set_column(at, name, sample[name].cast(sample[name].type.value_type))
    return sample


def _check_footer(data: memoryview, path: Path) -> None:
    """The metadata's length, from the file's last 8 bytes, before pyarrow parses (and allocates for) it."""
    if len(data) >= 12 and bytes(data[-4:]) == b"PAR1":
        length = int.from_bytes(bytes(data[-8:-4]), "little")
        if length > MAX_FOOTER_BYTES:
            raise DataError(f"has {length / 1024**2:,.0f} MB of metadata, more than the {MAX_FOOTER_BYTES >> 20} MB "
                            "cscomp reads (a file of very many row groups or columns)", file=path,
                            hint=f"write it again with larger row groups and fewer columns; {_SMALLER}")


def _leaves(meta, read: list[str]) -> dict[str, list[int]]:
    """Each column read -> its leaf columns in the file (a list or struct column has several)."""
    wanted = set(read)
    found: dict[str, list[int]] = {}
    schema = meta.schema
    for j in range(meta.num_columns):
        top = schema.column(j).path.split(".")[0]
        if top in wanted:
            found.setdefault(top, []).append(j)
    return found


def _check_sizes(meta, read: list[str], path: Path) -> None:
    cells = meta.num_rows * len(read)
    if cells > MAX_CELLS:
        raise DataError(f"the columns the map names are {meta.num_rows:,} rows × {len(read)} columns = {cells:,} "
                        f"cells, more than the {MAX_CELLS:,} cscomp reads from a file", file=path, hint=_SMALLER)
    leaves = [j for js in _leaves(meta, read).values() for j in js]
    size = sum(meta.row_group(g).column(j).total_uncompressed_size
               for g in range(meta.num_row_groups) for j in leaves)
    if size > MAX_TEXT_BYTES:
        raise DataError(f"the columns the map names hold {size / 1024**3:.1f} GB once uncompressed, more than the "
                        f"{MAX_TEXT_BYTES / 1024**3:g} GB cscomp reads", file=path, hint=_SMALLER)


def _dictionary_columns(meta, read: list[str], schema) -> list[str]:
    """The text columns stored with a dictionary: read as one (indices into it) and measured before they are
    expanded, since a short dictionary repeated on every row can decode to gigabytes."""
    import pyarrow as pa

    found = []
    for name, leaves in _leaves(meta, read).items():
        kind = schema.field(name).type
        kind = kind.value_type if pa.types.is_dictionary(kind) else kind  # the file's own Arrow schema says so
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind)
                or pa.types.is_large_binary(kind)):
            continue
        if any(meta.row_group(g).column(leaves[0]).has_dictionary_page for g in range(meta.num_row_groups)):
            found.append(name)
    return found


def _check_decoded(column, name: str, path: Path, limit: int = MAX_TEXT_BYTES) -> None:
    import pyarrow.compute as pc

    size = 0
    for chunk in column.chunks:
        lengths = pc.binary_length(chunk.dictionary)
        size += pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0
        if size > limit:
            raise DataError(f"column {name.strip()} holds {size / 1024**3:.1f} GB of text once its dictionary is "
                            f"expanded, more than the {MAX_TEXT_BYTES / 1024**3:g} GB cscomp reads", file=path,
                            location=f"column {name.strip()}", hint=_SMALLER)


def _text(column):
    """A Parquet column as text: dates as YYYY-MM-DD, booleans as true/false, lists, structs and bytes
    (which Arrow cannot cast) as Python writes them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return pc.strftime(column, format="%Y-%m-%d")
    if pa.types.is_boolean(kind):
        return pc.if_else(column, "true", "false")
    try:
        return pc.cast(column, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        def text(value):
            if isinstance(value, bytes):
                return value.decode("utf-8", errors="replace")
            return value if value is None else str(value)

        return pa.array([text(v) for v in column.to_pylist()], pa.string())
