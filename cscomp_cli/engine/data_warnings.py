"""What the data cannot give a plan, said once each: a metric whose optional column the export lacks,
payouts to people who are not CSMs, CSMs with no book, a window reaching before the data.
"""

from __future__ import annotations

import pandas as pd

from cscomp_cli.core.errors import DataWarning
from cscomp_cli.core.formatting import and_joined
from cscomp_cli.core.rounding import to_cents
from cscomp_cli.engine.books import BookMetrics
from cscomp_cli.engine.plan_metrics import (
    filter_value_warnings,
    window_roster_warnings,
    window_warnings,
)
from cscomp_cli.engine.roster import non_csm_payouts
from cscomp_cli.engine.sweep_cache import computed_once
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import ACCOUNTS, DATA_DOC, PAYOUTS, ROSTER
from cscomp_cli.plan.model import Plan


def data_warnings(plan: Plan, dataset: Dataset, window: list[str] | None = None,
                  shared: dict | None = None) -> list[DataWarning]:
    """What the data cannot give this plan, said once each: a metric whose optional column the
    accounts export lacks, payouts to people who are not CSMs, a window reaching before the data and a
    filter value no row holds."""
    held = computed_once(shared, "quarters held", lambda: dataset.accounts["quarter"].unique())
    replayed = sorted(held.tolist()) if window is None else window
    return [*missing_column_warnings(plan, dataset),
            *computed_once(shared, "non-CSM warnings", lambda: _non_csm_warnings(dataset, window)),
            *window_warnings(plan, held, replayed, dataset.called(ACCOUNTS)),
            *window_roster_warnings(plan, dataset.accounts, dataset.roster, replayed, dataset.called(ROSTER)),
            *filter_value_warnings(plan, dataset.accounts, dataset.called(ACCOUNTS))]


# Metrics read from optional accounts.csv columns; without the column every value is undefined
# (renewed_arr: 0), which otherwise only shows as "attainment undefined" CSM-quarter by CSM-quarter.
METRIC_COLUMNS = {
    "renewal_rate": ("renewal_due", "renewed"),
    "renewed_arr": ("renewal_due", "renewed"),
    "nps": ("nps",),
    "health": ("health",),
}


def missing_column_warnings(plan: Plan, dataset: Dataset) -> list[DataWarning]:
    header = dataset.columns.get(ACCOUNTS)
    if header is None:
        return []  # a dataset built in code: nothing is known about its export's header
    users: dict[str, list[str]] = {}
    for component in plan.components:
        users.setdefault(component.metric, []).append(f"component {component.id}")
    for modifier in plan.modifiers:
        users.setdefault(modifier.when.metric, []).append(f"modifier {modifier.id}")
    # performance is one metric name, or (SPEC 5.5) a map of names to weights.
    performance = plan.performance
    for name in performance if isinstance(performance, dict) else [performance]:
        users.setdefault(name, []).append("the plan's performance measure")
    found = []
    for name, who in users.items():
        # A metric of the plan's own reads the columns of the built-in it is built from.
        base = plan.definition(name).base if name in plan.metrics else name
        missing = [column for column in METRIC_COLUMNS.get(base, ()) if column not in header]
        if not missing:
            continue
        effect = f"every {name} is 0" if base == "renewed_arr" else f"every {name} is undefined"
        if "the plan's performance measure" in who:
            effect += " (so no CSM can be a top performer)" if base != "renewed_arr" else ""
        found.append(DataWarning(
            f"{and_joined(who)} use{'s' if len(who) == 1 else ''} {name}, but {dataset.called(ACCOUNTS)} has no "
            f"{' or '.join(missing)} column: {effect}",
            file=dataset.path(ACCOUNTS), location="line 1",
            hint=f"add the {' and '.join(missing)} column{'s' if len(missing) > 1 else ''} to the export, or use "
            f"another metric; see {DATA_DOC}",
        ))
    adjusted = [component.id for component in plan.components if component.risk_adjust is not None]
    if adjusted and "risk" not in header:
        found.append(DataWarning(
            f"{and_joined([f'component {c}' for c in adjusted])} use{'s' if len(adjusted) == 1 else ''} risk_adjust, "
            f"but {dataset.called(ACCOUNTS)} has no risk column: no target is adjusted",
            file=dataset.path(ACCOUNTS), location="line 1",
            hint=f"add a risk column (0–1) to the export, or remove risk_adjust; see {DATA_DOC}",
        ))
    return found


def _non_csm_warnings(dataset: Dataset, window: list[str] | None) -> list[DataWarning]:
    outside = non_csm_payouts(dataset, window)
    if outside.empty:
        return []
    return [non_csm_problem(outside, dataset, DataWarning)]


def non_csm_problem(outside: pd.DataFrame, dataset: Dataset, kind=DataWarning):
    """The one message about payouts to non-CSMs, as a warning (or, under validate --strict, an error)."""
    ids = list(dict.fromkeys(outside["csm_id"]))
    cents = int(to_cents(outside["amount"].to_numpy()).sum())
    shown = ", ".join(ids[:10]) + (" …" if len(ids) > 10 else "")
    people = f"{len(ids)} {'person' if len(ids) == 1 else 'people'}"
    lines = f"{len(outside)} line{'s' if len(outside) > 1 else ''}"
    return kind(
        f"{dataset.called(PAYOUTS)} pays {people} who {'is' if len(ids) == 1 else 'are'} not a CSM (no {dataset.called(ROSTER)} row in any quarter "
        f"and no accounts): {shown}; their {lines}, {cents / 100:,.2f} in all, {'is' if len(outside) == 1 else 'are'} "
        "left out of every total",
        **dataset.origin(PAYOUTS).at(outside["line"].min(), "csm_id"),
        hint=f"if they are CSMs, add them to {dataset.called(ROSTER)}; `cscomp validate --strict` makes this an error; see {DATA_DOC}",
    )


def roster_warnings(rows: pd.DataFrame, books: "BookMetrics") -> list[str]:
    warnings = []
    not_employed = rows[rows["proration"] <= 0]
    for row in not_employed.itertuples():
        warnings.append(f"{row.csm_id} appears in {row.quarter} but their roster dates give 0 days employed "
                        "in that quarter, so their target variable is 0")
    empty = books.statistics("csm", "accounts")["accounts"].to_numpy() == 0
    no_book = [f"{q} {c}" for q, c in zip(rows["quarter"][empty], rows["csm_id"][empty])]
    if no_book:
        warnings.append(f"{len(no_book)} CSM-quarter(s) have payouts but no accounts (empty book): "
                        + ", ".join(no_book[:10]) + (" …" if len(no_book) > 10 else ""))
    return warnings
