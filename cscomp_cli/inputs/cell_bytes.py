"""Reading a column of cells at the level of their bytes: pyarrow's string buffers classified at once (blank, plain digits, odd), so millions of plain cells are cast in one pass and only the odd ones go through the careful per-cell parser that words an error.

Every pass here only ever decides that a cell is certainly plain; anything it is not sure of is left for the careful path."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _is_arrow_text(cells: pd.Series) -> bool:
    return isinstance(cells.dtype, pd.StringDtype) and cells.dtype.storage == "pyarrow"


def as_arrow(cells: pd.Series):
    """The pyarrow chunks holding a text column, or None when it is not one (or holds a missing cell)."""
    if not _is_arrow_text(cells):
        return None
    chunks = cells.array._pa_array
    return chunks if chunks.null_count == 0 else None


def _buffers(chunks) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each chunk's row offsets (n + 1, int64) and bytes: read in place, as pyarrow's reader left them."""
    import pyarrow as pa

    parts = []
    for array in chunks.chunks:
        _, offsets, data = array.buffers()
        width = np.int64 if pa.types.is_large_string(array.type) else np.int32
        offsets = np.frombuffer(offsets, dtype=width)[array.offset: array.offset + len(array) + 1].astype(np.int64)
        data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
        parts.append((offsets, data))
    return parts


def _over_chunks(chunks, each, empty) -> np.ndarray | tuple[np.ndarray, ...]:
    """``each(offsets, data)`` for every chunk, the results put end to end (``empty`` for no rows)."""
    results = [each(offsets, data) for offsets, data in _buffers(chunks)]
    if not results:
        return empty
    if isinstance(results[0], tuple):
        return tuple(np.concatenate(column) for column in zip(*results))
    return np.concatenate(results)


def cell_lengths(chunks) -> np.ndarray:
    return _over_chunks(chunks, lambda offsets, data: np.diff(offsets), np.zeros(0, dtype=np.int64))


def _per_row(offsets: np.ndarray, data: np.ndarray, hit: np.ndarray) -> np.ndarray:
    """How many of each row's bytes are ``hit`` (a mask over ``data``): one lookup per hit byte."""
    rows = np.searchsorted(offsets, np.flatnonzero(hit), side="right") - 1
    return np.bincount(rows, minlength=len(offsets) - 1)


def _first_bytes(offsets: np.ndarray, data: np.ndarray, skip: np.ndarray | int = 0) -> np.ndarray:
    """Each row's byte at ``skip`` (0 where the row is shorter), as int."""
    at = offsets[:-1] + skip
    inside = at < offsets[1:]
    if not len(data):
        return np.zeros(len(at), dtype=np.int16)
    return np.where(inside, data[np.minimum(at, len(data) - 1)], 0).astype(np.int16)


_DIGIT = np.zeros(256, dtype=bool)


_DIGIT[ord("0"): ord("9") + 1] = True


# Bytes a trim may remove at a cell's edge: ASCII spaces and controls, and any byte of a non-ASCII
# character (NBSP, the Unicode spaces): a cell starting or ending with one is trimmed the careful way.
_EDGE = np.zeros(256, dtype=bool)


_EDGE[: 0x21] = True


_EDGE[0x80:] = True


def blank_and_plain(cells: pd.Series, separators: str, *, signed: bool = False, leading_separator: bool = True
                     ) -> tuple[np.ndarray, np.ndarray] | None:
    """Which cells are blank, and which certainly plain numbers (digits, at most one of ``separators``;
    with ``signed`` an optional leading '-'), from the bytes; None when the column is not Arrow text.

    ``leading_separator``: whether '.5' counts as plain. A plain cell's digits and separator are all its bytes,
    so pyarrow's cast reads it exactly as the careful path would.
    """
    chunks = as_arrow(cells)
    if chunks is None:
        return None

    def each(offsets, data):
        lengths = np.diff(offsets)
        if not len(data) or (data.min() >= ord("0") and data.max() <= ord("9")):  # digits only: the usual column
            return lengths == 0, lengths > 0
        other = ~_DIGIT[data]
        separator = np.zeros(len(data), dtype=bool)
        for char in separators:
            separator |= data == ord(char)
        other &= ~separator
        negative = (_first_bytes(offsets, data) == ord("-")) if signed else np.zeros(len(lengths), dtype=bool)
        odd = _per_row(offsets, data, other) - negative  # the leading '-' is allowed
        seps = _per_row(offsets, data, separator)
        plain = (odd == 0) & (seps <= 1) & (lengths - seps - negative > 0)
        if not leading_separator:
            plain &= _DIGIT[_first_bytes(offsets, data, negative.astype(np.int64))]
        return lengths == 0, plain

    nothing = np.zeros(0, dtype=bool)
    return _over_chunks(chunks, each, (nothing, nothing))


