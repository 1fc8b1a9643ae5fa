"""The pay rules of SPEC 6.4–6.6 in one CSM–quarter's explanation, read from the engine's replay.

A period plan's figures to date (the to-date book and metrics, TV to date, each component's term of the
pay earned to date and its increase, E(q), the advance or true-up against what was paid before), each
clawback charged (which churned account, which earlier quarter, at what rate) and the ramp and guarantee
floors, each with its arithmetic written out in the CSM's own figures. Nothing here recomputes a payout:
every number is the engine's, and the sentences only show how they combine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.quarters import ordinal_label, quarter_ordinal
from cscomp_cli.core.rounding import (
    cents_to_amount,
    plain_number,
    round_half_away,
    to_cents,
)
from cscomp_cli.engine.floors import guarantee_quarters, ramp_quarters
from cscomp_cli.engine.lead_in import PERIOD_QUARTERS, period_of
from cscomp_cli.engine.metrics import describe
from cscomp_cli.plan.components import CurveComponent
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.own_metrics import Definition
from cscomp_cli.plan.vocabulary import METRICS


def money(cents) -> float:
    return float(cents_to_amount(int(cents)))


def amount(value: float) -> str:
    """10000 → 10,000.00 (negative with a minus sign: -1,825.00)."""
    return f"{value:,.2f}"


def operand(value: float) -> str:
    """An amount after an operator: a negative one in parentheses, 3,600.00 − (-375.00)."""
    return f"({amount(value)})" if value < 0 else amount(value)


def ratio(value) -> str:
    """A fraction or rate with up to the 9 decimals the engine keeps: 1.25, 0.075."""
    value = plain_number(value)
    return "—" if value is None else (f"{value:.9f}".rstrip("0").rstrip(".") or "0")


# ---- period plans (SPEC 6.4) -------------------------------------------------------------------------------

def _previous(span: pd.DataFrame, j: int) -> int | None:
    """The span row of the CSM's previous replayed quarter of the same period (None in its first)."""
    same = np.flatnonzero((span["csm_id"].to_numpy() == span["csm_id"].iloc[j])
                          & (span["period"].to_numpy() == span["period"].iloc[j]))
    earlier = same[same < j]
    return int(earlier.max()) if len(earlier) else None


def _earlier(span: pd.DataFrame, j: int) -> list[int]:
    same = np.flatnonzero((span["csm_id"].to_numpy() == span["csm_id"].iloc[j])
                          & (span["period"].to_numpy() == span["period"].iloc[j]))
    return [int(k) for k in same if k < j]


