"""stress-test and compare: replay plans over history against what was actually paid."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cscomp_cli.core.errors import UsageError
from cscomp_cli.commands.common import (
    Format,
    ReportFormat,
    PlanArg,
    DataOpt,
    OutputOpt,
    QuietOpt,
    DebugOpt,
    QuartersOpt,
    ShockOpt,
    MaxIncreaseOpt,
    MaxDecreaseOpt,
    ProtectTopOpt,
    MinCorrelationOpt,
    BudgetOpt,
    user_errors,
    load_data_for,
    spinner,
    refuse_overwriting_inputs,
    emit_report_file,
    emit_document,
    render_formats,
    write_result,
    report_warnings,
    enforce_guardrails,
)


def stress_test(
    plan: PlanArg,
    quarters: QuartersOpt = 4,
    data: DataOpt = Path("sample_data"),
    output_format: Annotated[ReportFormat, typer.Option(
        "--format", "-f", help="table (terminal), csv, json, markdown, html (a report with charts) or xlsx "
        "(a workbook; needs --output).")] = ReportFormat.table,
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
      cscomp stress-test plans/expansion_quota.yaml --format csv > result.csv
      cscomp stress-test plans/risk_adjusted.yaml --format json --output result.json
      cscomp stress-test plans/nrr_focus.yaml --shock churn=+25% --shock expansion=-30%
      cscomp stress-test plans/nrr_focus.yaml -q --max-increase 5 --protect-top --format csv -o weekly.csv
      cscomp stress-test plans/nrr_focus.yaml --format html --output report.html
      cscomp stress-test plans/nrr_focus.yaml --format xlsx --output result.xlsx
    """
    with user_errors(debug, plan):
        from cscomp_cli.engine.versus_actual import compare_with_actual
        from cscomp_cli.engine.replay import replay
        from cscomp_cli.analyses.guardrails import Guardrails, check_summary
        from cscomp_cli.plan.model import load_plan, plan_files_read
        from cscomp_cli.render.document import build_document, document_summary
        from cscomp_cli.analyses.shocks import parse_shocks, shock_dataset

        rules = Guardrails(max_increase=max_increase, max_decrease=max_decrease, protect_top=protect_top,
                           min_correlation=min_correlation, budget=budget)
        shocks = parse_shocks(shock or [])
        if output_format is ReportFormat.xlsx and output is None:
            raise UsageError("--format xlsx writes a workbook: give it a file", hint="add --output result.xlsx")
        with plan_files_read() as read:
            plan_model = load_plan(plan)
        refuse_overwriting_inputs(output, read, data)
        with spinner("Loading data", quiet) as step:
            dataset = shock_dataset(load_data_for(data, [(plan_model, plan)], require_payouts=True), shocks)
            step(f"Replaying {plan_model.name} over {quarters} quarter(s)")
            comparison = compare_with_actual(replay(plan_model, dataset, quarters))
        if output_format in (ReportFormat.html, ReportFormat.xlsx):
            emit_report_file(build_document(comparison, shocks, data=str(data)), plan_model, output_format, output,
                             quiet, source=plan)
        else:
            emit_document(comparison, shocks, str(data), Format(output_format.value), output)
        if not quiet:
            report_warnings(list(comparison.warnings), output_format)
        enforce_guardrails(check_summary(document_summary(comparison), rules))


def compare_command(
    plans: Annotated[list[str], typer.Argument(help="Two or more plan YAML files.", metavar="PLAN PLAN [PLAN…]")],
    quarters: QuartersOpt = 4,
    data: DataOpt = Path("sample_data"),
    output_format: Annotated[ReportFormat, typer.Option(
        "--format", "-f", help="table, csv (the per-CSM matrix), json, markdown, html or xlsx (needs --output).")
    ] = ReportFormat.table,
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
        from cscomp_cli.analyses.guardrails import Guardrails, check_summary
        from cscomp_cli.plan.model import load_plan, plan_files_read
        from cscomp_cli.render.document import document_summary
        from cscomp_cli.render.compare import render_side_by_side, side_by_side_csv, side_by_side_markdown
        from cscomp_cli.analyses.shocks import parse_shocks, shock_dataset
        from cscomp_cli.analyses.compare import compare_plans, labels_for

        if len(plans) < 2:
            raise UsageError("compare needs two plans or more", hint="for one plan, use cscomp stress-test")
        if output_format is ReportFormat.xlsx and output is None:
            raise UsageError("--format xlsx writes a workbook: give it a file", hint="add --output plans.xlsx")
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
            document, comparisons = compare_plans(loaded, dataset, quarters, data=str(data))
        if shocks:
            document["shocks"] = {s.column: s.pct for s in shocks}
        if output_format is ReportFormat.html:
            from cscomp_cli.render.html import side_by_side_html

            write_result(side_by_side_html(document), output)
        elif output_format is ReportFormat.xlsx:
            from cscomp_cli.render.workbook import side_by_side_xlsx

            write_result(side_by_side_xlsx(document), output)
        else:
            render_formats(document, Format(output_format.value), output, csv=side_by_side_csv,
                    markdown=side_by_side_markdown, table=render_side_by_side)
        if not quiet:
            report_warnings(document["warnings"], output_format)  # the table shows them itself
        breaches = []
        for (label, _), comparison in zip(loaded, comparisons):
            breaches += check_summary(document_summary(comparison), rules, label)
        enforce_guardrails(breaches)
