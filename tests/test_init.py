"""`cscomp init DIR`: the data map guessed from raw CRM, HR and payroll exports."""

from __future__ import annotations

import yaml

from cscomp_cli.inputs.datamap import MAP_FILE
from cscomp_cli.inputs.guessing.guess import guess_map

from .conftest import run, write_files

# A CRM account report as exported in the US: money with $ and cents, '-' and blank for zero, the
# owner as a person's name (one misspelt, one nobody on the roster), status and RAG words.
US_CRM = """\
Account Name,Account ID,CSM Owner,Fiscal Period,Segment,Beginning ARR,Upsell ARR,Downsell,Churned ARR,Ending ARR,Renewal Date,Renewal Status,NPS Score,Health Score
"Acme, Inc.",A-001,Ana Lopez,2026-Q1,Enterprise,"$230,200.00","$10,000.00",-,,"$240,200.00",2026-03-15,Renewed,9,Green
Globex,A-002,Bo Chen,2026-Q1,SMB,"$50,000.00",-,"$5,000.00",-,"$45,000.00",2026-02-01,Downgraded,6,Yellow
Initech,A-003,Jon Smith,2026-Q1,SMB,"$20,000.00",-,-,"$20,000.00",$0.00,2026-01-20,Churned,,Red
Umbrella,A-004,Ana Lopez,2026-Q2,Enterprise,"$240,200.00",-,-,-,"$240,200.00",,,8,Green
Hooli,A-005,Bo Chen,2026-Q2,SMB,"$45,000.00","$1,500.50",-,-,"$46,500.50",,,7,Yellow
Soylent,A-006,Zed Unknown,2026-Q2,SMB,"$10,000.00",-,-,-,"$10,000.00",,,,Green
"""
US_HR = """\
Employee ID,Worker,Job Profile,Annual Base Salary,Annual Target Incentive,Hire Date,Termination Date
E1001,Ana López,Customer Success Manager,"USD 100,000","USD 20,000",03/15/2021,
E1002,Bo Chen,Senior CSM,"USD 110,000","USD 25,000",01/04/2022,
E1003,John Smith,Customer Success Manager,"USD 95,000","USD 18,000",06/01/2020,
E1004,Carla Diaz,Sales Engineer,"USD 120,000","USD 30,000",02/01/2019,
"""
US_PAYROLL = """\
Pay Date,Employee ID,Employee Name,Earnings Code,Earnings Description,Amount
04/15/2026,E1001,Ana López,REG,Regular Salary,"8,333.33"
04/15/2026,E1001,Ana López,QBON,Quarterly Bonus,"5,000.00"
04/15/2026,E1002,Bo Chen,QBON,Quarterly Bonus,"6,250.00"
04/15/2026,E1003,John Smith,SPIF,Spiff Award,500.00
07/15/2026,E1001,Ana López,QBON,Quarterly Bonus,"4,800.00"
07/15/2026,E1002,Bo Chen,CLAW,Clawback,"(1,200.00)"
07/15/2026,E1002,Bo Chen,OT,Overtime,120.00
"""

# The same CRM report from a European Excel: semicolons, decimal commas, Windows-1252, one file per
# quarter, and a roster without segments with European dates.
EU_CRM_Q1 = """\
Account ID;CSM Owner;Segment;Beginning ARR;Upsell ARR;Downsell;Churned ARR;Ending ARR;Health Score
A-001;Ana López;Enterprise;230.200,00;10.000,00;-;-;240.200,00;80
A-002;Bo Chen;SMB;50.000,00;-;5.000,00;-;45.000,00;55
"""
EU_CRM_Q2 = """\
Account ID;CSM Owner;Segment;Beginning ARR;Upsell ARR;Downsell;Churned ARR;Ending ARR;Health Score
A-001;Ana López;Enterprise;240.200,00;-;-;-;240.200,00;82
A-002;Bo Chen;SMB;45.000,00;1.500,50;-;-;46.500,50;60
"""
EU_HR = """\
Employee ID;Worker;Annual Base Salary;Annual Target Incentive;Hire Date
E1001;Ana López;100.000,00;20.000,00;15/03/2021
E1002;Bo Chen;110.000,00;25.000,00;04/01/2022
"""


