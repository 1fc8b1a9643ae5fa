"""The benchmark plan's metrics and payouts written as DuckDB SQL: the peer cscomp is compared with.

A data analyst without cscomp would load the exports into DuckDB and write the plan as SQL. This
module is that analyst's work, done carefully: Python reads the plan (YAML) and *generates* SQL text
from its structure (one CASE expression per curve, one per tier schedule, one factor per modifier),
and DuckDB does all the row work (group-bys, window sums for team/segment/company books, joins).
No row ever passes through Python.

    payouts_duckdb(data_dir, plan_path, quarters)  ->  {(quarter, csm_id): proposed cents}

The arithmetic follows /work/shared/SPEC.md sections 1-3 and 5.3 (custom metrics: column aggregates,
filters, trailing windows folded per account) to the cent, including the contract's
rounding (metrics, targets, attainments and tier bounds rounded to 9 decimals as soon as computed;
payouts rounded to 6 decimals, then to cents, halves away from zero; components summed in integer
cents; the plan cap in cents).

Scope: the benchmark's data (canonical quarter labels such as 2025Q1, plain decimal amounts, or
$1,234.00 with `currency=True`, yes/no booleans) and every construct of benchmarks/plan_all.yaml. It does not validate plans or data
the way cscomp does; unsupported plan forms raise NotImplementedError rather than guess.

    python benchmarks/reference_duckdb.py DATA_DIR [--plan PLAN] [--quarters N] [--check]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_PLAN = HERE / "plan_all.yaml"

SCOPES = ("csm", "team", "segment", "company")


# --- SQL text helpers ------------------------------------------------------------------------


def num(value) -> str:
    """A plan number as a DOUBLE literal. A bare `0.95` is a DECIMAL in DuckDB; going through the
    string makes the constant the same nearest double that Python's float('0.95') is."""
    return f"CAST('{float(value)!r}' AS DOUBLE)"


def text(value: str) -> str:
    """A plan string (segment name, quarter label) as a SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


# The contract's two roundings, as macros so the generated SQL reads like SPEC.
#   round9(x): 9 decimals, halves away from zero; beyond 2^53 a double has no fraction left to round.
#   cents(x): first to 6 decimals (micros), then to whole cents, halves away from zero each time,
#             done in integers so the second rounding cannot be tipped by binary fractions.
MACROS = """
CREATE OR REPLACE TEMP MACRO round9(x) AS
    CASE WHEN abs(x) * 1e9 >= 9007199254740992.0 THEN x
         ELSE sign(x) * floor(abs(x) * 1e9 + CAST(0.5 AS DOUBLE)) / 1e9 END;
