"""Issue 11's "done when", end to end: raw exports, `cscomp init DIR`, only the choices init lists as
undecided filled in, then `cscomp stress-test PLAN --data DIR` pays what the hand-converted canonical
folder pays, to the cent, for every raw-export variant of tests/raw_exports.py and for the shipped
sample exports (sample_data/exports, written by sample_data/generate_exports.py)."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, run
from tests.raw_exports import (
    MAP_FILE,
    VARIANTS,
    plan_for,
    write_canonical,
    write_raw,
    write_truth,
)

PLANS = [REPO / "plans" / "current.yaml", REPO / "plans" / "nrr_focus.yaml"]
RAG = "tables.accounts.columns.health.values"
# What init cannot know from these exports, variant by variant: the RAG numbers are a policy (they
# equal the fixture's: Green 85, Yellow 60, Red 30), and FY labels do not say the fiscal year's first
# month (nor, then, how many months after a fiscal quarter its bonus is paid: 1, as init guesses).
UNDECIDED = {
    "us": [RAG],
    "eu": [RAG],
    "xlsx": [RAG],
    "glob": [RAG],
    "glob_name": [RAG],
    "fiscal": [RAG, "tables.payouts.columns.quarter.paid_months_after", "fiscal_year.first_month"],
}
# What a person writes for each undecided choice: None accepts init's guess as it stands.
DECISIONS = {RAG: None, "tables.payouts.columns.quarter.paid_months_after": None,
             "fiscal_year.first_month": ("first_month", "February")}


@pytest.fixture(scope="module")
def canonical(tmp_path_factory) -> Path:
    return write_canonical(tmp_path_factory.mktemp("org") / "canonical")


def _init(folder: Path) -> list[str]:
    """Run `cscomp init` on folder; the undecided choices it lists on stderr (their map keys)."""
    result = run("init", folder)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert result.stdout == f"{folder / MAP_FILE}\n"
    listed = re.findall(r"^  - ([a-z_.]+): ", result.stderr, re.MULTILINE)
    count = re.search(r"left for you to decide \((\d+)\)", result.stderr)
    assert (int(count.group(1)) if count else 0) == len(listed)
    return listed


def _decide(folder: Path, undecided: list[str]) -> None:
    """Fill in what a person decides, by editing the map's text as a person would (one line each)."""
    path = folder / MAP_FILE
    text = path.read_text(encoding="utf-8")
    for key in undecided:
        decision = DECISIONS[key]
        if decision is None:
            continue
        name, value = decision
        text, count = re.subn(rf"(?m)^(\s*{name}:)(\s*#.*)?$", rf"\g<1> {value}\g<2>", text)
        assert count == 1, (key, text)
    path.write_text(text, encoding="utf-8")
    yaml.safe_load(text)


def _stress_test(plan: Path, folder: Path, *options) -> dict:
    result = run("stress-test", plan, "--data", folder, "--format", "json", *options)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    return json.loads(result.stdout)


def _paid(out: dict) -> dict:
    """Every number a stress test reports, CSM-quarter by CSM-quarter, and the totals."""
    rows = {(r["quarter"], r["csm_id"]): (r["target_variable"], r["base"], r["actual_base"], r["proposed"],
                                          r["actual"], r["delta"], r["cap_adjustment"],
                                          {k: c["payout"] for k, c in r["components"].items()})
            for r in out["rows"]}
    summary = {k: out["summary"][k] for k in ("proposed_total", "actual_total", "delta", "proposed_cash_total",
                                              "actual_cash_total", "csms")}
    return {"quarters": out["quarters"], "rows": rows, "summary": summary}


@pytest.mark.parametrize("variant", VARIANTS)
def test_init_then_stress_test_pays_what_the_hand_converted_folder_pays(canonical, tmp_path, variant):
    raw = write_raw(canonical, tmp_path / "raw", variant)
    (raw / MAP_FILE).unlink()  # the hand-written map: init must find everything it says
    undecided = _init(raw)
    assert undecided == UNDECIDED[variant]
    _decide(raw, undecided)
    truth = write_truth(canonical, tmp_path / "truth", variant)
    for plan in (plan_for(plan, variant, tmp_path) for plan in PLANS):
        mapped, expected = _stress_test(plan, raw), _stress_test(plan, truth)
        assert _paid(mapped) == _paid(expected), plan.name
        assert mapped["rows"] == expected["rows"] or variant == "eu", plan.name  # eu: no segment in its roster
        assert len(mapped["rows"]) == 22


# --- the shipped example: sample_data/exports --------------------------------------------------------


SAMPLE = REPO / "sample_data"
EXPORTS = SAMPLE / "exports"


def _exports_generator():
    spec = importlib.util.spec_from_file_location("generate_exports", SAMPLE / "generate_exports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_exports_are_what_the_generator_writes_and_carry_no_map(tmp_path):
    _exports_generator().write_exports(SAMPLE, tmp_path / "exports")
    shipped = sorted(p.name for p in EXPORTS.iterdir())
    assert shipped == sorted(p.name for p in (tmp_path / "exports").iterdir())
    assert MAP_FILE not in shipped and len(shipped) == 3
    for name in shipped:
        assert (tmp_path / "exports" / name).read_bytes() == (EXPORTS / name).read_bytes(), name


def test_init_on_the_shipped_exports_pays_what_sample_data_pays(tmp_path):
    folder = tmp_path / "exports"
    shutil.copytree(EXPORTS, folder)
    undecided = _init(folder)
    assert undecided == []
    for plan in PLANS:
        # all eight quarters: the SPIFF (2025Q4), the discretionary bonus and the clawback among them
        mapped, expected = _stress_test(plan, folder, "--quarters", "8"), _stress_test(plan, SAMPLE, "--quarters", "8")
        assert _paid(mapped) == _paid(expected), plan.name
        assert mapped["rows"] == expected["rows"] and mapped["csms"] == expected["csms"], plan.name
        assert len(mapped["quarters"]) == 8 and len(mapped["rows"]) >= 230


def test_the_walkthrough_in_docs_shows_inits_actual_output(tmp_path, monkeypatch):
    doc = (REPO / "docs" / "data.md").read_text(encoding="utf-8")
    section = doc.split("## From three raw exports to a stress test")[1].split("\n## ")[0]
    shown = re.findall(r"```text\n(.*?)```", section, re.DOTALL)[0]
    excerpt = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)[0]
    shutil.copytree(EXPORTS, tmp_path / "my-exports")
    monkeypatch.chdir(tmp_path)
    result = run("init", "my-exports")
    assert result.exit_code == 0, result.stderr
    assert result.stdout + result.stderr == shown
    written = (tmp_path / "my-exports" / MAP_FILE).read_text(encoding="utf-8").splitlines()
    assert [line for line in excerpt.splitlines() if line.strip() != "..." and line not in written] == []
