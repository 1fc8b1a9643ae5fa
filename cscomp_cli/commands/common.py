"""What every command shares: output formats, options, and the plumbing that turns user errors
into one message and exit status 2, writes results atomically, and keeps messages on stderr."""

from __future__ import annotations

import errno
import io
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from cscomp_cli.analyses.result import Kind
from cscomp_cli.core.errors import CscompError, PlanError
from cscomp_cli.render.formats import choices

EXIT_OK, EXIT_GUARDRAIL, EXIT_BAD_INPUT = 0, 1, 2


# The --format choices of each command: the formats its kind of result is rendered in (render/formats.py).
StressTestFormat = choices(Kind.stress_test)
CompareFormat = choices(Kind.compare)
SweepFormat = choices(Kind.sweep)
SimulateFormat = choices(Kind.simulate)
ExplainFormat = choices(Kind.explain)
ReconcileFormat = choices(Kind.reconcile)
ValidateFormat = choices(Kind.validate)
PlanDiffFormat = choices(Kind.plan_diff)


SAMPLE_MARKER = "SAMPLE_ORG.txt"  # written by sample_data/generate.py next to the files it generates


def is_sample_org(folder: Path) -> bool:
    """Whether folder holds the generated sample org, not a user's exports: its marker file is
    there and every file it lists still has the size the generator wrote (a user who copied their
    own exports over the sample's is not told they are reading the sample)."""
    from cscomp_cli.inputs.file_heads import regular_head

    # The marker is a few lines: a FIFO or /dev/zero under its name is no marker (and never read whole).
    head = regular_head(Path(folder) / SAMPLE_MARKER, 64 * 1024)
    try:
        lines = head.decode("utf-8").splitlines() if head is not None else []
    except UnicodeDecodeError:
        return False
    if not lines or not lines[0].startswith("cscomp sample org"):
        return False
    try:
        sizes = [(name, int(size)) for name, size in (line.rsplit(" ", 1) for line in lines[1:] if line.strip())]
        return bool(sizes) and all((Path(folder) / name).stat().st_size == size for name, size in sizes)
    except (OSError, ValueError):
        return False


def sample_org_notice(folder: Path) -> str:
    return (f"Using the shipped sample org in {folder}{'' if str(folder).endswith('/') else '/'} "
            "(pass --data DIR or set CSCOMP_DATA for your own exports)")


def _announce_sample_org(ctx: typer.Context, value: Path | None) -> Path | None:
    """Every command reads --data through this: one line on stderr when it is the shipped sample
    org (the default run from the repository root), so nobody mistakes it for their own exports.
    --quiet (and validate's --plan-only, which reads no data) is eager, so it is known here whatever the
    order on the command line."""
    from cscomp_cli.core.path_limits import too_long

    long = too_long(value) if value is not None else None
    if long:
        raise typer.BadParameter(f"the folder name is too long for the file system ({long})",
                                 param_hint="'--data'")
    if (value is not None and not ctx.resilient_parsing and not ctx.params.get("quiet")
            and not ctx.params.get("plan_only") and is_sample_org(value)):
        stderr_console().print(escape_markup(sample_org_notice(value)), highlight=False)
    return value


# Options shared by every command that reads data and writes a result.
PlanArg = Annotated[str, typer.Argument(help="Plan YAML file ('-' reads standard input).", show_default=False,
                                              metavar="PLAN")]
DataOpt = Annotated[
    Path,
    typer.Option("--data", envvar="CSCOMP_DATA", help="Folder with accounts.csv, roster.csv, payouts.csv "
                 "(and quotas.csv when a plan uses quotas), or with your own exports and the cscomp-data.yaml "
                 "`cscomp init` writes for them.", file_okay=False, callback=_announce_sample_org),
]
# sweep's and simulate's --format: the same four formats, said once.
_FOUR_FORMATS = "table (terminal), csv, json or markdown."
SweepFormatOpt = Annotated[SweepFormat, typer.Option("--format", "-f", help=_FOUR_FORMATS)]
SimulateFormatOpt = Annotated[SimulateFormat, typer.Option("--format", "-f", help=_FOUR_FORMATS)]
OutputOpt = Annotated[
    Optional[Path], typer.Option("--output", "-o", help="Write the result to FILE (atomically) instead of stdout.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print no messages, only the result.", is_eager=True)]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback for unexpected errors.", hidden=True)]
QuartersOpt = Annotated[int, typer.Option(
    "--quarters", "-n", min=1,
    help="Replay the last N quarters of accounts.csv, ending at the last quarter payouts.csv has paid (or at --through).")]
