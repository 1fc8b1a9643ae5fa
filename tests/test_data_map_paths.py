"""Which files a data map reads (issue 22): every file inside the data folder (links followed), each
read once, a name that exists taken as written, globs confined to the folder and bounded, names too
long for the file system refused plainly, and no text of a file outside the folder in any output.

The folder is the `us` raw-export variant (tests/raw_exports.py): its payroll pays 163,368.92 of
actual variable pay over 2026Q1-2026Q4 under plans/current.yaml (the sum of its QBON, SPIF and CLAW
lines for the six CSMs), the figure every "read once" test compares with.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from cscomp_cli.inputs.datamap import load_map
from cscomp_cli.inputs.map_files import map_files

from .conftest import REPO, assert_user_error, run
from .raw_exports import MAP_FILE, write_canonical, write_raw

PLAN = REPO / "plans" / "current.yaml"
PAYROLL = "Payroll Earnings 2026.csv"
SECRET = "TOP-SECRET-7f3a9c"


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("raw")
    return write_raw(write_canonical(root / "canonical"), root / "us", "us")


@pytest.fixture(scope="module")
def paid_once(raw: Path) -> float:
    """What the org was actually paid, each payroll line counted once: the canonical payouts.csv the raw
    exports were written from, summed line by line (its lines are whole cents, all in the replayed
    quarters), so a file read twice shows as double this."""
    canonical = raw.parent / "canonical" / "payouts.csv"
    with canonical.open(newline="", encoding="utf-8") as handle:
        cents = sum(round(float(row["amount"]) * 100) for row in csv.DictReader(handle))
    return cents / 100


@pytest.fixture
def folder(tmp_path, raw) -> Path:
    data = tmp_path / "data"
    shutil.copytree(raw, data, symlinks=True)
    return data


@pytest.fixture
def secret(tmp_path) -> Path:
    """A file outside the data folder holding a secret, shaped like the roster export so nothing but
    the folder rule stops it from being read."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    path = outside / "HR Workers.csv"
    path.write_text(f"Employee ID,Worker,{SECRET}\nE1,{SECRET},{SECRET}\n", encoding="utf-8")
    return path


def set_files(folder: Path, table: str, files) -> None:
    """Point one table of the map at other files (the map's text edited, its comments kept)."""
    path = folder / MAP_FILE
    text = path.read_text(encoding="utf-8")
    current = {"accounts": "Account Report.csv", "roster": "Workers.csv", "payouts": PAYROLL}[table]
    path.write_text(text.replace(f"files: {current}", f"files: {json.dumps(files)}", 1), encoding="utf-8")


def stress(folder: Path):
    return run("stress-test", PLAN, "--data", folder, "--format", "json")


def actual_total(folder: Path) -> float:
    result = stress(folder)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["summary"]["actual_total"]


def refused_at(result, key: str, *fragments: str) -> None:
    assert_user_error(result, key, *fragments)
    assert "unexpected" not in result.stderr


def test_the_folder_as_written_pays_the_figure_the_tests_compare_with(folder, paid_once):
    assert actual_total(folder) == paid_once


# --- 1. only files inside the data folder -----------------------------------------------------


@pytest.mark.parametrize("entry", ["absolute", "../elsewhere/HR Workers.csv", "../*/HR*.csv"])
def test_a_map_naming_a_file_outside_the_folder_is_refused(folder, secret, entry):
    set_files(folder, "roster", str(secret) if entry == "absolute" else entry)
    result = stress(folder)
    refused_at(result, "tables.roster.files", "relative to the data folder", "copy the file in")
    assert SECRET not in result.stdout + result.stderr


def test_an_entry_of_a_list_outside_the_folder_is_named_by_its_index(folder, secret):
    set_files(folder, "roster", ["Workers.csv", "../elsewhere/HR Workers.csv"])
    refused_at(stress(folder), "tables.roster.files[1]", "outside the data folder")


