"""The terminal: rich tables, panels and trees for every kind of result. The stress test's report is a
summary panel, CSMs worst off first, quarters, top performers.

Markers (★ top performer, ▼ top performer paid less) carry the meaning without colour, so the
report reads the same when piped, written to a file, or under NO_COLOR.
"""

from __future__ import annotations

import io
import json

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from cscomp_cli.analyses.findings import Problem, Validation
from cscomp_cli.analyses.result import Kind, Result
from cscomp_cli.core.formatting import counted, money, percent
from cscomp_cli.core.text import printable, printable_data
from cscomp_cli.render.explain_tree import Node, Part, explanation_tree
from cscomp_cli.render.views import (
    CASH_LABEL,
    SUMMARY_HEADINGS,
    SUMMARY_NOTE,
    base_line,
    budget_judged,
    cash_summary,
    correlation,
    csm_view,
    currency_line,
    data_line,
    drawn_from,
    has_periods,
    horizon,
    matrices,
    moves_base,
    paid_less,
    pay_rule_columns,
    pay_rule_lines,
    pay_rule_note,
    pay_share_buckets,
    performance,
    performance_heading,
    performance_label,
    quarter_advances,
    quarter_view,
    replayed_span,
    shock_labels,
    summary_cell,
    summary_rows,
    sweep_cells,
    sweep_floors,
    sweep_headers,
    top_view,
)


def render_table(document: dict, console: Console) -> None:
    """Print the whole report for one stress test."""
    document = printable_data(document)  # an ESC in a name must not reach the terminal
    currency = document["currency"]
    cash = moves_base(document)
    console.print(_summary(document))
    table, dropped = _fitted_csm_table(document, currency, console.width, cash=cash)
    console.print(table)
    if any(header.endswith("\nattain.") for header in (str(c.header) for c in table.columns)):
        # Printed beside the table, not as its caption: a caption wraps at the table's width.
        console.print(f"[dim]{escape(SUMMARY_NOTE.format(label='mean attain.'))}[/]")
    shown = {str(c.header) for c in table.columns}
    if any(heading in shown for _, heading in pay_rule_columns(document)):
        console.print(f"[dim]{escape(pay_rule_note(document))}[/]")
    if dropped:
        console.print(f"[dim](columns left out to fit the terminal: {', '.join(dropped)}; widen it or use "
                      "--format csv)[/]")
    console.print(_fit(lambda hide: _quarter_table(document, currency, cash=cash, hidden=hide),
                       ["pct", "csms", "advances"], console.width)[0])
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
    rules = [f"rule:{key}" for key, _ in reversed(pay_rule_columns(document))]
    optional = [f"component:{cid}" for cid in reversed(components)] + rules + ["delta_pct", "segment"]
    if cash:
        optional.insert(len(components) + len(rules), "cash_delta_pct")
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
    dropped += [label for key, label in pay_rule_columns(document) if f"rule:{key}" in hidden]
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
    span = replayed_span(document)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    if data_line(document):
        grid.add_row("Data", escape(data_line(document)))
    grid.add_row("Replayed", span)
    if currency_line(document):
        grid.add_row("Currencies", currency_line(document))
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
    for label, text in pay_rule_lines(document):  # SPEC 6.4-6.6: advances, clawbacks, what the floors cost
        grid.add_row(escape(label), escape(text))  # CSM ids and period labels come from the data
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
    paid_in = any(csm["paid_in"] for csm in view)
    if paid_in:
        table.add_column("Paid in", no_wrap=True)  # SPEC 6.3: amounts are converted into the plan's
    columns = [cid for cid in (view[0]["components"] if view else []) if f"component:{cid}" not in hidden]
    for cid in columns:
        kind = view[0]["components"][cid][0]
        table.add_column(f"{cid}\n{SUMMARY_HEADINGS[kind]}", justify="right",
                         no_wrap=True)
    rules = [(key, heading) for key, heading in pay_rule_columns(document) if f"rule:{key}" not in hidden]
    for _, heading in rules:  # SPEC 6.4-6.6: what each CSM had held back, trued up, clawed back, lifted
        table.add_column(heading, justify="right", no_wrap=True)
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
        if paid_in:
            cells.append(csm["paid_in"])
        for cid in columns:
            kind, value = csm["components"][cid]
            cells.append(summary_cell(kind, value, currency))
        cells += [money(csm["pay_rules"].get(key), currency) for key, _ in rules]
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
    advances = quarter_advances(document) if has_periods(document) else None
    if advances is not None:  # SPEC 6.4: what the quarter held back (−) or released at a true-up (+)
        columns.append(("Held back / true-up", "advances"))
    shown = [key not in hidden for _, key in columns]
    for (name, _), show in zip(columns, shown):
        if show:
            table.add_column(name, justify="left" if name == "Quarter" else "right", no_wrap=True)
    for q in quarter_view(document):
        cells = [q["quarter"], str(q["csms"]), money(q["actual"], currency), money(q["proposed"], currency),
                 money(q["delta"], currency, sign=True)]
        cells += ([money(q["cash_delta"], currency, sign=True), percent(q["cash_delta_pct"])] if cash
                  else [percent(q["delta_pct"])])
        if advances is not None:
            cells.append(money(advances[q["quarter"]], currency, sign=True))
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


