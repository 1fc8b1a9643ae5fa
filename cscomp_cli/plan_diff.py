"""`cscomp plan-diff A B`: what differs between two fully resolved plans (extends applied,
defaults filled in), so a proposal can be reviewed like code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .plan import Plan


@dataclass(frozen=True)
class Change:
    """One difference: added (+), removed (-) or changed (~) at a key path."""

    kind: str  # "added", "removed", "changed"
    path: str
    before: Any = None
    after: Any = None

    def as_dict(self) -> dict:
        return {"change": self.kind, "path": self.path, "before": self.before, "after": self.after}


def resolved(plan: Plan) -> dict:
    """The plan as plain data with every default filled in (what the engine actually runs)."""
    data = plan.model_dump(mode="json", exclude={"extends"})
    for component in data["components"]:
        if component.get("quarters") is not None:
            component["quarters"] = list(component["quarters"])
    return data


def diff_plans(a: Plan, b: Plan) -> list[Change]:
    """Every difference from plan a to plan b, components and modifiers matched by id."""
    return _diff(resolved(a), resolved(b), "")


def _diff(a: Any, b: Any, path: str) -> list[Change]:
    if isinstance(a, dict) and isinstance(b, dict):
        changes: list[Change] = []
        for key in list(a) + [k for k in b if k not in a]:
            here = f"{path}.{key}" if path else str(key)
            if key not in b:
                changes.append(Change("removed", here, before=a[key]))
            elif key not in a:
                changes.append(Change("added", here, after=b[key]))
            elif key in ("components", "modifiers") and not path:
                changes.extend(_diff_by_id(a[key], b[key], key))
            else:
                changes.extend(_diff(a[key], b[key], here))
        return changes
    if a != b:
        return [Change("changed", path, before=a, after=b)]
    return []


def _diff_by_id(a: list[dict], b: list[dict], key: str) -> list[Change]:
    before = {item["id"]: item for item in a}
    after = {item["id"]: item for item in b}
    changes: list[Change] = []
    for item_id in list(before) + [i for i in after if i not in before]:
        here = f"{key}[{item_id}]"
        if item_id not in after:
            changes.append(Change("removed", here, before=before[item_id]))
        elif item_id not in before:
            changes.append(Change("added", here, after=after[item_id]))
        else:
            changes.extend(_diff(before[item_id], after[item_id], here))
    if [i for i in before if i in after] != [i for i in after if i in before]:
        changes.append(Change("changed", f"{key} (order)", before=list(before), after=list(after)))
    return changes
