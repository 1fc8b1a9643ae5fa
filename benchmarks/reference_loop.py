"""The straightforward per-row pure-Python loop an analyst would write: the benchmark's baseline.

    python benchmarks/reference_loop.py DATA_DIR                 # CSM-quarters and proposed total
    python benchmarks/reference_loop.py DATA_DIR --check         # ... and compare with cscomp, to the cent

It replays benchmarks/plan_all.yaml (or --plan) exactly as SPEC sections 1-3 and 5.3 say (custom
metrics: column aggregates, filters, trailing windows folded per account), with nothing but
csv.DictReader, dicts and for-loops over account rows: no pandas, no numpy, nothing from cscomp_cli.
It follows the plan's YAML (components, modifiers, targets, tiers) rather than hard-coding numbers,
but only supports what the benchmark data needs: plain values (2025Q1, 1234.5, yes/no), no input
validation, and none of the reporting (actuals, deltas, top performers).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_PLAN = HERE / "plan_all.yaml"

# --------------------------------------------------------------------------------------------
# Rounding (SPEC "Numbers, rounding and the cap")
# --------------------------------------------------------------------------------------------


def round9(x: float | None) -> float | None:
    """Round to 9 decimals, halves away from zero; None (undefined) stays None.

    Same float recipe as cscomp so both sides of the comparison see the same value; beyond 2**53
    a float has no fractional digits left, so it is kept as it is.
    """
    if x is None:
        return None
    if abs(x) * 1e9 >= 2.0**53:
        return x
    return math.copysign(math.floor(abs(x) * 1e9 + 0.5) / 1e9, x) + 0.0


def to_cents(x: float) -> int:
    """An amount to integer cents: first to 6 decimals, then to cents, halves away from zero."""
    micros = math.floor(abs(x) * 1e6 + 0.5)
    cents = (micros + 5_000) // 10_000
    return -cents if x < 0 else cents


# --------------------------------------------------------------------------------------------
# Reading the data folder
# --------------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows as dicts; header names lower-cased and trimmed, cells trimmed (SPEC section 1)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
        return [{key: (value or "").strip() for key, value in row.items()} for row in reader]


def amount(text: str) -> float:
    return float(text) if text else 0.0


def optional_number(text: str) -> float | None:
    """nps / health / risk: a blank cell is absent, not zero."""
    return float(text) if text else None


def boolean(text: str) -> bool:
    return text.lower() in ("yes", "y", "true", "1")


def quarter_bounds(label: str) -> tuple[date, date]:
    """2025Q3 -> (1 July 2025, 30 September 2025): calendar quarters."""
    year, q = int(label[:4]), int(label[5])
    first = date(year, 3 * (q - 1) + 1, 1)
    after = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return first, after - timedelta(days=1)


def proration(roster_row: dict[str, str], label: str) -> float:
    """Share of the quarter's calendar days inside [start_date, end_date], both ends counted."""
    first, last = quarter_bounds(label)
    start = date.fromisoformat(roster_row["start_date"]) if roster_row.get("start_date") else first
    end = date.fromisoformat(roster_row["end_date"]) if roster_row.get("end_date") else last
    inside = (min(end, last) - max(start, first)).days + 1
    return max(inside, 0) / ((last - first).days + 1)


# --------------------------------------------------------------------------------------------
# Metrics over a book (SPEC section 2): one pass over the book's rows
# --------------------------------------------------------------------------------------------


