"""Realistic raw exports (CRM, HR, payroll) written from one small canonical data folder, with the
hand-written data map (cscomp-data.yaml) for each variant: the fixtures of the mapped-equals-canonical
tests in test_datamap.py.

    write_canonical(folder)                 the canonical truth: accounts.csv, roster.csv, payouts.csv
    write_raw(canonical, out, variant)      the same facts as raw exports + out/cscomp-data.yaml
    write_truth(canonical, out, variant)    what a hand conversion gives for that variant (the folder
                                            stress-test on the raw exports must match to the cent)

Everything is deterministic (no clock, a seeded Random), so a failing test shows the same files twice.

The org: six CSMs over 2026Q1-2026Q4 (calendar quarters): E1019 Lena Fischer is hired mid-quarter
(2026-05-18) and takes SMB accounts from 2026Q2, and all of E1014 Tom Okafor's after he leaves on
2026-08-20; 41 accounts (one new logo in 2026Q3, three churned at renewal); one SPIFF and one
clawback. Four people who are not CSMs exist only in the raw HR roster and payroll.

Variants (VARIANTS):
- us: CRM account report, HR roster, payroll earnings; CSVs in Windows-1252 with CRLF, "$230,200.00",
  '-' or blank for zero, US dates 05/18/2026, an accented CSM (José Núñez) and a CRM nickname
  ("Kate O'Neill", mapped by an alias).
- eu: semicolons, decimal commas ("230.200,00 €", "EUR 142.000"), DD.MM.YYYY, the CRM writing names
  without accents ("Jose Nunez"), and an HR roster with no Segment column.
- xlsx: the CRM report as a workbook, data on the sheet "Account Report" (not the first sheet) under
  two title rows; payroll as a workbook (sheet "Earnings") with real date and number cells.
- glob: one CRM file per quarter (crm/Account Report 2026-Q1.csv, ...), UTF-8 with a BOM.
- glob_name: one CRM file per quarter with the quarter only in the file name (crm/accounts_2026Q1.csv).
- fiscal: a fiscal year starting in February, named for the year it ends in (FY2027 = Feb 2026 -
  Jan 2027); CRM labels "FY27 Q1"; bonuses paid the month after the fiscal quarter closes.
  Its truth (write_truth(..., "fiscal")) is a canonical folder labelled FY2027Q1..FY2027Q4 with a map
  that only declares `fiscal_year` (and names each column as itself), since without a map quarters
  are calendar quarters.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

MAP_FILE = "cscomp-data.yaml"
QUARTERS = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
VARIANTS = ("us", "eu", "xlsx", "glob", "glob_name", "fiscal")

# csm_id, name, segment, annual_base, annual_variable, start_date, end_date, job profile
CSMS = [
    ("E1002", "José Núñez", "Enterprise", 142000, 35500, "2019-03-11", "", "Senior Customer Success Manager"),
    ("E1005", "Katherine O'Neill", "Enterprise", 150000, 37500, "2020-07-06", "", "Senior Customer Success Manager"),
    ("E1008", "Priya Raman", "Mid-Market", 118000, 29500, "2021-01-04", "", "Customer Success Manager"),
    ("E1011", "Marcus Webb", "Mid-Market", 112000, 28000, "2022-09-12", "", "Customer Success Manager"),
    ("E1014", "Tom Okafor", "SMB", 96000, 24000, "2021-04-01", "2026-08-20", "Customer Success Manager"),
    ("E1019", "Lena Fischer", "SMB", 98000, 24500, "2026-05-18", "", "Customer Success Manager"),
]
HIRE, LEAVER = "E1019", "E1014"
# People who are not CSMs: in the raw HR roster and payroll (salary lines) only.
OTHERS = [
    ("E1001", "Dana Whitfield", "VP Customer Success", "All", 210000, 63000, "2018-02-05", ""),
    ("E1004", "Sam Ortiz", "Solutions Engineer", "Enterprise", 135000, 20000, "2020-11-02", ""),
    ("E1007", "Grace Liu", "Account Executive", "Mid-Market", 105000, 105000, "2023-03-06", ""),
    ("E1010", "Omar Haddad", "CS Operations Analyst", "All", 88000, 8800, "2024-06-03", ""),
]
CSM_PROFILES = ["Customer Success Manager", "Senior Customer Success Manager"]
# How the CRM spells a roster name (the map needs an alias for it).
CRM_SPELLING = {"Katherine O'Neill": "Kate O'Neill"}
HEALTH_RAG = {"85": "Green", "60": "Yellow", "30": "Red", "": ""}
COMPONENT_CODES = {"bonus": ("QBON", "Quarterly Bonus"), "spiff": ("SPIF", "Spot Incentive"),
                   "clawback": ("CLAW", "Commission Clawback")}
ACCOUNT_NAMES = [
    "Acme Robotics", "Blue Harbor Foods", "Cedar Analytics", "Smith, Jones & Co", "Delta Freight",
    "Evergreen Health", "Fjord Maritime", "Granite Insurance", "Helios Solar", "Ironclad Security",
    "Juniper Retail", "Kestrel Aviation", "Lumen Media", "Müller Logistik GmbH", "Northwind Traders",
    "Orchid Biotech", "Pioneer Mutual", "Quartz Labs", "Redwood Capital", "Summit Outdoor",
    "Tidewater Energy", "Umbra Design", "Vantage Telecom", "Willow Schools", "Xenon Motors",
    "Yellowstone Parks", "Zephyr Airlines", "Café Olé Ltd", "Brightpath Learning", "Copperline Mining",
    "Driftwood Hotels", "Ember Games", "Foxglove Pharma", "Glacier Water", "Harbor & Pine Legal",
    "Indigo Textiles", "Jasper Construction", "Kingfisher Travel", "Lighthouse Clinics",
    "Meridian Payments", "Nova Scotia Fisheries",
]


# --- the canonical truth -----------------------------------------------------------------------


def write_canonical(folder: Path) -> Path:
    """Write the canonical folder (accounts.csv, roster.csv, payouts.csv) of the org above."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    accounts = _canonical_accounts(rng)
    _write_csv(folder / "accounts.csv", ["quarter", "account_id", "csm_id", "segment", "arr_start", "expansion",
                                          "contraction", "churn", "arr_end", "renewal_due", "renewed", "nps",
                                          "health"], accounts)
    roster = [[c[0], c[1], c[2], c[3], c[4], c[5], c[6]] for c in CSMS]
    _write_csv(folder / "roster.csv", ["csm_id", "name", "segment", "annual_base", "annual_variable", "start_date",
                                        "end_date"], roster)
    _write_csv(folder / "payouts.csv", ["quarter", "csm_id", "amount", "component"], _canonical_payouts(rng, accounts))
    return folder


