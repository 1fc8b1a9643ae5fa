"""Percent strings in a plan: "92%" where a person would write it, read exactly as 0.92.

Only places where the plan language expects a number are read this way, so a plan name, an id, a
segment name or a quarter label that happens to contain "%" stays text. A filter's equals/in/not_in
value is the exception that proves the rule: a "%" there can only mean a number (the data holds no
percentage cells), so it is read as one. In pay_mix.variable_pct,
whose unit is already percent, "20%" means 20.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from cscomp_cli.core.errors import PlanError

# "92%", "92 %", "-30%", "+2.5%", ".5%", and "−30%" with the minus sign people paste from documents.
_PERCENT = re.compile(r"^\s*(?P<sign>[-+−]?)\s*(?P<digits>\d+(?:\.\d*)?|\.\d+)\s*%\s*$")
# The same, for the JSON Schema editors read (ECMA regex, no named groups).
PERCENT_PATTERN = r"^\s*[-+−]?\s*(\d+(\.\d*)?|\.\d+)\s*%\s*$"


def shortened(text: str, limit: int = 40) -> str:
    """Text for a message, cut in the middle when long (a 400-digit number is not worth repeating whole)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit // 2]}…{text[-10:]} ({len(text):,} characters)"


def percent_decimal(text: str, *, already_percent: bool = False) -> Decimal | None:
    """The exact number a percentage string stands for ("7%" is 0.07), or None when it is not one."""
    match = _PERCENT.match(text)
    if match is None:
        return None
    value = Decimal(match["digits"])
    if match["sign"] in ("-", "−"):
        value = -value
    return value if already_percent else value / 100


def percent_text(text: str, *, already_percent: bool = False) -> float | None:
    """The float a percentage string stands for, or None when ``text`` is not one.

    Decimal arithmetic first, so "7%" is exactly the float nearest 0.07, as if 0.07 had been written
    (7 / 100 in floats is 0.07000000000000001).
    """
    value = percent_decimal(text, already_percent=already_percent)
    return None if value is None else float(value)


def read_percent_strings(document: dict, label: str = "<plan>") -> dict:
    """A copy of a plan document with every percentage string at a number's place made a number."""
    doc = dict(document)
    _number_at(doc, "cap", "cap", label)
    _number_at(doc, "advance", "advance", label)
    for key in ("ramp", "guarantee"):  # floor: 100% or 90%
        if isinstance(doc.get(key), dict):
            doc[key] = dict(doc[key])
            _number_at(doc[key], "floor", f"{key}.floor", label)
    if isinstance(doc.get("credit"), dict):
        doc["credit"] = dict(doc["credit"])
        for key in doc["credit"]:
            _number_at(doc["credit"], key, f"credit.{key}", label)
    if isinstance(doc.get("pay_mix"), dict):
        mix = doc["pay_mix"] = dict(doc["pay_mix"])
        if isinstance(mix.get("variable_pct"), dict):
            by_segment = mix["variable_pct"] = dict(mix["variable_pct"])
            for key in by_segment:
                _number_at(by_segment, key, f"pay_mix.variable_pct.{key}", label, already_percent=True)
        else:
            _number_at(mix, "variable_pct", "pay_mix.variable_pct", label, already_percent=True)
    if isinstance(doc.get("components"), list):
        doc["components"] = [_component(item, f"components[{i}]", label) for i, item in enumerate(doc["components"])]
    if isinstance(doc.get("modifiers"), list):
        doc["modifiers"] = [_modifier(item, f"modifiers[{i}]", label) for i, item in enumerate(doc["modifiers"])]
    if isinstance(doc.get("performance"), dict):  # {nrr: 70%, csat: 30%}; a single metric name stays text
        weights = doc["performance"] = dict(doc["performance"])
        for key in weights:
            _number_at(weights, key, f"performance.{key}", label)
    if isinstance(doc.get("metrics"), dict):
        doc["metrics"] = {name: _metric(item, f"metrics.{name}", label) for name, item in doc["metrics"].items()}
    return doc