def book_metrics(rows: list[dict], credit: dict[str, float]) -> dict[str, float | None]:
    """Every metric of the book (None where undefined), plus its risk (unrounded, as SPEC says)."""
    start = retained = nrr_numerator = 0.0
    expansion = cross_sell = contraction = churn = renewed = 0.0
    renew_start = renew_due_start = 0.0
    base_rows = base_alive = 0
    promoters = detractors = answers = 0
    health_sum, health_count = 0.0, 0
    risk_weighted = risk_start = 0.0
    for row in rows:
        expansion += row["expansion"]
        cross_sell += row["cross_sell"]
        contraction += row["contraction"]
        churn += row["churn"]
        kept = row["arr_start"] - row["contraction"] - row["churn"]
        if row["renewal_due"]:
            renew_due_start += row["arr_start"]
            if row["renewed"]:
                renew_start += row["arr_start"]
                renewed += kept
        if row["arr_start"] > 0:  # the retention base
            start += row["arr_start"]
            retained += kept
            nrr_numerator += kept + row["expansion"] + row["cross_sell"]
            base_rows += 1
            base_alive += row["arr_end"] > 0
            if row["risk"] is not None:
                risk_weighted += row["risk"] * row["arr_start"]
                risk_start += row["arr_start"]
        if row["nps"] is not None:
            answers += 1
            promoters += row["nps"] >= 9
            detractors += row["nps"] <= 6
        if row["health"] is not None:
            health_sum += row["health"]
            health_count += 1

    # Every value is rounded to 9 decimals as soon as it is computed; later steps use the rounded one.
    m: dict[str, float | None] = {}
    m["start_arr"] = round9(start)
    m["expansion_arr"] = round9(credit.get("expansion", 1.0) * expansion)
    m["cross_sell_arr"] = round9(credit.get("cross_sell", 1.0) * cross_sell)
    m["gross_expansion"] = round9(m["expansion_arr"] + m["cross_sell_arr"])
    m["contraction_arr"] = round9(contraction)
    m["churn_arr"] = round9(churn)
    m["net_expansion"] = round9(m["gross_expansion"] - m["contraction_arr"] - m["churn_arr"])
    m["retained_arr"] = round9(retained)
    m["renewed_arr"] = round9(renewed)
    # Ratios divide by start_arr as the (rounded) metric; other sums are not metrics, used as summed.
    m["nrr"] = round9(nrr_numerator / m["start_arr"]) if m["start_arr"] else None
    m["grr"] = round9(m["retained_arr"] / m["start_arr"]) if m["start_arr"] else None
    m["logo_retention"] = round9(base_alive / base_rows) if base_rows else None
    m["renewal_rate"] = round9(renew_start / renew_due_start) if renew_due_start else None
    m["nps"] = round9(100 * (promoters - detractors) / answers) if answers else None
    m["health"] = round9(health_sum / health_count) if health_count else None
    m["accounts"] = float(len(rows))
    m["risk"] = risk_weighted / risk_start if risk_start else None
    return m


# --------------------------------------------------------------------------------------------
# Custom metrics (SPEC 5.3): filters, column aggregates, trailing windows
# --------------------------------------------------------------------------------------------


def quarter_ordinal(label: str) -> int:
    """2025Q3 -> 2025 × 4 + 2: consecutive quarters are consecutive integers."""
    return int(label[:4]) * 4 + int(label[5]) - 1


def resolve(name: str, metrics: dict) -> dict:
    """A custom metric down to its base formula (a built-in, or "column"), its chain's filters and window."""
    top, filters, window, spec = name, [], None, metrics.get(name)
    while spec is not None:
        filters += spec.get("filter") or []
        window = window or spec.get("window")
        if "column" in spec:
            return {"name": top, "base": "column", "column": spec["column"], "aggregate": spec["aggregate"],
                    "where": spec.get("where") or {}, "filters": filters, "window": window}
        name, spec = spec["from"], metrics.get(spec["from"])
    return {"name": top, "base": name, "filters": filters, "window": window}


def _folded(text: str) -> str:
    return text.strip().casefold()


def passes(raw: dict[str, str], condition: dict) -> bool:
    """One filter condition on a row's raw cell. A blank cell is in no `in` list, in every `not_in`
    list, and fails `equals` and every numeric test."""
    cell = raw.get(condition["column"], "").strip()
    if "not_in" in condition:
        values = condition["not_in"]
    elif "in" in condition:
        values = condition["in"]
    elif "equals" in condition:
        values = [condition["equals"]]
    else:  # at_least / below: a number
        if not cell:
            return False
        value = float(cell)
        return (("at_least" not in condition or value >= condition["at_least"])
                and ("below" not in condition or value < condition["below"]))
    if not cell:
        hit = False
    elif isinstance(values[0], bool):
        hit = boolean(cell) in values
    elif isinstance(values[0], (int, float)):
        hit = float(cell) in [float(v) for v in values]
    else:
        hit = _folded(cell) in {_folded(str(v)) for v in values}
    return not hit if "not_in" in condition else hit


def cell_value(text: str) -> float | None:
    """A column metric's cell: a number, yes/no as 1/0, blank = no value."""
    if not text:
        return None
    lowered = text.lower()
    if lowered in ("yes", "no", "true", "false", "y", "n"):
        return 1.0 if lowered in ("yes", "true", "y") else 0.0
    return float(text)


