"""The CSV and the JSON document built from whole columns write exactly what the former per-row
path wrote: the old renderers are kept here as the oracle, and every plan, shock and awkward value
(tiny, huge, negative, integer-valued, NaN, infinite, a name a spreadsheet would run) is compared byte
for byte."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cscomp_cli.analyses.shocks import parse_shocks, shock_dataset
from cscomp_cli.analyses.stress_test import build_document
from cscomp_cli.core.rounding import (
    cents_to_amount,
    plain_number,
    round_half_away,
    to_cents,
)
from cscomp_cli.engine.replay import replay
from cscomp_cli.engine.versus_actual import compare_with_actual
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.components import CurveComponent
from cscomp_cli.plan.loading import load_plan
from cscomp_cli.render.csv import (
    CASH_COLUMNS,
    amount_cells,
    csv_text,
    pct_cells,
    plain,
    plain_cells,
    protect,
    to_csv,
)
from cscomp_cli.render.json import to_json
from cscomp_cli.render.views import shock_labels

from .conftest import REPO, run

PLANS = sorted((REPO / "plans").glob("*.yaml"))


def _has_pay_rules(path: Path) -> bool:
    plan = load_plan(path)
    return (plan.period != "quarter" or plan.ramp is not None or plan.guarantee is not None
            or any(getattr(c, "clawback", None) is not None for c in plan.components))


# The former document had no period, clawback or floor figures: plans that use them are checked
# against their own arithmetic in test_example_plans instead.
FORMER_PLANS = [path for path in PLANS if not _has_pay_rules(path)]
SAMPLE = REPO / "sample_data"


# ---- the former per-row path, verbatim apart from names: the oracle ----

def _old_fraction(value):
    return plain_number(round_half_away(value)) if value is not None and not math.isnan(value) else None


def _old_delta_pct(delta_cents, actual_cents):
    if actual_cents == 0:
        return None
    return float(round_half_away(round_half_away(delta_cents * 100.0 / abs(actual_cents), 6), 2))


def _old_cash(record):
    proposed_cash = record["base_cents"] + record["proposed_cents"]
    actual_cash = record["actual_base_cents"] + record["actual_cents"]
    return {"base": float(cents_to_amount(record["base_cents"])),
            "actual_base": float(cents_to_amount(record["actual_base_cents"])),
            "proposed_cash": float(cents_to_amount(proposed_cash)), "actual_cash": float(cents_to_amount(actual_cash)),
            "cash_delta": float(cents_to_amount(proposed_cash - actual_cash)),
            "cash_delta_pct": _old_delta_pct(proposed_cash - actual_cash, actual_cash)}


def _old_money(value):
    return float(cents_to_amount(to_cents(value)))


def old_rows_and_csms(comparison):
    """The document's rows and csms as build_document made them, one scalar at a time."""
    rows = []
    for row in comparison.rows.to_dict("records"):
        detail = {}
        for c in comparison.plan.components:
            entry = {"metric": plain_number(row[f"{c.id}_metric"]), "target": plain_number(row[f"{c.id}_target"])}
            if isinstance(c, CurveComponent):
                entry["attainment"] = plain_number(row[f"{c.id}_attainment"])
                entry["fraction"] = _old_fraction(row[f"{c.id}_fraction"])
            entry["multiplier"] = _old_fraction(row[f"{c.id}_multiplier"])
            entry["payout"] = float(cents_to_amount(row[f"{c.id}_payout_cents"]))
            entry["active"] = bool(row[f"{c.id}_active"])
            detail[c.id] = entry
        cash = _old_cash(row)
        rows.append({"quarter": row["quarter"], "csm_id": row["csm_id"], "name": row["name"],
                     "segment": row["segment"], "target_variable": _old_money(row["target_variable"]),
                     "base": cash.pop("base"), "actual_base": cash.pop("actual_base"), "components": detail,
                     "cap_adjustment": float(cents_to_amount(row["cap_adjustment_cents"])),
                     "proposed": float(cents_to_amount(row["proposed_cents"])),
                     "actual": float(cents_to_amount(row["actual_cents"])),
                     "delta": float(cents_to_amount(row["proposed_cents"] - row["actual_cents"])),
                     "delta_pct": _old_delta_pct(row["proposed_cents"] - row["actual_cents"], row["actual_cents"]),
                     **cash, "pay_currency": row["pay_currency"], "fx_rate": plain_number(row["fx_rate"])})
    csms = [{"csm_id": r["csm_id"], "name": r["name"], "segment": r["segment"],
             "proposed": float(cents_to_amount(r["proposed_cents"])), "actual": float(cents_to_amount(r["actual_cents"])),
             "delta": float(cents_to_amount(r["delta_cents"])), "delta_pct": plain_number(r["delta_pct"]),
             **_old_cash(r), "performance": plain_number(r["performance"]), "top_performer": bool(r["top_performer"]),
             "target_variable": _old_money(r["target_variable"]),
             "actual_target_variable": _old_money(r["actual_target_variable"])}
            for r in comparison.csms.to_dict("records")]
    return rows, csms


