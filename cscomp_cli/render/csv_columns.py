"""The stress test's CSV written from the replay's columns: each column rounded and formatted once,
then one row template over them, instead of a document built and formatted cell by cell."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.rounding import cents_to_amount, pct_change, to_cents
from cscomp_cli.plan.model import CurveComponent
from cscomp_cli.render.document import shock_labels
from cscomp_cli.render.machine import CASH_COLUMNS, _plain, csv_text, protect


def plain_cells(values) -> np.ndarray:
    """A float column as _plain (then protect) writes each value, for a ``%s`` slot: the floats
    themselves where str() already gives _plain's text (repr), text for the rest."""
    x = np.asarray(values, dtype="float64") + 0.0  # -0.0 as 0.0, as plain_number does
    cells = x.astype(object)
    blank = np.isnan(x)
    cells[blank] = ""
    # str(float) is repr, and repr of an integer-valued float below 1e16 is _plain's "N.0";
    # infinities and huge integers (repr 1e+16) are the few written one by one.
    for i in np.flatnonzero(~blank & ~(np.abs(x) < 1e16)):
        cells[i] = protect(_plain(float(x[i])))
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


def comparison_csv(comparison, shocks: list | None = None) -> str:
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
              ("%s", _pct_cells(proposed - actual, actual))]
    slots += [("%.2f", amount(values)) for values in
              (base, actual_base, proposed_cash, actual_cash, proposed_cash - actual_cash)]
    if labels:
        slots.append(("%s", _text_cells(np.full(len(rows), labels, dtype=object))))
    template = ",".join(spec for spec, _ in slots) + "\n"
    order = _quarter_then_csm(rows)
    columns = [values[order] for _, values in slots]
    return text + "".join(map(template.__mod__, zip(*columns)))


def _pct_cells(delta_cents, actual_cents) -> np.ndarray:
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
