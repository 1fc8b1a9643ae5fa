"""Do two per-CSM-quarter CSVs agree to the cent? cscomp's `stress-test --format csv` against a peer's.

Rows are matched on (quarter, csm_id); every column both files have is compared: numbers to the
cent (rounded half away from zero), anything else as written (trimmed). A row only one file has is
a disagreement too. Standard library only: the check runs without cscomp's dependencies.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

KEYS = ("quarter", "csm_id")
CENT = Decimal("0.01")


def read_rows(path: Path) -> tuple[list[str], dict[tuple[str, str], dict[str, str]]]:
    """The header and the rows of a CSV, keyed by (quarter, csm_id)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = {(row["quarter"], row["csm_id"]): row for row in reader}
        return list(reader.fieldnames or []), rows


def cents(cell: str) -> Decimal | None:
    """A numeric cell rounded to the cent (ROUND_HALF_UP rounds halves away from zero); None if not a number."""
    try:
        return Decimal(cell.strip()).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None


def same(a: str, b: str) -> bool:
    a, b = (a or "").strip(), (b or "").strip()
    if a == b:
        return True
    x, y = cents(a), cents(b)
    return x is not None and y is not None and x == y


def disagreements(ours: Path, theirs: Path) -> tuple[int, list[str], list[str]]:
    """(rows compared, the shared columns compared, one line per disagreeing cell or missing row)."""
    our_header, our_rows = read_rows(ours)
    their_header, their_rows = read_rows(theirs)
    shared = [c for c in our_header if c in their_header and c not in KEYS]
    problems = [f"{q} {c}: only in {ours.name}" for q, c in sorted(set(our_rows) - set(their_rows))]
    problems += [f"{q} {c}: only in {theirs.name}" for q, c in sorted(set(their_rows) - set(our_rows))]
    for key in sorted(set(our_rows) & set(their_rows)):
        mine, other = our_rows[key], their_rows[key]
        problems += [f"{key[0]} {key[1]} {column}: {mine[column]!r} vs {other[column]!r}"
                     for column in shared if not same(mine[column], other[column])]
    return len(set(our_rows) & set(their_rows)), shared, problems