def old_csv(document, plan):
    """The former to_csv: one row of the document at a time."""
    header = ["quarter", "csm_id", "name", "segment", "target_variable"]
    for c in plan.components:
        header += [f"{c.id}_metric", f"{c.id}_attainment", f"{c.id}_payout"]
    header += ["cap_adjustment", "proposed", "actual", "delta", "delta_pct"] + CASH_COLUMNS
    shocks = shock_labels(document)
    if shocks:
        header.append("shocks")
    lines = [header]
    for row in sorted(document["rows"], key=lambda r: (r["quarter"], r["csm_id"])):
        cells = [row["quarter"], row["csm_id"], row["name"], row["segment"], plain(row["target_variable"], 2)]
        for c in plan.components:
            detail = row["components"][c.id]
            cells += [plain(detail["metric"]), plain(detail.get("attainment")), plain(detail["payout"], 2)]
        cells += [plain(row["cap_adjustment"], 2), plain(row["proposed"], 2), plain(row["actual"], 2),
                  plain(row["delta"], 2), plain(row["delta_pct"], 2)]
        cells += [plain(row[column], 2) for column in CASH_COLUMNS]
        if shocks:
            cells.append(shocks)
        lines.append(cells)
    return csv_text(lines)


# ---- fixtures ----

def comparison_for(plan_path: Path, shock: str | None = None, quarters: int = 4):
    shocks = parse_shocks([shock] if shock else [])
    plan = load_plan(plan_path)
    return compare_with_actual(replay(plan, shock_dataset(load_dataset(SAMPLE, columns=plan.account_columns()), shocks),
                                      quarters)), shocks


def awkward(comparison):
    """The comparison with values the formatting must not get wrong written into its rows."""
    rows = comparison.rows
    n = len(rows)
    odd = [1e-7, -1e-5, 1e16, -3e16, 1e300, 2.0**53 + 2, 0.1 + 0.2, -0.0, float("nan"), float("inf"),
           float("-inf"), 123456.000001, -7.0, 5e-324, 0.0001, 99999999999.5]
    for c in comparison.plan.components:
        for suffix in ("metric", "attainment"):
            rows[f"{c.id}_{suffix}"] = [odd[(i + len(c.id)) % len(odd)] for i in range(n)]
    rows["name"] = [["=HYPERLINK(1)", 'A "quoted", name', "line\nbreak", "-5", "-x", "@x", ""][i % 7] for i in range(n)]
    rows["segment"] = rows["segment"].astype(object)
    rows.loc[rows.index[::3], "segment"] = "+SMB, really"
    rows["actual_cents"] = [[0, -1, 12345, -99999999][i % 4] for i in range(n)]
    rows["target_variable"] = [[0.005, 1234.565, -0.015, 1e9 + 0.125][i % 4] for i in range(n)]
    return comparison


# ---- the CSV ----

