"""Write the sample org (accounts.csv, roster.csv, payouts.csv beside this file) as the three raw
exports a real CS org has, in sample_data/exports/, with no data map: `cscomp init` guesses it.

    python sample_data/generate_exports.py            # writes sample_data/exports/
    python sample_data/generate_exports.py --out DIR

- CRM Account Report.csv (UTF-8): account names, the owner as a person's name, "Q1 2025" periods,
  money as "$230,200.00" with "-" for no movement, Renewal Status words, numeric health and risk.
- HR Workers.csv (Windows-1252, CRLF, as Excel saves it): everyone in the org, not only CSMs, with
  "USD 142,000" salaries, US dates, a hire date for everyone, and the raise as rows for its periods.
- Payroll Earnings.csv (UTF-8): monthly salary (REG) for everyone employed, one quarterly bonus line
  (QBON, the plan's components summed) per CSM-quarter paid on the 15th of the month after the
  quarter, and the payments outside the plan: SPIF, DISC, CLAW (a clawback on the month's last day).

Deterministic: it only reads the canonical files, so `cscomp init` then `cscomp stress-test` on the
exports pays what `cscomp stress-test` on sample_data pays, to the cent (tests/test_init_end_to_end.py).
"""

from __future__ import annotations

import argparse
import csv
import io
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
CRM, HR, PAYROLL = "CRM Account Report.csv", "HR Workers.csv", "Payroll Earnings.csv"

CRM_HEADER = ["Account Name", "Account ID", "CSM Owner", "Fiscal Period", "Segment", "Beginning ARR", "Upsell ARR",
              "Cross-sell ARR", "Downsell", "Churned ARR", "Ending ARR", "Renewal Date", "Renewal Status",
              "NPS Score", "Health Score", "Risk Score"]
HR_HEADER = ["Employee ID", "Worker", "Job Profile", "Segment", "Team", "Period", "Annual Base Salary",
             "Annual Target Incentive", "Hire Date", "Termination Date"]
PAYROLL_HEADER = ["Pay Date", "Employee ID", "Employee Name", "Earnings Code", "Earnings Description", "Amount"]
# Payments outside the plan in force: canonical component -> payroll earnings code and description.
CODES = {"": ("QBON", "Quarterly Bonus"), "spiff": ("SPIF", "Spot Incentive"),
         "discretionary": ("DISC", "Discretionary Bonus"), "clawback": ("CLAW", "Commission Clawback")}
# People in HR and payroll who are not CSMs (no accounts, no quarterly bonus).
OTHERS = [
    ("C31", "Renée Beaumont", "VP Customer Success", "", "CS Leadership", 215000, 64500, "2017-09-04"),
    ("C32", "Tomás Ibáñez", "Solutions Engineer", "Enterprise", "Presales", 138000, 21000, "2021-02-15"),
    ("C33", "Siobhán Kelly", "Account Executive", "Mid-Market", "Sales MM", 104000, 104000, "2023-05-08"),
    ("C34", "Jürgen Weiß", "CS Operations Analyst", "", "CS Ops", 86000, 8600, "2022-11-14"),
]
PREFIXES = ["Acme", "Blue Harbor", "Cedar", "Delta", "Evergreen", "Fjord", "Granite", "Helios", "Ironclad", "Juniper",
            "Kestrel", "Lumen", "Müller", "Northwind", "Orchid", "Pioneer", "Quartz", "Redwood", "Summit", "Tidewater",
            "Umbra", "Vantage", "Willow", "Xenon", "Yellowstone", "Zephyr", "Café Olé", "Brightpath", "Copperline"]
SUFFIXES = ["Robotics", "Foods", "Analytics", "Freight", "Health", "Maritime", "Insurance", "Solar", "Security",
            "Retail", "Aviation", "Media", "Logistik GmbH", "Traders", "Biotech", "Mutual", "Labs", "Capital",
            "Outdoor", "Energy", "Design", "Telecom", "Schools", "Motors", "& Co", "Airlines", "Ltd"]


def write_exports(sample: Path = HERE, out: Path | None = None) -> Path:
    """Write the three exports of the sample org in sample (its canonical CSVs) into out."""
    sample = Path(sample)
    out = Path(out) if out is not None else sample / "exports"
    out.mkdir(parents=True, exist_ok=True)
    accounts, roster, payouts = (_read(sample / f"{name}.csv") for name in ("accounts", "roster", "payouts"))
    names = {r["csm_id"]: r["name"] for r in roster}
    _write(out / CRM, CRM_HEADER, [_crm_row(r, names) for r in accounts], encoding="utf-8", newline="\n")
    _write(out / HR, HR_HEADER, _hr_rows(roster), encoding="cp1252", newline="\r\n")
    _write(out / PAYROLL, PAYROLL_HEADER, _payroll_rows(roster, payouts), encoding="utf-8", newline="\n")
    return out


# --- the CRM account report --------------------------------------------------------------------


def _crm_row(r: dict[str, str], names: dict[str, str]) -> list[str]:
    number = int(r["account_id"][1:])
    return [_account_name(number), r["account_id"], names[r["csm_id"]], f"Q{r['quarter'][5]} {r['quarter'][:4]}",
            r["segment"], _money(r["arr_start"], "$0.00"), _money(r["expansion"]), _money(r["cross_sell"]),
            _money(r["contraction"]), _money(r["churn"]), _money(r["arr_end"], "$0.00"), _renewal_date(r, number),
            _status(r), r["nps"], r["health"], r["risk"]]


