"""stress-test and compare: replay plans over history against what was actually paid."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cscomp_cli.commands.common import (
    BudgetOpt,
    CompareFormat,
    DataOpt,
    DebugOpt,
    MaxDecreaseOpt,
    MaxIncreaseOpt,
    MinCorrelationOpt,
    OutputOpt,
    PlanArg,
    ProtectTopOpt,
    QuartersOpt,
    QuietOpt,
    ShockOpt,
    StressTestFormat,
    ThroughOpt,
    enforce_guardrails,
    load_data_for,
    refuse_overwriting_inputs,
    report_warnings,
    spinner,
    user_errors,
)
from cscomp_cli.commands.emit import emit, require_file_output
from cscomp_cli.core.errors import UsageError


def stress_test(
    plan: PlanArg,
    quarters: QuartersOpt = 4,
    through: ThroughOpt = None,
    data: DataOpt = Path("sample_data"),
    output_format: Annotated[StressTestFormat, typer.Option(
        "--format", "-f", help="table (terminal), csv, json, markdown, html (a report with charts) or xlsx "
        "(a workbook; needs --output).")] = StressTestFormat.table,
    output: OutputOpt = None,
    shock: ShockOpt = None,
    max_increase: MaxIncreaseOpt = None,
    max_decrease: MaxDecreaseOpt = None,
    protect_top: ProtectTopOpt = False,
    min_correlation: MinCorrelationOpt = None,
    budget: BudgetOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Replay PLAN over the last N quarters and compare it, CSM by CSM, with what was actually paid.

    \b
    Examples:
      cscomp stress-test plans/nrr_focus.yaml --quarters 4
      cscomp stress-test plans/nrr_focus.yaml --quarters 4 --through 2026Q3
      cscomp stress-test plans/expansion_quota.yaml --format csv > result.csv
      cscomp stress-test plans/risk_adjusted.yaml --format json --output result.json
      cscomp stress-test plans/nrr_focus.yaml --shock churn=+25% --shock expansion=-30%
      cscomp stress-test plans/nrr_focus.yaml -q --max-increase 5 --protect-top --format csv -o weekly.csv
      cscomp stress-test plans/nrr_focus.yaml --format html --output report.html
      cscomp stress-test plans/nrr_focus.yaml --format xlsx --output result.xlsx
    """
    with user_errors(debug, plan):
        from cscomp_cli.analyses.guardrails import Guardrails, check_comparison
        from cscomp_cli.analyses.shocks import parse_shocks, shock_dataset
        from cscomp_cli.analyses.stress_test import stress_test_result
        from cscomp_cli.engine.replay import replay
        from cscomp_cli.engine.versus_actual import compare_with_actual
        from cscomp_cli.plan.loading import load_plan
        from cscomp_cli.plan.plan_files import plan_files_read

        rules = Guardrails(max_increase=max_increase, max_decrease=max_decrease, protect_top=protect_top,
                           min_correlation=min_correlation, budget=budget)
        shocks = parse_shocks(shock or [])
        require_file_output(output_format, output, "result.xlsx")
        with plan_files_read() as read:
            plan_model = load_plan(plan)
        refuse_overwriting_inputs(output, read, data)
        with spinner("Loading data", quiet) as step:
            dataset = shock_dataset(load_data_for(data, [(plan_model, plan)], require_payouts=True), shocks)
            step(f"Replaying {plan_model.name} over {quarters} quarter(s)")
            comparison = compare_with_actual(replay(plan_model, dataset, quarters, through=through))
        emit(stress_test_result(comparison, shocks, data=str(data), plan=plan_model, source=plan), output_format,
             output, quiet)
        if not quiet:
            report_warnings(list(comparison.warnings), output_format)
        enforce_guardrails(check_comparison(comparison, rules))


def compare_command(
    plans: Annotated[list[str], typer.Argument(help="Two or more plan YAML files.", metavar="PLAN PLAN [PLAN…]")],
    quarters: QuartersOpt = 4,
    through: ThroughOpt = None,
    data: DataOpt = Path("sample_data"),
    output_format: Annotated[CompareFormat, typer.Option(
        "--format", "-f", help="table, csv (the per-CSM matrix), json, markdown, html or xlsx (needs --output).")
    ] = CompareFormat.table,
    output: OutputOpt = None,
    shock: ShockOpt = None,
    max_increase: MaxIncreaseOpt = None,
    max_decrease: MaxDecreaseOpt = None,
    protect_top: ProtectTopOpt = False,
    min_correlation: MinCorrelationOpt = None,
    budget: BudgetOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Replay several plans on the same history and set them side by side against what was paid.

    Guardrails apply to every plan; each breach names the plan.

    \b
    Examples:
      cscomp compare plans/current.yaml plans/nrr_focus.yaml plans/expansion_quota.yaml
      cscomp compare plans/*.yaml --quarters 8 --format csv > per_csm.csv
    """
    with user_errors(debug):
        from cscomp_cli.analyses.compare import compare_plans, labels_for
        from cscomp_cli.analyses.guardrails import Guardrails, check_comparison
        from cscomp_cli.analyses.result import Kind, Result
        from cscomp_cli.analyses.shocks import parse_shocks, shock_dataset
        from cscomp_cli.plan.loading import load_plan
        from cscomp_cli.plan.plan_files import plan_files_read

        if len(plans) < 2:
            raise UsageError("compare needs two plans or more", hint="for one plan, use cscomp stress-test")
        require_file_output(output_format, output, "plans.xlsx")
        rules = Guardrails(max_increase=max_increase, max_decrease=max_decrease, protect_top=protect_top,
                           min_correlation=min_correlation, budget=budget)
        shocks = parse_shocks(shock or [])
        loaded = []
        with plan_files_read() as read:
            for label, path in zip(labels_for(plans), plans):
                with user_errors(debug, path):
                    loaded.append((label, load_plan(path)))
        refuse_overwriting_inputs(output, read, data)
        with spinner(f"Replaying {len(plans)} plans", quiet):
            # One dataset for every plan: each plan's own columns kept, each checked against it.
            dataset = shock_dataset(load_data_for(data, [(model, path) for (_, model), path in zip(loaded, plans)]),
                                    shocks)
            document, comparisons = compare_plans(loaded, dataset, quarters, data=str(data), shocks=shocks, through=through)
        emit(Result.of(Kind.compare, document), output_format, output, quiet)
        if not quiet:
            report_warnings(document["warnings"], output_format)  # the table shows them itself
        breaches = []
        for (label, _), comparison in zip(loaded, comparisons):
            breaches += check_comparison(comparison, rules, label)
        enforce_guardrails(breaches)
