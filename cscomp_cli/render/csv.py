"""CSV for spreadsheets: the stress test's rows straight from the replay's columns, and a table for each
other kind of result. Every cell goes through protect, so no text from a plan or an export runs as a
formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from cscomp_cli.analyses.result import Kind
from cscomp_cli.core.currencies import reporting_code
from cscomp_cli.core.rounding import cents_to_amount, pct_change, to_cents
from cscomp_cli.plan.components import CurveComponent
from cscomp_cli.render.views import shock_labels

# What a spreadsheet reads as the start of a formula (the fullwidth forms too: some normalise them).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


CASH_COLUMNS = ["base", "actual_base", "proposed_cash", "actual_cash", "cash_delta"]


def protect(text: str) -> str:
    """Prefix a text cell a spreadsheet would run as a formula with an apostrophe (a negative
    number such as -12.50 stays a number)."""
    return "'" + text if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text) else text


def csv_text(rows: Iterable[Iterable]) -> str:
    """Rows (the header first) as CSV with every text cell through protect: the one writer of every
    CSV cscomp prints, so no cell or header from a plan or an export runs in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([protect(cell) if isinstance(cell, str) else cell for cell in row])
    return buffer.getvalue()


def plain(value, decimals: int | None = None) -> str:
    if value is None:
        return ""
    if decimals is not None:
        return f"{value:.{decimals}f}"
    return repr(float(value)) if not float(value).is_integer() else f"{value:.1f}"


def plain_cells(values) -> np.ndarray:
    """A float column as plain (then protect) writes each value, for a ``%s`` slot: the floats
    themselves where str() already gives plain's text (repr), text for the rest."""
    x = np.asarray(values, dtype="float64") + 0.0  # -0.0 as 0.0, as plain_number does
    cells = x.astype(object)
    blank = np.isnan(x)
    cells[blank] = ""
    # str(float) is repr, and repr of an integer-valued float below 1e16 is plain's "N.0";
    # infinities and huge integers (repr 1e+16) are the few written one by one.
    for i in np.flatnonzero(~blank & ~(np.abs(x) < 1e16)):
        cells[i] = protect(plain(float(x[i])))
    return cells


def amount_cells(values) -> np.ndarray:
    """An amount column (NaN for a blank) for a ``%.2f`` slot where defined, text where blank."""
    x = np.asarray(values, dtype="float64") + 0.0
    cells = x.astype(object)
    cells[np.isnan(x)] = ""
    return cells


def _text_cells(values) -> np.ndarray:
    """A text column protected and CSV-quoted as csv_text writes it, each distinct value once."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    written = np.array([csv_text([[value, ""]])[:-2] for value in uniques] or [""], dtype=object)
    return written[codes]


def to_csv(comparison, shocks: list | None = None) -> str:
    """One row per CSM–quarter, sorted by quarter then csm_id (SPEC section 4), written straight from
    the replay's columns: the same text the document's rows gave, a row at a time, took seconds."""
    plan = comparison.plan
    rows = comparison.rows
    header = ["quarter", "csm_id", "name", "segment", "target_variable"]
    for c in plan.components:
        header += [f"{c.id}_metric", f"{c.id}_attainment", f"{c.id}_payout"]
    header += ["cap_adjustment", "proposed", "actual", "delta", "delta_pct"]
    header += CASH_COLUMNS  # appended, so every earlier column keeps its place
    labels = shock_labels({"shocks": {shock.column: shock.pct for shock in shocks or []}})
    if labels:
        header.append("shocks")  # only under --shock, so the plain header is exactly SPEC's
    rules = pay_rule_columns(plan, rows)
    header += [name for name, _ in rules]  # SPEC 6.4-6.6: only the ones the plan has
    converted = paid_in_other_currencies(rows, plan.currency)
    if converted:
        header += ["pay_currency", "fx_rate"]  # SPEC 6.3: at the end, only when some pay is converted
    text = csv_text([header])
    if rows.empty:
        return text
    cents = lambda column: rows[column].to_numpy(dtype="int64")  # noqa: E731
    amount = lambda c: amount_cells(cents_to_amount(c))  # noqa: E731
    slots = [("%s", _text_cells(rows[column])) for column in ("quarter", "csm_id", "name", "segment")]
    slots.append(("%.2f", amount(to_cents(rows["target_variable"].to_numpy(dtype="float64")))))
    blank = np.full(len(rows), "", dtype=object)
    for c in plan.components:
        slots.append(("%s", plain_cells(rows[f"{c.id}_metric"])))
        slots.append(("%s", plain_cells(rows[f"{c.id}_attainment"]) if isinstance(c, CurveComponent) else blank))
        slots.append(("%.2f", amount(cents(f"{c.id}_payout_cents"))))
    proposed, actual = cents("proposed_cents"), cents("actual_cents")
    base, actual_base = cents("base_cents"), cents("actual_base_cents")
    proposed_cash, actual_cash = base + proposed, actual_base + actual
    slots += [("%.2f", amount(cents("cap_adjustment_cents"))), ("%.2f", amount(proposed)),
              ("%.2f", amount(actual)), ("%.2f", amount(proposed - actual)),
              ("%s", pct_cells(proposed - actual, actual))]
    slots += [("%.2f", amount(values)) for values in
              (base, actual_base, proposed_cash, actual_cash, proposed_cash - actual_cash)]
    if labels:
        slots.append(("%s", _text_cells(np.full(len(rows), labels, dtype=object))))
    for name, column in rules:
        slots.append(("%s", _text_cells(rows[column])) if name == "period" else ("%.2f", amount(cents(column))))
    if converted:
        slots.append(("%s", _text_cells(rows["pay_currency"])))
        slots.append(("%s", plain_cells(rows["fx_rate"])))
    template = ",".join(spec for spec, _ in slots) + "\n"
    order = _quarter_then_csm(rows)
    columns = [values[order] for _, values in slots]
    return text + "".join(map(template.__mod__, zip(*columns)))


def pay_rule_columns(plan, rows) -> list[tuple[str, str]]:
    """(CSV column, replay column) of SPEC 6.4-6.6's row figures the plan has, in the CSV's order: a period
    plan's period, earned_to_date and advance_adjustment, each clawback component's clawback, then the
    floors' adjustments. None for a plan without them, so its header stays as it was."""
    columns = []
    if "period" in rows:
        columns += [("period", "period"), ("earned_to_date", "earned_to_date_cents"),
                    ("advance_adjustment", "advance_adjustment_cents")]
    columns += [(f"{c.id}_clawback", f"{c.id}_clawback_cents") for c in plan.components
                if f"{c.id}_clawback_cents" in rows]
    columns += [(name, f"{name}_cents") for name in ("ramp_adjustment", "guarantee_adjustment") if f"{name}_cents" in rows]
    return columns


