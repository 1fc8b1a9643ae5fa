"""A database query's result as the text cells an export file gives: numbers written exactly (a NUMERIC's
Decimal as its own digits, a float as its shortest round-trip form, never 1e+16), dates as YYYY-MM-DD,
booleans as true/false; and the check that a map's query is one SELECT, since cscomp only ever reads.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import numpy as np
import pandas as pd

# Inside one statement that starts with SELECT or WITH, only these write: a data-modifying WITH (PostgreSQL's
# WITH x AS (DELETE ... RETURNING *)), SELECT ... INTO a new table, and FOR UPDATE's locks. Looked for outside
# quotes and comments; the database's own read-only transaction (PostgreSQL) or query_only mode (SQLite)
# refuses whatever gets past them.
_WRITES = ("insert", "update", "delete", "merge", "into")
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|\$([A-Za-z_]*)\$.*?\$\1\$|--[^\n]*|/\*.*?\*/",
                     re.DOTALL)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def read_only_problem(statement: str) -> str | None:
    """What makes ``statement`` other than a single SELECT (or WITH ... SELECT), or None when it is one."""
    # Quoted text and comments taken out (a ';' or DELETE inside them is not a statement): what is left of
    # a quote or a comment opener was never closed.
    bare = _QUOTED.sub(lambda m: " " if m.group().startswith(("--", "/*")) else " 0 ", statement)
    if re.search(r"['\"`]|/\*|\$[A-Za-z_]*\$", bare):
        return "it has a quote or a comment that is never closed"
    bare = bare.strip().rstrip(";").strip()
    if ";" in bare:
        return "it holds more than one statement (a ';' before its end)"
    words = [w.lower() for w in _WORD.findall(bare)]
    if not words or words[0] not in ("select", "with") or not bare.lstrip("( \t\r\n").lower().startswith(words[0]):
        first = words[0].upper() if words else "nothing"
        return f"it starts with {first}, not SELECT or WITH"
    found = next((w for w in words if w in _WRITES), None)
    if found is not None:
        return f"it holds {found.upper()}, which changes the database or writes somewhere"
    return None


def column_text(values: list, decimal: str = ".") -> tuple[pd.Series, np.ndarray | None]:
    """One result column's values (as the database driver gives them) as text cells, blanks as '', and
    which rows held a real date (None when none did). Numbers are written with ``decimal`` as the
    decimal separator (the map's number style) and no grouping."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kinds = {type(v) for v in values} - {type(None)}
    dated = None
    if any(issubclass(k, dt.date) for k in kinds):
        dated = np.fromiter((isinstance(v, dt.date) for v in values), dtype=bool, count=len(values))
    numeric = bool(kinds) and all(k in (int, float, Decimal) for k in kinds)
    if kinds <= {str}:
        text = pa.array(values, pa.string())
    elif numeric and len(kinds) == 1:
        # One number type: Arrow writes a whole column in one pass (a Decimal's own digits, a float's
        # shortest form); only floats Arrow writes with an exponent are written again, without one.
        try:
            text = pc.cast(pa.array(values), pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            text = _by_kind(values, kinds)
        else:
            if float in kinds:
                exponent = pc.fill_null(pc.match_substring(text, "e"), False).to_numpy(zero_copy_only=False)
                if exponent.any():
                    fixed = np.array(text.to_pylist(), dtype=object)
                    fixed[exponent] = [_number(values[i]) for i in np.flatnonzero(exponent)]
                    text = pa.array(fixed, pa.string())
    else:
        text = _by_kind(values, kinds)
    cells = pd.Series(pc.fill_null(text, "").to_numpy(zero_copy_only=False), dtype=object).str.strip()
    if numeric and decimal != ".":
        cells = cells.str.replace(".", decimal, regex=False)
    return cells, dated


def _by_kind(values: list, kinds: set[type]):
    """Values of several kinds (SQLite lets a column hold any), written once per distinct value of each
    kind: 1, 1.0 and True are equal in Python but written differently."""
    import pyarrow as pa

    shown = np.full(len(values), None, dtype=object)
    held = np.array(values, dtype=object) if values else np.array([], dtype=object)
    types = np.fromiter((type(v) for v in values), dtype=object, count=len(values))
    for kind in kinds:
        rows = types == kind
        codes, distinct = pd.factorize(held[rows], use_na_sentinel=False)
        written = np.array([_cell(v) for v in distinct], dtype=object)
        shown[rows] = written[codes]
    return pa.array(shown, pa.string())


def _cell(value) -> str:
    """One value as an export would write it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return _number(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()  # a timestamp's day, as a Parquet timestamp column is read
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _number(value) -> str:
    """A number's exact digits, without an exponent: Decimal('1E+3') is 1000, 1e16 is 10000000000000000."""
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, float):
        return np.format_float_positional(value, trim="-") if np.isfinite(value) else str(value)
    return str(value)
