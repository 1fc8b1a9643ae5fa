"""Fuzz: mutate a slice of the sample org and the example plans at random (bytes, cells, columns,
rows, keys, values) and run every command on the result. Whatever the input, the exit status is
0, 1 or 2, no traceback is printed, and no internal error ("… a bug in cscomp") slips through as a
user error: every refusal must be one cscomp understood.

Each case is a seed, so a failure names the exact input that caused it and can be replayed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
from pathlib import Path

import pytest
import yaml

from .conftest import REPO, run, sample_cut

# More cases on demand: CSCOMP_FUZZ_CASES=5000 [CSCOMP_FUZZ_FIRST=10000] python -m pytest tests/test_fuzz_commands.py
CASES = int(os.environ.get("CSCOMP_FUZZ_CASES", "160"))
FIRST = int(os.environ.get("CSCOMP_FUZZ_FIRST", "0"))
FILES = ("accounts.csv", "roster.csv", "payouts.csv", "quotas.csv")
PLANS = sorted((REPO / "plans").glob("*.yaml"))
NASTY_CELLS = ["", " ", "-1", "-0", "0", "abc", "1e308", "1e5", "NaN", "nan", "inf", "-inf", "2026Q9", "Q5 2026",
               "=HYPERLINK(\"x\")", "9999999999999999999999", "0.0000001", "(5)", "($1,2)", "€", "$", "1,2,3",
               "yes", "maybe", "2026-02-30", "2026-02-15", "\"", "'", "C01", "A00001", "Enterprise", "x" * 300,
               "１２３", "\u200b", "-", ".", "1.", "100000000000000", "2026Q1", "true", "11", "0.5", "1.5"]
# Control characters, bidirectional overrides and quoted line breaks (issue 10): refused at load, or read.
NASTY_CELLS += ["A\x00na", "\x01", "x\x0by", "\x1b[2J", "\x7f", "\x85", "Bo\u202e", "\u2066C01\u2069", "two\nlines"]
NASTY_VALUES = [None, -1, 0, 1e308, float("nan"), "nrr", "", [], {}, [[1, 1]], {"by": "segment"}, "quotas",
                [1, 2, 3], True, "2026Q1", {"pct_of_start_arr": -1}, 10**30, "all", [{"rate": 0.1}]]


def _base_data() -> dict[str, str]:
    """The sample org cut to five CSMs and the last two quarters: small enough to run 160 times."""
    return sample_cut({"C01", "C02", "C05", "C09", "C21"}, {"2026Q3", "2026Q4"}, FILES)


BASE = _base_data()


def _mutate_bytes(text: str, rng: random.Random) -> str:
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data) + 1)
        action = rng.choice(("flip", "insert", "delete", "truncate"))
        if action == "flip" and at < len(data):
            data[at] = rng.randrange(256)
        elif action == "insert":
            data[at:at] = bytes([rng.choice(b",\n\"\r\t;0-9xQ\xff\x00 ")])
        elif action == "delete":
            del data[at:at + rng.randint(1, 20)]
        elif action == "truncate":
            del data[at:]
    return data.decode("utf-8", errors="surrogateescape").encode("utf-8", errors="surrogateescape").decode(
        "utf-8", errors="replace") if rng.random() < 0.5 else data.decode("latin-1")


def _mutate_cells(text: str, rng: random.Random) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return text
    action = rng.choice(("cell", "cell", "cell", "drop_column", "duplicate_row", "header", "shuffle", "empty"))
    if action == "cell" and len(rows) > 1:
        for _ in range(rng.randint(1, 3)):
            row = rng.choice(rows[1:])
            if row:
                row[rng.randrange(len(row))] = rng.choice(NASTY_CELLS)
    elif action == "drop_column" and rows[0]:
        column = rng.randrange(len(rows[0]))
        rows = [r[:column] + r[column + 1:] for r in rows]
    elif action == "duplicate_row" and len(rows) > 1:
        rows.insert(rng.randrange(1, len(rows) + 1), list(rng.choice(rows[1:])))
    elif action == "header" and rows[0]:
        rows[0][rng.randrange(len(rows[0]))] = rng.choice(["", "Quarter ", "CSM_ID", "amount", "x", "churn"])
    elif action == "shuffle":
        body = rows[1:]
        rng.shuffle(body)
        rows = [rows[0], *body]
    elif action == "empty":
        rows = rows[:rng.choice((0, 1))]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _mutate_plan(text: str, rng: random.Random) -> str:
    if rng.random() < 0.25:
        return _mutate_bytes(text, rng)
    plan = yaml.safe_load(text)
    for _ in range(rng.randint(1, 3)):
        node, key = _random_slot(plan, rng)
        action = rng.choice(("value", "value", "delete", "rename"))
        if action == "value":
            node[key] = rng.choice(NASTY_VALUES)
        elif action == "delete" and isinstance(node, dict):
            node.pop(key, None)
        elif action == "rename" and isinstance(node, dict) and key in node:
            node[str(key)[:-1] + rng.choice("sx_")] = node.pop(key)
    return yaml.safe_dump(plan, sort_keys=False, allow_unicode=True)


def _random_slot(node, rng: random.Random):
    """A random (container, key) somewhere in the plan tree."""
    path = [(node, k) for k in (node if isinstance(node, dict) else range(len(node)))]
    parent, key = rng.choice(path)
    while isinstance(parent[key], (dict, list)) and parent[key] and rng.random() < 0.7:
        child = parent[key]
        parent, key = child, rng.choice(list(child) if isinstance(child, dict) else range(len(child)))
    return parent, key


HUGE = "9" * 400
EXTREME_NUMBERS = ["nan", "-nan", "inf", "-inf", "1e999", "-1", HUGE, "1e-999999999"]
# Options at values Python, numpy or Decimal cannot take, or that would run for hours: each must be refused.
EXTREME_OPTIONS = {
    "guardrails": ["--max-increase", "--max-decrease", "--budget", "--min-correlation"],
    "simulate": {"--runs": ["0", "-1", "1000001", HUGE], "--quarters-ahead": ["0", "41", "100000", "1000000000"],
                 "--seed": ["-1", "4294967296", HUGE], "--max-overrun-probability": EXTREME_NUMBERS},
    "--set": ["cap=0.9:1:1e-999999999", "cap=0:1e999999999:1", "cap=1:2:1e999999999", "cap=nan,1",
              "cap=" + ",".join(["1"] * 10_001), f"cap={HUGE}%", "cap=1e-999999999,1"],
    "--shock": [f"churn=+1{HUGE}%", f"expansion=+{HUGE}", f"churn=-{HUGE}%", "churn=+10000.5%", "expansion=+10000%"],
}


def _extreme_option(command: str, rng: random.Random) -> list[str]:
    """One option at an extreme value for the command (none for most cases)."""
    if rng.random() < 0.6:
        return []
    if command in ("stress-test", "compare"):
        if rng.random() < 0.5:
            return ["--shock", rng.choice(EXTREME_OPTIONS["--shock"])]
        return [rng.choice(EXTREME_OPTIONS["guardrails"]), rng.choice(EXTREME_NUMBERS)]
    if command == "simulate":
        option = rng.choice([*EXTREME_OPTIONS["simulate"], "--budget"])
        return [option, rng.choice(EXTREME_OPTIONS["simulate"].get(option, EXTREME_NUMBERS))]
    if command == "sweep":
        return ["--set", rng.choice(EXTREME_OPTIONS["--set"])]  # the last --set is the one swept
    return []


def _case(seed: int, folder: Path) -> list[str]:
    rng = random.Random(seed)
    plan_path = rng.choice(PLANS)
    files = dict(BASE)
    files["plan.yaml"] = plan_path.read_text(encoding="utf-8")
    target = rng.choice([*FILES, "plan.yaml", "plan.yaml"])
    if target == "plan.yaml":
        files[target] = _mutate_plan(files[target], rng)
    elif rng.random() < 0.3:
        files[target] = _mutate_bytes(files[target], rng)
    else:
        files[target] = _mutate_cells(files[target], rng)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_bytes(text.encode("utf-8", errors="surrogateescape"))
    plan, other = str(folder / "plan.yaml"), str(rng.choice(PLANS))
    command = rng.choice((
        ["stress-test", plan, "--quarters", str(rng.choice((1, 2, 3))), "--format", rng.choice(("json", "csv", "table")),
         *rng.choice(([], ["--shock", "churn=+50%"], ["--protect-top", "--max-increase", "5"]))],
        ["validate", plan, "--format", "json"],
        ["reconcile", plan, "--quarters", "2", "--format", "json"],
        ["explain", plan, "--csm", rng.choice(("C01", "C21", "C99")), "--quarter", rng.choice(("2026Q4", "2026Q3"))],
        ["compare", plan, other, "--quarters", "2", "--format", rng.choice(("json", "csv", "markdown"))],
        ["simulate", plan, "--runs", "50", "--quarters", "2", "--format", "json", "--budget", "100000"],
        ["sweep", plan, "--set", rng.choice(("cap=1:3:1", "components.retention.weight=0.3,0.6",
                                             "components.nrr.curve.0.0=0.8,0.9")), "--quarters", "2"],
        ["plan-diff", other, plan, "--format", "json"],
    ))
    command += _extreme_option(command[0], rng)
    return [command[0], command[1], "--data", str(folder), *command[2:]] if command[0] != "plan-diff" else command


@pytest.mark.parametrize("seed", range(FIRST, FIRST + CASES))
def test_mutated_inputs_never_crash(tmp_path, seed):
    args = _case(seed, tmp_path / "data")
    result = run(*args)
    shown = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), (seed, args, shown[-2000:])
    assert "Traceback" not in shown, (seed, args, shown[-2000:])
    assert "this is a bug in cscomp" not in result.stderr, (seed, args, result.stderr)
    if result.exit_code == 0 and "json" in args:
        json.loads(result.stdout)
    if result.exit_code == 2:
        assert result.stderr.strip() or args[0] == "validate", (seed, args)


# --- Hostile text: markup, formulas and control characters in every text field ------------------
# A value of the sample org (a CSM id, a name, a segment, a component) is replaced by a hostile
# string in every file and in the plan, so it survives validation and reaches every output; or the
# plan's free text (name, currency, a component id) is. Whatever the command and format: no script
# in HTML, no formula in a CSV cell or a workbook, no raw control character on the terminal.
HOSTILE_CASES = int(os.environ.get("CSCOMP_FUZZ_HOSTILE_CASES", "60"))
HOSTILE = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "\"><svg onload=alert(1)>",
           "[bold red]x[/]", "[link=file:///etc/passwd]x[/link]", "\x1b[2J", "\x1b]52;c;cHduZWQ=\x07",
           "a|b", "$\\frac{a}{$", "$50k-$250k", "=1+2", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\x00",
           "x\x01y", "x\x0by", "\u202eevil", "x\ny", "\x7f", "\x9b2J", "&amp;<b>", "`code`", "*em*"]
SAMPLE_TOKENS = ["C01", "Ana Alvarez", "Enterprise", "expansion", "Ent-East"]
DATA_ONLY_TOKENS = {"expansion"}  # a payouts component; in a plan the same word is a metric's name
WHOLE_PLANS = [path for path in PLANS if "extends:" not in path.read_text(encoding="utf-8")]
CONTROL = {chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))} | set(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
RAW_MARKUP = ("<img src=x", "<script>alert", "<svg onload")


def _replace_cells(text: str, token: str, hostile: str) -> str:
    header, *body = list(csv.reader(io.StringIO(text)))
    rows = [header, *([hostile if cell == token else cell for cell in row] for row in body)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _replace_in_plan(node, token: str, hostile: str):
    if isinstance(node, dict):
        return {_replace_in_plan(k, token, hostile): _replace_in_plan(v, token, hostile) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace_in_plan(item, token, hostile) for item in node]
    return hostile if node == token else node


def _hostile_case(seed: int, folder: Path) -> tuple[list[str], Path | None, str]:
    rng = random.Random(seed)
    hostile = rng.choice(HOSTILE)
    files = dict(BASE)
    plan = yaml.safe_load(rng.choice(WHOLE_PLANS).read_text(encoding="utf-8"))
    if rng.random() < 0.6:
        token = rng.choice(SAMPLE_TOKENS)
        files = {name: _replace_cells(text, token, hostile) for name, text in files.items()}
        if token not in DATA_ONLY_TOKENS:
            plan = _replace_in_plan(plan, token, hostile)
    else:
        # A component id must be a lower-case word, so the plan's free text is its name and currency.
        plan[rng.choice(("name", "name", "currency"))] = hostile
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    plan_path = folder / "plan.yaml"
    plan_path.write_text(yaml.safe_dump(plan, sort_keys=False, allow_unicode=True), encoding="utf-8")
    other = folder.parent / f"{hostile[:12].replace('/', '_').replace(chr(0), '_')}.yaml"
    try:
        other.write_text(rng.choice(WHOLE_PLANS).read_text(encoding="utf-8"), encoding="utf-8")
    except (OSError, ValueError):
        other = rng.choice(WHOLE_PLANS)
    output_format = rng.choice(("table", "markdown", "csv", "json", "html", "xlsx"))
    written = folder.parent / f"result.{output_format}" if output_format in ("html", "xlsx") else None
    command = rng.choice((
        ["stress-test", plan_path, "--quarters", "2", "--format", output_format],
        ["compare", plan_path, other, "--quarters", "2", "--format", output_format],
        ["validate", plan_path],
        ["reconcile", plan_path, "--quarters", "2", "--format", rng.choice(("table", "csv"))],
        ["explain", plan_path, "--csm", rng.choice(("C01", hostile)), "--quarter", "2026Q4",
         "--format", rng.choice(("table", "markdown", "csv"))],
        ["sweep", plan_path, "--set", "cap=1:3:1", "--quarters", "2", "--format", rng.choice(("table", "csv", "markdown"))],
        ["simulate", plan_path, "--runs", "20", "--quarters", "2", "--format", rng.choice(("table", "markdown", "csv"))],
    ))
    shown_format = command[command.index("--format") + 1] if "--format" in command else "table"
    if shown_format in ("html", "xlsx"):
        command += ["--output", written]
    else:
        written = None
    return [str(part) for part in [command[0], command[1], "--data", folder, *command[2:]]], written, shown_format


@pytest.mark.parametrize("seed", range(FIRST, FIRST + HOSTILE_CASES))
def test_hostile_text_never_reaches_an_output_raw(tmp_path, seed):
    args, written, shown_format = _hostile_case(seed, tmp_path / "data")
    result = run(*args)
    shown = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), (seed, args, shown[-2000:])
    assert "Traceback" not in shown and "this is a bug in cscomp" not in result.stderr, (seed, args, shown[-2000:])
    assert not CONTROL & set(result.stderr.replace("\n", "").replace("\t", "")), (seed, args, result.stderr)
    if shown_format in ("table", "markdown"):
        assert not CONTROL & set(result.stdout.replace("\n", "").replace("\t", "")), (seed, args, result.stdout)
    if shown_format == "markdown":
        assert not any(raw in result.stdout for raw in RAW_MARKUP), (seed, args, result.stdout)
    if shown_format == "csv" and result.exit_code != 2:
        for row in csv.reader(io.StringIO(result.stdout)):
            for cell in row:
                assert not cell[:1] in ("=", "+", "@", "\t", "\r"), (seed, args, cell)
                if cell.startswith("-"):
                    float(cell)  # a leading minus only ever starts a number
    if written is not None and result.exit_code != 2:
        if shown_format == "html":
            page = written.read_text(encoding="utf-8")
            assert not any(raw in page for raw in RAW_MARKUP), (seed, args)
            assert not CONTROL & set(page.replace("\n", "").replace("\t", "")), (seed, args)
        else:
            import zipfile

            with zipfile.ZipFile(written) as book:
                for name in book.namelist():
                    if name.startswith("xl/worksheets/"):
                        assert b"<f>" not in book.read(name), (seed, args, name)


# --- Careless operators: devices and FIFOs for paths, extreme option values ----------------------
EXTREME_COMMAND_LINES = [
    ["stress-test", "--quarters", "0"], ["stress-test", "--quarters", str(10**9)],
    ["stress-test", "--max-increase", "nan"], ["stress-test", "--max-decrease", "inf"],
    ["stress-test", "--budget", "nan"], ["compare", "--budget", "-inf"], ["compare", "--max-increase", "1e999"],
    ["stress-test", "--shock", "churn=+1" + "0" * 400 + "%"], ["stress-test", "--shock", "churn=nan%"],
    ["stress-test", "--shock", "churn=+1e999%"], ["stress-test", "--min-correlation", "nan"],
    ["simulate", "--seed", "-1"], ["simulate", "--seed", str(2**64)], ["simulate", "--runs", str(10**12)],
    ["simulate", "--quarters-ahead", str(10**9)], ["simulate", "--quarters-ahead", "100000"],
    ["simulate", "--max-decrease", "nan"], ["simulate", "--budget", "inf"],
    ["sweep", "--set", "cap=1:3:1e-999999999"], ["sweep", "--set", "cap=" + ",".join(["1.5"] * 20000)],
    ["sweep", "--set", "cap=1:1e300:1"], ["sweep", "--set", "cap=nan:3:1"],
]


@pytest.mark.parametrize("extreme", EXTREME_COMMAND_LINES, ids=lambda option: " ".join(option)[:60])
def test_extreme_option_values_are_refused_or_bounded(tmp_path, extreme):
    folder = tmp_path / "data"
    folder.mkdir()
    for name, text in BASE.items():
        (folder / name).write_text(text, encoding="utf-8")
    command, *options = extreme
    needs = {"sweep": ["--quarters", "2"], "simulate": ["--runs", "20", "--quarters", "2"]}.get(command, [])
    plans = [str(REPO / "plans" / "current.yaml")] + (
        [str(REPO / "plans" / "expansion_quota.yaml")] if command == "compare" else [])
    result = run(command, *plans, "--data", str(folder), *needs, *options)
    shown = result.stdout + result.stderr
    assert result.exit_code in (0, 2), (extreme, shown[-2000:])
    assert "Traceback" not in shown and "this is a bug in cscomp" not in result.stderr, (extreme, shown[-2000:])
    if result.exit_code == 2:
        assert result.stderr.strip(), extreme


def _run_bounded(args: list[str], seconds: float = 60):
    """A real process with a deadline: a FIFO or a device must not hang a command or eat memory."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", "from cscomp_cli.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=seconds, cwd=REPO)


