"""What validate finds (errors and warnings, each with where and how to fix it), and the plan's own check.

Kept apart from validate.py so checking a plan alone (``validate --plan-only``) reads no data and
imports neither pandas nor the engine: an editor or a pre-commit hook runs it in a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cscomp_cli.core.errors import CscompError
from cscomp_cli.plan.loading import load_plan
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.plausibility import plan_warnings


@dataclass
class Problem:
    """One finding: where it is, what is wrong, how to fix it."""

    message: str
    file: str | None = None
    location: str | None = None
    hint: str | None = None

    @classmethod
    def of(cls, error: CscompError) -> Problem:
        return cls(error.message, None if error.file is None else str(error.file), error.location, error.hint)

    def as_dict(self) -> dict:
        return {"file": self.file, "location": self.location, "message": self.message, "hint": self.hint}


@dataclass
class Validation:
    """What validate found, and what it looked at."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    checked: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, error: CscompError) -> None:
        self.errors.append(Problem.of(error))
        self.errors.extend(Problem.of(more) for more in error.also)


def validate_plan(source: Path | str) -> Validation:
    """Check the plan file alone (its schema, metric names and probable unit mistakes); never raises a user error."""
    found = Validation()
    check_plan(source, found)
    return found


def pay_rules_read(plan: Plan) -> dict:
    """The measurement period, floors and clawbacks as validate read them, only those the plan has (so a
    plan without them reads as before): what a leader checks before trusting a replay of such a plan."""
    read = plan.pay_rules()
    clawbacks = {c.id: {"within": c.clawback.within, "share": c.clawback.share}
                 for c in plan.components if getattr(c, "clawback", None) is not None}
    if clawbacks:
        read["clawbacks"] = clawbacks
    return read


def check_plan(source: Path | str, found: Validation) -> Plan | None:
    try:
        plan = load_plan(source)
    except CscompError as error:
        found.add(error)
        return None
    found.checked["plan"] = {"name": plan.name, "components": len(plan.components), "modifiers": len(plan.modifiers),
                             **pay_rules_read(plan)}
    # Probable unit mistakes need no data: reported even when the data cannot be read.
    found.warnings.extend(Problem(w.message, file=str(source), location=w.location) for w in plan_warnings(plan))
    return plan


def validation_document(found: Validation, plan: str, data: str | None) -> dict:
    """The JSON form of a validation, for scripts (``data`` None: the plan was checked alone)."""
    return {
        "plan": plan,
        "data": data,
        "ok": found.ok,
        "errors": [p.as_dict() for p in found.errors],
        "warnings": [p.as_dict() for p in found.warnings],
        "checked": found.checked,
    }
