"""JSON: every result document as indented UTF-8 text, written with the standard library only (validate
--plan-only renders through here without numpy or pandas)."""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring
from operator import itemgetter

from cscomp_cli.analyses.result import Kind, Result
from cscomp_cli.core.collector import cycles_unchecked

# json.dumps escapes C0 controls only; DEL, C1 and the bidi controls would reach a terminal raw.
UNPRINTABLE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def to_json(document) -> str:
    """The document as indented JSON (UTF-8 text, keys in contract order), every control
    character written as a \\u escape."""
    with cycles_unchecked():
        text = _dumps_records(document)  # escapes its text parts itself: numbers need no scan
        if text is None:
            text = _printable(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))
    return text + "\n"


def _printable(text: str) -> str:
    """JSON text with every control character UNPRINTABLE_IN_JSON names written as a \\u escape."""
    # Outside strings JSON is ASCII, so every match is inside a string, where \uXXXX means the same.
    return UNPRINTABLE_IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


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
    return list(map(_printable, cells)) if UNPRINTABLE_IN_JSON.search("".join(cells)) else cells


def _skeleton(record: dict) -> dict:
    return {key: _skeleton(value) if type(value) is dict else _SLOT for key, value in record.items()}


def _document(result: Result) -> str:
    return to_json(result.document)


RENDERERS = {kind: _document for kind in Kind}
