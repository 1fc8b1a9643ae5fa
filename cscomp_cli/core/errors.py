"""User-facing errors: each carries where the problem is and how to fix it.

The library raises these; only the CLI turns them into a message and an exit status.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class CscompError(Exception):
    """A problem the user can fix: bad input, a bad plan, or bad usage."""

    message: str
    file: str | Path | None = None
    location: str | None = None  # "line 7, column churn" or "components[0].curve"
    hint: str | None = None
    # Further problems found in the same pass (a plan with three bad keys): the message counts
    # them, `cscomp validate` lists them.
    also: list[CscompError] = field(default_factory=list)

    def __str__(self) -> str:
        text = self.headline()
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def headline(self) -> str:
        """Where and what, in one line (a warning in an output's list is this, plus its hint)."""
        where = ", ".join(str(part) for part in (self.file, self.location) if part)
        return f"{where}: {self.message}" if where else self.message

    def one_line(self) -> str:
        return self.headline() + (f" — {self.hint}" if self.hint else "")


class DataError(CscompError):
    """A CSV input is missing, unreadable, or breaks a rule of SPEC section 1."""


class DataWarning(CscompError):
    """Something in the data that reads, but that a leader should know before trusting a result."""


class MapError(CscompError):
    """The data map (cscomp-data.yaml) is malformed or does not fit the exports it names."""


class PlanError(CscompError):
    """The plan YAML is malformed, breaks the plan language, or does not fit the data."""


class UsageError(CscompError):
    """The command line asks for something impossible (e.g. more quarters than exist)."""


# `cscomp validate` reports every problem at once. The checks that find problems are the same
# code the replay runs (one code path); inside collect_problems() they record and carry on instead
# of stopping at the first. Elsewhere report() simply raises.
_collector: ContextVar[list[CscompError] | None] = ContextVar("cscomp_problems", default=None)


def report(error: CscompError) -> None:
    """Raise ``error``, or record it when inside collect_problems()."""
    found = _collector.get()
    if found is None:
        raise error
    found.append(error)


def collecting() -> bool:
    """True inside collect_problems(): checks must leave the data usable for the checks after them."""
    return _collector.get() is not None


@contextmanager
def collect_problems() -> Iterator[list[CscompError]]:
    """Record every reported problem in the yielded list instead of raising the first."""
    found: list[CscompError] = []
    token = _collector.set(found)
    try:
        yield found
    finally:
        _collector.reset(token)


# Loaders also find things that read but are worth a word (an ambiguous separator, a semicolon
# file). They note them here; load_dataset and validate collect them, so the core never prints.
_notes: ContextVar[list[CscompError] | None] = ContextVar("cscomp_notes", default=None)


def note(warning: CscompError) -> None:
    """Record ``warning`` for the caller collecting warnings (ignored when nobody collects)."""
    found = _notes.get()
    if found is not None:
        found.append(warning)


@contextmanager
def collect_notes() -> Iterator[list[CscompError]]:
    """Record every noted warning in the yielded list."""
    found: list[CscompError] = []
    token = _notes.set(found)
    try:
        yield found
    finally:
        _notes.reset(token)
