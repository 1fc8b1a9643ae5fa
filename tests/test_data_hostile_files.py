"""Hostile and unlucky data folders (issue 10): what is not a regular file, files too large or too
wide, control characters in text, sums too large for a payroll, quoted newlines and unreadable
files. Each is refused with exit 2 and one message naming the file (and line and column where
there is one), never a traceback, never the internal-error text, and never a hang.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from cscomp_cli.core.errors import DataError
from cscomp_cli.inputs import files
from cscomp_cli.inputs.tables import load_accounts, load_payouts

from .conftest import DEFAULT_ROSTER as ROSTER
from .conftest import FLAT_ACCOUNTS as ACCOUNTS
from .conftest import NRR_ONLY_YAML as PLAN
from .conftest import PAID_AT_TARGET as PAYOUTS
from .conftest import assert_user_error, run, write_files


def folder(data_dir, **files):
    files = {"accounts": ACCOUNTS, "roster": ROSTER, "payouts": PAYOUTS, "plan": PLAN, **files}
    return data_dir(**files)


def stress(path):
    return run("stress-test", path / "plan.yaml", "--quarters", "1", "--data", path)


def refused(result, *fragments: str) -> None:
    assert_user_error(result, *fragments)
    assert "unexpected" not in result.stderr


DEADLINE_SECONDS = 10


def test_a_fifo_named_accounts_csv_is_refused_without_waiting_for_a_writer(data_dir, deadline):
    path = folder(data_dir)
    (path / "accounts.csv").unlink()
    os.mkfifo(path / "accounts.csv")
    refused(stress(path), "accounts.csv", "is not a regular file", "FIFO")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_data_file_that_is_a_symlink_to_a_device_is_refused(data_dir, deadline, device):
    path = folder(data_dir)
    (path / "payouts.csv").unlink()
    (path / "payouts.csv").symlink_to(device)
    refused(stress(path), "payouts.csv", "is not a regular file", "device")


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
@pytest.mark.parametrize("command", ["stress-test", "validate"])
def test_a_data_file_linked_to_the_environment_is_refused_and_no_variable_is_shown(data_dir, deadline, monkeypatch,
                                                                                   command):
    # /proc/self/environ is a "regular file" of size 0: before, it was read as payouts.csv, and a
    # message quoted its first line, the process's environment.
    monkeypatch.setenv("CSCOMP_TEST_SECRET", "hunter2-do-not-print")
    path = folder(data_dir)
    (path / "payouts.csv").unlink()
    (path / "payouts.csv").symlink_to("/proc/self/environ")
    args = ["--quarters", "1"] if command == "stress-test" else []
    result = run(command, path / "plan.yaml", "--data", path, *args)
    assert result.exit_code == 2, result.stdout
    assert "a file of the operating system" in result.stdout + result.stderr
    assert "hunter2" not in result.stdout + result.stderr


def test_validate_refuses_a_fifo_too(data_dir, deadline):
    path = folder(data_dir)
    (path / "quotas.csv").unlink(missing_ok=True)
    os.mkfifo(path / "quotas.csv")
    result = run("validate", path / "plan.yaml", "--data", path)
    assert result.exit_code == 2
    assert "quotas.csv" in result.stdout + result.stderr and "is not a regular file" in result.stdout + result.stderr
    assert "unexpected" not in result.stdout + result.stderr


def test_a_file_larger_than_the_cap_is_refused_before_it_is_read(data_dir, monkeypatch):
    path = folder(data_dir)
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 40)

    def never(self, *args, **kwargs):
        raise AssertionError(f"{self} was opened")

    monkeypatch.setattr(Path, "open", never)
    with pytest.raises(DataError) as caught:
        load_accounts(path / "accounts.csv")
    assert "larger than" in caught.value.message and caught.value.file == path / "accounts.csv"


def test_a_five_million_column_header_is_refused_at_once(data_dir):
    header = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn," + ",".join(["x"] * 5_000_000)
    path = folder(data_dir, accounts=header + "\n2026Q1,A1,C1,100000,0,0,0\n")
    started = time.perf_counter()
    result = stress(path)
    assert time.perf_counter() - started < 1.0
    refused(result, "accounts.csv", "line 1", "header", "characters")


@pytest.mark.parametrize("extra", [1_001, 5_000])
def test_a_header_with_more_than_a_thousand_columns_is_refused(data_dir, extra):
    names = ",".join(f"c{i}" for i in range(extra))
    path = folder(data_dir, roster="csm_id,name,segment,annual_base,annual_variable," + names
                  + "\nC1,Ana,Enterprise,100000,20000\nC2,Bo,SMB,100000,20000\n")
    refused(stress(path), "roster.csv", "line 1", "columns", "1,000")


def test_a_header_of_a_thousand_columns_still_reads(data_dir):
    names = ",".join(f"c{i}" for i in range(1_000 - 5))
    path = folder(data_dir, roster="csm_id,name,segment,annual_base,annual_variable," + names
                  + "\nC1,Ana,Enterprise,100000,20000\nC2,Bo,SMB,100000,20000\n")
    assert stress(path).exit_code == 0


# --- row 12: an unreadable file ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["stress-test", "validate"])
def test_an_unreadable_data_file_is_a_user_error(data_dir, monkeypatch, command):
    path = folder(data_dir)
    real_open = Path.open

    def denied(self, *args, **kwargs):
        if self.name == "roster.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    result = run(command, path / "plan.yaml", *(["--quarters", "1"] if command == "stress-test" else []), "--data", path)
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert "roster.csv" in output and "permission denied" in output
    assert "unexpected" not in output and "Traceback" not in output


# --- row 10: control characters in text ------------------------------------------------------


@pytest.mark.parametrize("char, shown", [("\x00", "\\x00"), ("\x01", "\\x01"), ("\x0b", "\\x0b"), ("\x1b", "\\x1b"),
                                         ("\x7f", "\\x7f"), ("\x85", "\\x85"), ("\u202e", "\\u202e"),
                                         ("\u2066", "\\u2066")])
def test_a_control_character_in_a_name_is_refused_with_line_and_column(data_dir, char, shown):
    path = folder(data_dir, roster=f"csm_id,name,segment,annual_base,annual_variable\n"
                                   f"C1,Ana,Enterprise,100000,20000\nC2,B{char}o,SMB,100000,20000\n")
    result = stress(path)
    refused(result, "roster.csv", "line 3, column name", shown)
    assert char not in result.stderr


@pytest.mark.parametrize("file, content, where, shown", [
    ("accounts", "quarter,account_id,csm_id,arr_start,expansion,contraction,churn,segment\n"
                 "2026Q1,A1,C1,100000,0,0,0,Ent\x00\n2026Q1,A2,C2,100000,0,0,0,SMB\n", "line 2, column segment",
     "\\x00"),
    ("accounts", "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                 "2026Q1,A1,C1,100000,0,0,0\n2026Q1,A\x01,C2,100000,0,0,0\n", "line 3, column account_id", "\\x01"),
    ("payouts", "quarter,csm_id,amount,component\n2026Q1,C1,5000,bonus\n2026Q1,C2,5000,x\x0by\n",
     "line 3, column component", "\\x0b"),
    ("roster", "csm_id,name,segment,annual_base,annual_variable,team\nC1,Ana,Enterprise,100000,20000,Red\u202e\n"
               "C2,Bo,SMB,100000,20000,\n", "line 2, column team", "\\u202e"),
    ("roster", "csm_id,name\x00x,segment,annual_base,annual_variable\nC1,Ana,Enterprise,100000,20000\n", "line 1",
     "\\x00"),
])
def test_control_characters_are_refused_in_every_text_column_and_header(data_dir, file, content, where, shown):
    result = stress(folder(data_dir, **{file: content}))
    refused(result, f"{file}.csv", where, shown)
    assert not any(c in result.stderr for c in "\x00\x01\x0b\u202e")


def test_validate_lists_a_control_character_and_goes_on(data_dir):
    path = folder(data_dir, roster="csm_id,name,segment,annual_base,annual_variable\n"
                                   "C1,A\x00na,Enterprise,100000,20000\nC2,Bo,SMB,-1,20000\n")
    result = run("validate", path / "plan.yaml", "--data", path)
    output = result.stdout + result.stderr
    assert result.exit_code == 2 and "\x00" not in output
    assert "line 2, column name" in output and "line 3, column annual_base" in output


def test_tabs_and_quoted_newlines_in_text_are_not_control_characters(data_dir):
    path = folder(data_dir, roster='csm_id,name,segment,annual_base,annual_variable\n'
                                   'C1,"Ana\tMaria",Enterprise,100000,20000\nC2,"Bo\nBo",SMB,100000,20000\n')
    assert stress(path).exit_code == 0


# --- row 11: physical line numbers -----------------------------------------------------------


def test_lines_after_a_quoted_name_with_newlines_are_the_editors_lines(data_dir):
    roster = ('csm_id,name,segment,annual_base,annual_variable\n'
              'C1,Ana,Enterprise,100000,20000\n'
              'C2,"Bo\nof the\nnorth",SMB,100000,20000\n'   # lines 3–5
              'C3,Cy,SMB,100000,20000\n'
              'C4,Di,SMB,lots,20000\n')                     # line 7
    refused(stress(folder(data_dir, roster=roster)), "roster.csv", "line 7, column annual_base")


def test_lines_stay_physical_with_blank_lines_crlf_and_doubled_quotes(data_dir):
    roster = ('csm_id,name,segment,annual_base,annual_variable\r\n'
              '\r\n'
              'C1,"Ana ""the""\r\nfirst",Enterprise,100000,20000\r\n'   # lines 3–4
              'C2,Bo,SMB,100000,-5\r\n')                                # line 5
    refused(stress(folder(data_dir, roster=roster)), "roster.csv", "line 5, column annual_variable")


def test_a_stray_quote_inside_a_cell_does_not_shift_lines(data_dir):
    accounts = ('quarter,account_id,csm_id,arr_start,expansion,contraction,churn,segment\n'
                '2026Q1,A1,C1,100000,0,0,0,"Mid\nmarket"\n'   # lines 2–3
                '2026Q1,A2,C2,100000,0,0,0,5" screens\n'      # line 4: a literal quote
                '2026Q1,A3,C2,100000,0,0,0,x\n'
                '2026Q1,A4,C2,bad,0,0,0,x\n')                 # line 6
    refused(stress(folder(data_dir, accounts=accounts)), "accounts.csv", "line 6, column arr_start")


def test_an_unclosed_quote_names_the_line_it_opens_on(data_dir):
    roster = ('csm_id,name,segment,annual_base,annual_variable\n'
              'C1,"Ana\nMaria",Enterprise,100000,20000\n'    # lines 2–3
              'C2,"Bo,SMB,100000,20000\n'                    # line 4: never closed
              'C3,Cy,SMB,100000,20000\n')
    refused(stress(folder(data_dir, roster=roster)), "roster.csv", "line 4", "never closed")


# --- row 8: sums a payroll cannot reach -----------------------------------------------------


def test_a_hundred_thousand_top_payouts_are_refused_not_overflowed(data_dir):
    payouts = "quarter,csm_id,amount\n" + "2026Q1,C1,999999999999.99\n" * 100_000
    result = stress(folder(data_dir, payouts=payouts))
    refused(result, "payouts.csv", "C1", "2026Q1", "line 2, column amount")


def test_a_csm_quarter_paid_more_than_a_trillion_in_two_lines_is_refused(tmp_path):
    (tmp_path / "payouts.csv").write_text("quarter,csm_id,amount\n2026Q1,C1,10\n2026Q2,C1,600000000000\n"
                                          "2026Q2,C1,600000000000\n")
    with pytest.raises(DataError) as caught:
        load_payouts(tmp_path / "payouts.csv")
    assert "C1" in caught.value.message and "2026Q2" in caught.value.message
    assert caught.value.location == "line 3, column amount"


def test_clawbacks_that_net_a_csm_quarter_below_the_bound_are_fine(tmp_path):
    (tmp_path / "payouts.csv").write_text("quarter,csm_id,amount\n2026Q1,C1,900000000000\n"
                                          "2026Q1,C1,600000000000\n2026Q1,C1,-700000000000\n")
    assert load_payouts(tmp_path / "payouts.csv")["amount"].sum() == 800000000000


def test_a_payouts_file_adding_up_to_more_than_a_quadrillion_is_refused(tmp_path):
    rows = "".join(f"2026Q1,C{i},999999999999\n" for i in range(1_001))
    (tmp_path / "payouts.csv").write_text("quarter,csm_id,amount\n" + rows)
    with pytest.raises(DataError) as caught:
        load_payouts(tmp_path / "payouts.csv")
    assert "1,000,000,000,000,000" in caught.value.message


def test_a_book_larger_than_a_trillion_is_refused(data_dir):
    accounts = ("quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                "2026Q1,A1,C1,100000,0,0,0\n2026Q1,A2,C2,999999999999,0,0,0\n2026Q1,A3,C2,999999999999,0,0,0\n")
    refused(stress(folder(data_dir, accounts=accounts)), "accounts.csv", "C2", "2026Q1", "arr_start",
            "line 3, column arr_start")


# --- what is present but broken is said, not taken as absent ----------------------------------


@pytest.mark.parametrize("command", ["stress-test", "validate"])
def test_a_dangling_quotas_link_is_named_not_ignored(data_dir, command):
    path = folder(data_dir)
    (path / "quotas.csv").symlink_to(path / "gone.csv")
    result = run(command, path / "plan.yaml", *(["--quarters", "1"] if command == "stress-test" else []), "--data", path)
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert "quotas.csv" in output and "which does not exist" in output and "unexpected" not in output


def test_a_data_file_whose_stat_is_denied_is_named(data_dir, monkeypatch):
    path = folder(data_dir)
    real_stat = Path.stat

    def denied(self, *args, **kwargs):
        if self.name == "payouts.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", denied)
    refused(stress(path), "payouts.csv", "cannot be read: permission denied")


def test_a_replay_paying_more_than_a_quadrillion_in_all_is_refused_not_overflowed(tmp_path):
    # 10,000 CSMs × 10 components × 1e12 each (each under the one-payout bound): 1e19 cents wrap int64.
    csms = range(10_000)
    components = "".join(f"  - {{id: c{i}, metric: nrr, weight: 0.1, target: 1.0, curve: [[0.9, 0], [1.0, 40]]}}\n"
                         for i in range(10))
    path = write_files(
        tmp_path / "data",
        roster="csm_id,name,segment,annual_base,annual_variable\n"
               + "".join(f"C{i},N{i},SMB,0,1000000000000\n" for i in csms),
        accounts="quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                 + "".join(f"2026Q1,A{i},C{i},100,0,0,0\n" for i in csms),
        payouts="quarter,csm_id,amount\n2026Q1,C0,1\n",
        **{"plan.yaml": "name: huge\ncomponents:\n" + components},
    )
    result = stress(path)
    refused(result, "would pay about 100,000,000,000,000,000 in all", "1,000,000,000,000,000")


def test_running_out_of_memory_is_exit_2_with_what_to_do(data_dir, monkeypatch):
    # Before, a MemoryError (a /dev/zero read whole, say) ended in exit 1, the code that means a
    # guardrail was breached, so a scheduled job would report a pay problem that is not one.
    import cscomp_cli.inputs.dataset as dataset

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(dataset, "load_accounts", exhausted)
    result = stress(folder(data_dir))
    assert result.exit_code == 2, result.stderr
    assert "ran out of memory reading the data" in result.stderr and "docs/data.md" in result.stderr
    assert "unexpected" not in result.stderr