@pytest.mark.parametrize("plan_path", FORMER_PLANS, ids=lambda p: p.stem)
@pytest.mark.parametrize("shock", [None, "churn=+25%"])
def test_the_csv_is_byte_for_byte_the_former_one(plan_path, shock):
    comparison, shocks = comparison_for(plan_path, shock)
    assert to_csv(comparison, shocks) == old_csv(build_document(comparison, shocks), comparison.plan)


@pytest.mark.parametrize("plan_path", [REPO / "plans" / "balanced_scorecard.yaml", REPO / "plans" / "current.yaml"],
                         ids=lambda p: p.stem)
def test_awkward_values_and_names_are_written_as_before(plan_path):
    comparison, shocks = comparison_for(plan_path, "expansion=-30%")
    comparison = awkward(comparison)
    new = to_csv(comparison, shocks)
    assert new == old_csv(build_document(comparison, shocks), comparison.plan)
    # Spot checks in words: a formula-looking name is defused, a negative infinity too, a blank is blank.
    assert "'=HYPERLINK(1)" in new and ",'-inf," in new and '"A ""quoted"", name"' in new
    assert f",{1e300:.1f}," in new and ",1e+300," not in new  # an integer: written out, as plain did


def test_rows_come_sorted_by_quarter_then_csm_whatever_their_order():
    comparison, shocks = comparison_for(REPO / "plans" / "current.yaml")
    comparison.replay.rows = comparison.rows.iloc[::-1].reset_index(drop=True)
    text = to_csv(comparison, shocks)
    assert text == old_csv(build_document(comparison, shocks), comparison.plan)
    keys = [tuple(line.split(",")[:2]) for line in text.splitlines()[1:]]
    assert keys == sorted(keys)


def test_an_empty_replay_writes_the_header_alone():
    comparison, shocks = comparison_for(REPO / "plans" / "current.yaml")
    comparison.replay.rows = comparison.rows.iloc[:0]
    assert to_csv(comparison, shocks) == old_csv(build_document(comparison, shocks), comparison.plan)
    assert to_csv(comparison, shocks).count("\n") == 1


FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-3, max_value=1e-3),
    st.integers(min_value=-(10**20), max_value=10**20).map(float),
    st.floats(min_value=1e15, max_value=1e18),
    st.integers(min_value=-(10**12), max_value=10**12).map(lambda k: k / 10**9),
    st.sampled_from([0.0, -0.0, 1e16, 2.0**53, 2.0**63, -(2.0**63), 1e-4, 9.999999999999999e15]),
)


@given(st.lists(FLOATS, min_size=1, max_size=20))
@settings(max_examples=400, deadline=None)
def test_plain_cells_write_what_plain_wrote(values):
    cells = plain_cells(np.array(values, dtype="float64"))
    assert ["%s" % cell for cell in cells] == [protect(plain(plain_number(v))) for v in values]


@given(st.lists(st.integers(min_value=-(2**62), max_value=2**62), min_size=1, max_size=20))
@settings(max_examples=300, deadline=None)
def test_amount_cells_write_what_plain_wrote(cents):
    cells = amount_cells(cents_to_amount(np.array(cents, dtype="int64")))
    assert ["%.2f" % cell for cell in cells] == [plain(float(cents_to_amount(c)), 2) for c in cents]


@given(st.lists(st.tuples(st.integers(min_value=-(10**15), max_value=10**15),
                          st.integers(min_value=-(10**15), max_value=10**15)), min_size=1, max_size=20))
@settings(max_examples=300, deadline=None)
def test_delta_pct_cells_write_what_plain_wrote(pairs):
    delta, actual = (np.array(column, dtype="int64") for column in zip(*pairs))
    assert ["%s" % cell for cell in pct_cells(delta, actual)] == [
        plain(_old_delta_pct(d, a), 2) for d, a in pairs]


# ---- the JSON document ----

