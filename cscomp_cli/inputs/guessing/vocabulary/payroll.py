"""Payroll providers: the headers of their default earnings / pay-register exports, one row per earning."""

from cscomp_cli.inputs.guessing.vocabulary.tool_headers import ToolHeaders as T

TOOLS = [
    # ADP Workforce Now earnings (no documented export list found by search: ADP's payroll register labels).
    T("ADP", "payouts", {
        "csm_id": ["Associate ID", "File Number", "Position ID", "~Employee Name"],
        "_pay_date": ["Pay Date", "Check Date"],
        "amount": ["Earnings Amount", "~Amount", "~Gross Pay"],
        "component": ["Earnings Code", "Earning Code"],
        "_description": ["Earnings Description", "Earnings Code Description"],
    }, "no documented export list found; ADP Workforce Now payroll register labels"),
    # Gusto payroll journal (check date, employee, earnings): https://support.gusto.com/article/101334493100000/View-and-download-reports
    T("Gusto", "payouts", {
        "csm_id": ["Gusto employee ID", "Employee ID", "~Employee"],
        "_pay_date": ["Check date", "Pay date"],
        "amount": ["~Amount", "~Gross earnings", "Bonus"],
        "component": ["Earning type", "Earnings type", "Pay type"],
        "_description": ["Description", "Memo"],
    }, "https://support.gusto.com/article/101334493100000/View-and-download-reports"),
    # Rippling payroll (no documented export list found by search: Rippling's earnings report labels;
    # it writes the employee as "Last, First").
    T("Rippling", "payouts", {
        "csm_id": ["Employee ID", "~Employee", "~Employee name", "~Name"],
        "_pay_date": ["Pay date", "Check date", "Payment date"],
        "amount": ["~Amount", "Earning amount", "Gross amount"],
        "component": ["Earning type", "Earning code", "Pay type"],
        "_description": ["Earning description", "Description", "Memo"],
    }, "no documented export list found; Rippling's earnings report labels"),
    # Paychex export (Company ID, Worker ID, Job Number, Pay Component):
    # https://docs.restaurant365.com/docs/paychex-payroll-alternate-export.md
    T("Paychex", "payouts", {
        "csm_id": ["Worker ID", "Employee ID"],
        "_pay_date": ["Check Date", "Pay Date"],
        "amount": ["~Amount", "Pay Component Amount"],
        "component": ["Pay Component", "Earning"],
    }, "https://docs.restaurant365.com/docs/paychex-payroll-alternate-export.md"),
    # Paylocity earnings (no documented export list found by search: Paylocity's pay register labels).
    T("Paylocity", "payouts", {
        "csm_id": ["Employee Id", "Emp Id"],
        "_pay_date": ["Check Date", "Pay Date"],
        "amount": ["~Amount", "Earnings Amount"],
        "component": ["Earnings Code", "Det Code"],
        "_description": ["Earnings Description", "Det Description"],
    }, "no documented export list found; Paylocity's pay register labels"),
    # Deel gross-to-net report (Employee ID, Employee Name, Country, Pay Period, Gross Salary, ..., Currency):
    # https://developer.deel.com/api/endpoints/reports
    T("Deel", "payouts", {
        "csm_id": ["Employee ID", "~Employee Name", "~Contractor Name"],
        "_pay_date": ["Payment Date", "Paid Date", "~Pay Period"],
        "amount": ["~Amount", "~Gross Salary", "Bonus"],
        "component": ["Payment Type", "Item Type", "Adjustment Type", "~Item"],
        "_description": ["Description", "Adjustment Description"],
        "currency": ["Currency"],
    }, "https://developer.deel.com/api/endpoints/reports"),
]
