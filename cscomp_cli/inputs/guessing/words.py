"""What init knows of real exports: the header names CRM, HR and payroll tools use for each of cscomp's
columns, the columns that make a table, renewal status and RAG words, bonus codes and CSM job titles.
"""

from __future__ import annotations

# Canonical column -> the header names real exports use for it (the canonical name is added).
# Names starting with "_" are not canonical columns but feed one (a status, a pay date, a filter).
SYNONYMS: dict[str, dict[str, list[str]]] = {
    "accounts": {
        "quarter": ["fiscal period", "period", "fiscal quarter", "quarter", "qtr", "fiscal qtr"],
        "account_id": ["account id", "account number", "customer id", "acct id", "account"],
        "csm_id": ["csm owner", "csm", "csm name", "account owner", "owner", "csm id",
                   "customer success manager", "success manager"],
        "arr_start": ["beginning arr", "starting arr", "opening arr", "start arr", "arr start", "bop arr",
                      "beginning of period arr"],
        "expansion": ["upsell arr", "upsell", "expansion arr", "expansion", "upgrade arr"],
        "cross_sell": ["cross sell arr", "cross sell", "crosssell"],
        # "net new ARR" is every movement netted, not a new logo's landed ARR: deliberately not here.
        "new_arr": ["new business arr", "new arr", "new logo arr", "new booking arr", "new bookings"],
        "contraction": ["downsell", "downsell arr", "contraction arr", "contraction", "downgrade arr"],
        "churn": ["churned arr", "churn arr", "churn", "lost arr", "churned"],
        "arr_end": ["ending arr", "end arr", "closing arr", "arr end", "eop arr"],
        "renewal_due": ["renewal due"],
        "renewed": ["renewed"],
        "_status": ["renewal status", "renewal outcome", "renewal stage"],
        "segment": ["segment", "account segment", "customer segment", "tier"],
        "nps": ["nps score", "nps", "net promoter score"],
        "health": ["health score", "health", "health status", "rag status", "rag"],
        "risk": ["risk score", "risk"],
    },
    "roster": {
        "csm_id": ["employee id", "worker id", "employee number", "employee no", "csm id", "person id", "id"],
        "name": ["worker", "employee name", "name", "full name", "csm name", "employee", "legal name"],
        "segment": ["segment", "book segment", "coverage segment"],
        "team": ["team", "department", "supervisory organization"],
        "quarter": ["quarter", "fiscal period", "period"],
        "annual_base": ["annual base salary", "base salary", "annual base", "base pay", "salary"],
        "annual_variable": ["annual target incentive", "target incentive", "annual variable", "variable pay",
                            "target bonus", "annual incentive target", "target variable"],
        "start_date": ["hire date", "start date", "original hire date"],
        "end_date": ["termination date", "term date", "end date", "leave date"],
        "effective_date": ["effective date", "effective from", "change date", "valid from"],
        "currency": ["currency", "currency code", "pay currency", "salary currency", "compensation currency"],
        "_profile": ["job profile", "job title", "business title", "title", "position", "role"],
    },
    "payouts": {
        "quarter": ["quarter", "performance quarter", "bonus quarter", "fiscal period", "period"],
        "_pay_date": ["pay date", "check date", "payment date", "paid date", "payroll date"],
        "csm_id": ["employee id", "worker id", "employee number", "csm id"],
        "amount": ["amount", "gross amount", "earnings amount", "pay amount", "paid amount", "payout"],
        "component": ["earnings code", "earning code", "pay code", "component", "earnings type"],
        "currency": ["currency", "currency code", "pay currency", "earnings currency"],
        "_description": ["earnings description", "earning description", "description"],
    },
    "quotas": {
        "quarter": ["quarter", "fiscal period", "period"],
        "csm_id": ["employee id", "csm id", "csm owner", "csm"],
        "component": ["component", "quota type", "metric"],
        "target": ["target", "quota", "quota amount", "target amount"],
    },
}

for _table, _columns in SYNONYMS.items():
    for _canonical, _names in _columns.items():
        if not _canonical.startswith("_") and _canonical.replace("_", " ") not in _names:
            _names.append(_canonical.replace("_", " "))

# What makes an export that table: without these it is not one (quarter may come from elsewhere).
CORE_COLUMNS = {
    "accounts": ["account_id", "csm_id", "arr_start"],
    "roster": ["csm_id", "name"],
    "payouts": ["csm_id", "amount"],
    "quotas": ["csm_id", "component", "target"],
}

TABLE_ORDER = ["accounts", "roster", "payouts", "quotas"]

AMOUNT_COLUMNS = {
    "accounts": ["arr_start", "expansion", "cross_sell", "new_arr", "contraction", "churn", "arr_end"],
    "roster": ["annual_base", "annual_variable"],
    "payouts": ["amount"],
    "quotas": ["target"],
}

DATE_COLUMNS = {"roster": ["start_date", "end_date", "effective_date"], "payouts": ["_pay_date"]}

ZERO_TOKENS = ["-", "–", "—", ""]

# Renewal Status words -> (renewal_due, renewed); a renewal that was downgraded still renewed.
STATUS_WORDS = [
    (r"not renewed|non.?renew|churn|lost|cancel|terminat", ("yes", "no")),
    (r"downgrad|downsell|reduc|partial", ("yes", "yes")),
    (r"renew|won|signed|closed", ("yes", "yes")),
    (r"^$|n/?a|not due|none", ("no", "no")),
]

RAG_SCORES = {"green": 85, "amber": 60, "yellow": 60, "red": 30}

BONUS_CODES = r"bon|incent|commis|spif|claw|variable|\bvar\b|\bic\b|kicker|accel|award|\bsip\b|\bvip\b"

CSM_PROFILE = r"customer success|\bcsm\b|client success|success manager"

# Titles that name customer success but not a book of accounts (kept only if they own accounts).
NOT_A_BOOK = r"\b(vp|svp|evp|vice president|director|head|chief|cco|operations|ops|analyst|enablement)\b"

FISCAL_LABEL = r"(?i)\bfy\s*[0-9]{2}"
