"""Loading a plan: its file or text read strictly, extends resolved, percentages read, numbers bounded, and
the document validated into a Plan whose every reference is checked.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import (
    ValidationError,
)

from cscomp_cli.core.errors import PlanError
from cscomp_cli.core.strict_yaml import MAX_PLAN_NUMBER
from cscomp_cli.core.units import read_percent_strings, shortened
from cscomp_cli.plan.extends import refuse_stray_removes, resolve_extends
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.plan_files import (
    MAX_PLAN_BYTES,
    TOO_LARGE,
    TOO_LARGE_HINT,
    read_document,
    read_plan_file,
    record_read,
)
from cscomp_cli.plan.references import check_references, unknown_metric_names
from cscomp_cli.plan.wording import plan_error, plan_key_path


def load_plan(source: Path | str) -> Plan:
    """Read, parse and validate a plan file ('-' reads standard input)."""
    document, label = load_plan_document(source)
    return plan_from_document(document, label)


def load_plan_document(source: Path | str) -> tuple[dict, str]:
    """A plan file as plain data with extends resolved, not yet validated (for sweeps), and its label."""
    label = "<stdin>" if str(source) == "-" else str(source)
    if str(source) == "-":
        # read(n) stops at n bytes: an endless standard input costs no more than the cap.
        raw = sys.stdin.buffer.read(MAX_PLAN_BYTES + 1)
        if len(raw) > MAX_PLAN_BYTES:
            raise PlanError(TOO_LARGE, file=label, hint=TOO_LARGE_HINT)
    else:
        record_read(Path(source))
        raw = read_plan_file(Path(source), label)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanError("is not UTF-8 text", file=label, hint="save the plan as UTF-8") from None
    base = Path.cwd() if str(source) == "-" else Path(os.path.realpath(source)).parent
    chain = () if str(source) == "-" else (Path(os.path.realpath(source)),)
    return _resolved_document(text, label, base, chain), label


def parse_plan(text: str, label: str = "<plan>", *, base: Path | None = None, chain: tuple[Path, ...] = ()) -> Plan:
    """Validate plan YAML text; errors name the key path (or line and column) in `label`.

    ``base`` is the folder an ``extends:`` path is relative to (the plan's own folder); ``chain``
    the plan files already being read, to catch a cycle.
    """
    return plan_from_document(_resolved_document(text, label, base or Path.cwd(), chain), label)


def _resolved_document(text: str, label: str, base: Path, chain: tuple[Path, ...]) -> dict:
    document = read_document(text, label)
    if "extends" in document:
        document = resolve_extends(document, label, base, chain)
    else:
        refuse_stray_removes(document, label)
    # After extends: a child's "95%" replaces its parent's 0.9 like any other value.
    return read_percent_strings(document, label)


def plan_from_document(document: dict, label: str = "<plan>") -> Plan:
    """Validate a plan given as plain data (extends already resolved)."""
    document = read_percent_strings(document, label)
    check_numbers(document, label)
    try:
        plan = Plan.model_validate(document)
    except ValidationError as exc:
        error = plan_error(exc, label)
        # Unknown metric names are checked on the validated plan; when the plan has other problems
        # too, find them in the document so that validate lists every problem at once.
        named = {problem.location for problem in (error, *error.also)}
        extra = [p for p in unknown_metric_names(document, label) if p.location not in named]
        if extra:
            error.also = [*error.also, *extra]
        raise error from None
    check_references(plan, label)
    return plan


def check_numbers(node: Any, label: str, path: tuple = ()) -> None:
    """Every number in a plan is finite and at most MAX_PLAN_NUMBER in size.

    No real plan needs more, and a stray 1e308 or .inf would otherwise overflow the integer cents
    every payout is summed in.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            check_numbers(value, label, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            check_numbers(value, label, (*path, index))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        # Compare ints as ints: 10**400 is too large for a float, let alone for a plan.
        if (isinstance(node, float) and not math.isfinite(node)) or abs(node) > MAX_PLAN_NUMBER:
            raise PlanError(f"{shortened(repr(node))} is not a usable number (plan numbers are finite and at most "
                            f"{MAX_PLAN_NUMBER:,.0f} in size)", file=label, location=plan_key_path(path),
                            hint="check for a typo or a missing decimal point")