def paid_in_other_currencies(rows, currency: str) -> bool:
    """Whether some replayed row's pay currency is not the plan's (SPEC 6.3's condition for the CSV's
    pay_currency and fx_rate columns)."""
    return "pay_currency" in rows and bool((rows["pay_currency"] != reporting_code(currency)).any())


def pct_cells(delta_cents, actual_cents) -> np.ndarray:
    """delta_pct as the document states it (None where nothing was paid), as 2-decimal text."""
    pct = pct_change(delta_cents, np.abs(actual_cents)) + 0.0
    cells = np.full(len(pct), "", dtype=object)
    defined = ~np.isnan(pct)
    cells[defined] = list(map("{:.2f}".format, pct[defined].tolist()))
    return cells


def _quarter_then_csm(rows) -> np.ndarray:
    """The rows' order by quarter then csm_id (Python's string order, ties kept as they come)."""
    keys = []
    for column in ("csm_id", "quarter"):  # lexsort: the last key is the primary one
        codes, uniques = pd.factorize(rows[column].to_numpy(dtype=object), use_na_sentinel=False)
        rank = np.empty(len(uniques), dtype="int64")
        rank[sorted(range(len(uniques)), key=uniques.__getitem__)] = np.arange(len(uniques))
        keys.append(rank[codes])
    return np.lexsort(keys)


def side_by_side_csv(document: dict) -> str:
    """The per-CSM matrix: one row per CSM, actual then each plan's proposed payout; when a plan
    moves base, total cash columns (actual_cash, then <plan>_cash) follow."""
    labels = [p["label"] for p in document["plans"]]
    cash = bool(document.get("moves_base"))
    rows = [["csm_id", "name", "segment", "actual", *labels]
            + (["actual_cash", *[f"{label}_cash" for label in labels]] if cash else [])]
    for csm in document["csms"]:
        cells = [csm["csm_id"], str(csm["name"]), str(csm["segment"]),
                 f"{csm['actual']:.2f}", *[f"{csm['proposed'][label]:.2f}" for label in labels]]
        if cash:
            cells += [f"{csm['actual_cash']:.2f}", *[f"{csm['proposed_cash'][label]:.2f}" for label in labels]]
        rows.append(cells)
    return csv_text(rows)


SWEEP_COLUMNS = ["value", "proposed_total", "delta", "delta_pct", "paid_more", "paid_less", "top_performers_paid_less",
           "pay_performance_correlation", "error"]


# Appended (so the columns above keep their places) when some value moves base.
SWEEP_CASH_COLUMNS = ["proposed_cash_total", "cash_delta", "cash_delta_pct"]


def _blank_or_amount(value, decimals: int = 2) -> str:
    return "" if value is None else f"{value:.{decimals}f}"


