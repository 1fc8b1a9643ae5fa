"""`cscomp validate`: every problem with a plan, a data folder and how they fit, found at once.

The checks are the loaders' and the engine's own (one code path): they run inside
collect_problems(), where each problem is recorded and the check carries on. Rows a problem makes
unusable are set aside so the checks after them still run on the rest. Warnings are things that
replay fine but that a leader would want to know before trusting a result.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from pathlib import Path

import pandas as pd

from cscomp_cli.analyses.findings import Problem, Validation
from cscomp_cli.analyses.findings import check_plan as _check_plan
from cscomp_cli.core.errors import (
    CscompError,
    DataError,
    DataWarning,
    PlanError,
    collect_notes,
    collect_problems,
)
from cscomp_cli.core.quarters import CALENDAR, Calendar
from cscomp_cli.core.text import folded
from cscomp_cli.engine.data_warnings import missing_column_warnings, non_csm_problem
from cscomp_cli.engine.replay import replay
from cscomp_cli.engine.roster import non_csm_payouts
from cscomp_cli.inputs.continuity import history_warnings
from cscomp_cli.inputs.datamap import MAP_FILE
from cscomp_cli.inputs.dataset import Dataset, data_quarters, table_sources
from cscomp_cli.inputs.files import (
    ACCOUNTS,
    DATA_DOC,
    FX,
    PAYOUTS,
    QUOTAS,
    ROSTER,
    Staged,
    relative_to,
)
from cscomp_cli.inputs.fx_sheet import load_rates
from cscomp_cli.inputs.tables import (
    BUILTIN_READS,
    column_key,
    extra_column,
    header_columns,
    load_accounts,
    load_payouts,
    load_quotas,
    load_roster,
    table_currencies,
    written_headers,
)
from cscomp_cli.plan.model import Plan
from cscomp_cli.plan.targets import BySegment, SegmentWeights


def validate(plan_source: Path | str, data: Path, *, strict: bool = False, calendar: Calendar | None = None) -> Validation:
    """Check the plan, every CSV of the data folder, and how the two fit; never raises a user error.

    ``strict``: payouts to people who are not CSMs are errors, not warnings.
    """
    found = Validation()
    plan = _check_plan(plan_source, found)
    dataset = _check_data(Path(data), found, calendar, None if plan is None else plan.account_columns())
    if dataset is not None:
        _check_payees(dataset, found, strict)
    if plan is not None and dataset is not None:
        _check_fit(plan, dataset, str(plan_source), found)
    return found


def validate_data(folder: Path) -> Validation:
    """Every problem in a data folder's tables, without a plan (what `cscomp init` checks)."""
    found = Validation()
    _check_data(Path(folder), found)
    return found


def _check_payees(dataset: Dataset, found: Validation, strict: bool) -> None:
    """Payroll lines for people who are not CSMs: left out of every total, an error only when strict."""
    outside = non_csm_payouts(dataset)
    if outside.empty:
        return
    if strict:
        found.add(non_csm_problem(outside, dataset, DataError))
    else:
        found.warnings.append(Problem.of(non_csm_problem(outside, dataset, DataWarning)))


