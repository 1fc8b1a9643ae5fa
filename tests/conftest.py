"""Shared helpers: inline CSV fixtures and a CLI runner that keeps stdout and stderr apart."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cscomp_cli.cli import app

REPO = Path(__file__).resolve().parent.parent
# A copy of ../shared/vectors lives in the repository so a clean clone tests them too;
# test_vectors checks the copy still matches the shared original whenever that is present.
VECTORS = REPO / "tests" / "vectors"
SHARED_VECTORS = REPO.parent / "shared" / "vectors"

# Two CSMs with TV 20,000 / 4 = 5,000 a quarter, one flat account of 100,000 each (nrr 1.0), each
# paid 5,000 in 2026Q1: the smallest org on which a plan pays exactly its target.
DEFAULT_ROSTER = """\
csm_id,name,segment,annual_base,annual_variable
C1,Ana,Enterprise,100000,20000
C2,Bo,SMB,100000,20000
"""
FLAT_ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
2026Q1,A1,C1,100000,0,0,0
2026Q1,A2,C2,100000,0,0,0
"""
PAID_AT_TARGET = "quarter,csm_id,amount\n2026Q1,C1,5000\n2026Q1,C2,5000\n"
# The same two CSMs with books that move: C1 (Enterprise) +10,000 expansion, −5,000 contraction →
# nrr 1.05; C2 (SMB) −4,000 churn → nrr 0.96. Under NRR_PLAN: C1 f 1.25 → 6,250; C2 f 0.6 → 3,000.
MOVING_ACCOUNTS = """\
quarter,account_id,csm_id,arr_start,expansion,contraction,churn
2026Q1,A1,C1,100000,10000,5000,0
2026Q1,A2,C2,100000,0,0,4000
"""
NRR_ONLY_YAML = """\
name: nrr only
components:
  - id: retention
    metric: nrr
    weight: 1.0
    target: 1.0
    curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
"""

NRR_CURVE = [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]
NRR_PLAN = {"name": "NRR plan", "components": [{"id": "retention", "metric": "nrr", "weight": 1.0, "target": 1.0,
                                                "curve": NRR_CURVE}]}


def write_files(folder: Path, **files: str) -> Path:
    """Write dedented text files (name=content; '.csv' added when missing) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        filename = name if "." in name else f"{name}.csv"
        (folder / filename).write_text(textwrap.dedent(content), encoding="utf-8")
    return folder


@pytest.fixture
def data_dir(tmp_path):
    """A factory: data_dir(accounts=..., roster=..., payouts=..., plan=...) -> folder."""

    def make(**files: str) -> Path:
        files.setdefault("roster", DEFAULT_ROSTER)
        if "plan" in files:
            files["plan.yaml"] = files.pop("plan")
        return write_files(tmp_path / "data", **files)

    return make


def run(*args: str, env: dict | None = None, input: str | None = None):
    """Invoke the CLI in-process; result.stdout and result.stderr are separate."""
    return CliRunner().invoke(app, [str(a) for a in args], env=env, input=input, catch_exceptions=False)


def run_json(*args: str) -> dict:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def assert_user_error(result, *fragments: str) -> None:
    """Exit 2, a message naming every fragment on stderr, no traceback, nothing on stdout."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in {result.stderr!r}"


# --- guards for tests that feed hostile files: a FIFO, /dev/zero, a link loop -----------------------------


class Blocked(BaseException):
    """Not an OSError (as TimeoutError is), so no `except OSError` in the code under test hides it."""


@pytest.fixture
def deadline(request):
    """Fail (rather than hang the suite) when the test blocks for longer than its module's
    DEADLINE_SECONDS (20 by default): a FIFO opened, an endless file read or a link loop walked."""
    import signal

    def expired(signum, frame):
        raise Blocked("blocked: a FIFO was opened, an endless file read or a link loop walked")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(getattr(request.module, "DEADLINE_SECONDS", 20))
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def memory_cap():
    """At most 1.5 GB more address space while the test runs, so reading /dev/zero whole ends in a
    MemoryError the test sees instead of the machine running out of memory."""
    import resource

    size = next(int(line.split()[1]) * 1024 for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmSize:"))
    previous = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (size + 1536 * 1024**2, previous[1]))
    yield
    resource.setrlimit(resource.RLIMIT_AS, previous)


# --- what every fuzz case must hold, whatever its input --------------------------------------------------


def names_an_input(said: str, folder: Path, map_file: str = "cscomp-data.yaml") -> bool:
    """Whether a refusal says which input it is about: the map, an export (by name) or the folder."""
    names = {map_file, str(folder)} | {p.name for p in folder.rglob("*")}
    return any(name in said for name in names)


def assert_survived(result, args: list[str], folder: Path, context) -> None:
    """Exit 0, 1 or 2; no traceback and no internal error; JSON that parses; and a refusal that says
    something and names the input it is about (explain may refuse a CSM or quarter instead)."""
    shown = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), (context, args, shown[-3000:])
    assert "Traceback" not in shown, (context, args, shown[-3000:])
    assert "this is a bug in cscomp" not in shown and "error: unexpected" not in shown, (
        context, args, shown[-3000:])
    if result.exit_code == 0 and "json" in args:
        json.loads(result.stdout)
    if result.exit_code == 2:
        # validate reports its problems on stdout.
        said = shown if args[0] == "validate" else result.stderr
        assert said.strip(), (context, args)
        assert names_an_input(said, folder) or args[0] == "explain", (context, args, said[-3000:])


def sample_cut(csms: set[str], quarters: set[str],
               names: tuple[str, ...] = ("accounts.csv", "roster.csv", "payouts.csv")) -> dict[str, str]:
    """The shipped sample org's CSVs cut to a few CSMs and quarters (rows without a quarter kept):
    small enough for a fuzz test to replay hundreds of times."""
    import csv
    import io

    texts = {}
    for name in names:
        header, *body = list(csv.reader(io.StringIO((REPO / "sample_data" / name).read_text(encoding="utf-8"))))
        q, c = header.index("quarter") if "quarter" in header else None, header.index("csm_id")
        body = [r for r in body if r[c] in csms and (q is None or r[q] in quarters or r[q] == "")]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([header, *body])
        texts[name] = buffer.getvalue()
    return texts
