"""CRM and customer-success tools: the headers of their default account / company exports.

A "~" marks a weak header: a generic word whose cells must agree before it is taken (an `Owner` column
holding e-mails or names is a CSM; one holding ids is a CSM only when they are the roster's).
"""

from cscomp_cli.inputs.guessing.vocabulary.tool_headers import ToolHeaders as T

TOOLS = [
    # Salesforce Account standard fields (labels as a report exports them):
    # https://developer.salesforce.com/docs/atlas.en-us.244.0.sfFieldRef.meta/sfFieldRef/salesforce_field_reference_Account.htm
    T("Salesforce", "accounts", {
        "account_id": ["Account ID", "Account Number", "18 Digit Account ID", "Account ID (18)"],
        "csm_id": ["Customer Success Manager", "CSM", "CSM Name", "~Account Owner", "~Account Owner Email",
                   "~Owner", "~Owner Email", "~Account Owner: Full Name", "~Account Owner: Email"],
        "arr_start": ["Beginning ARR", "Starting ARR", "Opening ARR", "ARR Start", "Prior Quarter ARR"],
        "arr_end": ["Ending ARR", "Closing ARR", "ARR End", "~ARR", "~Annual Recurring Revenue", "~Current ARR"],
        "segment": ["Segment", "Customer Segment", "Account Segment", "Tier"],
        "renewal_due": [],
        "_status": ["Renewal Status", "Renewal Outcome", "~Stage", "~Opportunity Stage"],
    }, "https://developer.salesforce.com/docs/atlas.en-us.244.0.sfFieldRef.meta/sfFieldRef/"
       "salesforce_field_reference_Account.htm"),
    # HubSpot company properties as an index-view export writes them ("Record ID", "Company owner"):
    # https://developers.hubspot.com/docs/api/crm/exports (exports of an object view; labels are the
    # default company properties, https://developers.HubSpot.com/docs/methods/companies/company-properties-overview)
    T("HubSpot", "accounts", {
        "quarter": ["Snapshot Quarter"],
        "account_id": ["Record ID", "Company ID", "Record ID - Company"],
        "csm_id": ["Customer Success Manager", "CSM Owner", "~Company owner", "~Company Owner Email", "~HubSpot Owner",
                   "~Owner"],
        "arr_start": ["Beginning ARR", "Starting ARR", "ARR at start of quarter", "ARR at quarter start"],
        "arr_end": ["~ARR", "~Annual recurring revenue", "~ARR (USD)"],  # not "Annual Revenue": the company's revenue
        "new_arr": ["New business ARR", "New Business ARR (USD)", "New logo ARR"],
        "segment": ["~Company tier", "Segment"],
    }, "https://developers.hubspot.com/docs/api/crm/exports"),
    # Gainsight Company standard fields (ARR, MRR, CSM, Current Score, NPS, Renewal Date, Stage, Status):
    # https://support.gainsight.com/gainsight_nxt/Gainsight_Object_Glossary/CS_Object_Glossary/Gainsight_Standard_Objects
    T("Gainsight", "accounts", {
        "quarter": ["Snapshot Quarter"],
        "account_id": ["GSID", "Company GSID", "Company Id", "SFDC Account ID"],
        "csm_id": ["CSM", "CSM Name", "CSM Email", "~Company CSM"],
        "arr_end": ["~ARR", "~Company ARR"],
        "_mrr": ["MRR", "Company MRR"],
        "health": ["Current Score", "Overall Score", "Health Score", "Health Score Label", "~Scorecard"],
        "nps": ["NPS", "NPS®"],
        "_status": ["~Status", "~Stage"],
    }, "https://support.gainsight.com/gainsight_nxt/Gainsight_Object_Glossary/CS_Object_Glossary/"
       "Gainsight_Standard_Objects"),
    # ChurnZero account fields (account_id / crm_id / owner / total contract amount / churn score), as the
    # Fivetran schema lists its account table: https://fivetran.com/docs/connectors/applications/churnzero/connector-schema
    T("ChurnZero", "accounts", {
        "account_id": ["Account External ID", "External ID", "CRM ID", "Account ID"],
        "csm_id": ["~Account Owner", "~Owner", "~Owner Email", "CSM"],
        "arr_end": ["~Total Contract Amount", "~Contract Amount", "~ARR"],
        "health": ["ChurnScore", "Churn Score", "Health"],
        "nps": ["NPS Score", "NPS"],
    }, "https://fivetran.com/docs/connectors/applications/churnzero/connector-schema"),
    # Totango account attributes (no documented export list found by search: the names are Totango's
    # default attribute labels as its Accounts grid exports them).
    T("Totango", "accounts", {
        "account_id": ["Account ID", "Account Id"],
        "csm_id": ["Success Manager", "Account CSM", "~Account Owner"],
        "arr_end": ["~Contract Value", "~ARR"],
        "health": ["Health", "Account Health"],
    }, "no documented export list found; Totango's default attribute labels"),
    # Vitally accounts (health score, MRR, renewal, NPS), per the Vitally connector's account object:
    # https://fivetran.com/docs/connectors/applications/vitally/connector-schema.md and
    # https://www.definite.app/connector/vitally ("accounts with health scores, MRR, and renewal data")
    T("Vitally", "accounts", {
        "account_id": ["Account ID", "External ID", "Vitally ID"],
        "_snapshot": ["Snapshot Date", "As Of Date"],
        "csm_id": ["CSM", "~Account Executive", "~Account Owner", "~Key Roles: CSM"],
        "_mrr": ["MRR", "Current MRR"],
        "health": ["Health Score", "Health"],
        "nps": ["NPS Score", "NPS"],
    }, "https://fivetran.com/docs/connectors/applications/vitally/connector-schema.md"),
    # Planhat company fields (no documented export list found by search: Planhat's company model labels).
    T("Planhat", "accounts", {
        "account_id": ["Company ID", "External ID", "Source ID"],
        "csm_id": ["CSM", "Co-Owner", "~Owner"],
        "arr_end": ["~ARR", "~Company ARR"],
        "_mrr": ["MRR", "MRR Total"],
        "health": ["Health", "Health Score"],
        "_status": ["~Phase", "~Status"],
    }, "no documented export list found; Planhat's company field labels"),
]
