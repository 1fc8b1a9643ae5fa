"""init: guess the data map of a folder of raw exports, write it, check it, say what is left."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cscomp_cli.commands.common import (
    DebugOpt,
    QuietOpt,
    escape_markup,
    stderr_console,
    user_errors,
)
from cscomp_cli.commands.emit import write_stdout


def init_command(
    folder: Annotated[str, typer.Argument(help="The folder holding your exports (CSV, TSV, TXT, XLSX, Parquet; "
                                           "subfolders one level deep too).", show_default=False, metavar="DIR")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing cscomp-data.yaml.")] = False,
    output_map: Annotated[Optional[str], typer.Option(
        "--output-map", metavar="FILE", help="Write the map to FILE instead of DIR/cscomp-data.yaml "
        "('-' prints it); the folder is then not validated.")] = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Guess DIR's data map (which export is which table, and how to read it) and write DIR/cscomp-data.yaml.

    Every guess gets a comment in the map, and every choice init could not make is marked UNDECIDED
    there and listed on stderr. Then the folder is validated as cscomp will read it. Never asks
    anything and never replaces an existing map without --force. Prints the map's path on stdout.
    Exit status: 0 when the map is written (even with choices left), 2 when nothing is written.

    \b
    Examples:
      cscomp init exports/
      cscomp init exports/ --force && cscomp stress-test plans/nrr_focus.yaml --data exports/
      cscomp init exports/ --output-map - | less
    """
    folder = Path(folder)
    with user_errors(debug):
        from cscomp_cli.commands.writing import (
            refuse_input_as_output,
            refuse_too_long,
            write_atomically,
        )
        from cscomp_cli.core.errors import UsageError
        from cscomp_cli.core.path_limits import shown, too_long
        from cscomp_cli.inputs.datamap import MAP_FILE
        from cscomp_cli.inputs.guessing.guess import guess_map

        if too_long(folder):
            raise UsageError(f"the folder name {shown(folder)} is too long for the file system ({too_long(folder)})",
                             hint="pass the folder holding your exports: cscomp init DIR")
        target = folder / MAP_FILE if output_map is None else (None if output_map == "-" else Path(output_map))
        if target is not None:
            refuse_too_long(target, "--output-map", "guess.yaml")
        if target is not None and not force and (target.exists() or target.is_symlink()):
            raise UsageError("a data map is already there; init leaves it as it is", file=target,
                             hint="pass --force to replace it with a fresh guess, or --output-map FILE to "
                             "write the guess elsewhere and compare")
        if output_map is None and not force and _already_canonical(folder):
            stderr_console().print(escape_markup(
                f"{folder} already holds accounts.csv and roster.csv in cscomp's own columns: it needs no data "
                "map, and init wrote none (pass --force to write one anyway); see docs/data.md"), highlight=False)
            return
        guess = guess_map(folder)
        if target is not None:
            # The folder's own map is init's to replace (with --force); an export it just read is not.
            refuse_input_as_output(target, [folder / name for name in guess.read], option="--output-map",
                                   example="guess.yaml")
        if target is None:
            write_stdout(guess.text)
        else:
            write_atomically(target, guess.text)
            write_stdout(f"{target}\n")
        if not quiet:
            _summary(guess, target)
        if target is not None and target == folder / MAP_FILE:
            _validate(folder, quiet)


def _already_canonical(folder: Path) -> bool:
    """accounts.csv and roster.csv with every required column: the folder reads without a map."""
    import csv

    from cscomp_cli.inputs.datamap import REQUIRED
    from cscomp_cli.inputs.file_heads import regular_head

    for name in ("accounts", "roster"):
        # Only the header is needed: a FIFO or /dev/zero named accounts.csv is not read (nor waited on).
        head = regular_head(folder / f"{name}.csv", 64 * 1024)
        if head is None:
            return False
        try:
            first = head.split(b"\n", 1)[0].decode("utf-8-sig").splitlines()[:1]
            header = {cell.strip().lower() for cell in next(csv.reader(first), [])}
        except (UnicodeDecodeError, csv.Error):
            return False
        if not set(REQUIRED[name]) <= header:
            return False
    return True


def _summary(guess, target: Path | None) -> None:
    console = stderr_console()
    where = "" if target is None else f" in {target}"
    console.print(escape_markup(f"guessed the data map{where}:"), highlight=False)
    for table, files in guess.tables.items():
        console.print(escape_markup(f"  {table}: {', '.join(files)}"), highlight=False)
    for unused in guess.unused:
        console.print(escape_markup(f"  not used: {unused}"), highlight=False)
    if guess.undecided:
        console.print(f"[yellow]left for you to decide ({len(guess.undecided)}):[/] each is marked UNDECIDED in the "
                      "map", highlight=False)
        for choice in guess.undecided:
            console.print(escape_markup(f"  - {choice}"), highlight=False)
    else:
        console.print("nothing left undecided; every guess has its reason in a comment: read them once",
                      highlight=False)


def _validate(folder: Path, quiet: bool) -> None:
    """The folder's data as cscomp will read it (no plan yet): each problem on stderr."""
    from cscomp_cli.analyses.validate import validate_data

    found = validate_data(folder)
    if quiet and found.ok:
        return
    console = stderr_console()
    if found.ok:
        console.print(f"validate: the data reads ({len(found.warnings)} warning"
                      f"{'s' * (len(found.warnings) != 1)})", highlight=False)
    else:
        console.print(f"[bold red]validate:[/] {len(found.errors)} problem{'s' * (len(found.errors) != 1)} "
                      "reading the folder with this map:", highlight=False)
    for problem in found.errors:
        console.print(escape_markup(f"  error: {_line(problem)}"), highlight=False)
    if not quiet:
        for problem in found.warnings:
            console.print(escape_markup(f"  warning: {_line(problem)}"), highlight=False)


def _line(problem) -> str:
    where = ", ".join(part for part in (problem.file, problem.location) if part)
    return (f"{where}: " if where else "") + problem.message + (f" — {problem.hint}" if problem.hint else "")
