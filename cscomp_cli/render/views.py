"""What the human formats show, derived once from the JSON document: sorted CSMs, per-component
summaries, per-quarter totals. The table and Markdown renderers only format these."""

from __future__ import annotations

from collections import defaultdict

from cscomp_cli.core.currencies import reporting_code
from cscomp_cli.core.formatting import and_joined, money, percent


def value(number: float | None) -> str:
    """A metric's own value for a table cell: 4.21 (a CSAT), 0.784 (a share), 72.4 (a health score)."""
    if number is None:
        return "—"
    return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:.3g}"


# A CSM's curve column averages the quarters (each quarter's attainment counts once, however large
# the book), while performance pools the books; the labels say "mean" so nobody reads one as the other.
SUMMARY_HEADINGS = {"attainment": "mean\nattain.", "value": "mean\nvalue", "commission": "commission"}
SUMMARY_LABELS = {"attainment": "mean attainment", "value": "mean value", "commission": "commission"}
SUMMARY_NOTE = ("{label}: the average of the quarterly attainments; performance (★) is pooled over the "
                "quarters (its formula on all of a CSM's books together)")


def summary_cell(kind: str, number: float | None, currency: str) -> str:
    """One CSM's summary of one component: attainment %, the metric's value, or the commission paid."""
    if kind == "attainment":
        return percent(number, sign=False)
    if kind == "value":
        return value(number)
    return money(number, currency)


def moves_base(document: dict) -> bool:
    """Whether the plan changes anybody's base (a pay_mix): only then do reports show total cash."""
    return any(row.get("base", 0) != row.get("actual_base", 0) for row in document["rows"])


def replayed_span(document: dict) -> str:
    """Which quarters were replayed, and why later ones were not: '2025Q3–2026Q2 (4 quarters); 2026Q3 not
    replayed: no payouts yet (--through 2026Q3 replays it)'. Every human format heads with this line."""
    quarters = document["quarters"]
    if not quarters:
        return "no quarters"
    many = len(quarters) != 1
    span = f"{quarters[0]}–{quarters[-1]} ({len(quarters)} quarters)" if many else f"{quarters[0]} (1 quarter)"
    left = document.get("not_replayed") or []
    if left:
        span += (f"; {and_joined(left)} not replayed: no payouts yet (--through {left[-1]} replays "
                 f"{'it' if len(left) == 1 else 'them'})")
    return span


def drawn_from(document: dict) -> str:
    """A simulation's history, said like a replay's: its quarters and why later ones were left out."""
    return replayed_span({"quarters": document["history"], "not_replayed": document.get("not_replayed")})


def data_line(document: dict) -> str | None:
    """The data folder the document was computed from, as the user named it."""
    return document.get("data")


def cash_summary(document: dict) -> dict:
    """Base and total cash over the period, actual and proposed, from the summary."""
    s = document["summary"]
    return {
        "actual_base": round(s["actual_cash_total"] - s["actual_total"], 2),
        "base": round(s["proposed_cash_total"] - s["proposed_total"], 2),
        "base_delta": round((s["proposed_cash_total"] - s["proposed_total"])
                            - (s["actual_cash_total"] - s["actual_total"]), 2),
        "actual_cash": s["actual_cash_total"],
        "proposed_cash": s["proposed_cash_total"],
        "cash_delta": s["cash_delta"],
        "cash_delta_pct": s["cash_delta_pct"],
    }


def component_columns(document: dict) -> list[tuple[str, bool]]:
    """(component id, is_curve) in plan order, read from the first row."""
    if not document["rows"]:
        return []
    return [(cid, "attainment" in detail) for cid, detail in document["rows"][0]["components"].items()]


def _by_value(document: dict) -> set[str]:
    """Ids of curve components paid on the metric's value itself (measure: value): no attainment to show."""
    return {c["id"] for c in document.get("components", []) if c.get("measure") == "value"}


