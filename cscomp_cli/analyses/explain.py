"""Every number behind one CSM–quarter, read from the engine's own replay (one code path).

The explanation replays the plan over that single quarter and reports what the engine computed:
the book, every metric, each component's target, curve or tiers, modifiers, rounding, the cap and
what was actually paid. Nothing here recomputes a payout.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

import numpy as np
import pandas as pd

from cscomp_cli.analyses.explain_pay_rules import (
    clawback_lines,
    floors_section,
    period_component,
    period_section,
)
from cscomp_cli.core.currencies import reporting_code
from cscomp_cli.core.errors import UsageError
from cscomp_cli.core.rounding import (
    cents_to_amount,
    plain_number,
    round_half_away,
    to_cents,
)
from cscomp_cli.core.text import folded
from cscomp_cli.engine.conversion import paid_in_plan_currency
from cscomp_cli.engine.lead_in import PERIOD_QUARTERS
from cscomp_cli.engine.metrics import describe
from cscomp_cli.engine.paid_quarters import DEFAULT_QUARTERS, select_quarters
from cscomp_cli.engine.payouts import tier_bounds
from cscomp_cli.engine.plan_metrics import explanation as custom_explanation
from cscomp_cli.engine.replay import replay
from cscomp_cli.engine.roster_lookup import is_history, pay_periods
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import ACCOUNTS, PAYOUTS, QUOTAS, ROSTER
from cscomp_cli.plan.components import CurveComponent
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.targets import BySegment, PctOfStartArr, SegmentWeights
from cscomp_cli.plan.vocabulary import METRICS, PAYOUT_ROUNDING


def _money(cents) -> float:
    return float(cents_to_amount(int(cents)))


def explain(plan: Plan, dataset: Dataset, csm_id: str, quarter: str, data: str | None = None,
            quarters: int | None = None, through: str | None = None) -> dict:
    """A JSON-ready account of how one CSM's payout in one quarter was computed; ``data`` is the folder
    read, named in every output. ``quarters`` (and ``through``): explain the quarter inside the replay
    stress-test would make with them (it matters to a guarantee of the replay's first quarters); by
    default the quarter is replayed alone (a period's earlier quarters and a clawback's are worked out
    all the same), or, under a guarantee of the replay's first N quarters, inside stress-test's default
    replay when that holds it."""
    # Read as the data labels its quarters: under a fiscal calendar Q1 FY27 and 2027Q1 are FY2027Q1.
    label = dataset.calendar.canonical(quarter)
    if label is None:
        raise UsageError(f"'{quarter}' is not a quarter label",
                         hint=f"write the quarter like {dataset.calendar.examples()}")
    present = sorted(set(dataset.accounts["quarter"]))
    if label not in present:
        raise UsageError(f"{label} is not in accounts.csv", hint=f"quarters present: {', '.join(present)}")
    window = [label]
    if quarters is None and plan.guarantee is not None and isinstance(plan.guarantee.quarters, int):
        # A guarantee of "the replay's first N quarters" depends on where the replay starts: by default the
        # quarter is explained inside the replay stress-test makes by default, so the two agree.
        end = select_quarters(dataset, 1, through)[0]  # the last paid quarter, as stress-test ends at
        default = select_quarters(dataset, None, end)[-DEFAULT_QUARTERS:]
        if label in default:
            window = default
    if quarters is not None:
        window = select_quarters(dataset, quarters, through)
        if label not in window:
            raise UsageError(f"{label} is not one of the {len(window)} quarter(s) replayed with --quarters {quarters}"
                             f"{f' --through {through}' if through else ''} ({window[0]} … {window[-1]})",
                             hint="name a quarter of that replay, or widen it with --quarters or --through")
    result = replay(plan, dataset, window=window, later_quarters=False)
    rows = result.rows
    here = (rows["quarter"] == label).to_numpy()
    replayed = sorted(rows.loc[here, "csm_id"].unique())
    names = _roster_names(dataset)
    csm_id = resolve_csm(dataset, csm_id, replayed, label)
    match = np.flatnonzero(here & (rows["csm_id"] == csm_id).to_numpy())
    if len(match) == 0:
        who = f"{csm_id} ({names[csm_id]})" if names.get(csm_id) else csm_id
        raise UsageError(f"CSM {who} is not replayed in {label} (no accounts and no payouts there)",
                         hint=f"CSMs replayed in {label}: {_listed(replayed, {})}")
    i = int(match[0])  # a position in the replay's rows
    row = rows.iloc[i]
    book = dataset.accounts[(dataset.accounts["quarter"] == label) & (dataset.accounts["csm_id"] == csm_id)]
    return {
        "plan": plan.name,
        "quarter": label,
        "csm_id": csm_id,
        "name": row["name"],
        "segment": row["segment"],
        "team": row["team"],
        "pay": {**_pay(plan, row), **_pay_history(dataset, row)},
        "book": _book(book, dataset.origins.get(ACCOUNTS)),
        "metrics": {name: {"value": plain_number(result.books.value(name, "csm", "metrics")[i]),
                           **describe(result.books.statistics("csm", "metrics").iloc[i], name, plan.credit)}
                    for name in METRICS},
        "custom_metrics": _custom_metrics(plan, result, i),
        "risk": {"book": plain_number(result.books.risk("csm", "risk")[i]),
                 "company": plain_number(result.books.risk("company", "risk")[i])},
        "components": [_component(plan, c, row, result, i, dataset) for c in plan.components],
        # What round() in each formula does (SPEC section 3), in the words of docs/plans.md.
        "rounding": PAYOUT_ROUNDING,
        "modifiers": [_modifier(plan, m, result, i) for m in plan.modifiers],
        **({"period": period_section(plan, dataset, result, i)} if result.periods is not None else {}),
        **({"floors": floors_section(plan, dataset, result, i, replayed_alone=window == [label])}
           if plan.ramp is not None or plan.guarantee is not None else {}),
        "total": {
            "components": _money(row["components_cents"]),
            "cap": None if plan.cap is None else {
                "cap": plan.cap,
                "limit": float(cents_to_amount(to_cents(plan.cap * row["target_variable"]))),
                "formula": "round(cap × target_variable)",
            } if result.periods is None else {  # SPEC 6.4: the cap binds E, to date; cap_adjustment is its increase
                "cap": plan.cap,
                "limit": float(cents_to_amount(to_cents(plan.cap * result.periods.rows["tv_to_date"].iloc[
                    result.periods.row_of(i)]))),
                "formula": "round(cap × TV_D)",
            },
            "cap_adjustment": _money(row["cap_adjustment_cents"]),
            # The pay rules' row figures (SPEC 6.4, 6.6), each only when the plan has it.
            **{name: _money(row[f"{name}_cents"]) for name in ("advance_adjustment", "ramp_adjustment",
                                                               "guarantee_adjustment") if f"{name}_cents" in rows},
            "proposed": _money(row["proposed_cents"]),
        },
        "actual": _actual(dataset, csm_id, label, row, plan.currency),
        # The plan's and the data's own warnings (a unit mistake, a misread export, a missing column)
        # concern every CSM; the rest name theirs.
        "warnings": list(dict.fromkeys([*result.plan_warnings, *result.data_warnings,
                                        *(w for w in result.warnings if csm_id in w)])),
        **({"data": data} if data is not None else {}),  # every output names the folder it read
    }


def resolve_csm(dataset: Dataset, asked: str, replayed: list[str], quarter: str) -> str:
    """The csm_id a person means by --csm: the id itself, or (trimmed, in any case) an id, the
    roster's name, or a spelling the data map lists for the exports (an alias, a value map, such as
    an e-mail); a name two CSMs share, or nothing close, is a usage error that names the candidates."""
    names = _roster_names(dataset)
    known = set(names) | set(replayed)
    text = str(asked).strip()
    if asked in known or text in known:
        return asked if asked in known else text
    key = folded(text)
    lookups = {"id": _grouped((folded(i), i) for i in known),
               "name": _grouped((folded(n), i) for i, n in names.items() if n),
               "spelling": {k: set(v) for k, v in dataset.csm_spellings.items()}}
    for kind, lookup in lookups.items():
        found = sorted(lookup.get(key, ()))
        if len(found) == 1:
            return found[0]
        if found:
            what = {"id": "an id, in another case,", "name": "the name", "spelling": "a data-map spelling"}[kind]
            raise UsageError(f"'{text}' is {what} of {len(found)} CSMs on the roster: {', '.join(found)}",
                             hint=f"name one by its csm_id, e.g. --csm {found[0]}")
    everyone = {k: ids for lookup in lookups.values() for k, ids in lookup.items()}
    # 0.75, as for a name in an export: short ids (C29 for C99) are not "close", a slip in a name is.
    close = difflib.get_close_matches(key, list(everyone), n=1, cutoff=0.75)
    meant = sorted(everyone[close[0]]) if close else []
    suggestion = f" (did you mean {_listed(meant, names)}?)" if meant else ""
    raise UsageError(f"'{text}' is no CSM's id, roster name or data-map spelling{suggestion}",
                     hint=f"pass a csm_id, a name as roster.csv spells it, or a spelling the data map lists "
                          f"(see docs/data.md); CSMs replayed in {quarter}: {_listed(replayed, {})}")


def _roster_names(dataset: Dataset) -> dict[str, str]:
    """Each csm_id's name on the roster (its last row's, when rows are per quarter or dated)."""
    roster = dataset.roster
    if "name" not in roster:
        return {i: "" for i in roster["csm_id"]}
    if is_history(roster):  # the row in force last, whatever order the file lists them in
        roster = roster.sort_values("effective_date", na_position="first", kind="stable")
    last = roster.drop_duplicates("csm_id", keep="last")
    return {i: ("" if n is None or n != n else str(n).strip()) for i, n in zip(last["csm_id"], last["name"])}


def _grouped(pairs) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for key, csm_id in pairs:
        if key:
            grouped.setdefault(key, set()).add(csm_id)
    return grouped


def _listed(ids: list[str], names: dict[str, str], most: int = 20) -> str:
    """'0192 (Tyler Hughes), 0007 (Ana Ruiz)', the first ``most`` of them."""
    shown = ", ".join(f"{i} ({names[i]})" if names.get(i) else i for i in ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")


def _custom_metrics(plan: Plan, result, i: int) -> list[dict]:
    """Each of the plan's own metrics a component or modifier uses, on the scope book it uses."""
    uses = [(c.metric, c.scope, f"components[{n}].scope") for n, c in enumerate(plan.components)]
    uses += [(m.when.metric, m.when.scope, f"modifiers[{n}].when.scope") for n, m in enumerate(plan.modifiers)]
    entries, seen = [], set()
    for name, scope, where in uses:
        if name in plan.metrics and (name, scope) not in seen:
            seen.add((name, scope))
            if result.periods is None:
                entry = custom_explanation(result.books.custom, plan.definition(name), scope, where, i)
            else:  # SPEC 6.4: the components saw it to date, a window over the period's quarters
                books = result.periods.books
                definition = replace(plan.definition(name), window=books.to_date)
                entry = custom_explanation(books.custom, definition, scope, where, result.periods.row_of(i))
            entries.append(_plain(entry))
    return entries


