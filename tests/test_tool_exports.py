"""Issue 23 item 7: raw exports shaped like six real tool combinations (tests/tool_exports/<shape>/raw),
each with its hand conversion (canonical/), the data map a person would write (cscomp-data.yaml.expected)
and init's answer key (decisions.yaml). Here: the hand conversion replays to figures worked by hand below,
and the raw exports read through the expected map replay to exactly the hand conversion's rows.

Every figure is under tests/tool_exports/plan.yaml: retention pays TV × f(nrr), f linear through
(0.90, 0), (1.00, 0.70), (1.10, 1.05); expansion_commission pays 5 % of gross expansion.
Every set replays, the two paying in EUR and GBP through their FX sheets (SPEC 6.3).
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from cscomp_cli.inputs.dataset import load_dataset
from tests.conftest import REPO, run

SETS = REPO / "tests" / "tool_exports"
PLAN = SETS / "plan.yaml"


# shape -> (quarters replayed, marks for loading the hand conversion, marks for the raw exports through a map).
# A GBP roster loads today (the plan's currency is checked at replay), so every hand conversion loads.
SHAPES = {
    # BambooHR's Employee Report has no pay: each CSM's pay comes from the Compensation History alone.
    "hubspot_bamboohr_gusto": (4, [], []),
    "salesforce_workday_adp": (4, [], []),
    "gainsight_hibob_deel": (4, [], []),
    "churnzero_rippling": (4, [], []),
    "vitally_personio_paylocity": (4, [], []),
    "planhat_paychex_gbp": (4, [], []),
}


def _stress(folder: Path, quarters: int) -> dict:
    result = run("stress-test", PLAN, "--data", folder, "--quarters", str(quarters), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _row(document: dict, quarter: str, csm_id: str) -> dict:
    (row,) = [r for r in document["rows"] if r["quarter"] == quarter and r["csm_id"] == csm_id]
    return row


def _canonical(shape: str) -> dict:
    return _stress(SETS / shape / "canonical", SHAPES[shape][0])


def _params(which: int):
    """One pytest param per set, with its marks for loading (1) or for the raw exports (2)."""
    return [pytest.param(shape, marks=marks[which], id=shape) for shape, marks in SHAPES.items()]


def test_every_set_has_raw_exports_a_hand_conversion_a_map_and_an_answer_key():
    for shape in SHAPES:
        folder = SETS / shape
        assert sorted(p.name for p in (folder / "raw").iterdir()), shape
        assert {"accounts.csv", "roster.csv", "payouts.csv"} <= {p.name for p in (folder / "canonical").iterdir()}
        assert (folder / "cscomp-data.yaml.expected").is_file() and (folder / "decisions.yaml").is_file()
    assert len(SHAPES) >= 6


@pytest.mark.parametrize("shape", _params(1))
def test_the_hand_conversion_loads(shape):
    dataset = load_dataset(SETS / shape / "canonical")
    assert len(dataset.accounts) > 0 and dataset.payouts is not None
    assert not (set(dataset.payouts["csm_id"]) - set(dataset.roster["csm_id"]))  # non-CSMs were left out by hand


@pytest.mark.parametrize("shape", _params(2))
def test_the_raw_exports_through_the_expected_map_replay_like_the_hand_conversion(shape, tmp_path):
    folder = tmp_path / shape
    shutil.copytree(SETS / shape / "raw", folder)
    shutil.copy(SETS / shape / "cscomp-data.yaml.expected", folder / "cscomp-data.yaml")
    mapped, canonical = _stress(folder, SHAPES[shape][0]), _canonical(shape)
    assert mapped["quarters"] == canonical["quarters"] and mapped["through"] == canonical["through"]
    assert len(mapped["rows"]) == len(canonical["rows"])
    for got, want in zip(mapped["rows"], canonical["rows"]):
        assert got == want


# --- figures worked by hand, set by set ---------------------------------------------------------------

def test_hubspot_bamboohr_gusto_raise_on_15_february_splits_the_quarter():
    doc = _canonical("hubspot_bamboohr_gusto")
    ana = _row(doc, "2026Q1", "101")
    # 2026Q1 has 90 days; 1 Jan–14 Feb = 31 + 14 = 45 under 40,000, 15 Feb–31 Mar = 14 + 31 = 45 under 48,000
    assert ana["target_variable"] == pytest.approx(40000 / 4 * 45 / 90 + 48000 / 4 * 45 / 90)  # 11,000
    # Birch Labs −10,200: nrr (104,000 + 89,800) / 204,000 = 0.95 → f = 7 × 0.05 = 0.35
    assert ana["components"]["retention"]["payout"] == pytest.approx(0.35 * 11000)  # 3,850
    # 2026Q2: TV 48,000 / 4 = 12,000; Acme +9,690 → nrr 203,490 / 193,800 = 1.05 → f 0.875; + 5 % × 9,690
    assert _row(doc, "2026Q2", "101")["proposed"] == pytest.approx(0.875 * 12000 + 484.50)  # 10,984.50
    # Ben 2025Q4: Cobalt +7,500 on 150,000 → 1.05 → 0.875 × 7,500 + 375
    assert _row(doc, "2025Q4", "102")["proposed"] == pytest.approx(6562.50 + 375)


def test_salesforce_workday_adp_replays_up_to_the_last_quarter_payroll_has_paid():
    doc = _canonical("salesforce_workday_adp")
    assert doc["through"] == "2026Q2" and doc["not_replayed"] == ["2026Q3"]  # ADP has paid nothing for Q3 yet
    # Maya 2025Q3: TV 60,000 / 4 = 15,000; Northwind +9,000 on 450,000 → 1.02 → f 0.77; + 5 % × 9,000
    assert _row(doc, "2025Q3", "000412")["proposed"] == pytest.approx(0.77 * 15000 + 450)  # 12,000
    # Omar 2026Q1: Stark churns 80,000 of 206,000 → nrr 0.61 < 0.90 → 0, though 2,500 was paid
    omar = _row(doc, "2026Q1", "000417")
    assert (omar["proposed"], omar["actual"]) == (0.0, 2500.0)
    # Lucia 2026Q1: TV 9,000; +3,920 on 78,400 → 1.05 → 0.875 × 9,000 + 196
    assert _row(doc, "2026Q1", "000423")["proposed"] == pytest.approx(7875 + 196)  # 8,071


def test_gainsight_hibob_deel_converts_euro_pay_at_the_quarters_rate():
    doc = _canonical("gainsight_hibob_deel")
    lena = _row(doc, "2025Q3", "B-01")
    assert lena["target_variable"] == pytest.approx(30000 / 4 * 1.17)  # EUR 7,500 × 1.17 = 8,775
    # Alpenwerk +MRR 300 = ARR 3,600 on 180,000 → 1.02 → 0.77 × 8,775 + 5 % × 3,600
    assert lena["proposed"] == pytest.approx(0.77 * 8775 + 180)  # 6,936.75
    assert lena["actual"] == pytest.approx(5800 * 1.17)  # EUR 5,800 → 6,786.00
    # Ines 2026Q2: raise from 1 April to EUR 24,000 → TV 6,000 × 1.14 = 6,840; flat book → 0.7
    assert _row(doc, "2026Q2", "B-03")["proposed"] == pytest.approx(0.7 * 6840)  # 4,788
    # Ryan (USD) 2025Q4: +MRR 625 = 7,500 on 150,000 → 1.05 → 0.875 × 8,750 + 375
    assert _row(doc, "2025Q4", "B-02")["proposed"] == pytest.approx(7656.25 + 375)


def test_churnzero_rippling_counts_a_late_correction_in_the_quarter_it_names():
    doc = _canonical("churnzero_rippling")
    sofia = _row(doc, "2025Q3", "RIP-1001")
    assert sofia["actual"] == pytest.approx(10000 + 25)  # the Q3 bonus + "Bonus - Q3 CS Variable (correction)"
    # TV 50,000 / 4 = 12,500; Brightwave +8,000 on 400,000 → 1.02 → 0.77 × 12,500 + 400
    assert sofia["proposed"] == pytest.approx(9625 + 400)
    # 2026Q2: +19,788 on 395,760 → 1.05 → 0.875 × 12,500 + 989.40
    assert _row(doc, "2026Q2", "RIP-1001")["proposed"] == pytest.approx(10937.50 + 989.40)  # 11,926.90
    assert _row(doc, "2025Q3", "RIP-1003")["proposed"] == 0.0  # Foxglove churns 40,000 of 100,000: nrr 0.6


def test_vitally_personio_paylocity_keeps_leading_zeros_and_reads_dashes_as_zero():
    doc = _canonical("vitally_personio_paylocity")
    assert {r["csm_id"] for r in doc["rows"]} == {"0042", "0057", "0063"}
    # Noah 2025Q4: TV 45,000 / 4 = 11,250; Kestrel +6,000 on 300,000 → 1.02 → 0.77 × 11,250 + 300
    assert _row(doc, "2025Q4", "0042")["proposed"] == pytest.approx(8662.50 + 300)  # 8,962.50
    # Liam 2025Q4: Orchid churns 30,000 of 80,000 → 0.625 → 0; 2026Q1 +2,500 on 50,000 → 1.05
    assert _row(doc, "2025Q4", "0063")["proposed"] == 0.0
    assert _row(doc, "2026Q1", "0063")["proposed"] == pytest.approx(0.875 * 5000 + 125)  # 4,500


def test_planhat_paychex_gbp_pays_the_uk_csm_in_dollars_and_new_business_earns_nothing():
    doc = _canonical("planhat_paychex_gbp")
    harriet = _row(doc, "2025Q3", "P100")
    assert harriet["target_variable"] == pytest.approx(30000 / 4 * 1.27)  # GBP 7,500 × 1.27 = 9,525
    assert harriet["proposed"] == pytest.approx(0.77 * 9525 + 400)  # +8,000 on 400,000 → 1.02: 7,734.25
    assert harriet["actual"] == pytest.approx(5900 * 1.27)  # GBP 5,900 → 7,493.00
    # Nina 2026Q1: Umber Inc lands 24,000 of New Business ARR: not expansion, not in the base → nrr 1.0
    nina = _row(doc, "2026Q1", "P300")
    assert nina["components"]["expansion_commission"]["payout"] == 0.0
    assert nina["proposed"] == pytest.approx(0.7 * 6000)  # 4,200
    # 2026Q2: Umber in the base at 24,000; +1,500 → 76,500 / 75,000 = 1.02 → 0.77 × 6,000 + 75
    assert _row(doc, "2026Q2", "P300")["proposed"] == pytest.approx(4620 + 75)


# --- init on the raw exports, finished with the answer key's choices ---------------------------------------
# The "done when": `cscomp init` on raw/ writes a map; a person settles each UNDECIDED line with
# one changed line (the choice decisions.yaml records); the stress-test of raw/ through that map equals
# the stress-test of the hand conversion, row for row and CSM for CSM, to the cent.

LISTED = re.compile(r"^  - ((?:tables|fiscal_year)\.\S+?): ", re.M)
TRANSFORM_KEYS = ("match", "join", "scale", "from", "paid_months_after", "named_in", "values")


def _flow(value) -> str:
    """A value as one line of YAML (flow style), as a person would type it."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False).strip()