def csm_view(document: dict) -> list[dict]:
    """CSMs sorted by delta (worst off first; ties by csm_id), with per-component summaries: the mean
    attainment (in %), the mean metric value for a curve paid on the value, or the commission paid."""
    columns = component_columns(document)
    by_value = _by_value(document)
    attainments: dict[tuple[str, str], list[float]] = defaultdict(list)
    commissions: dict[tuple[str, str], float] = defaultdict(float)
    for row in document["rows"]:
        for cid, is_curve in columns:
            detail = row["components"][cid]
            if is_curve:
                seen = detail["metric"] if cid in by_value else detail["attainment"]
                if detail.get("active", True) and seen is not None:
                    attainments[(row["csm_id"], cid)].append(seen)
            else:
                commissions[(row["csm_id"], cid)] += detail["payout"]
    paid_less = set(document["summary"]["top_performers_paid_less"])
    paid_in = pay_currencies(document)
    rules = pay_rule_figures(document)  # SPEC 6.4-6.6, empty for a plan without them
    view = []
    for csm in document["csms"]:
        summaries = {}
        for cid, is_curve in columns:
            if is_curve:
                values = attainments.get((csm["csm_id"], cid), [])
                mean = sum(values) / len(values) if values else None
                if cid in by_value:
                    summaries[cid] = ("value", mean)
                else:
                    summaries[cid] = ("attainment", None if mean is None else mean * 100)
            else:
                summaries[cid] = ("commission", round(commissions.get((csm["csm_id"], cid), 0.0), 2))
        view.append({**csm, "components": summaries, "top_paid_less": csm["csm_id"] in paid_less,
                     "paid_in": paid_in.get(csm["csm_id"], ""),
                     "pay_rules": rules.get(csm["csm_id"], {})})
    # Who loses most in total cash (the variable delta when base does not move).
    return sorted(view, key=lambda c: (c.get("cash_delta", c["delta"]), c["csm_id"]))


def pay_currencies(document: dict) -> dict[str, str]:
    """The CSMs paid in another currency than the plan's (SPEC 6.3): csm_id -> their pay currencies
    over the replayed quarters ('GBP', or 'USD, GBP' after a move), in the order first paid."""
    reporting = reporting_code(document["currency"])
    seen: dict[str, dict[str, None]] = defaultdict(dict)
    for row in document["rows"]:
        seen[row["csm_id"]][row.get("pay_currency") or reporting] = None
    return {csm: ", ".join(codes) for csm, codes in seen.items() if list(codes) != [reporting]}


def currency_line(document: dict) -> str | None:
    """One line for a summary when some pay was converted: how many CSMs, from which currencies."""
    paid_in = pay_currencies(document)
    if not paid_in:
        return None
    codes = sorted({code for text in paid_in.values() for code in text.split(", ")} - {reporting_code(document["currency"])})
    return (f"{len(paid_in)} CSM{'s' if len(paid_in) != 1 else ''} paid in {', '.join(codes)}, converted into "
            f"{reporting_code(document['currency'])} at each quarter's rate")


def quarter_view(document: dict) -> list[dict]:
    """Totals per replayed quarter, in calendar order (sums in cents so they add up exactly)."""
    totals: dict[str, dict] = {q: {"quarter": q, "csms": 0, "actual": 0, "proposed": 0, "actual_cash": 0,
                                   "proposed_cash": 0} for q in document["quarters"]}
    for row in document["rows"]:
        entry = totals[row["quarter"]]
        entry["csms"] += 1
        entry["actual"] += round(row["actual"] * 100)
        entry["proposed"] += round(row["proposed"] * 100)
        entry["actual_cash"] += round(row.get("actual_cash", row["actual"]) * 100)
        entry["proposed_cash"] += round(row.get("proposed_cash", row["proposed"]) * 100)
    view = []
    for entry in totals.values():
        delta = entry["proposed"] - entry["actual"]
        cash_delta = entry["proposed_cash"] - entry["actual_cash"]
        view.append({"quarter": entry["quarter"], "csms": entry["csms"], "actual": entry["actual"] / 100,
                     "proposed": entry["proposed"] / 100, "delta": delta / 100,
                     "delta_pct": _pct(delta, entry["actual"]), "actual_cash": entry["actual_cash"] / 100,
                     "proposed_cash": entry["proposed_cash"] / 100, "cash_delta": cash_delta / 100,
                     "cash_delta_pct": _pct(cash_delta, entry["actual_cash"])})
    return view


