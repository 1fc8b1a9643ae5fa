"""Record every command's output on the shipped sample org, and check that a later tree gives the same.

A restructuring must leave behaviour unchanged byte for byte. Run it on the tree before the change,
then on the tree after:

    python benchmarks/same_outputs.py record /tmp/outputs-before      # on the old checkout
    python benchmarks/same_outputs.py check /tmp/outputs-before       # on the new one

Each case runs `python -m cscomp_cli ...` from the repository root as its own process (so the
installed entry point, imports and exit codes are exercised as a user meets them) and keeps its
exit status, standard output, standard error and any file it wrote with --output. Workbooks are
compared member by member without docProps/core.xml, whose creation time changes each run.
`check` prints one line per case that differs and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "plans").glob("*.yaml"))
TEXT_FORMATS = ("table", "csv", "json", "markdown")
FILE_FORMATS = ("html", "xlsx")


def cases() -> dict[str, list[str]]:
    """Every case by a name that is also its folder: the command line after `cscomp`."""
    found: dict[str, list[str]] = {}

    def add(name: str, *args: str) -> None:
        found[name.replace("/", "_")] = list(args)

    for plan in PLANS:
        stem = Path(plan).stem
        for fmt in TEXT_FORMATS + FILE_FORMATS:
            output = ["--output", "{out}/result." + fmt] if fmt in FILE_FORMATS else []
            add(f"stress-test.{stem}.{fmt}", "stress-test", plan, "--format", fmt, *output)
        add(f"stress-test.{stem}.shock.csv", "stress-test", plan, "--shock", "churn=+25%",
            "--shock", "expansion=-30%", "--format", "csv")
        add(f"stress-test.{stem}.guardrails", "stress-test", plan, "-q", "--max-increase", "1",
            "--protect-top", "--min-correlation", "0.9", "--budget", "1000", "--format", "json")
        for fmt in ("table", "json"):
            add(f"validate.{stem}.{fmt}", "validate", plan, "--format", fmt)
        add(f"validate.{stem}.plan-only", "validate", plan, "--plan-only")
        add(f"explain.{stem}.json", "explain", plan, "--csm", "C07", "--quarter", "2026Q2", "--format", "json")
    add("stress-test.nrr_focus.8q.json", "stress-test", "plans/nrr_focus.yaml", "-n", "8", "--format", "json")
    add("stress-test.exports.csv", "stress-test", "plans/nrr_focus.yaml", "--data", "{exports}", "--format", "csv")
    add("stress-test.exports.table", "stress-test", "plans/nrr_focus.yaml", "--data", "{exports}")
    trio = ["plans/current.yaml", "plans/nrr_focus.yaml", "plans/expansion_quota.yaml"]
    for fmt in TEXT_FORMATS + FILE_FORMATS:
        output = ["--output", "{out}/result." + fmt] if fmt in FILE_FORMATS else []
        add(f"compare.{fmt}", "compare", *trio, "--format", fmt, *output)
    add("compare.shock.guardrails", "compare", *trio, "--shock", "churn=+10%", "--budget", "1000", "--format", "json")
    sweeps = {"retention": ["plans/current.yaml", "--set", "components.retention.target=0.88:0.96:0.01"],
              "weight": ["plans/nrr_focus.yaml", "--set", "components.nrr.weight=0.5:0.9:0.1"],
              "window": ["plans/ttm_nrr.yaml", "--set", "metrics.nrr_ttm.window=1:8:1"]}
    for name, args in sweeps.items():
        for fmt in TEXT_FORMATS:
            add(f"sweep.{name}.{fmt}", "sweep", *args, "--format", fmt)
    for fmt in TEXT_FORMATS:
        add(f"simulate.{fmt}", "simulate", "plans/nrr_focus.yaml", "--runs", "300", "--seed", "7",
            "--budget", "220000", "--format", fmt)
        add(f"explain.{fmt}", "explain", "plans/nrr_focus.yaml", "--csm", "C07", "--quarter", "2026Q2", "--format", fmt)
    add("simulate.ahead", "simulate", "plans/nrr_focus.yaml", "--runs", "200", "--seed", "3", "--quarters-ahead", "4",
        "--budget", "900000", "--max-overrun-probability", "0.1")
    for fmt in ("table", "csv", "json"):
        add(f"reconcile.{fmt}", "reconcile", "plans/current.yaml", "--quarters", "8", "--format", fmt)
    add("reconcile.strict", "reconcile", "plans/current.yaml", "--strict", "--quiet")
    add("validate.exports.json", "validate", "plans/expansion_quota.yaml", "--data", "{exports}", "--format", "json")
    add("validate.strict", "validate", "plans/current.yaml", "--strict")
    add("init.exports", "init", "{exports}", "--output-map", "-")
    for fmt in ("table", "json"):
        add(f"plan-diff.{fmt}", "plan-diff", "plans/current.yaml", "plans/nrr_focus.yaml", "--format", fmt)
    add("schema", "schema")
    add("schema.data-map", "schema", "--data-map")
    add("help", "--help")
    for command in ("stress-test", "compare", "sweep", "simulate", "init", "validate", "reconcile", "explain",
                    "plan-diff", "schema"):
        add(f"help.{command}", command, "--help")
    # Errors: the message and exit status must not move either.
    add("error.missing-plan", "stress-test", "plans/no_such_plan.yaml")
    add("error.bad-data", "stress-test", "plans/nrr_focus.yaml", "--data", "{out}")
    add("error.bad-set", "sweep", "plans/current.yaml", "--set", "components.nope.target=1:2:1")
    return found


def digest(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            members = {name: hashlib.sha256(book.read(name)).hexdigest() for name in sorted(book.namelist())
                       if name != "docProps/core.xml"}
        return "xlsx:" + hashlib.sha256(json.dumps(members).encode()).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_case(args: list[str], scratch: Path) -> dict:
    out = scratch / "out"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    exports = ROOT / "sample_data" / "exports"
    # A copy of the exports, so init's map and any stray write never touch the shipped folder.
    copy = scratch / "exports"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(exports, copy)
    line = [a.replace("{out}", str(out)).replace("{exports}", str(copy)) for a in args]
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "160", "LANG": "C.UTF-8",
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "cscomp_cli", *line], cwd=ROOT, capture_output=True, env=env)
    # Paths of the scratch folder differ between runs: say them as placeholders.
    def plain(data: bytes) -> str:
        text = data.decode("utf-8", "replace")
        return text.replace(str(out), "{out}").replace(str(copy), "{exports}")
    record = {"exit": done.returncode, "stdout": hashlib.sha256(plain(done.stdout).encode()).hexdigest(),
              "stderr": plain(done.stderr), "files": {}}
    for written in sorted(out.iterdir()):
        record["files"][written.name] = digest(written)
    return record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("record", "check"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--only", help="run only the cases whose name contains this text")
    options = parser.parse_args()
    chosen = {name: args for name, args in cases().items() if not options.only or options.only in name}
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for index, (name, args) in enumerate(chosen.items(), 1):
            print(f"[{index}/{len(chosen)}] {name}", file=sys.stderr, flush=True)
            results[name] = run_case(args, Path(scratch))
    if options.mode == "record":
        options.folder.mkdir(parents=True, exist_ok=True)
        (options.folder / "outputs.json").write_text(json.dumps(results, indent=1, sort_keys=True))
        print(f"recorded {len(results)} cases in {options.folder}/outputs.json")
        return 0
    before = json.loads((options.folder / "outputs.json").read_text())
    differ = [name for name in results if results[name] != before.get(name)]
    for name in differ:
        old, new = before.get(name), results[name]
        what = "new case" if old is None else ", ".join(k for k in new if new[k] != old.get(k))
        print(f"differs: {name} ({what})")
    print(f"{len(results) - len(differ)} of {len(results)} cases give the same output")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
