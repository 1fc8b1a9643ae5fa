"""sweep and simulate: where a plan breaks, and how likely it is to blow the budget."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cscomp_cli.commands.common import (
    DataOpt,
    DebugOpt,
    MaxOverrunOpt,
    OutputOpt,
    PlanArg,
    QuartersOpt,
    QuietOpt,
    ShockOpt,
    SimulateBudgetOpt,
    SimulateFormat,
    SimulateFormatOpt,
    SweepFormat,
    SweepFormatOpt,
    ThroughOpt,
    document_columns,
    enforce_guardrails,
    load_data_for,
    progress_bar,
    refuse_overwriting_inputs,
    report_warnings,
    user_errors,
)
from cscomp_cli.commands.emit import emit
from cscomp_cli.core.errors import UsageError


def sweep_command(
    plan: PlanArg,
    setting: Annotated[str, typer.Option("--set", metavar="PATH=VALUES",
                                         help="The setting and its values: start:stop:step (inclusive) or a,b,c; "
                                         "percentages such as 95%:105%:1% work too.")],
    quarters: QuartersOpt = 4,
    through: ThroughOpt = None,
    data: DataOpt = Path("sample_data"),
    output_format: SweepFormatOpt = SweepFormat.table,
    output: OutputOpt = None,
    shock: ShockOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Replay PLAN once per value of one setting: cost, delta, top performers paid less, correlation.

    Paths name components and modifiers by id: components.ID.target, components.ID.weight (the
    other curve weights rescale to keep the sum 1), components.ID.weight.values.SEGMENT (one
    segment's weight; that segment's other weights rescale), components.ID.curve.POINT.0|1, cap,
    pay_mix.variable_pct, components.ID.rate, components.ID.tiers.N.rate, modifiers.ID.multiply;
    the plan's own metrics by name: metrics.NAME.where.at_least, metrics.NAME.window (whole
    numbers), metrics.NAME.filter.N.at_least; a combined score's weights: performance.METRIC;
    periods and floors: advance, ramp.floor, ramp.quarters, guarantee.floor, guarantee.quarters,
    components.ID.clawback.within, components.ID.clawback.share (a ramp, guarantee or clawback the
    plan does not have must be added first).

    \b
    Examples:
      cscomp sweep plans/current.yaml --set components.retention.target=0.88:0.96:0.01
      cscomp sweep plans/nrr_focus.yaml --set components.nrr.weight=0.5:0.9:0.1 --format csv
      cscomp sweep plans/ttm_nrr.yaml --set metrics.nrr_ttm.window=1:8:1
    """
    with user_errors(debug, plan):
        from cscomp_cli.analyses.result import Kind, Result
        from cscomp_cli.analyses.shocks import parse_shocks, shock_dataset
        from cscomp_cli.analyses.sweep import parse_setting, sweep
        from cscomp_cli.analyses.validate import check_plan_columns
        from cscomp_cli.inputs.dataset import load_dataset
        from cscomp_cli.plan.loading import load_plan_document, plan_from_document
        from cscomp_cli.plan.plan_files import plan_files_read

        parsed = parse_setting(setting)
        shocks = parse_shocks(shock or [])
        with plan_files_read() as read:
            document, label = load_plan_document(plan)
        refuse_overwriting_inputs(output, read, data)
        columns = document_columns(document, label)
        dataset = load_dataset(data, columns=columns)
        if columns:  # the plan's own columns are the same at every value: checked once, before the sweep
            check_plan_columns(plan_from_document(document, label), dataset, label)
        dataset = shock_dataset(dataset, shocks)
        with progress_bar(f"Sweeping {parsed.label}", len(parsed.values), quiet) as advance:
            result = sweep(document, label, parsed, dataset, quarters, progress=advance, data=str(data), shocks=shocks,
                               through=through)
        emit(Result.of(Kind.sweep, result), output_format, output, quiet)
        if not quiet:
            report_warnings(result["warnings"], output_format)
        if all(row["error"] for row in result["rows"]):
            raise UsageError(f"no value of {parsed.label} gives a valid plan: {result['rows'][0]['error']}")


def simulate_command(
    plan: PlanArg,
    runs: Annotated[int, typer.Option("--runs", help="Number of simulated futures.", min=1)] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same result.")] = 2026,
    quarters_ahead: Annotated[int, typer.Option("--quarters-ahead", help="Simulate the cost of this many quarters "
                                                "(4 for a year).", min=1)] = 1,
    quarters: Annotated[int, typer.Option("--quarters", "-n", help="History to draw outcomes from: the last N "
                                          "quarters.", min=1)] = 4,
    through: ThroughOpt = None,
    data: DataOpt = Path("sample_data"),
    output_format: SimulateFormatOpt = SimulateFormat.table,
    output: OutputOpt = None,
    shock: ShockOpt = None,
    budget: SimulateBudgetOpt = None,
    max_overrun_probability: MaxOverrunOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Monte Carlo of the plan's cost: each CSM's future quarter drawn from their own history under it.

    \b
    Examples:
      cscomp simulate plans/nrr_focus.yaml --runs 10000 --budget 220000
      cscomp simulate plans/nrr_focus.yaml --quarters-ahead 4 --budget 900000 --max-overrun-probability 0.1
    """
    with user_errors(debug, plan):
        from cscomp_cli.analyses.guardrails import Guardrails, check_simulation
        from cscomp_cli.analyses.result import Kind, Result
        from cscomp_cli.analyses.shocks import parse_shocks, shock_dataset
        from cscomp_cli.analyses.simulate import (
            build_team,
            check_options,
            simulate,
            simulation_document,
        )
        from cscomp_cli.engine.paid_quarters import quarter_notes
        from cscomp_cli.plan.loading import load_plan
        from cscomp_cli.plan.plan_files import plan_files_read

        check_options(runs=runs, quarters_ahead=quarters_ahead, seed=seed)  # before any file is read
        rules = Guardrails(budget=budget, max_overrun_probability=max_overrun_probability)
        shocks = parse_shocks(shock or [])
        with plan_files_read() as read:
            plan_model = load_plan(plan)
        refuse_overwriting_inputs(output, read, data)
        dataset = shock_dataset(load_data_for(data, [(plan_model, plan)]), shocks)
        team, history, warnings = build_team(plan_model, dataset, quarters, through)
        with progress_bar(f"Simulating {runs:,} runs", runs, quiet) as advance:
            paid = simulate(team, runs=runs, quarters_ahead=quarters_ahead, seed=seed, progress=advance)
        document = simulation_document(plan_model, team, paid, runs=runs, seed=seed, quarters_ahead=quarters_ahead,
                                       history=history, budget=budget, warnings=warnings, data=str(data),
                                       shocks=shocks, not_replayed=quarter_notes(dataset, history).not_replayed)
        emit(Result.of(Kind.simulate, document), output_format, output, quiet)
        if not quiet and output_format is not SimulateFormat.table:
            report_warnings(document["warnings"], output_format)
        enforce_guardrails(check_simulation(document, rules))