def _pct(delta_cents: int, base_cents: int) -> float | None:
    from cscomp_cli.core.rounding import pct_change

    return float(pct_change(delta_cents, abs(base_cents))) if base_cents else None


def paid_less(csm: dict) -> bool:
    """Paid less in total cash (SPEC 5.1; the variable delta when base does not move)."""
    return csm.get("cash_delta", csm["delta"]) < -0.005


def top_view(document: dict) -> list[dict]:
    """Top performers in rank order, with their delta."""
    by_id = {c["csm_id"]: c for c in document["csms"]}
    return [by_id[csm] for csm in document["summary"]["top_performers"] if csm in by_id]


def correlation(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2f}"


def performance(value: float | None) -> str:
    """A pooled performance figure with a fixed number of decimals, so a column lines up."""
    if value is None:
        return "—"
    # Ratios (nrr 1.092) and scores (nps 41.500) read with three decimals; ARR amounts as whole units.
    return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"


def performance_label(document: dict) -> str:
    """What the CSMs' performance is: 'nrr, pooled over the period' or 'combined score (nrr 70 %, csat 30 %)'."""
    measure = document.get("performance_measure")
    if measure is None:
        return "the plan's performance metric, pooled"
    if measure["combined"]:
        return measure["label"]
    if measure.get("window"):
        return f"{measure['label']}, over {measure['window']} quarters to each CSM's last replayed quarter"
    return f"{measure['label']}, pooled over the period"


def performance_heading(document: dict) -> str:
    """The performance column's heading: the metric's name, or 'Score' for a combined score."""
    measure = document.get("performance_measure")
    if measure is None:
        return "Performance"
    return "Score" if measure["combined"] else measure["label"]


BUCKETS = [(None, 50), (50, 75), (75, 100), (100, 125), (125, 150), (150, 200), (200, None)]


def pay_share(paid: float, target: float) -> float:
    """Variable pay as a % of target. Amounts are whole cents, so anything finer than a millionth of a
    point is float noise: rounding it off keeps a CSM paid exactly their target at exactly 100 %
    (and so in the band that starts at 100 %), never at 99.99999999999999 %."""
    return round(100 * paid / target, 6)


def bucket_label(low: float | None, high: float | None) -> str:
    """A band holds its lower edge and not its upper one (100 % exactly is in "≥100 to <125 %"), the
    same half-open bins the HTML histogram draws; the label says so, as "100–125 %" would not."""
    if low is None:
        return f"<{high} %"
    return f"≥{low} %" if high is None else f"≥{low} to <{high} %"


def pay_share_buckets(document: dict) -> list[tuple[str, int, int]]:
    """(bucket label, CSMs actually paid in it, CSMs the plan would pay in it) by pay as % of target."""
    def bucket(share: float) -> int:
        return next(i for i, (low, high) in enumerate(BUCKETS)
                    if (low is None or share >= low) and (high is None or share < high))

    actual, proposed = [0] * len(BUCKETS), [0] * len(BUCKETS)
    for c in document["csms"]:
        if c.get("actual_target_variable", 0) > 0 and c.get("target_variable", 0) > 0:
            actual[bucket(pay_share(c["actual"], c["actual_target_variable"]))] += 1
            proposed[bucket(pay_share(c["proposed"], c["target_variable"]))] += 1
    return list(zip([bucket_label(low, high) for low, high in BUCKETS], actual, proposed))


def shock_labels(document: dict) -> str:
    """'churn=+25%, expansion=-30%' for a document replayed under shocks, else ''."""
    return ", ".join(f"{column}={pct:+g}%" for column, pct in document.get("shocks", {}).items())


COST_LABEL = {False: "Total cost", True: "Variable cost"}


CASH_LABEL = "Total cash (base + variable)"


