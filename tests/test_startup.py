"""Start-up: what a command imports before it does anything. `--help` and `validate --plan-only`
(an editor's or a pre-commit hook's check of a plan) must not pay for pandas or matplotlib."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numpy", "matplotlib", "pyarrow")


def imported_by(*args: str) -> tuple[int, set[str], str]:
    """Run the CLI in a fresh interpreter; its exit status, the heavy modules it imported, its stdout."""
    code = (
        "import sys\n"
        "from cscomp_cli.cli import main\n"
        f"sys.argv = ['cscomp', *{list(args)!r}]\n"
        "try:\n    main()\n"
        "except SystemExit as exit:\n    status = exit.code or 0\n"
        "else:\n    status = 0\n"
        f"heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
        "print('\\n@@' + ','.join(heavy) + '@@' + str(status))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    out, _, tail = done.stdout.rpartition("\n@@")
    heavy, _, status = tail.strip().partition("@@")
    return int(status), set(filter(None, heavy.split(","))), out


@pytest.mark.parametrize("args", [["--help"], ["stress-test", "--help"], ["validate", "--help"], ["--version"]])
def test_help_imports_no_data_stack(args):
    status, heavy, _ = imported_by(*args)
    assert status == 0
    assert heavy == set()


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_validate_plan_only_imports_no_data_stack(fmt):
    status, heavy, out = imported_by("validate", "plans/nrr_focus.yaml", "--plan-only", "--format", fmt)
    assert status == 0, out
    assert heavy == set()
    assert "nrr_focus" in out or "NRR focus" in out


def test_validate_still_reads_the_data_without_plan_only():
    # The check above must be able to fail: the full validate does import pandas.
    status, heavy, _ = imported_by("validate", "plans/nrr_focus.yaml", "--format", "json")
    assert status == 0
    assert "pandas" in heavy


def test_plan_only_reads_no_data_folder(tmp_path):
    # The data folder does not exist: without --plan-only that is an error, with it nothing is read.
    missing = tmp_path / "no such folder"
    assert run("validate", REPO / "plans/nrr_focus.yaml", "--data", missing).exit_code == 2
    result = run("validate", REPO / "plans/nrr_focus.yaml", "--data", missing, "--plan-only", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["data"] is None
    assert document["checked"] == {"plan": {"name": "FY27 proposal — NRR focus", "components": 2, "modifiers": 0}}


def test_plan_only_table_says_the_data_was_not_read():
    result = run("validate", REPO / "plans/nrr_focus.yaml", "--plan-only")
    assert result.exit_code == 0, result.stderr
    assert "not read (--plan-only)" in result.stdout
    assert "OK: no errors" in result.stdout


def checked_alone(tmp_path, metric: str, target: float):
    """validate --plan-only (json) of a one-component plan paying on ``metric`` against ``target``."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "name: slip\ncurrency: USD\npay_mix: {variable_pct: 20}\ncomponents:\n"
        f"  - {{id: nrr, metric: {metric}, weight: 1.0, target: {target}, curve: [[0.9, 0], [1.0, 1]]}}\n",
        encoding="utf-8",
    )
    return run("validate", plan, "--plan-only", "--format", "json")


def test_plan_only_lists_plan_errors_with_their_keys(tmp_path):
    result = checked_alone(tmp_path, "nrrr", 1.0)
    assert result.exit_code == 2
    errors = json.loads(result.stdout)["errors"]
    assert errors and any("components" in (e["location"] or "") and "nrrr" in e["message"] for e in errors), errors
    assert "Traceback" not in result.stderr


def test_plan_only_keeps_unit_warnings(tmp_path):
    # A probable unit slip needs no data to be seen: 20 meant as 20 % of OTE is still warned about.
    result = checked_alone(tmp_path, "nrr", 105)
    assert result.exit_code == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    assert any("105" in w["message"] for w in warnings), warnings


def test_plan_only_says_nothing_about_the_sample_org():
    # Without --plan-only the default data folder is announced; with it no data is read, so nothing is said.
    plain = run("validate", REPO / "plans/nrr_focus.yaml", "--data", REPO / "sample_data")
    assert "Using the shipped sample org" in plain.stderr
    for args in (["--plan-only", "--data", REPO / "sample_data"], ["--data", REPO / "sample_data", "--plan-only"]):
        result = run("validate", REPO / "plans/nrr_focus.yaml", *args)
        assert result.exit_code == 0, result.stderr
        assert "sample org" not in result.stderr