@pytest.mark.parametrize("command", ["stress-test", "validate"])
def test_a_link_in_the_folder_to_a_file_outside_is_refused(folder, secret, command):
    (folder / "Workers.csv").unlink()
    (folder / "Workers.csv").symlink_to(secret)
    result = run(command, PLAN, "--data", folder, "--format", "json")
    shown = result.stdout + result.stderr
    assert result.exit_code == 2, shown
    assert "tables.roster.files" in shown and "outside the data folder" in shown
    assert SECRET not in shown


def test_a_link_to_proc_is_refused_and_no_environment_variable_is_shown(folder):
    (folder / "Workers.csv").unlink()
    (folder / "Workers.csv").symlink_to("/proc/self/environ")
    result = stress(folder)
    refused_at(result, "tables.roster.files", "outside the data folder")
    assert "PATH=" not in result.stderr


def test_a_map_naming_proc_is_refused(folder):
    set_files(folder, "roster", "/proc/self/environ")
    result = stress(folder)
    refused_at(result, "tables.roster.files", "relative to the data folder")
    assert "PATH=" not in result.stderr


def test_the_missing_column_hint_quotes_a_few_header_names_each_cut_short(folder):
    # A one-column "roster" whose header is one long line (an environment dump, a pasted paragraph).
    names = [f"VARIABLE_{i}_" + "x" * 60 for i in range(40)]
    (folder / "Workers.csv").write_text(";".join(names) + "\nsome;values\n", encoding="utf-8")
    set_files(folder, "roster", "Workers.csv")
    text = (folder / MAP_FILE).read_text(encoding="utf-8").replace("encoding: cp1252", "encoding: utf-8")
    (folder / MAP_FILE).write_text(text, encoding="utf-8")
    result = stress(folder)
    refused_at(result, "has no column 'Employee ID'", "…")
    assert names[0] not in result.stderr  # cut to 30 characters
    assert "VARIABLE_0_" in result.stderr and "VARIABLE_39_" not in result.stderr
    assert len(result.stderr) < 1500, len(result.stderr)


# --- 2. the same bytes read once -------------------------------------------------------------


def test_a_link_loop_with_a_recursive_glob_reads_the_payroll_once(folder, deadline, paid_once):
    (folder / "a").symlink_to(".")
    set_files(folder, "payouts", "**/Payroll*.csv")
    assert actual_total(folder) == paid_once


def test_one_file_named_twice_in_a_list_is_read_once(folder, paid_once):
    set_files(folder, "payouts", [PAYROLL, f"./{PAYROLL}", "Payroll*.csv"])
    assert actual_total(folder) == paid_once


def test_a_link_beside_the_file_it_names_is_read_once(folder, paid_once):
    (folder / PAYROLL).rename(folder / "old payroll.csv")
    (folder / "latest payroll.csv").symlink_to("old payroll.csv")
    set_files(folder, "payouts", "*payroll.csv")
    assert actual_total(folder) == paid_once


def test_a_parent_step_in_a_map_path_is_refused(folder):
    (folder / "sub").mkdir()
    set_files(folder, "payouts", [PAYROLL, f"sub/../{PAYROLL}"])
    refused_at(stress(folder), "tables.payouts.files[1]", "..", "relative to the data folder")


def test_a_copy_beside_the_original_is_refused_naming_both(folder):
    shutil.copy(folder / PAYROLL, folder / "Payroll Earnings 2026 (1).csv")
    set_files(folder, "payouts", "Payroll*.csv")
    refused_at(stress(folder), "tables.payouts.files", PAYROLL, "Payroll Earnings 2026 (1).csv", "same content")


def test_a_backup_copy_in_a_subfolder_is_refused_naming_both(folder):
    (folder / "backup").mkdir()
    shutil.copy(folder / PAYROLL, folder / "backup" / PAYROLL)
    set_files(folder, "payouts", "**/Payroll*.csv")
    refused_at(stress(folder), "tables.payouts.files", PAYROLL, f"backup/{PAYROLL}", "same content")


