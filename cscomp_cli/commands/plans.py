"""plan-diff and schema: reading and reviewing plans."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cscomp_cli.commands.common import (
    DebugOpt,
    OutputOpt,
    PlanDiffFormat,
    refuse_overwriting_inputs,
    user_errors,
)
from cscomp_cli.commands.emit import emit, write_result


def plan_diff_command(
    first: Annotated[str, typer.Argument(help="The plan to compare from (e.g. the plan in force).", metavar="PLAN_A")],
    second: Annotated[str, typer.Argument(help="The plan to compare to (e.g. a proposal).", metavar="PLAN_B")],
    output_format: Annotated[PlanDiffFormat, typer.Option("--format", "-f", help="table or json.")] = PlanDiffFormat.table,
    output: OutputOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show what differs between two plans, fully resolved (extends applied, defaults filled in).

    \b
    Example:
      cscomp plan-diff plans/current.yaml plans/nrr_focus.yaml
    """
    with user_errors(debug):
        from cscomp_cli.analyses.result import Kind, Result
        from cscomp_cli.plan.diff import diff_document, diff_plans
        from cscomp_cli.plan.loading import load_plan
        from cscomp_cli.plan.plan_files import plan_files_read

        with plan_files_read() as read:
            changes = diff_plans(load_plan(first), load_plan(second))
        refuse_overwriting_inputs(output, read)
        emit(Result.of(Kind.plan_diff, diff_document(first, second, changes)), output_format, output)


def schema(
    data_map: Annotated[bool, typer.Option("--data-map", help="The data map's schema (cscomp-data.yaml) instead "
                                           "of the plan's.")] = False,
    output: OutputOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Print the JSON Schema of the plan language (point your editor's YAML support at it).

    With --data-map, the schema of cscomp-data.yaml, the file that says how your own exports map to
    cscomp's tables (docs/data.md explains every key; `cscomp init DIR` writes one for you).

    \b
    Examples:
      cscomp schema --output plan.schema.json
      cscomp schema --data-map --output cscomp-data.schema.json
    """
    with user_errors(debug):
        if data_map:
            from cscomp_cli.inputs.datamap import map_json_schema

            write_result(json.dumps(map_json_schema(), indent=2, ensure_ascii=False) + "\n", output)
            return
        from cscomp_cli.plan.schema import plan_json_schema

        write_result(json.dumps(plan_json_schema(), indent=2, ensure_ascii=False) + "\n", output)
