"""Fuzz which files a data map reads (issue 22): take one of the realistic raw-export folders
(tests/raw_exports.py) and point its map's files: at odd places (absolute paths, '..', globs out of the
folder or through it, names with glob characters, names too long), copy exports beside themselves or
into backup subfolders, and plant links (loops, to the folder, out of it, to /proc, /dev/zero, FIFOs);
then run validate, stress-test and init on the result.

Beside a file outside the data folder that holds a secret (shaped like an export so only the folder
rule keeps it out), whatever the input: exit 0, 1 or 2; no traceback; no internal error; no hang; a
refusal names the map or the export it is about; and the secret never appears in stdout or stderr.
Each case is a seed: a failure names the exact input, which `_run_case(seed, ...)` writes again.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest

from .conftest import REPO, names_an_input, run
from .raw_exports import MAP_FILE, VARIANTS, write_canonical, write_raw

# More cases on demand: CSCOMP_FUZZ_PATH_CASES=2000 [CSCOMP_FUZZ_PATH_FIRST=10000] python -m pytest tests/test_fuzz_map_paths.py
CASES = int(os.environ.get("CSCOMP_FUZZ_PATH_CASES", "60"))
FIRST = int(os.environ.get("CSCOMP_FUZZ_PATH_FIRST", "0"))
PLAN = REPO / "plans" / "current.yaml"
SECRET = "SECRET-9d41e7-OUTSIDE"
TABLES = ("accounts", "roster", "payouts")
DEADLINE_SECONDS = 60  # a case runs a whole command, init among them


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("raw")
    canonical = write_canonical(root / "canonical")
    return {v: write_raw(canonical, root / v, v) for v in VARIANTS}


def _outside(root: Path, variant_folder: Path) -> Path:
    """A folder beside the data folder: every export of the variant with the secret in every cell of
    its first data row, and a plain secret file."""
    outside = root / "elsewhere"
    outside.mkdir()
    for path in sorted(variant_folder.rglob("*")):
        if path.is_file() and path.suffix in (".csv", ".txt") and path.name != MAP_FILE:
            lines = path.read_bytes().splitlines(keepends=True)
            if len(lines) > 1:
                sep = b";" if lines[0].count(b";") > lines[0].count(b",") else b","
                lines.insert(1, sep.join([SECRET.encode()] * (lines[1].count(sep) + 1)) + b"\r\n")
            (outside / path.name).write_bytes(b"".join(lines))
    (outside / "secret.txt").write_text(f"{SECRET}\n{SECRET},{SECRET}\n", encoding="utf-8")
    return outside


def _map_text(folder: Path) -> str:
    return (folder / MAP_FILE).read_text(encoding="utf-8", errors="surrogateescape")


def _files_entries(folder: Path) -> list[str]:
    """The files: values of the map as written (one line each in every variant's map)."""
    return [line.split("files:", 1)[1].strip() for line in _map_text(folder).splitlines()
            if line.strip().startswith("files:")]


def _set_files(folder: Path, rng: random.Random, value) -> None:
    entries = _files_entries(folder)
    if not entries:
        return
    old = rng.choice(entries)
    text = _map_text(folder).replace(f"files: {old}", f"files: {json.dumps(value)}", 1)
    (folder / MAP_FILE).write_text(text, encoding="utf-8", errors="surrogateescape")


def _exports(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink() and p.name != MAP_FILE)


def _mutate_entry(folder: Path, outside: Path, rng: random.Random) -> None:
    """files: pointed at a place it must not read, or at a glob that must stay confined."""
    export = rng.choice(_exports(folder))
    relative = export.relative_to(folder).as_posix()
    value = rng.choice([
        str(outside / export.name), str(outside / "secret.txt"), f"../elsewhere/{export.name}", "../elsewhere/*",
        "../*/" + export.name, "/**/*.csv", "/proc/self/environ", "/dev/zero", "/etc/passwd", "/", "..", "./..",
        "sub/../" + relative, "**/" + export.name, "**/*", "**", "./" + relative, relative + "/", "crm/../../x.csv",
        "P" * rng.choice((256, 5000)) + ".csv", "a/" * 3000 + "x.csv", "*" * 300, "[" + relative, relative + "[",
        "~/" + export.name, "\\\\server\\share\\x.csv", "C:\\x.csv", "C:/x.csv",
        [relative, relative], [relative, "./" + relative, "**/" + export.name], [relative, str(outside / export.name)],
        [relative, "../elsewhere/" + export.name],
    ])
    _set_files(folder, rng, value)


def _mutate_names(folder: Path, rng: random.Random) -> None:
    """Copies and names that look like globs: a (1) copy, a backup subfolder, Payroll [v2].csv beside
    Payroll 2.csv, and the map told to read them by glob or by name."""
    export = rng.choice(_exports(folder))
    action = rng.choice(("copy", "backup", "magic", "magic", "split"))
    stem, suffix = export.stem, export.suffix
    if action == "copy":
        shutil.copy(export, export.with_name(f"{stem} (1){suffix}"))
        _set_files(folder, rng, rng.choice([f"{stem}*{suffix}", "**/*" + suffix, [export.name, f"{stem} (1){suffix}"]]))
    elif action == "backup":
        (folder / "backup").mkdir(exist_ok=True)
        shutil.copy(export, folder / "backup" / export.name)
        _set_files(folder, rng, rng.choice(["**/" + export.name, ["backup/" + export.name, export.name]]))
    elif action == "magic":
        magic = export.with_name(f"{stem} [v2]{suffix}")
        export.rename(magic)
        (folder / f"{stem} 2{suffix}").write_text("nothing,here\n1,2\n", encoding="utf-8")
        text = _map_text(folder).replace(export.name, magic.name)
        (folder / MAP_FILE).write_text(text, encoding="utf-8", errors="surrogateescape")
    elif suffix == ".csv":
        lines = export.read_bytes().splitlines(keepends=True)
        if len(lines) > 3:
            half = rng.randrange(2, len(lines) - 1)
            overlap = rng.choice((0, 0, 1, 3))
            export.unlink()
            export.with_name(f"{stem}_a{suffix}").write_bytes(b"".join(lines[:half + overlap]))
            export.with_name(f"{stem}_b{suffix}").write_bytes(b"".join(lines[:1] + lines[half:]))
            text = _map_text(folder).replace(f"files: {export.name}", f"files: '{stem}_*{suffix}'")
            (folder / MAP_FILE).write_text(text, encoding="utf-8", errors="surrogateescape")


def _mutate_links(folder: Path, outside: Path, rng: random.Random) -> None:
    """Links: loops and links to the folder (walked by **), out of it, to /proc and /dev/zero, and FIFOs."""
    export = rng.choice(_exports(folder))
    action = rng.choice(("loop", "loops", "up", "out", "out_dir", "proc", "zero", "fifo", "self", "broken"))
    if action in ("loop", "loops", "up"):
        _link(folder / "a", ".")
        if action == "loops":
            _link(folder / "b", folder)
        if action == "up":
            _link(folder / "up", "..")
        _set_files(folder, rng, rng.choice(["**/" + export.name, "**/*" + export.suffix, "a/" + export.name,
                                            "a/a/a/" + export.name, "up/elsewhere/" + export.name, "**"]))
        return
    if action == "out_dir":
        _link(folder / "linked", outside)
        _set_files(folder, rng, rng.choice(["linked/" + export.name, "linked/*", "**/" + export.name]))
        return
    export.unlink()
    if action == "out":
        export.symlink_to(rng.choice([outside / export.name, outside / "secret.txt"]))
    elif action == "proc":
        export.symlink_to(rng.choice(["/proc/self/environ", "/proc/self/cmdline", "/proc/self/status", "/sys/kernel"]))
    elif action == "zero":
        export.symlink_to(rng.choice(["/dev/zero", "/dev/urandom", "/dev/null"]))
    elif action == "fifo":
        os.mkfifo(export)
    elif action == "self":
        export.symlink_to(export.name)
    else:
        export.symlink_to("missing" + export.suffix)


def _link(path: Path, target) -> None:
    if not os.path.lexists(path):
        path.symlink_to(target)


def _mutate_markers(folder: Path, rng: random.Random) -> None:
    """SAMPLE_ORG.txt or a canonical accounts.csv that is a FIFO or /dev/zero (read by the sample-org
    check and init's "already canonical?" check)."""
    for name in rng.sample(["SAMPLE_ORG.txt", "accounts.csv", "roster.csv"], rng.randint(1, 3)):
        if os.path.lexists(folder / name):
            continue
        if rng.random() < 0.5:
            os.mkfifo(folder / name)
        else:
            (folder / name).symlink_to(rng.choice(["/dev/zero", "/proc/self/environ"]))


def _run_case(seed: int, root: Path, variants: dict[str, Path]):
    rng = random.Random(seed)
    variant = rng.choice(VARIANTS)
    folder = root / "data"
    shutil.copytree(variants[variant], folder, symlinks=True)
    outside = _outside(root, variants[variant])
    mutations = {"entry": lambda: _mutate_entry(folder, outside, rng), "names": lambda: _mutate_names(folder, rng),
                 "links": lambda: _mutate_links(folder, outside, rng), "markers": lambda: _mutate_markers(folder, rng)}
    chosen = [rng.choice(list(mutations)) for _ in range(rng.choice((1, 1, 2)))]
    for name in chosen:
        mutations[name]()
    command = rng.choice((
        ["validate", PLAN, "--data", folder, "--format", rng.choice(("json", "table"))],
        ["stress-test", PLAN, "--data", folder, "--format", "json"],
        ["stress-test", PLAN, "--data", folder, "--format", "json"],
        ["init", folder, "--force"],
        ["init", folder, "--output-map", "-", "--force"],
    ))
    return [str(part) for part in command], folder, chosen


@pytest.mark.parametrize("seed", range(FIRST, FIRST + CASES))
def test_a_map_pointed_anywhere_never_reads_outside_the_folder_nor_crashes(tmp_path, variants, deadline, memory_cap,
                                                                           seed):
    args, folder, chosen = _run_case(seed, tmp_path, variants)
    result = run(*args)
    shown = result.stdout + result.stderr
    context = (seed, chosen, args[:1], shown[-3000:])
    assert result.exit_code in (0, 1, 2), context
    assert "Traceback" not in shown, context
    assert "this is a bug in cscomp" not in shown and "error: unexpected" not in shown, context
    assert SECRET not in shown, context
    if args[0] == "init" and result.exit_code == 0 and (folder / MAP_FILE).exists():
        assert SECRET not in (folder / MAP_FILE).read_text(encoding="utf-8", errors="replace"), context
    if result.exit_code == 0 and "json" in args:
        json.loads(result.stdout)
    if result.exit_code == 2:
        said = shown if args[0] == "validate" else result.stderr
        assert said.strip(), context
        assert names_an_input(said, folder), context
