"""User-facing errors: each carries where the problem is and how to fix it.

The library raises these; only the CLI turns them into a message and an exit status.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class CscompError(Exception):
    """A problem the user can fix: bad input, a bad plan, or bad usage."""

    message: str
    file: str | Path | None = None
    location: str | None = None  # "line 7, column churn" or "components[0].curve"
    hint: str | None = None

    def __str__(self) -> str:
        where = ", ".join(str(part) for part in (self.file, self.location) if part)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class DataError(CscompError):
    """A CSV input is missing, unreadable, or breaks a rule of SPEC section 1."""


class PlanError(CscompError):
    """The plan YAML is malformed, breaks the plan language, or does not fit the data."""


class UsageError(CscompError):
    """The command line asks for something impossible (e.g. more quarters than exist)."""
