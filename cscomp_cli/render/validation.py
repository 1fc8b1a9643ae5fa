"""The validate report: what was checked, then every error and every warning."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape as escape_markup

from cscomp_cli.core.text import printable
from cscomp_cli.analyses.findings import Problem, Validation


def escape(text: str) -> str:
    """Plan, file and data text as written: no markup, no control character reaching the terminal."""
    return escape_markup(printable(text))


def validation_document(found: Validation, plan: str, data: str | None) -> dict:
    """The JSON form of a validation, for scripts (``data`` None: the plan was checked alone)."""
    return {
        "plan": plan,
        "data": data,
        "ok": found.ok,
        "errors": [p.as_dict() for p in found.errors],
        "warnings": [p.as_dict() for p in found.warnings],
        "checked": found.checked,
    }


def render_validation(found: Validation, plan: str, data: str | None, console: Console) -> None:
    checked = found.checked
    console.print(f"[bold]Plan[/]  {escape(plan)}" + (
        f": {escape(checked['plan']['name'])} ({_count(checked['plan']['components'], 'component')}, "
        f"{_count(checked['plan']['modifiers'], 'modifier')})" if "plan" in checked else ""))
    files = [(f"{name.removesuffix('.csv')} from {info['from']}" if "from" in info else name)
             + f" {_count(info['rows'], 'row')}" + (
        f" ({info['quarters']}, {info['csms']} CSMs)" if "quarters" in info else "")
        for name, info in checked.items() if name.endswith(".csv")]
    if data is None:
        console.print("[bold]Data[/]  not read (--plan-only): run validate without it to check the data and the fit")
    else:
        console.print(f"[bold]Data[/]  {escape(data)}" + (": " + escape(", ".join(files)) if files else ""))
    for name, info in checked.items():
        if info.get("left_out"):
            # Rows a data map's filter leaves out are never checked: say which, so a new earnings code
            # or job profile is seen rather than silently dropped.
            shown = ", ".join(f"{value} ×{count:,}" for value, count in list(info["left_out"].items())[:8])
            more = " …" if len(info["left_out"]) > 8 else ""
            console.print(f"      {escape(name.removesuffix('.csv'))}: the map's rows filter left out "
                          f"{escape(shown)}{more}", soft_wrap=True)
    if "replay" in checked:
        replayed = checked["replay"]
        console.print(f"[bold]Fit[/]   replayed {_count(replayed['quarters'], 'quarter')}, "
                      f"{_count(replayed['csm_quarters'], 'CSM-quarter')}")
    _section(console, found.errors, "error", "red")
    _section(console, found.warnings, "warning", "yellow")
    console.print()
    if found.ok:
        console.print(f"[bold green]OK[/]: no errors, {_count(len(found.warnings), 'warning')}.")
    else:
        console.print(f"[bold red]{_count(len(found.errors), 'error')}[/], {_count(len(found.warnings), 'warning')}: "
                      "fix the errors before running stress-test.")


def _section(console: Console, problems: list[Problem], kind: str, colour: str) -> None:
    if not problems:
        return
    console.print()
    console.print(f"[bold {colour}]{_count(len(problems), kind).capitalize()}[/]")
    for number, problem in enumerate(problems, 1):
        where = ", ".join(part for part in (problem.file, problem.location) if part)
        console.print(f"  {number}. " + escape(f"{where}: {problem.message}" if where else problem.message),
                      soft_wrap=True)
        if problem.hint:
            console.print(f"     [dim]hint: {escape(problem.hint)}[/]", soft_wrap=True)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
