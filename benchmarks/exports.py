"""The benchmark org written as a CRM, HR and payroll would export it, with the data map that reads it.

`python benchmarks/run.py` times loading this folder through the map against loading the canonical
one, and checks that both replay to the same cent: the map is a translation, never a second engine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

MAP = """\
version: 1
tables:
  accounts:
    files: Account Report.csv
    numbers: "1,234.56"
    zero: ["-", ""]
    columns:
      quarter: Fiscal Period
      account_id: Account ID
      csm_id: CSM Owner
      segment: Segment
      arr_start: Beginning ARR
      expansion: Upsell ARR
      cross_sell: Cross-sell ARR
      contraction: Downsell
      churn: Churned ARR
      renewal_due: {column: Renewal Status, values: {Renewed: yes, Churned: yes, "": no}}
      renewed: {column: Renewal Status, values: {Renewed: yes, Churned: no, "": no}}
      nps: NPS Score
      health: Health Score
      risk: Risk Score
      csat: CSAT Score
      churn_reason: Churn Reason
  roster:
    files: Workers.csv
    numbers: "1,234.56"
    columns:
      csm_id: Employee ID
      quarter: Quarter
      name: Worker
      segment: Segment
      team: Team
      annual_base: Annual Base Salary
      annual_variable: Annual Target Incentive
      start_date: Hire Date
      end_date: Termination Date
  payouts:
    files: Payroll Earnings.csv
    numbers: "1,234.56"
    columns:
      quarter: Period
      csm_id: Employee ID
      amount: Amount
      component: Earnings Code
  quotas:
    files: Quotas.csv
    columns:
      quarter: Quarter
      csm_id: Employee ID
      component: Component
      target: Quota
"""


def _money(cells: pd.Series) -> pd.Series:
    """$1,234.00 as a CRM writes it, '-' for zero."""
    values = cells.astype(float)
    text = "$" + values.map("{:,.2f}".format)
    return text.where(values != 0, "-")


def _label(quarters: pd.Series) -> pd.Series:
    return "Q" + quarters.str[5] + " " + quarters.str[:4]  # 2025Q1 -> Q1 2025


def write_exports(canonical: Path, out: Path) -> Path:
    """The canonical benchmark folder as raw exports in ``out`` (written once; it takes a while)."""
    out.mkdir(parents=True, exist_ok=True)
    read = lambda name: pd.read_csv(canonical / name, dtype=str, keep_default_na=False)  # noqa: E731
    accounts = read("accounts.csv")
    due, renewed = accounts["renewal_due"] == "yes", accounts["renewed"] == "yes"
    pd.DataFrame({
        "Account ID": accounts["account_id"], "CSM Owner": accounts["csm_id"],
        "Fiscal Period": _label(accounts["quarter"]), "Segment": accounts["segment"],
        "Beginning ARR": _money(accounts["arr_start"]), "Upsell ARR": _money(accounts["expansion"]),
        "Cross-sell ARR": _money(accounts["cross_sell"]), "Downsell": _money(accounts["contraction"]),
        "Churned ARR": _money(accounts["churn"]),
        "Renewal Status": np.where(due, np.where(renewed, "Renewed", "Churned"), ""),
        "NPS Score": accounts["nps"], "Health Score": accounts["health"], "Risk Score": accounts["risk"],
        # the extra columns benchmarks/plan_all.yaml's custom metrics read, as the CRM names them
        "CSAT Score": accounts["csat"], "Churn Reason": accounts["churn_reason"],
    }).to_csv(out / "Account Report.csv", index=False)
    roster = read("roster.csv")
    pd.DataFrame({
        "Employee ID": roster["csm_id"], "Quarter": roster["quarter"], "Worker": roster["name"],
        "Segment": roster["segment"], "Team": roster["team"],
        "Annual Base Salary": "USD " + roster["annual_base"].astype(float).map("{:,.2f}".format),
        "Annual Target Incentive": "USD " + roster["annual_variable"].astype(float).map("{:,.2f}".format),
        "Hire Date": roster["start_date"], "Termination Date": roster["end_date"],
    }).to_csv(out / "Workers.csv", index=False)
    payouts = read("payouts.csv")
    pd.DataFrame({"Period": _label(payouts["quarter"]), "Employee ID": payouts["csm_id"],
                  "Amount": payouts["amount"].astype(float).map("{:,.2f}".format),
                  "Earnings Code": payouts["component"]}).to_csv(out / "Payroll Earnings.csv", index=False)
    quotas = read("quotas.csv")
    pd.DataFrame({"Quarter": quotas["quarter"], "Employee ID": quotas["csm_id"], "Component": quotas["component"],
                  "Quota": quotas["target"]}).to_csv(out / "Quotas.csv", index=False)
    (out / "cscomp-data.yaml").write_text(MAP, encoding="utf-8")
    return out
