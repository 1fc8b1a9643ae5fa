"""What every command hands to the renderers: the kind of result, its JSON document, and what some
formats read beside it.

The document is the contract (SPEC section 4 for a stress test); each output format renders it.
It is built on first use, so a stress test written as CSV (straight from the replay's columns)
never pays for building it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any, Callable


class Kind(str, Enum):
    """The kinds of result, one per question a command answers."""

    stress_test = "stress-test"
    compare = "compare"
    sweep = "sweep"
    simulate = "simulate"
    explain = "explain"
    reconcile = "reconcile"
    validate = "validate"
    plan_diff = "plan-diff"


@dataclass
class Result:
    """One command's answer, ready to render in any format it is offered in."""

    kind: Kind
    build: Callable[[], dict] = field(repr=False)
    # The analysis's own object, for a format that reads more than the document: the stress test's
    # Comparison (CSV straight from its columns), validate's Validation (the terminal lists problems).
    facts: Any = None
    # The stress test's shocks, for the CSV's shocks column.
    shocks: list = field(default_factory=list)
    # The plan as run and the file it came from, for the reports that list it (HTML, workbook).
    plan: Any = None
    source: str | None = None

    @cached_property
    def document(self) -> dict:
        """The JSON document, built once."""
        return self.build()

    @classmethod
    def of(cls, kind: Kind, document: dict, **context) -> "Result":
        """A result whose document is already built."""
        return cls(kind, lambda: document, **context)
