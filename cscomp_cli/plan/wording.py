"""Pydantic's validation errors reworded for a CS leader: the key path as written in the plan, one
problem per place, plain words for the common mistakes and a hint that points into docs/plans.md.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import (
    ValidationError,
)

from cscomp_cli.core.errors import PlanError
from cscomp_cli.core.key_paths import is_union_label, key_path
from cscomp_cli.core.text import did_you_mean
from cscomp_cli.plan.components import (
    Clawback,
    CommissionComponent,
    CurveComponent,
    Tier,
)
from cscomp_cli.plan.model import (
    Condition,
    Credit,
    Guarantee,
    Modifier,
    PayMix,
    Plan,
    Ramp,
)
from cscomp_cli.plan.own_metrics import Band, CustomMetric, RowFilter
from cscomp_cli.plan.targets import BySegment, PctOfStartArr, SegmentWeights
from cscomp_cli.plan.vocabulary import (
    MAX_WINDOW,
)

_COMPONENT_TAGS = {"curve", "commission"}

_TARGET_TAGS = {"number", "quotas", "by_segment", "pct"}

# The sections of docs/plans.md for measurement periods, clawbacks and floors.
PERIOD_DOCS = "see 'Annual goals, advances and a true-up' in docs/plans.md"
CLAWBACK_DOCS = "see 'Clawbacks' in docs/plans.md"
FLOOR_DOCS = "see 'Ramps and guarantees' in docs/plans.md"

# Keys of the plan language that are real, but written at a place where they are not: where they go instead.
_PLAN_LEVEL = ("period", "advance", "recover", "ramp", "guarantee")
_BELONGS = {
    "clawback": "clawback goes on a commission component (kind: commission), e.g. components[1].clawback: "
                "{within: 2}",
    "within": "within goes in a commission component's clawback: {within: 2, share: 1.0}",
    "share": "share goes in a commission component's clawback: {within: 2, share: 1.0}",
    "floor": "floor goes in ramp: {quarters: 2, floor: 1.0} or guarantee: {floor: 0.9, quarters: 2}",
    **{key: f"{key} is a key of the plan itself (at the top level, beside name:)" for key in _PLAN_LEVEL},
}


_FIELD_NAMES = sorted(
    {name.rstrip("_") for model in (Plan, CurveComponent, CommissionComponent, Tier, Condition, Modifier, PayMix, Credit,
                        BySegment, PctOfStartArr, SegmentWeights, Band, RowFilter, CustomMetric, Ramp, Guarantee,
                        Clawback)
     for name, info in model.model_fields.items()} | {"in", "from"}
)


def plan_key_path(loc: tuple) -> str:
    """components[0].curve from pydantic's loc, without its union-branch labels."""
    return key_path(loc, _is_branch_label)


def _is_branch_label(item, previous) -> bool:
    # Tagged unions add the tag after the list index (components[0] -> 'curve') or after 'target';
    # plain unions add a type label such as 'constrained-float' or "literal['all']".
    if item in _COMPONENT_TAGS and isinstance(previous, int):
        return True
    if item in _TARGET_TAGS and previous == "target":
        return True
    return is_union_label(item) or item == "SegmentWeights"


