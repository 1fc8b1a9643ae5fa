"""Plans that state only what changes (extends:), and plan-diff between fully resolved plans."""

from __future__ import annotations

import json
import textwrap

import pytest

from cscomp_cli.core.errors import PlanError
from cscomp_cli.plan.loading import load_plan

from .conftest import REPO, assert_user_error, run

PARENT = """\
name: parent
cap: 2.0
credit: {expansion: 1.0, cross_sell: 0.5}
components:
  - {id: retention, metric: grr, weight: 0.6, target: 0.9, curve: [[0.9, 0], [1.0, 1.0]]}
  - {id: expansion, metric: gross_expansion, weight: 0.4, target: {pct_of_start_arr: 0.05}, curve: [[1.0, 1.0]]}
modifiers:
  - {id: gate, when: {metric: nps, below: 0}, multiply: 0.5, applies_to: [expansion]}
"""


def write(tmp_path, **plans: str):
    for name, text in plans.items():
        path = tmp_path / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_a_child_overrides_keys_and_merges_components_by_id(tmp_path):
    write(tmp_path, parent=PARENT, child="""\
        extends: parent.yaml
        name: child
        credit: {cross_sell: 0.25}
        components:
          - {id: retention, weight: 0.5}
          - {id: expansion, remove: true}
          - {id: nrr, metric: nrr, weight: 0.5, target: 1.0, curve: [[1.0, 1.0]]}
        modifiers:
          - {id: gate, remove: true}
        """)
    plan = load_plan(tmp_path / "child.yaml")
    assert plan.name == "child" and plan.cap == 2.0  # cap inherited
    assert (plan.credit.expansion, plan.credit.cross_sell) == (1.0, 0.25)  # mappings merge key by key
    assert [c.id for c in plan.components] == ["retention", "nrr"]
    retention = plan.components[0]
    assert (retention.metric, retention.weight, retention.target) == ("grr", 0.5, 0.9)  # only weight changed
    assert plan.modifiers == []


def test_a_chain_of_extends_relative_to_each_plan(tmp_path):
    write(tmp_path, **{"base/parent": PARENT, "base/middle": "extends: parent.yaml\ncap: 3.0\n",
                       "proposals/child": "extends: ../base/middle.yaml\nname: grandchild\n"})
    plan = load_plan(tmp_path / "proposals" / "child.yaml")
    assert (plan.name, plan.cap, len(plan.components)) == ("grandchild", 3.0, 2)


def test_a_cycle_is_a_clear_error(tmp_path):
    write(tmp_path, a="extends: b.yaml\nname: a\n", b="extends: a.yaml\nname: b\n")
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path / "a.yaml")
    assert "extends goes round in a circle: a.yaml → b.yaml → a.yaml" in caught.value.message
    assert caught.value.location == "extends"


def test_a_missing_parent_is_a_clear_error(tmp_path, data_dir):
    write(tmp_path, child="extends: nowhere.yaml\nname: c\n")
    result = run("stress-test", tmp_path / "child.yaml", "--data", data_dir())
    assert_user_error(result, "child.yaml", "extends", "the plan it extends, nowhere.yaml, is not found")


def test_removing_an_id_the_parent_lacks(tmp_path):
    write(tmp_path, parent=PARENT, child="extends: parent.yaml\ncomponents:\n  - {id: renewals, remove: true}\n")
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path / "child.yaml")
    assert caught.value.location == "components[0].id"
    assert "cannot remove 'renewals'" in caught.value.message and "retention, expansion" in caught.value.hint


def test_remove_without_extends_is_refused(tmp_path):
    write(tmp_path, plan=PARENT.replace("curve: [[1.0, 1.0]]}", "curve: [[1.0, 1.0]], remove: true}"))
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path / "plan.yaml")
    assert caught.value.location == "components[1].remove"


def test_an_error_in_the_parent_names_the_parent(tmp_path):
    write(tmp_path, parent="name: p\nname: q\n", child="extends: parent.yaml\n")
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path / "child.yaml")
    assert str(caught.value.file).endswith("parent.yaml") and "appears twice" in caught.value.message


def test_the_merged_plan_is_validated_as_a_whole(tmp_path):
    # Changing one weight without the other breaks the sum — caught when the plan meets the data.
    write(tmp_path, parent=PARENT, child="extends: parent.yaml\ncomponents:\n  - {id: retention, wieght: 0.5}\n")
    with pytest.raises(PlanError) as caught:
        load_plan(tmp_path / "child.yaml")
    assert "unknown key 'wieght'" in caught.value.message