def plain_floats(cells: pd.Series, plain: np.ndarray, decimal: str) -> np.ndarray:
    """The plain cells as floats, cast by pyarrow in one pass (a decimal comma read as the point)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = as_arrow(cells)
    # The usual amount column is plain throughout: cast it whole, with no filtered copy first.
    chosen = chunks if bool(plain.all()) else pc.filter(chunks, pa.array(plain, type=pa.bool_()))
    if decimal == ",":
        chosen = pc.replace_substring(chosen, ",", ".")
    return pc.cast(chosen, pa.float64()).to_numpy(zero_copy_only=False)


def trimmed_cells(cells: pd.Series) -> pd.Series:
    """A column with each cell trimmed; left as it is when no cell starts or ends with a byte a trim removes."""
    chunks = as_arrow(cells)

    def edged(offsets, data):
        if not len(data) or (data.min() > 0x20 and data.max() < 0x80):
            return False
        filled = offsets[1:] > offsets[:-1]
        return bool((filled & (_EDGE[data[np.minimum(offsets[:-1], len(data) - 1)]]
                               | _EDGE[data[np.maximum(offsets[1:] - 1, 0)]])).any())

    if chunks is not None and not any(edged(offsets, data) for offsets, data in _buffers(chunks)):
        return cells
    return cells.fillna("").astype(str).str.strip()


def distinct_cells(cells: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Each cell's code and the distinct cells (first-seen order): hashed by pyarrow for Arrow text."""
    chunks = as_arrow(cells)
    if chunks is None:
        codes, distinct = pd.factorize(cells.astype(object))
        return np.asarray(codes, dtype=np.int64), pd.Series(np.asarray(distinct, dtype=object), dtype=object)
    codes, distinct = _encoded(chunks)
    return codes.astype(np.int64), pd.Series(distinct.to_numpy(zero_copy_only=False), dtype=object)


def _encoded(chunks):
    """Arrow text as each cell's code and the distinct cells (first-seen order): one hash pass by pyarrow."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(chunks.combine_chunks())
    return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary


def categorical_from_codes(codes: np.ndarray, values: np.ndarray, index: pd.Index) -> pd.Series:
    """Rows coded into ``values`` (None or NaN missing; code -1 missing) as a categorical with sorted
    categories, as astype("category") of the same values would be."""
    known = pd.notna(values)
    categories = sorted(set(values[known].tolist()))
    position = {value: i for i, value in enumerate(categories)}
    remap = np.array([position[v] if k else -1 for v, k in zip(values.tolist(), known)] + [-1], dtype=np.int64)
    return pd.Series(pd.Categorical.from_codes(remap[codes], categories=pd.Index(categories)), index=index)


def arrow_categorical(cells: pd.Series, *, blank_missing: bool) -> pd.Series | None:
    """An Arrow text column as a categorical with sorted categories, encoded and sorted by pyarrow (half a
    million account ids cost no Python object each); a blank cell missing when ``blank_missing``.
    None when the column is not Arrow text."""
    chunks = as_arrow(cells)
    if chunks is None:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    codes, dictionary = _encoded(chunks)
    # UTF-8 sorts bytewise in code point order, the order Python (and astype("category")) sorts str in.
    order = pc.array_sort_indices(dictionary).to_numpy(zero_copy_only=False)
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    categories = dictionary.take(pa.array(order))
    if blank_missing and len(categories) and categories[0].as_py() == "":
        # "" sorts first: drop it from the categories, its rows missing.
        rank -= 1
        categories = categories.slice(1)
    labels = pd.Index(pd.array(categories, dtype=pd.StringDtype("pyarrow", na_value=np.nan)))
    return pd.Series(pd.Categorical.from_codes(rank[codes], categories=labels), index=cells.index)