def summary_rows(document: dict) -> list[tuple[str, list[str]]]:
    """(measure, [actual, plan 1, plan 2, …]) as display strings, shared by table and Markdown."""
    currency = document["currency"]
    actual = document["actual"]
    plans = document["plans"]
    share = lambda v: "—" if v is None else f"{v:.2f} %"  # noqa: E731
    cash = document.get("moves_base", False)
    rows = [
        ("Plan", ["actually paid"] + [p["plan"] for p in plans]),
        (COST_LABEL[cash], [money(actual["total"], currency)] + [money(p["proposed_total"], currency) for p in plans]),
        ("Delta vs actual" + (" (variable)" if cash else ""),
         ["—"] + [f"{money(p['delta'], currency, sign=True)} ({percent(p['delta_pct'])})" for p in plans]),
    ]
    if cash:
        # A plan that moves base (a pay_mix) changes what CSMs take home beyond variable pay.
        rows += [
            ("Base", [money(actual["base_total"], currency)] + [money(p["base_total"], currency) for p in plans]),
            (CASH_LABEL, [money(actual["cash_total"], currency)]
             + [money(p["proposed_cash_total"], currency) for p in plans]),
            ("Cash delta vs actual", ["—"] + [f"{money(p['cash_delta'], currency, sign=True)} "
                                              f"({percent(p['cash_delta_pct'])})" for p in plans]),
        ]
    for segment in actual["cost_by_segment"]:
        rows.append((f"{'Variable cost' if cash else 'Cost'}, {segment}", [money(actual["cost_by_segment"][segment], currency)]
                     + [money(p["cost_by_segment"][segment], currency) for p in plans]))
    rows += [
        ("CSMs paid more / less" + (" (total cash)" if cash else ""),
         ["—"] + [f"{p['paid_more']} / {p['paid_less']}" for p in plans]),
        ("Top performers by", ["—"] + [p.get("performance_measure", "") for p in plans]),
        ("Top performers paid less", ["—"] + [
            f"{len(p['top_performers_paid_less'])} of {len(p['top_performers'])}"
            + (f": {', '.join(p['top_performers_paid_less'])}" if p["top_performers_paid_less"] else "")
            for p in plans]),
        ("Pay–performance (Spearman)", [correlation(actual["pay_performance_correlation"])]
         + [correlation(p["pay_performance_correlation"]) for p in plans]),
        ("Cost as % of retained ARR", [share(actual["cost_pct_of_retained_arr"])]
         + [share(p["cost_pct_of_retained_arr"]) for p in plans]),
    ]
    # SPEC 6.6: what a plan's floors cost ("—" for a plan without that floor), when some plan has one.
    rows += [(f"{label} cost", ["—"] + [money(p[f"{name}_total"], currency) if f"{name}_total" in p else "—"
                                        for p in plans])
             for name, label in FLOORS if any(f"{name}_total" in p for p in plans)]
    return rows


def matrices(document: dict) -> list[tuple[str, str, str]]:
    """(title, actual key, proposed key) of the per-CSM matrices: variable pay, and total cash when
    a plan moves base."""
    if not document.get("moves_base"):
        return [("Payout per CSM over the period", "actual", "proposed")]
    return [("Variable pay per CSM over the period", "actual", "proposed"),
            ("Total cash (base + variable) per CSM over the period", "actual_cash", "proposed_cash")]


def sweep_cells(row: dict, currency: str, cash: bool = False, floors: list[tuple[str, str]] = ()) -> list[str]:
    """A sweep row's cells; ``floors`` (sweep_floors) adds what each floor cost at that value, before the error."""
    if row["error"]:
        return [f"{row['value']:g}"] + ["—"] * ((8 if cash else 6) + len(floors)) + [row["error"]]
    losers = row["top_performers_paid_less"]
    cells = [f"{row['value']:g}", money(row["proposed_total"], currency), money(row["delta"], currency, sign=True),
             percent(row["delta_pct"])]
    if cash:
        cells += [money(row["proposed_cash_total"], currency),
                  f"{money(row['cash_delta'], currency, sign=True)} ({percent(row['cash_delta_pct'])})"]
    return cells + [f"{row['paid_more']} / {row['paid_less']}", f"{len(losers)}" + (f": {', '.join(losers)}" if losers else ""),
                    correlation(row["pay_performance_correlation"]),
                    *[money(row.get(f"{name}_total"), currency) for name, _ in floors], ""]