def test_the_example_seventy_thirty_extends_the_plan_in_force():
    # Same components as current.yaml, 70/30 OTE held: variable = OTE × 0.30 instead of the roster's.
    # For a CSM on 150,000 + 37,500 (80/20): OTE 187,500 → variable 56,250 → TV 14,062.50 a quarter.
    current = load_plan(REPO / "plans" / "current.yaml")
    proposal = load_plan(REPO / "plans" / "seventy_thirty.yaml")
    assert [c.id for c in proposal.components] == [c.id for c in current.components]
    assert proposal.pay_mix.variable_pct == 30 and proposal.cap == 2.5


def test_plan_diff_lists_what_changes(tmp_path):
    write(tmp_path, parent=PARENT, child="""\
        extends: parent.yaml
        name: child
        components:
          - {id: retention, weight: 0.5, curve: [[0.9, 0], [1.0, 1.0], [1.1, 1.5]]}
          - {id: expansion, remove: true}
          - {id: nrr, metric: nrr, weight: 0.5, target: 1.0, curve: [[1.0, 1.0]]}
        modifiers:
          - {id: gate, remove: true}
        """)
    result = run("plan-diff", tmp_path / "parent.yaml", tmp_path / "child.yaml", "--format", "json")
    assert result.exit_code == 0, result.stderr
    changes = {(c["change"], c["path"]): (c["before"], c["after"]) for c in json.loads(result.stdout)["changes"]}
    assert changes[("changed", "name")] == ("parent", "child")
    assert changes[("changed", "components[retention].weight")] == (0.6, 0.5)
    assert changes[("changed", "components[retention].curve")] == ([[0.9, 0.0], [1.0, 1.0]],
                                                                     [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]])
    assert changes[("removed", "components[expansion]")][0]["metric"] == "gross_expansion"
    assert changes[("added", "components[nrr]")][1]["weight"] == 0.5
    assert changes[("removed", "modifiers[gate]")][0]["multiply"] == 0.5
    assert len(changes) == 6


def test_plan_diff_of_a_plan_with_itself_and_as_text():
    same = run("plan-diff", REPO / "plans" / "current.yaml", REPO / "plans" / "current.yaml")
    assert same.exit_code == 0 and "(no differences" in same.stdout
    text = run("plan-diff", REPO / "plans" / "current.yaml", REPO / "plans" / "seventy_thirty.yaml").stdout
    assert '~ cap: 2.0 → 2.5' in text
    assert '~ pay_mix: null → {"variable_pct": 30.0, "hold": "ote"}' in text
    assert "components" not in text  # the components are inherited unchanged


def test_plan_diff_with_a_bad_plan_is_a_user_error(tmp_path):
    write(tmp_path, bad="name: [x\n")
    assert_user_error(run("plan-diff", REPO / "plans" / "current.yaml", tmp_path / "bad.yaml"), "bad.yaml",
                      "YAML syntax error")


@pytest.mark.parametrize("value", ["true", "3", "1.5", "{a: 1}"])
def test_components_that_are_not_a_list_are_a_plan_error(tmp_path, value):
    # Found by the fuzz test: the extends/remove checks assumed a list.
    write(tmp_path, parent=PARENT, child=f"extends: parent.yaml\ncomponents: {value}\n", plain=f"name: x\ncomponents: {value}\n")
    for name in ("child", "plain"):
        with pytest.raises(PlanError):
            load_plan(tmp_path / f"{name}.yaml")


# --- hostile extends chains and plan files (issue 10, rows 7 and 12) ---------------------------


def deny_reading(monkeypatch, *denied):
    """Reading these files raises PermissionError (tests run as root, so chmod 000 cannot do it)."""
    import builtins
    import io
    import os

    denied = {os.path.realpath(path) for path in denied}

    def guard(opener):
        def opened(file, *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)) and os.path.realpath(os.fsdecode(file)) in denied:
                raise PermissionError(13, "Permission denied", os.fsdecode(file))
            return opener(file, *args, **kwargs)
        return opened

    monkeypatch.setattr(os, "open", guard(os.open))
    monkeypatch.setattr(io, "open", guard(io.open))
    monkeypatch.setattr(builtins, "open", guard(builtins.open))