def period_section(plan: Plan, dataset, result, i: int) -> dict:
    """A period plan's figures for the replay's row i: the to-date quarters, book, metrics and TV, E(q), what was
    paid before and pay(q) (an advance or the true-up), each with its arithmetic."""
    periods = result.periods
    span = periods.rows
    j = periods.row_of(i)
    row = span.iloc[j]
    label = str(row["quarter"])
    length = PERIOD_QUARTERS[plan.period]
    count = int(row["to_date_quarters"])
    last = quarter_ordinal(label)
    to_date = [ordinal_label(o, label) for o in range(last - count + 1, last + 1)]
    earlier = _earlier(span, j)
    mine = [*earlier, j]

    # TV to date: the CSM's TV in each quarter of D(q) that has a replayed (or earlier) row; a quarter with a
    # roster row but no book counts too (engine/periods.py tv_to_date), shown as the rest.
    tv_lines = [{"quarter": str(span["quarter"].iloc[k]), "target_variable": float(span["target_variable"].iloc[k])}
                for k in mine]
    tv_total = float(row["tv_to_date"])
    rest = round(tv_total - sum(line["target_variable"] for line in tv_lines), 6)
    if abs(rest) > 1e-6:
        tv_lines.append({"quarter": "quarters of the period with a roster row but no book", "target_variable": rest})
    tv_figures = " + ".join(amount(line["target_variable"]) for line in tv_lines)
    if len(tv_lines) > 1:
        tv_figures += f" = {amount(tv_total)}"

    # The to-date book: the CSM's account rows in each quarter to date, and the metrics over them.
    accounts = dataset.accounts
    book = accounts[accounts["quarter"].astype(object).isin(to_date).to_numpy()
                    & (accounts["csm_id"].to_numpy() == row["csm_id"])]
    metrics = {}
    for name in METRICS:  # each a window over D(q), as the components saw it (engine/books.py)
        definition = Definition(name=name, base=name, window=periods.books.to_date)
        statistics = periods.books.custom.statistics(definition, "csm", "metrics").iloc[j]
        metrics[name] = {"value": plain_number(periods.books.value(name, "csm", "metrics")[j]),
                         **describe(statistics, name, plan.credit)}

    ids = [c.id for c in plan.components]
    terms = {cid: money(row[f"{cid}_earned_to_date_cents"]) for cid in ids}
    cap_to_date = money(row["cap_to_date_cents"])
    earned = money(row["earned_to_date_cents"])
    parts = " + ".join(amount(v) for v in terms.values())
    earned_figures = (f"{parts}{f' + cap adjustment {amount(cap_to_date)}' if plan.cap is not None and cap_to_date else ''}"
                      f" = {amount(earned)}")
    paid_before = money(row["paid_before_cents"])
    pay = money(row["pay_cents"])
    advanced = money(row["advanced_cents"])
    before = _previous(span, j)
    earned_before = 0.0 if before is None else money(span["earned_to_date_cents"].iloc[before])
    adjustment = pay - (earned - earned_before)
    true_up = bool(row["true_up"])
    if true_up:
        owed = earned - paid_before
        pay_formula = "E − paid_before" + ("" if plan.recover else ", or 0 when negative (recover: false)")
        pay_figures = f"{amount(earned)} − {operand(paid_before)} = {amount(owed)}"
        if owed < 0:
            pay_figures += (" (recovered: the advances paid more than was earned)" if plan.recover
                            else f"; forgiven (recover: false): pay {amount(pay)}")
    else:
        pay_formula = "max(0, round(advance × E) − paid_before)"
        pay_figures = f"round({plan.advance:g} × {amount(earned)}) − {amount(paid_before)} = {amount(advanced - paid_before)}"
        if advanced - paid_before < 0:
            pay_figures += f" < 0 → {amount(pay)}"
    end = ordinal_label(int(period_of(plan).last(last)), label)
    section = {
        "period": str(row["period"]),
        "period_quarters": length,
        "to_date_quarters": to_date,
        "advance": plan.advance,
        "recover": plan.recover,
        "true_up": true_up,
        "true_up_quarter": end,
        "book": {"accounts": [{"quarter": str(r["quarter"]), "account_id": r["account_id"],
                               "arr_start": float(r["arr_start"]), "expansion": float(r["expansion"]),
                               "cross_sell": float(r.get("cross_sell", 0) or 0), "contraction": float(r["contraction"]),
                               "churn": float(r["churn"]), "arr_end": float(r["arr_end"])}
                              for r in book.sort_values(["quarter", "account_id"]).to_dict("records")],
                 "rows": len(book)},
        "metrics": metrics,
        "tv_to_date": {"quarters": tv_lines, "total": tv_total, "formula": "Σ TV(x) over the quarters to date",
                       "figures": tv_figures},
        "earned_to_date": {"components": terms, **({"cap_adjustment": cap_to_date} if plan.cap is not None else {}),
                           "total": earned, "figures": earned_figures},
        "paid_before": {"quarters": [{"quarter": str(span["quarter"].iloc[k]), "pay": money(span["pay_cents"].iloc[k])}
                                     for k in earlier],
                        "total": paid_before,
                        "figures": _paid_before_figures(span, earlier, paid_before)},
        "pay": pay,
        "pay_formula": pay_formula,
        "pay_figures": pay_figures,
        "advance_adjustment": money(result.rows["advance_adjustment_cents"].iloc[i]),
        "advance_adjustment_formula": "pay − (E − E of the previous quarter)",
        "advance_adjustment_figures": (f"{amount(pay)} − ({amount(earned)} − {operand(earned_before)}) = "
                                       f"{amount(adjustment)}"),
    }
    if plan.cap is not None:
        limit = _floor_amount(plan.cap, tv_total)
        section["earned_to_date"]["cap"] = {"cap": plan.cap, "limit": limit, "limit_formula": "round(cap × TV_D)",
                                            "limit_figures": f"round({plan.cap:g} × {amount(tv_total)}) = {amount(limit)}"}
    if not true_up:
        section["advanced"] = advanced
    return section


