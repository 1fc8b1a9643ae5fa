"""Write a large org for the benchmarks, built on the sample-data generator.

    python benchmarks/generate.py                                   # 2,000 CSMs, 250,000 accounts, 8 quarters
    python benchmarks/generate.py --csms 200 --accounts 25000 --out benchmarks/data/small

About 2 M account-quarter rows at the default size. Deterministic (seeded), so every machine
benchmarks the same data. payouts.csv is what plans/current.yaml pays, as in the sample org.
accounts.csv carries the sample org's extra columns too: a sparse csat (about one account in five
answers a quarter), seats, onboarding_complete and churn_reason, which plan_all.yaml's custom
metrics read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sample_data.generate import write_org  # noqa: E402

DEFAULT_OUT = HERE / "data" / "large"


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csms", type=int, default=2000)
    parser.add_argument("--accounts", type=int, default=250_000)
    parser.add_argument("--quarters", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    write_org(args.out, seed=args.seed, csms=args.csms, accounts=args.accounts, quarters=args.quarters,
              additions=False)  # the org its timings were measured on: no issue-24 people or term_months
    with open(args.out / "accounts.csv", encoding="utf-8") as handle:
        rows = sum(1 for _ in handle) - 1
    print(f"wrote {args.out}: {rows:,} account-quarter rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return args.out


if __name__ == "__main__":
    main()