def _as_source(entry: dict | None):
    """An answer key's column entry ({header, transforms}) as the map's column source."""
    if entry is None:
        return None
    transforms = {k: entry[k] for k in TRANSFORM_KEYS if k in entry}
    if "header" not in entry:
        return transforms  # {join: [First Name, Last Name]}
    return {"column": entry["header"], **transforms} if transforms else entry["header"]


def _answer(key: dict, path: str):
    """(the map key a choice is about, as a path, and the answer key's value for it, as the map writes it)."""
    parts = path.split(".")
    if "columns" in parts:  # tables.accounts.columns.health.values -> the column health
        at = parts.index("columns") + 2
        parts, column = parts[:at], parts[at - 1]
        node = key
        for part in parts[:-1]:
            node = node[part]
        if column == "_status":  # a helper column: renewal_due and renewed come from it
            assert node["renewal_due"] is None and node["renewed"] is None, path
            return parts, None
        return parts, _as_source(node[column])
    node = key
    for part in parts[:-1]:
        node = node[part]
    return parts, node.get(parts[-1])


def _settle(text: str, listed: list[str], key: dict) -> str:
    """Each UNDECIDED line settled with the answer key's choice, each by one changed line."""
    lines = text.split("\n")
    marks = [i for i, line in enumerate(lines) if "UNDECIDED" in line and not line.startswith("# Every value")]
    assert len(marks) == len(listed), (marks, listed)  # every mark in the map is one choice init listed
    edits: dict[int, str | None] = {}
    for index, path in zip(marks, listed):
        parts, answer = _answer(key, path)
        name, indent = parts[-1], " " * (2 * (len(parts) - 1))
        mark = lines[index]
        written = next((i for i in (index, index + 1) if lines[i].startswith(indent + f"{name}:")), None)
        if written is None:  # nothing written for it: the answer goes where the mark is (or the mark goes)
            edits[index] = None if answer is None else f"{indent}{name}: {_flow(answer)}"
        elif answer is None:
            edits[written] = None  # init proposed it; the answer is to leave it out
        elif yaml.safe_load(lines[written].split("  # ")[0] if written == index else lines[written])[name] == answer:
            edits[index] = None if written != index else lines[written].split("  # ")[0]  # confirmed: the mark goes
        else:
            edits[written] = f"{indent}{name}: {_flow(answer)}"
        assert mark.lstrip().startswith("#") or written == index, mark
    settled = [line if i not in edits else edits[i] for i, line in enumerate(lines)]
    settled = [line for line in settled if line is not None]
    for i, new in edits.items():  # each choice is one line changed (or removed), nothing else
        changed = [d for d in difflib.ndiff([lines[i]], [] if new is None else [new]) if d[:2] in ("- ", "+ ")]
        assert 1 <= len(changed) <= 2, changed
    assert len(lines) - len(settled) == sum(new is None for new in edits.values())
    return "\n".join(settled)


@pytest.mark.parametrize("shape", _params(2))
def test_init_on_the_raw_exports_with_the_answer_keys_choices_replays_like_the_hand_conversion(shape, tmp_path):
    folder = tmp_path / shape
    shutil.copytree(SETS / shape / "raw", folder)
    guessed = run("init", folder)
    assert guessed.exit_code == 0, guessed.stderr
    listed = LISTED.findall(guessed.stderr)  # the choices init lists, in the order of the map
    key = yaml.safe_load((SETS / shape / "decisions.yaml").read_text(encoding="utf-8"))
    map_file = folder / "cscomp-data.yaml"
    map_file.write_text(_settle(map_file.read_text(encoding="utf-8"), listed, key), encoding="utf-8")
    mapped, canonical = _stress(folder, SHAPES[shape][0]), _canonical(shape)
    # Every figure: each row (CSM-quarter, with its components), each CSM's totals and the summary. Not
    # compared: the data folder's name, and the warnings (raw/ names the non-CSMs its payroll pays).
    for part in ("quarters", "through", "not_replayed", "components", "rows", "csms", "summary"):
        assert mapped[part] == canonical[part], part
