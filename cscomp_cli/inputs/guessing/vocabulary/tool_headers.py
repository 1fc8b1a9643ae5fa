"""One tool's default headers for one of cscomp's tables (the record every vocabulary module lists)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ToolHeaders:
    """One tool's default headers for one of cscomp's tables."""

    tool: str
    table: str  # accounts, roster, history, payouts, fx
    columns: dict[str, list[str]]  # canonical -> headers; a header starting with "~" is weak
    source: str  # the documentation page the names come from