def plan_error(exc: ValidationError, label: str) -> PlanError:
    problems = []
    for err in _without_other_branches(exc.errors()):
        loc = tuple(err["loc"])
        kind = err["type"]
        reworded = _reworded(loc, kind, err.get("input"))
        if reworded is not None:
            problems.append((plan_key_path(loc), reworded))
        elif kind == "extra_forbidden":
            key = loc[-1]
            where = plan_key_path(loc[:-1]) if len(loc) > 1 else "(top level)"
            if key in _BELONGS:  # a real key in the wrong place: say where it goes, not "did you mean" itself
                problems.append((where, f"unknown key '{key}' here: {_BELONGS[key]}"))
            else:
                problems.append((where, f"unknown key '{key}'" + did_you_mean(key, _FIELD_NAMES)))
        elif kind == "missing":
            problems.append((plan_key_path(loc), f"missing required key '{loc[-1]}'"))
        elif kind == "target" and isinstance(err.get("input"), str):
            given = err["input"]
            problems.append((plan_key_path(loc), f"'{given}' is not a target" + did_you_mean(given, ["quotas"])
                             + "; " + err["msg"]))
        elif kind == "component":
            given = err.get("input", {}).get("kind") if isinstance(err.get("input"), dict) else None
            problems.append((plan_key_path(loc) + (".kind" if given is not None else ""),
                             (f"unknown kind '{given}'; " if given is not None else "") + err["msg"]))
        else:
            message = err["msg"].removeprefix("Value error, ")
            given = err.get("input")
            if kind.endswith("_type") or kind.startswith(("literal", "greater", "less")):
                message += f" (got {given!r})" if not isinstance(given, (dict, list)) else ""
            if kind in ("float_type", "float_parsing") and isinstance(given, str):
                message += '; write a number such as 0.92, or a percentage such as "92%"'
            problems.append((plan_key_path(loc), message))
    # A misspelt key is one problem, not two: drop "missing required key 'metric'" when the same
    # mapping has "unknown key 'metirc' (did you mean 'metric'?)".
    typos = {(where, match[1]) for where, message in problems
             if (match := re.search(r"^unknown key .*\(did you mean '(.+)'\?\)$", message))}
    problems = [(where, message) for where, message in problems
                if not (message.startswith("missing required key")
                        and (_parent_path(where), where.rpartition(".")[2]) in typos)]
    # An unknown key usually explains the "missing" one next to it (a typo), so it goes first;
    # otherwise the most specific (longest) path reads best.
    problems.sort(key=lambda p: (not p[1].startswith("unknown"), -p[0].count(".") - p[0].count("[")))
    # A value that fits no branch of a union (a number or a map) is one problem, not one per branch.
    first_per_path = {}
    for where, message in problems:
        first_per_path.setdefault(where, message)
    where, message = problems[0]
    more = len(first_per_path) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''} in the plan)"
    also = [PlanError(text, file=label, location=path, hint=_hint_for(path, text))
            for path, text in list(first_per_path.items())[1:]]
    return PlanError(message, file=label, location=where, hint=_hint_for(where, message), also=also)


def _without_other_branches(errors: list[dict]) -> list[dict]:
    """Drop "should be a number" at weight: {by: segment, values: {SMB: -1}}: the value has the map's shape,
    so the problem is inside the map (the deeper error), not that it is no number."""
    paths = [plan_key_path(tuple(err["loc"])) for err in errors]
    # A rule of the map itself ({by: segment, values: {}}) is found at the map's own path.
    own_rule = {path for err, path in zip(errors, paths) if not err["type"].endswith("_type")}
    return [err for err, path in zip(errors, paths)
            if not (err["type"].endswith("_type") and isinstance(err.get("input"), (dict, list))
                    and (path in own_rule or any(other.startswith((path + ".", path + "[")) for other in paths)))]


