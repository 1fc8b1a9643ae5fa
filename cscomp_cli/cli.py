"""The command line: parse arguments, call the library, render, and turn errors into exit codes.

Only this module prints or exits. Heavy imports (pandas via the engine) happen inside the
commands so that `cscomp --help` stays instant.
"""

from __future__ import annotations

import json
import signal
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import CscompError, PlanError, UsageError

EXIT_OK, EXIT_GUARDRAIL, EXIT_BAD_INPUT = 0, 1, 2

app = typer.Typer(
    name="cscomp",
    help="Stress-test a Customer Success compensation plan against real history before you roll it out.\n\n"
    "Example: cscomp stress-test plans/nrr_focus.yaml --quarters 4",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Boxed, coloured help on a terminal; plain text when piped, which also spares importing rich's
    # help machinery (half of `cscomp --help`'s time).
    rich_markup_mode="rich" if sys.stdout.isatty() else None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


class ReportFormat(str, Enum):
    """stress-test's formats: the four above plus the files a leader forwards."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"


# Options shared by every command that reads data and writes a result.
PlanArg = Annotated[str, typer.Argument(help="Plan YAML file ('-' reads standard input).", show_default=False,
                                              metavar="PLAN")]
DataOpt = Annotated[
    Path,
    typer.Option("--data", envvar="CSCOMP_DATA", help="Folder with accounts.csv, roster.csv, payouts.csv "
                 "(and quotas.csv when a plan uses quotas).", file_okay=False),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table (terminal), csv, json or markdown.")]
OutputOpt = Annotated[
    Optional[Path], typer.Option("--output", "-o", help="Write the result to FILE (atomically) instead of stdout.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print no messages, only the result.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback for unexpected errors.", hidden=True)]
QuartersOpt = Annotated[int, typer.Option("--quarters", "-n", help="Replay the last N quarters of accounts.csv.", min=1)]
ShockOpt = Annotated[Optional[list[str]], typer.Option(
    "--shock", metavar="COLUMN=PCT", help="Scale a movement column before the replay, e.g. churn=+25% or expansion=-30% (repeatable).",
    rich_help_panel="Scenario")]
# Guardrails: a breach prints one line on stderr and exits 1 (for cron).
MaxIncreaseOpt = Annotated[Optional[float], typer.Option(
    "--max-increase", metavar="PCT", help="Breach if total cost rises more than PCT % against actual.",
    rich_help_panel="Guardrails (exit 1 on breach)")]
MaxDecreaseOpt = Annotated[Optional[float], typer.Option(
    "--max-decrease", metavar="PCT", help="Breach if total cost falls more than PCT % against actual.",
    rich_help_panel="Guardrails (exit 1 on breach)")]
ProtectTopOpt = Annotated[bool, typer.Option(
    "--protect-top", help="Breach if any top performer would be paid less.",
    rich_help_panel="Guardrails (exit 1 on breach)")]
MinCorrelationOpt = Annotated[Optional[float], typer.Option(
    "--min-correlation", metavar="R", help="Breach if the proposed pay-performance correlation is below R.",
    rich_help_panel="Guardrails (exit 1 on breach)")]
BudgetOpt = Annotated[Optional[float], typer.Option(
    "--budget", metavar="AMOUNT", help="Breach if the proposed total cost exceeds AMOUNT.",
    rich_help_panel="Guardrails (exit 1 on breach)")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cscomp {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Stress-test a Customer Success compensation plan against real history."""


@app.command("stress-test")
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
    with _errors(debug, plan):
        from .compare import compare
        from .data import load_dataset
        from .engine import replay
        from .guardrails import Guardrails, check_summary
        from .plan import load_plan
        from .render.document import build_document
        from .shocks import parse_shocks, shock_dataset

        rules = Guardrails(max_increase=max_increase, max_decrease=max_decrease, protect_top=protect_top,
                           min_correlation=min_correlation, budget=budget)
        shocks = parse_shocks(shock or [])
        if output_format is ReportFormat.xlsx and output is None:
            raise UsageError("--format xlsx writes a workbook: give it a file", hint="add --output result.xlsx")
        plan_model = load_plan(plan)
        if output is not None:
            _refuse_overwriting_inputs(output, plan, data)
        with _progress("Loading data", quiet) as step:
            dataset = shock_dataset(load_dataset(data, require_payouts=True), shocks)
            step(f"Replaying {plan_model.name} over {quarters} quarter(s)")
            comparison = compare(replay(plan_model, dataset, quarters))
            document = build_document(comparison, shocks)
        if output_format in (ReportFormat.html, ReportFormat.xlsx):
            _emit_file(document, plan_model, output_format, output, quiet)
        else:
            _emit(document, plan_model, Format(output_format.value), output)
        if not quiet:
            _report_warnings(document["warnings"], output_format)
        _enforce(check_summary(document["summary"], rules))


class CheckFormat(str, Enum):
    table = "table"
    json = "json"


@app.command("compare")
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
    with _errors(debug):
        from .data import load_dataset
        from .guardrails import Guardrails, check_summary
        from .plan import load_plan
        from .render.document import build_document
        from .render.sidebyside import render_side_by_side, side_by_side_csv, side_by_side_markdown
        from .shocks import parse_shocks, shock_dataset
        from .sidebyside import compare_plans, labels_for

        if len(plans) < 2:
            raise UsageError("compare needs two plans or more", hint="for one plan, use cscomp stress-test")
        if output_format is ReportFormat.xlsx and output is None:
            raise UsageError("--format xlsx writes a workbook: give it a file", hint="add --output plans.xlsx")
        rules = Guardrails(max_increase=max_increase, max_decrease=max_decrease, protect_top=protect_top,
                           min_correlation=min_correlation, budget=budget)
        shocks = parse_shocks(shock or [])
        loaded = []
        for label, path in zip(labels_for(plans), plans):
            with _errors(debug, path):
                loaded.append((label, load_plan(path)))
        if output is not None:
            for path in plans:
                _refuse_overwriting_inputs(output, path, data)
        with _progress(f"Replaying {len(plans)} plans", quiet):
            dataset = shock_dataset(load_dataset(data), shocks)
            document, comparisons = compare_plans(loaded, dataset, quarters)
        if shocks:
            document["shocks"] = {s.column: s.pct for s in shocks}
        if output_format is ReportFormat.html:
            from .render.html import side_by_side_html

            _write(side_by_side_html(document), output)
        elif output_format is ReportFormat.xlsx:
            from .render.workbook import side_by_side_xlsx

            _write(side_by_side_xlsx(document), output)
        else:
            _render(document, Format(output_format.value), output, csv=side_by_side_csv,
                    markdown=side_by_side_markdown, table=render_side_by_side)
        if not quiet and output_format is not Format.table:
            _report_warnings(document["warnings"], output_format)
        breaches = []
        for (label, _), comparison in zip(loaded, comparisons):
            breaches += check_summary(build_document(comparison)["summary"], rules, label)
        _enforce(breaches)


@app.command("sweep")
def sweep_command(
    plan: PlanArg,
    setting: Annotated[str, typer.Option("--set", metavar="PATH=VALUES",
                                         help="The setting and its values: start:stop:step (inclusive) or a,b,c.")],
    quarters: QuartersOpt = 4,
    data: DataOpt = Path("sample_data"),
    output_format: FormatOpt = Format.table,
    output: OutputOpt = None,
    shock: ShockOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Replay PLAN once per value of one setting: cost, delta, top performers paid less, correlation.

    Paths name components and modifiers by id: components.ID.target, components.ID.weight (the
    other curve weights rescale to keep the sum 1), components.ID.curve.POINT.0|1, cap,
    pay_mix.variable_pct, components.ID.rate, components.ID.tiers.N.rate, modifiers.ID.multiply.

    \b
    Examples:
      cscomp sweep plans/current.yaml --set components.retention.target=0.88:0.96:0.01
      cscomp sweep plans/nrr_focus.yaml --set components.nrr.weight=0.5:0.9:0.1 --format csv
    """
    with _errors(debug, plan):
        from .data import load_dataset
        from .plan import load_plan_document
        from .render.sweep import render_sweep, sweep_csv, sweep_markdown
        from .shocks import parse_shocks, shock_dataset
        from .sweep import parse_setting, sweep

        parsed = parse_setting(setting)
        shocks = parse_shocks(shock or [])
        document, label = load_plan_document(plan)
        if output is not None:
            _refuse_overwriting_inputs(output, plan, data)
        dataset = shock_dataset(load_dataset(data), shocks)
        with _counter(f"Sweeping {parsed.label}", len(parsed.values), quiet) as advance:
            result = sweep(document, label, parsed, dataset, quarters, progress=advance)
        if shocks:
            result["shocks"] = {s.column: s.pct for s in shocks}
        _render(result, output_format, output, csv=sweep_csv, markdown=sweep_markdown, table=render_sweep)
        if all(row["error"] for row in result["rows"]):
            raise UsageError(f"no value of {parsed.label} gives a valid plan: {result['rows'][0]['error']}")


@app.command("simulate")
def simulate_command(
    plan: PlanArg,
    runs: Annotated[int, typer.Option("--runs", help="Number of simulated futures.", min=1)] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same result.")] = 2026,
    quarters_ahead: Annotated[int, typer.Option("--quarters-ahead", help="Simulate the cost of this many quarters "
                                                "(4 for a year).", min=1)] = 1,
    quarters: Annotated[int, typer.Option("--quarters", "-n", help="History to draw outcomes from: the last N "
                                          "quarters.", min=1)] = 4,
    data: DataOpt = Path("sample_data"),
    output_format: FormatOpt = Format.table,
    output: OutputOpt = None,
    shock: ShockOpt = None,
    budget: Annotated[Optional[float], typer.Option("--budget", metavar="AMOUNT",
                                                    help="Report the probability that the cost exceeds AMOUNT.")] = None,
    max_overrun_probability: Annotated[Optional[float], typer.Option(
        "--max-overrun-probability", metavar="P", help="Breach (exit 1) if the cost exceeds --budget in more than "
        "a share P of runs (e.g. 0.1).", rich_help_panel="Guardrails (exit 1 on breach)")] = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Monte Carlo of the plan's cost: each CSM's future quarter drawn from their own history under it.

    \b
    Examples:
      cscomp simulate plans/nrr_focus.yaml --runs 10000 --budget 220000
      cscomp simulate plans/nrr_focus.yaml --quarters-ahead 4 --budget 900000 --max-overrun-probability 0.1
    """
    with _errors(debug, plan):
        from .data import load_dataset
        from .guardrails import Guardrails, check_simulation
        from .plan import load_plan
        from .render.simulation import render_simulation, simulation_csv, simulation_markdown
        from .shocks import parse_shocks, shock_dataset
        from .simulate import build_team, simulate, summarise

        rules = Guardrails(budget=budget, max_overrun_probability=max_overrun_probability)
        shocks = parse_shocks(shock or [])
        plan_model = load_plan(plan)
        if output is not None:
            _refuse_overwriting_inputs(output, plan, data)
        dataset = shock_dataset(load_dataset(data), shocks)
        team, history, warnings = build_team(plan_model, dataset, quarters)
        with _counter(f"Simulating {runs:,} runs", runs, quiet) as advance:
            paid = simulate(team, runs=runs, quarters_ahead=quarters_ahead, seed=seed, progress=advance)
        document = {"plan": plan_model.name, "currency": plan_model.currency, "runs": runs, "seed": seed,
                    "quarters_ahead": quarters_ahead, "history": history,
                    **summarise(team, paid, budget=budget), "warnings": warnings}
        if shocks:
            document["shocks"] = {s.column: s.pct for s in shocks}
        _render(document, output_format, output, csv=simulation_csv, markdown=simulation_markdown,
                table=render_simulation)
        if not quiet and output_format is not Format.table:
            _report_warnings(warnings, output_format)
        _enforce(check_simulation(document, rules))


@app.command("validate")
def validate_command(
    plan: PlanArg,
    data: DataOpt = Path("sample_data"),
    output_format: Annotated[CheckFormat, typer.Option("--format", "-f", help="table or json.")] = CheckFormat.table,
    output: OutputOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Check PLAN, the data folder and how they fit, and list every problem at once (no replay report).

    Errors (exit 2) stop a stress test; warnings (exit 0) are worth reading before trusting one.

    \b
    Examples:
      cscomp validate plans/nrr_focus.yaml
      cscomp validate plans/expansion_quota.yaml --data exports/ --format json
    """
    with _errors(debug, plan):
        from .render.validation import render_validation, validation_document
        from .validate import validate

        if output is not None:
            _refuse_overwriting_inputs(output, plan, data)
        found = validate(plan, data)
        if output_format is CheckFormat.json:
            from .render.machine import to_json

            _write(to_json(validation_document(found, str(plan), str(data))), output)
        else:
            _render_rich(lambda console: render_validation(found, str(plan), str(data), console), output)
        if not found.ok:
            raise typer.Exit(EXIT_BAD_INPUT)


class ReconcileFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command("reconcile")
def reconcile_command(
    plan: PlanArg,
    quarters: QuartersOpt = 4,
    data: DataOpt = Path("sample_data"),
    output_format: Annotated[ReconcileFormat, typer.Option("--format", "-f", help="table, csv or json.")] = (
        ReconcileFormat.table),
    output: OutputOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when any difference is not explained by a "
                                         "payment outside the plan (a SPIFF, a bonus, a clawback).")] = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Replay the plan in force and list every CSM-quarter where payroll differs from what it computes.

    Differences are broken down by the component column of payouts.csv: a line named after a plan
    component is compared with what the plan computed for it; any other name (spiff, discretionary,
    clawback) is a payment outside the plan. Run it before trusting a stress test.

    \b
    Examples:
      cscomp reconcile plans/current.yaml --quarters 8
      cscomp reconcile plans/current.yaml --strict --quiet || echo "the plan encoding does not match payroll"
    """
    with _errors(debug, plan):
        from .data import load_dataset
        from .plan import load_plan
        from .reconcile import reconcile
        from .render.reconciliation import reconciliation_csv, reconciliation_document, render_reconciliation

        plan_model = load_plan(plan)
        if output is not None:
            _refuse_overwriting_inputs(output, plan, data)
        with _progress("Replaying the plan in force", quiet):
            document = reconciliation_document(reconcile(plan_model, load_dataset(data), quarters))
        if output_format is ReconcileFormat.json:
            from .render.machine import to_json

            _write(to_json(document), output)
        elif output_format is ReconcileFormat.csv:
            _write(reconciliation_csv(document), output)
        else:
            _render_rich(lambda console: render_reconciliation(document, console), output)
        if output_format is not ReconcileFormat.table and not quiet:
            console = _stderr_console()
            console.print(_escape(document["verdict"]), highlight=False)
            for warning in document["warnings"]:
                console.print(f"[yellow]warning:[/] {_escape(warning)}", highlight=False)
        if strict and document["unexplained_total"] != 0:
            from .render.views import money

            _stderr_console().print(f"[bold red]breach:[/] {money(document['unexplained_total'], document['currency'])}"
                                    " of what was paid is not what the plan computes and is not a payment outside"
                                    " the plan (--strict)", highlight=False)
            raise typer.Exit(EXIT_GUARDRAIL)


@app.command("explain")
def explain_command(
    plan: PlanArg,
    csm: Annotated[str, typer.Option("--csm", help="The CSM's id, as in roster.csv.")],
    quarter: Annotated[str, typer.Option("--quarter", help="The quarter, e.g. 2026Q1.")],
    data: DataOpt = Path("sample_data"),
    output_format: Annotated[Format, typer.Option("--format", "-f", help="table (a tree) or json.")] = Format.table,
    output: OutputOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show every number behind one CSM's payout in one quarter: book, metrics, targets, curve, cap.

    \b
    Example:
      cscomp explain plans/nrr_focus.yaml --csm C07 --quarter 2026Q2
    """
    with _errors(debug, plan):
        from .data import load_dataset
        from .explain import explain
        from .plan import load_plan
        from .render.machine import to_json

        plan_model = load_plan(plan)
        if output is not None:
            _refuse_overwriting_inputs(output, plan, data)
        dataset = load_dataset(data, require_payouts=False)
        document = explain(plan_model, dataset, csm, quarter)
        if output_format in (Format.json, Format.csv):
            _write(to_json(document), output)
        else:
            from rich.console import Console

            from .render.explain_tree import render_explanation

            _render_rich(lambda console: render_explanation(document, console), output)


@app.command("plan-diff")
def plan_diff_command(
    first: Annotated[str, typer.Argument(help="The plan to compare from (e.g. the plan in force).", metavar="PLAN_A")],
    second: Annotated[str, typer.Argument(help="The plan to compare to (e.g. a proposal).", metavar="PLAN_B")],
    output_format: Annotated[CheckFormat, typer.Option("--format", "-f", help="table or json.")] = CheckFormat.table,
    output: OutputOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show what differs between two plans, fully resolved (extends applied, defaults filled in).

    \b
    Example:
      cscomp plan-diff plans/current.yaml plans/nrr_focus.yaml
    """
    with _errors(debug):
        import json as json_module

        from .plan import load_plan
        from .plan_diff import diff_plans

        changes = diff_plans(load_plan(first), load_plan(second))
        if output_format is CheckFormat.json:
            document = {"from": first, "to": second, "changes": [c.as_dict() for c in changes]}
            _write(json_module.dumps(document, indent=2, ensure_ascii=False) + "\n", output)
            return
        lines = [f"--- {first}", f"+++ {second}"]
        show = lambda value: json_module.dumps(value, ensure_ascii=False)  # noqa: E731
        for change in changes:
            if change.kind == "added":
                lines.append(f"+ {change.path}: {show(change.after)}")
            elif change.kind == "removed":
                lines.append(f"- {change.path}: {show(change.before)}")
            else:
                lines.append(f"~ {change.path}: {show(change.before)} → {show(change.after)}")
        if not changes:
            lines.append("(no differences: the plans pay the same way)")
        _write("\n".join(lines) + "\n", output)


@app.command("schema")
def schema(output: OutputOpt = None, debug: DebugOpt = False) -> None:
    """Print the JSON Schema of the plan language (point your editor's YAML support at it).

    \b
    Example:
      cscomp schema --output plan.schema.json
    """
    with _errors(debug):
        from .plan import plan_json_schema

        _write(json.dumps(plan_json_schema(), indent=2, ensure_ascii=False) + "\n", output)


# --- shared plumbing -----------------------------------------------------------------------


class _errors:
    """Turn user errors into one message and exit 2; never show a traceback unless --debug."""

    def __init__(self, debug: bool, plan: str | None = None):
        self.debug = debug
        # Plan-versus-data problems (a segment missing from a target, weights in one quarter) are
        # found by the engine, which does not know the plan's file name; name it here.
        self.plan = None if plan is None else ("<stdin>" if str(plan) == "-" else str(plan))

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if error is None or isinstance(error, (typer.Exit, typer.Abort, SystemExit)):
            return False
        if isinstance(error, CscompError):
            if isinstance(error, PlanError) and error.file is None and self.plan:
                error.file = self.plan
            _stderr_console().print(f"[bold red]error:[/] {_escape(str(error))}", highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT)
        if isinstance(error, KeyboardInterrupt):
            _stderr_console().print("interrupted; nothing was written")
            raise typer.Exit(130)
        if isinstance(error, BrokenPipeError):
            raise typer.Exit(EXIT_OK)
        if self.debug:
            return False
        _stderr_console().print(
            f"[bold red]error:[/] unexpected {type(error).__name__}: {_escape(str(error))}\n"
            "  hint: this is a bug in cscomp or an input it does not yet check; rerun with --debug and report it",
            highlight=False,
        )
        raise typer.Exit(EXIT_BAD_INPUT)


class _progress:
    """A spinner on stderr while a long step runs, only when stderr is a terminal and not --quiet."""

    def __init__(self, message: str, quiet: bool):
        self.status = None
        if not quiet and sys.stderr.isatty():
            self.status = _stderr_console().status(message)

    def __enter__(self):
        if self.status is not None:
            self.status.__enter__()
        return self.update

    def update(self, message: str) -> None:
        if self.status is not None:
            self.status.update(message)

    def __exit__(self, *exc_info):
        if self.status is not None:
            self.status.__exit__(*exc_info)
        return False


class _counter:
    """A progress bar on stderr for a known number of steps, only on a terminal and not --quiet."""

    def __init__(self, message: str, total: int, quiet: bool):
        self.progress = None
        if not quiet and sys.stderr.isatty() and total > 1:
            from rich.progress import Progress

            self.progress = Progress(console=_stderr_console(), transient=True)
            self.task = self.progress.add_task(message, total=total)

    def __enter__(self):
        if self.progress is not None:
            self.progress.__enter__()
            return lambda done, total: self.progress.update(self.task, completed=done)
        return None

    def __exit__(self, *exc_info):
        if self.progress is not None:
            self.progress.__exit__(*exc_info)
        return False


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _stderr_console():
    from rich.console import Console

    # soft_wrap: an error message is one logical line a user may copy; let the terminal wrap it.
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _refuse_overwriting_inputs(output: Path, plan: str, data: Path) -> None:
    from .data import ACCOUNTS, PAYOUTS, QUOTAS, ROSTER
    from .output import refuse_input_as_output

    inputs = [data / name for name in (ACCOUNTS, ROSTER, PAYOUTS, QUOTAS)]
    if plan != "-":
        inputs.append(Path(plan))
    refuse_input_as_output(output, inputs)


def _emit_file(document: dict, plan, output_format: "ReportFormat", output: Path | None, quiet: bool) -> None:
    """The HTML report or the Excel workbook (charts take a moment: a spinner on a terminal)."""
    import yaml

    from .plan_diff import resolved

    # The plan as it ran: extends resolved, every default filled in.
    plan_text = yaml.safe_dump(resolved(plan), sort_keys=False, allow_unicode=True)
    with _progress(f"Writing the {output_format.value} report", quiet):
        if output_format is ReportFormat.xlsx:
            from .render.workbook import to_xlsx

            _write(to_xlsx(document, plan_text), output)
        else:
            from .render.html import to_html

            _write(to_html(document, plan_text), output)


def _emit(document: dict, plan, output_format: Format, output: Path | None) -> None:
    """Render the document in the chosen format to stdout or, atomically, to --output."""
    from .render.machine import to_csv, to_json

    if output_format is Format.json:
        _write(to_json(document), output)
    elif output_format is Format.csv:
        _write(to_csv(document, plan), output)
    elif output_format is Format.markdown:
        from .render.markdown import to_markdown

        _write(to_markdown(document), output)
    else:
        from .render.table import render_table

        _render_rich(lambda console: render_table(document, console), output)


def _render(document: dict, output_format: Format, output: Path | None, *, csv, markdown, table) -> None:
    """A command's document in the chosen format: JSON as is, or through the command's renderers."""
    if output_format is Format.json:
        from .render.machine import to_json

        _write(to_json(document), output)
    elif output_format is Format.csv:
        _write(csv(document), output)
    elif output_format is Format.markdown:
        _write(markdown(document), output)
    else:
        _render_rich(lambda console: table(document, console), output)


def _write(text: str | bytes, output: Path | None) -> None:
    """Text to stdout, or atomically to --output."""
    from .output import write_atomically

    if output is None:
        _stdout(text)
    else:
        write_atomically(output, text)


def _render_rich(draw, output: Path | None) -> None:
    """Draw with rich on stdout (colour only on a terminal), or as plain text into --output."""
    import io

    from rich.console import Console

    if output is None:
        # Piped into a file or another program, lines are not cut at an imaginary 80 columns.
        draw(Console(highlight=False, width=None if sys.stdout.isatty() else 160))
        return
    buffer = io.StringIO()
    draw(Console(file=buffer, width=140, no_color=True, highlight=False))
    _write(buffer.getvalue(), output)


def _report_warnings(warnings: list[str], output_format) -> None:
    # The table shows warnings itself; machine formats carry them in the data, and repeat them here.
    if output_format.value == "table" or not warnings:
        return
    console = _stderr_console()
    for warning in warnings:
        console.print(f"[yellow]warning:[/] {_escape(warning)}", highlight=False)


def _enforce(breaches: list[str]) -> None:
    """One line per breach on stderr (even with --quiet), then exit 1."""
    if not breaches:
        return
    console = _stderr_console()
    for breach in breaches:
        console.print(f"[bold red]breach:[/] {_escape(breach)}", highlight=False)
    raise typer.Exit(EXIT_GUARDRAIL)


def main() -> None:
    """Entry point of the `cscomp` command."""
    if hasattr(signal, "SIGPIPE"):
        # `cscomp … | head` should end quietly, as other Unix tools do.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    app()


if __name__ == "__main__":
    main()