def _split_payroll(folder: Path, repeat: int = 0) -> tuple[list[str], list[str]]:
    """The payroll split in two files by line; the first ``repeat`` data lines of the second half
    written again at the end of the first half."""
    lines = (folder / PAYROLL).read_bytes().decode("cp1252").splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    half = len(body) // 2
    first, second = body[:half] + body[half:half + repeat], body[half:]
    (folder / PAYROLL).unlink()
    (folder / "payroll_2026-a.csv").write_bytes((header + "".join(first)).encode("cp1252"))
    (folder / "payroll_2026-b.csv").write_bytes((header + "".join(second)).encode("cp1252"))
    set_files(folder, "payouts", "payroll_2026-*.csv")
    return first, second


def test_an_export_split_in_two_files_reads_as_the_whole(folder, paid_once):
    _split_payroll(folder)
    assert actual_total(folder) == paid_once


def test_rows_repeated_across_the_files_of_a_table_are_refused_naming_both(folder):
    first, _ = _split_payroll(folder, repeat=2)
    result = stress(folder)
    # The header is line 1: the first half's own rows are lines 2 .. len(first) - 1, the repeats the last two.
    refused_at(result, "payroll_2026-a.csv", f"line {len(first)}", "payroll_2026-b.csv", "line 2",
               "and 1 more row")


def test_rows_repeated_within_one_file_are_not_this_rules_business(folder, paid_once):
    lines = (folder / PAYROLL).read_bytes().decode("cp1252").splitlines(keepends=True)
    # A line of another employee paid nothing a CSM's pay counts (a salary line), written twice.
    salary = next(line for line in lines if ",REG," in line or "Regular" in line)
    (folder / PAYROLL).write_bytes("".join([*lines, salary]).encode("cp1252"))
    assert actual_total(folder) == paid_once


# --- 3. a name that exists is taken as written -------------------------------------------------


def test_a_real_file_whose_name_looks_like_a_glob_is_read_as_written(folder, paid_once):
    (folder / PAYROLL).rename(folder / "Payroll [v2].csv")
    (folder / "Payroll 2.csv").write_text("nothing,here\n1,2\n", encoding="utf-8")
    set_files(folder, "payouts", "Payroll [v2].csv")
    assert actual_total(folder) == paid_once


def test_init_writes_names_with_glob_characters_that_read_back_as_the_same_files(tmp_path, raw):
    data = tmp_path / "data"
    data.mkdir()
    crm = (raw / "Account Report.csv").read_bytes().decode("cp1252").splitlines(keepends=True)
    header, body = crm[0], crm[1:]
    half = len(body) // 2
    for quarter, rows in (("2026-Q1", body[:half]), ("2026-Q2", body[half:])):
        (data / f"CRM [EU] {quarter}.csv").write_bytes((header + "".join(rows)).encode("cp1252"))
    for name in ("Workers.csv", PAYROLL):
        shutil.copy(raw / name, data / name)
    result = run("init", data)
    assert result.exit_code == 0, result.stderr
    files = yaml.safe_load((data / MAP_FILE).read_text(encoding="utf-8"))["tables"]["accounts"]["files"]
    assert files == "CRM [[]EU] 2026-*.csv"  # the brackets escaped: a glob of the two files, not a class
    # A file the unescaped class would match ([EU] is one letter, E or U) is not read.
    (data / "CRM E 2026-Q1.csv").write_text("not,the,crm\n1,2,3\n", encoding="utf-8")
    found = map_files(data, "accounts", load_map(data).tables.accounts, str(data / MAP_FILE))
    assert [p.name for p in found] == ["CRM [EU] 2026-Q1.csv", "CRM [EU] 2026-Q2.csv"]
    assert run("validate", PLAN, "--data", data).exit_code in (0, 1)


# --- 4. init never writes over an export it read --------------------------------------------


def test_init_output_map_onto_an_export_it_read_is_refused(folder):
    before = (folder / "Workers.csv").read_bytes()
    result = run("init", folder, "--force", "--output-map", folder / "Workers.csv")
    assert_user_error(result, "--output-map", "Workers.csv", "one of the inputs")
    assert (folder / "Workers.csv").read_bytes() == before


