"""The DuckDB peer end to end: read the CSVs, replay the plan as SQL, write the per-CSM-quarter CSV.

    python benchmarks/duckdb_e2e.py DATA_DIR --output result.csv [--plan PLAN] [-n 8] [--currency]

What an analyst without cscomp would run instead of `cscomp stress-test PLAN --data DATA_DIR -n 8
--format csv --output result.csv`: the SQL is benchmarks/reference_duckdb.py's (the plan's metrics,
targets, curves, tiers, modifiers and cap), plus what was paid (payouts.csv, in cents) and the
delta. The CSV's columns carry cscomp's CSV header names (quarter, csm_id, target_variable,
<component>_payout, cap_adjustment, proposed, actual, delta), amounts with two decimals, so
benchmarks/agreement.py can check the two files cell by cell. --currency reads amount cells written
as $1,234.00 (the "real" variant, benchmarks/real.py): as text, then '$' and ',' dropped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference_duckdb as ref  # noqa: E402


def e2e_sql(plan: dict, quarters: list[str]) -> str:
    """The replay query with what was paid joined in, cents written as amounts with two decimals."""
    window = ", ".join(ref.text(q) for q in quarters)
    money = lambda cents, name: f"CAST(({cents}) / 100.0 AS DECIMAL(18, 2)) AS {name}"  # noqa: E731
    columns = [
        "r.quarter", "r.csm_id", money("cents(r.target_variable)", "target_variable"),
        *[money(f"r.{c['id']}_cents", f"{c['id']}_payout") for c in plan["components"]],
        money("r.cap_adjustment_cents", "cap_adjustment"), money("r.proposed_cents", "proposed"),
        money("coalesce(a.actual_cents, 0)", "actual"),
        money("r.proposed_cents - coalesce(a.actual_cents, 0)", "delta"),
    ]
    return f"""
SELECT {', '.join(columns)}
FROM ({ref.replay_sql(plan, quarters)}) r
LEFT JOIN (SELECT quarter, csm_id, sum(cents(amount)) AS actual_cents FROM payouts
           WHERE quarter IN ({window}) GROUP BY quarter, csm_id) a USING (quarter, csm_id)
ORDER BY r.quarter, r.csm_id
"""


def run(data_dir: Path, output: Path, plan_path: Path = ref.DEFAULT_PLAN, count: int = 8,
        currency: bool = False) -> Path:
    con = ref.load_duckdb(data_dir, plan_path, currency=currency)
    quarters = ref.last_quarters(con, count)
    con.execute(ref.MACROS)
    sql = e2e_sql(ref.read_plan(plan_path), quarters)
    con.execute(f"COPY ({sql}) TO {ref.text(str(output))} (HEADER, DELIMITER ',')")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--output", "-o", type=Path, required=True)
    parser.add_argument("--plan", type=Path, default=ref.DEFAULT_PLAN)
    parser.add_argument("--quarters", "-n", type=int, default=8, help="the last N quarters of accounts.csv")
    parser.add_argument("--currency", action="store_true", help="amount cells may be written $1,234.00")
    args = parser.parse_args(argv)
    run(args.data_dir, args.output, args.plan, args.quarters, args.currency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