def _paid_before_figures(span: pd.DataFrame, earlier: list[int], total: float) -> str:
    """'4,275.00 (2025Q1) + 5,475.00 (2025Q2) = 9,750.00': pay(x) of each earlier quarter of the period."""
    if not earlier:
        return "nothing paid before in the period: 0.00"
    parts = " + ".join(f"{amount(money(span['pay_cents'].iloc[k]))} ({span['quarter'].iloc[k]})" for k in earlier)
    return parts if len(earlier) == 1 else f"{parts} = {amount(total)}"


def period_component(plan: Plan, component, result, i: int) -> dict:
    """A component's to-date term of E(q) with its arithmetic, the previous quarter's term and the increase (its
    payout in this quarter)."""
    periods = result.periods
    span = periods.rows
    j = periods.row_of(i)
    row = result.rows.iloc[i]
    cid = component.id
    term = money(span[f"{cid}_earned_to_date_cents"].iloc[j])
    tv = float(span["tv_to_date"].iloc[j])
    multiplier = ratio(round_half_away(row[f"{cid}_multiplier"]))
    if isinstance(component, CurveComponent):
        weight = component.weight_for(row["segment"] if isinstance(row["segment"], str) else None)
        formula = "round(TV_D × weight × fraction × multiplier)"
        figures = (f"round({amount(tv)} × {weight:g} × {ratio(round_half_away(row[f'{cid}_fraction']))} × "
                   f"{multiplier}) = {amount(term)}")
    else:
        quarters = int(span["to_date_quarters"].iloc[j])
        commission = float(row[f"{cid}_commission"])
        if component.cap is not None:
            cap = component.cap * quarters
            formula = "round(min(commission to date, cap × |D|) × multiplier)"
            figures = (f"round(min({amount(commission)}, {amount(component.cap)} × {quarters} = {amount(cap)}) × "
                       f"{multiplier}) = {amount(term)}")
        else:
            formula = "round(commission to date × multiplier)"
            figures = f"round({amount(commission)} × {multiplier}) = {amount(term)}"
    before = _previous(span, j)
    previous = 0.0 if before is None else money(span[f"{cid}_earned_to_date_cents"].iloc[before])
    payout = money(row[f"{cid}_payout_cents"])
    return {
        "earned_to_date": term,
        "to_date": {
            "formula": formula,
            "figures": figures,
            "previous_quarter": None if before is None else str(span["quarter"].iloc[before]),
            "previous_earned_to_date": previous,
            "increase_figures": f"{amount(term)} − {operand(previous)} = {amount(payout)}",
        },
    }


# ---- clawbacks (SPEC 6.5) ----------------------------------------------------------------------------------

def clawback_lines(plan: Plan, component, result, i: int) -> list[dict]:
    """One entry per (churned account, earlier quarter) clawed back from this CSM's component in this quarter."""
    lines = result.clawbacks
    if lines is None or lines.empty:
        return []
    row = result.rows.iloc[i]
    mine = lines[(lines["quarter"] == row["quarter"]) & (lines["csm_id"] == row["csm_id"])
                 & (lines["component"] == component.id)]
    share = component.clawback.share
    entries = []
    for line in mine.to_dict("records"):
        paid, metric = money(line["earlier_payout_cents"]), float(line["earlier_metric"])
        contribution, rate = float(line["contribution"]), float(line["effective_rate"])
        cents = money(line["clawback_cents"])
        entries.append({
            "account_id": line["account_id"],
            "churned_in": str(line["quarter"]),
            "earlier_quarter": str(line["earlier_quarter"]),
            "contribution": contribution,
            "earlier_payout": paid,
            "earlier_metric": metric,
            "effective_rate": plain_number(rate),
            "share": share,
            "clawback": cents,
            "text": (f"{line['account_id']} churned in {line['quarter']}; in {line['earlier_quarter']} it added "
                     f"{amount(contribution)} to your {component.metric}, paid at {amount(paid)} ÷ {amount(metric)} = "
                     f"{ratio(rate)}; clawed back {share:g} × {amount(contribution)} × {ratio(rate)} = {amount(cents)}"),
        })
    return entries