def sweep_floors(document: dict) -> list[tuple[str, str]]:
    """(name, label) of the floors (SPEC 6.6) whose cost some swept value reports: ramp, guarantee."""
    return [(name, label) for name, label in FLOORS
            if any(f"{name}_total" in row for row in document["rows"])]


SWEEP_HEADERS = ["Value", "Cost", "Delta", "Delta %", "Paid more / less", "Top performers paid less", "Spearman", ""]


SWEEP_CASH_HEADERS = ["Value", "Variable", "Delta", "Delta %", "Total cash", "Cash Δ", "Paid more / less (cash)",
                "Top performers paid less", "Spearman", ""]


def sweep_headers(document: dict) -> list[str]:
    headers = SWEEP_CASH_HEADERS if document.get("moves_base") else SWEEP_HEADERS
    return headers[:-1] + [f"{label} cost" for _, label in sweep_floors(document)] + headers[-1:]


def horizon(document: dict) -> str:
    ahead = document["quarters_ahead"]
    return "the next quarter" if ahead == 1 else f"the next {ahead} quarters"


def base_line(document: dict) -> str:
    """The base cost change a pay_mix makes over the horizon, beside the simulated variable cost."""
    base, currency = document["base"], document["currency"]
    return (f"{money(base['proposed'], currency)} under the plan, {money(base['roster'], currency)} on the roster "
            f"({money(base['delta'], currency, sign=True)})")


def budget_judged(document: dict) -> str:
    """What a simulation's --budget judged in each run, in the words of the breach line."""
    # Here, not at the top: validate --plan-only renders through this module and imports no numpy.
    from cscomp_cli.analyses.guardrails import (
        budget_figure_name,
        simulation_base_change,
    )

    return budget_figure_name(simulation_base_change(document))


# ---- SPEC 6.4-6.6: advances and true-ups, clawbacks, floors ----

def has_periods(document: dict) -> bool:
    """A period plan's rows carry their advance adjustment (SPEC 6.4)."""
    return bool(document["rows"]) and "advance_adjustment" in document["rows"][0]


def clawback_components(document: dict) -> list[str]:
    """The ids of the components with a clawback (SPEC 6.5), in plan order."""
    return [c["id"] for c in document.get("components", []) if c.get("clawback")]


FLOORS = (("ramp", "Ramp floor"), ("guarantee", "Guarantee"))


def floors(document: dict) -> list[tuple[str, str]]:
    """(name, label) of the floors the plan has (SPEC 6.6): ramp, guarantee."""
    return [(name, label) for name, label in FLOORS if f"{name}_total" in document["summary"]]


def true_up_quarter(period: str) -> str:
    """The last quarter of a period, its true-up: 2025 → 2025Q4, 2025H1 → 2025Q2, FY2027H2 → FY2027Q4."""
    year, half = (period[:-2], period[-1]) if period[-2:] in ("H1", "H2") else (period, "2")
    return f"{year}Q{2 * int(half)}"


def _cents(value: float) -> int:
    return round(value * 100)


def pay_rule_columns(document: dict) -> list[tuple[str, str]]:
    """(key, heading) of the per-CSM pay-rule figures csm_view adds, for the plan's rules only: what is
    held back in a period whose true-up is not reached, what the true-ups paid, what was clawed back,
    and what each floor added."""
    columns = []
    if has_periods(document):
        # Only what the replay has: a column of $0.00 held back (every true-up reached) says nothing.
        figures = pay_rule_figures(document).values()
        columns += [(key, heading) for key, heading, shown in (
            ("held_back", "Held back", any(f.get("held_back") for f in figures)),
            ("true_up", "True-up", any(f.get("true_up") is not None for f in figures))) if shown]
    if clawback_components(document):
        columns.append(("clawback", "Clawed back"))
    return columns + floors(document)