def _reworded(loc: tuple, kind: str, given: Any) -> str | None:
    """A plain-words message for the mistakes pydantic would describe in its own terms, or None."""
    keys = [item for item in loc if isinstance(item, str) and not is_union_label(item)
            and item != "SegmentWeights"]
    last = keys[-1] if keys else None
    floors = _period_and_floor_words(keys, kind, given)
    if floors is not None:
        return floors
    in_metrics = bool(keys) and keys[0] == "metrics"
    if in_metrics and len(loc) == 1 and kind == "dict_type":
        return ("metrics: maps each metric's name to its definition, e.g. metrics: {csat: {column: csat, "
                "aggregate: mean}}")
    if in_metrics and len(loc) == 2 and kind == "model_type":
        return (f"metric '{loc[1]}' has no definition" if given is None else f"metric '{loc[1]}' is not a mapping") + (
            ": give column: and aggregate: (e.g. {column: csat, aggregate: mean}), or from: with filter: or window: "
            "(e.g. {from: nrr, window: 4})")
    if in_metrics and last == "column" and kind == "string_too_short":
        return "column: is empty; name a column of the accounts data, e.g. column: csat"
    if in_metrics and last == "window" and kind.startswith(("int_", "greater_than", "less_than", "bool")):
        quoted = "; write it without quotes" if isinstance(given, str) else ""
        return f"window is a whole number of quarters from 1 to {MAX_WINDOW} (got {given!r}){quoted}"
    if in_metrics and last == "filter" and kind in ("list_type", "too_short"):
        if kind == "too_short":
            return "filter: [] has no condition; list at least one, or remove filter:"
        return ("filter is a list of conditions, each a mapping: filter: [{column: churn_reason, not_in: [acquired]}] "
                "(or one '- column: …' line per condition)")
    if in_metrics and "filter" in keys and len(loc) == 4 and kind == "model_type":
        return "a filter condition is a mapping such as {column: churn_reason, not_in: [acquired, bankrupt]}"
    if in_metrics and last in ("in", "not_in") and kind == "list_type":
        return f"{last} takes a list of values: write {last}: [{given}]" if not isinstance(given, dict) else (
            f"{last} takes a list of values, e.g. {last}: [product_gap, acquired]")
    if in_metrics and last in ("in", "not_in") and kind == "too_short":
        effect = "no row would pass" if last == "in" else "it excludes nothing"
        return f"{last}: [] lists no value, so {effect}; list the values, or remove the condition"
    if in_metrics and last == "equals" and kind.endswith("_type") and isinstance(given, (list, dict)):
        return "equals takes one value (text, a number or yes/no); for several values write in: [a, b]"
    if keys == ["performance"] and kind in ("string_type", "dict_type") and not isinstance(given, (str, dict)):
        return ("performance is one metric (performance: nrr) or a map of metrics to weights (performance: "
                "{nrr: 0.7, csat: 0.3})" + (f" (got {given!r})" if not isinstance(given, list) else ""))
    return None


# Shares and floors with an upper bound: (the key path's keys, the bound, what the number means).
_SHARES = {
    ("advance",): (1, "advance is the share of the pay earned to date paid before the period's last quarter, "
                   "from 0 to 1, so 0.75 is 75 %"),
    ("guarantee", "floor"): (2, "guarantee.floor is a multiple of what was actually paid, from 0 to 2, so 0.9 is "
                             "90 %"),
    ("clawback", "share"): (1, "share is the part of the commission clawed back, from 0 to 1, so 1 is all of it"),
    ("ramp", "floor"): (None, "ramp.floor is a multiple of the target variable, above 0, so 1 is 100 %"),
}
_WHOLE_QUARTERS = {("ramp", "quarters"): 8, ("clawback", "within"): 8, ("guarantee", "quarters"): 40}


def _period_and_floor_words(keys: list, kind: str, given: Any) -> str | None:
    """Plain words for the keys of measurement periods, clawbacks and floors (SPEC 6.4–6.6)."""
    tail = tuple(keys[-2:]) if len(keys) >= 2 else tuple(keys)
    if keys[:1] == ["components"] and tail not in (("clawback", "share"), ("clawback", "within")):
        tail = ()
    if keys == ["advance"]:
        tail = ("advance",)
    number = isinstance(given, (int, float)) and not isinstance(given, bool)
    if tail in _SHARES and number and kind.startswith(("less_than", "greater_than")):
        bound, meaning = _SHARES[tail]
        name = tail[-1]
        if bound is not None and given > bound and given >= 5 and given <= 100 * bound:
            # 75 for 75 %: the most common slip there is.
            return f"{name} {given:g} looks like a percentage: write {given / 100:g} or {given:g}%; {meaning}"
        return f"{meaning} (got {given:g})"
    if tail in _WHOLE_QUARTERS and (kind.startswith(("int_", "greater_than", "less_than", "bool"))
                                    or (tail == ("guarantee", "quarters") and kind == "tuple_type")):
        bound = _WHOLE_QUARTERS[tail]
        what = f"{'.'.join(tail)} is a whole number of quarters from 1 to {bound}"
        if tail == ("guarantee", "quarters"):
            what += ", or a list of quarter labels such as [2026Q1, 2026Q2]"
            if isinstance(given, str) and not given.strip().isdigit():
                return f"{what}: write a list, quarters: [{given}], for one quarter (got {given!r})"
        quoted = "; write it without quotes" if isinstance(given, str) and given.strip().isdigit() else ""
        return f"{what} (got {given!r}){quoted}"
    if keys == ["period"] and kind == "literal_error":
        return _period_words(given)
    if keys == ["recover"] and kind.startswith("bool"):
        return (f"recover is true (a true-up below what was advanced is taken back) or false (it is forgiven) "
                f"(got {given!r})")
    if keys in (["ramp"], ["guarantee"]) and kind == "model_type":
        example = "{quarters: 2, floor: 1.0}" if keys == ["ramp"] else "{floor: 0.9, quarters: 2}"
        return f"{keys[0]} is a mapping such as {keys[0]}: {example}" + (f" (got {given!r})" if number else "")
    if keys[:1] == ["components"] and keys[-1] == "clawback" and kind == "model_type":
        return "clawback is a mapping such as clawback: {within: 2, share: 1.0}"
    return None


