"""Issue 10's writing rows: --output never overwrites an input, writes through to devices, FIFOs and
symlinks, and a signal or a full disk leaves a clear message and no temporary file behind."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time

import pytest

from .conftest import (
    DEFAULT_ROSTER,
    FLAT_ACCOUNTS,
    NRR_ONLY_YAML,
    PAID_AT_TARGET,
    REPO,
    VECTORS,
    assert_user_error,
    run,
)

V03 = VECTORS / "03_tiered_commission_credit"
CHILD = "extends: base/middle.yaml\nname: child\n"
MIDDLE = "extends: parent.yaml\ncap: 3.0\n"


def org(tmp_path):
    """A data folder, and a plan (plans/child.yaml) extending base/middle.yaml extending base/parent.yaml."""
    data = tmp_path / "data"
    data.mkdir()
    for name, text in (("accounts.csv", FLAT_ACCOUNTS), ("roster.csv", DEFAULT_ROSTER), ("payouts.csv", PAID_AT_TARGET)):
        (data / name).write_text(text)
    (tmp_path / "plans" / "base").mkdir(parents=True)
    (tmp_path / "plans" / "base" / "parent.yaml").write_text(NRR_ONLY_YAML)
    (tmp_path / "plans" / "base" / "middle.yaml").write_text(MIDDLE)
    (tmp_path / "plans" / "child.yaml").write_text(CHILD)
    return data, tmp_path / "plans" / "child.yaml"


def every_command(plan, data, output):
    """Each command that reads inputs, writing its result to output."""
    common = ("--data", data, "--output", output)
    other = plan.parent / "other.yaml"
    return {
        "stress-test": ("stress-test", plan, "--quarters", "1", *common),
        "compare": ("compare", other, plan, "--quarters", "1", *common),
        "sweep": ("sweep", plan, "--set", "components.retention.target=0.9,1.0", "--quarters", "1", *common),
        "simulate": ("simulate", plan, "--runs", "10", *common),
        "validate": ("validate", plan, *common),
        "reconcile": ("reconcile", plan, "--quarters", "1", *common),
        "explain": ("explain", plan, "--csm", "C1", "--quarter", "2026Q1", *common),
        "plan-diff": ("plan-diff", other, plan, "--output", output),
    }


def test_every_command_refuses_every_file_of_the_extends_chain_as_output(tmp_path):
    data, plan = org(tmp_path)
    (plan.parent / "other.yaml").write_text(NRR_ONLY_YAML)
    parent, middle = plan.parent / "base" / "parent.yaml", plan.parent / "base" / "middle.yaml"
    (tmp_path / "link.yaml").symlink_to(parent)
    os.link(middle, tmp_path / "hard.yaml")
    outputs = {parent: "parent.yaml", middle: "middle.yaml", plan: "child.yaml",
               tmp_path / "link.yaml": "link.yaml", tmp_path / "hard.yaml": "hard.yaml",
               tmp_path / "plans" / "base" / ".." / "base" / "parent.yaml": "parent.yaml"}
    for output, name in outputs.items():
        for command, args in every_command(plan, data, output).items():
            result = run(*args)
            assert_user_error(result, "--output", name, "is one of the inputs")
            assert (parent.read_text(), middle.read_text(), plan.read_text()) == (NRR_ONLY_YAML, MIDDLE, CHILD), command
            assert (tmp_path / "link.yaml").is_symlink()


def test_every_command_refuses_the_data_files_and_every_plan_it_reads(tmp_path):
    data, plan = org(tmp_path)
    other = plan.parent / "other.yaml"
    other.write_text(NRR_ONLY_YAML)
    for command in ("compare", "plan-diff"):  # the commands that read two plans
        assert_user_error(run(*every_command(plan, data, other)[command]), "--output", "other.yaml",
                          "is one of the inputs")
        assert other.read_text() == NRR_ONLY_YAML, command
    for name in ("accounts.csv", "roster.csv", "payouts.csv"):
        before = (data / name).read_bytes()
        for command, args in every_command(plan, data, data / name).items():
            if command != "plan-diff":
                assert_user_error(run(*args), "--output", name, "is one of the inputs")
            assert (data / name).read_bytes() == before, command


def test_a_plan_on_standard_input_protects_the_plans_it_extends(tmp_path, monkeypatch):
    data, plan = org(tmp_path)
    monkeypatch.chdir(plan.parent)  # extends: in a plan read from stdin is relative to the working folder
    parent = plan.parent / "base" / "parent.yaml"
    result = run("stress-test", "-", "--quarters", "1", "--data", data, "--output", "./base/parent.yaml", input=CHILD)
    assert_user_error(result, "--output", "parent.yaml", "is one of the inputs")
    assert parent.read_text() == NRR_ONLY_YAML


# --- devices, FIFOs and symlinks as --output (row 3) -----------------------------------------------


def stress_json(output):
    return run("stress-test", V03 / "plan.yaml", "--quarters", "1", "--data", V03, "--format", "json",
               "--output", output)


def expected_json():
    result = run("stress-test", V03 / "plan.yaml", "--quarters", "1", "--data", V03, "--format", "json")
    assert result.exit_code == 0
    return result.stdout


def read_fifo_while(fifo, action):
    """Run action() while another thread reads the FIFO; what it read, once the writer is done."""
    keep = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # a writer of our own: the reader never waits for EOF forever
    chunks = []
    reader = threading.Thread(target=lambda: chunks.append(_read_all(fifo)), daemon=True)
    reader.start()
    try:
        outcome = action()
    finally:
        os.close(keep)
    reader.join(timeout=30)
    assert not reader.is_alive()
    return outcome, b"".join(chunks)


def _read_all(fifo):
    with open(fifo, "rb") as stream:
        return stream.read()


def test_a_fifo_as_output_is_written_through(tmp_path):
    fifo = tmp_path / "result.fifo"
    os.mkfifo(fifo)
    result, received = read_fifo_while(fifo, lambda: stress_json(fifo))
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not replaced by a regular file
    assert received.decode() == expected_json()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.fifo"]


def test_a_character_device_as_output_is_written_through(tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null, ours to lose
    except PermissionError:
        pytest.skip("cannot make a device node here")
    assert stress_json(device).exit_code == 0
    assert stat.S_ISCHR(os.lstat(device).st_mode) and os.lstat(device).st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_a_symlink_as_output_keeps_the_link_and_replaces_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "result.json"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to("real/result.json")
    chain = tmp_path / "chain.json"
    chain.symlink_to(link)
    for output in (link, chain):
        assert stress_json(output).exit_code == 0
        assert link.is_symlink() and os.readlink(link) == "real/result.json"
        assert chain.is_symlink() and target.read_text() == expected_json()
        assert target.stat().st_mode & 0o777 == 0o640  # the target keeps its permissions
        target.write_text("old\n")
    dangling = tmp_path / "new.json"
    dangling.symlink_to("real/new.json")  # a link to a file not yet written: the file is made
    assert stress_json(dangling).exit_code == 0
    assert dangling.is_symlink() and (tmp_path / "real" / "new.json").read_text() == expected_json()
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["new.json", "result.json"]


def test_a_symlink_to_standard_output_writes_to_standard_output(tmp_path):
    link = tmp_path / "out"
    link.symlink_to("/proc/self/fd/1")
    result = stress_json(link)
    assert result.exit_code == 0 and result.stdout == expected_json()
    assert link.is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_system_devices_as_output_are_written_through(tmp_path):
    # Only once a FIFO of our own is known to be written through: code that would replace it would
    # also replace /dev/null (system-wide, as root), so that must never be tried.
    fifo = tmp_path / "guard.fifo"
    os.mkfifo(fifo)
    result, _ = read_fifo_while(fifo, lambda: stress_json(fifo))
    assert result.exit_code == 0 and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    link = tmp_path / "guard.link"
    link.symlink_to("/proc/self/fd/1")
    assert stress_json(link).exit_code == 0 and link.is_symlink()

    assert stress_json("/dev/null").exit_code == 0
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)
    result = stress_json("/dev/stdout")
    assert result.exit_code == 0 and result.stdout == expected_json()
    assert os.path.islink("/dev/stdout")
    result = stress_json("/dev/stderr")
    assert result.exit_code == 0 and expected_json() in result.stderr
    if os.path.exists("/dev/full"):
        assert_user_error(stress_json("/dev/full"), "/dev/full", "No space left on device")
        assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)
    assert not [p for p in os.listdir("/dev") if p.endswith(".tmp")]


def test_a_block_device_or_socket_as_output_is_refused(tmp_path):
    import socket

    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        assert_user_error(stress_json(path), "--output", "not a file")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()


# --- a full disk on standard output (row 12) --------------------------------------------------------


CLI = [sys.executable, "-c", "from cscomp_cli.cli import main; main()"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("output_format", ["json", "table"])
def test_a_full_disk_on_standard_output_is_a_clear_error(output_format):
    with open("/dev/full", "w") as full:
        done = subprocess.run([*CLI, "stress-test", str(V03 / "plan.yaml"), "--quarters", "1", "--data", str(V03),
                               "--format", output_format], stdout=full, stderr=subprocess.PIPE, timeout=120, cwd=REPO)
    errors = done.stderr.decode()
    assert done.returncode == 2, errors
    assert "standard output" in errors and "No space left on device" in errors
    assert "Traceback" not in errors and "unexpected" not in errors and "Exception ignored" not in errors


def closed_stdout(*args: str) -> subprocess.CompletedProcess:
    """Run the CLI with standard output closed, as `cscomp … >&-` does."""
    return subprocess.run([*CLI, *args], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120, cwd=REPO,
                          preexec_fn=lambda: os.close(1))


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["stress-test", "--help"]])
def test_help_with_standard_output_closed_says_so(args):
    # Before, every command died at import: sys.stdout is None, and None has no isatty.
    done = closed_stdout(*args)
    errors = done.stderr.decode()
    assert done.returncode == 2, errors
    assert "standard output is closed" in errors and "Traceback" not in errors


def test_a_result_for_standard_output_closed_is_a_clear_error(tmp_path):
    done = closed_stdout("stress-test", str(V03 / "plan.yaml"), "--quarters", "1", "--data", str(V03))
    errors = done.stderr.decode()
    assert done.returncode == 2, errors
    assert "standard output is closed" in errors and "--output" in errors and "Traceback" not in errors


def test_a_result_written_to_a_file_needs_no_standard_output(tmp_path):
    done = closed_stdout("stress-test", str(V03 / "plan.yaml"), "--quarters", "1", "--data", str(V03),
                         "--format", "csv", "--output", str(tmp_path / "out.csv"))
    assert done.returncode == 0, done.stderr.decode()
    assert (tmp_path / "out.csv").read_text().startswith("quarter,csm_id,")


def test_standard_error_closed_too_still_writes_the_file(tmp_path):
    done = subprocess.run([*CLI, "stress-test", str(V03 / "plan.yaml"), "--quarters", "1", "--data", str(V03),
                           "--format", "csv", "--output", str(tmp_path / "out.csv")], stdin=subprocess.DEVNULL,
                          timeout=120, cwd=REPO, preexec_fn=lambda: (os.close(1), os.close(2)))
    assert done.returncode == 0
    assert (tmp_path / "out.csv").read_text().startswith("quarter,csm_id,")


# --- SIGTERM and SIGHUP mid-write (row 13) ---------------------------------------------------------


# The child writes slowly: the first fsync of the result announces itself, then waits to be signalled.
SLOW_WRITE = """\
import os, sys, time
started = sys.argv.pop(1)
def slow(fd):
    open(started, "w").close()
    time.sleep(60)
