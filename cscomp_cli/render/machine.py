"""Machine formats: JSON and CSV, written with the standard library only."""

from __future__ import annotations

import csv
import gc
import io
import json
import re
from contextlib import contextmanager
from collections.abc import Iterable
from json.encoder import encode_basestring
from operator import itemgetter


# What a spreadsheet reads as the start of a formula (the fullwidth forms too: some normalise them).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
CASH_COLUMNS = ["base", "actual_base", "proposed_cash", "actual_cash", "cash_delta"]


# json.dumps escapes C0 controls only; DEL, C1 and the bidi controls would reach a terminal raw.
_JSON_UNPRINTABLE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def to_json(document) -> str:
    """The document as indented JSON (UTF-8 text, keys in contract order), every control
    character written as a \\u escape."""
    with cycles_unchecked():
        text = _dumps_records(document)  # escapes its text parts itself: numbers need no scan
        if text is None:
            text = _printable(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))
    return text + "\n"


def _printable(text: str) -> str:
    """JSON text with every control character _JSON_UNPRINTABLE names written as a \\u escape."""
    # Outside strings JSON is ASCII, so every match is inside a string, where \uXXXX means the same.
    return _JSON_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


# json.dumps indents in pure Python (the C encoder only writes compact JSON): 5 s for the 16 k rows of
# a large stress test. Lists of records that share one shape (every row, every CSM) are written
# instead through one template per list, each leaf column encoded at once by the C encoder. The text
# is the same by construction; anything the shortcut is not sure of goes through json.dumps.
_SCALARS = {float, int, bool, type(None)}
_SLOT = "\ue000"


def _dumps_records(document) -> str | None:
    """json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) for a dict whose long lists
    hold records of one shape; None where the shortcut does not apply."""
    if type(document) is not dict or not document or set(map(type, document)) != {str}:
        return None
    parts = []
    for key, value in document.items():
        text = _records_text(value, 1) if type(value) is list and len(value) > 1 else None
        if text is None:
            text = _printable(json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)).replace("\n", "\n  ")
        parts.append(f"  {_printable(encode_basestring(key))}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}"


def _records_text(records: list, level: int) -> str | None:
    """A list of records of one shape (keys, their order, nesting) as json.dumps indents it at level."""
    if set(map(type, records)) != {dict} or not records[0]:
        return None
    leaves = _leaves(records, records[0])
    if leaves is None:
        return None
    columns = [_encoded(column) for column in leaves]
    if any(column is None for column in columns):
        return None
    template = _printable(json.dumps(_skeleton(records[0]), indent=2, ensure_ascii=False)).replace("%", "%%")
    template = template.replace(f'"{_SLOT}"', "%s")
    if template.count("%s") != len(columns):
        return None
    pad = "\n" + "  " * (level + 1)
    template = pad[1:] + template.replace("\n", pad)
    return "[\n" + ",\n".join(map(template.__mod__, zip(*columns))) + "\n" + "  " * level + "]"


def _leaves(records: list, first: dict) -> list | None:
    """Every leaf column of the records in key order (depth first), or None unless all share first's shape."""
    if len(set(map(tuple, records))) != 1 or any(type(key) is not str or _SLOT in key for key in first):
        return None
    leaves = []
    for key, value in first.items():
        column = list(map(itemgetter(key), records))
        if type(value) is dict:
            inner = _leaves(column, value) if value and set(map(type, column)) == {dict} else None
            if inner is None:
                return None
            leaves += inner
        else:
            leaves.append(column)
    return leaves


def _encoded(column: list) -> list | None:
    """Each value of a leaf column as JSON text, or None where they are not all plain scalars or text."""
    types = set(map(type, column))
    if types <= _SCALARS:
        # Numbers, true, false and null never hold ", ", so the compact list splits back into its values.
        cells = json.dumps(column, allow_nan=False)[1:-1].split(", ")
        return cells if len(cells) == len(column) else None
    if types != {str}:
        return None
    cells = list(map(encode_basestring, column))
    # Text columns are short (names, ids, segments): scanned once as a whole, escaped cell by cell if need be.
    return list(map(_printable, cells)) if _JSON_UNPRINTABLE.search("".join(cells)) else cells


def _skeleton(record: dict) -> dict:
    return {key: _skeleton(value) if type(value) is dict else _SLOT for key, value in record.items()}


@contextmanager
def cycles_unchecked():
    """Pause the cycle collector while a large acyclic tree of dicts is built or written: it would walk
    the growing document again and again (half the time of building one of 16 k rows)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def protect(text: str) -> str:
    """Prefix a text cell a spreadsheet would run as a formula with an apostrophe (a negative
    number such as -12.50 stays a number)."""
    return "'" + text if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text) else text


def csv_text(rows: Iterable[Iterable]) -> str:
    """Rows (the header first) as CSV with every text cell through protect: the one writer of every
    CSV cscomp prints, so no cell or header from a plan or an export runs in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([protect(cell) if isinstance(cell, str) else cell for cell in row])
    return buffer.getvalue()


def _plain(value, decimals: int | None = None) -> str:
    if value is None:
        return ""
    if decimals is not None:
        return f"{value:.{decimals}f}"
    return repr(float(value)) if not float(value).is_integer() else f"{value:.1f}"


def to_csv(comparison, shocks: list | None = None) -> str:
    """One row per CSM–quarter, sorted by quarter then csm_id (SPEC section 4), straight from the
    replay's columns."""
    # Imported here, not above: to_json serves validate --plan-only, which needs neither numpy nor pandas.
    from cscomp_cli.render.csv_columns import comparison_csv

    return comparison_csv(comparison, shocks)