def _account_name(number: int) -> str:
    return f"{PREFIXES[number % len(PREFIXES)]} {SUFFIXES[(number // len(PREFIXES)) % len(SUFFIXES)]}" + (
        f" {number // (len(PREFIXES) * len(SUFFIXES)) + 1}" if number >= len(PREFIXES) * len(SUFFIXES) else "")


def _money(cell: str, zero: str = "-") -> str:
    value = float(cell)
    return zero if value == 0 else ("-" if value < 0 else "") + f"${abs(value):,.2f}"


def _status(r: dict[str, str]) -> str:
    """The CRM's word for the renewal: blank when none fell due; a renewal at a lower ARR is Downgraded."""
    if r["renewal_due"] != "yes":
        return ""
    if r["renewed"] != "yes":
        return "Churned"
    return "Downgraded" if float(r["contraction"]) else "Renewed"


def _renewal_date(r: dict[str, str], number: int) -> str:
    if r["renewal_due"] != "yes":
        return ""
    year, q = int(r["quarter"][:4]), int(r["quarter"][5])
    return _us(date(year, 3 * q - 1, 1 + number % 28).isoformat())


# --- the HR roster -----------------------------------------------------------------------------


def _hr_rows(roster: list[dict[str, str]]) -> list[list[str]]:
    rows = []
    for r in roster:
        number = int(r["csm_id"][1:])
        period = f"Q{r['quarter'][5]} {r['quarter'][:4]}" if r["quarter"] else ""
        rows.append([r["csm_id"], r["name"], _profile(r), r["segment"], r["team"], period, _salary(r["annual_base"]),
                     _salary(r["annual_variable"]), _us(r["start_date"] or _hire_date(number)), _us(r["end_date"])])
    for csm_id, name, profile, segment, team, base, variable, hired in OTHERS:
        rows.append([csm_id, name, profile, segment, team, "", _salary(base), _salary(variable), _us(hired), ""])
    return sorted(rows, key=lambda row: (row[0], row[5] != "", row[5][-4:], row[5][:2]))


def _profile(r: dict[str, str]) -> str:
    if r["csm_id"].startswith("M"):  # the player-coach team managers (they own a few accounts too)
        return "Customer Success Team Manager"
    return "Senior Customer Success Manager" if r["segment"] == "Enterprise" else "Customer Success Manager"


def _hire_date(number: int) -> str:
    """Everyone has a hire date in HR: before the history for the CSMs the sample org has no date for."""
    return date(2017 + number % 7, 1 + (number * 5) % 12, 1 + (number * 7) % 28).isoformat()


def _salary(cell) -> str:
    return f"USD {float(cell):,.0f}"


def _us(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%m/%d/%Y") if iso else ""


# --- the payroll earnings ----------------------------------------------------------------------


def _payroll_rows(roster: list[dict[str, str]], payouts: list[dict[str, str]]) -> list[list[str]]:
    people = {r["csm_id"]: r for r in roster if not r["quarter"]}
    raises = {(r["csm_id"], r["quarter"]): float(r["annual_base"]) for r in roster if r["quarter"]}
    everyone = [(c, r["name"], float(r["annual_base"]), r["start_date"], r["end_date"]) for c, r in people.items()]
    everyone += [(o[0], o[1], float(o[5]), o[7], "") for o in OTHERS]
    names = {person[0]: person[1] for person in everyone}
    quarters = sorted({p["quarter"] for p in payouts})
    rows = []
    first = _quarter_start(quarters[0])
    for m in range(3 * len(quarters)):
        start = _add_months(first, m)
        end = _add_months(start, 1) - timedelta(days=1)
        label = f"{start.year}Q{(start.month - 1) // 3 + 1}"
        for csm_id, name, base, hired, left in everyone:
            if (hired and date.fromisoformat(hired) > end) or (left and date.fromisoformat(left) < start):
                continue
            monthly = raises.get((csm_id, label), base) / 12
            rows.append((end, csm_id, name, "REG", "Regular Salary", round(monthly * 100)))
    # One bonus line per CSM-quarter (the plan's components summed, in cents), the rest line by line.
    bonus: dict[tuple[str, str], int] = {}
    for p in payouts:
        cents = round(float(p["amount"]) * 100)
        if p["component"] in CODES:
            rows.append(_pay_line(p["quarter"], p["csm_id"], names, p["component"], cents))
        else:
            bonus[(p["quarter"], p["csm_id"])] = bonus.get((p["quarter"], p["csm_id"]), 0) + cents
    rows += [_pay_line(quarter, csm_id, names, "", cents) for (quarter, csm_id), cents in bonus.items()]
    rows.sort(key=lambda row: (row[0], row[1], row[3]))
    return [[_us(day.isoformat()), csm_id, name, code, text, f"{cents / 100:,.2f}"]
            for day, csm_id, name, code, text, cents in rows]


def _pay_line(quarter: str, csm_id: str, names: dict[str, str], component: str, cents: int) -> tuple:
    """A quarter's pay: the 15th of the month after it closes; a clawback on that month's last payroll."""
    code, text = CODES[component]
    month = _add_months(_quarter_start(quarter), 3)
    day = _add_months(month, 1) - timedelta(days=1) if code == "CLAW" else month.replace(day=15)
    return (day, csm_id, names[csm_id], code, text, cents)


def _quarter_start(label: str) -> date:
    return date(int(label[:4]), 3 * int(label[5]) - 2, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


# --- files -------------------------------------------------------------------------------------


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, header: list[str], rows: list[list[str]], *, encoding: str, newline: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "exports", help="folder to write into")
    args = parser.parse_args(argv)
    out = write_exports(HERE, args.out)
    print(f"wrote {out}: {CRM}, {HR}, {PAYROLL} (no data map: run `cscomp init {out}`)")


if __name__ == "__main__":
    main()
