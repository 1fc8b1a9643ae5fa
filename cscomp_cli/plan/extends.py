"""extends: a plan that states only what changes (SPEC 3.6): the parent's document with the child's keys
laid over it, components and modifiers matched by id.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cscomp_cli.core.errors import PlanError
from cscomp_cli.plan.plan_files import (
    read_document,
    read_plan_file,
    record_read,
)

MAX_EXTENDS_DEPTH = 20  # plans extending plans: a real chain is two or three deep


def resolve_extends(child: dict, label: str, base: Path, chain: tuple[Path, ...]) -> dict:
    """The child's parent (read and resolved first), with the child's keys laid over it."""
    reference = child["extends"]
    if not isinstance(reference, str) or not reference.strip():
        raise PlanError("extends names the plan file this one builds on", file=label, location="extends",
                        hint="e.g. extends: current.yaml (relative to this plan's folder)")
    if "\0" in reference:
        raise PlanError("extends names a file with a NUL character in its name", file=label, location="extends",
                        hint="write the parent plan's file name, e.g. extends: current.yaml")
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise PlanError(f"extends chains more than {MAX_EXTENDS_DEPTH} plans deep (from {chain[0].name} on)",
                        file=label, location="extends",
                        hint="a plan needs a parent or two; let one of them stand on its own")
    # realpath, unlike Path.resolve, does not raise on a symlink loop: opening the file then says so.
    path = Path(os.path.realpath(base / reference))
    if path in chain:
        cycle = " → ".join(p.name for p in (*chain, path))
        raise PlanError(f"extends goes round in a circle: {cycle}", file=label, location="extends",
                        hint="one of these plans must stand on its own")
    record_read(path)
    if not path.exists() and not path.is_symlink():
        raise PlanError(f"the plan it extends, {reference}, is not found (looked for {path})", file=label,
                        location="extends", hint="paths in extends are relative to the extending plan's folder")
    raw = read_plan_file(path, str(path), extended_by=label)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanError("is not UTF-8 text", file=str(path), hint="save the plan as UTF-8") from None
    parent = read_document(text, str(path))
    if "extends" in parent:
        parent = resolve_extends(parent, str(path), path.parent, (*chain, path))
    else:
        refuse_stray_removes(parent, str(path))
    merged = _overlay(parent, {k: v for k, v in child.items() if k != "extends"}, label)
    return merged


def _overlay(parent: dict, child: dict, label: str, path: tuple = ()) -> dict:
    """Child keys over parent keys; mappings merge key by key; components and modifiers by id."""
    merged = dict(parent)
    for key, value in child.items():
        here = (*path, key)
        if not path and key in ("components", "modifiers") and isinstance(value, list):
            inherited = parent.get(key)
            merged[key] = _overlay_by_id(inherited if isinstance(inherited, list) else [], value, label, key)
        elif _replaces_whole(here, value):
            merged[key] = value
        elif isinstance(value, dict) and isinstance(parent.get(key), dict):
            merged[key] = _overlay(parent[key], value, label, here)
        else:
            merged[key] = value
    return merged


def _replaces_whole(path: tuple, value: Any) -> bool:
    """Mappings a child states whole: a combined score's weights ({nrr: 1, grr: 1} over {nrr: 0.7, csat: 0.3}
    is not meant to keep csat), and a metric of the plan's own that names its source again (column: or
    from:), which is a new definition, not a change to the parent's. A floor (ramp:, guarantee:) is one
    promise stated whole too: a child's guarantee: {floor: 0.8, quarters: [2027Q1]} is not meant to keep the
    parent's other quarters, nor its ramp: {quarters: 3} a floor the child does not state."""
    if path in (("performance",), ("ramp",), ("guarantee",)):
        return True
    return len(path) == 2 and path[0] == "metrics" and isinstance(value, dict) and bool(value.keys() & {"column", "from"})


def _overlay_by_id(parent: list, child: list, label: str, key: str) -> list:
    """Items with a parent's id change it (remove: true drops it); new ids are added at the end."""
    items = [dict(item) if isinstance(item, dict) else item for item in parent]
    index = {item.get("id"): i for i, item in enumerate(items) if isinstance(item, dict)}
    removed: set[int] = set()
    for position, item in enumerate(child):
        if not isinstance(item, dict) or item.get("id") not in index:
            if isinstance(item, dict) and item.get("remove") is True:
                raise PlanError(f"cannot remove '{item.get('id')}': the plan it extends has no such id",
                                file=label, location=f"{key}[{position}].id",
                                hint=f"ids in the parent: {', '.join(str(i) for i in index)}")
            items.append(item)
            continue
        at = index[item["id"]]
        if item.get("remove") is True:
            removed.add(at)
            continue
        changes = {k: v for k, v in item.items() if k != "remove"}
        items[at] = _overlay(items[at], changes, label, (key, at))
    return [item for i, item in enumerate(items) if i not in removed]


def refuse_stray_removes(document: dict, label: str) -> None:
    for key in ("components", "modifiers"):
        items = document.get(key)
        for position, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and "remove" in item:
                raise PlanError("remove: true drops a component or modifier of the plan this one extends, but "
                                "this plan extends none", file=label, location=f"{key}[{position}].remove",
                                hint="add extends: <parent plan>, or delete the item instead")
