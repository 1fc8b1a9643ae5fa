"""The package's shape: layers that import only downwards, no import cycle, nothing private borrowed,
no module too long to read, one renderer per format for every result it is offered in, and a
docs/architecture.md whose folders exist. Read from the source with ast, nothing imported."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from cscomp_cli.analyses.result import Kind
from cscomp_cli.render.formats import MODULES, OFFERED, Format

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "cscomp_cli"
MAX_LINES = 600
# Each layer may import the layers listed after it (and itself), never one before it.
LAYERS = ["commands", "render", "analyses", "engine", "inputs", "plan", "core"]
# What a layer may import beyond the layers below it: the plan and the inputs are read side by side,
# and neither reads the other.
NOT_BELOW = {"inputs": {"plan"}, "plan": {"inputs"}}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES_FOUND = _modules()


def _imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every `from cscomp_cli… import name` in the file, at any depth (function-level too)."""
    pairs = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0 or PACKAGE not in path.parents, f"{path}: relative import (the package imports absolutely)"
            if node.module and node.module.startswith("cscomp_cli"):
                pairs += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            pairs += [(alias.name, "") for alias in node.names if alias.name.startswith("cscomp_cli")]
    return pairs


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES_FOUND.items():
        targets = set()
        for imported, name in _imports(path):
            target = f"{imported}.{name}" if f"{imported}.{name}" in MODULES_FOUND else imported
            if target in MODULES_FOUND and target != module:
                targets.add(target)
        graph[module] = targets
    return graph


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in LAYERS else None


def test_no_import_cycle_even_through_function_level_imports():
    graph = _graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_layers_import_only_downwards():
    wrong = []
    for module, targets in _graph().items():
        layer = _layer(module)
        if layer is None:
            continue
        allowed = set(LAYERS[LAYERS.index(layer):]) - NOT_BELOW.get(layer, set())
        wrong += [f"{module} imports {target}" for target in targets
                  if _layer(target) is not None and _layer(target) not in allowed]
    assert wrong == []


def test_no_private_name_is_imported_from_another_module():
    borrowed = [f"{path.relative_to(REPO)} imports {name} from {module}"
                for path in [*MODULES_FOUND.values(), *(REPO / "tests").glob("*.py"), *(REPO / "benchmarks").glob("*.py")]
                for module, name in _imports(path)
                if name.startswith("_") and not name.startswith("__")]
    assert borrowed == []


def test_no_module_is_too_long_to_read_top_to_bottom():
    long = {str(path.relative_to(REPO)): n for path in MODULES_FOUND.values()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_package_folders_hold_nothing_but_a_docstring_in_their_init():
    for init in PACKAGE.rglob("__init__.py"):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
        if init.parent == PACKAGE:
            body = [node for node in body if not (isinstance(node, ast.Assign)
                                                  and [t.id for t in node.targets] == ["__version__"])]
        assert body == [], init


@pytest.mark.parametrize("output_format", list(Format))
def test_each_format_renders_exactly_the_results_it_is_offered_for(output_format):
    renderers = importlib.import_module(MODULES[output_format])
    rendered = set(renderers.RENDERERS) | set(getattr(renderers, "PLAIN_TEXT", {}))
    assert rendered == {kind for kind in Kind if output_format in OFFERED[kind]}


def test_every_kind_of_result_is_offered_as_a_table_and_as_json():
    assert all({Format.table, Format.json} <= set(OFFERED[kind]) for kind in Kind)


def test_architecture_doc_names_only_folders_and_modules_that_exist():
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(cscomp_cli/[\w/]+(?:\.py)?)`", text))
    assert len(named) >= 8  # the layers at least
    missing = sorted(name for name in named if not (REPO / name).exists())
    assert missing == []
    for layer in LAYERS:
        assert f"`cscomp_cli/{layer}/`" in text, layer