def test_an_unreadable_plan_or_parent_is_a_clear_error(tmp_path, data_dir, monkeypatch):
    folder = data_dir()
    write(tmp_path, parent=PARENT, child="extends: parent.yaml\nname: child\n")
    deny_reading(monkeypatch, tmp_path / "child.yaml")
    result = run("stress-test", tmp_path / "child.yaml", "--data", folder)
    assert_user_error(result, "child.yaml", "cannot read", "Permission denied")
    assert "unexpected" not in result.stderr
    monkeypatch.undo()
    deny_reading(monkeypatch, tmp_path / "parent.yaml")
    result = run("stress-test", tmp_path / "child.yaml", "--data", folder)
    assert_user_error(result, "child.yaml", "extends", "parent.yaml", "Permission denied")
    assert "unexpected" not in result.stderr


def test_an_extends_symlink_loop_is_a_clear_error(tmp_path, data_dir):
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "round.yaml")
    (tmp_path / "round.yaml").symlink_to(tmp_path / "loop.yaml")
    write(tmp_path, child="extends: loop.yaml\nname: child\n")
    result = run("stress-test", tmp_path / "child.yaml", "--data", data_dir())
    assert_user_error(result, "child.yaml", "extends", "loop.yaml", "symbolic links")
    assert "unexpected" not in result.stderr
    result = run("stress-test", tmp_path / "loop.yaml", "--data", data_dir())  # the plan itself a loop
    assert_user_error(result, "loop.yaml", "symbolic links")


def test_a_nul_in_an_extends_path_is_a_clear_error(tmp_path, data_dir):
    write(tmp_path, child='extends: "parent\\0.yaml"\nname: child\n')
    result = run("stress-test", tmp_path / "child.yaml", "--data", data_dir())
    assert_user_error(result, "child.yaml", "extends", "NUL")
    assert "unexpected" not in result.stderr


def test_an_extends_chain_has_a_depth_limit(tmp_path, data_dir):
    write(tmp_path, p0=PARENT, **{f"p{n}": f"extends: p{n - 1}.yaml\n" for n in range(1, 1000)})
    result = run("stress-test", tmp_path / "p999.yaml", "--data", data_dir())
    assert_user_error(result, "extends", "plans deep (from p999.yaml on)")
    assert "unexpected" not in result.stderr
    from cscomp_cli.plan.extends import MAX_EXTENDS_DEPTH

    assert f"more than {MAX_EXTENDS_DEPTH} plans" in result.stderr
    assert load_plan(tmp_path / f"p{MAX_EXTENDS_DEPTH}.yaml").name == "parent"  # the limit itself is fine
    with pytest.raises(PlanError):
        load_plan(tmp_path / f"p{MAX_EXTENDS_DEPTH + 1}.yaml")


def test_a_huge_parent_is_refused_before_it_is_read(tmp_path):
    import tracemalloc

    with open(tmp_path / "huge.yaml", "wb") as handle:
        handle.truncate(50_000_000)  # sparse: 50 MB of NULs on no disk
    write(tmp_path, child="extends: huge.yaml\nname: child\n")
    tracemalloc.start()
    try:
        with pytest.raises(PlanError) as caught:
            load_plan(tmp_path / "child.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "larger than 1,000,000 bytes" in caught.value.message and "huge.yaml" in str(caught.value)
    assert peak < 5_000_000


def test_a_fifo_or_device_as_plan_or_parent_is_refused_at_once(tmp_path, data_dir):
    import os

    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    for name in ("pipe", "zero"):
        write(tmp_path, **{f"child_{name}": f"extends: {name}.yaml\nname: child\n"})
        result = run("stress-test", tmp_path / f"child_{name}.yaml", "--data", data_dir())
        assert_user_error(result, f"child_{name}.yaml", "extends", f"{name}.yaml", "not a regular file")
        result = run("stress-test", tmp_path / f"{name}.yaml", "--data", data_dir())
        assert_user_error(result, f"{name}.yaml", "not a regular file")


def test_a_plan_on_standard_input_is_read_no_further_than_the_cap(tmp_path):
    import subprocess
    import sys

    with open("/dev/zero", "rb") as endless:
        done = subprocess.run([sys.executable, "-c", "from cscomp_cli.cli import main; main()", "plan-diff", "-",
                               str(REPO / "plans" / "current.yaml")], stdin=endless, capture_output=True,
                              timeout=60, cwd=REPO)
    assert done.returncode == 2 and b"larger than 1,000,000 bytes" in done.stderr
    assert b"Traceback" not in done.stderr and b"unexpected" not in done.stderr