CREATE OR REPLACE TEMP MACRO cents(x) AS
    CASE WHEN x < 0 THEN -1 ELSE 1 END
    * ((CAST(floor(abs(x) * 1e6 + CAST(0.5 AS DOUBLE)) AS BIGINT) + 5000) // 10000);
"""


# --- loading ---------------------------------------------------------------------------------


def _header(path: Path) -> set[str]:
    """Column names of a CSV (lower-cased, trimmed), to know which optional columns exist."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return {name.strip().lower() for name in next(csv.reader(f))}


def _read_csv(path: Path, types: dict[str, str], currency: tuple[str, ...] = ()) -> str:
    """read_csv with our column types forced: the sniffer must not turn ids into numbers or
    yes/no into something else, and amounts are read as DOUBLE, as cscomp reads them. Columns in
    `currency` are read as text and parsed as an analyst would ($1,234.00: drop '$' and ',')."""
    present = _header(path)
    typed = ", ".join(f"'{c}': '{t}'" for c, t in types.items() if c in present and c not in currency)
    source = f"read_csv({text(str(path))}, header = true, all_varchar = true, types = {{{typed}}})"
    parsed = [c for c in currency if c in present and c in types]
    if not parsed:
        return source
    replace = ", ".join(f"CAST(replace(replace(trim({c}), '$', ''), ',', '') AS DOUBLE) AS {c}" for c in parsed)
    return f"(SELECT * REPLACE ({replace}) FROM {source})"


def _optional(present: set[str], column: str, fallback: str) -> str:
    return column if column in present else f"{fallback} AS {column}"


def _boolean(column: str, present: set[str]) -> str:
    # SPEC booleans: true/false, yes/no, y/n, 1/0, any case; blank = false.
    if column not in present:
        return f"false AS {column}"
    return f"coalesce(lower(trim({column})) IN ('true', 'yes', 'y', '1'), false) AS {column}"


# The amount columns the "real" variant (benchmarks/real.py) writes as $1,234.00 now and then.
CURRENCY_COLUMNS = ("arr_start", "expansion", "cross_sell", "contraction", "churn", "arr_end", "amount")


def load_duckdb(data_dir, plan_path=DEFAULT_PLAN, *, currency: bool = False) -> duckdb.DuckDBPyConnection:
    """Read accounts.csv, roster.csv, payouts.csv and quotas.csv into tables of an in-memory DuckDB.

    Types are settled here (amounts DOUBLE, booleans BOOLEAN, dates DATE, blank = NULL) and the
    derived arr_end is filled in, so the payout query only does the plan's arithmetic. The accounts
    columns the plan's custom metrics name are kept as text (x_<column>, trimmed, blank = NULL), with
    each row's quarter as an ordinal (qord: consecutive quarters, consecutive integers) for windows.
    With `currency`, amount cells may be written $1,234.00 (read as text, then parsed).
    """
    parsed = CURRENCY_COLUMNS if currency else ()
    data_dir = Path(data_dir)
    con = duckdb.connect()
    named = sorted(plan_columns(read_plan(plan_path)))

    accounts = data_dir / "accounts.csv"
    cols = _header(accounts)
    amounts = ("arr_start", "expansion", "cross_sell", "contraction", "churn", "arr_end", "nps", "health", "risk")
    source = _read_csv(accounts, {c: "DOUBLE" for c in amounts}, parsed)
    cross_sell = "coalesce(cross_sell, 0.0)" if "cross_sell" in cols else "0.0"
    derived_end = f"arr_start + expansion + {cross_sell} - contraction - churn"
    arr_end = f"coalesce(arr_end, {derived_end})" if "arr_end" in cols else derived_end
    missing = [c for c in named if c not in cols]
    if missing:
        raise ValueError(f"accounts.csv has no column {missing[0]!r}, which the plan's metrics name")
    extra = "".join(f", nullif(trim(CAST({c} AS VARCHAR)), '') AS {raw_column(c)}" for c in named)
    con.execute(f"""
        CREATE TABLE accounts AS
        SELECT quarter, account_id, csm_id, arr_start, expansion, {cross_sell} AS cross_sell,
               contraction, churn, {arr_end} AS arr_end,
               {_boolean('renewal_due', cols)}, {_boolean('renewed', cols)},
               {_optional(cols, 'nps', 'NULL::DOUBLE')}, {_optional(cols, 'health', 'NULL::DOUBLE')},
               {_optional(cols, 'risk', 'NULL::DOUBLE')},
               CAST(left(quarter, 4) AS INTEGER) * 4 + CAST(right(quarter, 1) AS INTEGER) - 1 AS qord{extra}
        FROM {source}
    """)

    roster = data_dir / "roster.csv"
    cols = _header(roster)
    source = _read_csv(roster, {"annual_base": "DOUBLE", "annual_variable": "DOUBLE",
                                "start_date": "DATE", "end_date": "DATE"})
    con.execute(f"""
        CREATE TABLE roster AS
        SELECT csm_id, {_optional(cols, 'quarter', 'NULL::VARCHAR')}, name, segment,
               {_optional(cols, 'team', 'NULL::VARCHAR')}, annual_base, annual_variable,
               {_optional(cols, 'start_date', 'NULL::DATE')}, {_optional(cols, 'end_date', 'NULL::DATE')}
        FROM {source}
    """)

    payouts = data_dir / "payouts.csv"
    con.execute(f"CREATE TABLE payouts AS SELECT quarter, csm_id, amount FROM {_read_csv(payouts, {'amount': 'DOUBLE'}, parsed)}")

    quotas = data_dir / "quotas.csv"
    if quotas.exists():
        source = _read_csv(quotas, {"target": "DOUBLE"})
        con.execute(f"CREATE TABLE quotas AS SELECT quarter, csm_id, component, target FROM {source}")
    else:
        con.execute("CREATE TABLE quotas (quarter VARCHAR, csm_id VARCHAR, component VARCHAR, target DOUBLE)")
    return con


# --- the plan --------------------------------------------------------------------------------


def _quarter_label(value) -> str:
    """Canonical label (2026Q1) for the spellings SPEC allows in a plan's `quarters` list."""
    s = str(value).strip().upper()
    m = re.fullmatch(r"(\d{4})\s*[- ]?\s*Q([1-4])", s) or re.fullmatch(r"Q([1-4])\s*[- ]?\s*(\d{4})", s)
    if not m:
        raise ValueError(f"not a quarter label: {value!r}")
    year, q = (m.group(1), m.group(2)) if s[0].isdigit() else (m.group(2), m.group(1))
    return f"{year}Q{q}"


def read_plan(plan_path) -> dict:
    """The plan as plain dicts, with SPEC's defaults filled in (so the SQL generators read flat)."""
    plan = yaml.safe_load(Path(plan_path).read_text(encoding="utf-8"))
    credit = {"expansion": 1.0, "cross_sell": 1.0, **(plan.get("credit") or {})}
    components = []
    for c in plan.get("components") or []:
        c = dict(c)
        c.setdefault("kind", "curve")
        c.setdefault("scope", "csm")
        if c.get("quarters") is not None:
            c["quarters"] = [_quarter_label(q) for q in c["quarters"]]
        if c["kind"] == "curve":
            c.setdefault("measure", "attainment")
            c.setdefault("interpolate", "linear")
            c.setdefault("uncapped", False)
            c.setdefault("on_missing", "zero")
        elif c["kind"] == "commission":
            c.setdefault("tiering", "marginal")
            c.setdefault("allow_negative", False)
            if "tiers" not in c:
                c["tiers"] = [{"rate": c["rate"]}]  # a flat rate is a one-tier schedule
        else:
            raise NotImplementedError(f"component kind {c['kind']!r}")
        components.append(c)
    modifiers = []
    for m in plan.get("modifiers") or []:
        m = dict(m)
        m["when"] = {"scope": "csm", **m["when"]}
        applies = m.get("applies_to", "all")
        m["applies_to"] = [c["id"] for c in components] if applies == "all" else list(applies)
        modifiers.append(m)
    metrics = plan.get("metrics") or {}
    return {"credit": credit, "pay_mix": plan.get("pay_mix"), "cap": plan.get("cap"),
            "components": components, "modifiers": modifiers,
            "custom": {name: resolve(name, metrics) for name in metrics}}


def resolve(name: str, metrics: dict) -> dict:
    """A custom metric down to its base (a built-in, or "column"), its chain's filters and window."""
    top, filters, window, spec = name, [], None, metrics.get(name)
    while spec is not None:
        filters += spec.get("filter") or []
        window = window or spec.get("window")
        if "column" in spec:
            return {"name": top, "base": "column", "column": spec["column"], "aggregate": spec["aggregate"],
                    "where": spec.get("where") or {}, "filters": filters, "window": window or 1}
        name, spec = spec["from"], metrics.get(spec["from"])
    return {"name": top, "base": name, "filters": filters, "window": window or 1}


def plan_columns(plan: dict) -> set[str]:
    """The accounts columns the plan's custom metrics read (aggregated or filtered on)."""
    named = set()
    for d in plan["custom"].values():
        named |= {f["column"].strip().lower() for f in d["filters"]}
        if d["base"] == "column":
            named.add(d["column"].strip().lower())
    return named


def raw_column(column: str) -> str:
    """The accounts table's text copy of a column a custom metric names."""
    return '"x_' + column.strip().lower().replace('"', '""') + '"'


# --- custom metrics (SPEC 5.3) -----------------------------------------------------------------

YES, NO = "('yes', 'y', 'true', '1')", "('no', 'n', 'false', '0')"


def _value(v) -> str:
    """A filter value: text trimmed and case-folded, numbers and yes/no as they are."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return num(v)
    return text(str(v).strip().casefold())


def condition_sql(f: dict) -> str:
    """One filter condition as a boolean that is never NULL: a blank cell is in no `in` list, in
    every `not_in` list, and fails `equals` and every numeric test."""
    cell = raw_column(f["column"])
    if "at_least" in f or "below" in f:
        tests = ([f"CAST({cell} AS DOUBLE) >= {num(f['at_least'])}"] if "at_least" in f else []) + \
                ([f"CAST({cell} AS DOUBLE) < {num(f['below'])}"] if "below" in f else [])
        return f"coalesce({' AND '.join(tests)}, false)"
    values = f.get("in", f.get("not_in", [f.get("equals")]))
    if isinstance(values[0], bool):
        read = f"CASE WHEN lower({cell}) IN {YES} THEN true WHEN lower({cell}) IN {NO} THEN false END"
    elif isinstance(values[0], (int, float)):
        read = f"CAST({cell} AS DOUBLE)"
    else:
        read = f"lower({cell})"
    listed = ", ".join(_value(v) for v in values)
    if "not_in" in f:
        return f"coalesce({read} NOT IN ({listed}), true)"
    return f"coalesce({read} IN ({listed}), false)"


def column_value_sql(column: str) -> str:
    """A column metric's cell as a number: yes/no read as 1/0, blank NULL (no value)."""
    cell = raw_column(column)
    return (f"CASE WHEN lower({cell}) IN ('yes', 'y', 'true') THEN 1.0 "
            f"WHEN lower({cell}) IN ('no', 'n', 'false') THEN 0.0 ELSE CAST({cell} AS DOUBLE) END")


def _where_sql(where: dict, value: str) -> str:
    tests = ([f"{value} >= {num(where['at_least'])}"] if "at_least" in where else []) + \
            ([f"{value} < {num(where['below'])}"] if "below" in where else [])
    return " AND ".join(tests) or "false"


# Per account of a (windowed) book: its rows folded into one, plus the per-row sums that are not
# folded (renewal sums, NPS answers, health and column values read every row in the window).
FOLD = {
    "arr_start": "fsum(r.arr_start) FILTER (WHERE r.qord = m.first)",  # its row in the first quarter
    "expansion": "fsum(r.expansion)", "cross_sell": "fsum(r.cross_sell)",
    "contraction": "fsum(r.contraction)", "churn": "fsum(r.churn)",
    "due_start": "fsum(r.arr_start) FILTER (WHERE r.renewal_due)",
    "renewed_start": "fsum(r.arr_start) FILTER (WHERE r.renewal_due AND r.renewed)",
    "renewed_arr": "fsum(r.arr_start - r.contraction - r.churn) FILTER (WHERE r.renewal_due AND r.renewed)",
    "nps_answers": "count(r.nps)", "nps_promoters": "count(*) FILTER (WHERE r.nps >= 9)",
    "nps_detractors": "count(*) FILTER (WHERE r.nps <= 6)",
    "health_sum": "fsum(r.health)", "health_count": "count(r.health)",
    "col_n": "count(r.v)", "col_sum": "fsum(r.v)", "col_min": "min(r.v)", "col_max": "max(r.v)",
    "col_wsum": "fsum(r.v * r.arr_start) FILTER (WHERE r.arr_start > 0 AND r.v IS NOT NULL)",
    "col_wbase": "fsum(r.arr_start) FILTER (WHERE r.arr_start > 0 AND r.v IS NOT NULL)",
}
FOLDED_BASE = "coalesce(arr_start, 0.0) > 0"
# The book's sums over the folded rows, named as STATISTICS names them (and col_* for columns).
FOLDED_STATISTICS = {
    "start_arr": f"fsum(arr_start) FILTER (WHERE {FOLDED_BASE})",
    "expansion": "fsum(expansion)", "cross_sell": "fsum(cross_sell)",
    "contraction": "fsum(contraction)", "churn": "fsum(churn)",
    "retained": f"fsum(arr_start - contraction - churn) FILTER (WHERE {FOLDED_BASE})",
    "net_retained": f"fsum(arr_start - contraction - churn + expansion + cross_sell) FILTER (WHERE {FOLDED_BASE})",
    "renewed_arr": "fsum(renewed_arr)",
    "base_rows": f"count(*) FILTER (WHERE {FOLDED_BASE})",
    "base_rows_alive": f"count(*) FILTER (WHERE {FOLDED_BASE} AND "
                       "arr_start + expansion + cross_sell - contraction - churn > 0)",
    "due_start": "fsum(due_start)", "renewed_start": "fsum(renewed_start)",
    "nps_answers": "sum(nps_answers)", "nps_promoters": "sum(nps_promoters)",
    "nps_detractors": "sum(nps_detractors)",
    "health_sum": "fsum(health_sum)", "health_count": "sum(health_count)",
    "accounts": "count(*)",
    "col_n": "sum(col_n)", "col_sum": "fsum(col_sum)", "col_min": "min(col_min)", "col_max": "max(col_max)",
    "col_wsum": "fsum(col_wsum)", "col_wbase": "fsum(col_wbase)", "col_share": "sum(col_share)",
}
COLUMN_STATS = {"mean": ["col_n", "col_sum"], "sum": ["col_sum"], "count": ["col_n"], "min": ["col_n", "col_min"],
                "max": ["col_n", "col_max"], "arr_weighted_mean": ["col_wsum", "col_wbase"],
                "share": ["col_n", "col_share"]}


def custom_stats(d: dict) -> list[str]:
    """The folded book sums a custom metric reads."""
    if d["base"] == "column":
        return COLUMN_STATS[d["aggregate"]]
    if d["base"] not in NEEDS or d["base"] == "risk":
        raise NotImplementedError(f"custom metric {d['name']} from {d['base']!r}")
    return NEEDS[d["base"]][0]


def custom_ctes(prefix: str, d: dict, quarters: list[str]) -> str:
    """CTEs ending in <prefix>: a row per (replayed quarter, csm_id) with the custom metric's book sums.

    The window of quarter q is its N quarters up to q, starting no earlier than the data's first
    quarter. Its book: every account the CSM owned in one of them, by any row (an account belongs by
    its rows before the filter). Each account folds into one row: arr_start from the window's first
    quarter (NULL, no start ARR, without a passing row there), movements summed over its passing rows
    in the window, whoever owned them; an account with no passing row in the window folds to nothing
    (the inner join). Without a window (N = 1) this is the quarter's book with the filter applied.
    """
    filters = " AND ".join(condition_sql(f) for f in d["filters"]) or "true"
    value = column_value_sql(d["column"]) if d["base"] == "column" else "NULL::DOUBLE"
    fold = dict(FOLD)
    if d["base"] == "column" and d["aggregate"] == "share":
        fold["col_share"] = f"count(*) FILTER (WHERE {_where_sql(d['where'], 'r.v')})"
    windows = ", ".join(f"({text(q)}, {quarter_ordinal(q)})" for q in quarters)
    stats = custom_stats(d)
    folded = ",\n               ".join(f"{sql} AS {name}" for name, sql in fold.items())
    summed = ",\n               ".join(f"{FOLDED_STATISTICS[st]} AS {prefix}__{st}" for st in stats)
    return f"""{prefix}_rows AS (
        SELECT account_id, csm_id, qord, arr_start, expansion, cross_sell, contraction, churn,
               renewal_due, renewed, nps, health, {value} AS v
        FROM accounts WHERE {filters}
), {prefix}_windows AS (
        SELECT w.quarter, w.qord, greatest(w.qord - {int(d['window']) - 1}, (SELECT min(qord) FROM accounts)) AS first
        FROM (VALUES {windows}) AS w(quarter, qord)
), {prefix}_members AS (
        SELECT DISTINCT w.quarter, w.qord AS last, w.first, a.csm_id, a.account_id
        FROM {prefix}_windows w JOIN accounts a ON a.qord BETWEEN w.first AND w.qord
), {prefix}_folded AS (
        SELECT m.quarter, m.csm_id, m.account_id,
               {folded}
        FROM {prefix}_members m
        JOIN {prefix}_rows r ON r.account_id = m.account_id AND r.qord BETWEEN m.first AND m.last
        GROUP BY m.quarter, m.csm_id, m.account_id
), {prefix} AS (
        SELECT quarter, csm_id,
               {summed}
        FROM {prefix}_folded GROUP BY quarter, csm_id
)"""


def column_metric_sql(prefix: str, d: dict) -> str:
    """A column aggregate from its book sums, rounded to 9 decimals; NULL (undefined) with no value,
    except sum and count (0)."""
    s = lambda stat: f"{prefix}__{stat}"  # noqa: E731
    return {
        "mean": f"round9({_ratio(s('col_sum'), s('col_n'))})",
        "sum": f"round9({s('col_sum')})",
        "count": s("col_n"),
        "min": f"round9(CASE WHEN {s('col_n')} > 0 THEN {s('col_min')} END)",
        "max": f"round9(CASE WHEN {s('col_n')} > 0 THEN {s('col_max')} END)",
        "arr_weighted_mean": f"round9({_ratio(s('col_wsum'), s('col_wbase'))})",
        "share": f"round9({_ratio(s('col_share'), s('col_n'))})",
    }[d["aggregate"]]


def quarter_ordinal(label: str) -> int:
    return int(label[:4]) * 4 + int(label[5]) - 1


# --- metrics (SPEC section 2) ----------------------------------------------------------------

# Every metric is a ratio or a sum of a few per-account sums. Each book is reduced to these sums once
# (one GROUP BY over accounts); a team, segment or company book is then the sum of its CSMs' sums.
# fsum is DuckDB's compensated (Kahan) sum: like pandas' group-by sum it does not depend on row
# order, which matters for the non-integer risk × arr_start products behind a risk-adjusted target.
BASE = "arr_start > 0"  # the retention base
RISK_BASE = f"{BASE} AND risk IS NOT NULL"
STATISTICS = {
    "start_arr": f"fsum(arr_start) FILTER (WHERE {BASE})",
    "expansion": "fsum(expansion)",
    "cross_sell": "fsum(cross_sell)",
    "contraction": "fsum(contraction)",
    "churn": "fsum(churn)",
    "retained": f"fsum(arr_start - contraction - churn) FILTER (WHERE {BASE})",
    "net_retained": f"fsum(arr_start - contraction - churn + expansion + cross_sell) FILTER (WHERE {BASE})",
    "renewed_arr": "fsum(arr_start - contraction - churn) FILTER (WHERE renewal_due AND renewed)",
    "base_rows": f"count(*) FILTER (WHERE {BASE})",
    "base_rows_alive": f"count(*) FILTER (WHERE {BASE} AND arr_end > 0)",
    "due_start": "fsum(arr_start) FILTER (WHERE renewal_due)",
    "renewed_start": "fsum(arr_start) FILTER (WHERE renewal_due AND renewed)",
    "nps_answers": "count(nps)",
    "nps_promoters": "count(*) FILTER (WHERE nps >= 9)",
    "nps_detractors": "count(*) FILTER (WHERE nps <= 6)",
    "health_sum": "fsum(health)",
    "health_count": "count(health)",
    "risk_weighted": f"fsum(risk * arr_start) FILTER (WHERE {RISK_BASE})",
    "risk_weight": f"fsum(arr_start) FILTER (WHERE {RISK_BASE})",
    "accounts": "count(*)",
}


def _ratio(numerator: str, denominator: str) -> str:
    """numerator ÷ denominator, NULL (undefined) when the denominator is 0."""
    return f"CASE WHEN {denominator} <> 0 THEN {numerator} / {denominator} END"


# Metrics are computed in two projections so every rounded value is a column the next step reads,
# rather than a nested round9(round9(...)) expression (DuckDB macros expand textually, and nesting
# them multiplies the query's size). First the "atoms": rounded sums and amount metrics.
def atom_sql(name: str, scope: str, credit: dict) -> str:
    s = {stat: f"{scope}__{stat}" for stat in STATISTICS}
    return {
        "start_arr": f"round9({s['start_arr']})",
        "expansion_arr": f"round9({num(credit['expansion'])} * {s['expansion']})",
        "cross_sell_arr": f"round9({num(credit['cross_sell'])} * {s['cross_sell']})",
        "contraction_arr": f"round9({s['contraction']})",
        "churn_arr": f"round9({s['churn']})",
        "retained_arr": f"round9({s['retained']})",
        "renewed_arr": f"round9({s['renewed_arr']})",
        "accounts": s["accounts"],
    }[name]


ATOMS = ("start_arr", "expansion_arr", "cross_sell_arr", "contraction_arr", "churn_arr", "retained_arr",
         "renewed_arr", "accounts")


def compound_sql(name: str, scope: str) -> str:
    """A metric built from the atoms (columns m_<atom>_<scope>) and the book's sums, rounded to 9
    decimals. Later steps use rounded parts, as SPEC asks: grr divides the rounded retained_arr by
    the rounded start_arr, net_expansion subtracts the rounded contraction and churn from the
    rounded gross_expansion."""
    s = {stat: f"{scope}__{stat}" for stat in STATISTICS}
    m = {atom: f"m_{atom}_{scope}" for atom in ATOMS}
    gross_expansion = f"round9({m['expansion_arr']} + {m['cross_sell_arr']})"
    net_promoters = f"100.0 * ({s['nps_promoters']} - {s['nps_detractors']})"
    return {
        "gross_expansion": gross_expansion,
        "net_expansion": f"round9({gross_expansion} - {m['contraction_arr']} - {m['churn_arr']})",
        "nrr": f"round9({_ratio(s['net_retained'], m['start_arr'])})",
        "grr": f"round9({_ratio(m['retained_arr'], m['start_arr'])})",
        "logo_retention": f"round9({_ratio(s['base_rows_alive'], s['base_rows'])})",
        "renewal_rate": f"round9({_ratio(s['renewed_start'], s['due_start'])})",
        "nps": f"round9({_ratio(net_promoters, s['nps_answers'])})",
        "health": f"round9({_ratio(s['health_sum'], s['health_count'])})",
    }[name]


# What each metric reads: (the book sums it needs, the atoms it needs). The query only sums, pools
# and rounds what the plan's metrics read.
NEEDS = {
    "start_arr": (["start_arr"], ["start_arr"]),
    "expansion_arr": (["expansion"], ["expansion_arr"]),
    "cross_sell_arr": (["cross_sell"], ["cross_sell_arr"]),
    "gross_expansion": (["expansion", "cross_sell"], ["expansion_arr", "cross_sell_arr"]),
    "contraction_arr": (["contraction"], ["contraction_arr"]),
    "churn_arr": (["churn"], ["churn_arr"]),
    "net_expansion": (["expansion", "cross_sell", "contraction", "churn"],
                      ["expansion_arr", "cross_sell_arr", "contraction_arr", "churn_arr"]),
    "retained_arr": (["retained"], ["retained_arr"]),
    "renewed_arr": (["renewed_arr"], ["renewed_arr"]),
    "nrr": (["net_retained", "start_arr"], ["start_arr"]),
    "grr": (["retained", "start_arr"], ["retained_arr", "start_arr"]),
    "logo_retention": (["base_rows_alive", "base_rows"], []),
    "renewal_rate": (["renewed_start", "due_start"], []),
    "nps": (["nps_answers", "nps_promoters", "nps_detractors"], []),
    "health": (["health_sum", "health_count"], []),
    "accounts": (["accounts"], ["accounts"]),
    "risk": (["risk_weighted", "risk_weight"], []),  # not a metric: the book's risk
}


def risk_sql(scope: str) -> str:
    """The book's arr_start-weighted mean risk over base rows that have one; not rounded (SPEC)."""
    return f"CASE WHEN {scope}__risk_weight > 0 THEN {scope}__risk_weighted / {scope}__risk_weight END"


# --- components (SPEC section 3) -------------------------------------------------------------


def target_sql(c: dict) -> str | None:
    """The component's target, rounded to 9 decimals; NULL where undefined. None: no target."""
    spec = c.get("target")
    if spec is None:
        return None
    if isinstance(spec, (int, float)):
        target = num(spec)
    elif spec == "quotas":  # m: the metrics CTE the targets are computed from
        target = f"(SELECT q.target FROM quotas q WHERE q.quarter = m.quarter AND q.csm_id = m.csm_id " \
                 f"AND q.component = {text(c['id'])})"
    elif isinstance(spec, dict) and spec.get("by") == "segment":
        cases = " ".join(f"WHEN {text(seg)} THEN {num(v)}" for seg, v in spec["values"].items())
        default = num(spec["default"]) if spec.get("default") is not None else "NULL"
        target = f"CASE segment {cases} ELSE {default} END"
    elif isinstance(spec, dict) and "pct_of_start_arr" in spec:
        # the component's scope book's (rounded) start_arr × pct, rounded as soon as computed
        target = f"round9(m_start_arr_{c['scope']} * {num(spec['pct_of_start_arr'])})"
    else:
        raise NotImplementedError(f"target {spec!r} of component {c['id']}")
    if c.get("risk_adjust") is not None:
        # + k × (book risk − company risk); NULL when either book has no risk data: no adjustment
        target = f"{target} + coalesce({num(c['risk_adjust'])} * (risk_{c['scope']} - risk_company), 0.0)"
    return f"round9({target})"


def curve_sql(x: str, c: dict) -> str:
    """f(x) for the component's curve as one CASE, one branch per point.

    The branches test `x < next point`, so a value exactly on a point pays that point. Linear pieces
    are written y0 + (x − x0) ÷ (x1 − x0) × (y1 − y0), the same float operations as cscomp's.
    """
    xs = [float(p[0]) for p in c["curve"]]
    ys = [float(p[1]) for p in c["curve"]]
    linear = c["interpolate"] == "linear" and len(xs) > 1

    def piece(i: int) -> str:  # the linear segment from point i to point i + 1
        return (f"{num(ys[i])} + ({x} - {num(xs[i])}) / ({num(xs[i + 1])} - {num(xs[i])}) "
                f"* ({num(ys[i + 1])} - {num(ys[i])})")

    missing = "1.0" if c["on_missing"] == "target" else "0.0"  # undefined metric or attainment
    branches = [f"WHEN {x} IS NULL THEN {missing}", f"WHEN {x} < {num(xs[0])} THEN 0.0"]
    for i in range(len(xs) - 1):
        branches.append(f"WHEN {x} < {num(xs[i + 1])} THEN {piece(i) if linear else num(ys[i])}")
    beyond = piece(len(xs) - 2) if (linear and c["uncapped"]) else num(ys[-1])
    return "CAST(CASE " + " ".join(branches) + f" ELSE {beyond} END AS DOUBLE)"


def tier_bounds_sql(c: dict) -> list[str]:
    """Tier bounds in currency: the up_to amounts, or fractions of the target (rounded to 9 places;
    a target ≤ 0 or undefined makes every bound 0, so the last tier's rate applies)."""
    up_to = [t["up_to"] for t in c["tiers"][:-1]]
    if c.get("target") is None:
        return [f"round9({num(b)})" for b in up_to]  # SPEC rounds currency bounds too
    positive = f"CASE WHEN {c['id']}_target > 0 THEN {c['id']}_target ELSE 0.0 END"
    return [f"round9({positive} * {num(b)})" for b in up_to]


def commission_sql(c: dict) -> str:
    """The commission before its cap and modifiers, on `<id>_amount` with bounds `<id>_b<i>`."""
    cid = c["id"]
    amount = f"{cid}_amount"
    positive = f"greatest({amount}, 0.0)"
    rates = [num(t["rate"]) for t in c["tiers"]]
    bounds = [f"{cid}_b{i}" for i in range(len(rates) - 1)]
    if c["tiering"] == "retroactive":
        # the rate of the highest tier the whole amount passes; exactly on a bound = lower tier
        reached = " ".join(f"WHEN {positive} > {bounds[i]} THEN {rates[i + 1]}" for i in reversed(range(len(bounds))))
        paid = f"(CASE {reached} ELSE {rates[0]} END) * {positive}" if bounds else f"{rates[0]} * {positive}"
    elif c["tiering"] == "marginal":
        # each rate on the part of the amount inside its tier, added in tier order
        lowers = ["0.0", *bounds]
        parts = []
        for i, rate in enumerate(rates):
            top = f"least({positive}, {bounds[i]})" if i < len(bounds) else positive
            parts.append(f"greatest({top} - {lowers[i]}, 0.0) * {rate}")
        paid = " + ".join(parts)
    else:
        raise NotImplementedError(f"tiering {c['tiering']!r}")
    if c["allow_negative"]:
        # a negative amount is a deduction at the first tier's rate (otherwise it pays 0 above)
        paid = f"CASE WHEN {amount} < 0 THEN {rates[0]} * {amount} ELSE {paid} END"
    return paid


def pay_mix_sql(pay_mix: dict | None) -> str:
    """The plan's annual variable (the roster's without a pay_mix)."""
    if pay_mix is None:
        return "annual_variable"
    pct = pay_mix["variable_pct"]
    if isinstance(pct, dict):
        cases = " ".join(f"WHEN {text(seg)} THEN {num(v)}" for seg, v in pct.items())
        pct_sql = f"(CASE segment {cases} END)"
    else:
        pct_sql = num(pct)
    p = f"({pct_sql} / 100.0)"
    if pay_mix.get("hold", "ote") == "ote":
        return f"(annual_base + annual_variable) * {p}"  # OTE kept, variable = OTE × p
    return f"annual_base * {p} / (1.0 - {p})"  # base kept


# --- the query -------------------------------------------------------------------------------


def replay_sql(plan: dict, quarters: list[str]) -> str:
    """One query: a row per replayed (quarter, csm_id) with every component's cents, the cap
    adjustment and the proposed payout. CTEs, top to bottom, one step of SPEC each:

    replayed    who is replayed: owns an accounts row, or has a payouts row, in the quarter
    roster_row  their roster row (a row for the quarter wins over the row with no quarter)
    pay         TV = the plan's annual variable / 4 × proration
    per_book    the sums every metric is made of, per CSM book (one GROUP BY over accounts)
    books       ... joined to the replayed CSMs (an empty book sums to 0)
    scoped      team / segment / company books: window sums of their CSMs' sums
    atoms       rounded sums and amount metrics per scope; metrics: ratios and the rest; risks
    targets     targets and modifier factors; multiplied: tier bounds and each component's multiplier
    measured    x (attainment or value) per curve, amount per commission
    earned      f(x) per curve, commission per commission component
    unrounded   payouts before rounding; paid: in cents (0 when inactive); totals and the cap
    """
    window = ", ".join(text(q) for q in quarters)
    components, modifiers = plan["components"], plan["modifiers"]

    # Which (metric, scope) values the plan reads; from them, which sums and atoms each scope needs.
    wanted: set[tuple[str, str]] = set()
    for c in components:
        wanted.add((c["metric"], c["scope"]))
        if isinstance(c.get("target"), dict) and "pct_of_start_arr" in c["target"]:
            wanted.add(("start_arr", c["scope"]))
        if c.get("risk_adjust") is not None:
            wanted |= {("risk", c["scope"]), ("risk", "company")}
    for m in modifiers:
        wanted.add((m["when"]["metric"], m["when"]["scope"]))
    # Custom metrics: each its own book (filtered, windowed) per CSM-quarter, under a prefix k<i>.
    custom = {}
    for name, scope in sorted(wanted):
        if name in plan["custom"]:
            if scope != "csm":
                raise NotImplementedError(f"custom metric {name} at scope {scope}")
            custom[name] = f"k{len(custom)}"
    stats = {scope: [] for scope in SCOPES}  # in STATISTICS order, so the SQL reads the same each run
    atoms = {scope: [] for scope in SCOPES}
    for name, scope in sorted(wanted):
        if name not in custom:
            stats[scope] += NEEDS[name][0]
            atoms[scope] += NEEDS[name][1]
    stats = {scope: [st for st in STATISTICS if st in stats[scope]] for scope in SCOPES if stats[scope]}
    atoms = {scope: [a for a in ATOMS if a in atoms[scope]] for scope in stats}
    summed = [st for st in STATISTICS if any(st in needed for needed in stats.values())]

    # books: the CSM's own sums (0 for an empty book); a wider scope's are window sums of those.
    own = [f"CAST(coalesce(b.{st}, 0) AS DOUBLE) AS csm__{st}" for st in summed]
    pooled = []
    for scope in [s for s in stats if s != "csm"]:
        partition = "quarter" if scope == "company" else f"quarter, {scope}"
        pooled += [f"fsum(csm__{st}) OVER (PARTITION BY {partition}) AS {scope}__{st}" for st in stats[scope]]

    atom_cols = [f"{atom_sql(atom, scope, plan['credit'])} AS m_{atom}_{scope}"
                 for scope in atoms for atom in atoms[scope]]
    metric_cols = [f"{risk_sql(scope)} AS risk_{scope}" if name == "risk" else
                   f"{compound_sql(name, scope)} AS m_{name}_{scope}"
                   for name, scope in sorted(wanted) if name not in ATOMS and name not in custom]
    custom_sql, custom_cols = [], []
    for name, prefix in custom.items():
        d = plan["custom"][name]
        custom_sql.append(custom_ctes(prefix, d, quarters))
        custom_cols += [f"CAST(coalesce(c_{prefix}.{prefix}__{st}, 0) AS DOUBLE) AS {prefix}__{st}"
                        for st in custom_stats(d)]
        if d["base"] == "column":
            metric_cols.append(f"{column_metric_sql(prefix, d)} AS m_{name}_csm")
        else:
            base_atoms = NEEDS[d["base"]][1]
            atom_cols += [f"{atom_sql(atom, prefix, plan['credit'])} AS m_{atom}_{prefix}" for atom in base_atoms]
            formula = f"m_{d['base']}_{prefix}" if d["base"] in ATOMS else compound_sql(d["base"], prefix)
            metric_cols.append(f"{formula} AS m_{name}_csm")
    joins = "".join(f"\n        LEFT JOIN {prefix} c_{prefix} USING (quarter, csm_id)" for prefix in custom.values())

    # Targets and modifier factors; then tier bounds (they read the target) and each component's
    # multiplier (the product of the factors of the modifiers that apply to it, in plan order).
    target_cols, factor_cols, bound_cols, multiplier_cols = [], [], [], []
    for c in components:
        t = target_sql(c)
        target_cols.append(f"{t if t else 'NULL::DOUBLE'} AS {c['id']}_target")
        if c["kind"] == "commission":
            bound_cols += [f"{b} AS {c['id']}_b{i}" for i, b in enumerate(tier_bounds_sql(c))]
    for m in modifiers:
        w = m["when"]
        value = f"m_{w['metric']}_{w['scope']}"
        holds = [f"{value} IS NOT NULL"]  # an undefined metric: the modifier does not apply
        if w.get("below") is not None:
            holds.append(f"{value} < {num(w['below'])}")
        if w.get("at_least") is not None:
            holds.append(f"{value} >= {num(w['at_least'])}")
        factor_cols.append(f"CASE WHEN {' AND '.join(holds)} THEN {num(m['multiply'])} ELSE 1.0 END AS {m['id']}_factor")
    for c in components:
        factors = [f"{m['id']}_factor" for m in modifiers if c["id"] in m["applies_to"]]
        multiplier_cols.append(f"CAST({' * '.join(['1.0', *factors])} AS DOUBLE) AS {c['id']}_multiplier")

    # What each component measures (x for a curve, the amount for a commission), what that earns
    # (the curve's f(x), the commission), the payout before rounding, and the payout in cents.
    measure_cols, earn_cols, payout_cols, cents_cols = [], [], [], []
    for c in components:
        cid, value = c["id"], f"m_{c['metric']}_{c['scope']}"
        if c["kind"] == "curve":
            if c["measure"] == "value":
                measure_cols.append(f"{value} AS {cid}_x")
            else:  # attainment, defined only when the target is > 0
                measure_cols.append(f"round9(CASE WHEN {cid}_target > 0 THEN {value} / {cid}_target END) AS {cid}_x")
            earn_cols.append(f"{curve_sql(f'{cid}_x', c)} AS {cid}_fraction")
            payout_cols.append(f"target_variable * {num(c['weight'])} * {cid}_fraction * {cid}_multiplier AS {cid}_payout")
        else:
            measure_cols.append(f"coalesce({value}, 0.0) AS {cid}_amount")
            earn_cols.append(f"{commission_sql(c)} AS {cid}_commission")
            earned = f"{cid}_commission"
            if c.get("cap") is not None:
                earned = f"least({earned}, {num(c['cap'])})"  # the component's cap, before modifiers
            payout_cols.append(f"{earned} * {cid}_multiplier AS {cid}_payout")
        active = f"quarter IN ({', '.join(text(q) for q in c['quarters'])})" if c.get("quarters") else "true"
        cents_cols.append(f"CASE WHEN {active} THEN cents({cid}_payout) ELSE 0 END AS {cid}_cents")

    total = " + ".join(f"{c['id']}_cents" for c in components) or "0"
    if plan["cap"] is not None:
        cap_adjustment = f"least(cents({num(plan['cap'])} * target_variable) - components_cents, 0)"
    else:
        cap_adjustment = "0"

    def cols(items: list[str]) -> str:
        return "".join(f",\n               {i}" for i in items)

    sums = [f"{STATISTICS[st]} AS {st}" for st in summed]
    quarter_first = "make_date(CAST(left(r.quarter, 4) AS INTEGER), 3 * CAST(right(r.quarter, 1) AS INTEGER) - 2, 1)"
    return f"""
WITH replayed AS (
        SELECT DISTINCT quarter, csm_id FROM accounts WHERE quarter IN ({window})
        UNION
        SELECT DISTINCT quarter, csm_id FROM payouts WHERE quarter IN ({window})
), roster_row AS (
        -- a roster row for the quarter wins over the row with no quarter
        SELECT r.quarter, r.csm_id, g.csm_id IS NOT NULL OR s.csm_id IS NOT NULL AS on_roster,
               CASE WHEN s.csm_id IS NOT NULL THEN s.segment ELSE g.segment END AS segment,
               CASE WHEN s.csm_id IS NOT NULL THEN s.team ELSE g.team END AS team,
               CASE WHEN s.csm_id IS NOT NULL THEN s.annual_base ELSE g.annual_base END AS annual_base,
               CASE WHEN s.csm_id IS NOT NULL THEN s.annual_variable ELSE g.annual_variable END AS annual_variable,
               CASE WHEN s.csm_id IS NOT NULL THEN s.start_date ELSE g.start_date END AS start_date,
               CASE WHEN s.csm_id IS NOT NULL THEN s.end_date ELSE g.end_date END AS end_date,
               {quarter_first} AS first_day,
               CAST({quarter_first} + INTERVAL 3 MONTH AS DATE) - 1 AS last_day
        FROM replayed r
        LEFT JOIN roster s ON s.csm_id = r.csm_id AND s.quarter = r.quarter
        LEFT JOIN roster g ON g.csm_id = r.csm_id AND g.quarter IS NULL
), pay AS (
        -- proration: share of the quarter's days inside [start_date, end_date], both ends counted
        SELECT quarter, csm_id, on_roster, segment, team,
               {pay_mix_sql(plan['pay_mix'])} / 4 * (
                   CAST(greatest(least(coalesce(end_date, last_day), last_day)
                                 - greatest(coalesce(start_date, first_day), first_day) + 1, 0) AS DOUBLE)
                   / CAST(last_day - first_day + 1 AS DOUBLE)) AS target_variable
        FROM roster_row
), per_book AS (
        SELECT quarter, csm_id{cols(sums)}
        FROM accounts WHERE quarter IN ({window})
        GROUP BY quarter, csm_id
), {"".join(c + ", " for c in custom_sql)}books AS (
        SELECT p.*{cols(own + custom_cols)}
        FROM pay p LEFT JOIN per_book b USING (quarter, csm_id){joins}
), scoped AS (
        -- a team/segment/company book is the union of the books of the CSMs replayed that quarter
        SELECT *{cols(pooled)}
        FROM books
), atoms AS (
        SELECT *{cols(atom_cols)}
        FROM scoped
), metrics AS (
        SELECT *{cols(metric_cols)}
        FROM atoms
), targets AS (
        SELECT *{cols(target_cols + factor_cols)}
        FROM metrics m
), multiplied AS (
        SELECT *{cols(bound_cols + multiplier_cols)}
        FROM targets
), measured AS (
        SELECT *{cols(measure_cols)}
        FROM multiplied
), earned AS (
        SELECT *{cols(earn_cols)}
        FROM measured
), unrounded AS (
        SELECT *{cols(payout_cols)}
        FROM earned
), paid AS (
        SELECT quarter, csm_id, on_roster, target_variable{cols(cents_cols)}
        FROM unrounded
), totals AS (
        SELECT *, {total} AS components_cents FROM paid
)
SELECT *, {cap_adjustment} AS cap_adjustment_cents,
       components_cents + {cap_adjustment} AS proposed_cents
FROM totals
ORDER BY quarter, csm_id
"""


def replay_duckdb(data_dir: Path, plan_path: Path, quarters: list[str], con=None) -> tuple[list[str], list[tuple]]:
    """Run the replay query: (column names, rows). Loads the data first unless `con` is given."""
    con = load_duckdb(data_dir, plan_path) if con is None else con
    plan = read_plan(plan_path)
    con.execute(MACROS)
    result = con.execute(replay_sql(plan, [_quarter_label(q) for q in quarters]))
    names = [d[0] for d in result.description]
    rows = result.fetchall()
    off = [r for r in rows if not r[names.index("on_roster")]]
    if off:
        raise ValueError(f"{len(off)} replayed CSM-quarter(s) have no roster row, e.g. {off[0][1]} in {off[0][0]}")
    return names, rows


def payouts_duckdb(data_dir: Path, plan_path: Path, quarters: list[str], con=None) -> dict[tuple[str, str], int]:
    """The proposed variable payout, in integer cents after the plan cap, per replayed (quarter, csm_id)."""
    names, rows = replay_duckdb(data_dir, plan_path, quarters, con)
    q, c, p = names.index("quarter"), names.index("csm_id"), names.index("proposed_cents")
    return {(row[q], row[c]): int(row[p]) for row in rows}


def last_quarters(con, count: int) -> list[str]:
    """The last `count` distinct quarters of accounts.csv, as `cscomp --quarters N` picks them."""
    present = [q for (q,) in con.execute("SELECT DISTINCT quarter FROM accounts ORDER BY quarter").fetchall()]
    return present[-count:]


# --- command line ----------------------------------------------------------------------------


def _cscomp_rows(data_dir: Path, plan_path: Path, count: int) -> list[dict]:
    exe = Path(sys.executable).with_name("cscomp")
    exe = str(exe) if exe.exists() else shutil.which("cscomp")
    done = subprocess.run([exe, "stress-test", str(plan_path), "--data", str(data_dir), "--quarters", str(count),
                           "--format", "json"], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"cscomp stress-test failed (exit {done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)["rows"]


def _to_cents(amount: float) -> int:
    return int(round(amount * 100))  # cscomp prints cents as exact 2-decimal floats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Replay the benchmark plan in DuckDB SQL.")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--plan", type=Path, default=DEFAULT_PLAN)
    parser.add_argument("--quarters", type=int, default=8, help="the last N quarters of accounts.csv")
    parser.add_argument("--check", action="store_true", help="compare with cscomp stress-test --format json")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    con = load_duckdb(args.data_dir)
    loaded = time.perf_counter()
    quarters = last_quarters(con, args.quarters)
    names, rows = replay_duckdb(args.data_dir, args.plan, quarters, con)
    computed = time.perf_counter()
    proposed = {(r[0], r[1]): int(r[names.index("proposed_cents")]) for r in rows}
    total = sum(proposed.values())
    print(f"{len(proposed)} CSM-quarters in {quarters[0]}..{quarters[-1]}, proposed total {total / 100:,.2f}")
    print(f"load {loaded - started:.3f} s, compute {computed - loaded:.3f} s")
    if not args.check:
        return 0

    truth = _cscomp_rows(args.data_dir, args.plan, args.quarters)
    component_ids = [c["id"] for c in read_plan(args.plan)["components"]]
    mine = {(r[0], r[1]): dict(zip(names, r)) for r in rows}
    mismatches = []
    for t in truth:
        key = (t["quarter"], t["csm_id"])
        ours = mine.get(key)
        if ours is None:
            mismatches.append(f"{key}: missing here")
            continue
        diffs = [f"{cid} {ours[f'{cid}_cents']} vs {_to_cents(t['components'][cid]['payout'])}"
                 for cid in component_ids if ours[f"{cid}_cents"] != _to_cents(t["components"][cid]["payout"])]
        if ours["proposed_cents"] != _to_cents(t["proposed"]):
            diffs.append(f"proposed {ours['proposed_cents']} vs {_to_cents(t['proposed'])}")
        if diffs:
            mismatches.append(f"{key}: " + "; ".join(diffs))
    extra = set(mine) - {(t["quarter"], t["csm_id"]) for t in truth}
    mismatches += [f"{key}: not replayed by cscomp" for key in sorted(extra)]
    print(f"check against cscomp: {len(truth)} CSM-quarters compared, {len(mismatches)} mismatches")
    for line in mismatches[:20]:
        print("  " + line)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