def _canonical_accounts(rng: random.Random) -> list[list[str]]:
    """41 accounts over four quarters, books moving from quarter to quarter."""
    churned = {"ACC-1007", "ACC-1022", "ACC-1035"}
    rows = []
    arr = {}
    for i in range(1, 42):
        account = f"ACC-{1000 + i}"
        segment = "Enterprise" if i <= 12 else "Mid-Market" if i <= 26 else "SMB"
        low, high = {"Enterprise": (150_000, 600_000), "Mid-Market": (40_000, 150_000), "SMB": (8_000, 40_000)}[segment]
        arr[account] = (segment, rng.randrange(low, high, 100), i % 4)
    for q, quarter in enumerate(QUARTERS):
        for account, (segment, start, renewal_q) in arr.items():
            if account == "ACC-1041" and q < 2:
                continue  # the new logo, signed in 2026Q3
            if start is None:
                continue  # churned in an earlier quarter
            owner = _owner(int(account[4:]) - 1000, q)
            due = q == renewal_q
            expansion = contraction = churn = 0.0
            if account == "ACC-1041" and q == 2:
                start, expansion = 0.0, 45_000.0
            elif due and account in churned:
                churn = start
            elif due and rng.random() < 0.25:
                contraction = round(start * rng.uniform(0.05, 0.2))
            elif rng.random() < 0.35:
                expansion = round(start * rng.uniform(0.02, 0.15)) + (0.56 if rng.random() < 0.2 else 0.0)
            elif rng.random() < 0.05:
                contraction = round(start * rng.uniform(0.02, 0.08))
            end = round(start + expansion - contraction - churn, 2)
            nps = str(rng.randint(3, 10)) if rng.random() < 0.6 else ""
            health = rng.choices(["85", "60", "30", ""], weights=[6, 3, 1, 1])[0]
            rows.append([quarter, account, owner, segment, _plain(start), _plain(expansion), _plain(contraction),
                         _plain(churn), _plain(end), _yes(due), _yes(due and account not in churned), nps, health])
            arr[account] = (segment, None if churn else end, renewal_q)
    return rows


