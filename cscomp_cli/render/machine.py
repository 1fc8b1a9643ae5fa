"""Machine formats: JSON and CSV, written with the standard library only."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable

from ..plan import Plan

# What a spreadsheet reads as the start of a formula (the fullwidth forms too: some normalise them).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
CASH_COLUMNS = ["base", "actual_base", "proposed_cash", "actual_cash", "cash_delta"]


# json.dumps escapes C0 controls only; DEL, C1 and the bidi controls would reach a terminal raw.
_JSON_UNPRINTABLE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def to_json(document) -> str:
    """The document as indented JSON (UTF-8 text, keys in contract order), every control
    character written as a \\u escape."""
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    # Outside strings JSON is ASCII, so every match is inside a string, where \uXXXX means the same.
    return _JSON_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n"


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


def to_csv(document: dict, plan: Plan) -> str:
    """One row per CSM–quarter, sorted by quarter then csm_id (SPEC section 4)."""
    from .document import shock_labels  # here, not above: to_json serves validate --plan-only, which needs no pandas

    header = ["quarter", "csm_id", "name", "segment", "target_variable"]
    for c in plan.components:
        header += [f"{c.id}_metric", f"{c.id}_attainment", f"{c.id}_payout"]
    header += ["cap_adjustment", "proposed", "actual", "delta", "delta_pct"]
    header += CASH_COLUMNS  # appended, so every earlier column keeps its place
    shocks = shock_labels(document)
    if shocks:
        header.append("shocks")  # only under --shock, so the plain header is exactly SPEC's
    lines = [header]
    for row in sorted(document["rows"], key=lambda r: (r["quarter"], r["csm_id"])):
        cells = [row["quarter"], row["csm_id"], row["name"], row["segment"], _plain(row["target_variable"], 2)]
        for c in plan.components:
            detail = row["components"][c.id]
            cells += [_plain(detail["metric"]), _plain(detail.get("attainment")), _plain(detail["payout"], 2)]
        cells += [_plain(row["cap_adjustment"], 2), _plain(row["proposed"], 2), _plain(row["actual"], 2),
                  _plain(row["delta"], 2), _plain(row["delta_pct"], 2)]
        cells += [_plain(row[column], 2) for column in CASH_COLUMNS]
        if shocks:
            cells.append(shocks)
        lines.append(cells)
    return csv_text(lines)
