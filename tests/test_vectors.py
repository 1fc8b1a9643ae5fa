"""The shared worked examples (../shared/vectors): every listed figure must match to the cent."""

from __future__ import annotations

import json

import pytest

from .conftest import SHARED_VECTORS, VECTORS, run_json

CASES = sorted(p.name for p in VECTORS.iterdir() if p.is_dir())
# Keys of a row in expected.json that are not row figures: each is checked against its own place.
PER_COMPONENT = {"components": "payout", "earned": "earned_to_date", "clawbacks": "clawback"}


def test_every_worked_example_is_present():
    assert CASES == ["01_paymix_nrr_linear", "03_tiered_commission_credit", "13_period_true_up",
                     "14_clawback_and_floors"]


@pytest.mark.skipif(not SHARED_VECTORS.is_dir(), reason="../shared/vectors is not next to this checkout")
def test_repository_copy_matches_the_shared_vectors():
    shared = sorted(p.relative_to(SHARED_VECTORS) for p in SHARED_VECTORS.rglob("*") if p.is_file())
    for relative in shared:
        assert (VECTORS / relative).read_bytes() == (SHARED_VECTORS / relative).read_bytes(), relative


@pytest.mark.parametrize("case", CASES)
def test_vector_matches_hand_worked_figures(case):
    folder = VECTORS / case
    expected = json.loads((folder / "expected.json").read_text())
    document = run_json("stress-test", folder / "plan.yaml", "--quarters", expected["quarters"], "--data", folder)
    rows = {f"{r['quarter']} {r['csm_id']}": r for r in document["rows"]}
    assert sorted(rows) == sorted(expected["rows"])
    for key, want in expected["rows"].items():
        got = rows[key]
        # Every amount the worked example lists (target_variable, base, cash figures, …) is checked.
        amounts = {field: value for field, value in want.items() if field not in (*PER_COMPONENT, "metrics")}
        assert amounts, key
        for field, value in amounts.items():
            if isinstance(value, str):  # a period's label
                assert got[field] == value, (key, field)
            else:
                assert got[field] == pytest.approx(value, abs=0.005), (key, field)
        for listed, figure in PER_COMPONENT.items():
            for component, amount in want.get(listed, {}).items():
                assert got["components"][component][figure] == pytest.approx(amount, abs=0.005), (key, component)
        for component, value in want.get("metrics", {}).items():
            assert got["components"][component]["metric"] == pytest.approx(value, abs=1e-9), (key, component)
    for field, value in expected.get("document", {}).items():
        assert document[field] == value, field
    if "warnings" in expected:
        assert len(document["warnings"]) == expected["warnings"], document["warnings"]
    csms = {c["csm_id"]: c for c in document["csms"]}
    for key, want in expected.get("csms", {}).items():
        for field, value in want.items():
            got = csms[key][field]
            assert got == (pytest.approx(value, abs=0.005) if isinstance(value, float) else value), (key, field)
    for field, want in expected["summary"].items():
        got = document["summary"][field]
        if isinstance(want, float):
            assert got == pytest.approx(want, abs=0.005), field
        else:
            assert got == want, field