def _owner(i: int, q: int) -> str:
    """Who owns account i in quarter index q: the hire takes SMB accounts from 2026Q2, the leaver's after 2026Q3."""
    if i <= 6:
        return "E1002"
    if i <= 12:
        return "E1005"
    if i <= 19:
        return "E1008"
    if i <= 26 or i == 41:
        return "E1011"
    if i >= 34:
        return HIRE if q >= 1 else LEAVER
    return HIRE if q >= 3 else LEAVER


def _canonical_payouts(rng: random.Random, accounts: list[list[str]]) -> list[list[str]]:
    """What payroll paid: a bonus near target for every CSM-quarter with a book, a SPIFF and a clawback."""
    owned = sorted({(row[0], row[2]) for row in accounts})
    variable = {c[0]: (c[4], c[5], c[6]) for c in CSMS}
    rows = []
    for quarter, csm in owned:
        annual, start, end = variable[csm]
        bonus = annual / 4 * _proration(quarter, start, end) * rng.uniform(0.55, 1.45)
        rows.append([quarter, csm, f"{bonus:.2f}", "bonus"])
    rows.append(["2026Q2", "E1008", "750.00", "spiff"])
    rows.append(["2026Q3", "E1011", "-1250.00", "clawback"])
    return sorted(rows)


def _proration(quarter: str, start: str, end: str) -> float:
    first, last = _calendar_bounds(quarter)
    lo = max(first, date.fromisoformat(start)) if start else first
    hi = min(last, date.fromisoformat(end)) if end else last
    return max((hi - lo).days + 1, 0) / ((last - first).days + 1)


def _calendar_bounds(quarter: str) -> tuple[date, date]:
    year, q = int(quarter[:4]), int(quarter[5])
    first = date(year, 3 * q - 2, 1)
    return first, _add_months(first, 3) - timedelta(days=1)


# --- the raw exports ---------------------------------------------------------------------------


