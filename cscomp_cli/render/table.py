"""The terminal report: a summary panel, CSMs sorted by who loses most, quarters, top performers.

Markers (★ top performer, ▼ top performer paid less) carry the meaning without colour, so the
report reads the same when piped, written to a file, or under NO_COLOR.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .document import shock_labels
from .views import (correlation, csm_view, money, pay_share_buckets, percent, performance, quarter_view,
                    top_view)


def render_table(document: dict, console: Console) -> None:
    """Print the whole report for one stress test."""
    currency = document["currency"]
    console.print(_summary(document))
    # On a narrow terminal names go first, then the per-component columns: ids, money and
    # percentages must never wrap or be cut.
    count = len(document["rows"][0]["components"]) if document["rows"] else 0
    with_components = console.width >= 78 + 11 * count
    with_names = console.width >= 100 + 11 * count
    console.print(_csm_table(document, currency, with_names=with_names, with_components=with_components))
    if not with_components:
        console.print("[dim](widen the terminal to see attainment per component, or use --format csv)[/]")
    console.print(_quarter_table(document, currency))
    if console.width >= 90:  # room for the bars beside their labels
        console.print(_distribution(document))
    console.print(_top_table(document, currency))
    for warning in document["warnings"]:
        console.print(Text.assemble(("warning: ", "bold yellow"), (warning, "yellow")))


def _distribution(document: dict) -> Table:
    """How many CSMs land where, as % of their target, today and under the plan."""
    buckets = pay_share_buckets(document)
    widest = max([1] + [max(a, p) for _, a, p in buckets])
    scale = min(1.0, 30 / widest)
    table = Table(title="Payout as % of target (CSMs per band)", box=None, title_justify="left", padding=(0, 1))
    table.add_column("", justify="right", style="dim")
    table.add_column("actually paid", no_wrap=True)
    table.add_column("proposed", no_wrap=True)
    for label, actual, proposed in buckets:
        table.add_row(label, Text("█" * round(actual * scale) + f" {actual}" if actual else "", style="grey62"),
                      Text("█" * round(proposed * scale) + f" {proposed}" if proposed else "", style="blue"))
    return table


def _summary(document: dict) -> Panel:
    s = document["summary"]
    currency = document["currency"]
    quarters = document["quarters"]
    span = f"{quarters[0]}–{quarters[-1]} ({len(quarters)} quarter{'s' if len(quarters) != 1 else ''})" \
        if quarters else "no quarters"
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    grid.add_row("Replayed", span)
    if shock_labels(document):
        grid.add_row("Shocks", Text(shock_labels(document), style="bold yellow"))
    grid.add_row("Actually paid", money(s["actual_total"], currency))
    grid.add_row("Proposed plan", money(s["proposed_total"], currency))
    grid.add_row("Difference", Text(f"{money(s['delta'], currency, sign=True)} ({percent(s['delta_pct'])})",
                                    style="bold"))
    grid.add_row("CSMs", f"{s['csms']}: {s['paid_more']} paid more, {s['paid_less']} paid less")
    losers = s["top_performers_paid_less"]
    grid.add_row(
        "Top performers paid less",
        Text(f"▼ {len(losers)} of {len(s['top_performers'])}: {', '.join(losers)}", style="bold red")
        if losers else Text(f"none of {len(s['top_performers'])}", style="green"),
    )
    r = s["pay_performance_correlation"]
    grid.add_row("Pay follows performance", f"Spearman {correlation(r['actual'])} today → "
                                            f"{correlation(r['proposed'])} proposed")
    return Panel(grid, title=f"[bold]{escape(document['plan'])}[/]", title_align="left", expand=False)


def _csm_table(document: dict, currency: str, *, with_names: bool = True, with_components: bool = True) -> Table:
    table = Table(title="CSMs, who loses most first (★ top performer, ▼ top performer paid less)",
                  box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("CSM", no_wrap=True, min_width=7)
    if with_names:
        table.add_column("Name", overflow="ellipsis", no_wrap=True, max_width=22)
    table.add_column("Segment", no_wrap=True, overflow="ellipsis", max_width=12)
    view = csm_view(document)
    columns = list(view[0]["components"]) if view and with_components else []
    for cid in columns:
        kind = view[0]["components"][cid][0]
        table.add_column(f"{cid}\n{'attain.' if kind == 'attainment' else 'commission'}", justify="right",
                         no_wrap=True)
    for name in ("Actual", "Proposed", "Delta", "Delta %"):
        table.add_column(name, justify="right", no_wrap=True)
    for csm in view:
        marker = "▼" if csm["top_paid_less"] else ("★" if csm["top_performer"] else " ")
        cells = [f"{marker} {csm['csm_id']}"] + ([escape(str(csm["name"]))] if with_names else [])
        cells.append(escape(str(csm["segment"])))
        for cid in columns:
            kind, value = csm["components"][cid]
            cells.append(percent(value, sign=False) if kind == "attainment" else money(value, currency))
        cells += [money(csm["actual"], currency), money(csm["proposed"], currency),
                  money(csm["delta"], currency, sign=True), percent(csm["delta_pct"])]
        table.add_row(*cells, style="bold red" if csm["top_paid_less"] else None)
    return table


def _quarter_table(document: dict, currency: str) -> Table:
    table = Table(title="By quarter", box=box.SIMPLE_HEAVY, title_justify="left")
    for name in ("Quarter", "CSMs", "Actual", "Proposed", "Delta", "Delta %"):
        table.add_column(name, justify="left" if name == "Quarter" else "right", no_wrap=True)
    for q in quarter_view(document):
        table.add_row(q["quarter"], str(q["csms"]), money(q["actual"], currency), money(q["proposed"], currency),
                      money(q["delta"], currency, sign=True), percent(q["delta_pct"]))
    return table


def _top_table(document: dict, currency: str) -> Table:
    top = top_view(document)
    table = Table(title="Top performers (the plan's performance metric, pooled)", box=box.SIMPLE_HEAVY,
                  title_justify="left")
    for name in ("#", "CSM", "Name", "Performance", "Delta"):
        table.add_column(name, justify="right" if name in ("#", "Performance", "Delta") else "left")
    for rank, csm in enumerate(top, 1):
        paid_less = csm["delta"] < -0.005
        table.add_row(str(rank), f"{'▼' if paid_less else '★'} {csm['csm_id']}", escape(str(csm["name"])),
                      performance(csm["performance"]),
                      money(csm["delta"], currency, sign=True), style="bold red" if paid_less else None)
    return table
