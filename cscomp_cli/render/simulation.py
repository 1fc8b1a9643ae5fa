"""`cscomp simulate` output: the cost distribution, the budget risk, and each CSM's range."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from cscomp_cli.core.text import printable_data
from cscomp_cli.render.machine import csv_text
from cscomp_cli.render.markdown import markdown_table, markdown_text
from cscomp_cli.render.views import money


def _horizon(document: dict) -> str:
    ahead = document["quarters_ahead"]
    return "the next quarter" if ahead == 1 else f"the next {ahead} quarters"


def base_line(document: dict) -> str:
    """The base cost change a pay_mix makes over the horizon, beside the simulated variable cost."""
    base, currency = document["base"], document["currency"]
    return (f"{money(base['proposed'], currency)} under the plan, {money(base['roster'], currency)} on the roster "
            f"({money(base['delta'], currency, sign=True)})")


def render_simulation(document: dict, console: Console) -> None:
    document = printable_data(document)  # an ESC in a name must not reach the terminal
    currency = document["currency"]
    total = document["total"]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    history = document["history"]
    if document.get("data"):
        grid.add_row("Data", escape(document["data"]))
    grid.add_row("Simulated", f"{document['runs']:,} runs of {_horizon(document)} (seed {document['seed']})")
    grid.add_row("Drawn from", f"each CSM's own outcomes in {history[0]}–{history[-1]}")
    grid.add_row("Cost P5 / P50 / P95" + (" (variable)" if document.get("base") else ""),
                 f"{money(total['p5'], currency)} / {money(total['p50'], currency)} / {money(total['p95'], currency)}")
    if document.get("base"):
        grid.add_row("Base (not simulated)", base_line(document))
    if document["budget"] is not None:
        style = "bold red" if document["probability_over_budget"] > 0.05 else "green"
        grid.add_row("Over budget", f"[{style}]{document['probability_over_budget']:.1%}[/] of runs exceed "
                                    f"{money(document['budget'], currency)}")
    console.print(Panel(grid, title=f"[bold]{escape(document['plan'])}[/]", title_align="left", expand=False))
    segments = Table(title="Cost by segment", box=box.SIMPLE_HEAVY, title_justify="left")
    for name in ("Segment", "P5", "P50", "P95"):
        segments.add_column(name, justify="left" if name == "Segment" else "right")
    for segment, points in document["by_segment"].items():
        segments.add_row(escape(segment), *[money(points[k], currency) for k in ("p5", "p50", "p95")])
    console.print(segments)
    csms = Table(title=f"Payout per CSM over {_horizon(document)}", box=box.SIMPLE_HEAVY, title_justify="left")
    for name in ("CSM", "Name", "Segment", "TV / quarter", "Outcomes", "P10", "P50", "P90"):
        csms.add_column(name, justify="left" if name in ("CSM", "Name", "Segment") else "right")
    for csm in document["csms"]:
        csms.add_row(escape(csm["csm_id"]), escape(str(csm["name"])), escape(str(csm["segment"])),
                     money(csm["target_variable"], currency), str(csm["outcomes"]),
                     *[money(csm[k], currency) for k in ("p10", "p50", "p90")])
    console.print(csms)
    for warning in document["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


def simulation_csv(document: dict) -> str:
    """One row per CSM: current TV, number of outcomes, P10/P50/P90 payout."""
    rows = [["csm_id", "name", "segment", "target_variable", "outcomes", "p10", "p50", "p90"]]
    for csm in document["csms"]:
        rows.append([csm["csm_id"], str(csm["name"]), str(csm["segment"]), f"{csm['target_variable']:.2f}",
                     csm["outcomes"], *[f"{csm[k]:.2f}" for k in ("p10", "p50", "p90")]])
    return csv_text(rows)


def _markdown_money(value, currency: str) -> str:
    return markdown_text(money(value, currency))


def simulation_markdown(document: dict) -> str:
    document = printable_data(document)
    currency = document["currency"]
    total = document["total"]
    lines = [f"# {markdown_text(document['plan'])}: simulated cost of {_horizon(document)}", "",
             f"- {document['runs']:,} runs, seed {document['seed']}, outcomes from {document['history'][0]}–"
             f"{document['history'][-1]}",
             "- Cost P5 / P50 / P95: " + " / ".join(_markdown_money(total[k], currency) for k in ("p5", "p50", "p95"))]
    if document.get("data"):
        lines.insert(2, f"- Data: {markdown_text(document['data'])}")
    if document.get("base"):
        lines.append(f"- Base over {_horizon(document)} (not simulated): {markdown_text(base_line(document))}")
    if document["budget"] is not None:
        lines.append(f"- Over budget ({_markdown_money(document['budget'], currency)}): "
                     f"{document['probability_over_budget']:.1%} of runs")
    lines += ["", *markdown_table(["Segment", "P5", "P50", "P95"],
                                  [[segment, *(money(points[k], currency) for k in ("p5", "p50", "p95"))]
                                   for segment, points in document["by_segment"].items()], {1, 2, 3})]
    return "\n".join(lines) + "\n"
