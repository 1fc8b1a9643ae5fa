"""Where in a hand-written YAML file a problem is: pydantic's error locations as the key paths people
write (components[0].curve), so that a plan's and a data map's errors point at the same kind of place."""

from __future__ import annotations

import re
from collections.abc import Callable

# Plain unions add a type label such as 'constrained-float' or "literal['all']" to pydantic's loc.
_UNION_LABEL = re.compile(r"^(constrained-\w+|function-\w+\[.*|literal\[.*|list\[.*|dict\[.*|tuple\[.*"
                          r"|float|int|str|bool)$")


def is_union_label(item: object, previous: object = None) -> bool:
    """True for the type label pydantic adds to a location inside a plain union's branch."""
    return bool(_UNION_LABEL.match(str(item)))


def key_path(loc: tuple, is_branch_label: Callable[[object, object], bool] = is_union_label) -> str:
    """components[0].curve from pydantic's loc, without the labels of union branches.

    ``is_branch_label(item, previous)`` says which items are such labels; a file whose models use
    tagged unions passes one that knows its tags.
    """
    parts: list[str] = []
    previous = None
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif is_branch_label(item, previous):
            pass
        else:
            parts.append(("." if parts else "") + str(item))
        previous = item
    return "".join(parts) or "(top level)"