# --- 5. never open before checking what a file is ---------------------------------------------


def _canonical(folder: Path) -> Path:
    from .conftest import (
        DEFAULT_ROSTER,
        FLAT_ACCOUNTS,
        NRR_ONLY_YAML,
        PAID_AT_TARGET,
        write_files,
    )

    return write_files(folder, accounts=FLAT_ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAID_AT_TARGET,
                       **{"plan.yaml": NRR_ONLY_YAML})


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_sample_org_marker_that_is_a_fifo_or_dev_zero_neither_blocks_nor_exhausts_memory(tmp_path, deadline,
                                                                                          memory_cap, kind):
    data = _canonical(tmp_path / "data")
    marker = data / "SAMPLE_ORG.txt"
    os.mkfifo(marker) if kind == "fifo" else marker.symlink_to("/dev/zero")
    result = run("stress-test", data / "plan.yaml", "--data", data, "--quarters", "1")
    assert result.exit_code == 0, result.stderr
    assert "sample org" not in result.stderr


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_init_on_an_accounts_csv_that_is_a_fifo_or_dev_zero_neither_blocks_nor_exhausts_memory(tmp_path, deadline,
                                                                                             memory_cap, kind):
    data = _canonical(tmp_path / "data")
    (data / "accounts.csv").unlink()
    os.mkfifo(data / "accounts.csv") if kind == "fifo" else (data / "accounts.csv").symlink_to("/dev/zero")
    result = run("init", data)  # the "already in cscomp's columns?" check reads accounts.csv's header first
    assert result.exit_code in (0, 2), result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr


# --- 6. globs confined and bounded -------------------------------------------------------------


def test_an_absolute_glob_is_refused_without_walking_the_file_system(folder, deadline):
    set_files(folder, "payouts", "/**/*.csv")
    refused_at(stress(folder), "tables.payouts.files", "relative to the data folder")


def test_two_links_to_the_folder_do_not_multiply_a_recursive_walk(folder, deadline, paid_once):
    (folder / "l1").symlink_to(".")
    (folder / "l2").symlink_to(folder)
    (folder / "up").symlink_to("..")
    set_files(folder, "payouts", "**/Payroll*.csv")
    assert actual_total(folder) == paid_once


def test_a_glob_matching_too_many_files_is_refused(folder, monkeypatch):
    from cscomp_cli.inputs import map_files

    monkeypatch.setattr(map_files, "MAX_MATCHES", 3)
    for i in range(4):
        shutil.copy(folder / PAYROLL, folder / f"extra {i}.csv")
    set_files(folder, "payouts", "*.csv")
    refused_at(stress(folder), "tables.payouts.files", "more than 3 files")


# --- 7, 8. names too long for the file system --------------------------------------------------


def test_a_map_file_name_too_long_for_the_file_system_is_refused(folder):
    set_files(folder, "payouts", "P" * 5000 + ".csv")
    refused_at(stress(folder), "tables.payouts.files", "too long")


def test_a_data_folder_name_too_long_is_refused(tmp_path):
    refused_at(run("stress-test", PLAN, "--data", tmp_path / ("d" * 5000)), "--data", "too long")


def test_a_plan_name_too_long_is_refused(folder):
    refused_at(run("stress-test", folder / ("p" * 5000 + ".yaml"), "--data", folder), "too long")


def test_an_output_name_too_long_is_refused(folder):
    result = run("stress-test", PLAN, "--data", folder, "--output", folder.parent / ("o" * 5000 + ".csv"))
    refused_at(result, "--output", "too long")


def test_an_output_name_near_the_limit_still_gets_written(folder, paid_once):
    output = folder.parent / ("o" * 246 + ".json")  # 251 characters: the temporary name adds more
    result = run("stress-test", PLAN, "--data", folder, "--format", "json", "--output", output)
    assert result.exit_code == 0, result.stderr
    assert json.loads(output.read_text(encoding="utf-8"))["summary"]["actual_total"] == paid_once
    assert [p.name for p in folder.parent.iterdir() if p.name.endswith(".tmp")] == []