def _check_data(folder: Path, found: Validation, calendar: Calendar | None = None,
                columns: dict[str, set[str]] | None = None) -> Dataset | None:
    if not folder.is_dir():
        found.add(DataError("data folder not found", file=folder,
                            hint="pass --data DIR (or set CSCOMP_DATA) to the folder holding accounts.csv and roster.csv"))
        return None
    with collect_problems() as problems, collect_notes() as notes:
        try:
            sources, data_map = table_sources(folder, require_payouts=False, columns=columns)
        except CscompError as error:  # the map, or an export it names, cannot be read at all
            problems.append(error)
            sources, data_map = None, None
    for problem in problems:
        found.add(problem)
    found.warnings.extend(Problem.of(warning) for warning in notes)
    if sources is None:
        return None
    calendar = calendar or (data_map.calendar if data_map is not None else CALENDAR)
    loaded: dict[str, pd.DataFrame | None] = {}
    for name, loader in ((ACCOUNTS, load_accounts), (ROSTER, load_roster), (PAYOUTS, load_payouts),
                         (QUOTAS, load_quotas)):
        source = sources[name]
        if source is None:
            loaded[name] = None
            continue
        with collect_problems() as problems, collect_notes() as notes:
            try:
                # The plan's own columns are read (and their cells checked) as a replay reads them.
                loaded[name] = (load_accounts(source, calendar=calendar, extra=columns) if name == ACCOUNTS
                                else loader(source, calendar=calendar))
            except CscompError as error:  # the file cannot be read at all
                problems.append(error)
                loaded[name] = None
        for problem in problems:
            found.add(problem)
        found.warnings.extend(Problem.of(warning) for warning in notes)
        if loaded[name] is not None:
            found.checked[name] = {"rows": len(loaded[name])}
            if isinstance(source, Staged):
                found.checked[name]["from"] = (f"the query in {source.origin.query}" if source.origin.query
                                               else relative_to(source.origin.path, folder))
                if source.left_out:
                    found.checked[name]["left_out"] = source.left_out
    mapped = {name: source.origin for name, source in sources.items() if isinstance(source, Staged)}
    rates = _check_rates(folder, sources, data_map, calendar, loaded, found)
    if sources[PAYOUTS] is None:
        if data_map is None:
            found.warnings.append(Problem(f"no {PAYOUTS}: stress-test needs it to compare with what was paid",
                                          file=str(folder / PAYOUTS), hint="export what was paid per CSM and quarter"))
        else:
            found.warnings.append(Problem("the data map has no payouts table: stress-test needs one to compare with "
                                          "what was paid", file=str(folder / MAP_FILE), location="tables",
                                          hint=f"add tables.payouts naming the payroll export; see {DATA_DOC}"))
    if loaded[ACCOUNTS] is None or loaded[ROSTER] is None:
        return None
    accounts = loaded[ACCOUNTS]
    quarters = sorted(accounts["quarter"].dropna().unique())
    if quarters:
        found.checked[ACCOUNTS].update(quarters=quarters[0] if len(quarters) == 1 else f"{quarters[0]}–{quarters[-1]}", count=len(quarters),
                                       csms=int(accounts["csm_id"].nunique()))
    dataset = replace(_usable(folder, loaded, mapped, calendar), fx=rates[0], fx_pair=rates[1])
    found.warnings.extend(Problem.of(warning) for warning in history_warnings(dataset))
    return dataset


def _check_rates(folder: Path, sources: dict, data_map, calendar: Calendar, loaded: dict, found: Validation) -> tuple:
    """fx.csv, or the map's FX sheet, checked as a replay reads it: (rates, pair), (None, None) without."""
    rates = (None, None)
    with collect_problems() as problems, collect_notes() as notes:
        try:
            rates = load_rates(sources.get(FX), data_map.tables.fx if data_map is not None else None,
                               str(folder / MAP_FILE), calendar, data_quarters(loaded))
        except CscompError as error:  # the sheet cannot be read at all
            problems.append(error)
    for problem in problems:
        found.add(problem)
    found.warnings.extend(Problem.of(warning) for warning in notes)
    if rates[0] is not None:
        found.checked[FX] = {"rows": len(rates[0])}
        if isinstance(sources.get(FX), Staged):
            found.checked[FX]["from"] = relative_to(sources[FX].origin.path, folder)
    return rates


def _usable(folder: Path, loaded: dict, origins: dict, calendar: Calendar = CALENDAR) -> Dataset:
    """The rows the later checks can use: no blank keys, no duplicates, numbers where text was bad.

    Its ``warnings`` stay empty: validate lists the loaders' warnings itself, once.
    """
    columns = header_columns(loaded)
    headers = written_headers(loaded)
    currencies = table_currencies(loaded)
    def clean(table, keys, amounts=(), unique=True):
        if table is None:
            return None
        table = table.dropna(subset=keys)
        table = table[(table[keys] != "").all(axis=1)]
        table = table.drop_duplicates(subset=keys) if unique else table
        return table.fillna({column: 0.0 for column in amounts}).reset_index(drop=True)

    movements = ["arr_start", "expansion", "cross_sell", "new_arr", "contraction", "churn", "arr_end"]
    # A pay history's rows of one CSM differ by effective_date: one kept per CSM, quarter and day.
    effective = loaded[ROSTER]["effective_date"]
    roster = loaded[ROSTER].assign(quarter=loaded[ROSTER]["quarter"].fillna("*"),
                                   _effective=effective.dt.strftime("%Y-%m-%d").where(effective.notna(), "*"))
    roster = clean(roster, ["csm_id", "quarter", "_effective"], ["annual_base", "annual_variable"])
    roster = roster.drop(columns="_effective")
    roster["quarter"] = roster["quarter"].where(roster["quarter"] != "*", None)
    if roster["effective_date"].notna().any():
        roster["quarter"] = None  # effective_date beside quarter is refused; the history is what is checked
    return Dataset(
        folder=folder,
        accounts=clean(loaded[ACCOUNTS], ["quarter", "account_id", "csm_id"], movements),
        roster=roster,
        # Several payout lines for one CSM and quarter are summed, not duplicates.
        payouts=clean(loaded[PAYOUTS], ["quarter", "csm_id"], ["amount"], unique=False)
        if loaded[PAYOUTS] is not None else None,
        quotas=clean(loaded[QUOTAS], ["quarter", "csm_id", "component"], ["target"]),
        columns=columns,
        origins=origins,
        calendar=calendar,
        headers=headers,
        currencies=currencies,
    )


