"""The Excel workbook holds whatever text a plan, a file name or an export carries: formula-looking
text stays text (no <f> cell anywhere), characters a workbook cannot hold are shown escaped instead
of failing the write, and the sheets are streamed (one pass over the rows, not one per row)."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook

from .conftest import (
    DEFAULT_ROSTER,
    FLAT_ACCOUNTS,
    NRR_ONLY_YAML,
    PAID_AT_TARGET,
    run,
    write_files,
)

# Names a spreadsheet would run or read as something else if they were written as they look.
FORMULA_NAMES = ['=HYPERLINK("http://example.com","click")', "=1+2", "@SUM(A1)", "+cmd|' /C calc'!A0", "#N/A"]
ROSTER = "csm_id,name,segment,annual_base,annual_variable\n" + "".join(
    f'C{i},"{name.replace(chr(34), chr(34) * 2)}",SMB,100000,20000\n' for i, name in enumerate(FORMULA_NAMES, 1))
ACCOUNTS = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n" + "".join(
    f"2026Q1,A{i},C{i},100000,0,0,0\n" for i in range(1, len(FORMULA_NAMES) + 1))
PAYOUTS = "quarter,csm_id,amount\n" + "".join(f"2026Q1,C{i},5000\n" for i in range(1, len(FORMULA_NAMES) + 1))


def sheets_xml(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name).decode("utf-8") for name in package.namelist()
                if name.startswith("xl/worksheets/")}


def cells(path) -> list:
    return [cell for sheet in load_workbook(path) for row in sheet.iter_rows() for cell in row
            if cell.value is not None]


def test_compare_writes_a_plan_named_like_a_formula_and_formula_names_as_text(tmp_path):
    folder = write_files(tmp_path / "data", roster=ROSTER, accounts=ACCOUNTS, payouts=PAYOUTS)
    (folder / "=1+2.yaml").write_text(NRR_ONLY_YAML.replace("name: nrr only", 'name: "=2+3"'), encoding="utf-8")
    (folder / "plain.yaml").write_text(NRR_ONLY_YAML, encoding="utf-8")
    out = tmp_path / "plans.xlsx"
    result = run("compare", folder / "=1+2.yaml", folder / "plain.yaml", "--data", folder, "--quarters", "1", "--format", "xlsx",
                 "--output", out, "-q")
    assert result.exit_code == 0, result.stderr
    xml = sheets_xml(out)
    assert len(xml) == 2 and not any("<f>" in part or "<f " in part for part in xml.values())
    book = load_workbook(out)
    header = [cell for cell in book["Summary"][1]]
    assert header[2].value == "=1+2" and header[2].data_type == "s"
    assert [cell.value for cell in book["CSMs"][1]][4] == "=1+2"
    plan_row = {row[0].value: row for row in book["Summary"].iter_rows(min_row=2)}["Plan"]
    assert plan_row[2].value == "=2+3" and plan_row[2].data_type == "s"
    names = {row[0].value: row[1] for row in book["CSMs"].iter_rows(min_row=2)}
    assert [names[f"C{i}"].value for i in range(1, len(FORMULA_NAMES) + 1)] == FORMULA_NAMES
    assert {names[f"C{i}"].data_type for i in range(1, len(FORMULA_NAMES) + 1)} == {"s"}  # not 'f', not 'e'


def test_stress_test_workbook_writes_every_formula_name_as_text(tmp_path):
    folder = write_files(tmp_path / "data", roster=ROSTER, accounts=ACCOUNTS, payouts=PAYOUTS)
    (folder / "plan.yaml").write_text(NRR_ONLY_YAML.replace("name: nrr only", 'name: "=HYPERLINK(1)"'),
                                      encoding="utf-8")
    out = tmp_path / "result.xlsx"
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1", "--format", "xlsx", "--output", out, "-q")
    assert result.exit_code == 0, result.stderr
    assert not any("<f>" in part or "<f " in part for part in sheets_xml(out).values())
    texts = [cell for cell in cells(out) if isinstance(cell.value, str)]
    assert {cell.data_type for cell in texts} == {"s"}
    values = {cell.value for cell in texts}
    assert set(FORMULA_NAMES) <= values and "=HYPERLINK(1)" in values


def test_a_plan_name_with_control_characters_is_written_escaped(tmp_path):
    folder = write_files(tmp_path / "data", roster=DEFAULT_ROSTER, accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET)
    (folder / "plan.yaml").write_text(
        NRR_ONLY_YAML.replace("name: nrr only", r'name: "nul\0 soh\x01 vt\x0b ff\x0c"'), encoding="utf-8")
    out = tmp_path / "result.xlsx"
    result = run("stress-test", folder / "plan.yaml", "--data", folder, "--quarters", "1", "--format", "xlsx", "--output", out, "-q")
    assert result.exit_code == 0, result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    summary = {row[0]: row[1] for row in load_workbook(out)["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Plan"] == r"nul\x00 soh\x01 vt\x0b ff\x0c"


def test_a_plan_file_name_with_a_control_character_becomes_an_escaped_column(tmp_path):
    folder = write_files(tmp_path / "data", roster=DEFAULT_ROSTER, accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET)
    (folder / "a\x01b.yaml").write_text(NRR_ONLY_YAML, encoding="utf-8")
    (folder / "plain.yaml").write_text(NRR_ONLY_YAML, encoding="utf-8")
    out = tmp_path / "plans.xlsx"
    result = run("compare", folder / "a\x01b.yaml", folder / "plain.yaml", "--data", folder, "--quarters", "1", "--format", "xlsx",
                 "--output", out, "-q")
    assert result.exit_code == 0, result.stderr
    assert [cell.value for cell in load_workbook(out)["Summary"][1]] == ["Measure", "actual", r"a\x01b", "plain"]


def test_every_text_of_a_workbook_is_escaped_alike():
    """Every string field of a stress-test document, hostile at once, reaches its cell escaped."""
    import io

    from cscomp_cli.render.xlsx import cell_text, to_xlsx

    assert cell_text("a\x00b\x01c\x08\x0b\x0c\x0e\x1f\ud800\uffff") == r"a\x00b\x01c\x08\x0b\x0c\x0e\x1f\ud800\uffff"
    assert cell_text("tab\tnewline\ncr\r ok é €") == "tab\tnewline\ncr\r ok é €"
    hostile = "=1+2\x01\x0b<b>&amp;"
    shown = r"=1+2\x01\x0b<b>&amp;"
    row = {"quarter": "2026Q1", "csm_id": hostile, "name": hostile, "segment": hostile, "target_variable": 5000.0,
           "base": 25000.0, "actual_base": 25000.0, "cap_adjustment": 0.0, "proposed": 5000.0, "actual": 5000.0,
           "delta": 0.0, "delta_pct": 0.0, "proposed_cash": 30000.0, "actual_cash": 30000.0, "cash_delta": 0.0,
           "cash_delta_pct": 0.0,
           "components": {"retention": {"metric": 1.0, "attainment": 1.0, "payout": 5000.0}}}
    csm = {**{k: row[k] for k in ("csm_id", "name", "segment", "proposed", "actual", "delta", "delta_pct")},
           "performance": 1.0, "top_performer": True}
    document = {"plan": hostile, "currency": "USD", "data": hostile, "quarters": ["2026Q1"], "rows": [row],
                "csms": [csm], "warnings": [hostile], "shocks": {},
                "summary": {"actual_total": 5000.0, "proposed_total": 5000.0, "delta": 0.0, "delta_pct": 0.0,
                            "csms": 1, "paid_more": 0, "paid_less": 0, "top_performers": [hostile],
                            "top_performers_paid_less": [hostile],
                            "pay_performance_correlation": {"actual": None, "proposed": None}}}
    book = load_workbook(io.BytesIO(to_xlsx(document, f"name: '{hostile}'\n=line\n")))
    texts = [cell for sheet in book for line in sheet.iter_rows() for cell in line if isinstance(cell.value, str)]
    assert {cell.data_type for cell in texts} == {"s"}
    assert sum(cell.value == shown for cell in texts) == 11  # Summary 5, CSMs 3, Rows 3
    assert "=line" in {cell.value for cell in book["Plan"]["A"]}
    assert not any(set(cell.value) & {"\x01", "\x0b"} for cell in texts)


def test_a_column_is_as_wide_as_its_widest_value_shown():
    """The widths come from the extremes of an amount column: the longest shown value, sign included."""
    from cscomp_cli.render.xlsx import MONEY, PERCENT, RATIO, shown_text, widest_shown

    amounts = [5.0, None, 999.995, -1234567.891, 1234567.8, -0.001]
    assert widest_shown(amounts, MONEY) == max(len(shown_text(v, MONEY)) for v in amounts) == len("-1,234,567.89")
    assert widest_shown([0.5, -0.0001, 12.3456], PERCENT) == len("1234.56%")
    assert widest_shown([0.123456789, None, "text of twenty chars"], RATIO) == 20
    assert widest_shown([None, None], MONEY) == 0 and widest_shown([], None) == 0