def column_metric(rows: list[dict], d: dict) -> float | None:
    """mean / sum / min / max / count / arr_weighted_mean / share of the rows that have a value."""
    pairs = [(v, row["arr_start"]) for row in rows if (v := cell_value(row["raw"].get(d["column"], ""))) is not None]
    values = [v for v, _ in pairs]
    aggregate = d["aggregate"]
    if aggregate == "sum":
        return round9(sum(values))
    if aggregate == "count":
        return float(len(values))
    if not values:
        return None
    if aggregate == "mean":
        return round9(sum(values) / len(values))
    if aggregate == "min":
        return round9(min(values))
    if aggregate == "max":
        return round9(max(values))
    if aggregate == "arr_weighted_mean":
        weight = sum(start for _, start in pairs if start > 0)
        return round9(sum(v * start for v, start in pairs if start > 0) / weight) if weight else None
    if aggregate == "share":
        where = d["where"]
        inside = sum(1 for v in values if ("at_least" not in where or v >= where["at_least"])
                     and ("below" not in where or v < where["below"]))
        return round9(inside / len(values))
    raise NotImplementedError(f"aggregate {aggregate!r}")


def custom_value(d: dict, in_book, q: str, history: dict, first_ordinal: int, credit: dict):
    """A custom metric of a scope's book in quarter q; in_book(ordinal, owner) says whether the owner's
    rows in that quarter are part of the scope's book then (by that quarter's roster).

    Without a window this is the quarter's book, rows failing the filter left out. With one, the
    book is every account that is in the scope's book in some quarter of the window (by any row, before
    the filter), each folded into one row from its passing rows: arr_start from the window's first
    quarter (0 without a passing row there), movements summed over its passing rows in the window
    whoever owned them; renewal sums, NPS, health and column values read every passing row of those
    accounts in the window. An account none of whose window rows passes is held but folds to nothing.
    """
    end = quarter_ordinal(q)
    first = max(end - (d["window"] or 1) + 1, first_ordinal)
    quarters = range(first, end + 1)

    def ok(row: dict) -> bool:  # the filter, evaluated once per row and metric
        verdicts = row.setdefault("passes", {})
        if d["name"] not in verdicts:
            verdicts[d["name"]] = all(passes(row["raw"], c) for c in d["filters"])
        return verdicts[d["name"]]

    members = {}  # account_id -> None, in the order first met (a set with a stable order)
    for ordinal in quarters:
        for owner in history["owners"].get(ordinal, []):
            if in_book(ordinal, owner):
                for row in history["by_owner"][(ordinal, owner)]:
                    members[row["account_id"]] = None
    kept = {}  # account_id -> its passing rows in the window, by quarter ordinal
    for account in members:
        theirs = history["by_account"][account]
        passing = {o: theirs[o] for o in quarters if o in theirs and ok(theirs[o])}
        if passing:
            kept[account] = passing
    members = {account: None for account in members if account in kept}
    rows = [r for account in members for r in kept[account].values()]
    if d["base"] == "column":
        return column_metric(rows, d)
    folded = []
    for account in members:
        theirs = kept[account]
        start = theirs[first]["arr_start"] if first in theirs else 0.0
        moves = {k: sum(r[k] for r in theirs.values()) for k in ("expansion", "cross_sell", "contraction", "churn")}
        folded.append({"arr_start": start, **moves, "renewal_due": False, "renewed": False, "nps": None,
                       "health": None, "risk": None,
                       "arr_end": start + moves["expansion"] + moves["cross_sell"] - moves["contraction"]
                       - moves["churn"]})
    m = book_metrics(folded, credit)
    every = book_metrics(rows, credit)  # renewal sums, NPS answers and health values: every row
    for name in ("renewal_rate", "renewed_arr", "nps", "health"):
        m[name] = every[name]
    return m[d["base"]]


# --------------------------------------------------------------------------------------------
# Plan pieces: targets, curves, commissions
# --------------------------------------------------------------------------------------------


def component_target(spec, book: dict, segment: str, company_risk, risk_adjust, quota) -> float | None:
    """The component's target for one CSM-quarter (None where undefined), risk-adjusted."""
    if spec is None:
        return None
    if isinstance(spec, dict) and "pct_of_start_arr" in spec:
        target = round9(book["start_arr"] * spec["pct_of_start_arr"])
    elif isinstance(spec, dict) and spec.get("by") == "segment":
        target = round9(float(spec["values"].get(segment, spec.get("default"))))
    elif spec == "quotas":
        target = round9(quota)
    else:
        target = round9(float(spec))
    # risk_adjust: k × (book risk − company risk), skipped when either has no risk data.
    if risk_adjust and book["risk"] is not None and company_risk is not None:
        target = round9(target + risk_adjust * (book["risk"] - company_risk))
    return target