def _check_fit(plan: Plan, dataset: Dataset, plan_label: str, found: Validation) -> None:
    """Replay every quarter of the data, collecting every way the plan does not fit it."""
    if dataset.accounts.empty:
        return
    errors_before = len(found.errors)
    # What the data cannot give this plan is worth saying even when the replay below fails.
    missing = missing_column_warnings(plan, dataset)
    found.warnings.extend(Problem.of(warning) for warning in missing)
    said = {warning.one_line() for warning in missing}
    # Listed (or refused) by _check_payees over the whole file; the replay words it over its quarters.
    outside = non_csm_payouts(dataset, sorted(dataset.accounts["quarter"].unique()))
    if not outside.empty:
        said.add(non_csm_problem(outside, dataset).one_line())
    # A metric's column the data lacks is said at the metric's key; the replay then goes on as if the
    # column were there and blank, to find the rest. A built-in column read the wrong way stops it.
    unfit = column_problems(plan, dataset, plan_label)
    for problem in unfit:
        found.add(problem)
    if any(not problem.missing for problem in unfit):
        found.warnings.extend(_plan_warnings(plan, dataset, plan_label))
        return
    dataset = _with_blank_columns(dataset, unfit)
    # Whether the data's rates convert into the plan's currency (an FX sheet's pair), said once.
    with collect_problems() as problems:
        try:
            dataset.fx_rates(plan.currency)
        except CscompError as error:
            problems.append(error)
    for problem in problems:
        found.add(problem)
    said_rates = {problem.one_line() for problem in problems}
    with collect_problems() as problems:
        try:
            result = replay(plan, dataset)
        except CscompError as error:
            problems.append(error)
            result = None
    for problem in (p for p in problems if p.one_line() not in said_rates):
        if problem.file is None and problem.location is not None:
            problem.file = plan_label
        found.add(problem)
    if result is not None and len(found.errors) == errors_before:
        found.checked["replay"] = {"quarters": len(result.quarters), "csm_quarters": len(result.rows)}
        # The replay repeats the plan's unit warnings (_check_plan gave them with their key path) and
        # the data warnings said above.
        found.warnings.extend(Problem(text) for text in result.warnings
                              if text not in said and text not in result.plan_warnings)
    found.warnings.extend(_plan_warnings(plan, dataset, plan_label))


class ColumnError(PlanError):
    """A column a plan's metric names that the accounts data cannot give it."""

    missing: tuple[str, str] | None = None  # (column, kind) when the data lacks it altogether


def column_problems(plan: Plan, dataset: Dataset, label: str) -> list[ColumnError]:
    """Every column a metric of the plan names (metrics.NAME.column, metrics.NAME.filter[i].column) that
    the accounts data lacks, or a built-in column it reads the wrong way (segment as a number)."""
    problems = []
    for name, spec in plan.metrics.items():
        uses = [(f"metrics.{name}.column", spec.column, "number")] if spec.column is not None else []
        uses += [(f"metrics.{name}.filter[{i}].column", condition.column, condition.reads)
                 for i, condition in enumerate(spec.filter or ())]
        for where, column, kind in uses:
            key = column_key(column)
            if key in BUILTIN_READS:
                if kind not in BUILTIN_READS[key]:
                    problems.append(_misread(name, key, kind, label, where))
            elif extra_column(key, kind) not in dataset.accounts:
                problems.append(_absent(name, column, kind, dataset, label, where))
    return problems


def check_plan_columns(plan: Plan, dataset: Dataset, label: str) -> None:
    """Refuse a plan whose metrics name columns the data cannot give, before anything is replayed."""
    problems = column_problems(plan, dataset, label)
    if problems:
        first = problems[0]
        if len(problems) > 1:
            first.message += f" (and {len(problems) - 1} more column problem{'s' if len(problems) > 2 else ''}; " \
                             "cscomp validate lists them)"
            first.also = problems[1:]
        raise first


def _absent(name: str, column: str, kind: str, dataset: Dataset, label: str, where: str) -> ColumnError:
    called = dataset.called(ACCOUNTS)
    header = list(dataset.headers.get(ACCOUNTS, ()))
    spelled = {folded(h): h for h in header}
    close = difflib.get_close_matches(folded(column), list(spelled), n=1, cutoff=0.6)
    shown = ", ".join(header[:20]) + (" …" if len(header) > 20 else "")
    if ACCOUNTS in dataset.origins:
        fix = (f"map it in {MAP_FILE} under tables.accounts.columns ({column_key(column)}: <the export's header>), "
               f"or name a column the export has")
        has = f"its header has {shown}" if header else "see its header"
    else:
        fix = f"add a {column_key(column)} column (a blank cell for no value), or name a column it has"
        has = f"its columns are {shown}" if header else "see its header"
    error = ColumnError(
        f"metric {name} reads the column '{column}', which {called} does not have"
        + (f" (did you mean '{spelled[close[0]]}'?)" if close else ""),
        file=label, location=where, hint=f"{has}; {fix}; see {DATA_DOC}")
    error.missing = (column_key(column), kind)
    return error