_PERIOD_WORDS = {"annual": "year", "annually": "year", "yearly": "year", "fy": "year", "fiscal year": "year",
                 "quarterly": "quarter", "q": "quarter", "semiannual": "half", "semi-annual": "half",
                 "half-year": "half", "half year": "half", "halfyear": "half", "semester": "half", "h": "half"}


def _period_words(given: Any) -> str:
    allowed = "period is quarter (the default), half or year"
    if given is None:
        return f"{allowed}; period: is empty (write one of them, or remove the key)"
    text = str(given).strip().lower()
    if text in ("quarter", "half", "year"):
        return f"{allowed}, in lower case: write period: {text} (got {given!r})"
    if text in _PERIOD_WORDS:
        return f"{allowed}: write period: {_PERIOD_WORDS[text]} (got {given!r})"
    if text.startswith("month") or text.startswith("week"):
        return (f"{allowed} (got {given!r}): a goal is measured over a quarter at the shortest, since pay is "
                "computed quarter by quarter")
    return f"{allowed} (got {given!r}): goals are measured over a calendar (or fiscal) quarter, half or year"


def _parent_path(where: str) -> str:
    """components[0].target.pct_of_start_arr -> components[0].target (the mapping holding the key)."""
    parent, dot, _ = where.rpartition(".")
    return parent if dot else "(top level)"


def _hint_for(where: str, message: str = "") -> str:
    misplaced = re.match(r"unknown key '(\w+)' here:", message)
    if misplaced:  # a real key in the wrong place: the section that describes it
        key = misplaced[1]
        return CLAWBACK_DOCS if key in ("clawback", "within", "share") else (
            FLOOR_DOCS if key in ("floor", "ramp", "guarantee") else PERIOD_DOCS)
    if where in ("period", "advance", "recover"):
        return PERIOD_DOCS
    if where.startswith(("ramp", "guarantee")):
        return FLOOR_DOCS
    if ".clawback" in where:
        return CLAWBACK_DOCS
    if where.startswith("metrics"):
        return "metrics of the plan's own are described under 'Metrics of your own' in docs/plans.md"
    if where.startswith("performance"):
        return "performance is described under 'Top performers' in docs/plans.md"
    if re.search(r"\.weight\b", where):
        return ("weight is a number (0.6, or 60%) or {by: segment, values: {Enterprise: 0.5, SMB: 0.2}, default: 0}; "
                "see 'Weights by segment' in docs/plans.md")
    if "curve" in where:
        return "a curve is a list of [x, payout] points, x strictly increasing, e.g. [[0.9, 0], [1.0, 1], [1.1, 1.5]]"
    if "tiers" in where:
        return "tiers look like [{up_to: 1.0, rate: 0.04}, {rate: 0.06}]"
    if "target" in where:
        return ("target is a number (1.0, or 100%), quotas, {by: segment, values: {...}, default: ...} or "
                "{pct_of_start_arr: 0.05}")
    if where == "currency":
        return ("currency is the code every amount is in (USD, EUR), or a symbol; nothing is converted; "
                "see currency in docs/plans.md")
    return "every key of the plan language is described in docs/plans.md, and `cscomp schema` lists them"