def _plain(value):
    """numpy scalars and NaN as JSON-ready numbers (None)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, (float, np.floating)):
        return plain_number(value)
    return value


def _pay(plan: Plan, row) -> dict:
    mix = plan.pay_mix
    return {
        "annual_base": float(row["annual_base"]),
        "annual_variable": float(row["annual_variable"]),
        "proration": float(row["proration"]),
        "pay_mix": None if mix is None else {
            "variable_pct": mix.variable_pct if not isinstance(mix.variable_pct, dict)
            else mix.variable_pct.get(row["segment"]),
            "hold": mix.hold,
        },
        "target_variable": float(row["target_variable"]),
        "target_variable_formula": "annual variable (after pay_mix) / 4 × proration",
        "base": float(row["base"]),
        "actual_target_variable": float(row["actual_target_variable"]),
        "actual_base": float(row["actual_base"]),
        # SPEC 6.3: the roster's amounts are in pay_currency; every figure above the annual ones is in
        # the plan's, converted at fx_rate (1 when they are the same).
        "pay_currency": row["pay_currency"],
        "fx_rate": float(row["fx_rate"]),
        **({"conversion": f"annual amounts in {row['pay_currency']}, converted at {float(row['fx_rate']):g} "
                          f"{reporting_code(plan.currency)} per {row['pay_currency']}"}
           if float(row["fx_rate"]) != 1 else {}),
    }


def _pay_history(dataset: Dataset, row) -> dict:
    """For a roster written as a pay history (SPEC 6.2): the rows in force on the CSM's employed days of
    the quarter, each with its days, and in words how a raise or transfer inside the quarter splits it."""
    if not is_history(dataset.roster):
        return {}
    keys = pd.DataFrame({"quarter": [row["quarter"]], "csm_id": [row["csm_id"]]})
    periods = pay_periods(dataset.roster, keys, dataset.calendar)
    first, last = dataset.calendar.bounds(row["quarter"])
    quarter_days = (last - first).days + 1
    origin = dataset.origin(ROSTER)
    entries = []
    for period in periods.to_dict("records"):
        held = dataset.roster.loc[period["row"]]
        entries.append({"from": str(pd.Timestamp(period["first"]).date()),
                        "to": str(pd.Timestamp(period["last"]).date()),
                        "days": int(period["days"]), "line": origin.number(held["line"]),
                        "effective_date": None if pd.isna(held["effective_date"]) else str(held["effective_date"].date()),
                        "segment": held["segment"], "annual_base": float(held["annual_base"]),
                        "annual_variable": float(held["annual_variable"])})
    split = {"quarter_days": quarter_days, "pay_history": entries}
    changed = [c for c in ("annual_variable", "annual_base", "segment") if len({e[c] for e in entries}) > 1]
    if changed:
        def shown(value):
            return value if isinstance(value, str) else f"{value:,.2f}".removesuffix(".00")
        split["split"] = "; ".join(
            f"{column} " + " and ".join(f"{shown(e[column])} for {e['days']} days" for e in entries)
            + f" of {quarter_days}" for column in changed)
        split["target_variable_formula"] = ("Σ over the roster rows in force: annual variable (after pay_mix) / 4 "
                                            "× days under the row / days of the quarter")
    return split


def _book(book, origin=None) -> dict:
    columns = ["line", "account_id", "arr_start", "new_arr", "expansion", "cross_sell", "contraction", "churn",
               "arr_end", "renewal_due", "renewed", "nps", "health", "risk"]
    accounts = []
    for record in book.sort_values("account_id")[columns].to_dict("records"):
        entry = {key: _cell(value) for key, value in record.items()}
        entry["in_retention_base"] = record["arr_start"] > 0
        if origin is not None:  # read through the data map: the export's own line, and which export
            entry["line"] = origin.number(record["line"])
            entry["source"] = origin.describe(record["line"])
        accounts.append(entry)
    return {"accounts": accounts, "rows": len(accounts)}


def _cell(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return plain_number(value)
    return value


def _target_source(component) -> dict:
    spec = component.target
    if spec is None:
        return {"form": None}
    if isinstance(spec, (int, float)):
        return {"form": "number", "value": float(spec)}
    if isinstance(spec, BySegment):
        return {"form": "by segment", "values": dict(spec.values), "default": spec.default}
    if isinstance(spec, PctOfStartArr):
        return {"form": "share of the scope book's start_arr", "pct_of_start_arr": spec.pct_of_start_arr}
    return {"form": "quotas.csv row for this CSM, quarter and component"}


def _target_detail(component, row, result, i: int, dataset: Dataset) -> dict:
    """Where the number came from: the segment's entry, the quota row, the risk adjustment."""
    detail: dict = {}
    spec = component.target
    if isinstance(spec, BySegment):
        detail["segment"] = row["segment"]
        detail["segment_value"] = spec.values.get(row["segment"], spec.default)
    elif isinstance(spec, PctOfStartArr):
        if result.periods is None:
            detail["start_arr"] = plain_number(result.books.value("start_arr", component.scope, "target")[i])
        else:  # SPEC 6.4: the folded book's start_arr, earned evenly over the period (× |D| ÷ |P|)
            j = result.periods.row_of(i)
            detail["start_arr"] = plain_number(result.periods.books.value("start_arr", component.scope, "target")[j])
            detail["to_date_share"] = (f"{int(result.periods.rows['to_date_quarters'].iloc[j])} ÷ "
                                       f"{PERIOD_QUARTERS[result.plan.period]}")
    elif spec == "quotas" and dataset.quotas is not None:
        quotas = dataset.quotas
        match = quotas[(quotas["quarter"] == row["quarter"]) & (quotas["csm_id"] == row["csm_id"])
                       & (quotas["component"] == component.id)]
        detail["quota_line"] = dataset.origin(QUOTAS).number(match["line"].iloc[0]) if len(match) else None
        if len(match) and QUOTAS in dataset.origins:
            detail["quota_source"] = dataset.origin(QUOTAS).describe(match["line"].iloc[0])
    detail["risk_adjust"] = component.risk_adjust
    if component.risk_adjust is not None:
        own = plain_number(result.books.risk(component.scope, "risk")[i])
        company = plain_number(result.books.risk("company", "risk")[i])
        detail["book_risk"], detail["company_risk"] = own, company
        detail["adjustment"] = None if own is None or company is None else plain_number(
            round_half_away(component.risk_adjust * (own - company)))
    return detail


