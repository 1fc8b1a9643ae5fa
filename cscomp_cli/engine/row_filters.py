"""Which account rows a metric of the plan's own counts (SPEC 5.3 filter:): each condition tested column-wise
on the accounts export, numbers as numbers and text by its categories, with the owner named in every error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cscomp_cli.core.errors import PlanError
from cscomp_cli.inputs.files import DATA_DOC
from cscomp_cli.inputs.tables import BUILTIN_READS, account_column, extra_column
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.own_metrics import Definition, RowFilter


def _owners(plan: Plan, definition: Definition) -> list[tuple[str, int]]:
    """For each filter of a definition (innermost first), the metric that states it and its position there."""
    owners = []
    for name in reversed(definition.chain):
        spec = plan.metrics.get(name)
        owners.extend((name, position) for position in range(len(spec.filter or ())) if spec is not None)
    return owners


def _how_compared(column: str) -> str:
    kinds = BUILTIN_READS[column]
    if kinds == {"text"}:
        return f"{column} holds text: compare it with in, not_in or equals and text values"
    if kinds == {"number"}:
        return f"{column} holds numbers: compare it with at_least, below, or in/not_in/equals and numbers"
    return f"{column} is yes/no: compare it with equals: yes (or no), unquoted"


def typed_cells(accounts: pd.DataFrame, column: str, kind: str, metric_name: str, where: str) -> np.ndarray:
    """A column read as ``kind`` for a metric, or the plan error saying why it cannot be."""
    try:
        values = account_column(accounts, column, kind)
    except KeyError:
        raise PlanError(f"metric '{metric_name}' reads {column} as {'yes/no' if kind == 'flag' else kind}, "
                        "which that column is not", location=where,
                        hint=f"{_how_compared(column)}; see docs/plans.md") from None
    if values is None:
        raise PlanError(f"metric '{metric_name}' reads the column {column}, which the accounts data does not have",
                        location=where, hint=f"add a {column} column to the accounts export, or correct the name; "
                        f"see {DATA_DOC}")
    return values


def text_codes(accounts: pd.DataFrame, column: str, metric_name: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (−1 blank) and the folded text of each code, from the categories when the frame has them."""
    name = column if column in BUILTIN_READS else extra_column(column, "text")
    if column not in BUILTIN_READS or "text" in BUILTIN_READS[column]:
        series = accounts.get(name)
        if series is not None and isinstance(series.dtype, pd.CategoricalDtype):
            folded = np.array([str(v).strip().casefold() for v in series.cat.categories], dtype=object)
            return series.cat.codes.to_numpy(), folded
    cells = typed_cells(accounts, column, "text", metric_name, where)
    codes, uniques = pd.factorize(pd.Series(cells, dtype=object))
    return codes, np.asarray(uniques, dtype=object)


def condition_passes(accounts: pd.DataFrame, condition: RowFilter, metric_name: str, where: str) -> np.ndarray:
    """Which rows pass one condition; a blank cell is in no in list, in every not_in and fails the rest."""
    kind = condition.reads
    if condition.test == "range":
        values = typed_cells(accounts, condition.column, "number", metric_name, where)
        ok = ~np.isnan(values)
        if condition.at_least is not None:
            ok &= values >= condition.at_least
        if condition.below is not None:
            ok &= values < condition.below
        return ok
    if kind == "text":
        codes, texts = text_codes(accounts, condition.column, metric_name, where)
        wanted = {str(v).strip().casefold() for v in condition.values}
        hit = np.array([t in wanted for t in texts] + [False], dtype=bool)  # the last entry: blank (code −1)
        matched = hit[codes]
    else:
        values = typed_cells(accounts, condition.column, kind, metric_name, where)
        wanted = [float(v) for v in condition.values]  # a yes/no value is 1.0 / 0.0, as flag cells read
        matched = np.isin(values, wanted)  # NaN (blank) is in no list
    return ~matched if condition.test == "not_in" else matched


def row_mask(plan: Plan, definition: Definition, accounts: pd.DataFrame) -> np.ndarray | None:
    """The rows passing every filter of a definition's chain (None: no filter, every row)."""
    if not definition.filters:
        return None
    mask = np.ones(len(accounts), dtype=bool)
    for condition, (name, position) in zip(definition.filters, _owners(plan, definition)):
        mask &= condition_passes(accounts, condition, definition.name, f"metrics.{name}.filter[{position}].column")
    return mask


def column_owner(plan: Plan, definition: Definition) -> str:
    """The metric of the chain that names the column (the innermost)."""
    return next(name for name in reversed(definition.chain) if plan.metrics[name].column is not None)