os.fsync = slow
from cscomp_cli.cli import main
sys.argv[0] = "cscomp"
main()
"""


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_a_signal_mid_write_leaves_the_old_output_and_no_temporary_file(tmp_path, signal_name):
    import signal

    signum = getattr(signal, signal_name, None)
    if signum is None:
        pytest.skip(f"no {signal_name} here")
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "result.json"
    target.write_text("old result\n")
    started = tmp_path / "started"
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITE, str(started), "stress-test", str(V03 / "plan.yaml"),
                              "--quarters", "1", "--data", str(V03), "--format", "json", "--output", str(target)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert started.exists(), child.communicate(timeout=10)
        assert any(p.name.endswith(".tmp") for p in folder.iterdir())  # signalled while the temporary file exists
        child.send_signal(signum)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 128 + signum, err
    assert b"interrupted; nothing was written" in err and b"Traceback" not in err
    assert target.read_text() == "old result\n"
    assert sorted(p.name for p in folder.iterdir()) == ["result.json"]


# --- fuzz: device, FIFO and link paths as every command's plan and --output --------------------------


OUTPUT_KINDS = ("fifo", "device", "link_to_input", "hard_link_to_input", "link_to_stdout", "dangling_link",
                "chain_parent", "data_file", "data_folder", "missing_folder", "loop")
PLAN_KINDS = ("chain", "fifo", "device", "loop", "dangling_link", "folder")


def _fuzz_paths(tmp_path, rng):
    """A random plan path and --output path of a hostile kind, and the files that must not change."""
    data, plan = org(tmp_path)
    (plan.parent / "other.yaml").write_text(NRR_ONLY_YAML)
    parent = plan.parent / "base" / "parent.yaml"
    plan_kind, output_kind = rng.choice(PLAN_KINDS), rng.choice(OUTPUT_KINDS)
    odd = tmp_path / "odd"
    if plan_kind == "fifo":
        os.mkfifo(odd)
    elif plan_kind == "device":
        odd.symlink_to("/dev/zero")
    elif plan_kind == "loop":
        odd.symlink_to(odd)
    elif plan_kind == "dangling_link":
        odd.symlink_to(tmp_path / "nowhere.yaml")
    elif plan_kind == "folder":
        odd.mkdir()
    out = tmp_path / "out"
    if output_kind == "fifo":
        os.mkfifo(out)
    elif output_kind == "device":
        try:
            os.mknod(out, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            output_kind = "dangling_link"
    if output_kind == "link_to_input":
        out.symlink_to(rng.choice((plan, parent, data / "roster.csv")))
    elif output_kind == "hard_link_to_input":
        os.link(rng.choice((plan, parent)), out)
    elif output_kind == "link_to_stdout":
        out.symlink_to("/proc/self/fd/1")
    elif output_kind == "dangling_link":
        out.symlink_to(tmp_path / "made.json")
    elif output_kind == "chain_parent":
        out = rng.choice((parent, plan.parent / "base" / "middle.yaml"))
    elif output_kind == "data_file":
        out = data / rng.choice(("accounts.csv", "payouts.csv"))
    elif output_kind == "data_folder":
        out = data
    elif output_kind == "missing_folder":
        out = tmp_path / "no" / "out.json"
    elif output_kind == "loop":
        out.symlink_to(out)
    return data, (plan if plan_kind == "chain" else odd), out, output_kind


@pytest.mark.parametrize("seed", range(40))
def test_hostile_paths_never_crash_nor_touch_an_input(tmp_path, seed):
    import random

    rng = random.Random(seed)
    data, plan, out, output_kind = _fuzz_paths(tmp_path, rng)
    inputs = [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink() and p != out]
    before = {p: p.read_bytes() for p in inputs}
    args = rng.choice(list(every_command(plan, data, out).values()))
    if output_kind == "fifo":
        result, _ = read_fifo_while(out, lambda: run(*args))
    else:
        result = run(*args)
    shown = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), (seed, args, shown[-2000:])
    assert "Traceback" not in shown and "this is a bug in cscomp" not in shown, (seed, args, shown[-2000:])
    assert {p: p.read_bytes() for p in inputs} == before, (seed, args)
    assert not [p for p in tmp_path.rglob("*.tmp")], (seed, args)
    if output_kind in ("fifo", "device"):
        assert stat.S_ISFIFO(os.lstat(out).st_mode) or stat.S_ISCHR(os.lstat(out).st_mode), (seed, args)
    if output_kind in ("link_to_input", "link_to_stdout", "dangling_link", "loop"):
        assert out.is_symlink(), (seed, args)
