"""The reconcile report: a verdict line, then every CSM–quarter that differs, line by line."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cscomp_cli.core.rounding import cents_to_amount
from cscomp_cli.analyses.reconcile import CATEGORIES, UNEXPLAINED, Reconciliation
from cscomp_cli.core.text import printable_data
from cscomp_cli.render.machine import csv_text
from cscomp_cli.render.views import money


def _amount(cents) -> float:
    return float(cents_to_amount(int(cents)))


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def verdict(found: Reconciliation) -> str:
    """One line a leader can quote: how many CSM-quarters match, and where the rest went.

    Nets are compared only with nets (net difference = outside the plan + unexplained); the
    unexplained lines' absolute differences are named as such, since over- and underpayments
    can cancel in a net.
    """
    currency = found.replay.plan.currency
    head = f"reproduces {found.reproduced:,} of {found.csm_quarters:,} CSM-quarters to the cent"
    differ = len(found.differing)
    if not differ:
        return head
    net = money(_amount(found.net_difference_cents), currency, sign=True)
    text = f"{head}; {differ:,} differ{'s' if differ == 1 else ''} by a net {net} (paid − computed)"
    outside = found.outside_plan()
    where = f"component{'s' if len(outside) > 1 else ''} outside the plan"
    listed = ", ".join(f"{name} {money(_amount(cents), currency, sign=True)}" for name, cents in outside.items())
    unexplained = (f"{money(_amount(found.unexplained_cents), currency, sign=True)} unexplained on "
                   f"{_plural(found.unexplained_lines, 'line')} (absolute differences "
                   f"{money(_amount(found.unexplained_absolute_cents), currency)})")
    if found.explained:
        return f"{text}, all of it in {where}: {listed}"
    if outside:
        return (f"{text}: {money(_amount(found.outside_plan_cents), currency, sign=True)} in {where} ({listed})"
                f" and {unexplained}")
    return f"{text}, none of it in a component outside the plan: {unexplained}"


def reconciliation_document(found: Reconciliation) -> dict:
    """The JSON form: verdict, the figures it quotes, and every differing CSM–quarter with its lines."""
    groups = {key: group for key, group in found.lines.groupby(["quarter", "csm_id"], sort=False)}
    differing = []
    for row in found.differing.itertuples(index=False):
        group = groups.get((row.quarter, row.csm_id))
        differing.append({
            "quarter": row.quarter, "csm_id": row.csm_id, "name": row.name,
            "computed": _amount(row.computed_cents), "paid": _amount(row.paid_cents),
            "difference": _amount(row.difference_cents), "outside_plan": _amount(row.outside_plan_cents),
            "unexplained": _amount(row.unexplained_cents),
            "lines": [] if group is None else [
                {"component": line.component, "category": line.category,
                 "computed": _amount(line.computed_cents), "paid": _amount(line.paid_cents),
                 "difference": _amount(line.difference_cents)}
                for line in group.itertuples(index=False)],
        })
    return {
        "plan": found.replay.plan.name,
        "currency": found.replay.plan.currency,
        "quarters": found.replay.quarters,
        "verdict": verdict(found),
        "explained": found.explained,
        "csm_quarters": found.csm_quarters,
        "reproduced": found.reproduced,
        "summary": {
            "net_difference": _amount(found.net_difference_cents),
            "by_category": {category: {"lines": entry["lines"], "net": _amount(entry["net_cents"]),
                                       "absolute": _amount(entry["absolute_cents"])}
                            for category, entry in found.totals().items()},
            "outside_plan": {name: _amount(cents) for name, cents in found.outside_plan().items()},
        },
        "differing": differing,
        "warnings": [*found.replay.warnings, *found.warnings()],  # the replay's first: a misread export
    }


def reconciliation_csv(document: dict) -> str:
    """One row per differing payout line with its category, for a spreadsheet."""
    rows = [["quarter", "csm_id", "name", "component", "category", "computed", "paid", "difference"]]
    for row in document["differing"]:
        for line in row["lines"]:
            rows.append([row["quarter"], row["csm_id"], str(row["name"]), line["component"], line["category"],
                         f"{line['computed']:.2f}", f"{line['paid']:.2f}", f"{line['difference']:.2f}"])
    return csv_text(rows)


def _totals_table(document: dict) -> Table:
    """Lines, net and absolute differences per category: each column adds up to the last row."""
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
    absolute = _amount(sum(round(entry["absolute"] * 100) for entry in entries))
    table.add_row("all differences", f"{sum(entry['lines'] for entry in entries):,}",
                  money(summary["net_difference"], currency, sign=True), money(absolute, currency), style="bold")
    return table


def render_reconciliation(document: dict, console: Console) -> None:
    document = printable_data(document)  # an ESC in a name must not reach the terminal
    currency = document["currency"]
    quarters = document["quarters"]
    span = quarters[0] if len(quarters) == 1 else f"{quarters[0]}–{quarters[-1]}"
    console.print(f"[bold]{escape(document['plan'])}[/] replayed over {span}")
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
