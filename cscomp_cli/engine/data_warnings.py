"""What the data cannot give a plan, said once each: a metric whose optional column the export lacks,
payouts to people who are not CSMs, CSMs with no book, a window reaching before the data, renewals
marked where none was due (and, in unit_slips, thresholds written in the other unit than the data's).
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
from cscomp_cli.engine.unit_slips import unit_slip_warnings
from cscomp_cli.inputs.dataset import Dataset
from cscomp_cli.inputs.files import ACCOUNTS, DATA_DOC, PAYOUTS, ROSTER
from cscomp_cli.inputs.tables import column_key
from cscomp_cli.plan.model import Plan


def data_warnings(plan: Plan, dataset: Dataset, window: list[str] | None = None,
                  shared: dict | None = None) -> list[DataWarning]:
    """What the data cannot give this plan, said once each: a metric whose optional column the
    accounts export lacks, payouts to people who are not CSMs, a window reaching before the data, a
    filter value no row holds, a threshold written in the other unit than its column's, and renewals
    marked where none was due."""
    held = computed_once(shared, "quarters held", lambda: dataset.accounts["quarter"].unique())
    replayed = sorted(held.tolist()) if window is None else window
    return [*missing_column_warnings(plan, dataset),
            *computed_once(shared, "non-CSM warnings", lambda: _non_csm_warnings(dataset, window)),
            *window_warnings(plan, held, replayed, dataset.called(ACCOUNTS)),
            *window_roster_warnings(plan, dataset.accounts, dataset.roster, replayed, dataset.called(ROSTER), shared,
                                    dataset.calendar),
            *filter_value_warnings(plan, dataset.accounts, dataset.called(ACCOUNTS)),
            *unit_slip_warnings(plan, dataset, shared),
            *renewed_not_due_warnings(plan, dataset),
            *renewed_without_due_warnings(plan, dataset)]


# Metrics read from optional accounts.csv columns; without the column every value is undefined
# (renewed_arr: 0), which otherwise only shows as "attainment undefined" CSM-quarter by CSM-quarter.
METRIC_COLUMNS = {
    "renewal_rate": ("renewal_due", "renewed"),
    "renewed_arr": ("renewal_due", "renewed"),
    "nps": ("nps",),
    "health": ("health",),
}


def _metric_users(plan: Plan) -> dict[str, list[str]]:
    """Each metric the plan pays on, gates with or ranks by, and who uses it ("component retention")."""
    users: dict[str, list[str]] = {}
    for component in plan.components:
        users.setdefault(component.metric, []).append(f"component {component.id}")
    for modifier in plan.modifiers:
        users.setdefault(modifier.when.metric, []).append(f"modifier {modifier.id}")
    # performance is one metric name, or (SPEC 5.5) a map of names to weights.
    performance = plan.performance
    for name in performance if isinstance(performance, dict) else [performance]:
        users.setdefault(name, []).append("the plan's performance measure")
    return users


def _base(plan: Plan, name: str) -> str:
    """The built-in metric a metric is computed as: a metric of the plan's own reads the columns of the
    built-in it is built from."""
    return plan.definition(name).base if name in plan.metrics else name


def missing_column_warnings(plan: Plan, dataset: Dataset) -> list[DataWarning]:
    header = dataset.columns.get(ACCOUNTS)
    if header is None:
        return []  # a dataset built in code: nothing is known about its export's header
    found = []
    for name, who in _metric_users(plan).items():
        base = _base(plan, name)
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


RENEWAL_METRICS = ("renewal_rate", "renewed_arr")


def renewed_not_due_warnings(plan: Plan, dataset: Dataset) -> list[DataWarning]:
    """Rows marked renewed in a quarter no renewal was due: renewal_rate and renewed_arr count a renewal only
    where one was due (SPEC section 2), so these leave them silently, as if the renewal never happened."""
    if not any(_base(plan, name) in RENEWAL_METRICS for name in _metric_users(plan)):
        return []
    header = dataset.columns.get(ACCOUNTS)
    if header is not None and not {"renewal_due", "renewed"} <= header:
        return []  # missing_column_warnings says which column is missing
    accounts = dataset.accounts
    stray = accounts["renewed"].to_numpy(dtype=bool) & ~accounts["renewal_due"].to_numpy(dtype=bool)
    if not stray.any():
        return []
    keys = accounts["line"].to_numpy()[stray]
    origin = dataset.origin(ACCOUNTS)
    places = [origin.place(key) for key in keys[:5]]
    if all(place.startswith("line ") for place in places):
        shown = ("lines " if len(places) > 1 else "line ") + ", ".join(p.removeprefix("line ") for p in places)
    else:
        shown = "; ".join(places)
    n = int(stray.sum())
    rows = f"{n} rows are" if n > 1 else "1 row is"
    return [DataWarning(
        f"{rows} marked renewed with no renewal due ({shown}{' …' if n > 5 else ''}): renewal_rate and renewed_arr "
        f"count a renewal only in a quarter where one was due, so {'these are' if n > 1 else 'it is'} left out of them",
        **origin.at(keys[0], "renewed"),
        hint=f"if a renewal fell due in that quarter, set renewal_due to yes; if none did, clear renewed; "
             f"see {DATA_DOC}")]


def renewed_without_due_warnings(plan: Plan, dataset: Dataset) -> list[DataWarning]:
    """A metric of the plan's own reading renewed (a mean of it, a filter keeping the rows not renewed) from
    an export with no renewal_due: a row not renewed may have had no renewal due at all."""
    header = dataset.columns.get(ACCOUNTS)
    if header is None or "renewal_due" in header or "renewed" not in header:
        return []
    found = []
    for name, spec in plan.metrics.items():
        places = [f"metrics.{name}.column"] if spec.column is not None and column_key(spec.column) == "renewed" else []
        places += [f"metrics.{name}.filter[{i}]" for i, condition in enumerate(spec.filter or ())
                   if column_key(condition.column) == "renewed" and _keeps_not_renewed(condition)]
        found.extend(DataWarning(
            f"metric {name} reads renewed, but {dataset.called(ACCOUNTS)} has no renewal_due column: renewed says "
            "whether a renewal that fell due was signed, so a row that is not renewed may simply have had no renewal "
            f"due, and {name} counts it as a renewal not signed", location=place,
            hint=f"add a renewal_due column (yes where a renewal fell due that quarter) to the export, and use "
                 f"renewal_rate; see {DATA_DOC}") for place in places[:1])
    return found


def _keeps_not_renewed(condition) -> bool:
    """Whether a condition on renewed lets through the rows that are not renewed (equals no, not_in [yes])."""
    if condition.test == "range":
        return ((condition.at_least is None or condition.at_least <= 0)
                and (condition.below is None or condition.below > 0))
    listed = 0.0 in [float(v) for v in condition.values if not isinstance(v, str)]
    return listed if condition.test in ("in", "equals") else not listed


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