def us_folder(tmp_path):
    folder = tmp_path / "exports"
    write_files(folder / "crm", **{"accounts.csv": US_CRM})
    write_files(folder / "hr", **{"workers.csv": US_HR})
    write_files(folder / "payroll", **{"earnings.csv": US_PAYROLL})
    return folder


def eu_folder(tmp_path):
    folder = tmp_path / "eu"
    (folder / "crm").mkdir(parents=True)
    for name, text in (("accounts_2026Q1.csv", EU_CRM_Q1), ("accounts_2026Q2.csv", EU_CRM_Q2)):
        (folder / "crm" / name).write_bytes(text.encode("cp1252"))
    (folder / "roster.csv").write_bytes(EU_HR.encode("cp1252"))
    return folder


def test_us_exports_map_every_table_with_its_conventions(tmp_path):
    guess = guess_map(us_folder(tmp_path))
    data = yaml.safe_load(guess.text)
    tables = data["tables"]
    assert list(tables) == ["accounts", "roster", "payouts"]
    accounts = tables["accounts"]
    assert accounts["files"] == "crm/accounts.csv"
    assert (accounts["delimiter"], accounts["encoding"], accounts["numbers"]) == (",", "utf-8", "1,234.56")
    assert accounts["zero"] == ["-", ""]
    columns = accounts["columns"]
    assert columns["quarter"] == "Fiscal Period" and columns["account_id"] == "Account ID"
    assert (columns["arr_start"], columns["expansion"], columns["contraction"], columns["churn"], columns["arr_end"]) \
        == ("Beginning ARR", "Upsell ARR", "Downsell", "Churned ARR", "Ending ARR")
    assert columns["renewal_due"] == {"column": "Renewal Status", "values": {
        "": "no", "Renewed": "yes", "Downgraded": "yes", "Churned": "yes"}}
    assert columns["renewed"]["values"] == {"": "no", "Renewed": "yes", "Downgraded": "yes", "Churned": "no"}
    assert columns["health"] == {"column": "Health Score", "values": {"Green": 85, "Yellow": 60, "Red": 30}}
    assert columns["nps"] == "NPS Score" and columns["segment"] == "Segment"
    # Names, not ids: 'Ana Lopez' is 'Ana López' (accents ignored), 'Jon Smith' is close to one name only.
    assert columns["csm_id"] == {"column": "CSM Owner", "match": "name", "aliases": {"Jon Smith": "E1003"}}

    roster = tables["roster"]
    assert roster["numbers"] == "1,234.56" and roster["dates"] == "MM/DD/YYYY"  # 03/15/2021 settles it
    assert roster["rows"]["keep"] == {"column": "Job Profile", "in": ["Customer Success Manager", "Senior CSM"]}
    assert roster["columns"]["segment"] == {"value": "All"}
    assert roster["columns"]["annual_base"] == "Annual Base Salary" and roster["columns"]["end_date"] == "Termination Date"

    payouts = tables["payouts"]
    assert payouts["rows"]["keep"] == {"column": "Earnings Code", "in": ["QBON", "SPIF", "CLAW"]}
    assert payouts["columns"]["quarter"] == {"column": "Pay Date", "from": "date", "paid_months_after": 1}
    assert payouts["columns"]["component"] == {"column": "Earnings Code",
                                               "values": {"QBON": "", "SPIF": "spiff", "CLAW": "clawback"}}
    assert payouts["columns"]["csm_id"] == "Employee ID" and payouts["columns"]["amount"] == "Amount"
    assert "fiscal_year" not in data


def test_us_exports_comment_every_guess_and_list_what_is_left(tmp_path):
    guess = guess_map(us_folder(tmp_path))
    text = guess.text
    assert "profiles that own accounts or read like a CSM's; left out: Sales Engineer" in text
    assert "left out: REG, OT" in text
    assert "'03/15/2021' can only be month/day" in text
    assert "'Jon Smith' -> John Smith" in text
    assert "UNDECIDED: 'Zed Unknown' matches no roster name" in text
    assert "UNDECIDED: the numbers for the RAG words are a choice" in text
    keys = [u.key for u in guess.undecided]
    assert keys == ["tables.accounts.columns.csm_id.aliases", "tables.accounts.columns.health.values"]