def write_raw(canonical: Path, out: Path, variant: str) -> Path:
    """Write canonical's facts as the raw exports of `variant`, and its map, into out."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}: one of {', '.join(VARIANTS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    facts = _read_canonical(Path(canonical))
    style = _STYLES[variant]
    _write_crm(out, facts, variant, style)
    _write_roster(out, facts, style, with_segment=variant != "eu")
    _write_payroll(out, facts, variant, style)
    (out / MAP_FILE).write_text(MAPS[variant], encoding="utf-8")
    return out


def plan_for(plan: Path, variant: str, folder: Path) -> Path:
    """The plan a variant is replayed under: the eu exports write their amounts in euros (EUR 142.000,
    a code cscomp checks against the plan's currency), so they replay the same plan reporting in EUR."""
    if variant != "eu":
        return plan
    text = plan.read_text(encoding="utf-8")
    assert "currency: USD" in text, plan
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{plan.stem}_eur.yaml"
    path.write_text(text.replace("currency: USD", "currency: EUR", 1), encoding="utf-8")
    return path


def write_truth(canonical: Path, out: Path, variant: str) -> Path:
    """The canonical folder a person converting `variant` by hand writes: canonical itself, except the
    roster segment the eu roster lacks (All) and the fiscal labels (plus a map declaring the fiscal year)."""
    facts = _read_canonical(Path(canonical))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("accounts", "roster", "payouts"):
        header, rows = facts[name]
        rows = [dict(r) for r in rows]
        for r in rows:
            if "quarter" in r and variant == "fiscal":
                r["quarter"] = fiscal_label(r["quarter"])
            if name == "roster" and variant == "eu":
                r["segment"] = "All"
        _write_csv(out / f"{name}.csv", header, [[r[h] for h in header] for r in rows])
    if variant == "fiscal":
        (out / MAP_FILE).write_text(FISCAL_TRUTH_MAP, encoding="utf-8")
    return out


def fiscal_label(quarter: str) -> str:
    """2026Q1 -> FY2027Q1: the fiscal variant's quarters, Feb-Apr 2026 and so on (named for the end year)."""
    return f"FY{int(quarter[:4]) + 1}Q{quarter[5]}"


def _read_canonical(folder: Path) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    facts = {}
    for name in ("accounts", "roster", "payouts"):
        with open(folder / f"{name}.csv", encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            facts[name] = (list(reader.fieldnames), list(reader))
    return facts


class _Style:
    """How one variant writes money, dates, names and files."""

    def __init__(self, *, delimiter=",", encoding="cp1252", decimal=".", group=",", money="${}", dates="%m/%d/%Y",
                 salary="USD {}", ascii_names=False, newline="\r\n"):
        self.delimiter, self.encoding, self.decimal, self.group = delimiter, encoding, decimal, group
        self.money_form, self.dates, self.salary_form = money, dates, salary
        self.ascii_names, self.newline = ascii_names, newline

    def number(self, value: float, cents: bool = True) -> str:
        text = f"{abs(value):,.2f}" if cents else f"{abs(value):,.0f}"
        text = text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.group)
        return ("-" if value < 0 else "") + text

    def money(self, value: float, zero: str = "-") -> str:
        return zero if value == 0 else self.money_form.format(self.number(value))

    def salary(self, value: float) -> str:
        return self.salary_form.format(self.number(value, cents=False))

    def date(self, iso: str) -> str:
        return date.fromisoformat(iso).strftime(self.dates) if iso else ""

    def name(self, name: str) -> str:
        name = CRM_SPELLING.get(name, name)
        return _strip_accents(name) if self.ascii_names else name


_US = dict()
_EU = dict(delimiter=";", encoding="utf-8", decimal=",", group=".", money="{} €", dates="%d.%m.%Y",
           salary="EUR {}", ascii_names=True)
_STYLES = {
    "us": _Style(**_US),
    "eu": _Style(**_EU),
    "xlsx": _Style(encoding="utf-8", newline="\n"),
    "glob": _Style(encoding="utf-8-sig"),
    "glob_name": _Style(encoding="utf-8"),
    "fiscal": _Style(encoding="utf-8", newline="\n"),
}

CRM_HEADER = ["Account Name", "Account ID", "CSM Owner", "Fiscal Period", "Segment", "Beginning ARR", "Upsell ARR",
              "Downsell", "Churned ARR", "Ending ARR", "Renewal Date", "Renewal Status", "NPS Score", "Health Score"]
ROSTER_HEADER = ["Employee ID", "Worker", "Job Profile", "Segment", "Annual Base Salary", "Annual Target Incentive",
                 "Hire Date", "Termination Date"]
PAYROLL_HEADER = ["Pay Date", "Employee ID", "Employee Name", "Earnings Code", "Earnings Description", "Amount"]


def _crm_rows(facts, variant: str, style: _Style) -> list[tuple[str, list]]:
    """(canonical quarter, CRM row) for every account row; cells typed for a workbook when variant is xlsx."""
    names = {r["csm_id"]: r["name"] for r in facts["roster"][1]}
    out = []
    for r in facts["accounts"][1]:
        amounts = [float(r[c]) for c in ("arr_start", "expansion", "contraction", "churn", "arr_end")]
        status = _renewal_status(r)
        renewal = _renewal_date(r, variant)
        if variant == "xlsx":
            money = [a if a or i in (0, 1, 4) else None for i, a in enumerate(amounts)]
            renewal_cell = datetime.combine(date.fromisoformat(renewal), datetime.min.time()) if renewal else None
            nps = int(r["nps"]) if r["nps"] else None
        else:
            money = [style.money(a, zero="-" if i % 2 else "") for i, a in enumerate(amounts)]
            renewal_cell, nps = style.date(renewal), r["nps"]
        out.append((r["quarter"], [_account_name(r["account_id"]), r["account_id"], style.name(names[r["csm_id"]]),
                                   _period(r["quarter"], variant), r["segment"], *money, renewal_cell, status, nps,
                                   HEALTH_RAG[r["health"]]]))
    return out


def _renewal_status(r: dict[str, str]) -> str:
    due, renewed = r["renewal_due"] == "yes", r["renewed"] == "yes"
    if renewed and not due:
        raise ValueError(f"{r['account_id']} {r['quarter']}: renewed without a renewal due has no CRM status")
    if not due:
        return ""
    if not renewed:
        return "Churned"
    return "Downgraded" if float(r["contraction"]) else "Renewed"


def _renewal_date(r: dict[str, str], variant: str) -> str:
    """A renewal falls in the middle month of its quarter (fiscal or calendar); blank when none is due."""
    if r["renewal_due"] != "yes":
        return ""
    first, _ = _calendar_bounds(r["quarter"])
    first = _add_months(first, 1) if variant == "fiscal" else first
    return _add_months(first, 1).replace(day=10 + int(r["account_id"][-2:]) % 15).isoformat()


def _period(quarter: str, variant: str) -> str:
    if variant == "fiscal":
        return f"FY{int(quarter[2:4]) + 1} Q{quarter[5]}"
    return f"Q{quarter[5]} {quarter[:4]}"


def _write_crm(out: Path, facts, variant: str, style: _Style) -> None:
    rows = _crm_rows(facts, variant, style)
    if variant == "xlsx":
        _write_crm_workbook(out / "Account Report.xlsx", [row for _, row in rows])
    elif variant in ("glob", "glob_name"):
        (out / "crm").mkdir(exist_ok=True)
        for quarter in QUARTERS:
            these = [row for q, row in rows if q == quarter]
            if variant == "glob":
                _write_export(out / "crm" / f"Account Report {quarter[:4]}-Q{quarter[5]}.csv", CRM_HEADER, these, style)
            else:
                keep = [i for i, h in enumerate(CRM_HEADER) if h != "Fiscal Period"]
                _write_export(out / "crm" / f"accounts_{quarter}.csv", [CRM_HEADER[i] for i in keep],
                              [[row[i] for i in keep] for row in these], style)
    else:
        _write_export(out / "Account Report.csv", CRM_HEADER, [row for _, row in rows], style)


def _write_crm_workbook(path: Path, rows: list[list]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["Account report", "generated by the CRM"])
    summary.append(["Accounts", len({row[1] for row in rows})])
    sheet = book.create_sheet("Account Report")
    sheet.append(["Account Report: CSM book of business"])
    sheet.append(["Filtered by: Fiscal Period = FY2026"])
    sheet.append(CRM_HEADER)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=4):
        for cell in cells[5:10]:
            cell.number_format = '"$"#,##0.00'
        cells[10].number_format = "mm/dd/yyyy"
    _save(book, path)


