"""The command line: parse arguments, call the library, render, and turn errors into exit codes.

Only the command layer (this module and cscomp_cli.commands) prints or exits. Heavy imports
(pandas via the engine) happen inside the commands so that `cscomp --help` stays instant.
"""

from __future__ import annotations

import signal
import sys
from typing import Annotated

import typer

from cscomp_cli import __version__
from cscomp_cli.commands import explore, init, plans, replay, trust
from cscomp_cli.commands.common import (
    OUT_OF_MEMORY,
    ClosedStream,
    Interrupted,
    closed_stream,
    interrupted,
)

# Started with stdout closed (`cscomp … >&-`), Python gives no stream at all: one that says so when
# written to, so a run with --output still works and one without says why it wrote nothing. Without
# stderr, nothing could be said: what would go there is dropped.
if sys.stdout is None:
    sys.stdout = closed_stream("standard output")
if sys.stderr is None:
    sys.stderr = closed_stream(None)

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


# In the order `cscomp --help` lists them: the questions first, then auditing, then plans.
app.command("stress-test")(replay.stress_test)
app.command("compare")(replay.compare_command)
app.command("sweep")(explore.sweep_command)
app.command("simulate")(explore.simulate_command)
app.command("init")(init.init_command)
app.command("validate")(trust.validate_command)
app.command("reconcile")(trust.reconcile_command)
app.command("explain")(trust.explain_command)
app.command("plan-diff")(plans.plan_diff_command)
app.command("schema")(plans.schema)


def _interrupt(signum: int, frame) -> None:
    # One is enough: a second SIGTERM must not cut short the cleanup the first one started.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    raise Interrupted(signum)


def main() -> None:
    """Entry point of the `cscomp` command."""
    if hasattr(signal, "SIGPIPE"):
        # `cscomp … | head` should end quietly, as other Unix tools do.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # `kill` or a closed terminal ends the run like Ctrl-C: an exception, so that a write in
    # progress removes its temporary file, then exit 128 + the signal's number.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    try:
        app()
    except Interrupted as error:  # between commands' own handling (while starting up or exiting)
        sys.exit(interrupted(error))
    except ClosedStream as error:  # help or a version with nowhere to go
        sys.stderr.write(f"error: {error.strerror}\n")
        sys.exit(2)
    except MemoryError:  # outside a command's own handling (reading the data folder's marker, say)
        sys.stderr.write(f"error: {OUT_OF_MEMORY}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
