"""The data map end to end: raw exports (tests/raw_exports.py) replay to the cent like the same facts
written canonically, and every mistake in a map or an export gives one clear error."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import REPO, run
from tests.raw_exports import (
    CRM_SPELLING,
    HIRE,
    LEAVER,
    MAP_FILE,
    OTHERS,
    QUARTERS,
    VARIANTS,
    fiscal_label,
    plan_for,
    write_canonical,
    write_raw,
    write_truth,
)

PLAN = REPO / "plans" / "current.yaml"


@pytest.fixture(scope="module")
def canonical(tmp_path_factory) -> Path:
    return write_canonical(tmp_path_factory.mktemp("org") / "canonical")


# --- the fixture set itself, read back with pandas (no map loader needed) ---------------------------


def _canonical(canonical: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(canonical / f"{name}.csv", dtype=str, keep_default_na=False)


def _amount(cell, *, european: bool = False) -> float:
    """A raw export's money cell as a number: '$230,200.00', '230.200,00 €', 'USD 142,000', '-', ''."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return float(cell) if cell == cell else 0.0
    text = re.sub(r"[$€]|USD|EUR", "", cell or "").strip()
    if text in ("", "-"):
        return 0.0
    if european:
        text = text.replace(".", "").replace(",", ".")
    return float(text.replace(",", ""))


def _read_export(raw: Path, name: str, variant: str, **excel) -> pd.DataFrame:
    """One raw CSV or workbook as pandas reads it with the variant's conventions (cells as strings)."""
    path = raw / name
    if path.suffix == ".xlsx":
        return pd.read_excel(path, engine="calamine", **excel)
    encoding = {"us": "cp1252", "glob": "utf-8-sig"}.get(variant, "utf-8")
    return pd.read_csv(path, sep=";" if variant == "eu" else ",", encoding=encoding, dtype=str, keep_default_na=False)