def _points_used(component: CurveComponent, x) -> str | None:
    """Which part of the curve x fell on, in words."""
    x = plain_number(x)
    if x is None:
        return None
    points = component.curve
    if x < points[0][0]:
        return f"below the first point ({points[0][0]:g}): pays 0"
    if x >= points[-1][0]:
        beyond = "continuing the last segment's slope" if component.uncapped else "its payout"
        return f"at or beyond the last point ({points[-1][0]:g}): {beyond}"
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 <= x < x1:
            if component.interpolate == "step":
                return f"step: highest point at or below x is [{x0:g}, {y0:g}]"
            return f"between [{x0:g}, {y0:g}] and [{x1:g}, {y1:g}]: {y0:g} + (x − {x0:g}) × {(y1 - y0) / (x1 - x0):g}"
    return None


def _component(plan: Plan, component, row, result, i: int, dataset: Dataset) -> dict:
    cid = component.id
    entry = {
        "id": cid,
        "kind": component.kind,
        "active": bool(row[f"{cid}_active"]),
        "metric": component.metric,
        "scope": component.scope,
        "metric_value": plain_number(row[f"{cid}_metric"]),
        "target": {**_target_source(component), **_target_detail(component, row, result, i, dataset),
                   "computed": plain_number(row[f"{cid}_target"])},
        "multiplier": plain_number(round_half_away(row[f"{cid}_multiplier"])),
        "payout": _money(row[f"{cid}_payout_cents"]),
    }
    if isinstance(component, CurveComponent):
        entry.update({
            **_weight(component, row),
            "measure": component.measure,
            "attainment": plain_number(row[f"{cid}_attainment"]),
            "curve": [list(p) for p in component.curve],
            "points_used": _points_used(component, row[f"{cid}_attainment"] if component.measure == "attainment"
                                        else row[f"{cid}_metric"]),
            "interpolate": component.interpolate,
            "uncapped": component.uncapped,
            "on_missing": component.on_missing,
            "fraction": plain_number(round_half_away(row[f"{cid}_fraction"])),
            "formula": "round(target_variable × weight × fraction × multiplier)",
            "unrounded": plain_number(row[f"{cid}_unrounded"]),
        })
    else:
        bounds = tier_bounds(component, np.array([row[f"{cid}_target"]], dtype="float64"))[0]
        entry.update({
            "tiers": [{"up_to": t.up_to, "rate": t.rate} for t in component.schedule],
            "bounds": [float(b) for b in bounds],
            "tiering": component.tiering,
            "bounds_in": "fractions of the target" if component.target is not None else "currency",
            "allow_negative": component.allow_negative,
            "cap": component.cap,
            "commission": plain_number(row[f"{cid}_commission"]),
            "formula": "round(min(commission, cap) × multiplier)",
            "unrounded": plain_number(row[f"{cid}_unrounded"]),
        })
    if result.periods is not None:  # SPEC 6.4: the figures above are to date; payout is the term's increase
        entry.update(period_component(plan, component, result, i))
        entry["formula"] = entry["to_date"]["formula"]
    if f"{cid}_clawback_cents" in row.index:  # SPEC 6.5: payout is after the clawback
        entry["clawback"] = _money(row[f"{cid}_clawback_cents"])
        entry["clawbacks"] = clawback_lines(plan, component, result, i)
    return entry


