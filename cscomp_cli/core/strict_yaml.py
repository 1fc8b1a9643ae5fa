"""Strict YAML for the files people write by hand (plans, data maps): PyYAML's safe loader, refusing duplicate keys,
alias bombs, runaway nesting and over-long numbers, with errors that name the line and what it usually means.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from cscomp_cli.core.errors import PlanError

MAX_PLAN_NUMBER = 1e12  # a trillion: beyond any rate, weight, target or cap

MAX_PLAN_NODES = 100_000  # far beyond any real plan; stops a YAML alias bomb from expanding

# A plan nests five or six levels (components, one, its target, by segment, values); the limit keeps
# every step that walks a plan (the YAML composer first) far from Python's recursion limit.
MAX_PLAN_DEPTH = 64

# Characters in one number: a plan number is at most 13 digits and some decimals. Python refuses to
# read an integer of more than 4,300 digits, and YAML's 1:2:3 (base 60) form grows quadratically.
MAX_NUMBER_CHARACTERS = 100


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML would silently keep the last one), nesting
    deeper than MAX_PLAN_DEPTH (aliases included) and numbers too long to be plan numbers."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0
        self.heights: dict[int, int] = {}  # id(node) → levels from it down to its deepest value

    def compose_node(self, parent, index):
        mark = self.peek_event().start_mark
        self.depth += 1
        try:
            if self.depth > MAX_PLAN_DEPTH:
                raise _too_deep(mark)
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        children = (node.value if isinstance(node, yaml.SequenceNode) else
                    [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else [])
        # An alias returns a node composed earlier: it is as deep here as it was there.
        height = self.heights[id(node)] = 1 + max((self.heights.get(id(c), 1) for c in children), default=0)
        if self.depth + height > MAX_PLAN_DEPTH:
            raise _too_deep(mark)
        return node

    def construct_number(self, node):
        if len(node.value) > MAX_NUMBER_CHARACTERS:
            raise PlanError(f"a number written with {len(node.value):,} characters is too large for a plan (plan "
                            f"numbers are at most {MAX_PLAN_NUMBER:,.0f} in size)",
                            location=f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}",
                            hint="check for a typo or a missing decimal point")
        constructor = yaml.SafeLoader.yaml_constructors[node.tag]
        return constructor(self, node)

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) or key is None:
                if key in seen:
                    mark = key_node.start_mark
                    raise PlanError(
                        f"key '{key}' appears twice in one mapping (first on line {seen[key].line + 1})",
                        location=f"line {mark.line + 1}, column {mark.column + 1}",
                        hint="remove one of them; YAML would otherwise silently keep only the last",
                    )
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def _too_deep(mark) -> PlanError:
    return PlanError(f"nested more than {MAX_PLAN_DEPTH} levels deep",
                     location=f"line {mark.line + 1}, column {mark.column + 1}",
                     hint="a plan needs only a few levels (a component, its curve, a point); check the brackets "
                     "and indentation around this line")


for _tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
    _StrictLoader.add_constructor(_tag, _StrictLoader.construct_number)

# YAML 1.1 (PyYAML) reads 1e5 as the string "1e5"; people writing a plan mean the number, as YAML 1.2 does.
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def load_yaml(text: str, label: str) -> Any:
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:
        # The reader refuses control characters before any parsing: say where the byte is.
        before = text[:exc.position]
        where = f"line {before.count(chr(10)) + 1}, column {exc.position - before.rfind(chr(10))}"
        raise PlanError(f"contains a character YAML does not allow (U+{exc.character:04X})", file=label,
                        location=where, hint="remove the character; save the plan as plain UTF-8 text") from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise PlanError("plan is empty", file=label, hint="start from one of the files in plans/")
        if _expanded_size(node, {}) > MAX_PLAN_NODES:
            raise PlanError("plan expands to too many values (a YAML alias bomb?)", file=label,
                            hint="a plan needs only a few hundred values; remove the nested aliases")
        return loader.construct_document(node)
    except PlanError as exc:
        exc.file = label
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanError(f"YAML syntax error: {problem}", file=label, location=where,
                        hint=_yaml_hint(exc, text)) from None
    finally:
        loader.dispose()


def _yaml_hint(exc: yaml.YAMLError, text: str) -> str:
    """What a YAML parser error usually means in a hand-written plan, naming the line to look at.

    PyYAML's words ("expected <block end>, but found '?'") describe its parser, not the file; nearly
    always the cause is one line indented differently from its neighbours.
    """
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return "check indentation and that every ':' is followed by a space"
    problem = getattr(exc, "problem", None) or ""
    lines = text.splitlines()
    line = mark.line + 1
    context = getattr(exc, "context_mark", None)

    def indent(number: int) -> int | None:
        if not 1 <= number <= len(lines):
            return None
        content = lines[number - 1]
        return len(content) - len(content.lstrip(" "))

    def above(number: int) -> int | None:
        """The nearest line above ``number`` with content (blank and comment lines do not count)."""
        for candidate in range(number - 1, 0, -1):
            stripped = lines[candidate - 1].strip()
            if stripped and not stripped.startswith("#"):
                return candidate
        return None

    same_column = ("keys of one mapping, and the '- ' items of one list, must start in the same column; "
                   "indent with spaces")
    if "'\\t'" in problem:  # PyYAML quotes the tab as '\t'
        return f"line {line} is indented with a tab: YAML indents with spaces only, so replace the tab with spaces"
    previous = above(line)
    if problem.startswith("expected <block end>"):
        if previous is not None and indent(previous) is not None and indent(line) != indent(previous):
            return (f"line {line} starts in column {indent(line) + 1} but line {previous} above it in column "
                    f"{indent(previous) + 1}: {same_column}")
        return f"check the indentation of line {line} and the lines above it: {same_column}"
    if problem.startswith("mapping values are not allowed"):
        if previous is not None and (indent(line) or 0) > (indent(previous) or 0):
            return (f"line {line} is indented further than line {previous}, so YAML reads it as the rest of line "
                    f"{previous}'s value; indent it like line {previous}")
        return (f"line {line} has a second ':' inside one value; put the value in quotes, e.g. name: \"FY27: NRR\", "
                "or check its indentation")
    if problem.startswith("could not find expected ':'") and context is not None:
        start = context.line + 1
        return (f"line {start} has no ':' after its key (write key: value, with a space after the colon), or line "
                f"{line} is not indented like the lines above it")
    if problem.startswith("expected ','") and context is not None:
        return (f"the list or mapping opened on line {context.line + 1} is not closed where YAML expected: check its "
                "brackets and commas")
    return f"check the indentation of line {line} and that every ':' is followed by a space"


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Values the node becomes once every alias is expanded (shared nodes counted each time)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_PLAN_NODES + 1  # a recursive alias counts as too large
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(v, memo) for v in node.value)
    else:
        size = 1
    memo[key] = min(size, MAX_PLAN_NODES + 1)
    return memo[key]