def _write_roster(out: Path, facts, style: _Style, *, with_segment: bool) -> None:
    csms = {c[0]: c for c in CSMS}
    people = []
    for r in facts["roster"][1]:
        profile = csms[r["csm_id"]][7] if r["csm_id"] in csms else CSM_PROFILES[0]
        people.append((r["csm_id"], r["name"], profile, r["segment"], float(r["annual_base"]),
                       float(r["annual_variable"]), r["start_date"], r["end_date"]))
    people += [(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]) for p in OTHERS]
    rows = [[p[0], p[1], p[2], p[3], style.salary(p[4]), style.salary(p[5]), style.date(p[6]), style.date(p[7])]
            for p in sorted(people)]
    header = ROSTER_HEADER
    if not with_segment:
        header = [h for h in ROSTER_HEADER if h != "Segment"]
        rows = [row[:3] + row[4:] for row in rows]
    _write_export(out / "Workers.csv", header, rows, style)


def _payroll_rows(facts, variant: str) -> list[tuple[date, str, str, str, str, float]]:
    """Monthly salary (REG) for everyone employed, and each quarter's pay lines the month after it closes."""
    people = [(r["csm_id"], r["name"], float(r["annual_base"]), r["start_date"], r["end_date"])
              for r in facts["roster"][1]]
    people += [(p[0], p[1], p[4], p[6], p[7]) for p in OTHERS]
    names = {p[0]: p[1] for p in people}
    first_month = date(2026, 2, 1) if variant == "fiscal" else date(2026, 1, 1)
    rows = []
    for m in range(13):
        month_end = _add_months(first_month, m + 1) - timedelta(days=1)
        for csm, name, base, start, end in people:
            hired_later = start and date.fromisoformat(start) > month_end
            gone = end and date.fromisoformat(end) < month_end.replace(day=1)
            if hired_later or gone:
                continue
            rows.append((month_end, csm, name, "REG", "Regular Salary", round(base / 12, 2)))
    for r in facts["payouts"][1]:
        first, last = _calendar_bounds(r["quarter"])
        if variant == "fiscal":
            last = _add_months(first, 4) - timedelta(days=1)
        code, text = COMPONENT_CODES[r["component"]]
        pay_month = _add_months(last.replace(day=1), 1)
        # a clawback is taken on the month's last payroll, bonuses and SPIFFs on the 15th
        pay = _add_months(pay_month, 1) - timedelta(days=1) if code == "CLAW" else pay_month.replace(day=15)
        rows.append((pay, r["csm_id"], names[r["csm_id"]], code, text, float(r["amount"])))
    return sorted(rows)


