"""Fuzz: unit slips in the plan's own metrics and filters. The sample org (cut small) under the shipped
plans with metrics of their own and a plan using every kind of threshold on the sample's columns; at
random, a target, a curve, a modifier threshold, a filter's bounds or a share's band is scaled by 100 or
by 1/100, as a person writing 95 for 0.95 (or 0.5 for 50) does. Whatever the slip: exit 0, 1 or 2, no
traceback, no internal error, and whenever a value lands about 100 times outside what its column holds
in the data (every value 0.12 to 1 and a threshold of 80; every value 26 to 100 and a threshold of 0.5),
a warning names its key path. Thresholds left alone are never warned about.

Each case is a seed, so a failure names the exact input: CSCOMP_FUZZ_UNIT_CASES=500 runs more.
"""

from __future__ import annotations

import copy
import io
import json
import os
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from .conftest import REPO, run, sample_cut, write_files

CASES = int(os.environ.get("CSCOMP_FUZZ_UNIT_CASES", "24"))
FIRST = int(os.environ.get("CSCOMP_FUZZ_UNIT_FIRST", "0"))
KEEP_CSMS = {"C01", "C02", "C05", "C09", "C14", "C21"}
KEEP_QUARTERS = {"2026Q1", "2026Q2", "2026Q3", "2026Q4"}
# Aggregates whose value lies among the column's values, and the built-in metric that is a column's mean.
WITHIN = {"mean", "min", "max", "arr_weighted_mean"}
ZOO = {
    "name": "every threshold on the sample's columns",
    "performance": {"nrr": 0.5, "healthy_share": 0.25, "steady_nrr": 0.25},
    "metrics": {
        "adoption": {"column": "seat_adoption", "aggregate": "arr_weighted_mean"},
        "adoption_mean": {"column": "seat_adoption", "aggregate": "mean"},
        "risk_mean": {"column": "risk", "aggregate": "mean"},
        "healthy_share": {"column": "health", "aggregate": "share", "where": {"at_least": 70}},
        "adopted_share": {"column": "seat_adoption", "aggregate": "share", "where": {"at_least": 0.5, "below": 0.9}},
        "big_grr": {"from": "grr", "filter": [{"column": "seat_adoption", "at_least": 0.3},
                                              {"column": "health", "below": 95}]},
        "steady_nrr": {"from": "nrr", "filter": [{"column": "risk", "at_least": 0.1, "below": 0.9}]},
    },
    "components": [
        {"id": "adoption", "metric": "adoption", "weight": 0.3, "target": 0.8,
         "curve": [[0.8, 0], [1.0, 1.0], [1.2, 1.5]]},
        {"id": "health", "metric": "health", "weight": 0.2, "measure": "value",
         "curve": [[50, 0], [70, 1.0], [90, 1.5]]},
        {"id": "big_grr", "metric": "big_grr", "weight": 0.3, "target": 0.9, "curve": [[0.9, 0], [1.0, 1.0]]},
        {"id": "adoption_mean", "metric": "adoption_mean", "weight": 0.2, "measure": "value",
         "curve": [[0.4, 0], [0.7, 1.0]]},
    ],
    "modifiers": [
        {"id": "health_gate", "when": {"metric": "health", "below": 40}, "multiply": 0.8},
        {"id": "risk_gate", "when": {"metric": "risk_mean", "at_least": 0.6}, "multiply": 0.9,
         "applies_to": ["adoption"]},
        {"id": "share_gate", "when": {"metric": "adopted_share", "below": 0.2}, "multiply": 0.9},
    ],
}
PLANS = {"zoo": ZOO, **{path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
                        for path in sorted((REPO / "plans").glob("*.yaml"))
                        if "metrics:" in path.read_text(encoding="utf-8")}}


DATA = sample_cut(KEEP_CSMS, KEEP_QUARTERS)
ACCOUNTS = pd.read_csv(io.StringIO(DATA["accounts.csv"]))


def _range(column: str) -> tuple[float, float] | None:
    values = pd.to_numeric(ACCOUNTS[column], errors="coerce").dropna() if column in ACCOUNTS else pd.Series([])
    return (float(values.min()), float(values.max())) if len(values) else None


def _metric_column(plan: dict, name: str) -> str | None:
    """The column a metric's value lies among (a mean, a min, …; health), following from: chains."""
    metrics = plan.get("metrics") or {}
    while name in metrics and "from" in metrics[name]:
        name = metrics[name]["from"]
    if name == "health":
        return "health"
    spec = metrics.get(name)
    return spec["column"] if spec and spec.get("aggregate") in WITHIN else None