def test_european_quarter_per_file_glob(tmp_path):
    guess = guess_map(eu_folder(tmp_path))
    data = yaml.safe_load(guess.text)
    accounts = data["tables"]["accounts"]
    assert accounts["files"] == "crm/accounts_*.csv"
    assert (accounts["delimiter"], accounts["encoding"], accounts["numbers"]) == (";", "cp1252", "1.234,56")
    assert accounts["zero"] == ["-"]
    assert accounts["columns"]["quarter"] == {"file_name": "quarter"}
    assert accounts["columns"]["csm_id"] == {"column": "CSM Owner", "match": "name"}
    assert accounts["columns"]["health"] == "Health Score"
    assert "one file per quarter: 2026Q1, 2026Q2" in guess.text
    assert "byte 0xF3" in guess.text  # the ó of López, as Windows-1252 writes it
    roster = data["tables"]["roster"]
    assert roster["delimiter"] == ";" and roster["numbers"] == "1.234,56" and roster["dates"] == "DD/MM/YYYY"
    assert roster["columns"]["segment"] == {"value": "All"}
    assert [u.key for u in guess.undecided] == []


def test_dates_that_read_both_ways_are_undecided(tmp_path):
    folder = write_files(tmp_path / "d", roster="Employee ID,Worker,Segment,Base Salary,Target Bonus,Hire Date\n"
                         "E1,Ana,SMB,100000,20000,01/04/2021\nE2,Bo,SMB,100000,20000,02/03/2022\n",
                         accounts="quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n"
                         "2026Q1,A1,E1,100,0,0,0\n")
    guess = guess_map(folder)
    roster = yaml.safe_load(guess.text)["tables"]["roster"]
    assert roster["dates"] == "MM/DD/YYYY"
    assert [u.key for u in guess.undecided] == ["tables.roster.dates"]
    assert "UNDECIDED: confirm the date format (DD/MM/YYYY is the other reading)" in guess.text
    assert "day and month of 12 or less" in guess.text


def fy_labelled(tmp_path, payouts: str):
    """A CRM that labels quarters FY2027 Q1 and Q2, one CSM, and the payroll given."""
    return write_files(tmp_path / "f", roster="csm_id,name,segment,annual_base,annual_variable\nC1,Ana,SMB,1,1\n",
                       accounts="Fiscal Period,Account ID,CSM,Beginning ARR,Upsell,Downsell,Churn\n"
                       "FY2027 Q1,A1,C1,100,0,0,0\nFY2027 Q2,A1,C1,100,0,0,0\n", payouts=payouts)


def test_fiscal_labels_leave_the_first_month_undecided(tmp_path):
    folder = fy_labelled(tmp_path, "Pay Date,Employee ID,Amount\n2026-05-15,C1,10\n")
    guess = guess_map(folder)
    data = yaml.safe_load(guess.text)
    assert data["fiscal_year"] == {"first_month": None, "named_for": "end"}
    assert data["tables"]["accounts"]["columns"]["csm_id"] == "CSM"  # the roster's ids
    keys = [u.key for u in guess.undecided]
    assert keys == ["tables.payouts.columns.quarter.paid_months_after", "fiscal_year.first_month"]
    assert "UNDECIDED: write the month your fiscal year starts" in guess.text


def test_fiscal_labels_with_pay_dates_on_a_fiscal_quarters_first_day_propose_the_first_month(tmp_path):
    # Bonuses paid on 1 May and 1 August: the day after quarters closing 30 April and 31 July, so the
    # fiscal quarters start in Feb, May, Aug and Nov; February is proposed (as a guess to confirm), and
    # one month back from the day after a close lands in the quarter that closed.
    folder = fy_labelled(tmp_path, "Pay Date,Employee ID,Amount\n2026-05-01,C1,10\n2026-08-01,C1,10\n")
    guess = guess_map(folder)
    data = yaml.safe_load(guess.text)
    assert data["fiscal_year"] == {"first_month": "February", "named_for": "end"}
    assert data["tables"]["payouts"]["columns"]["quarter"] == {"column": "Pay Date", "from": "date",
                                                               "paid_months_after": 1}
    assert [u.key for u in guess.undecided] == ["fiscal_year.first_month"]
    said = guess.text.split("first_month:")[0].rsplit("fiscal_year:", 1)[1]  # the comment above the key
    assert "guess: every Pay Date is the 1st of May or Aug" in said and "May, August or November fit the pay dates too" in said
    result = run("init", folder)
    assert result.exit_code == 0, result.stderr
    assert "validate: the data reads (0 warnings)" in result.stderr, result.stderr