def render_side_by_side(document: dict, console: Console) -> None:
    document = printable_data(document)  # an ESC in a name must not reach the terminal
    labels = [p["label"] for p in document["plans"]]
    if document.get("data"):
        console.print(f"[dim]Data:[/] {escape(document['data'])}")
    summary = Table(title=f"Plans side by side, {replayed_span(document)}",
                    box=box.SIMPLE_HEAVY, title_justify="left")
    summary.add_column("")
    for label in ["actual", *labels]:
        summary.add_column(escape(label), justify="right")
    for measure, cells in summary_rows(document):
        summary.add_row(measure, *[escape(c) for c in cells],
                        style="bold" if measure in ("Total cost", CASH_LABEL) else None)
    console.print(summary)

    currency = document["currency"]
    for title, actual_key, proposed_key in matrices(document):
        matrix = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left")
        for name in ("CSM", "Name", "Segment", "actual", *labels):
            matrix.add_column(escape(name), justify="right" if name in ("actual", *labels) else "left",
                              no_wrap=True, **({"overflow": "ellipsis", "max_width": 22} if name == "Name" else {}))
        for csm in document["csms"]:
            matrix.add_row(escape(csm["csm_id"]), escape(str(csm["name"])), escape(str(csm["segment"])),
                           money(csm[actual_key], currency),
                           *[money(csm[proposed_key][label], currency) for label in labels])
        console.print(matrix)
    for warning in document["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


def render_sweep(document: dict, console: Console) -> None:
    document = printable_data(document)  # an ESC in a name must not reach the terminal
    title = (f"{escape(str(document['plan']))}: sweeping {escape(document['setting'])} over "
             f"{replayed_span(document)} (★ the plan's own value)")
    if document.get("data"):
        title += f"\nData: {escape(document['data'])}"
    if document.get("moves_base"):
        title += "\nVariable, Delta, Delta %: variable pay; Total cash = base + variable (the plan moves base)"
    table = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left")
    cash = bool(document.get("moves_base"))
    for header in sweep_headers(document):
        table.add_column(header, justify="left" if header in ("", "Top performers paid less") else "right")
    for row in document["rows"]:
        cells = sweep_cells(row, document["currency"], cash, sweep_floors(document))
        if row["plan_value"]:
            cells[0] = "★ " + cells[0]
        breaks = not row["error"] and bool(row["top_performers_paid_less"])
        table.add_row(*[escape(c) for c in cells], style="red" if row["error"] or breaks else
                      ("bold" if row["plan_value"] else None))
    console.print(table)
    for warning in document.get("warnings", []):
        console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


def render_simulation(document: dict, console: Console) -> None:
    document = printable_data(document)  # an ESC in a name must not reach the terminal
    currency = document["currency"]
    total = document["total"]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    if document.get("data"):
        grid.add_row("Data", escape(document["data"]))
    grid.add_row("Simulated", f"{document['runs']:,} runs of {horizon(document)} (seed {document['seed']})")
    grid.add_row("Drawn from", f"each CSM's own outcomes in {drawn_from(document)}")
    grid.add_row("Cost P5 / P50 / P95" + (" (variable)" if document.get("base") else ""),
                 f"{money(total['p5'], currency)} / {money(total['p50'], currency)} / {money(total['p95'], currency)}")
    if document.get("base"):
        grid.add_row("Base (not simulated)", base_line(document))
    if document["budget"] is not None:
        style = "bold red" if document["probability_over_budget"] > 0.05 else "green"
        grid.add_row("Over budget", f"[{style}]{document['probability_over_budget']:.1%}[/] of runs: "
                                    f"{budget_judged(document)} above {money(document['budget'], currency)}")
    console.print(Panel(grid, title=f"[bold]{escape(document['plan'])}[/]", title_align="left", expand=False))
    segments = Table(title="Cost by segment", box=box.SIMPLE_HEAVY, title_justify="left")
    for name in ("Segment", "P5", "P50", "P95"):
        segments.add_column(name, justify="left" if name == "Segment" else "right")
    for segment, points in document["by_segment"].items():
        segments.add_row(escape(segment), *[money(points[k], currency) for k in ("p5", "p50", "p95")])
    console.print(segments)
    csms = Table(title=f"Payout per CSM over {horizon(document)}", box=box.SIMPLE_HEAVY, title_justify="left")
    for name in ("CSM", "Name", "Segment", "TV / quarter", "Outcomes", "P10", "P50", "P90"):
        csms.add_column(name, justify="left" if name in ("CSM", "Name", "Segment") else "right")
    for csm in document["csms"]:
        csms.add_row(escape(csm["csm_id"]), escape(str(csm["name"])), escape(str(csm["segment"])),
                     money(csm["target_variable"], currency), str(csm["outcomes"]),
                     *[money(csm[k], currency) for k in ("p10", "p50", "p90")])
    console.print(csms)
    for warning in document["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


_RICH_STYLES = {"bold": "bold", "italic": "italic", "dim": "dim", "warning": "yellow"}


def _text(parts: tuple[Part, ...]) -> Text:
    # Text objects, not markup strings: a '[' in a name or a formula is printed as written.
    return Text.assemble(*((part[0], _RICH_STYLES[part[1]]) if isinstance(part, tuple) else part for part in parts))


def render_explanation(doc: dict, console: Console) -> None:
    """Print one CSM–quarter's explanation as a tree."""
    doc = printable_data(doc)  # an ESC in a name must not reach the terminal (OSC 52 writes the clipboard)
    def grow(branch: Tree, node: Node) -> None:
        for child in node.children:
            grow(branch.add(_text(child.parts)), child)

    root = explanation_tree(doc)
    tree = Tree(_text(root.parts))
    grow(tree, root)
    console.print(tree)


def _totals_table(document: dict) -> Table:
    """Lines, net and absolute differences per category: each column adds up to the last row."""
    # Here, not above: validate's table (--plan-only) renders through this module without pandas.
    from cscomp_cli.analyses.reconcile import CATEGORIES, UNEXPLAINED, cents_in_currency

    currency = document["currency"]
    summary = document["summary"]
    table = Table(box=box.SIMPLE_HEAVY, title="By category", title_justify="left")
    for name in ("Category", "Lines", "Net (paid − computed)", "Absolute differences"):
        table.add_column(name, justify="left" if name == "Category" else "right")
    for category in CATEGORIES:
        entry = summary["by_category"][category]
        table.add_row(category, f"{entry['lines']:,}", money(entry["net"], currency, sign=True),
                      money(entry["absolute"], currency),
                      style="red" if category == UNEXPLAINED and entry["lines"] else None)
    table.add_section()
    entries = summary["by_category"].values()
    absolute = cents_in_currency(sum(round(entry["absolute"] * 100) for entry in entries))
    table.add_row("all differences", f"{sum(entry['lines'] for entry in entries):,}",
                  money(summary["net_difference"], currency, sign=True), money(absolute, currency), style="bold")
    return table


def render_reconciliation(document: dict, console: Console) -> None:
    from cscomp_cli.analyses.reconcile import (
        UNEXPLAINED,  # not above: see _totals_table
    )

    document = printable_data(document)  # an ESC in a name must not reach the terminal
    currency = document["currency"]
    console.print(f"[bold]{escape(document['plan'])}[/] replayed over {replayed_span(document)}")
    style = "green" if not document["differing"] else ("yellow" if document["explained"] else "red")
    console.print(f"[bold {style}]Verdict:[/] {escape(document['verdict'])}", soft_wrap=True)
    if document["differing"]:
        table = Table(box=box.SIMPLE_HEAVY, title="CSM-quarters that differ (paid − computed)", title_justify="left")
        for name in ("Quarter", "CSM", "Name", "Component", "Computed", "Paid", "Difference", "Category"):
            table.add_column(name, justify="right" if name in ("Computed", "Paid", "Difference") else "left")
        for row in document["differing"]:
            for line in row["lines"]:
                table.add_row(row["quarter"], escape(row["csm_id"]), escape(str(row["name"])),
                              escape(line["component"]), money(line["computed"], currency),
                              money(line["paid"], currency), money(line["difference"], currency, sign=True),
                              line["category"], style="red" if line["category"] == UNEXPLAINED else None)
        console.print(table)
        console.print(_totals_table(document))
    for warning in document["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


def escape_text(text: str) -> str:
    """Plan, file and data text as written: no markup, no control character reaching the terminal."""
    return escape(printable(text))


def _share(value: float) -> str:
    return f"{round(value * 100, 9):.12g} %"


def pay_rules_lines(read: dict) -> list[str]:
    """validate's plan line continued: the period, floors and clawbacks read, in words."""
    lines = []
    if "period" in read:
        lines.append(f"goals measured over the {read['period']} to date, {_share(read['advance'])} of the pay earned "
                     f"advanced before its last quarter, a true-up below the advances "
                     f"{'taken back' if read['recover'] else 'forgiven'}")
    if "ramp" in read:
        ramp = read["ramp"]
        first = "quarter" if ramp["quarters"] == 1 else counted(ramp["quarters"], "quarter")
        lines.append(f"ramp: new CSMs paid at least {_share(ramp['floor'])} of their target variable in their first "
                     f"{first}")
    if "guarantee" in read:
        guarantee = read["guarantee"]
        quarters = guarantee["quarters"]
        which = (("the first replayed quarter" if quarters == 1 else f"the first {quarters} replayed quarters")
                 if isinstance(quarters, int) else ", ".join(map(str, quarters)))
        lines.append(f"guarantee: at least {_share(guarantee['floor'])} of what was actually paid, in {which}")
    for component, clawback in read.get("clawbacks", {}).items():
        before = "the quarter" if clawback["within"] == 1 else f"the {clawback['within']} quarters"
        lines.append(f"clawback on {component}: {_share(clawback['share'])} of the commission paid on an account in "
                     f"{before} before it churns comes back")
    return lines


def render_validation(found: Validation, plan: str, data: str | None, console: Console) -> None:
    checked = found.checked
    console.print(f"[bold]Plan[/]  {escape_text(plan)}" + (
        f": {escape_text(checked['plan']['name'])} ({counted(checked['plan']['components'], 'component')}, "
        f"{counted(checked['plan']['modifiers'], 'modifier')})" if "plan" in checked else ""))
    for line in pay_rules_lines(checked.get("plan", {})):
        console.print(f"      {escape_text(line)}", soft_wrap=True)
    files = [(f"{name.removesuffix('.csv')} from {info['from']}" if "from" in info else name)
             + f" {counted(info['rows'], 'row')}" + (
        f" ({info['quarters']}, {info['csms']} CSMs)" if "quarters" in info else "")
        for name, info in checked.items() if name.endswith(".csv")]
    if data is None:
        console.print("[bold]Data[/]  not read (--plan-only): run validate without it to check the data and the fit")
    else:
        console.print(f"[bold]Data[/]  {escape_text(data)}" + (": " + escape_text(", ".join(files)) if files else ""))
    for name, info in checked.items():
        if info.get("left_out"):
            # Rows a data map's filter leaves out are never checked: say which, so a new earnings code
            # or job profile is seen rather than silently dropped.
            shown = ", ".join(f"{value} ×{count:,}" for value, count in list(info["left_out"].items())[:8])
            more = " …" if len(info["left_out"]) > 8 else ""
            console.print(f"      {escape_text(name.removesuffix('.csv'))}: the map's rows filter left out "
                          f"{escape_text(shown)}{more}", soft_wrap=True)
    if "replay" in checked:
        replayed = checked["replay"]
        console.print(f"[bold]Fit[/]   replayed {counted(replayed['quarters'], 'quarter')}, "
                      f"{counted(replayed['csm_quarters'], 'CSM-quarter')}")
    _section(console, found.errors, "error", "red")
    _section(console, found.warnings, "warning", "yellow")
    console.print()
    if found.ok:
        console.print(f"[bold green]OK[/]: no errors, {counted(len(found.warnings), 'warning')}.")
    else:
        console.print(f"[bold red]{counted(len(found.errors), 'error')}[/], {counted(len(found.warnings), 'warning')}: "
                      "fix the errors before running stress-test.")


def _section(console: Console, problems: list[Problem], kind: str, colour: str) -> None:
    if not problems:
        return
    console.print()
    console.print(f"[bold {colour}]{counted(len(problems), kind).capitalize()}[/]")
    for number, problem in enumerate(problems, 1):
        where = ", ".join(part for part in (problem.file, problem.location) if part)
        console.print(f"  {number}. " + escape_text(f"{where}: {problem.message}" if where else problem.message),
                      soft_wrap=True)
        if problem.hint:
            console.print(f"     [dim]hint: {escape_text(problem.hint)}[/]", soft_wrap=True)


def plan_diff_text(result: Result) -> str:
    """plan-diff as a unified-diff-like listing, one line per changed key; plain text, not drawn by rich."""
    document = result.document
    lines = [f"--- {document['from']}", f"+++ {document['to']}"]
    show = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    for change in document["changes"]:
        if change["change"] == "added":
            lines.append(f"+ {change['path']}: {show(change['after'])}")
        elif change["change"] == "removed":
            lines.append(f"- {change['path']}: {show(change['before'])}")
        else:
            lines.append(f"~ {change['path']}: {show(change['before'])} → {show(change['after'])}")
        if change.get("words"):
            lines.append(f"    {change['words']}")
    if not document["changes"]:
        lines.append("(no differences: the plans pay the same way)")
    return "\n".join(map(printable, lines)) + "\n"  # no ESC from a plan reaches the terminal


RENDERERS = {
    Kind.stress_test: lambda result, console: render_table(result.document, console),
    Kind.compare: lambda result, console: render_side_by_side(result.document, console),
    Kind.sweep: lambda result, console: render_sweep(result.document, console),
    Kind.simulate: lambda result, console: render_simulation(result.document, console),
    Kind.explain: lambda result, console: render_explanation(result.document, console),
    Kind.reconcile: lambda result, console: render_reconciliation(result.document, console),
    Kind.validate: lambda result, console: render_validation(result.facts, result.document["plan"],
                                                             result.document["data"], console),
}
# Results whose terminal form is plain text written as is, never through rich (which would wrap or style it).
PLAIN_TEXT = {Kind.plan_diff: plan_diff_text}