def curve_fraction(x: float | None, points, interpolate: str, uncapped: bool, on_missing: str) -> float:
    """f(x): 0 below the first point, linear or step in between, flat (or sloped) after the last."""
    if x is None:
        return 1.0 if on_missing == "target" else 0.0
    if x < points[0][0]:
        return 0.0
    below = 0  # index of the highest point at or below x
    for i, (px, _) in enumerate(points):
        if px <= x:
            below = i
    if interpolate == "step" or len(points) == 1:
        return float(points[below][1])
    if below == len(points) - 1 and not uncapped:
        return float(points[-1][1])
    seg = min(below, len(points) - 2)  # beyond the last point, continue the last segment
    (x0, y0), (x1, y1) = points[seg], points[seg + 1]
    return y0 + (x - x0) / (x1 - x0) * (y1 - y0)


def commission_amount(value: float, tiers, bounds, tiering: str, allow_negative: bool) -> float:
    """Commission on an amount, marginal or retroactive; negatives pay 0 unless allowed."""
    rates = [float(t["rate"]) for t in tiers]
    if value < 0:
        return rates[0] * value if allow_negative else 0.0
    if tiering == "retroactive":
        reached = sum(1 for bound in bounds if value > bound)  # exactly on a bound: lower tier
        return rates[reached] * value
    paid, lower = 0.0, 0.0
    for rate, upper in zip(rates, bounds + [math.inf]):
        paid += max(min(value, upper) - lower, 0.0) * rate
        lower = upper
    return paid


def in_band(value: float | None, when: dict) -> bool:
    """A modifier's condition; an undefined metric means the modifier does not apply."""
    if value is None:
        return False
    if "below" in when and not value < when["below"]:
        return False
    if "at_least" in when and not value >= when["at_least"]:
        return False
    return True


# --------------------------------------------------------------------------------------------
# The replay
# --------------------------------------------------------------------------------------------


