"""`cscomp plan-diff A B`: what differs between two fully resolved plans (extends applied,
defaults filled in), so a proposal can be reviewed like code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cscomp_cli.plan.model import Plan


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
    data = plan.model_dump(mode="json", exclude={"extends"}, by_alias=True)  # from: and in:, as written
    for component in data["components"]:
        if component.get("quarters") is not None:
            component["quarters"] = list(component["quarters"])
    # A metric's definition shows only the keys it has: {column: csat, aggregate: mean}, not six nulls.
    data["metrics"] = {name: _without_nulls(definition) for name, definition in data["metrics"].items()}
    if isinstance(data["performance"], dict):
        # A combined score rescales its weights to sum to 1: {nrr: 70, csat: 30} ranks as {nrr: 0.7, csat: 0.3}.
        total = sum(data["performance"].values())
        data["performance"] = {name: round(weight / total, 9) for name, weight in data["performance"].items()}
    return data


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


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
    if path.endswith(".filter") and isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        # Conditions changed in place read best one by one: metrics.cgrr.filter[0].not_in.
        return [change for i, (one, other) in enumerate(zip(a, b)) for change in _diff(one, other, f"{path}[{i}]")]
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


def diff_document(first: str, second: str, changes: list) -> dict:
    """plan-diff's JSON form: the two plans as named, and every change between them."""
    return {"from": first, "to": second, "changes": [change.as_dict() for change in changes]}