def _write_payroll(out: Path, facts, variant: str, style: _Style) -> None:
    rows = _payroll_rows(facts, variant)
    if variant == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "Earnings"
        sheet.append(PAYROLL_HEADER)
        for pay, *rest, amount in rows:
            sheet.append([datetime.combine(pay, datetime.min.time()), *rest, amount])
        for cells in sheet.iter_rows(min_row=2):
            cells[0].number_format = "mm/dd/yyyy"
            cells[5].number_format = "#,##0.00"
        _save(book, out / "Payroll Earnings 2026.xlsx")
        return
    _write_export(out / "Payroll Earnings 2026.csv", PAYROLL_HEADER,
                  [[style.date(pay.isoformat()), *rest, style.number(amount)] for pay, *rest, amount in rows], style)


# --- the maps ----------------------------------------------------------------------------------

_ACCOUNT_COLUMNS = """\
      account_id: Account ID
      csm_id: {column: CSM Owner, match: name, aliases: {"Kate O'Neill": E1005}}
      segment: Segment
      arr_start: Beginning ARR
      expansion: Upsell ARR
      contraction: Downsell
      churn: Churned ARR
      arr_end: Ending ARR
      renewal_due: {column: Renewal Status, values: {Renewed: yes, Churned: yes, Downgraded: yes, "": no}}
      renewed: {column: Renewal Status, values: {Renewed: yes, Downgraded: yes, Churned: no, "": no}}
      nps: NPS Score
      health: {column: Health Score, values: {Green: 85, Yellow: 60, Red: 30}}
"""


def _roster_table(dates: str, *, encoding: str = "auto", segment: str = "Segment", numbers: str = "1,234.56") -> str:
    return f"""\
  roster:
    files: Workers.csv
    encoding: {encoding}
    numbers: "{numbers}"
    dates: {dates}
    rows:
      keep: {{column: Job Profile, in: [Customer Success Manager, Senior Customer Success Manager]}}
    columns:
      csm_id: Employee ID
      name: Worker
      segment: {segment}
      annual_base: Annual Base Salary
      annual_variable: Annual Target Incentive
      start_date: Hire Date
      end_date: Termination Date
"""


def _payouts_table(files: str, dates: str, extra: str = "", numbers: str = "1,234.56") -> str:
    return f"""\
  payouts:
    files: {files}
{extra}    numbers: "{numbers}"
    dates: {dates}
    rows:
      keep: {{column: Earnings Code, in: [QBON, SPIF, CLAW]}}
    columns:
      quarter: {{column: Pay Date, from: date, paid_months_after: 1}}
      csm_id: Employee ID
      amount: Amount
      component: {{column: Earnings Code, values: {{QBON: bonus, SPIF: spiff, CLAW: clawback}}}}
"""


