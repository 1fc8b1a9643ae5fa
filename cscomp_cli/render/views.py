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
                     "paid_in": paid_in.get(csm["csm_id"], "")})
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
    # What a plan's floors cost (SPEC 6.6), when some plan has them: "—" for a plan without that floor.
    for key, measure in (("ramp_total", "Ramp floors (in cost)"), ("guarantee_total", "Guarantee (in cost)")):
        if any(key in p for p in plans):
            rows.append((measure, ["—"] + [money(p[key], currency) if key in p else "—" for p in plans]))
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
    return rows


def matrices(document: dict) -> list[tuple[str, str, str]]:
    """(title, actual key, proposed key) of the per-CSM matrices: variable pay, and total cash when
    a plan moves base."""
    if not document.get("moves_base"):
        return [("Payout per CSM over the period", "actual", "proposed")]
    return [("Variable pay per CSM over the period", "actual", "proposed"),
            ("Total cash (base + variable) per CSM over the period", "actual_cash", "proposed_cash")]


def sweep_cells(row: dict, currency: str, cash: bool = False) -> list[str]:
    if row["error"]:
        return [f"{row['value']:g}"] + ["—"] * (8 if cash else 6) + [row["error"]]
    losers = row["top_performers_paid_less"]
    cells = [f"{row['value']:g}", money(row["proposed_total"], currency), money(row["delta"], currency, sign=True),
             percent(row["delta_pct"])]
    if cash:
        cells += [money(row["proposed_cash_total"], currency),
                  f"{money(row['cash_delta'], currency, sign=True)} ({percent(row['cash_delta_pct'])})"]
    return cells + [f"{row['paid_more']} / {row['paid_less']}", f"{len(losers)}" + (f": {', '.join(losers)}" if losers else ""),
                    correlation(row["pay_performance_correlation"]), ""]


SWEEP_HEADERS = ["Value", "Cost", "Delta", "Delta %", "Paid more / less", "Top performers paid less", "Spearman", ""]


SWEEP_CASH_HEADERS = ["Value", "Variable", "Delta", "Delta %", "Total cash", "Cash Δ", "Paid more / less (cash)",
                "Top performers paid less", "Spearman", ""]


def sweep_headers(document: dict) -> list[str]:
    return SWEEP_CASH_HEADERS if document.get("moves_base") else SWEEP_HEADERS


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
