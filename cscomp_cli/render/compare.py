"""`cscomp compare` output: plans as columns against actuals, then the per-CSM payout matrix."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cscomp_cli.core.text import printable_data
from cscomp_cli.render.machine import csv_text
from cscomp_cli.render.markdown import markdown_table, markdown_text
from cscomp_cli.render.views import correlation, money, percent


COST_LABEL = {False: "Total cost", True: "Variable cost"}
CASH_LABEL = "Total cash (base + variable)"


def summary_rows(document: dict) -> list[tuple[str, list[str]]]:
    """(measure, [actual, plan 1, plan 2, …]) as display strings, shared by table and Markdown."""
    currency = document["currency"]
    actual = document["actual"]
    plans = document["plans"]
    share = lambda v: "—" if v is None else f"{v:.2f} %"  # noqa: E731
    cash = document.get("moves_base", False)
    rows = [
        ("Plan", ["actually paid"] + [p["plan"] for p in plans]),
        (COST_LABEL[cash], [money(actual["total"], currency)] + [money(p["proposed_total"], currency) for p in plans]),
        ("Delta vs actual" + (" (variable)" if cash else ""),
         ["—"] + [f"{money(p['delta'], currency, sign=True)} ({percent(p['delta_pct'])})" for p in plans]),
    ]
    if cash:
        # A plan that moves base (a pay_mix) changes what CSMs take home beyond variable pay.
        rows += [
            ("Base", [money(actual["base_total"], currency)] + [money(p["base_total"], currency) for p in plans]),
            (CASH_LABEL, [money(actual["cash_total"], currency)]
             + [money(p["proposed_cash_total"], currency) for p in plans]),
            ("Cash delta vs actual", ["—"] + [f"{money(p['cash_delta'], currency, sign=True)} "
                                              f"({percent(p['cash_delta_pct'])})" for p in plans]),
        ]
    for segment in actual["cost_by_segment"]:
        rows.append((f"{'Variable cost' if cash else 'Cost'}, {segment}", [money(actual["cost_by_segment"][segment], currency)]
                     + [money(p["cost_by_segment"][segment], currency) for p in plans]))
    rows += [
        ("CSMs paid more / less" + (" (total cash)" if cash else ""),
         ["—"] + [f"{p['paid_more']} / {p['paid_less']}" for p in plans]),
        ("Top performers by", ["—"] + [p.get("performance_measure", "") for p in plans]),
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
    document = printable_data(document)  # an ESC in a name must not reach the terminal
    quarters = document["quarters"]
    labels = [p["label"] for p in document["plans"]]
    if document.get("data"):
        console.print(f"[dim]Data:[/] {escape(document['data'])}")
    summary = Table(title=f"Plans side by side, {quarters[0]}–{quarters[-1]} ({len(quarters)} quarters)",
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


def matrices(document: dict) -> list[tuple[str, str, str]]:
    """(title, actual key, proposed key) of the per-CSM matrices: variable pay, and total cash when
    a plan moves base."""
    if not document.get("moves_base"):
        return [("Payout per CSM over the period", "actual", "proposed")]
    return [("Variable pay per CSM over the period", "actual", "proposed"),
            ("Total cash (base + variable) per CSM over the period", "actual_cash", "proposed_cash")]


def side_by_side_csv(document: dict) -> str:
    """The per-CSM matrix: one row per CSM, actual then each plan's proposed payout; when a plan
    moves base, total cash columns (actual_cash, then <plan>_cash) follow."""
    labels = [p["label"] for p in document["plans"]]
    cash = bool(document.get("moves_base"))
    rows = [["csm_id", "name", "segment", "actual", *labels]
            + (["actual_cash", *[f"{label}_cash" for label in labels]] if cash else [])]
    for csm in document["csms"]:
        cells = [csm["csm_id"], str(csm["name"]), str(csm["segment"]),
                 f"{csm['actual']:.2f}", *[f"{csm['proposed'][label]:.2f}" for label in labels]]
        if cash:
            cells += [f"{csm['actual_cash']:.2f}", *[f"{csm['proposed_cash'][label]:.2f}" for label in labels]]
        rows.append(cells)
    return csv_text(rows)


def side_by_side_markdown(document: dict) -> str:
    document = printable_data(document)
    labels = [p["label"] for p in document["plans"]]
    quarters = document["quarters"]
    lines = [f"# Plans side by side, {quarters[0]}–{quarters[-1]}", ""]
    if document.get("data"):
        lines += [f"Data: {markdown_text(document['data'])}", ""]
    lines += markdown_table(["", "actual", *labels], [[measure, *cells] for measure, cells in summary_rows(document)],
                            set(range(1, len(labels) + 2)))
    currency = document["currency"]
    for title, actual_key, proposed_key in matrices(document):
        heading = "Payout per CSM" if title.startswith("Payout") else title.removesuffix(" over the period")
        lines += ["", f"## {heading}", ""]
        lines += markdown_table(["CSM", "Name", "Segment", "actual", *labels],
                                [[csm["csm_id"], csm["name"], csm["segment"], money(csm[actual_key], currency),
                                  *(money(csm[proposed_key][label], currency) for label in labels)]
                                 for csm in document["csms"]], set(range(3, len(labels) + 4)))
    if document["warnings"]:
        lines += ["", "## Warnings", ""] + [f"- {markdown_text(w)}" for w in document["warnings"]]
    return "\n".join(lines) + "\n"