@pytest.mark.parametrize("plan_path", FORMER_PLANS, ids=lambda p: p.stem)
def test_the_document_holds_the_former_values_keys_and_types(plan_path):
    comparison, shocks = comparison_for(plan_path, "churn=+25%")
    document = build_document(comparison, shocks, data="sample_data")
    rows, csms = old_rows_and_csms(comparison)
    assert document["rows"] == rows and document["csms"] == csms
    assert to_json(document) == to_json({**document, "rows": rows, "csms": csms})
    # Same types too (True is not 1.0 in JSON): the texts agree key by key, value by value.
    assert [list(r) for r in document["rows"]] == [list(r) for r in rows]


def test_the_document_keeps_awkward_values_as_before():
    comparison, shocks = comparison_for(REPO / "plans" / "balanced_scorecard.yaml")
    comparison = awkward(comparison)
    rows, _ = old_rows_and_csms(comparison)
    new = build_document(comparison, shocks)["rows"]
    assert new == rows
    assert {r["components"][c.id]["metric"] for r in new for c in comparison.plan.components} >= {None, 1e300}


def test_the_cli_csv_and_json_agree_with_the_library(tmp_path):
    comparison, shocks = comparison_for(REPO / "plans" / "nrr_focus.yaml", "churn=+25%")
    out = tmp_path / "out.csv"
    result = run("stress-test", REPO / "plans" / "nrr_focus.yaml", "--data", SAMPLE, "--shock", "churn=+25%",
                 "--format", "csv", "--output", out, "-q")
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == old_csv(build_document(comparison, shocks), comparison.plan)


# ---- the JSON text ----

def old_json(document) -> str:
    """The former to_json: json.dumps indenting in pure Python, then the control-character escapes."""
    from cscomp_cli.render.json import UNPRINTABLE_IN_JSON

    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    return UNPRINTABLE_IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n"


@pytest.mark.parametrize("plan_path", PLANS, ids=lambda p: p.stem)
def test_the_json_text_is_what_json_dumps_wrote(plan_path):
    comparison, shocks = comparison_for(plan_path, "churn=+25%")
    comparison.rows["name"] = [["Zoë, \"Z\" %s", "tab\there", "\u202eevil", "\ue000slot", "100%"][i % 5]
                               for i in range(len(comparison.rows))]
    document = build_document(comparison, shocks, data="sample_data")
    assert to_json(document) == old_json(document)
    assert "\\u202e" in to_json(document)  # the bidi control still escaped


TEXT = st.text(alphabet=st.sampled_from(['a', 's', ',', ' ', '"', '\\', '%', '\n', '\x7f', '\u202e', '\ue000',
                                         'é', '{', '}', '[', ']', ':']), max_size=6)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), TEXT)
JSONISH = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(TEXT, inner, max_size=3)), max_leaves=12)


@st.composite
def record_lists(draw):
    """A list of records sharing one shape (sometimes broken), leaves of one kind or mixed per key."""
    kinds = st.sampled_from(["num", "num", "text", "text", "bool", "any"])
    shape = draw(st.dictionaries(TEXT, st.one_of(kinds, st.dictionaries(TEXT, kinds, max_size=3)),
                                 min_size=1, max_size=4))
    leaf = {"num": st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False), st.integers()),
            "text": TEXT, "bool": st.booleans(), "any": JSONISH}

    def record(spec):
        return {key: record(kind) if isinstance(kind, dict) else draw(leaf[kind]) for key, kind in spec.items()}

    records = [record(shape) for _ in range(draw(st.integers(min_value=0, max_value=5)))]
    if records and draw(st.integers(min_value=0, max_value=3)) == 0:
        records[-1] = draw(st.one_of(JSONISH, st.just(dict(reversed(list(records[-1].items()))))))
    return records


@given(st.dictionaries(TEXT, st.one_of(JSONISH, record_lists()), max_size=4))
@settings(max_examples=500, deadline=None)
def test_to_json_writes_exactly_what_json_dumps_writes(document):
    assert to_json(document) == old_json(document)


def test_a_float_json_cannot_hold_is_refused_as_before():
    for bad in (float("nan"), float("inf")):
        document = {"rows": [{"a": 1.0}, {"a": bad}]}
        with pytest.raises(ValueError):
            old_json(document)
        with pytest.raises(ValueError):
            to_json(document)