def _slots(plan: dict) -> list[tuple[str, str, list]]:
    """(key path, column, [(container, key)]) for every number judged against its column."""
    slots = []
    for i, component in enumerate(plan["components"]):
        column = _metric_column(plan, component["metric"])
        if column is None or component.get("kind", "curve") != "curve":
            continue
        if component.get("measure", "attainment") == "value":
            slots.append((f"components[{i}].curve", column, [(point, 0) for point in component["curve"]]))
        elif isinstance(component.get("target"), (int, float)):
            slots.append((f"components[{i}].target", column, [(component, "target")]))
        elif isinstance(component.get("target"), dict) and component["target"].get("by") == "segment":
            values = component["target"]["values"]
            slots.append((f"components[{i}].target", column, [(values, k) for k in values]))
    for i, modifier in enumerate(plan.get("modifiers") or []):
        column = _metric_column(plan, modifier["when"]["metric"])
        if column is not None:
            slots.append((f"modifiers[{i}].when", column, _bounds(modifier["when"])))
    for name, spec in (plan.get("metrics") or {}).items():
        if "where" in spec:
            slots.append((f"metrics.{name}.where", spec["column"], _bounds(spec["where"])))
        for j, condition in enumerate(spec.get("filter") or []):
            if _bounds(condition):
                slots.append((f"metrics.{name}.filter[{j}]", condition["column"], _bounds(condition)))
    return slots


def _bounds(node: dict) -> list:
    return [(node, key) for key in ("at_least", "below") if isinstance(node.get(key), (int, float))]


def _a_hundred_times_off(value: float, low: float, high: float) -> bool:
    """Whether a value is about 100 times outside what the column holds: a percentage on a column of
    fractions, or a fraction on a column of percentages or 0–100 scores (clear cases only)."""
    scale, size = max(abs(low), abs(high)), abs(value)
    if scale <= 1.5:
        return size > 2 and size >= 20 * scale and size <= 150
    if 20 <= scale <= 150:
        return 0 < size < 1 and size * 100 <= scale
    return False


def _heads(warnings: list[str]) -> list[str]:
    return [w.split(": ", 1)[0] for w in warnings]


def _about(heads: list[str], path: str) -> bool:
    """Whether a warning is at the key path, or at one of its keys (metrics.a.filter[0].at_least)."""
    return any(head == path or head.startswith(path + ".") for head in heads)


def _case(seed: int, folder: Path):
    rng = random.Random(seed)
    name = rng.choice(sorted(PLANS))
    plan = copy.deepcopy(PLANS[name])
    slots = _slots(plan)
    chosen = rng.sample(slots, k=min(len(slots), rng.randint(1, 2)))
    for _, column, places in chosen:
        # Mostly the slip a person makes on that column (95 for 0.95 on fractions, 0.5 for 50 on scores),
        # sometimes the other way: a value 10,000 times off, or nearer, must not crash either.
        span = _range(column)
        scale = max(abs(span[0]), abs(span[1])) if span else 1
        usual = 100 if scale <= 1.5 else 0.01
        factor = usual if rng.random() < 0.8 else rng.choice((100, 0.01))
        for container, key in places:
            container[key] = float(np.round(container[key] * factor, 9))
    write_files(folder, **DATA, **{"plan.yaml": yaml.safe_dump(plan, sort_keys=False, allow_unicode=True)})
    command = rng.choice((["validate"], ["stress-test", "--quarters", "2"], ["simulate", "--runs", "5",
                                                                          "--quarters", "2"]))
    args = [command[0], str(folder / "plan.yaml"), "--data", str(folder), *command[1:], "--format", "json"]
    return args, plan, chosen, [slot for slot in slots if slot not in chosen]


@pytest.mark.parametrize("seed", range(FIRST, FIRST + CASES))
def test_a_unit_slip_in_the_plans_own_numbers_is_named_and_never_crashes(tmp_path, seed):
    args, plan, mutated, untouched = _case(seed, tmp_path / "data")
    result = run(*args)
    shown = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), (seed, args, shown[-2000:])
    assert "Traceback" not in shown, (seed, args, shown[-2000:])
    assert "this is a bug in cscomp" not in result.stderr, (seed, args, result.stderr)
    if result.exit_code != 0:
        assert result.stderr.strip() or args[0] == "validate", (seed, args)
        return
    document = json.loads(result.stdout)
    raw = document["warnings"]
    warnings = [w if isinstance(w, str) else ": ".join(p for p in (w.get("location"), w["message"]) if p)
                for w in raw]
    heads = _heads(warnings)
    for path, column, places in mutated:
        span = _range(column)
        if span is None:
            continue
        if any(_a_hundred_times_off(container[key], *span) for container, key in places) and (
                not path.endswith(".curve") or all(_a_hundred_times_off(container[key], *span)
                                                   for container, key in places if container[key] != 0)):
            assert _about(heads, path), (seed, path, [c[k] for c, k in places], span, warnings)
    for path, column, _ in untouched:
        assert not _about(heads, path), (seed, path, warnings)
