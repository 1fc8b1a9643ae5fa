"""The shared worked examples (../shared/vectors): every listed figure must match to the cent."""

from __future__ import annotations

import json

import pytest

from .conftest import VECTORS, run_json

CASES = sorted(p.name for p in VECTORS.iterdir() if p.is_dir()) if VECTORS.is_dir() else []


@pytest.mark.skipif(not CASES, reason="shared vectors not present next to the repository")
@pytest.mark.parametrize("case", CASES)
def test_vector_matches_hand_worked_figures(case):
    folder = VECTORS / case
    expected = json.loads((folder / "expected.json").read_text())
    document = run_json("stress-test", folder / "plan.yaml", "--quarters", expected["quarters"], "--data", folder)
    rows = {f"{r['quarter']} {r['csm_id']}": r for r in document["rows"]}
    assert sorted(rows) == sorted(expected["rows"])
    for key, want in expected["rows"].items():
        got = rows[key]
        for field in ("target_variable", "base", "proposed", "actual"):
            if field in want:
                assert got[field] == pytest.approx(want[field], abs=0.005), (key, field)
        for component, payout in want.get("components", {}).items():
            assert got["components"][component]["payout"] == pytest.approx(payout, abs=0.005), (key, component)
        for component, value in want.get("metrics", {}).items():
            assert got["components"][component]["metric"] == pytest.approx(value, abs=1e-9), (key, component)
    for field, want in expected["summary"].items():
        got = document["summary"][field]
        if isinstance(want, float):
            assert got == pytest.approx(want, abs=0.005), field
        else:
            assert got == want, field
