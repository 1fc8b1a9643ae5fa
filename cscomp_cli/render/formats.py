"""The output formats, which kinds of result each renders, and where its renderer lives.

Adding a format: a value in Format, its module in MODULES, and that module's RENDERERS (one function
per kind of result it renders, each taking a Result). OFFERED follows from the renderers' kinds, so
every command offers the new format where it applies. Imports nothing heavy: `--help` reads OFFERED.
"""

from __future__ import annotations

from enum import Enum
from importlib import import_module

from cscomp_cli.analyses.result import Kind, Result


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"


MODULES = {Format.table: "cscomp_cli.render.table", Format.csv: "cscomp_cli.render.csv",
           Format.json: "cscomp_cli.render.json", Format.markdown: "cscomp_cli.render.markdown",
           Format.html: "cscomp_cli.render.html", Format.xlsx: "cscomp_cli.render.xlsx"}

# Which formats each kind of result is offered in, in the order `--help` lists them. A test holds
# this equal to the renderers' own RENDERERS, so it cannot drift from what is built.
OFFERED = {
    Kind.stress_test: (Format.table, Format.csv, Format.json, Format.markdown, Format.html, Format.xlsx),
    Kind.compare: (Format.table, Format.csv, Format.json, Format.markdown, Format.html, Format.xlsx),
    Kind.sweep: (Format.table, Format.csv, Format.json, Format.markdown),
    Kind.simulate: (Format.table, Format.csv, Format.json, Format.markdown),
    Kind.explain: (Format.table, Format.csv, Format.json, Format.markdown),
    Kind.reconcile: (Format.table, Format.csv, Format.json),
    Kind.validate: (Format.table, Format.json),
    Kind.plan_diff: (Format.table, Format.json),
}
# Formats that are files to forward, not text for a terminal or a pipe.
BINARY = {Format.xlsx}


def choices(kind: Kind) -> type[Enum]:
    """The formats a command for this kind of result offers, as the Enum its --format option takes."""
    name = "".join(part.title() for part in kind.value.split("-")) + "Format"
    return Enum(name, {f.value: f.value for f in OFFERED[kind]}, type=str)


def render_text(result: Result, output_format: Format) -> str | bytes:
    """The result in a file format (every format but the terminal's table)."""
    return import_module(MODULES[output_format]).RENDERERS[result.kind](result)
