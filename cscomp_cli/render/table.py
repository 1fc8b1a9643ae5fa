"""The terminal report: a summary panel, CSMs worst off first, quarters, top performers.

Markers (★ top performer, ▼ top performer paid less) carry the meaning without colour, so the
report reads the same when piped, written to a file, or under NO_COLOR.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cscomp_cli.core.text import printable_data
from cscomp_cli.render.document import shock_labels
from cscomp_cli.render.views import (SUMMARY_HEADINGS, summary_cell, cash_summary, correlation, csm_view, data_line, money, moves_base, paid_less,
                    pay_share_buckets, percent, performance, performance_heading, performance_label, quarter_view,
                    top_view)


def render_table(document: dict, console: Console) -> None:
    """Print the whole report for one stress test."""
    document = printable_data(document)  # an ESC in a name must not reach the terminal
    currency = document["currency"]
    cash = moves_base(document)
    console.print(_summary(document))
    table, dropped = _fitted_csm_table(document, currency, console.width, cash=cash)
    console.print(table)
    if dropped:
        console.print(f"[dim](columns left out to fit the terminal: {', '.join(dropped)}; widen it or use "
                      "--format csv)[/]")
    console.print(_fit(lambda hide: _quarter_table(document, currency, cash=cash, hidden=hide),
                       ["pct", "csms"], console.width)[0])
    if console.width >= 90:  # room for the bars beside their labels
        console.print(_distribution(document))
    console.print(_top_table(document, currency, cash=cash))
    for warning in document["warnings"]:
        console.print(Text.assemble(("warning: ", "bold yellow"), (warning, "yellow")))


def _fitted_csm_table(document: dict, currency: str, width: int, *, cash: bool) -> tuple[Table, list[str]]:
    """The CSM table with as many columns as the terminal holds. Names and money are what a leader
    reads, so lower-value columns go first: per-component attainment (last component first), then
    Delta %, then Segment; a name that still does not fit is shortened with an ellipsis, never dropped."""
    view = csm_view(document)
    components = list(view[0]["components"]) if view else []
    optional = [f"component:{cid}" for cid in reversed(components)] + ["delta_pct", "segment"]
    if cash:
        optional.insert(len(components), "cash_delta_pct")
    table, hidden = _fit(lambda hide: _csm_table(document, view, currency, hidden=hide, cash=cash), optional, width)
    if not _fits(table, width):
        # Still too wide: shorten names (with an ellipsis) before rich would cut a money column.
        for name_width in range(NAME_WIDTH - 1, MIN_NAME_WIDTH - 1, -1):
            table = _csm_table(document, view, currency, hidden=hidden, cash=cash, name_width=name_width)
            if _fits(table, width):
                break
    dropped = []
    if any(c.startswith("component:") for c in hidden):
        dropped.append("attainment per component")
    dropped += [label for key, label in (("segment", "segments"), ("delta_pct", "Delta %"),
                                         ("cash_delta_pct", "Cash Δ %")) if key in hidden]
    return table, dropped


def _fits(table: Table, width: int) -> bool:
    # Measured at its natural width, not one clipped to the terminal.
    return Console(width=10_000, file=io.StringIO()).measure(table).maximum <= width


def _fit(build, optional: list[str], width: int) -> tuple[Table, set[str]]:
    """``build(hidden)`` with the fewest of ``optional`` hidden (in that order) that fits ``width``:
    rich would otherwise cut money cells to '$251,982.…', a figure nobody can read."""
    hidden: set[str] = set()
    table = build(hidden)
    for column in optional:
        if _fits(table, width):
            break
        hidden = hidden | {column}
        table = build(hidden)
    return table, hidden


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
    if data_line(document):
        grid.add_row("Data", escape(data_line(document)))
    grid.add_row("Replayed", span)
    if shock_labels(document):
        grid.add_row("Shocks", Text(shock_labels(document), style="bold yellow"))
    cash = moves_base(document)
    variable = " (variable)" if cash else ""
    grid.add_row("Actually paid" + variable, money(s["actual_total"], currency))
    grid.add_row("Proposed plan" + variable, money(s["proposed_total"], currency))
    grid.add_row("Difference" + variable, Text(f"{money(s['delta'], currency, sign=True)} "
                                               f"({percent(s['delta_pct'])})", style="" if cash else "bold"))
    if cash:
        c = cash_summary(document)
        grid.add_row("Base", f"{money(c['actual_base'], currency)} → {money(c['base'], currency)} "
                             f"({money(c['base_delta'], currency, sign=True)})")
        grid.add_row("Total cash", f"{money(c['actual_cash'], currency)} → {money(c['proposed_cash'], currency)}")
        grid.add_row("Cash difference", Text(f"{money(c['cash_delta'], currency, sign=True)} "
                                             f"({percent(c['cash_delta_pct'])})", style="bold"))
    grid.add_row("CSMs", f"{s['csms']}: {s['paid_more']} paid more, {s['paid_less']} paid less"
                         + (" in total cash" if cash else ""))
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


NAME_WIDTH, MIN_NAME_WIDTH = 22, 6


def _csm_table(document: dict, view: list[dict], currency: str, *, hidden: set[str], cash: bool,
               name_width: int = NAME_WIDTH) -> Table:
    title = "CSMs by change in pay, worst off first (★ top performer, ▼ top performer paid less)"
    if cash:
        title = ("CSMs by change in total cash, worst off first (★ top performer, ▼ top performer paid less); "
                 "Actual, Proposed and Delta are variable pay")
    table = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("CSM", no_wrap=True, min_width=7)
    table.add_column("Name", overflow="ellipsis", no_wrap=True, max_width=name_width, min_width=MIN_NAME_WIDTH)
    if "segment" not in hidden:
        table.add_column("Segment", no_wrap=True, overflow="ellipsis", max_width=12)
    columns = [cid for cid in (view[0]["components"] if view else []) if f"component:{cid}" not in hidden]
    for cid in columns:
        kind = view[0]["components"][cid][0]
        table.add_column(f"{cid}\n{SUMMARY_HEADINGS[kind]}", justify="right",
                         no_wrap=True)
    money_columns = ["Actual", "Proposed", "Delta"] + (["Delta %"] if "delta_pct" not in hidden else [])
    if cash:
        money_columns += ["Cash Δ"] + (["Cash Δ %"] if "cash_delta_pct" not in hidden else [])
    for name in money_columns:
        table.add_column(name, justify="right", no_wrap=True)
    for csm in view:
        marker = "▼" if csm["top_paid_less"] else ("★" if csm["top_performer"] else " ")
        cells = [f"{marker} {escape(csm['csm_id'])}", escape(str(csm["name"]))]
        if "segment" not in hidden:
            cells.append(escape(str(csm["segment"])))
        for cid in columns:
            kind, value = csm["components"][cid]
            cells.append(summary_cell(kind, value, currency))
        cells += [money(csm["actual"], currency), money(csm["proposed"], currency),
                  money(csm["delta"], currency, sign=True)]
        if "delta_pct" not in hidden:
            cells.append(percent(csm["delta_pct"]))
        if cash:
            cells.append(money(csm["cash_delta"], currency, sign=True))
            if "cash_delta_pct" not in hidden:
                cells.append(percent(csm["cash_delta_pct"]))
        table.add_row(*cells, style="bold red" if csm["top_paid_less"] else None)
    return table


def _quarter_table(document: dict, currency: str, *, cash: bool = False, hidden: set[str] = frozenset()) -> Table:
    """Quarter totals; ``hidden`` may hold "pct" (the percentage column) and "csms" (the head count)."""
    table = Table(title="By quarter" + (" (Actual, Proposed, Delta: variable pay)" if cash else ""),
                  box=box.SIMPLE_HEAVY, title_justify="left")
    columns = [("Quarter", None), ("CSMs", "csms"), ("Actual", None), ("Proposed", None), ("Delta", None)]
    columns += [("Cash Δ", None), ("Cash Δ %", "pct")] if cash else [("Delta %", "pct")]
    shown = [key not in hidden for _, key in columns]
    for (name, _), show in zip(columns, shown):
        if show:
            table.add_column(name, justify="left" if name == "Quarter" else "right", no_wrap=True)
    for q in quarter_view(document):
        cells = [q["quarter"], str(q["csms"]), money(q["actual"], currency), money(q["proposed"], currency),
                 money(q["delta"], currency, sign=True)]
        cells += ([money(q["cash_delta"], currency, sign=True), percent(q["cash_delta_pct"])] if cash
                  else [percent(q["delta_pct"])])
        table.add_row(*(cell for cell, show in zip(cells, shown) if show))
    return table


def _top_table(document: dict, currency: str, *, cash: bool = False) -> Table:
    top = top_view(document)
    table = Table(title=f"Top performers by {escape(performance_label(document))}", box=box.SIMPLE_HEAVY,
                  title_justify="left")
    names = ("#", "CSM", "Name", performance_heading(document), "Delta") + (("Cash Δ",) if cash else ())
    for position, name in enumerate(names):
        table.add_column(escape(name), justify="left" if position in (1, 2) else "right")
    for rank, csm in enumerate(top, 1):
        less = paid_less(csm)
        cells = [str(rank), f"{'▼' if less else '★'} {escape(csm['csm_id'])}", escape(str(csm["name"])),
                 performance(csm["performance"]), money(csm["delta"], currency, sign=True)]
        if cash:
            cells.append(money(csm["cash_delta"], currency, sign=True))
        table.add_row(*cells, style="bold red" if less else None)
    return table