def _metric(item: Any, where: str, label: str) -> Any:
    """A custom metric's numbers: its share's where: bounds and its filters' values."""
    if not isinstance(item, dict):
        return item
    item = dict(item)
    if isinstance(item.get("where"), dict):
        band = item["where"] = dict(item["where"])
        for key in ("at_least", "below"):
            _number_at(band, key, f"{where}.where.{key}", label)
    if isinstance(item.get("filter"), list):
        conditions = item["filter"] = [dict(c) if isinstance(c, dict) else c for c in item["filter"]]
        for i, condition in enumerate(conditions):
            if not isinstance(condition, dict):
                continue
            # A value written "50%" is a number (0.5) in equals and in lists too: cells with a % sign are
            # not numbers in the data, so reading it as text would silently match nothing.
            # (Text that only contains a % sign, such as "100%_refund", stays text there.)
            for key in ("at_least", "below"):
                _number_at(condition, key, f"{where}.filter[{i}].{key}", label)
            _number_at(condition, "equals", f"{where}.filter[{i}].equals", label, text_allowed=True)
            for key in ("in", "not_in"):
                if isinstance(condition.get(key), list):
                    values = condition[key] = list(condition[key])
                    for j in range(len(values)):
                        _number_at(values, j, f"{where}.filter[{i}].{key}[{j}]", label, text_allowed=True)
    return item


def _component(item: Any, where: str, label: str) -> Any:
    if not isinstance(item, dict):
        return item
    item = dict(item)
    for key in ("weight", "target"):
        # Both may be a number or a by-segment map {by, values: {…}, default}; target also {pct_of_start_arr}.
        if isinstance(item.get(key), dict):
            item[key] = _per_segment(item[key], f"{where}.{key}", label)
        else:
            _number_at(item, key, f"{where}.{key}", label)
    for key in ("risk_adjust", "rate", "cap"):
        _number_at(item, key, f"{where}.{key}", label)
    if isinstance(item.get("clawback"), dict):
        clawback = item["clawback"] = dict(item["clawback"])
        _number_at(clawback, "share", f"{where}.clawback.share", label)
    if isinstance(item.get("curve"), list):
        curve = item["curve"] = [list(p) if isinstance(p, list) else p for p in item["curve"]]
        for i, point in enumerate(curve):
            if isinstance(point, list):
                for j in range(len(point)):
                    _number_at(point, j, f"{where}.curve[{i}][{j}]", label)
    if isinstance(item.get("tiers"), list):
        tiers = item["tiers"] = [dict(t) if isinstance(t, dict) else t for t in item["tiers"]]
        for i, tier in enumerate(tiers):
            if isinstance(tier, dict):
                for key in ("up_to", "rate"):
                    _number_at(tier, key, f"{where}.tiers[{i}].{key}", label)
    return item


def _per_segment(node: dict, where: str, label: str) -> dict:
    node = dict(node)
    if isinstance(node.get("values"), dict):
        values = node["values"] = dict(node["values"])
        for key in values:
            _number_at(values, key, f"{where}.values.{key}", label)
    for key in ("default", "pct_of_start_arr"):
        _number_at(node, key, f"{where}.{key}", label)
    return node


def _modifier(item: Any, where: str, label: str) -> Any:
    if not isinstance(item, dict):
        return item
    item = dict(item)
    _number_at(item, "multiply", f"{where}.multiply", label)
    if isinstance(item.get("when"), dict):
        when = item["when"] = dict(item["when"])
        for key in ("below", "at_least"):
            _number_at(when, key, f"{where}.when.{key}", label)
    return item


def _number_at(node: dict | list, key, where: str, label: str, *, already_percent: bool = False,
               text_allowed: bool = False) -> None:
    if isinstance(node, dict) and key not in node:
        return
    value = node[key]
    if not isinstance(value, str) or "%" not in value:
        return
    number = percent_text(value, already_percent=already_percent)
    if number is None and text_allowed:
        return
    if number is None:
        raise PlanError(f"'{shortened(value)}' is not a percentage", file=label, location=where,
                        hint='write a percentage as digits and a % sign, e.g. "92%" or "-2.5%", or as a '
                        "fraction such as 0.92")
    if not math.isfinite(number):  # hundreds of digits: too large even for a float
        raise PlanError(f"'{shortened(value)}' is too large a percentage", file=label, location=where,
                        hint="check for a typo or a missing decimal point")
    node[key] = number