_HOLDS = {"text": "text", "flag": "yes/no values", "number": "numbers"}


def _misread(name: str, column: str, kind: str, label: str, where: str) -> ColumnError:
    reads = BUILTIN_READS[column]
    holds = "text" if "text" in reads else "yes/no values" if "flag" in reads else "numbers"
    if ".filter[" in where:
        how = {"text": "compare it with text values (in: [Enterprise, SMB])",
               "yes/no values": "compare it with yes or no (equals: yes)",
               "numbers": "compare it with numbers (at_least: 100000, or in: [9, 10])"}[holds]
        message = f"metric {name} tests {column}, which holds {holds}, against {_HOLDS[kind]}"
    else:
        how = "aggregate a column holding numbers (arr_start, nps, health, risk, or one of the export's own)"
        message = f"metric {name} aggregates {column}, which holds {holds}, not numbers"
    return ColumnError(message, file=label, location=where, hint=f"{how}; see docs/plans.md")


def _with_blank_columns(dataset: Dataset, problems: list[ColumnError]) -> Dataset:
    """The dataset with every missing column a metric reads present and blank, so validate replays on."""

    import numpy as np

    added = {extra_column(*p.missing): p.missing[1] for p in problems if p.missing}
    if not added:
        return dataset
    blank = {column: (pd.Series(pd.Categorical([None] * len(dataset.accounts)), index=dataset.accounts.index)
                      if kind == "text" else np.nan) for column, kind in added.items()}
    return replace(dataset, accounts=dataset.accounts.assign(**blank))


def _plan_warnings(plan: Plan, dataset: Dataset, plan_label: str) -> list[Problem]:
    """Things that replay but are probably not what the plan's author meant."""
    warnings: list[Problem] = []
    segments = set(dataset.roster["segment"].dropna())
    quarters = set(dataset.accounts["quarter"])

    def unknown_segments(names, where):
        for name in sorted(set(names) - segments):
            close = difflib.get_close_matches(name, sorted(segments), n=1, cutoff=0.6)
            warnings.append(Problem(
                f"segment '{name}' is not in {dataset.called(ROSTER)}, so this entry is never used"
                + (f" (did you mean '{close[0]}'?)" if close else ""),
                file=plan_label, location=where, hint=f"{dataset.called(ROSTER)} segments: {', '.join(sorted(segments))}"))

    if plan.pay_mix is not None and isinstance(plan.pay_mix.variable_pct, dict):
        unknown_segments(plan.pay_mix.variable_pct, "pay_mix.variable_pct")
    for index, component in enumerate(plan.components):
        if isinstance(component.target, BySegment):
            unknown_segments(component.target.values, f"components[{index}].target.values")
        if isinstance(getattr(component, "weight", None), SegmentWeights):
            unknown_segments(component.weight.values, f"components[{index}].weight.values")
        if component.quarters:
            # In the data's labels (under a fiscal calendar the plan's 2027Q1 is FY2027Q1); a label the
            # calendar cannot date is the replay's error.
            paying = [dataset.calendar.canonical(q) for q in component.quarters]
            never = [q for q in paying if q is not None and q not in quarters]
            if never:
                warnings.append(Problem(
                    f"component '{component.id}' pays in {', '.join(never)}, which {dataset.called(ACCOUNTS)} does not cover",
                    file=plan_label, location=f"components[{index}].quarters"))
        # A missing risk column is said by missing_column_warnings; this is a present but empty one.
        if (component.risk_adjust is not None and "risk" in dataset.columns.get(ACCOUNTS, {"risk"})
                and dataset.accounts["risk"].isna().all()):
            warnings.append(Problem(
                f"component '{component.id}' has risk_adjust but {dataset.called(ACCOUNTS)} has no risk scores, so no target moves",
                file=plan_label, location=f"components[{index}].risk_adjust",
                hint="add a risk column (0–1) to accounts.csv, or remove risk_adjust"))
    if dataset.quotas is not None:
        by_quota = {c.id for c in plan.components if c.target == "quotas"}
        unused = sorted(set(dataset.quotas["component"]) - by_quota)
        # Quotas for other plans are normal; when this plan does use quotas, a stray name is a likely typo.
        if by_quota and unused:
            warnings.append(Problem(
                f"{dataset.called(QUOTAS)} has quotas for {', '.join(unused)}, which no component of this plan uses "
                "(target: quotas)", file=str(dataset.path(QUOTAS)),
                hint="the quotas.csv component column must equal the component id"))
    return warnings