def _weight(component: CurveComponent, row) -> dict:
    """The CSM's own weight of a curve component, and where it came from when weights are by segment."""
    spec = component.weight
    if not isinstance(spec, SegmentWeights):
        return {"weight": spec}
    segment = row["segment"] if isinstance(row["segment"], str) else None
    source = (f"{segment}'s entry" if segment in spec.values
              else f"the default ({f'no entry for {segment}' if segment is not None else 'no roster segment'})")
    return {"weight": component.weight_for(segment),
            "weight_by_segment": {"segment": segment, "values": dict(spec.values), "default": spec.default,
                                  "from": source}}


def _modifier(plan: Plan, modifier, result, i: int) -> dict:
    value = result.modifiers[f"{modifier.id}_value"].iloc[i]
    return {
        "id": modifier.id,
        "metric": modifier.when.metric,
        "scope": modifier.when.scope,
        "value": plain_number(value),
        "below": modifier.when.below,
        "at_least": modifier.when.at_least,
        "applies": bool(result.modifiers[f"{modifier.id}_applies"].iloc[i]),
        "multiply": modifier.multiply,
        "applies_to": plan.multiplier_targets(modifier),
    }


def _actual(dataset: Dataset, csm_id: str, quarter: str, row, currency: str) -> dict:
    lines = []
    if dataset.payouts is not None:
        # In the plan's currency, each line converted at the quarter's rate (SPEC 6.3).
        paid = paid_in_plan_currency(dataset, [quarter], currency)
        mine = paid[(paid["quarter"] == quarter) & (paid["csm_id"] == csm_id)]
        for record in mine.to_dict("records"):
            entry = {"line": dataset.origin(PAYOUTS).number(record["line"]), "component": record["component"],
                     "amount": _money(to_cents(record["amount"]))}
            if record["fx_rate"] != 1:
                entry.update(paid_amount=float(record["local_amount"]), paid_currency=record["pay_currency"],
                             fx_rate=float(record["fx_rate"]))
            if PAYOUTS in dataset.origins:  # read through the data map: say which export row
                entry["source"] = dataset.origins[PAYOUTS].describe(record["line"])
            lines.append(entry)
    return {"total": _money(row["actual_cents"]), "payouts": lines,
            "delta": _money(row["proposed_cents"] - row["actual_cents"])}