def test_canonical_folder_maps_to_itself(tmp_path):
    from .conftest import DEFAULT_ROSTER, FLAT_ACCOUNTS, PAID_AT_TARGET

    folder = write_files(tmp_path / "c", accounts=FLAT_ACCOUNTS, roster=DEFAULT_ROSTER, payouts=PAID_AT_TARGET)
    guess = guess_map(folder)
    tables = yaml.safe_load(guess.text)["tables"]
    assert tables["accounts"]["columns"] == {c: c for c in ["quarter", "account_id", "csm_id", "arr_start", "expansion",
                                                            "contraction", "churn"]}
    assert tables["payouts"]["columns"] == {"quarter": "quarter", "csm_id": "csm_id", "amount": "amount"}
    assert guess.undecided == []


# --- the command --------------------------------------------------------------------------------


def test_init_writes_the_map_and_prints_what_is_left(tmp_path):
    folder = us_folder(tmp_path)
    result = run("init", folder)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{folder / MAP_FILE}\n"
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    written = (folder / MAP_FILE).read_text(encoding="utf-8")
    assert yaml.safe_load(written)["tables"]["accounts"]["files"] == "crm/accounts.csv"
    assert "accounts: crm/accounts.csv" in result.stderr
    assert "left for you to decide (2)" in result.stderr
    assert "tables.accounts.columns.csm_id.aliases: 'Zed Unknown' matches no roster name" in result.stderr
    # validate reads the folder through the new map: only the undecided owner is left, said once (not
    # also as a blank CSM Owner).
    assert "validate: 1 problem reading" in result.stderr and "is blank" not in result.stderr
    assert "accounts.csv, line 7, column CSM Owner: 'Zed Unknown' matches no name on the roster" in result.stderr