def _accounts_table(files: str, quarter: str, extra: str = "", numbers: str = "1,234.56") -> str:
    return f"""\
  accounts:
    files: {files}
{extra}    numbers: "{numbers}"
    zero: ["-", ""]
    columns:
      quarter: {quarter}
{_ACCOUNT_COLUMNS}"""


_HEAD = "# The data map: which export feeds which cscomp table (see docs/data.md).\nversion: 1\n"
MAPS = {
    "us": _HEAD + "tables:\n"
    + _accounts_table("Account Report.csv", "Fiscal Period", "    encoding: cp1252\n")
    + _roster_table("MM/DD/YYYY", encoding="cp1252")
    + _payouts_table("Payroll Earnings 2026.csv", "MM/DD/YYYY", "    encoding: cp1252\n"),
    "eu": _HEAD + "tables:\n"
    + _accounts_table("Account Report.csv", "Fiscal Period", '    delimiter: ";"\n', numbers="1.234,56")
    + _roster_table("DD.MM.YYYY", segment="{value: All}", numbers="1.234,56")
    + _payouts_table("Payroll Earnings 2026.csv", "DD.MM.YYYY", '    delimiter: ";"\n', numbers="1.234,56"),
    "xlsx": _HEAD + "tables:\n"
    + _accounts_table("Account Report.xlsx", "Fiscal Period", "    sheet: Account Report\n    header_row: 3\n",
                      numbers="auto")
    + _roster_table("MM/DD/YYYY")
    + _payouts_table("Payroll Earnings 2026.xlsx", "auto", "    sheet: Earnings\n"),
    "glob": _HEAD + "tables:\n"
    + _accounts_table('"crm/Account Report *.csv"', "Fiscal Period")
    + _roster_table("MM/DD/YYYY")
    + _payouts_table("Payroll Earnings 2026.csv", "MM/DD/YYYY"),
    "glob_name": _HEAD + "tables:\n"
    + _accounts_table("crm/accounts_*.csv", "{file_name: quarter}")
    + _roster_table("MM/DD/YYYY")
    + _payouts_table("Payroll Earnings 2026.csv", "MM/DD/YYYY"),
    "fiscal": _HEAD + "fiscal_year:\n  first_month: February\n  named_for: end\ntables:\n"
    + _accounts_table("Account Report.csv", "Fiscal Period")
    + _roster_table("MM/DD/YYYY")
    + _payouts_table("Payroll Earnings 2026.csv", "MM/DD/YYYY"),
}

# The fiscal truth: canonical files, FY labels; the map only declares the fiscal year (and, since the
# design has no "columns: same as canonical", names every column as itself). Needs the calendar work.
FISCAL_TRUTH_MAP = """\
version: 1
fiscal_year: {first_month: 2, named_for: end}
tables:
  accounts:
    files: accounts.csv
    columns: {quarter: quarter, account_id: account_id, csm_id: csm_id, segment: segment, arr_start: arr_start,
              expansion: expansion, contraction: contraction, churn: churn, arr_end: arr_end,
              renewal_due: renewal_due, renewed: renewed, nps: nps, health: health}
  roster:
    files: roster.csv
    columns: {csm_id: csm_id, name: name, segment: segment, annual_base: annual_base,
              annual_variable: annual_variable, start_date: start_date, end_date: end_date}
  payouts:
    files: payouts.csv
    columns: {quarter: quarter, csm_id: csm_id, amount: amount, component: component}
"""


# --- small helpers -----------------------------------------------------------------------------


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write_export(path: Path, header: list[str], rows: list[list], style: _Style) -> None:
    """An export as its system writes it: the variant's delimiter, encoding and line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style.delimiter, lineterminator=style.newline)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(style.encoding))


def _save(book, path: Path) -> None:
    fixed = datetime(2027, 1, 5, 9, 0, 0)
    book.properties.created = book.properties.modified = fixed
    book.save(path)


def _account_name(account_id: str) -> str:
    return ACCOUNT_NAMES[(int(account_id[4:]) - 1001) % len(ACCOUNT_NAMES)]


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def _plain(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
