"""An export's header as the data map reads it: which of its columns the map names (matched as a person
reads a header: spaces around it, case and accents ignored), and two columns that would both match refused
naming each spelling, so no reader keeps one of them silently.
"""

from __future__ import annotations

from pathlib import Path

from cscomp_cli.core.errors import DataError
from cscomp_cli.core.text import folded
from cscomp_cli.inputs.files import DATA_DOC


def refuse_repeated(headers: list[str], wanted: list[str], path: Path, where: str) -> None:
    """Two export columns under a header the map names: reading either could be the wrong one."""
    wanted_folded = {folded(w) for w in wanted}
    seen: dict[str, str] = {}
    for header in headers:
        header = str(header)
        key = folded(header)
        if key in seen and key in wanted_folded:
            first = seen[key]
            # Both as written: 'Amount' and ' Amount' differ by a space the message must show.
            both = f": '{first}' and '{header}'" if first != header else ""
            raise DataError(f"has two columns named '{first.strip()}'{both}", file=path, location=where,
                            hint="rename or delete one of them in the export, so the map can say which it means; "
                            f"see {DATA_DOC}")
        seen.setdefault(key, header)


def named_columns(headers: list[str], wanted: list[str]) -> list[int]:
    """The positions of the columns the map names (``wanted``), in the header's order."""
    keys = {folded(w) for w in wanted}
    return [i for i, header in enumerate(headers) if folded(header) in keys]