ThroughOpt = Annotated[Optional[str], typer.Option(
    "--through", metavar="QUARTER",
    help="The last quarter to replay, e.g. 2026Q3 (default: the last quarter payouts.csv has paid); an unpaid quarter "
         "is replayed with actual 0.")]
ShockOpt = Annotated[Optional[list[str]], typer.Option(
    "--shock", metavar="COLUMN=PCT", help="Scale a movement column before the replay, e.g. churn=+25% or expansion=-30% (repeatable).",
    rich_help_panel="Scenario")]
# Guardrails: a breach prints one line on stderr and exits 1 (for cron). Each help says the one
# definition analyses/guardrails.py implements for every command that offers the option, in the
# words of the README's guardrails section.
GUARDRAILS_PANEL = "Guardrails (exit 1 on breach)"
# What --budget judges, said once for stress-test, compare and simulate.
BUDGET_FIGURE = "the proposed variable pay plus the change in base a pay_mix makes (variable pay alone without a pay_mix)"
# What --max-increase, --max-decrease and --protect-top judge.
PAY_FIGURE = "variable pay; total cash, base + variable, when the plan moves base"
MaxIncreaseOpt = Annotated[Optional[float], typer.Option(
    "--max-increase", metavar="PCT", help=f"Breach if the proposed pay over the replayed quarters is more than PCT % "
    f"above actual ({PAY_FIGURE}).", rich_help_panel=GUARDRAILS_PANEL)]
MaxDecreaseOpt = Annotated[Optional[float], typer.Option(
    "--max-decrease", metavar="PCT", help=f"Breach if the proposed pay over the replayed quarters is more than PCT % "
    f"below actual ({PAY_FIGURE}).", rich_help_panel=GUARDRAILS_PANEL)]
ProtectTopOpt = Annotated[bool, typer.Option(
    "--protect-top", help=f"Breach if any top performer is paid less than actual over the replayed quarters "
    f"({PAY_FIGURE}).", rich_help_panel=GUARDRAILS_PANEL)]
MinCorrelationOpt = Annotated[Optional[float], typer.Option(
    "--min-correlation", metavar="R", help="Breach if the proposed pay-performance correlation (Spearman, of "
    "performance and variable pay as a share of target) is below R or undefined.",
    rich_help_panel=GUARDRAILS_PANEL)]
BudgetOpt = Annotated[Optional[float], typer.Option(
    "--budget", metavar="AMOUNT", help=f"Breach if {BUDGET_FIGURE}, over the replayed quarters, is above AMOUNT.",
    rich_help_panel=GUARDRAILS_PANEL)]
SimulateBudgetOpt = Annotated[Optional[float], typer.Option(
    "--budget", metavar="AMOUNT", help=f"Report the share of runs in which {BUDGET_FIGURE}, over the quarters "
    "simulated, is above AMOUNT.")]
MaxOverrunOpt = Annotated[Optional[float], typer.Option(
    "--max-overrun-probability", metavar="P", help="Breach if the figure --budget judges is above it in more than a "
    "share P of runs (e.g. 0.1).", rich_help_panel=GUARDRAILS_PANEL)]