# Every kind on accounts.csv, and each other input in turn as one of them (each case is a process).
DEVICE_INPUTS = [(kind, "accounts.csv") for kind in ("fifo", "zero", "folder", "null")] + [
    ("zero", "roster.csv"), ("fifo", "payouts.csv"), ("null", "quotas.csv"), ("fifo", "plan.yaml"), ("zero", "plan.yaml")]


@pytest.mark.parametrize(("kind", "name"), DEVICE_INPUTS)
def test_a_device_or_fifo_given_as_an_input_is_refused(tmp_path, kind, name):
    folder = tmp_path / "data"
    folder.mkdir()
    for file, text in BASE.items():
        (folder / file).write_text(text, encoding="utf-8")
    # The expansion-quota plan reads every file, quotas.csv included.
    (folder / "plan.yaml").write_text((REPO / "plans" / "expansion_quota.yaml").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    target = folder / name
    target.unlink()
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        target.symlink_to(f"/dev/{kind}")
    result = _run_bounded(["stress-test", str(folder / "plan.yaml"), "--data", str(folder), "--quarters", "2"])
    assert result.returncode == 2, (kind, name, result.stdout[-500:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "this is a bug in cscomp" not in result.stderr, result.stderr
    assert name in result.stderr, result.stderr


@pytest.mark.parametrize(("kind", "output_format"), [
    ("fifo", "csv"), ("fifo", "xlsx"), ("symlink", "json"), ("symlink", "html"), ("null", "table"), ("null", "xlsx"),
    ("full", "csv"), ("full", "html")])
def test_an_output_that_is_a_device_fifo_or_link_is_written_through(tmp_path, kind, output_format):
    import stat
    import threading

    folder = tmp_path / "data"
    folder.mkdir()
    for file, text in BASE.items():
        (folder / file).write_text(text, encoding="utf-8")
    received = bytearray()
    reader = None
    if kind == "fifo":
        output = tmp_path / "pipe"
        os.mkfifo(output)

        def drain():
            with open(output, "rb") as pipe:
                received.extend(pipe.read())

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
    elif kind == "symlink":
        real = tmp_path / "real" / "result.out"
        real.parent.mkdir()
        real.write_text("old", encoding="utf-8")
        output = tmp_path / "link.out"
        output.symlink_to(real)
    else:
        output = Path(f"/dev/{kind}")
    result = _run_bounded(["stress-test", str(PLANS[0]), "--data", str(folder), "--quarters", "2",
                           "--format", output_format, "--output", str(output), "--quiet"])
    assert "Traceback" not in result.stderr and "this is a bug in cscomp" not in result.stderr, result.stderr
    if kind == "full":
        # Linux's /dev/full refuses every write with ENOSPC: a clear error, and it stays a device.
        assert result.returncode == 2 and "/dev/full" in result.stderr, result.stderr
    else:
        assert result.returncode == 0, result.stderr
    if kind in ("null", "full"):
        assert stat.S_ISCHR(os.stat(output).st_mode), f"{output} was replaced by a regular file"
    elif kind == "fifo":
        reader.join(timeout=30)
        assert stat.S_ISFIFO(os.lstat(output).st_mode) and len(received) > 100
    else:
        assert output.is_symlink() and real.read_bytes() != b"old"
        assert not [p for p in real.parent.iterdir() if p.name.endswith(".tmp")]
