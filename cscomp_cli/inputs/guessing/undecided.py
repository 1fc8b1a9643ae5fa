"""A choice init could not make (written UNDECIDED in the map and listed on stderr)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Undecided:
    """A choice init could not make: the map key it concerns and what a person must decide."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"
