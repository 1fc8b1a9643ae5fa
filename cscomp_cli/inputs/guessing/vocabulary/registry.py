"""Every tool's default headers merged per table (the vocabulary recognition reads)."""


from __future__ import annotations

import functools

from cscomp_cli.inputs.guessing.vocabulary import crm, finance, hr, payroll
from cscomp_cli.inputs.guessing.vocabulary.tool_headers import ToolHeaders

FAMILIES = (crm, hr, payroll, finance)


@functools.cache
def vocabulary(table: str) -> dict[str, dict[str, tuple[bool, str]]]:
    """canonical -> {header as written: (strong, tool)} over every tool's list for table."""
    merged: dict[str, dict[str, tuple[bool, str]]] = {}
    for family in FAMILIES:
        for entry in family.TOOLS:
            if entry.table != table:
                continue
            for canonical, headers in entry.columns.items():
                slot = merged.setdefault(canonical, {})
                for header in headers:
                    strong = not header.startswith("~")
                    name = header.lstrip("~")
                    # A header any tool uses generically stays weak: caution wins over the one tool that means it.
                    if name not in slot or (not strong and slot[name][0]):
                        slot[name] = (strong, entry.tool)
    return merged


def tools() -> list[ToolHeaders]:
    """Every tool's entry (for the docs and tests)."""
    return [entry for family in FAMILIES for entry in family.TOOLS]