def pay_rule_figures(document: dict) -> dict[str, dict[str, float | None]]:
    """csm_id -> the pay_rule_columns figures over the replay. held_back: earned to date less what was
    paid, over the replayed quarters of periods whose true-up is not reached (−Σ advance_adjustment;
    0 when there is none); true_up: the pay of the true-up quarters (None when none was replayed);
    clawback: Σ of the clawback components' clawbacks; ramp, guarantee: Σ of their adjustments."""
    replayed = set(document["quarters"])
    clawed = clawback_components(document)
    sums: dict[str, dict[str, int | None]] = {}
    for row in document["rows"]:
        entry = sums.setdefault(row["csm_id"], {})
        if "advance_adjustment" in row:
            entry.setdefault("held_back", 0)
            entry.setdefault("true_up", None)
            last = true_up_quarter(row["period"])
            if row["quarter"] == last:
                entry["true_up"] = (entry["true_up"] or 0) + _cents(row["proposed"])
            elif last not in replayed:
                entry["held_back"] -= _cents(row["advance_adjustment"])
        if clawed:
            entry["clawback"] = entry.get("clawback", 0) + sum(_cents(row["components"][cid]["clawback"])
                                                               for cid in clawed)
        for name, _ in FLOORS:
            if f"{name}_adjustment" in row:
                entry[name] = entry.get(name, 0) + _cents(row[f"{name}_adjustment"])
    return {csm: {key: None if cents is None else cents / 100 for key, cents in entry.items()}
            for csm, entry in sums.items()}


def _who(amounts: dict[str, int], currency: str, shown: int = 5) -> str:
    """'C1 +$3,975.00, C2 +$500.00' (largest first, ties by id), the rest counted: who needed a figure."""
    ranked = sorted(((cents, csm) for csm, cents in amounts.items() if cents), key=lambda x: (-abs(x[0]), x[1]))
    text = ", ".join(f"{csm} {money(cents / 100, currency, sign=True)}" for cents, csm in ranked[:shown])
    return text + (f" and {len(ranked) - shown} more" if len(ranked) > shown else "")


def _share_text(share: float) -> str:
    return f"{share * 100:g} %"


def period_lines(document: dict) -> list[tuple[str, str]]:
    """(period, how it paid) for each period replayed, e.g. ('2025', '75 % advanced each quarter, true-up in
    2025Q4 (recovered: C2 $15,250.00)'), ('2026', '75 % advanced each quarter, $2,707.50 held back so far;
    its true-up (2026Q4) is not reached')."""
    rules = document.get("pay_rules", {})
    currency = document["currency"]
    replayed = set(document["quarters"])
    periods: dict[str, list[dict]] = {}
    for row in document["rows"]:
        periods.setdefault(row["period"], []).append(row)
    advanced = f"{_share_text(rules.get('advance', 1.0))} advanced each quarter"
    lines = []
    for period, rows in sorted(periods.items(), key=lambda item: min(r["quarter"] for r in item[1])):
        last = true_up_quarter(period)
        if last in replayed:
            # A true-up below what was advanced takes the difference back (recover: true).
            owed = {r["csm_id"]: -_cents(r["proposed"]) for r in rows if r["quarter"] == last and r["proposed"] < 0}
            line = f"{advanced}, true-up in {last}"
            if owed:
                each = ", ".join(f"{csm} {money(cents / 100, currency)}" for csm, cents in sorted(owed.items()))
                line += (f" (recovered: {each})" if len(owed) == 1
                         else f" ({money(sum(owed.values()) / 100, currency)} recovered: {each})")
        else:
            held = -sum(_cents(r["advance_adjustment"]) for r in rows)
            line = (advanced + (f", {money(held / 100, currency)} held back so far" if held else "")
                    + f"; its true-up ({last}) is not reached")
        lines.append((period, line))
    return lines


