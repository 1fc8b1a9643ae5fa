"""A data map that does not validate, as one MapError: the deepest problem first, at its key path,
and the others as its ``also`` (a person fixes them in one pass)."""

from __future__ import annotations

from pydantic import ValidationError

from cscomp_cli.core.errors import MapError
from cscomp_cli.core.key_paths import key_path

MAP_DOC = "docs/data.md"


def map_error(exc: ValidationError, label: str) -> MapError:
    problems = []
    errors = exc.errors()
    # A {column: ...} source that fails its own checks also fails the header-name (text) branch: that one is noise.
    errors = [e for e in errors if not (e["type"] == "string_type" and isinstance(e.get("input"), dict))] or errors
    for err in errors:
        loc = tuple(str(p) if not isinstance(p, int) else p for p in err["loc"])
        # Union branches (str | {column: ...}) add their type label to the path: drop it.
        loc = tuple(p for p in loc if p not in ("str", "Source", "list[str]", "function-after[_some_files(), "
                                                 "list[str]]") and not str(p).startswith("function-"))
        kind = err["type"]
        if kind == "extra_forbidden":
            key = loc[-1]
            problems.append((key_path(loc[:-1]) if len(loc) > 1 else "(top level)", f"unknown key '{key}'"))
        elif kind == "missing":
            problems.append((key_path(loc), f"missing required key '{loc[-1]}'"))
        else:
            given = err.get("input")
            message = err["msg"].removeprefix("Value error, ")
            if not isinstance(given, (dict, list)) and kind.endswith(("_type", "literal_error")):
                message += f" (got {given!r})"
            problems.append((key_path(loc), message))
    # A column written {value: ..., when: ...} fails both branches of str | Source: the Source one says why.
    problems.sort(key=lambda p: (not p[1].startswith("unknown"), -p[0].count("."), "valid string" in p[1]))
    where, message = problems[0]
    seen = {where}
    also = []
    for path, text in problems[1:]:
        if path not in seen:
            seen.add(path)
            also.append(MapError(text, file=label, location=path, hint=f"see {MAP_DOC}"))
    if also:
        message += f" (and {len(also)} more problem{'s' if len(also) > 1 else ''} in the map)"
    return MapError(message, file=label, location=where,
                    hint=f"every key of the data map is described in {MAP_DOC}", also=also)
