"""SPEC section 4 through the command line: formats, output files, exit codes and streams."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from cscomp_cli.analyses.stress_test import build_document
from cscomp_cli.engine.replay import replay
from cscomp_cli.engine.versus_actual import compare_with_actual
from cscomp_cli.inputs.dataset import load_dataset
from cscomp_cli.plan.loading import load_plan

from .conftest import VECTORS, assert_user_error, run

V03 = VECTORS / "03_tiered_commission_credit"


def stress(*extra, folder=V03, plan=None):
    return run("stress-test", plan or folder / "plan.yaml", "--quarters", "1", "--data", folder, *extra)


def test_json_equals_the_library_result():
    result = stress("--format", "json")
    assert result.exit_code == 0
    plan = load_plan(V03 / "plan.yaml")
    library = build_document(compare_with_actual(replay(plan, load_dataset(V03), 1)), data=str(V03))
    assert json.loads(result.stdout) == library
    assert library["data"] == str(V03)  # every output names the folder it read
    assert result.stderr == ""


def test_csv_has_the_contract_header_and_plain_numbers():
    result = stress("--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == [
        "quarter", "csm_id", "name", "segment", "target_variable",
        "retention_metric", "retention_attainment", "retention_payout",
        "expansion_marginal_metric", "expansion_marginal_attainment", "expansion_marginal_payout",
        "expansion_retro_metric", "expansion_retro_attainment", "expansion_retro_payout",
        "cap_adjustment", "proposed", "actual", "delta", "delta_pct",
        "base", "actual_base", "proposed_cash", "actual_cash", "cash_delta",
    ]
    c2 = rows[2]
    assert c2[:5] == ["2026Q1", "C2", "Oto", "Enterprise", "5000.00"]
    # grr 0.95, attainment 0.95 / 0.9 = 1.055555556, payout 4,444.44; commission has no attainment
    assert c2[5:8] == ["0.95", "1.055555556", "4444.44"]
    assert c2[8:11] == ["7000.0", "", "410.00"]
    # proposed 5,414.44 − actual 6,000 = −585.56 → −585.56 / 6,000 = −9.759… % → −9.76
    assert c2[-10:-5] == ["0.00", "5414.44", "6000.00", "-585.56", "-9.76"]
    # base 100,000 / 4 = 25,000 both ways (no pay_mix); cash 25,000 + 5,414.44 and 25,000 + 6,000
    assert c2[-5:] == ["25000.00", "25000.00", "30414.44", "31000.00", "-585.56"]
    assert len(rows) == 5


def test_csv_text_cells_cannot_run_as_formulas(data_dir):
    folder = data_dir(
        accounts="quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n2026Q1,A1,C1,100,0,0,0\n",
        roster="csm_id,name,segment,annual_base,annual_variable\nC1,=HYPERLINK(\"x\"),+SMB,1,4\n",
        payouts="quarter,csm_id,amount\n",
        plan="name: p\ncomponents:\n  - id: r\n    metric: nrr\n    weight: 1\n    target: 1\n    curve: [[1, 1]]\n",
    )
    result = run("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder, "--format", "csv")
    row = list(csv.reader(io.StringIO(result.stdout)))[1]
    assert row[2] == "'=HYPERLINK(\"x\")" and row[3] == "'+SMB"


def test_markdown_and_table_formats_render(tmp_path):
    markdown = stress("--format", "markdown")
    assert markdown.exit_code == 0 and "| C2 |" in markdown.stdout.replace("|C2|", "| C2 |")
    table = stress("--format", "table")
    assert table.exit_code == 0 and "24,699.44" in table.stdout
    assert "\x1b[" not in table.stdout  # no colour when not on a terminal


def test_output_file_is_written_and_identical_to_stdout(tmp_path):
    target = tmp_path / "result.json"
    result = stress("--format", "json", "--output", target)
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text() == stress("--format", "json").stdout
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]  # no temporary file left behind


def test_same_inputs_give_byte_identical_output():
    for fmt in ("json", "csv"):
        assert stress("--format", fmt).stdout_bytes == stress("--format", fmt).stdout_bytes


def test_output_may_not_overwrite_an_input(data_dir):
    folder = data_dir(
        accounts="quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n2026Q1,A1,C1,100,0,0,0\n",
        payouts="quarter,csm_id,amount\n",
        plan="name: p\ncomponents:\n  - id: r\n    metric: nrr\n    weight: 1\n    target: 1\n    curve: [[1, 1]]\n",
    )
    before = (folder / "accounts.csv").read_bytes()
    result = run("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder,
                 "--format", "csv", "--output", folder / "accounts.csv")
    assert_user_error(result, "--output", "accounts.csv", "is one of the inputs")
    assert (folder / "accounts.csv").read_bytes() == before
    result = run("stress-test", folder / "plan.yaml", "--quarters", "1", "--data", folder,
                 "--output", folder / "plan.yaml")
    assert_user_error(result, "plan.yaml")


def test_bad_input_leaves_an_existing_output_untouched(tmp_path):
    target = tmp_path / "result.csv"
    target.write_text("previous run\n")
    result = stress("--format", "csv", "--output", target, "--quarters", "9")
    assert_user_error(result, "asked for 9 quarters", "holds only 1")
    assert target.read_text() == "previous run\n"


def test_usage_errors_exit_2():
    assert run("stress-test").exit_code == 2
    assert run("stress-test", "plan.yaml", "--format", "xml").exit_code == 2
    assert run("stress-test", "plan.yaml", "--quarters", "0").exit_code == 2
    assert run("no-such-command").exit_code == 2


def test_data_folder_from_environment(tmp_path):
    result = run("stress-test", VECTORS / "01_paymix_nrr_linear" / "plan.yaml", "--quarters", "1",
                 "--format", "json", env={"CSCOMP_DATA": str(VECTORS / "01_paymix_nrr_linear")})
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["proposed_total"] == 34575.0  # 13,500 + 4,200 + 7,875 + 9,000


def test_missing_data_folder_is_a_clear_error(tmp_path):
    result = run("stress-test", V03 / "plan.yaml", "--data", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr + result.stdout


def test_version_and_help_with_examples():
    version = run("--version")
    assert version.exit_code == 0 and version.stdout.startswith("cscomp ")
    for command in ("stress-test", "schema"):
        help_text = run(command, "--help").stdout
        assert "Example" in help_text, command


def test_piping_into_head_ends_quietly():
    # A real process: `cscomp … --format csv | head -1` must not print a BrokenPipeError.
    command = [sys.executable, "-c", "from cscomp_cli.cli import main; main()", "stress-test",
               str(V03 / "plan.yaml"), "--quarters", "1", "--data", str(V03), "--format", "csv"]
    producer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = producer.stdout.readline()
    producer.stdout.close()
    errors = producer.stderr.read()
    producer.stderr.close()
    producer.wait(timeout=60)
    assert first.startswith(b"quarter,csm_id")
    assert b"Traceback" not in errors and b"BrokenPipe" not in errors


def test_an_interrupted_write_leaves_the_old_output_and_no_temporary_file(tmp_path, monkeypatch):
    import os

    target = tmp_path / "result.json"
    target.write_text("old result\n")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    result = run("stress-test", V03 / "plan.yaml", "--quarters", "1", "--data", V03, "--format", "json",
                 "--output", target)
    assert result.exit_code == 130 and "nothing was written" in result.stderr
    assert target.read_text() == "old result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


def test_output_into_a_folder_or_a_missing_folder_is_a_clear_error(tmp_path):
    for output, fragment in ((tmp_path, "it is a folder"), (tmp_path / "no" / "x.json", "does not exist")):
        result = run("stress-test", V03 / "plan.yaml", "--quarters", "1", "--data", V03, "--format", "json",
                     "--output", output)
        assert_user_error(result, fragment)


def test_an_output_file_gets_ordinary_permissions(tmp_path):
    # mkstemp makes private files; a report a leader shares must be readable like any other file.
    import os

    target = tmp_path / "result.json"
    assert run("stress-test", V03 / "plan.yaml", "--quarters", "1", "--data", V03, "--format", "json",
               "--output", target).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    target.chmod(0o640)
    run("stress-test", V03 / "plan.yaml", "--quarters", "1", "--data", V03, "--format", "json", "--output", target)
    assert target.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its permissions
