"""validate, reconcile and explain: the commands that let a leader audit a result before acting on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cscomp_cli.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_GUARDRAIL,
    DataOpt,
    DebugOpt,
    ExplainFormat,
    OutputOpt,
    PlanArg,
    QuartersOpt,
    QuietOpt,
    ReconcileFormat,
    ThroughOpt,
    ValidateFormat,
    escape_markup,
    load_data_for,
    refuse_overwriting_inputs,
    report_warnings,
    spinner,
    stderr_console,
    user_errors,
)
from cscomp_cli.commands.emit import emit


def validate_command(
    plan: PlanArg,
    data: DataOpt = Path("sample_data"),
    output_format: Annotated[ValidateFormat, typer.Option("--format", "-f", help="table or json.")] = ValidateFormat.table,
    output: OutputOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat payouts.csv lines for people who are not CSMs "
                                         "(no roster row in any quarter, no accounts) as errors, not warnings.")] = False,
    plan_only: Annotated[bool, typer.Option("--plan-only", help="Check the plan file alone (its keys, metric names "
                                            "and probable unit mistakes) without reading any data: quick enough "
                                            "for an editor or a pre-commit hook.", is_eager=True)] = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Check PLAN, the data folder and how they fit, and list every problem at once (no replay report).

    Errors (exit 2) stop a stress test; warnings (exit 0) are worth reading before trusting one.
    Payroll exports often include people who are not CSMs: their lines are a warning (left out of
    every total), and an error with --strict. The data folder's rules are in docs/data.md.

    \b
    Examples:
      cscomp validate plans/nrr_focus.yaml
      cscomp validate plans/expansion_quota.yaml --data exports/ --format json
      cscomp validate plans/current.yaml --data exports/ --strict
      cscomp validate plans/nrr_focus.yaml --plan-only
    """
    with user_errors(debug, plan):
        from cscomp_cli.analyses.findings import validation_document
        from cscomp_cli.analyses.result import Kind, Result
        from cscomp_cli.plan.plan_files import plan_files_read

        if plan_only:
            from cscomp_cli.analyses.findings import validate_plan

            refuse_overwriting_inputs(output, [])
            with plan_files_read() as read:
                found = validate_plan(plan)
            shown_data = None
        else:
            from cscomp_cli.analyses.validate import validate

            refuse_overwriting_inputs(output, [], data)
            with plan_files_read() as read:
                found = validate(plan, data, strict=strict)
            shown_data = str(data)
        refuse_overwriting_inputs(output, read)
        emit(Result.of(Kind.validate, validation_document(found, str(plan), shown_data), facts=found), output_format,
             output, quiet)
        if not found.ok:
            raise typer.Exit(EXIT_BAD_INPUT)


def reconcile_command(
    plan: PlanArg,
    quarters: QuartersOpt = 4,
    through: ThroughOpt = None,
    data: DataOpt = Path("sample_data"),
    output_format: Annotated[ReconcileFormat, typer.Option(
        "--format", "-f", help="table, csv (one row per differing payout line) or json.")] = ReconcileFormat.table,
    output: OutputOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when any payout line is unexplained: it "
                                         "differs from what the plan computes and is not a payment outside the "
                                         "plan (a SPIFF, a bonus, a clawback).")] = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Replay the plan in force and list every CSM-quarter where payroll differs from what it computes.

    Differences are broken down by the component column of payouts.csv: a line named after a plan
    component (or cap_adjustment) is compared with what the plan computed for it, lines with no
    component are compared in total with the rest of what it computed, and any other name (spiff,
    discretionary, clawback) is a payment outside the plan. Every differing line is either
    unexplained or outside the plan. Run it before trusting a stress test.

    \b
    Examples:
      cscomp reconcile plans/current.yaml --quarters 8
      cscomp reconcile plans/current.yaml --strict --quiet || echo "the plan encoding does not match payroll"
    """
    with user_errors(debug, plan):
        from cscomp_cli.analyses.reconcile import reconcile, reconciliation_document
        from cscomp_cli.analyses.result import Kind, Result
        from cscomp_cli.plan.loading import load_plan
        from cscomp_cli.plan.plan_files import plan_files_read

        with plan_files_read() as read:
            plan_model = load_plan(plan)
        refuse_overwriting_inputs(output, read, data)
        with spinner("Replaying the plan in force", quiet):
            found = reconcile(plan_model, load_data_for(data, [(plan_model, plan)]), quarters, through)
            document = reconciliation_document(found, data=str(data))
        emit(Result.of(Kind.reconcile, document), output_format, output, quiet)
        if output_format is not ReconcileFormat.table and not quiet:
            stderr_console().print(escape_markup(document["verdict"]), highlight=False)
            report_warnings(document["warnings"], output_format)
        if strict and not document["explained"]:
            from cscomp_cli.analyses.reconcile import UNEXPLAINED
            from cscomp_cli.core.formatting import money

            unexplained = document["summary"]["by_category"][UNEXPLAINED]
            lines = unexplained["lines"]
            stderr_console().print(
                f"[bold red]breach:[/] {lines:,} payout line{'s' if lines != 1 else ''} "
                f"{'differ' if lines != 1 else 'differs'} from what the plan computes and "
                f"{'are not payments' if lines != 1 else 'is not a payment'} outside the plan: absolute "
                f"differences {money(unexplained['absolute'], document['currency'])}, net "
                f"{money(unexplained['net'], document['currency'], sign=True)} (--strict)", highlight=False)
            raise typer.Exit(EXIT_GUARDRAIL)


def explain_command(
    plan: PlanArg,
    csm: Annotated[str, typer.Option("--csm", help="The CSM: their csm_id, their name as the roster spells it "
                                                  "(any case), or a spelling the data map lists for them (an alias, "
                                                  "an e-mail).")],
    quarter: Annotated[str, typer.Option("--quarter", help="The quarter, e.g. 2026Q1.")],
    data: DataOpt = Path("sample_data"),
    quarters: Annotated[Optional[int], typer.Option(
        "--quarters", "-n", min=1,
        help="Explain the quarter inside the replay stress-test makes with the same --quarters (and --through): "
             "it matters to a guarantee of the replay's first quarters. Default: the quarter replayed alone (a "
             "period's earlier quarters and a clawback's are worked out all the same); under a guarantee of the "
             "replay's first N quarters, inside stress-test's default replay (the last 4 paid quarters) when it "
             "holds the quarter.")] = None,
    through: ThroughOpt = None,
    output_format: Annotated[ExplainFormat, typer.Option("--format", "-f", help=(
        "table (a tree), markdown (the tree as nested lists), csv (one row per figure: section, item, field, "
        "value) or json."))] = ExplainFormat.table,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Show every number behind one CSM's payout in one quarter: book, metrics, targets, curve, cap.

    \b
    Examples:
      cscomp explain plans/nrr_focus.yaml --csm C07 --quarter 2026Q2
      cscomp explain plans/nrr_focus.yaml --csm C07 --quarter 2026Q2 --format csv --output c07.csv
    """
    with user_errors(debug, plan):
        from cscomp_cli.analyses.explain import explain
        from cscomp_cli.analyses.result import Kind, Result
        from cscomp_cli.plan.loading import load_plan
        from cscomp_cli.plan.plan_files import plan_files_read

        with plan_files_read() as read:
            plan_model = load_plan(plan)
        refuse_overwriting_inputs(output, read, data)
        dataset = load_data_for(data, [(plan_model, plan)], require_payouts=False)
        document = explain(plan_model, dataset, csm, quarter, data=str(data), quarters=quarters, through=through)
        emit(Result.of(Kind.explain, document), output_format, output, quiet)
