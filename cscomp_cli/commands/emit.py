"""Writing a result: rendered in the chosen format, to standard output or atomically to --output.

The one place output formats are dispatched: a command hands over its Result and the format asked
for; the renderers (cscomp_cli/render) know how each kind of result looks in each format.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cscomp_cli.analyses.result import Result
from cscomp_cli.commands.common import ClosedStream, spinner
from cscomp_cli.core.errors import UsageError
from cscomp_cli.render.formats import BINARY, Format, render_text


def emit(result: Result, output_format, output: Path | None, quiet: bool = False) -> None:
    """Render the result in the chosen format (a command's own --format choice) to stdout or --output."""
    chosen = Format(output_format.value)
    if chosen is Format.table:
        from cscomp_cli.render import table

        plain = table.PLAIN_TEXT.get(result.kind)
        if plain is not None:
            write_result(plain(result), output)
        else:
            render_rich(lambda console: table.RENDERERS[result.kind](result, console), output)
    elif chosen in (Format.html, Format.xlsx):
        # Charts take a moment: a spinner on a terminal.
        with spinner(f"Writing the {chosen.value} report", quiet):
            write_result(render_text(result, chosen), output)
    else:
        write_result(render_text(result, chosen), output)


def require_file_output(output_format, output: Path | None, example: str) -> None:
    """A workbook is a file, never text for a terminal: refuse it without --output, before anything is read."""
    if Format(output_format.value) in BINARY and output is None:
        raise UsageError(f"--format {output_format.value} writes a workbook: give it a file", hint=f"add --output {example}")


def write_stdout(text: str | bytes) -> None:
    with stdout_errors():
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(text)
            sys.stdout.flush()


class stdout_errors:
    """A full disk (or any failing write) on standard output is a user error, not a crash.

    A closed pipe (`| head`) is not an error: BrokenPipeError goes on to end the run quietly.
    """

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if not isinstance(error, OSError) or isinstance(error, BrokenPipeError):
            return False
        _discard_stdout()
        raise UsageError(f"cannot write the result to standard output: {error.strerror or error}",
                         hint="redirect standard output (> result.txt), or write to a file with --output"
                         if isinstance(error, ClosedStream) else
                         "make room on the disk standard output goes to, or write to a file with --output"
                         ) from None


def _discard_stdout() -> None:
    """What is still buffered for stdout would fail again when Python flushes it at exit: drop it."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing flushes it at exit
    import os

    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)


def write_result(text: str | bytes, output: Path | None) -> None:
    """Text to stdout, or atomically to --output."""
    from cscomp_cli.commands.writing import write_atomically

    if output is None:
        write_stdout(text)
    else:
        write_atomically(output, text)


def render_rich(draw, output: Path | None) -> None:
    """Draw with rich on stdout (colour only on a terminal), or as plain text into --output."""
    import io

    from rich.console import Console

    if output is None:
        # Piped into a file or another program, lines are not cut at an imaginary 80 columns.
        with stdout_errors():
            draw(Console(highlight=False, width=None if sys.stdout.isatty() else 160))
            sys.stdout.flush()
        return
    buffer = io.StringIO()
    draw(Console(file=buffer, width=140, no_color=True, highlight=False))
    write_result(buffer.getvalue(), output)


