"""The "real" variant of a benchmark org: the clean one with its cells written the way real exports write them.

    python benchmarks/real.py benchmarks/data/large benchmarks/data/large_real

Derived from the clean folder (benchmarks/generate.py), deterministically (seeded), so every machine
benchmarks the same cells. The clean org already has NPS answered in about a third of the rows, risk
missing in about a tenth and yes/no renewal flags; this variant also leaves health blank in about
70 % of the rows and writes a few amount cells (accounts.csv's ARR and movements, payouts.csv's
amount) as an accounting export does: "$1,234.00", thousands separated, with cents. Every such cell
reads, in cscomp's canonical reader (docs/data.md, Amounts), as the same number as the clean cell,
so the replay pays exactly what the clean org's replay pays except where health is blank.
roster.csv and quotas.csv are copied as they are. No SAMPLE_ORG.txt: these are not the sample org.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HEALTH_BLANK = 0.70  # share of accounts.csv rows with a blank health cell
CURRENCY = 0.003  # share of each amount column's cells written as $1,234.00
ACCOUNT_AMOUNTS = ("arr_start", "expansion", "cross_sell", "contraction", "churn", "arr_end")
SEED = 13


def currency(cells: pd.Series) -> pd.Series:
    """Plain amounts as an accounting export writes them: $1,234.00, -$1,200.00."""
    values = cells.astype("float64")
    return pd.Series([f"-${-v:,.2f}" if v < 0 else f"${v:,.2f}" for v in values], index=cells.index, dtype=object)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


def _dress(table: pd.DataFrame, columns: tuple[str, ...], rng: np.random.Generator) -> pd.DataFrame:
    """A few non-blank cells of each amount column in currency format (one draw per row and column)."""
    for column in columns:
        if column not in table.columns:
            continue
        pick = (rng.random(len(table)) < CURRENCY) & (table[column].str.strip() != "").to_numpy()
        table.loc[pick, column] = currency(table.loc[pick, column])
    return table


def real_accounts(accounts: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """accounts.csv as a real export: health blank in ~70 % of the rows, a few $1,234.00 amounts."""
    rng = np.random.default_rng(seed)
    accounts = accounts.copy()
    blank = (accounts["health"].str.strip() == "").to_numpy()
    # The clean org leaves a few health cells blank already: blank others until ~70 % are.
    extra = max(HEALTH_BLANK - blank.mean(), 0.0) / max(1.0 - blank.mean(), 1e-9)
    accounts.loc[~blank & (rng.random(len(accounts)) < extra), "health"] = ""
    return _dress(accounts, ACCOUNT_AMOUNTS, rng)


def real_payouts(payouts: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    return _dress(payouts.copy(), ("amount",), np.random.default_rng(seed + 1))


def write_real(clean: Path, out: Path, seed: int = SEED) -> Path:
    """Write the real variant of the org in `clean` to `out`; returns `out`."""
    clean, out = Path(clean), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    real_accounts(_read(clean / "accounts.csv"), seed).to_csv(out / "accounts.csv", index=False, lineterminator="\n")
    real_payouts(_read(clean / "payouts.csv"), seed).to_csv(out / "payouts.csv", index=False, lineterminator="\n")
    for name in ("roster.csv", "quotas.csv"):
        if (clean / name).exists():
            shutil.copyfile(clean / name, out / name)
    return out


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clean", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    out = write_real(args.clean, args.out, args.seed)
    print(f"wrote {out}", file=sys.stderr)
    return out


if __name__ == "__main__":
    main()
