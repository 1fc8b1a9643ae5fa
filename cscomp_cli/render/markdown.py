"""The report as GitHub Markdown: to paste into a doc, a ticket or a pull request."""

from __future__ import annotations

from cscomp_cli.core.text import printable, printable_data
from cscomp_cli.render.document import shock_labels
from cscomp_cli.render.views import (summary_cell, cash_summary, correlation, csm_view, data_line, money, moves_base, paid_less, percent,
                    performance, performance_heading, performance_label, quarter_view, top_view)

# Backslash escapes for what would end a table cell or start code, a link or an image; entities for
# what would start raw HTML (which GitHub and most viewers would otherwise pass through).
_MARKDOWN = {"\\": "\\\\", "|": "\\|", "`": "\\`", "[": "\\[", "]": "\\]", "&": "&amp;", "<": "&lt;",
             ">": "&gt;", "\n": " "}
_MARKDOWN_TABLE = str.maketrans(_MARKDOWN)


def markdown_text(value) -> str:
    """Text from a plan or an export, safe in a Markdown table cell, heading or list item."""
    return printable(str(value).translate(_MARKDOWN_TABLE))


_cell = markdown_text


def markdown_table(header: list[str], rows: list[list], right: set[int]) -> list[str]:
    """A GitHub table, every cell escaped (``right``: the columns aligned right)."""
    def line(cells: list) -> str:
        return "|" + "|".join(f" {text} " if text else " " for text in map(_cell, cells)) + "|"

    return [line(header), "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|",
            *map(line, rows)]


_table = markdown_table


def to_markdown(document: dict) -> str:
    """The summary, CSM, quarter and top-performer tables, and the warnings."""
    document = printable_data(document)
    currency = document["currency"]
    s = document["summary"]
    quarters = document["quarters"]
    r = s["pay_performance_correlation"]
    cash = moves_base(document)
    variable = " (variable)" if cash else ""
    c = cash_summary(document) if cash else {}
    lines = [f"# {_cell(document['plan'])}", ""]
    items = [
        *([f"Data: {data_line(document)}"] if data_line(document) else []),
        f"Replayed: {quarters[0]}–{quarters[-1]} ({len(quarters)} quarters)" if quarters else "Replayed: none",
        *([f"Shocks: {shock_labels(document)}"] if shock_labels(document) else []),
        f"Actually paid{variable}: {money(s['actual_total'], currency)}",
        f"Proposed plan{variable}: {money(s['proposed_total'], currency)}",
        f"Difference{variable}: {money(s['delta'], currency, sign=True)} ({percent(s['delta_pct'])})",
        *([f"Base: {money(c['actual_base'], currency)} → {money(c['base'], currency)} "
           f"({money(c['base_delta'], currency, sign=True)})",
           f"Total cash (base + variable): {money(c['actual_cash'], currency)} → "
           f"{money(c['proposed_cash'], currency)}",
           f"Cash difference: {money(c['cash_delta'], currency, sign=True)} ({percent(c['cash_delta_pct'])})"]
          if cash else []),
        f"CSMs: {s['csms']} ({s['paid_more']} paid more, {s['paid_less']} paid less"
        + (" in total cash)" if cash else ")"),
        f"Top performers paid less: {', '.join(s['top_performers_paid_less']) or 'none'}"
        f" (of {len(s['top_performers'])})",
        f"Pay–performance correlation (Spearman): {correlation(r['actual'])} today → "
        f"{correlation(r['proposed'])} proposed",
    ]
    # Every summary line is escaped whole: names, the data folder and the currency are in them.
    lines += [f"- {_cell(item)}" for item in items]
    lines += [
        "",
        "## CSMs by change in " + ("total cash" if cash else "pay") + ", worst off first",
        "",
        "★ top performer, ▼ top performer paid less."
        + (" Actual, Proposed and Delta are variable pay; Cash Δ is base + variable." if cash else ""),
        "",
    ]
    view = csm_view(document)
    columns = list(view[0]["components"]) if view else []
    header = ["CSM", "Name", "Segment"]
    header += [f"{cid} ({view[0]['components'][cid][0]})" for cid in columns]
    header += ["Actual", "Proposed", "Delta", "Delta %"] + (["Cash Δ", "Cash Δ %"] if cash else [])
    rows = []
    for csm in view:
        marker = "▼ " if csm["top_paid_less"] else ("★ " if csm["top_performer"] else "")
        row = [marker + csm["csm_id"], csm["name"], csm["segment"]]
        for cid in columns:
            kind, value = csm["components"][cid]
            row.append(summary_cell(kind, value, currency))
        row += [money(csm["actual"], currency), money(csm["proposed"], currency),
                money(csm["delta"], currency, sign=True), percent(csm["delta_pct"])]
        if cash:
            row += [money(csm["cash_delta"], currency, sign=True), percent(csm["cash_delta_pct"])]
        rows.append(row)
    lines += _table(header, rows, set(range(3, len(header))))
    lines += ["", "## By quarter", ""]
    cash_cells = (lambda q: [money(q["cash_delta"], currency, sign=True), percent(q["cash_delta_pct"])]) if cash \
        else (lambda q: [])
    lines += _table(["Quarter", "CSMs", "Actual", "Proposed", "Delta", "Delta %"] + (["Cash Δ", "Cash Δ %"] if cash else []),
                    [[q["quarter"], q["csms"], money(q["actual"], currency), money(q["proposed"], currency),
                      money(q["delta"], currency, sign=True), percent(q["delta_pct"]), *cash_cells(q)]
                     for q in quarter_view(document)],
                    set(range(1, 8)))
    lines += ["", "## Top performers", "", f"Ranked by {_cell(performance_label(document))}.", ""]
    lines += _table(["#", "CSM", "Name", performance_heading(document), "Delta"] + (["Cash Δ"] if cash else []),
                    [[i, ("▼ " if paid_less(c) else "") + c["csm_id"], c["name"], performance(c["performance"]),
                      money(c["delta"], currency, sign=True),
                      *([money(c["cash_delta"], currency, sign=True)] if cash else [])]
                     for i, c in enumerate(top_view(document), 1)],
                    {0, 3, 4, 5})
    if document["warnings"]:
        lines += ["", "## Warnings", ""] + [f"- {_cell(w)}" for w in document["warnings"]]
    return "\n".join(lines) + "\n"
