"""`cscomp plan-diff A B`: what differs between two fully resolved plans (extends applied,
defaults filled in), so a proposal can be reviewed like code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.plausibility import as_written


@dataclass(frozen=True)
class Change:
    """One difference: added (+), removed (-) or changed (~) at a key path, and, for the keys whose numbers do
    not speak for themselves (a period, an advance, a floor, a clawback), what it means in words."""

    kind: str  # "added", "removed", "changed"
    path: str
    before: Any = None
    after: Any = None
    words: str | None = None

    def as_dict(self) -> dict:
        return {"change": self.kind, "path": self.path, "before": self.before, "after": self.after,
                "words": self.words}


def resolved(plan: Plan) -> dict:
    """The plan as plain data with every default filled in (what the engine actually runs)."""
    data = plan.model_dump(mode="json", exclude={"extends"}, by_alias=True)  # from: and in:, as written
    for component in data["components"]:
        if component.get("quarters") is not None:
            component["quarters"] = list(component["quarters"])
    # A metric's definition shows only the keys it has: {column: csat, aggregate: mean}, not six nulls.
    data["metrics"] = {name: _without_nulls(definition) for name, definition in data["metrics"].items()}
    # A floor or a clawback is there or not: adding one reads "+ guarantee: {…}", not "null → {…}".
    for key in ("ramp", "guarantee"):
        if data.get(key) is None:
            data.pop(key, None)
    for component in data["components"]:
        if "clawback" in component and component["clawback"] is None:
            del component["clawback"]
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
    return [_with_words(change) for change in _diff(resolved(a), resolved(b), "")]


def _pct(value: Any) -> str:
    return f"{as_written(value * 100)} %" if isinstance(value, (int, float)) and not isinstance(value, bool) else "?"


_PERIODS = {"quarter": "each quarter on its own",
            "half": "the half-year to date (paid quarterly as an advance, trued up in the half's last quarter)",
            "year": "the year to date (paid quarterly as an advance, trued up in the year's last quarter)"}


def _guaranteed_quarters(quarters: Any) -> str:
    if isinstance(quarters, int):
        return "the first replayed quarter" if quarters == 1 else f"the first {quarters} replayed quarters"
    return ", ".join(map(str, quarters or []))


def _ramp_words(ramp: dict) -> str:
    first = "quarter" if ramp.get("quarters") == 1 else f"{ramp.get('quarters')} quarters"
    return (f"new CSMs are paid at least {_pct(ramp.get('floor'))} of their target variable in their first {first} "
            "(from the one holding their start_date)")


def _guarantee_words(guarantee: dict) -> str:
    return (f"nobody is paid less than {_pct(guarantee.get('floor'))} of what they were actually paid, in "
            f"{_guaranteed_quarters(guarantee.get('quarters'))}")


def _clawback_words(clawback: dict) -> str:
    within = clawback.get("within")
    return (f"{_pct(clawback.get('share'))} of the commission paid on an account in the {within} "
            f"quarter{'s' if within != 1 else ''} before it churns is taken back")


def _with_words(change: Change) -> Change:
    """The change with what it means for the people paid, for the keys of periods, floors and clawbacks."""
    words = _words(change)
    return change if words is None else Change(change.kind, change.path, change.before, change.after, words)


def _words(change: Change) -> str | None:
    path, before, after = change.path, change.before, change.after
    if path == "period":
        return f"goals are measured over {_PERIODS.get(after, after)}, instead of {_PERIODS.get(before, before)}"
    if path == "advance":
        return (f"paid before the period's last quarter: {_pct(before)} → {_pct(after)} of the pay earned to date "
                "(the rest waits for the true-up)")
    if path == "recover":
        now, was = ("taken back", "forgiven") if after else ("forgiven", "taken back")
        return f"a true-up below what was advanced is now {now} (it was {was})"
    for key, said in (("ramp", _ramp_words), ("guarantee", _guarantee_words)):
        if path == key and change.kind == "added":
            return f"a {key} is added: {said(after)}"
        if path == key and change.kind == "removed":
            return f"the {key} is removed (it was: {said(before)})"
    if path == "ramp.floor":
        return f"new CSMs' floor: {_pct(before)} → {_pct(after)} of their target variable"
    if path == "ramp.quarters":
        return f"quarters a new CSM's floor lasts: {before} → {after}"
    if path == "guarantee.floor":
        return f"the share of actual pay guaranteed: {_pct(before)} → {_pct(after)}"
    if path == "guarantee.quarters":
        return f"guaranteed quarters: {_guaranteed_quarters(before)} → {_guaranteed_quarters(after)}"
    component, _, rest = path.partition("].")
    component = component.removeprefix("components[")
    if not path.startswith("components[") or not rest.startswith("clawback"):
        return None
    if rest == "clawback" and change.kind == "added":
        return f"a clawback is added on {component}: {_clawback_words(after)}"
    if rest == "clawback" and change.kind == "removed":
        return f"the clawback on {component} is removed (it was: {_clawback_words(before)})"
    if rest == "clawback.within":
        return f"quarters a churn reaches back for {component}'s clawback: {before} → {after}"
    if rest == "clawback.share":
        return f"the share of {component}'s commission clawed back: {_pct(before)} → {_pct(after)}"
    return None


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
