"""HR systems: the headers of their default worker / employee reports, and of a compensation-history
report (one row per change: effective date, base, target incentive, currency, reason)."""

from cscomp_cli.inputs.guessing.vocabulary.tool_headers import ToolHeaders as T

TOOLS = [
    # Workday worker fields (Employee ID, Worker, Business Title, Primary Work Email, Supervisory
    # Organization, Hire Date, Termination Date): https://docs.workato.com/connectors/workday-rest/new-worker-trigger.html
    T("Workday", "roster", {
        "csm_id": ["Employee ID", "Worker ID", "Employee_ID"],
        "name": ["Worker", "Legal Name", "Preferred Name", "~Name"],
        "_first": ["Legal First Name", "Preferred First Name", "First Name"],
        "_last": ["Legal Last Name", "Preferred Last Name", "Last Name"],
        "email": ["Primary Work Email", "Work Email", "Email - Primary Work"],
        "team": ["Supervisory Organization", "Cost Center", "~Department"],
        "_profile": ["Business Title", "Job Profile", "Job Title"],
        "start_date": ["Hire Date", "Original Hire Date", "Continuous Service Date"],
        "end_date": ["Termination Date"],
        "annual_base": ["Annual Base Salary", "Total Base Pay Annualized", "Base Pay"],
        "annual_variable": ["Annual Target Incentive", "Target Bonus Amount", "Bonus Target Amount"],
        "currency": ["Currency", "Total Base Pay Annualized - Currency", "Pay Currency"],
    }, "https://docs.workato.com/connectors/workday-rest/new-worker-trigger.html"),
    # Workday compensation history (Compensation Change report: effective date, reason, amounts).
    T("Workday", "history", {
        "csm_id": ["Employee ID", "Worker ID"],
        "effective_date": ["Effective Date", "Compensation Effective Date"],
        "annual_base": ["Total Base Pay Annualized", "Annual Base Salary", "Base Pay", "~Base"],
        "annual_variable": ["Annual Target Incentive", "Target Bonus Amount", "Target Incentive", "~Target"],
        "currency": ["Currency"],
        "_reason": ["Reason", "Compensation Change Reason", "Business Process Reason"],
    }, "https://docs.workato.com/connectors/workday-rest/new-worker-trigger.html"),
    # BambooHR employee fields (First name, Last name, Employee ID, Employee number, Job title,
    # Department): https://docs.workato.com/connectors/bamboo-hr/new-employee-trigger.html ; the default
    # report writes "Employee #" for the employee number.
    T("BambooHR", "roster", {
        "csm_id": ["Employee #", "Employee Number", "Employee ID", "EEID"],
        "name": ["Display Name", "Full Name", "~Name", "Employee Name"],
        "_first": ["First Name", "Preferred Name"],
        "_last": ["Last Name"],
        "email": ["Work Email", "Email"],
        "team": ["Department", "Division", "Team"],
        "_profile": ["Job Title"],
        "start_date": ["Hire Date", "Original Hire Date"],
        "end_date": ["Termination Date"],
        "annual_base": ["Pay Rate", "Annual Salary", "Salary"],
        "annual_variable": ["Bonus Target", "Target Bonus", "Variable Pay Target"],
        "currency": ["Pay Rate - Currency", "Currency"],
    }, "https://docs.workato.com/connectors/bamboo-hr/new-employee-trigger.html"),
    # BambooHR compensation table (Effective Date, Pay Rate, Pay Type, Change Reason).
    T("BambooHR", "history", {
        "csm_id": ["Employee #", "Employee Number", "Employee ID"],
        "effective_date": ["Effective Date", "Compensation: Date"],
        "annual_base": ["Pay Rate", "Compensation: Pay rate", "~Base"],
        "annual_variable": ["Bonus Target", "Target Bonus", "Annual Target Bonus", "~Target"],
        "currency": ["Currency"],
        "_reason": ["Change Reason", "Reason", "Compensation: Change Reason"],
    }, "https://docs.workato.com/connectors/bamboo-hr/new-employee-trigger.html"),
    # HiBob employee fields (employee_number, first_name, last_name, display_full_name, job_title,
    # work_email, start_date, termination_date): https://docs.kombo.dev/hris/connectors/hibob
    T("HiBob", "roster", {
        "csm_id": ["Employee ID", "Employee Number", "Employee ID in company"],
        "name": ["Display name", "Full name", "~Name"],
        "_first": ["First name"],
        "_last": ["Last name", "Surname"],
        "email": ["Email", "Work email"],
        "team": ["Department", "Team"],  # not Site: a place, not a team
        "_profile": ["Job title", "Title"],
        "start_date": ["Start date", "Original start date"],
        "end_date": ["Termination date", "Leave date"],
        "annual_base": ["Base salary", "Salary"],
        "annual_variable": ["Variable pay", "Variable"],
        "currency": ["Currency", "Salary currency"],
    }, "https://docs.kombo.dev/hris/connectors/hibob"),
    # Personio (no documented export list found by search: Personio's default employee attribute labels).
    T("Personio", "roster", {
        "csm_id": ["ID", "Employee ID", "Personnel number"],
        "name": ["~Name"],
        "_first": ["First name"],
        "_last": ["Last name"],
        "email": ["Email"],
        "team": ["Department", "Team"],
        "_profile": ["Position"],
        "start_date": ["Hire date"],
        "end_date": ["Termination date", "Contract ends"],
        "annual_base": ["Fix salary", "Salary"],
        "annual_variable": ["Variable salary", "Variable"],
        "currency": ["Currency"],
    }, "no documented export list found; Personio's employee attribute labels"),
    # Rippling people report (no documented export list found by search: Rippling's report column labels).
    T("Rippling", "roster", {
        "csm_id": ["Employee ID", "Employee number", "Rippling ID"],
        "name": ["Full name", "Legal name", "Employee", "~Name"],
        "_first": ["First name", "Legal first name"],
        "_last": ["Last name", "Legal last name"],
        "email": ["Work email"],
        "team": ["Department", "Team"],
        "_profile": ["Title", "Job title"],
        "start_date": ["Start date"],
        "end_date": ["End date", "Termination date"],
        "annual_base": ["Annual salary", "Salary"],
        "annual_variable": ["Target bonus", "Variable compensation", "Variable Compensation Target"],
        "currency": ["Currency", "Pay currency"],
    }, "no documented export list found; Rippling's report column labels"),
    # Gusto employee summary report (employee demographics, workplace, earnings rates):
    # https://help.checkhq.com/company-setup/4Msp39koQmdNe2ZLikA1r3/gusto-extraction-and-required-data-guide/7kC1onfZV9e6EfuAzQzWF7
    T("Gusto", "roster", {
        "csm_id": ["Gusto employee ID", "Employee ID"],
        "name": ["Employee", "~Name"],
        "_first": ["First name", "first_name"],
        "_last": ["Last name", "last_name"],
        "email": ["Work email", "Email"],
        "team": ["Department"],
        "_profile": ["Job title", "title"],
        "start_date": ["Hire date", "Start date"],
        "end_date": ["Dismissal date", "Termination date"],
        "annual_base": ["Annual salary", "Compensation"],
    }, "https://help.checkhq.com/company-setup/4Msp39koQmdNe2ZLikA1r3/gusto-extraction-and-required-data-guide/"
       "7kC1onfZV9e6EfuAzQzWF7"),
]