def _dates(cells: pd.Series, variant: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(cells):
        return cells
    return pd.to_datetime(cells.where(cells != ""), format="%d.%m.%Y" if variant == "eu" else "%m/%d/%Y")


def _quarter_paid_for(pay: pd.Timestamp, variant: str) -> str:
    """The quarter a pay date pays for: the quarter holding the month before it (fiscal or calendar)."""
    year, month = (pay.year, pay.month - 1) if pay.month > 1 else (pay.year - 1, 12)
    if variant == "fiscal":  # FY starts in February, named for its end year
        fiscal_year = year + 1 if month >= 2 else year
        return f"FY{fiscal_year}Q{(month - 2) % 12 // 3 + 1}"
    return f"{year}Q{(month - 1) // 3 + 1}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_raw_payroll_pays_what_payouts_csv_says(canonical, tmp_path, variant):
    raw = write_raw(canonical, tmp_path / variant, variant)
    name = "Payroll Earnings 2026." + ("xlsx" if variant == "xlsx" else "csv")
    payroll = _read_export(raw, name, variant, sheet_name="Earnings")
    lines = payroll[payroll["Earnings Code"].isin(["QBON", "SPIF", "CLAW"])]
    quarters = [_quarter_paid_for(pay, variant) for pay in _dates(lines["Pay Date"], variant)]
    amounts = [_amount(a, european=variant == "eu") for a in lines["Amount"]]
    got = pd.DataFrame({"quarter": quarters, "csm_id": lines["Employee ID"].to_numpy(),
                        "code": lines["Earnings Code"].to_numpy(), "amount": amounts})
    got = got.groupby(["quarter", "csm_id", "code"])["amount"].sum().round(2).to_dict()
    payouts = _canonical(canonical, "payouts")
    codes = {"bonus": "QBON", "spiff": "SPIF", "clawback": "CLAW"}
    want = {}
    for r in payouts.itertuples():
        quarter = fiscal_label(r.quarter) if variant == "fiscal" else r.quarter
        key = (quarter, r.csm_id, codes[r.component])
        want[key] = round(want.get(key, 0.0) + float(r.amount), 2)
    assert got == want
    # salary lines are there too, for CSMs and for people who are not CSMs
    salaried = set(payroll.loc[payroll["Earnings Code"] == "REG", "Employee ID"])
    assert {p[0] for p in OTHERS} | {HIRE, LEAVER} <= salaried


def _crm(raw: Path, variant: str) -> pd.DataFrame:
    """Every raw CRM row with its canonical quarter (from the period column or the file name)."""
    if variant == "xlsx":
        return _read_export(raw, "Account Report.xlsx", variant, sheet_name="Account Report", header=2, dtype=object)
    files = sorted((raw / "crm").glob("*.csv")) if variant in ("glob", "glob_name") else [raw / "Account Report.csv"]
    frames = []
    for path in files:
        frame = _read_export(path.parent, path.name, variant)
        if variant == "glob_name":
            frame["Fiscal Period"] = re.search(r"(\d{4})Q(\d)", path.name).expand(r"Q\2 \1")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _period_to_canonical(period: str, variant: str) -> str:
    if variant == "fiscal":
        m = re.fullmatch(r"FY(\d\d) Q(\d)", period)
        return f"FY20{m[1]}Q{m[2]}"
    m = re.fullmatch(r"Q(\d) (\d{4})", period)
    return f"{m[2]}Q{m[1]}"


def _fold(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()


@pytest.mark.parametrize("variant", VARIANTS)
def test_raw_crm_report_holds_the_canonical_books(canonical, tmp_path, variant):
    raw = write_raw(canonical, tmp_path / variant, variant)
    crm = _crm(raw, variant)
    roster = _canonical(canonical, "roster")
    by_name = {_fold(CRM_SPELLING.get(n, n)): c for n, c in zip(roster["name"], roster["csm_id"])}
    european = variant == "eu"
    rag = {"Green": "85", "Yellow": "60", "Red": "30"}
    status = {"Renewed": ("yes", "yes"), "Downgraded": ("yes", "yes"), "Churned": ("yes", "no")}
    got = []
    for r in crm.to_dict("records"):
        due, renewed = status.get(r["Renewal Status"], ("no", "no"))
        money = [_amount(r[c], european=european)
                 for c in ("Beginning ARR", "Upsell ARR", "Downsell", "Churned ARR", "Ending ARR")]
        nps = r["NPS Score"]
        got.append((_period_to_canonical(r["Fiscal Period"], variant), r["Account ID"], by_name[_fold(r["CSM Owner"])],
                    *money, due, renewed, "" if pd.isna(nps) or nps == "" else str(int(nps)),
                    rag.get(r["Health Score"], "")))
    want = []
    for r in _canonical(canonical, "accounts").itertuples():
        quarter = fiscal_label(r.quarter) if variant == "fiscal" else r.quarter
        want.append((quarter, r.account_id, r.csm_id, *(float(x) for x in (r.arr_start, r.expansion, r.contraction,
                                                                            r.churn, r.arr_end)),
                     r.renewal_due, r.renewed, r.nps, r.health))
    assert sorted(got) == sorted(want)
    assert {"Renewed", "Downgraded", "Churned"} <= set(crm["Renewal Status"])


@pytest.mark.parametrize("variant", VARIANTS)
def test_raw_roster_holds_the_canonical_csms_and_others(canonical, tmp_path, variant):
    raw = write_raw(canonical, tmp_path / variant, variant)
    workers = _read_export(raw, "Workers.csv", variant)
    assert ("Segment" in workers.columns) == (variant != "eu")
    csms = workers[workers["Job Profile"].str.contains("Customer Success Manager")]
    european = variant == "eu"
    got = sorted(
        (r["Employee ID"], r["Worker"], _amount(r["Annual Base Salary"], european=european),
         _amount(r["Annual Target Incentive"], european=european), *(
             "" if pd.isna(d) else d.date().isoformat()
             for d in (_dates(pd.Series([r["Hire Date"]]), variant)[0], _dates(pd.Series([r["Termination Date"]]),
                                                                                 variant)[0])))
        for r in csms.to_dict("records"))
    want = sorted((r.csm_id, r.name, float(r.annual_base), float(r.annual_variable), r.start_date, r.end_date)
                  for r in _canonical(canonical, "roster").itertuples())
    assert got == want
    assert set(workers["Employee ID"]) - set(csms["Employee ID"]) == {p[0] for p in OTHERS}


def test_us_exports_are_windows_1252_and_eu_exports_european(canonical, tmp_path):
    us = write_raw(canonical, tmp_path / "us", "us")
    crm = (us / "Account Report.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        crm.decode("utf-8")
    assert "José Núñez" in crm.decode("cp1252") and b"\r\n" in crm
    assert '"$230,' in crm.decode("cp1252") or re.search(r'"\$\d{3},\d{3}\.\d\d"', crm.decode("cp1252"))
    eu = write_raw(canonical, tmp_path / "eu", "eu")
    text = (eu / "Account Report.csv").read_text(encoding="utf-8")
    assert re.search(r";\d{3}\.\d{3},\d\d €;", text) and "Jose Nunez" in text
    assert re.search(r"^\d\d\.\d\d\.\d{4};", (eu / "Payroll Earnings 2026.csv").read_text(encoding="utf-8"), re.M)


def test_the_generator_is_deterministic(tmp_path):
    first = write_canonical(tmp_path / "a")
    second = write_canonical(tmp_path / "b")
    for variant in VARIANTS:
        one, two = write_raw(first, tmp_path / f"a_{variant}", variant), write_raw(second, tmp_path / f"b_{variant}",
                                                                                    variant)
        files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
        for name in files:
            if name.suffix != ".xlsx":  # a workbook is a zip with its own timestamps; its cells are checked above
                assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_the_canonical_org_replays_cleanly(canonical):
    result = run("stress-test", PLAN, "--data", canonical, "--format", "json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["quarters"] == QUARTERS and out["warnings"] == []
    rows = {(r["quarter"], r["csm_id"]): r for r in out["rows"]}
    # the mid-quarter hire is prorated in 2026Q2, the leaver in 2026Q3 and gone in 2026Q4
    assert 0 < rows[("2026Q2", HIRE)]["target_variable"] < 24500 / 4
    assert 0 < rows[("2026Q3", LEAVER)]["target_variable"] < 24000 / 4
    assert ("2026Q4", LEAVER) not in rows and ("2026Q1", HIRE) not in rows


# --- the mapped replay equals the canonical one, to the cent -----------------------------------------


def _payout_facts(out: dict) -> dict:
    """What a replay pays, CSM by CSM and quarter by quarter, and in total (not names, paths or warnings)."""
    rows = {
        (r["quarter"], r["csm_id"]): (r["target_variable"], r["base"], r["actual_base"], r["proposed"], r["actual"],
                                      r["delta"], r["cap_adjustment"],
                                      {k: c["payout"] for k, c in r["components"].items()})
        for r in out["rows"]
    }
    csms = {c["csm_id"]: (c["proposed"], c["actual"], c["target_variable"], c["base"]) for c in out["csms"]}
    summary = {k: out["summary"][k] for k in ("proposed_total", "actual_total", "delta", "proposed_cash_total",
                                              "actual_cash_total", "csms")}
    return {"quarters": out["quarters"], "rows": rows, "csms": csms, "summary": summary}


def _replay(folder: Path, plan: Path = PLAN) -> dict:
    result = run("stress-test", plan, "--data", folder, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "unexpected" not in result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("variant", VARIANTS)
def test_mapped_exports_replay_like_the_canonical_folder(canonical, tmp_path, variant):
    raw = write_raw(canonical, tmp_path / "raw", variant)
    truth = write_truth(canonical, tmp_path / "truth", variant)
    plan = plan_for(PLAN, variant, tmp_path)
    mapped, expected = _payout_facts(_replay(raw, plan)), _payout_facts(_replay(truth, plan))
    assert mapped["quarters"] == expected["quarters"]
    assert mapped["summary"] == expected["summary"]
    assert mapped["csms"] == expected["csms"]
    assert mapped["rows"] == expected["rows"]
    assert len(mapped["rows"]) == 22
    if variant == "fiscal":  # prorated over the fiscal quarter's real days: May-Jul 2026 is 92 days
        assert mapped["rows"][("FY2027Q2", HIRE)][0] == round(24500 / 4 * 75 / 92, 2)
        assert mapped["rows"][("FY2027Q3", LEAVER)][0] == round(24000 / 4 * 20 / 92, 2)


def test_mapped_names_and_segments_come_from_the_roster(canonical, tmp_path):
    out = _replay(write_raw(canonical, tmp_path / "eu", "eu"), plan_for(PLAN, "eu", tmp_path))
    names = {c["csm_id"]: (c["name"], c["segment"]) for c in out["csms"]}
    assert names["E1002"] == ("José Núñez", "All")


# --- every mistake gives one clear error ---------------------------------------------------------------


def _us(canonical: Path, tmp_path: Path, variant: str = "us") -> Path:
    return write_raw(canonical, tmp_path / variant, variant)


def _edit_map(raw: Path, old: str, new: str) -> None:
    path = raw / MAP_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _edit_export(raw: Path, name: str, old: str, new: str, *, encoding: str = "cp1252", nth: int = 1) -> int:
    """Replace the nth occurrence of old in an export; return the (1-based) line it is on."""
    path = raw / name
    text = path.read_bytes().decode(encoding)
    at = -1
    for _ in range(nth):
        at = text.index(old, at + 1)
    path.write_bytes((text[:at] + new + text[at + len(old):]).encode(encoding))
    return text.count("\n", 0, at) + 1


def _error(raw: Path, *fragments: str) -> str:
    result = run("stress-test", PLAN, "--data", raw, "--format", "json")
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in {result.stderr!r}"
    return result.stderr


def test_a_value_map_that_is_not_a_mapping_names_its_key(canonical, tmp_path):
    raw = _us(canonical, tmp_path)
    _edit_map(raw, "values: {Green: 85, Yellow: 60, Red: 30}", "values: [Green, Yellow, Red]")
    _error(raw, MAP_FILE, "tables.accounts.columns.health.values")


@pytest.mark.parametrize("old, new, fragments", [
    ('    zero: ["-", ""]', '    zeros: ["-", ""]', ["tables.accounts", "'zeros'"]),
    ("match: name,", "matches: name,", ["tables.accounts.columns.csm_id", "'matches'"]),
    ("tables:\n", "tabels:\n", ["'tabels'"]),
    ("      nps: NPS Score", "      net_promoter: NPS Score", ["tables.accounts.columns.net_promoter"]),
], ids=["table key", "column source key", "top-level key", "canonical column"])
def test_an_unknown_key_in_the_map_is_named(canonical, tmp_path, old, new, fragments):
    raw = _us(canonical, tmp_path)
    _edit_map(raw, old, new)
    _error(raw, MAP_FILE, "unknown key" if fragments[-1].startswith("'") else "not a column", *fragments)


def test_a_map_that_is_not_yaml_names_its_line(canonical, tmp_path):
    raw = _us(canonical, tmp_path)
    _edit_map(raw, "      nps: NPS Score", "      nps: [NPS Score")
    _error(raw, MAP_FILE, "line")


def test_an_export_value_the_map_does_not_list_names_the_export_cell(canonical, tmp_path):
    raw = _us(canonical, tmp_path)
    line = _edit_export(raw, "Account Report.csv", ",Green\r\n", ",Amber\r\n", nth=7)
    _error(raw, "Account Report.csv", f"line {line}", "Health Score", "Amber", "tables.accounts.columns.health.values")


def test_an_unmapped_renewal_status_names_the_export_cell(canonical, tmp_path):
    raw = _us(canonical, tmp_path)
    line = _edit_export(raw, "Account Report.csv", ",Renewed,", ",Pending,", nth=3)
    _error(raw, "Account Report.csv", f"line {line}", "Renewal Status", "Pending")


def test_a_header_the_export_lacks_is_named(canonical, tmp_path):
    raw = _us(canonical, tmp_path)
    _edit_export(raw, "Account Report.csv", "NPS Score", "NPS")
    _error(raw, "Account Report.csv", "NPS Score", "tables.accounts.columns.nps")


def test_a_glob_matching_nothing_is_named(canonical, tmp_path):
    raw = _us(canonical, tmp_path, "glob")
    _edit_map(raw, '"crm/Account Report *.csv"', '"crm/Account Export *.csv"')
    _error(raw, "crm/Account Export *.csv", "tables.accounts.files")


def test_a_missing_sheet_is_named_with_the_sheets_there(canonical, tmp_path):
    raw = _us(canonical, tmp_path, "xlsx")
    _edit_map(raw, "sheet: Account Report", "sheet: Accounts")
    _error(raw, "Account Report.xlsx", "Accounts", "Account Report")


def test_an_owner_matching_no_roster_name_is_named_with_the_closest(canonical, tmp_path):
    raw = _us(canonical, tmp_path)
    line = _edit_export(raw, "Account Report.csv", ",Tom Okafor,", ",Thomas Okafor,", nth=2)
    _error(raw, "Account Report.csv", f"line {line}", "CSM Owner", "Thomas Okafor", "Tom Okafor")


def test_an_owner_matching_two_roster_rows_is_refused(canonical, tmp_path):
    raw = _us(canonical, tmp_path)
    _edit_export(raw, "Workers.csv", "E1010,", 'E1020,Priya Raman,Customer Success Manager,Mid-Market,"USD 90,000",'
                                               '"USD 20,000",01/04/2021,\r\nE1010,')
    _error(raw, "Account Report.csv", "CSM Owner", "Priya Raman", "E1008", "E1020")


def test_an_ambiguous_date_format_without_dates_asks_for_it(canonical, tmp_path):
    raw = _us(canonical, tmp_path)
    _edit_map(raw, "    dates: MM/DD/YYYY\n    rows:\n      keep: {column: Job Profile",
              "    rows:\n      keep: {column: Job Profile")
    # every roster date now reads both ways (day and month both 12 or less)
    _edit_export(raw, "Workers.csv", "08/20/2026", "08/07/2026")
    _edit_export(raw, "Workers.csv", "05/18/2026", "05/11/2026")
    _error(raw, "Workers.csv", "Hire Date", "dates")


def test_without_a_map_the_raw_folder_is_read_as_canonical(canonical, tmp_path):
    raw = _us(canonical, tmp_path)
    (raw / MAP_FILE).unlink()
    _error(raw, "accounts.csv")


@pytest.mark.parametrize("variant, export, old, new, nth, header", [
    ("us", "Account Report.csv", '"$520,500.00"', '"$520,5OO.00"', 1, "Beginning ARR"),
    ("us", "Account Report.csv", ',"$561,995.56",', ',"$561,995.50",', 1, "Ending ARR"),
    ("us", "Workers.csv", "03/11/2019", "03/32/2019", 1, "Hire Date"),
    ("us", "Payroll Earnings 2026.csv", '"5,416.73"', '"5,416.7x"', 1, "Amount"),
    ("eu", "Account Report.csv", "30.595,56 €", "30.595,5,6 €", 1, "Upsell ARR"),
    ("glob", "crm/Account Report 2026-Q3.csv", ",Green\r\n", ",Amber\r\n", 3, "Health Score"),
], ids=["amount", "arr_end", "date", "payroll amount", "eu amount", "third file of a glob"])
def test_a_bad_export_cell_is_named_by_the_exports_own_file_line_and_header(canonical, tmp_path, variant, export, old,
                                                                            new, nth, header):
    raw = write_raw(canonical, tmp_path / variant, variant)
    encoding = {"us": "cp1252", "glob": "utf-8-sig"}.get(variant, "utf-8")
    line = _edit_export(raw, export, old, new, encoding=encoding, nth=nth)
    _error(raw, Path(export).name, f"line {line}", header)


def test_a_bad_workbook_cell_is_named_by_sheet_and_row(canonical, tmp_path):
    from openpyxl import load_workbook

    raw = write_raw(canonical, tmp_path / "xlsx", "xlsx")
    book = load_workbook(raw / "Account Report.xlsx")
    book["Account Report"]["G10"] = "n/a"  # Upsell ARR of the seventh account (the header is row 3)
    book.save(raw / "Account Report.xlsx")
    _error(raw, "Account Report.xlsx", "Account Report", "row 10", "Upsell ARR")


def test_a_row_filter_on_a_column_the_export_lacks_is_named(canonical, tmp_path):
    raw = _us(canonical, tmp_path)
    _edit_map(raw, "keep: {column: Job Profile,", "keep: {column: Job Title,")
    _error(raw, "Workers.csv", "Job Title", "tables.roster.rows")


def test_headers_in_the_map_match_in_any_case_and_spacing(canonical, tmp_path):
    raw = _us(canonical, tmp_path)
    _edit_map(raw, "quarter: Fiscal Period", 'quarter: "  fiscal PERIOD "')
    _edit_map(raw, "csm_id: Employee ID\n      name: Worker", "csm_id: employee id\n      name: WORKER")
    truth = write_truth(canonical, tmp_path / "truth", "us")
    assert _payout_facts(_replay(raw)) == _payout_facts(_replay(truth))


@pytest.mark.parametrize("variant", VARIANTS)
def test_validate_reads_the_mapped_exports_cleanly(canonical, tmp_path, variant):
    raw = write_raw(canonical, tmp_path / variant, variant)
    result = run("validate", plan_for(PLAN, variant, tmp_path), "--data", raw)
    assert result.exit_code == 0, result.stderr + result.stdout
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr


def test_spellings_a_person_reads_as_the_same_are_the_same(canonical, tmp_path):
    raw = _us(canonical, tmp_path)
    _edit_map(raw, "    encoding: cp1252\n    numbers", "    encoding: auto\n    numbers")  # the CRM's
    _edit_export(raw, "Account Report.csv", ",Marcus Webb,", ",MARCUS  WEBB,", nth=4)
    _edit_export(raw, "Account Report.csv", ",Green\r\n", ",green\r\n", nth=2)
    _edit_export(raw, "Account Report.csv", ",Renewed,", ",RENEWED,", nth=2)
    truth = write_truth(canonical, tmp_path / "truth", "us")
    out = _replay(raw)
    assert _payout_facts(out) == _payout_facts(_replay(truth))
    assert any("Windows-1252" in w and "Account Report.csv" in w for w in out["warnings"]), out["warnings"]


@pytest.mark.parametrize("header", [
    "Segment",
    "segment"])
def test_two_export_columns_with_the_header_the_map_names_are_refused(canonical, tmp_path, header):
    # A CRM report with the account's and the owner's segment both headed "Segment": reading either
    # one silently could be the wrong one.
    raw = _us(canonical, tmp_path)
    _edit_export(raw, "Account Report.csv", "Renewal Date", header)
    _error(raw, "Account Report.csv", "Segment", "two columns")


def test_two_workbook_columns_with_the_header_the_map_names_are_refused(canonical, tmp_path):
    from openpyxl import load_workbook

    raw = write_raw(canonical, tmp_path / "xlsx", "xlsx")
    book = load_workbook(raw / "Account Report.xlsx")
    book["Account Report"]["K3"] = "Segment"  # was Renewal Date
    book.save(raw / "Account Report.xlsx")
    _error(raw, "Account Report.xlsx", "Segment", "two columns")


def test_a_row_filter_that_keeps_no_row_is_not_silent(canonical, tmp_path):
    # A typo in the earnings codes would otherwise replay against a payroll that paid nobody anything.
    raw = _us(canonical, tmp_path)
    _edit_map(raw, "in: [QBON, SPIF, CLAW]", "in: [BONUS]")
    result = run("stress-test", PLAN, "--data", raw, "--format", "json")
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert "tables.payouts.rows.keep" in result.stderr and "Payroll Earnings 2026.csv" in result.stderr, result.stderr


def test_a_bonus_paid_to_someone_who_is_not_a_csm_is_left_out(canonical, tmp_path):
    # The VP of Customer Success is on the payroll's QBON lines, but the roster's filter leaves her out.
    raw = _us(canonical, tmp_path)
    with open(raw / "Payroll Earnings 2026.csv", "ab") as payroll:
        payroll.write(b'01/15/2027,E1001,Dana Whitfield,QBON,Quarterly Bonus,"9,000.00"\r\n')
    out = _replay(raw)
    assert _payout_facts(out) == _payout_facts(_replay(write_truth(canonical, tmp_path / "truth", "us")))
    assert any("E1001" in w and "Payroll Earnings 2026.csv" in w for w in out["warnings"]), out["warnings"]
