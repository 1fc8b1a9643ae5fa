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