def sweep_csv(document: dict) -> str:
    cash = bool(document.get("moves_base"))
    # SPEC 6.6: what each floor cost at each value, appended (after the cash columns) when the plan has it.
    floors = [f"{name}_total" for name in ("ramp", "guarantee") if any(f"{name}_total" in row for row in document["rows"])]
    rows = [SWEEP_COLUMNS + (SWEEP_CASH_COLUMNS if cash else []) + floors]
    for row in document["rows"]:
        if row["error"]:
            rows.append([f"{row['value']:g}"] + [""] * 7 + [row["error"]] + ([""] * 3 if cash else []) + [""] * len(floors))
            continue
        rows.append([f"{row['value']:g}", f"{row['proposed_total']:.2f}", f"{row['delta']:.2f}",
                         "" if row["delta_pct"] is None else f"{row['delta_pct']:.2f}", row["paid_more"],
                         row["paid_less"], " ".join(row["top_performers_paid_less"]),
                         "" if row["pay_performance_correlation"] is None else row["pay_performance_correlation"],
                     ""] + ([_blank_or_amount(row[c]) for c in SWEEP_CASH_COLUMNS] if cash else [])
                    + [_blank_or_amount(row.get(c)) for c in floors])
    return csv_text(rows)


def simulation_csv(document: dict) -> str:
    """One row per CSM: current TV, number of outcomes, P10/P50/P90 payout."""
    rows = [["csm_id", "name", "segment", "target_variable", "outcomes", "p10", "p50", "p90"]]
    for csm in document["csms"]:
        rows.append([csm["csm_id"], str(csm["name"]), str(csm["segment"]), f"{csm['target_variable']:.2f}",
                     csm["outcomes"], *[f"{csm[k]:.2f}" for k in ("p10", "p50", "p90")]])
    return csv_text(rows)


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _flatten(prefix: str, value):
    """(field, scalar) pairs of a nested value; list positions count from 1, curve points as x and fraction."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(f"{prefix}.{key}" if prefix else key, item)
    elif isinstance(value, list):
        for position, item in enumerate(value, start=1):
            if prefix.endswith("curve") and isinstance(item, list) and len(item) == 2:
                yield f"{prefix}.{position}.x", item[0]
                yield f"{prefix}.{position}.fraction", item[1]
            else:
                yield from _flatten(f"{prefix}.{position}", item)
    else:
        yield prefix, value


def explanation_rows(doc: dict):
    """(section, item, field, value) for every figure of the explanation, in the tree's order."""
    for key in ("plan", "quarter", "csm_id", "name", "segment", "team"):
        yield "csm", "", key, doc[key]
    for name, value in _flatten("", doc["pay"]):
        yield "pay", "", name, value
    for account in doc["book"]["accounts"]:
        for name, value in account.items():
            if name != "account_id":
                yield "book", account["account_id"], name, value
    for metric, entry in doc["metrics"].items():
        for name, value in entry.items():
            yield "metric", metric, name, value
    for entry in doc.get("custom_metrics", []):
        for name, value in _flatten("", {k: v for k, v in entry.items() if k not in ("metric", "scope")}):
            yield "custom metric", f"{entry['metric']} ({entry['scope']})", name, value
    for name, value in doc["risk"].items():
        yield "risk", "", name, value
    for component in doc["components"]:
        for name, value in _flatten("", {k: v for k, v in component.items() if k != "id"}):
            yield "component", component["id"], name, value
    for modifier in doc["modifiers"]:
        for name, value in _flatten("", {k: v for k, v in modifier.items() if k != "id"}):
            yield "modifier", modifier["id"], name, value
    # The pay rules of SPEC 6.4 and 6.6, when the plan has them: a period's figures to date, the floors.
    for section in ("period", "floors"):
        for name, value in _flatten("", doc.get(section, {})):
            yield section, "", name, value
    for name, value in _flatten("", doc["total"]):
        yield "total", "", name, value
    if doc.get("rounding"):
        yield "total", "", "rounding", doc["rounding"]  # what round() in every formula does
    actual = doc["actual"]
    yield "paid", "", "total", actual["total"]
    yield "paid", "", "delta", actual["delta"]
    for line in actual["payouts"]:
        where = line.get("source") or f"payouts.csv line {line['line']}"
        yield "paid", where, "component", line["component"]
        yield "paid", where, "amount", line["amount"]
    for position, warning in enumerate(doc["warnings"], start=1):
        yield "warning", str(position), "text", warning


def explanation_csv(doc: dict) -> str:
    """A tidy table, one row per figure: filter on section, item and field in a spreadsheet."""
    rows = [[section, str(item), name, _csv_value(value)] for section, item, name, value in explanation_rows(doc)]
    return csv_text([["section", "item", "field", "value"], *rows])


def reconciliation_csv(document: dict) -> str:
    """One row per differing payout line with its category, for a spreadsheet."""
    rows = [["quarter", "csm_id", "name", "component", "category", "computed", "paid", "difference"]]
    for row in document["differing"]:
        for line in row["lines"]:
            rows.append([row["quarter"], row["csm_id"], str(row["name"]), line["component"], line["category"],
                         f"{line['computed']:.2f}", f"{line['paid']:.2f}", f"{line['difference']:.2f}"])
    return csv_text(rows)


RENDERERS = {
    Kind.stress_test: lambda result: to_csv(result.facts, result.shocks),
    Kind.compare: lambda result: side_by_side_csv(result.document),
    Kind.sweep: lambda result: sweep_csv(result.document),
    Kind.simulate: lambda result: simulation_csv(result.document),
    Kind.explain: lambda result: explanation_csv(result.document),
    Kind.reconcile: lambda result: reconciliation_csv(result.document),
}