def payouts_loop(data_dir: Path, plan_path: Path, quarters: list[str]) -> dict[tuple[str, str], int]:
    """Proposed variable payout in integer cents (after the plan cap) per replayed (quarter, csm_id)."""
    plan = yaml.safe_load(Path(plan_path).read_text(encoding="utf-8"))
    wanted = set(quarters)
    credit = plan.get("credit") or {}

    custom = {name: resolve(name, plan.get("metrics") or {}) for name in plan.get("metrics") or {}}

    # accounts.csv: each quarter's books, csm_id -> its rows, parsed once; with custom metrics, every
    # quarter's rows (a window looks back before the replayed quarters) with their raw cells.
    books: dict[str, dict[str, list[dict]]] = {q: {} for q in quarters}
    # (ordinal, csm_id) -> rows; account -> rows; ordinal -> its owners and its quarter label
    history: dict[str, dict] = {"by_owner": {}, "by_account": {}, "owners": {}, "labels": {}}
    first_ordinal = None
    for raw in read_csv(Path(data_dir) / "accounts.csv"):
        q = raw["quarter"]
        ordinal = quarter_ordinal(q)
        first_ordinal = ordinal if first_ordinal is None else min(first_ordinal, ordinal)
        if q not in wanted and not custom:
            continue
        row = {
            "arr_start": amount(raw["arr_start"]),
            "expansion": amount(raw["expansion"]),
            "cross_sell": amount(raw.get("cross_sell", "")),
            "contraction": amount(raw["contraction"]),
            "churn": amount(raw["churn"]),
            "renewal_due": boolean(raw.get("renewal_due", "")),
            "renewed": boolean(raw.get("renewed", "")),
            "nps": optional_number(raw.get("nps", "")),
            "health": optional_number(raw.get("health", "")),
            "risk": optional_number(raw.get("risk", "")),
        }
        # A blank arr_end is derived; rounded so a float residue (0.1 + 0.2 − 0.3) is not a live logo.
        derived = round9(row["arr_start"] + row["expansion"] + row["cross_sell"] - row["contraction"] - row["churn"])
        row["arr_end"] = amount(raw["arr_end"]) if raw.get("arr_end") else derived
        if custom:
            row.update(raw=raw, account_id=raw["account_id"], csm_id=raw["csm_id"])
            if (ordinal, raw["csm_id"]) not in history["by_owner"]:
                history["owners"].setdefault(ordinal, []).append(raw["csm_id"])
                history["labels"][ordinal] = q
            history["by_owner"].setdefault((ordinal, raw["csm_id"]), []).append(row)
            history["by_account"].setdefault(raw["account_id"], {})[ordinal] = row
        if q in wanted:
            books[q].setdefault(raw["csm_id"], []).append(row)

    # Who is replayed: an accounts row or a payouts row in the quarter.
    replayed: dict[str, set[str]] = {q: set(books[q]) for q in quarters}
    for raw in read_csv(Path(data_dir) / "payouts.csv"):
        if raw["quarter"] in wanted:
            replayed[raw["quarter"]].add(raw["csm_id"])

    # roster.csv: a row for the quarter wins over a row with no quarter.
    roster: dict[tuple[str, str], dict[str, str]] = {}
    for raw in read_csv(Path(data_dir) / "roster.csv"):
        roster[(raw["csm_id"], raw.get("quarter", ""))] = raw

    quotas: dict[tuple[str, str, str], float] = {}
    if (Path(data_dir) / "quotas.csv").exists():
        for raw in read_csv(Path(data_dir) / "quotas.csv"):
            quotas[(raw["quarter"], raw["csm_id"], raw["component"])] = amount(raw["target"])

    pay_mix = plan.get("pay_mix")
    components = plan["components"]
    modifiers = plan.get("modifiers") or []
    result: dict[tuple[str, str], int] = {}

    for q in quarters:
        csms = sorted(replayed[q])
        people = {csm: roster.get((csm, q)) or roster[(csm, "")] for csm in csms}

        # Scope books: the union of the books of the CSMs replayed this quarter sharing the
        # roster team / segment, or everybody. Metrics computed once per book and cached.
        cache: dict[tuple[str, str], dict] = {}

        def scope_key(scope: str, csm: str) -> str:
            """Which scope book the CSM belongs to: themselves, their team, their segment, or all."""
            if scope == "csm":
                return csm
            if scope == "company":
                return ""
            return people[csm].get(scope, "")  # roster team / segment

        def metrics_for(scope: str, csm: str) -> dict:
            key = (scope, scope_key(scope, csm))
            if key not in cache:
                if scope == "csm":
                    rows = books[q].get(csm, [])
                else:
                    rows = []
                    for other in csms:
                        if scope_key(scope, other) == key[1]:
                            rows.extend(books[q].get(other, []))
                cache[key] = book_metrics(rows, credit)
            return cache[key]

        def value_for(name: str, scope: str, csm: str):
            """A metric of the CSM's scope book: built-in from the cached sums, custom computed once."""
            if name not in custom:
                return metrics_for(scope, csm)[name]
            key = (scope, scope_key(scope, csm), name)
            if key not in cache:
                def in_book(ordinal: int, owner: str, scope=scope, wanted=key[1]) -> bool:
                    """Whether the owner's rows in that quarter are in this scope's book, by its roster."""
                    if scope == "csm":
                        return owner == wanted
                    if scope == "company":
                        return True
                    person = roster.get((owner, history["labels"][ordinal])) or roster.get((owner, ""))
                    return person is not None and person.get(scope, "") == wanted

                cache[key] = custom_value(custom[name], in_book, q, history, first_ordinal, credit)
            return cache[key]

        for csm in csms:
            person = people[csm]
            segment = person["segment"]
            company_risk = metrics_for("company", csm)["risk"]

            # TV: annual variable / 4 × proration, after the plan's pay mix.
            base, variable = amount(person["annual_base"]), amount(person["annual_variable"])
            if pay_mix:
                pct = pay_mix["variable_pct"]
                p = float(pct[segment] if isinstance(pct, dict) else pct) / 100
                if pay_mix.get("hold", "ote") == "ote":
                    variable = (base + variable) * p
                else:
                    variable = base * p / (1 - p)
            tv = variable / 4 * proration(person, q)

            # Modifiers: the product of every modifier whose condition holds, per component id.
            multiplier = {c["id"]: 1.0 for c in components}
            for modifier in modifiers:
                when = modifier["when"]
                value = value_for(when["metric"], when.get("scope", "csm"), csm)
                if in_band(value, when):
                    applies = modifier.get("applies_to", "all")
                    for c in components:
                        if applies == "all" or c["id"] in applies:
                            multiplier[c["id"]] *= float(modifier["multiply"])

            total = 0
            for c in components:
                if "quarters" in c and q not in c["quarters"]:
                    continue  # a floating component not active this quarter pays 0
                book = metrics_for(c.get("scope", "csm"), csm)
                value = value_for(c["metric"], c.get("scope", "csm"), csm)
                target = component_target(
                    c.get("target"), book, segment, company_risk, c.get("risk_adjust"),
                    quotas.get((q, csm, c["id"])),
                )
                if c.get("kind", "curve") == "curve":
                    if c.get("measure", "attainment") == "value":
                        x = value
                    elif value is not None and target is not None and target > 0:
                        x = round9(value / target)
                    else:
                        x = None
                    f = curve_fraction(x, c["curve"], c.get("interpolate", "linear"),
                                       c.get("uncapped", False), c.get("on_missing", "zero"))
                    total += to_cents(tv * float(c["weight"]) * f * multiplier[c["id"]])
                else:
                    tiers = c.get("tiers") or [{"rate": c["rate"]}]
                    if "target" in c:  # bounds are fractions of the target; none when it is ≤ 0
                        defined = target is not None and target > 0
                        bounds = [round9(target * t["up_to"]) if defined else 0.0 for t in tiers[:-1]]
                    else:
                        bounds = [round9(float(t["up_to"])) for t in tiers[:-1]]
                    paid = commission_amount(value, tiers, bounds, c.get("tiering", "marginal"),
                                             c.get("allow_negative", False))
                    if "cap" in c:
                        paid = min(paid, float(c["cap"]))
                    total += to_cents(paid * multiplier[c["id"]])

            # The plan cap lowers the sum of rounded components to round(cap × TV).
            if "cap" in plan:
                total = min(total, to_cents(float(plan["cap"]) * tv))
            result[(q, csm)] = total
    return result


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def last_quarters(data_dir: Path, count: int) -> list[str]:
    """The last ``count`` distinct quarters of accounts.csv, as cscomp's --quarters picks them."""
    present = sorted({row["quarter"] for row in read_csv(Path(data_dir) / "accounts.csv")})
    return present[-count:]


