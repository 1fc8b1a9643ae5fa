"""The reconcile report: a verdict line, then every CSM–quarter that differs, line by line."""

from __future__ import annotations

import csv
import io

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..numbers import cents_to_amount
from ..reconcile import Reconciliation
from .machine import protect
from .views import money


def _amount(cents) -> float:
    return float(cents_to_amount(int(cents)))


def verdict(found: Reconciliation) -> str:
    """One line a leader can quote: how many CSM-quarters match, and where the rest went."""
    currency = found.replay.plan.currency
    head = f"reproduces {found.reproduced:,} of {found.csm_quarters:,} CSM-quarters to the cent"
    differ = len(found.differing)
    if not differ:
        return head
    gap = _amount(found.differing["difference_cents"].abs().sum())
    text = f"{head}; {differ:,} differ{'s' if differ == 1 else ''} by {money(gap, currency)} in total"
    outside = found.outside_plan()
    unexplained = _amount(found.unexplained_cents)
    listed = ", ".join(f"{name} {money(_amount(cents), currency, sign=True)}" for name, cents in outside.items())
    if outside and not found.unexplained_cents:
        return text + f", all in component{'s' if len(outside) > 1 else ''} outside the plan: {listed}"
    if outside:
        return text + f": {money(unexplained, currency)} unexplained; outside the plan: {listed}"
    return text + ", none of it explained by a payment outside the plan"


def reconciliation_document(found: Reconciliation) -> dict:
    """The JSON form: verdict, counts, and every differing CSM–quarter with its payout lines."""
    groups = {key: group for key, group in found.lines.groupby(["quarter", "csm_id"], sort=False)}
    differing = []
    for row in found.differing.itertuples(index=False):
        group = groups.get((row.quarter, row.csm_id))
        differing.append({
            "quarter": row.quarter, "csm_id": row.csm_id, "name": row.name,
            "computed": _amount(row.computed_cents), "paid": _amount(row.paid_cents),
            "difference": _amount(row.difference_cents), "explained": _amount(row.explained_cents),
            "unexplained": _amount(row.unexplained_cents),
            "lines": [] if group is None else [
                {"component": line.component, "outside_plan": bool(line.outside_plan),
                 "computed": _amount(line.computed_cents), "paid": _amount(line.paid_cents),
                 "difference": _amount(line.difference_cents)}
                for line in group.itertuples(index=False)],
        })
    return {
        "plan": found.replay.plan.name,
        "currency": found.replay.plan.currency,
        "quarters": found.replay.quarters,
        "verdict": verdict(found),
        "csm_quarters": found.csm_quarters,
        "reproduced": found.reproduced,
        "differing": differing,
        "outside_plan": {name: _amount(cents) for name, cents in found.outside_plan().items()},
        "unexplained_total": _amount(found.unexplained_cents),
        "warnings": [*found.replay.warnings, *found.warnings()],  # the replay's first: a misread export
    }


def reconciliation_csv(document: dict) -> str:
    """One row per differing CSM–quarter and payout line, for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["quarter", "csm_id", "name", "component", "outside_plan", "computed", "paid", "difference"])
    for row in document["differing"]:
        for line in row["lines"]:
            writer.writerow([row["quarter"], protect(row["csm_id"]), protect(row["name"]), protect(line["component"]),
                             "yes" if line["outside_plan"] else "no", f"{line['computed']:.2f}",
                             f"{line['paid']:.2f}", f"{line['difference']:.2f}"])
    return buffer.getvalue()


def render_reconciliation(document: dict, console: Console) -> None:
    currency = document["currency"]
    quarters = document["quarters"]
    span = quarters[0] if len(quarters) == 1 else f"{quarters[0]}–{quarters[-1]}"
    console.print(f"[bold]{escape(document['plan'])}[/] replayed over {span}")
    style = "green" if not document["differing"] else ("yellow" if not document["unexplained_total"] else "red")
    console.print(f"[bold {style}]Verdict:[/] {escape(document['verdict'])}", soft_wrap=True)
    if document["differing"]:
        table = Table(box=box.SIMPLE_HEAVY, title="CSM-quarters that differ (paid − computed)", title_justify="left")
        for name in ("Quarter", "CSM", "Name", "Component", "Computed", "Paid", "Difference", ""):
            table.add_column(name, justify="right" if name in ("Computed", "Paid", "Difference") else "left")
        for row in document["differing"]:
            for line in row["lines"]:
                note = "outside the plan" if line["outside_plan"] else "unexplained"
                table.add_row(row["quarter"], escape(row["csm_id"]), escape(str(row["name"])),
                              escape(line["component"]), money(line["computed"], currency),
                              money(line["paid"], currency), money(line["difference"], currency, sign=True),
                              note, style=None if line["outside_plan"] else "red")
        console.print(table)
    for warning in document["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
