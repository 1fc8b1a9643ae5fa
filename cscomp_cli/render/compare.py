"""`cscomp compare` output: plans as columns against actuals, then the per-CSM payout matrix."""

from __future__ import annotations

import csv
import io

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .machine import protect
from .views import correlation, money, percent


def summary_rows(document: dict) -> list[tuple[str, list[str]]]:
    """(measure, [actual, plan 1, plan 2, …]) as display strings, shared by table and Markdown."""
    currency = document["currency"]
    actual = document["actual"]
    plans = document["plans"]
    share = lambda v: "—" if v is None else f"{v:.2f} %"  # noqa: E731
    rows = [
        ("Plan", ["actually paid"] + [p["plan"] for p in plans]),
        ("Total cost", [money(actual["total"], currency)] + [money(p["proposed_total"], currency) for p in plans]),
        ("Delta vs actual", ["—"] + [f"{money(p['delta'], currency, sign=True)} ({percent(p['delta_pct'])})"
                                     for p in plans]),
    ]
    for segment in actual["cost_by_segment"]:
        rows.append((f"Cost, {segment}", [money(actual["cost_by_segment"][segment], currency)]
                     + [money(p["cost_by_segment"][segment], currency) for p in plans]))
    rows += [
        ("CSMs paid more / less", ["—"] + [f"{p['paid_more']} / {p['paid_less']}" for p in plans]),
        ("Top performers paid less", ["—"] + [
            f"{len(p['top_performers_paid_less'])} of {len(p['top_performers'])}"
            + (f": {', '.join(p['top_performers_paid_less'])}" if p["top_performers_paid_less"] else "")
            for p in plans]),
        ("Pay–performance (Spearman)", [correlation(actual["pay_performance_correlation"])]
         + [correlation(p["pay_performance_correlation"]) for p in plans]),
        ("Cost as % of retained ARR", [share(actual["cost_pct_of_retained_arr"])]
         + [share(p["cost_pct_of_retained_arr"]) for p in plans]),
    ]
    return rows


def render_side_by_side(document: dict, console: Console) -> None:
    quarters = document["quarters"]
    labels = [p["label"] for p in document["plans"]]
    summary = Table(title=f"Plans side by side, {quarters[0]}–{quarters[-1]} ({len(quarters)} quarters)",
                    box=box.SIMPLE_HEAVY, title_justify="left")
    summary.add_column("")
    for label in ["actual", *labels]:
        summary.add_column(escape(label), justify="right")
    for measure, cells in summary_rows(document):
        summary.add_row(measure, *[escape(c) for c in cells], style="bold" if measure == "Total cost" else None)
    console.print(summary)

    currency = document["currency"]
    matrix = Table(title="Payout per CSM over the period", box=box.SIMPLE_HEAVY, title_justify="left")
    for name in ("CSM", "Name", "Segment", "actual", *labels):
        matrix.add_column(escape(name), justify="right" if name in ("actual", *labels) else "left",
                          no_wrap=True)
    for csm in document["csms"]:
        matrix.add_row(escape(csm["csm_id"]), escape(str(csm["name"])), escape(str(csm["segment"])),
                       money(csm["actual"], currency),
                       *[money(csm["proposed"][label], currency) for label in labels])
    console.print(matrix)
    for warning in document["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


def side_by_side_csv(document: dict) -> str:
    """The per-CSM matrix: one row per CSM, actual then each plan's proposed payout."""
    labels = [p["label"] for p in document["plans"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["csm_id", "name", "segment", "actual", *labels])
    for csm in document["csms"]:
        writer.writerow([protect(csm["csm_id"]), protect(str(csm["name"])), protect(str(csm["segment"])),
                         f"{csm['actual']:.2f}", *[f"{csm['proposed'][label]:.2f}" for label in labels]])
    return buffer.getvalue()


def side_by_side_markdown(document: dict) -> str:
    labels = [p["label"] for p in document["plans"]]
    quarters = document["quarters"]
    lines = [f"# Plans side by side, {quarters[0]}–{quarters[-1]}", "",
             "| | actual | " + " | ".join(labels) + " |", "|---|" + "---:|" * (len(labels) + 1)]
    for measure, cells in summary_rows(document):
        lines.append(f"| {measure} | " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "## Payout per CSM", "", "| CSM | Name | Segment | actual | " + " | ".join(labels) + " |",
              "|---|---|---|" + "---:|" * (len(labels) + 1)]
    currency = document["currency"]
    for csm in document["csms"]:
        lines.append(f"| {csm['csm_id']} | {csm['name']} | {csm['segment']} | {money(csm['actual'], currency)} | "
                     + " | ".join(money(csm["proposed"][label], currency) for label in labels) + " |")
    if document["warnings"]:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in document["warnings"]]
    return "\n".join(lines) + "\n"