def clawback_line(document: dict) -> str:
    """'$575.00 clawed back in 2 CSM-quarters: C1 $375.00 (2026Q1), C2 $200.00 (2026Q2)'."""
    currency = document["currency"]
    clawed = clawback_components(document)
    charged = {}
    for row in document["rows"]:
        cents = sum(_cents(row["components"][cid]["clawback"]) for cid in clawed)
        if cents:
            charged[(row["csm_id"], row["quarter"])] = cents
    if not charged:
        return "none in the replayed quarters"
    ranked = sorted(charged.items(), key=lambda item: (-item[1], item[0][1], item[0][0]))
    shown = ", ".join(f"{csm} {money(cents / 100, currency)} ({quarter})" for (csm, quarter), cents in ranked[:5])
    more = f" and {len(ranked) - 5} more" if len(ranked) > 5 else ""
    return (f"{money(sum(charged.values()) / 100, currency)} clawed back in {len(charged)} CSM-quarter"
            f"{'' if len(charged) == 1 else 's'}: {shown}{more}")


def floor_line(document: dict, name: str) -> str:
    """What a floor cost and who needed it: '$4,475.00 for 2 CSMs (C1 +$3,975.00, C2 +$500.00); at least
    90 % of what was actually paid in 2026Q1'."""
    currency = document["currency"]
    rule = document.get("pay_rules", {}).get(name, {})
    lifted: dict[str, int] = {}
    for row in document["rows"]:
        lifted[row["csm_id"]] = lifted.get(row["csm_id"], 0) + _cents(row[f"{name}_adjustment"])
    needed = sum(1 for cents in lifted.values() if cents)
    total = money(document["summary"][f"{name}_total"], currency)
    if name == "ramp":
        what = (f"at least {_share_text(rule['floor'])} of target variable in a new CSM's first "
                f"{rule['quarters']} quarter{'' if rule['quarters'] == 1 else 's'}") if rule else ""
    else:
        quarters = rule.get("quarters")
        if isinstance(quarters, int):
            quarters = document["quarters"][:quarters]
        what = (f"at least {_share_text(rule['floor'])} of what was actually paid in "
                f"{and_joined(list(quarters)) if quarters else 'no replayed quarter'}") if rule else ""
    if not needed:
        return f"{total}: nobody needed it" + (f" ({what})" if what else "")
    return (f"{total} for {needed} CSM{'' if needed == 1 else 's'} ({_who(lifted, currency)})"
            + (f"; {what}" if what else ""))


def pay_rule_lines(document: dict) -> list[tuple[str, str]]:
    """(label, text) for a summary: each period, the clawbacks, each floor; none for a plan without them."""
    lines = [(f"Period {period}", text) for period, text in period_lines(document)] if has_periods(document) else []
    if clawback_components(document):
        lines.append(("Clawbacks", clawback_line(document)))
    lines += [(label, floor_line(document, name)) for name, label in floors(document)]
    return lines


def quarter_advances(document: dict) -> dict[str, float]:
    """A period plan's Σ advance_adjustment per quarter: held back (−) or released at a true-up (+)."""
    totals: dict[str, int] = {q: 0 for q in document["quarters"]}
    for row in document["rows"]:
        totals[row["quarter"]] += _cents(row["advance_adjustment"])
    return {q: cents / 100 for q, cents in totals.items()}


PAY_RULE_NOTES = {
    "held_back": "Held back: earned to date but not yet paid, in periods whose true-up is not reached",
    "true_up": "True-up: what the period's last quarter paid (negative: taken back)",
    "clawback": "Clawed back: commission taken back when the account churned",
    "ramp": "Ramp floor: what the ramp added to a new CSM's pay",
    "guarantee": "Guarantee: what the guarantee added to lift a CSM to its floor",
}


def pay_rule_note(document: dict) -> str | None:
    """One sentence beside the CSM table saying what its pay-rule columns are, or None without them."""
    notes = [PAY_RULE_NOTES[key] for key, _ in pay_rule_columns(document)]
    return "; ".join(notes) if notes else None