class Interrupted(BaseException):
    """SIGTERM or SIGHUP, raised where the program is (cli.main installs the handler) so that, as
    for Ctrl-C, a write in progress removes its temporary file."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def interrupted(error: BaseException) -> int:
    """Say that nothing was written; the exit status for a Ctrl-C or a signal (128 + its number)."""
    stderr_console().print("interrupted; nothing was written")
    return 128 + error.signum if isinstance(error, Interrupted) else 130


OUT_OF_MEMORY = ("ran out of memory reading the data\n  hint: read fewer rows or columns (one file a quarter, "
                 "only the columns the map names), or run on a machine with more memory; see docs/data.md")


class user_errors:
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
            stderr_console().print(f"[bold red]error:[/] {escape_markup(str(error))}", highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT)
        if isinstance(error, (KeyboardInterrupt, Interrupted)):
            raise typer.Exit(interrupted(error))
        if isinstance(error, BrokenPipeError):
            raise typer.Exit(EXIT_OK)
        if isinstance(error, MemoryError) and not self.debug:
            # Exit 2, like any input cscomp cannot take: 1 would say a guardrail was breached.
            stderr_console().print(f"[bold red]error:[/] {OUT_OF_MEMORY}", highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT)
        if self.debug:
            return False
        stderr_console().print(
            f"[bold red]error:[/] unexpected {type(error).__name__}: {escape_markup(str(error))}\n"
            "  hint: this is a bug in cscomp or an input it does not yet check; rerun with --debug and report it",
            highlight=False,
        )
        raise typer.Exit(EXIT_BAD_INPUT)


class spinner:
    """A spinner on stderr while a long step runs, only when stderr is a terminal and not --quiet."""

    def __init__(self, message: str, quiet: bool):
        self.status = None
        if not quiet and sys.stderr.isatty():
            self.status = stderr_console().status(escape_markup(message))

    def __enter__(self):
        if self.status is not None:
            self.status.__enter__()
        return self.update

    def update(self, message: str) -> None:
        if self.status is not None:
            self.status.update(escape_markup(message))

    def __exit__(self, *exc_info):
        if self.status is not None:
            self.status.__exit__(*exc_info)
        return False


class progress_bar:
    """A progress bar on stderr for a known number of steps, only on a terminal and not --quiet."""

    def __init__(self, message: str, total: int, quiet: bool):
        self.progress = None
        if not quiet and sys.stderr.isatty() and total > 1:
            from rich.progress import Progress

            self.progress = Progress(console=stderr_console(), transient=True)
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


def escape_markup(text: str) -> str:
    """A message for stderr as written: no rich markup, and control characters from a plan or an
    export (an ESC that clears the screen) shown as escapes; its lines and tabs stay."""
    from rich.markup import escape

    from cscomp_cli.core.text import printable

    return escape(printable(text, keep="\n\t"))


def stderr_console():
    from rich.console import Console

    # soft_wrap: an error message is one logical line a user may copy; let the terminal wrap it.
    return Console(stderr=True, highlight=False, soft_wrap=True)


def load_data_for(data: Path, plans: list, *, require_payouts: bool = True):
    """The data folder read for these plans, each (plan, its file as given): the extra accounts columns
    their metrics name kept (and only those), and a column one names but the data lacks refused, at
    the metric's key, before anything is replayed."""
    from cscomp_cli.analyses.validate import check_plan_columns
    from cscomp_cli.inputs.dataset import load_dataset
    from cscomp_cli.inputs.tables import merged_columns

    dataset = load_dataset(data, require_payouts=require_payouts,
                           columns=merged_columns([plan.account_columns() for plan, _ in plans]))
    for plan, source in plans:
        check_plan_columns(plan, dataset, "<stdin>" if str(source) == "-" else str(source))
    return dataset


def document_columns(document: dict, label: str) -> dict[str, set[str]]:
    """The extra accounts columns a plan document's metrics read; none when it is not a valid plan
    as it stands (sweep then reports what each value makes of it)."""
    from cscomp_cli.core.errors import CscompError
    from cscomp_cli.plan.loading import plan_from_document

    try:
        return plan_from_document(document, label).account_columns()
    except CscompError:
        return {}


def refuse_overwriting_inputs(output: Path | None, plans: list[Path], data: Path | None = None) -> None:
    """Stop before --output would overwrite an input: a plan read (every file of its extends chain,
    as recorded by plan.plan_files_read) or a file of the data folder."""
    from cscomp_cli.commands.writing import refuse_input_as_output

    if output is None:
        return
    inputs = list(plans)
    if data is not None:
        from cscomp_cli.inputs.dataset import (
            input_files,  # not before: validate --plan-only reads no data, nor imports pandas
        )

        inputs += [*input_files(data), data / SAMPLE_MARKER]
    refuse_input_as_output(output, inputs)


def report_warnings(warnings: list[str], output_format) -> None:
    # The table shows warnings itself; machine formats carry them in the data, and repeat them here.
    if output_format.value == "table" or not warnings:
        return
    console = stderr_console()
    for warning in warnings:
        console.print(f"[yellow]warning:[/] {escape_markup(warning)}", highlight=False)


def enforce_guardrails(breaches: list[str]) -> None:
    """One line per breach on stderr (even with --quiet), then exit 1."""
    if not breaches:
        return
    console = stderr_console()
    for breach in breaches:
        console.print(f"[bold red]breach:[/] {escape_markup(breach)}", highlight=False)
    raise typer.Exit(EXIT_GUARDRAIL)


class ClosedStream(OSError):
    """Standard output was closed before cscomp started: there is nowhere to write the result."""


class closed_stream(io.TextIOBase):
    """What stands for a stream the shell closed (``>&-``): writing to it raises ClosedStream, or, for
    stderr (``what`` None), drops the text, as there is no other place to say anything."""

    def __init__(self, what: str | None):
        self.what = what

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.what is None:
            return len(text)
        raise ClosedStream(errno.EBADF, f"{self.what} is closed, so there is nowhere to write to")

    @property
    def buffer(self):
        return self