# ---- floors (SPEC 6.6) -------------------------------------------------------------------------------------

def floors_section(plan: Plan, dataset, result, i: int, replayed_alone: bool) -> dict:
    """The ramp and the guarantee the plan has, for the replay's row i: whether the quarter is one of theirs and
    the floor against the proposed pay, written out. ``replayed_alone``: the explanation replayed this quarter
    only (a guarantee of the replay's first N quarters then counts it among them)."""
    rows = result.rows
    row = rows.iloc[i]
    ramp_cents = int(row["ramp_adjustment_cents"]) if "ramp_adjustment_cents" in rows else 0
    guarantee_cents = int(row["guarantee_adjustment_cents"]) if "guarantee_adjustment_cents" in rows else 0
    before = money(int(row["proposed_cents"]) - ramp_cents - guarantee_cents)
    section: dict = {"proposed_before_floors": before}
    frame = rows.iloc[[i]]
    if plan.ramp is not None:
        ramp = plan.ramp
        start = row["start_date"] if "start_date" in rows else None
        entry: dict = {"quarters": ramp.quarters, "floor": ramp.floor,
                       "start_date": None if start is None or pd.isna(start) else str(pd.Timestamp(start).date()),
                       "adjustment": money(ramp_cents)}
        if entry["start_date"] is None:
            entry.update(in_ramp=False, text="no start_date on the roster: no ramp")
        else:
            started = str(dataset.calendar.quarter_of(np.array([start], dtype="datetime64[D]"))[0])
            number = quarter_ordinal(str(row["quarter"])) - quarter_ordinal(started) + 1
            inside = bool(ramp_quarters(plan, frame, dataset.calendar)[0])
            entry.update(start_quarter=started, ramp_quarter=number if inside else None, in_ramp=inside)
            if inside:
                target = float(row["target_variable"])
                entry["floor_amount"] = _floor_amount(ramp.floor, target)
                entry["text"] = (f"ramp quarter {number} of {ramp.quarters} (started {entry['start_date']}, in "
                                 f"{started}): max(0, round({ramp.floor:g} × TV {amount(target)}) − proposed "
                                 f"{amount(before)}) = max(0, {amount(entry['floor_amount'])} − {operand(before)}) = "
                                 f"{amount(money(ramp_cents))}")
            else:
                where = "before the start date" if number < 1 else f"quarter {number} since the start, after the ramp"
                entry["text"] = (f"not a ramp quarter ({where}: the ramp is the {ramp.quarters} quarter(s) from "
                                 f"{started})")
        section["ramp"] = entry
    if plan.guarantee is not None:
        guarantee = plan.guarantee
        window = list(result.quarters)
        inside = bool(guarantee_quarters(plan, frame, window, dataset.calendar)[0])
        actual = money(row["actual_cents"])
        entry = {"floor": guarantee.floor,
                 "quarters": guarantee.quarters if isinstance(guarantee.quarters, int) else list(guarantee.quarters),
                 "guaranteed": inside, "actual": actual, "adjustment": money(guarantee_cents)}
        if inside:
            entry["floor_amount"] = _floor_amount(guarantee.floor, actual)
            entry["text"] = (f"max(0, round({guarantee.floor:g} × actual {amount(actual)}) − (proposed {amount(before)}"
                             f" + ramp {amount(money(ramp_cents))})) = max(0, {amount(entry['floor_amount'])} − "
                             f"{operand(before + money(ramp_cents))}) = {amount(money(guarantee_cents))}")
        else:
            entry["text"] = "not a guaranteed quarter"
        if isinstance(guarantee.quarters, int):
            entry["which"] = (f"the replay's first {guarantee.quarters} quarter(s): {', '.join(window[:guarantee.quarters])}")
            if replayed_alone:
                entry["note"] = (f"explain replays {row['quarter']} alone (it is outside stress-test's default replay), "
                                 "so it is the replay's first quarter; pass --quarters N (and --through) as given to "
                                 "stress-test to explain it inside that replay")
        section["guarantee"] = entry
    return section


def _floor_amount(floor: float, value: float) -> float:
    """round(floor × value) to the cent, halves away from zero, as the engine rounds it (engine/floors.py)."""
    return money(to_cents(np.array([floor * value]))[0])