def default_cscomp() -> str:
    """cscomp next to this Python (same virtualenv), else the one on PATH."""
    beside = Path(sys.executable).parent / "cscomp"
    return str(beside) if beside.exists() else shutil.which("cscomp") or "cscomp"


def cscomp_proposed(data_dir: Path, plan_path: Path, count: int, cscomp: str) -> dict[tuple[str, str], int]:
    """cscomp's own answer: stress-test --format json, proposed per (quarter, csm_id) in cents."""
    completed = subprocess.run(
        [cscomp, "stress-test", str(plan_path), "--data", str(data_dir), "--quarters", str(count), "--format", "json"],
        capture_output=True, text=True, check=False,
    )
    if completed.returncode not in (0, 1):  # 1 = a guardrail breached, the JSON is still written
        sys.exit(f"cscomp failed ({completed.returncode}):\n{completed.stderr}")
    document = json.loads(completed.stdout)
    return {(row["quarter"], row["csm_id"]): round(row["proposed"] * 100) for row in document["rows"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--plan", type=Path, default=DEFAULT_PLAN)
    parser.add_argument("--quarters", type=int, default=8, help="replay the last N quarters (default 8)")
    parser.add_argument("--check", action="store_true", help="compare with cscomp stress-test --format json")
    parser.add_argument("--cscomp", default=default_cscomp(), help="the cscomp executable")
    args = parser.parse_args(argv)

    quarters = last_quarters(args.data_dir, args.quarters)
    started = time.perf_counter()
    mine = payouts_loop(args.data_dir, args.plan, quarters)
    elapsed = time.perf_counter() - started
    print(f"{len(mine):,} CSM-quarters, proposed total ${sum(mine.values()) / 100:,.2f} ({elapsed:.2f} s)")
    if not args.check:
        return 0

    theirs = cscomp_proposed(args.data_dir, args.plan, args.quarters, args.cscomp)
    mismatches = [key for key in sorted(set(mine) | set(theirs)) if mine.get(key) != theirs.get(key)]
    for q, csm in mismatches[:20]:
        print(f"  {q} {csm}: loop {mine.get((q, csm))} cscomp {theirs.get((q, csm))} (cents)")
    print(f"compared {len(set(mine) | set(theirs)):,} CSM-quarters with cscomp: {len(mismatches)} mismatches")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
