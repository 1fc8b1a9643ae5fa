"""How well `cscomp init` guesses tool-shaped exports: each decision init makes on a set's raw/ folder
compared with the set's answer key (tests/tool_exports/<set>/decisions.yaml).

A decision is one of: which file a table reads (or that a table is absent), a table's conventions the
key names (delimiter, numbers, dates, zero, an FX sheet's pair and rule), its row filter, and each
column (its header or join and every transform: match, scale, from, paid_months_after, named_in,
values). Each is
- right: init wrote what the key says, with no UNDECIDED mark on it;
- undecided: init marked it UNDECIDED (whatever it wrote beside the mark), so a person decides;
- wrong: init wrote something else without a mark, or silently left out what the key has.

    python benchmarks/init_decisions.py            # print the table
    python benchmarks/init_decisions.py --append   # and append it to benchmarks/RESULTS.md
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SETS = REPO / "tests" / "tool_exports"
TRANSFORMS = ("join", "match", "scale", "from", "paid_months_after", "named_in", "values")
CONVENTIONS = ("delimiter", "numbers", "dates", "zero", "encoding", "pair", "rule")


@dataclass
class Outcome:
    """The decisions of one set: each with its verdict and, when not right, what init did."""

    name: str
    verdicts: list[tuple[str, str, str]] = field(default_factory=list)  # (key path, verdict, detail)

    def count(self, verdict: str) -> int:
        return sum(v == verdict for _, v, _ in self.verdicts)

    @property
    def decided(self) -> float:
        return self.count("right") / len(self.verdicts) if self.verdicts else 0.0


def guess(raw: Path):
    """init's guess on a copy of raw (init reads only; the copy keeps the fixture pristine)."""
    sys.path.insert(0, str(REPO))
    from cscomp_cli.inputs.guessing.guess import guess_map

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "raw"
        shutil.copytree(raw, folder)
        return guess_map(folder)


def _marked(path: str, undecided: set[str]) -> bool:
    return any(key == path or key.startswith(path + ".") for key in undecided)


def _source(value) -> dict | None:
    """A map's column source as {header | join, transforms...}; None when absent."""
    if value is None:
        return None
    if isinstance(value, dict):
        found = {k: v for k, v in value.items() if k in TRANSFORMS}
        if "column" in value:
            found["header"] = value["column"]
        if "value" in value:
            found["value"] = value["value"]
        return found
    return {"header": value}


def _same(expected, written) -> bool:
    if isinstance(expected, dict) and isinstance(written, dict):
        return set(map(str, expected)) == set(map(str, written)) and all(
            str(v) == str(written.get(k, written.get(str(k)))) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(written, list):
        return [str(x) for x in expected] == [str(x) for x in written]
    return str(expected) == str(written)


def _judge(outcome: Outcome, path: str, expected, written, undecided: set[str]) -> None:
    if _marked(path, undecided):
        outcome.verdicts.append((path, "undecided", f"marked UNDECIDED; wrote {written!r}"))
    elif expected is None and written is None:
        outcome.verdicts.append((path, "right", ""))
    elif expected is not None and written is not None and _same(expected, written):
        outcome.verdicts.append((path, "right", ""))
    else:
        outcome.verdicts.append((path, "wrong", f"expected {expected!r}, wrote {written!r}"))


def _table(outcome: Outcome, path: str, key: dict | None, written: dict | None, undecided: set[str]) -> None:
    if key is None:
        _judge(outcome, path, None, None if written is None else written.get("files"), undecided)
        return
    files = None if written is None else written.get("files")
    _judge(outcome, f"{path}.files", key.get("file"), files, undecided)
    if written is None:
        return
    for convention in CONVENTIONS:
        if convention in key:
            _judge(outcome, f"{path}.{convention}", key[convention], written.get(convention), undecided)
    rows_key, rows_written = key.get("rows"), written.get("rows")
    if rows_key is not None or rows_written is not None:
        _judge(outcome, f"{path}.rows", rows_key, rows_written, undecided)
    columns = written.get("columns") or {}
    for canonical, expected in (key.get("columns") or {}).items():
        if not isinstance(expected, dict) and expected is not None:
            expected = {"header": expected}  # fx: columns {month: Month, rate: EURUSD}
        column_path = f"{path}.columns.{canonical}"
        _judge(outcome, column_path, expected, _source(columns.get(canonical)), undecided)
    if "history" in key:
        _table(outcome, f"{path}.history", key["history"], written.get("history"), undecided)


def score(name: str) -> Outcome:
    """The verdict on every decision of one set."""
    found = guess(SETS / name / "raw")
    written = (yaml.safe_load(found.text) or {}).get("tables") or {}
    undecided = {u.key for u in found.undecided}
    key = yaml.safe_load((SETS / name / "decisions.yaml").read_text(encoding="utf-8"))["tables"]
    outcome = Outcome(name)
    for table, expected in key.items():
        _table(outcome, f"tables.{table}", expected, written.get(table), undecided)
    return outcome


def sets() -> list[str]:
    return sorted(p.name for p in SETS.iterdir() if (p / "decisions.yaml").is_file())


def table(outcomes: list[Outcome]) -> str:
    lines = ["| set | decided right | undecided | wrong | % decided |", "|---|---:|---:|---:|---:|"]
    for o in outcomes:
        lines.append(f"| {o.name} | {o.count('right')} | {o.count('undecided')} | {o.count('wrong')} | {o.decided:.0%} |")
    right = sum(o.count("right") for o in outcomes)
    total = sum(len(o.verdicts) for o in outcomes)
    lines.append(f"| **total** | {right} | {sum(o.count('undecided') for o in outcomes)} | "
                 f"{sum(o.count('wrong') for o in outcomes)} | {right / total:.0%} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    outcomes = [score(name) for name in sets()]
    text = table(outcomes)
    print(text)
    for o in outcomes:
        for path, verdict, detail in o.verdicts:
            if verdict != "right":
                print(f"  {o.name}: {verdict}: {path}: {detail}")
    if "--append" in argv:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        section = (f"\n<!-- benchmarks/init_decisions.py -->\n## init decisions on tool-shaped exports\n\n"
                   f"Written by `python benchmarks/init_decisions.py --append` on {stamp}: `cscomp init`'s guess on "
                   f"each `tests/tool_exports/<set>/raw/` compared, decision by decision, with the set's "
                   f"`decisions.yaml` (a decision marked UNDECIDED counts as undecided whatever was written beside "
                   f"it; one written differently, or left out unmarked, is wrong). Targets: 0 wrong, ≥ 85 % decided.\n\n"
                   f"{text}\n")
        with open(REPO / "benchmarks" / "RESULTS.md", "a", encoding="utf-8") as handle:
            handle.write(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