def test_init_on_european_exports_validates_clean(tmp_path):
    result = run("init", eu_folder(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert "nothing left undecided" in result.stderr and "validate: the data reads" in result.stderr
    assert "error:" not in result.stderr


def test_init_never_overwrites_a_map_without_force(tmp_path):
    folder = us_folder(tmp_path)
    (folder / MAP_FILE).write_text("# mine\n", encoding="utf-8")
    result = run("init", folder)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{folder / MAP_FILE}" in result.stderr and "--force" in result.stderr
    assert "Traceback" not in result.stderr
    assert (folder / MAP_FILE).read_text(encoding="utf-8") == "# mine\n"
    forced = run("init", folder, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert "version: 1" in (folder / MAP_FILE).read_text(encoding="utf-8")


def test_init_refuses_a_folder_without_exports(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("just a note\n", encoding="utf-8")
    result = run("init", tmp_path / "empty")
    assert result.exit_code == 2 and result.stdout == ""
    assert "no export here looks like an account report or a roster" in result.stderr
    assert not (tmp_path / "empty" / MAP_FILE).exists()
    missing = run("init", tmp_path / "nowhere")
    assert missing.exit_code == 2 and "data folder not found" in missing.stderr


def test_init_prints_the_map_with_output_map_dash(tmp_path):
    folder = eu_folder(tmp_path)
    result = run("init", folder, "--output-map", "-")
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout)["tables"]["accounts"]["files"] == "crm/accounts_*.csv"
    assert not (folder / MAP_FILE).exists()


def test_workbook_sheet_holding_the_accounts_is_chosen(tmp_path):
    import io

    import pandas as pd

    folder = us_folder(tmp_path)
    (folder / "crm" / "accounts.csv").unlink()
    accounts = pd.read_csv(io.StringIO(US_CRM), dtype=str, keep_default_na=False)
    with pd.ExcelWriter(folder / "crm" / "report.xlsx") as workbook:
        pd.DataFrame({"Report": ["Q1-Q2 book"]}).to_excel(workbook, sheet_name="Cover", index=False)
        accounts.to_excel(workbook, sheet_name="Accounts", index=False)
    accounts_map = yaml.safe_load(guess_map(folder).text)["tables"]["accounts"]
    assert (accounts_map["files"], accounts_map["sheet"]) == ("crm/report.xlsx", "Accounts")
    assert "delimiter" not in accounts_map and accounts_map["numbers"] == "1,234.56"


def test_line_separators_and_controls_from_cells_keep_the_map_loadable(tmp_path):
    folder = us_folder(tmp_path)
    crm = folder / "crm" / "accounts.csv"
    crm.write_text(crm.read_text(encoding="utf-8").replace("Jon Smith", "Jon\u2028Smith")
                   .replace(",Churned,", ",Churned\x1b[2J,"), encoding="utf-8")
    guess = guess_map(folder)
    columns = yaml.safe_load(guess.text)["tables"]["accounts"]["columns"]
    # Read back exactly as the export wrote them (a raw U+2028 in quotes would fold into a space).
    assert columns["csm_id"]["aliases"] == {"Jon\u2028Smith": "E1003"}
    assert "Churned\x1b[2J" in columns["renewed"]["values"]
    assert "\x1b" not in guess.text and "\u2028" not in guess.text


def test_init_on_a_folder_already_in_cscomps_columns_writes_no_map(tmp_path):
    from .conftest import DEFAULT_ROSTER, FLAT_ACCOUNTS

    folder = write_files(tmp_path / "c", accounts=FLAT_ACCOUNTS, roster=DEFAULT_ROSTER)
    result = run("init", folder)
    assert result.exit_code == 0 and result.stdout == ""
    assert "needs no data map" in result.stderr and not (folder / MAP_FILE).exists()
    forced = run("init", folder, "--force")
    assert forced.exit_code == 0 and (folder / MAP_FILE).exists()


def test_title_rows_above_a_csv_header_give_header_row(tmp_path):
    folder = us_folder(tmp_path)
    crm = folder / "crm" / "accounts.csv"
    crm.write_text('Account Report: CSM book of business\n"Filtered by: Fiscal Period = FY2026, Owner = all"\n\n'
                   + US_CRM, encoding="utf-8")
    guess = guess_map(folder)
    accounts = yaml.safe_load(guess.text)["tables"]["accounts"]
    assert accounts["header_row"] == 4 and accounts["delimiter"] == ","
    assert accounts["columns"]["arr_start"] == "Beginning ARR" and accounts["numbers"] == "1,234.56"
    assert "the header is row 4: the rows above it are a report's title ('Account Report: CSM book" in guess.text
    # and the loader reads the folder through that map: only the owner nobody has is left
    result = run("init", folder)
    assert "accounts.csv, line 10, column CSM Owner: 'Zed Unknown' matches no name on the roster" in result.stderr


def test_title_rows_above_a_sheet_header_give_header_row(tmp_path):
    from openpyxl import Workbook

    folder = us_folder(tmp_path)
    crm = folder / "crm" / "accounts.csv"
    rows = [line.split(",") for line in crm.read_text(encoding="utf-8").replace('"Acme, Inc."', "Acme").splitlines()]
    crm.unlink()
    book = Workbook()
    sheet = book.active
    sheet.title = "Report"
    sheet.append(["Account Report"])
    sheet.append([])
    sheet.append(["Run by", "admin"])  # two cells, neither a column name: still a title
    for row in rows:
        sheet.append(row)
    book.save(folder / "crm" / "report.xlsx")
    accounts = yaml.safe_load(guess_map(folder).text)["tables"]["accounts"]
    assert (accounts["sheet"], accounts["header_row"]) == ("Report", 4)
    assert accounts["columns"]["account_id"] == "Account ID"


def test_a_header_on_the_first_row_writes_no_header_row(tmp_path):
    guess = guess_map(us_folder(tmp_path))
    assert "header_row" not in guess.text


def test_a_vp_of_customer_success_owning_no_accounts_is_not_kept_as_a_csm(tmp_path):
    folder = us_folder(tmp_path)
    hr = folder / "hr" / "workers.csv"
    hr.write_text(hr.read_text(encoding="utf-8") + 'E1009,Dana Whitfield,VP Customer Success,"USD 210,000",'
                  '"USD 63,000",02/05/2018,\n', encoding="utf-8")
    keep = yaml.safe_load(guess_map(folder).text)["tables"]["roster"]["rows"]["keep"]
    assert keep == {"column": "Job Profile", "in": ["Customer Success Manager", "Senior CSM"]}


def test_a_name_init_calls_an_exact_match_is_one_the_loader_matches(tmp_path):
    # init used to compare names without punctuation ("Bo-Chen" was "Bo Chen"), the loader with it:
    # init wrote no alias and the loader then refused the owner. One rule now: init writes the alias.
    folder = us_folder(tmp_path)
    crm = folder / "crm" / "accounts.csv"
    crm.write_text(crm.read_text(encoding="utf-8").replace(",Bo Chen,", ",Bo-Chen,"), encoding="utf-8")
    guess = guess_map(folder)
    owner = yaml.safe_load(guess.text)["tables"]["accounts"]["columns"]["csm_id"]
    assert owner["aliases"]["Bo-Chen"] == "E1002"
    result = run("init", folder)
    assert result.exit_code == 0
    assert "'Bo-Chen'" not in result.stderr  # validate reads every Bo-Chen row


def test_a_two_digit_year_in_a_file_name_is_not_taken_for_a_quarter(tmp_path):
    # The loader reads 2026Q1 or FY26Q1 from a file name, not 26Q1: init must not promise it can.
    header = US_CRM.splitlines()[0].replace(",Fiscal Period", "")
    rows = [",".join(c for i, c in enumerate(line.split(",")) if i != 3) for line in US_CRM.splitlines()[1:3]]
    folder = tmp_path / "exports"
    write_files(folder, **{"accounts_26Q1.csv": header + "\n" + rows[0] + "\n",
                           "accounts_26Q2.csv": header + "\n" + rows[1] + "\n", "workers.csv": US_HR})
    guess = guess_map(folder)
    assert "file_name" not in guess.text
    assert any(u.key.endswith("accounts.columns.quarter") for u in guess.undecided)


def test_a_required_column_no_header_was_taken_for_is_undecided(tmp_path):
    # "Pay A" and "Pay B" are no header init knows: it must say so, not leave the gap for the
    # loader to find after the person has filled in everything else.
    hr = "ID,Full Name,Team,Pay A,Pay B\nE1,Ann Lee,Enterprise,100000,20000\n"
    folder = write_files(tmp_path / "odd", **{"people.csv": hr, "crm.csv": US_CRM})
    keys = [u.key for u in guess_map(folder).undecided]
    assert "tables.roster.columns.annual_base" in keys and "tables.roster.columns.annual_variable" in keys


def test_tab_and_pq_exports_are_found_as_the_loader_reads_them(tmp_path):
    # One table of input formats: init looks for the extensions the loader reads (.tab is tab-separated
    # text, .pq is Parquet), so a folder whose CRM export is .tab maps like one whose export is .csv.
    import io

    import pandas as pd

    def table(text: str) -> pd.DataFrame:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)

    folder = tmp_path / "exports"
    (folder / "crm").mkdir(parents=True)
    (folder / "hr").mkdir()
    table(US_CRM).to_csv(folder / "crm" / "accounts.tab", sep="\t", index=False)
    table(US_HR).to_parquet(folder / "hr" / "workers.pq")
    write_files(folder / "payroll", **{"earnings.csv": US_PAYROLL})

    tables = yaml.safe_load(guess_map(folder).text)["tables"]
    assert list(tables) == ["accounts", "roster", "payouts"]
    assert tables["accounts"]["files"] == "crm/accounts.tab" and tables["accounts"]["delimiter"] == "\t"
    assert tables["accounts"]["columns"]["arr_start"] == "Beginning ARR"
    assert tables["roster"]["files"] == "hr/workers.pq"

    result = run("init", folder)
    assert result.exit_code == 0, result.stderr
    # validate then reads the .tab and .pq files through the map: the same problems as the CSV folder.
    assert "validate: 1 problem reading" in result.stderr, result.stderr
    assert "'Zed Unknown' matches no name on the roster" in result.stderr


def test_a_missing_table_names_every_export_format_the_loader_reads(tmp_path):
    # The hint that sends a user to `cscomp init` sees the same extensions as init and the loader.
    write_files(tmp_path, **{"crm_report.tab": "Account ID\tARR\nA-1\t10\n", "notes.md": "x",
                             "plan.yaml": "name: p\ncomponents: [{id: r, metric: nrr, weight: 1, target: 1.0, "
                             "curve: [[0, 0], [1, 1]]}]\n"})
    result = run("validate", tmp_path / "plan.yaml", "--data", tmp_path)
    assert result.exit_code == 2
    report = result.stdout + result.stderr
    assert "to read the exports it holds (crm_report.tab) as they are, run `cscomp init" in report
    assert "notes.md" not in report
    # And init, finding no export at all, names the formats it looked for.
    (tmp_path / "crm_report.tab").unlink()
    nothing = run("init", tmp_path)
    assert nothing.exit_code == 2
    assert "no file cscomp reads as an export (.csv, .txt, .tsv, .tab, .xlsx, .xlsm, .parquet, .pq)" in nothing.stderr


def test_a_monthly_column_is_never_mapped_to_an_annual_one(tmp_path):
    # 'Expansion MRR' is one letter from 'Expansion ARR', but a month's revenue read as a year's is 12
    # times too small: init leaves expansion for a person (the map then refuses to load until they do)
    # rather than map it with only a comment that a stress test would run past.
    folder = us_folder(tmp_path)
    crm = folder / "crm" / "accounts.csv"
    crm.write_text(US_CRM.replace("Upsell ARR", "Expansion MRR"), encoding="utf-8")
    guess = guess_map(folder)
    columns = yaml.safe_load(guess.text)["tables"]["accounts"]["columns"]
    assert "expansion" not in columns and "Expansion MRR" not in columns.values()
    expansion = [u for u in guess.undecided if u.key == "tables.accounts.columns.expansion"]
    assert len(expansion) == 1 and "says monthly (MRR)" in expansion[0].message, guess.undecided
    assert "UNDECIDED: Expansion MRR looks like expansion, but its name says monthly (MRR)" in guess.text
    result = run("init", folder)
    assert result.exit_code == 0, result.stderr
    assert "accounts needs expansion" in result.stderr


# --- issue 22: which files init reads, and names it writes that the loader reads back -------------


def test_headers_differing_only_in_case_are_one_export_read_under_one_spelling(tmp_path):
    # One CRM file per quarter, the second exported with its headers in capitals: one glob, every cell
    # under one column (not two half-blank ones that broke the guesses with a TypeError).
    folder = eu_folder(tmp_path)
    q2 = folder / "crm" / "accounts_2026Q2.csv"
    lines = q2.read_bytes().decode("cp1252").splitlines(keepends=True)
    q2.write_bytes((lines[0].upper() + "".join(lines[1:])).encode("cp1252"))
    result = run("init", folder)
    assert result.exit_code == 0, result.stderr
    assert "unexpected" not in result.stderr
    assert yaml.safe_load((folder / MAP_FILE).read_text(encoding="utf-8"))["tables"]["accounts"]["files"] == \
        "crm/accounts_*.csv"
    assert "validate: the data reads" in result.stderr, result.stderr


def test_two_account_reports_map_the_better_one_and_name_the_other(tmp_path):
    folder = us_folder(tmp_path)
    # A second, thinner account report (no renewal or score columns) in another folder.
    thin = "\n".join(",".join(row.split(",")[:9]) for row in US_CRM.splitlines()[:3] if '"' not in row) + "\n"
    write_files(folder / "old", **{"accounts.csv": thin.replace("Account Name,", "Customer,")})
    result = run("init", folder)
    assert result.exit_code == 0, result.stderr
    written = (folder / MAP_FILE).read_text(encoding="utf-8")
    assert yaml.safe_load(written)["tables"]["accounts"]["files"] == "crm/accounts.csv"
    assert ("tables.accounts.files: old/accounts.csv also looks like the accounts table; init took "
            "crm/accounts.csv") in result.stderr
    assert "UNDECIDED: old/accounts.csv also looks like the accounts table" in written


def test_a_copy_of_an_export_is_left_out_and_said(tmp_path):
    folder = us_folder(tmp_path)
    write_files(folder / "payroll", **{"earnings (1).csv": US_PAYROLL})
    result = run("init", folder)
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load((folder / MAP_FILE).read_text(encoding="utf-8"))["tables"]["payouts"]["files"] == \
        "payroll/earnings.csv"
    assert "not used: payroll/earnings (1).csv (the same content as payroll/earnings.csv" in result.stderr
    assert "validate: 1 problem" in result.stderr  # the undecided owner only, as without the copy


def test_a_link_to_an_export_outside_the_folder_is_left_out_and_said(tmp_path):
    folder = us_folder(tmp_path)
    outside = write_files(tmp_path / "elsewhere", **{"workers.csv": US_HR})
    (folder / "hr" / "workers.csv").unlink()
    (folder / "hr" / "workers.csv").symlink_to(outside / "workers.csv")
    result = run("init", folder)
    assert result.exit_code == 0, result.stderr
    assert "not used: hr/workers.csv (a link to a file outside the data folder" in result.stderr
