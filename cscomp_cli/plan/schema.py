"""The JSON Schema of the plan language that `cscomp schema` serves, made from the same models that
validate a plan, so that editors and cscomp agree.
"""

from __future__ import annotations

from typing import Any

from cscomp_cli.core.units import PERCENT_PATTERN
from cscomp_cli.plan.model import Plan


def plan_json_schema() -> dict:
    """The JSON Schema of the plan language."""
    schema = percent_strings_allowed(Plan.model_json_schema())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cscomp plan"
    return schema


_NUMBER_KEYS = ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def percent_strings_allowed(node: Any) -> Any:
    """Wherever the schema takes a number it also takes a percentage string, as cscomp does."""
    if isinstance(node, list):
        return [percent_strings_allowed(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: percent_strings_allowed(value) for key, value in node.items()}
    if node.get("type") == "number" and "anyOf" not in node:
        number = {key: node.pop(key) for key in _NUMBER_KEYS if key in node}
        node["anyOf"] = [number, {"type": "string", "pattern": PERCENT_PATTERN,
                                  "description": 'a percentage, e.g. "92%" for 0.92'}]
    return node
