"""The report as GitHub Markdown: to paste into a doc, a ticket or a pull request."""

from __future__ import annotations

from .document import shock_labels
from .views import (cash_summary, correlation, csm_view, data_line, money, moves_base, paid_less, percent,
                    performance, quarter_view, top_view)


def _cell(value) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list], right: set[int]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def to_markdown(document: dict) -> str:
    """The summary, CSM, quarter and top-performer tables, and the warnings."""
    currency = document["currency"]
    s = document["summary"]
    quarters = document["quarters"]
    r = s["pay_performance_correlation"]
    cash = moves_base(document)
    variable = " (variable)" if cash else ""
    c = cash_summary(document) if cash else {}
    lines = [f"# {_cell(document['plan'])}", ""]
    lines += [
        *([f"- Data: {_cell(data_line(document))}"] if data_line(document) else []),
        f"- Replayed: {quarters[0]}–{quarters[-1]} ({len(quarters)} quarters)" if quarters else "- Replayed: none",
        *([f"- Shocks: {shock_labels(document)}"] if shock_labels(document) else []),
        f"- Actually paid{variable}: {money(s['actual_total'], currency)}",
        f"- Proposed plan{variable}: {money(s['proposed_total'], currency)}",
        f"- Difference{variable}: {money(s['delta'], currency, sign=True)} ({percent(s['delta_pct'])})",
        *([f"- Base: {money(c['actual_base'], currency)} → {money(c['base'], currency)} "
           f"({money(c['base_delta'], currency, sign=True)})",
           f"- Total cash (base + variable): {money(c['actual_cash'], currency)} → "
           f"{money(c['proposed_cash'], currency)}",
           f"- Cash difference: {money(c['cash_delta'], currency, sign=True)} ({percent(c['cash_delta_pct'])})"]
          if cash else []),
        f"- CSMs: {s['csms']} ({s['paid_more']} paid more, {s['paid_less']} paid less"
        + (" in total cash)" if cash else ")"),
        f"- Top performers paid less: {', '.join(s['top_performers_paid_less']) or 'none'}"
        f" (of {len(s['top_performers'])})",
        f"- Pay–performance correlation (Spearman): {correlation(r['actual'])} today → "
        f"{correlation(r['proposed'])} proposed",
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
    header += [f"{cid} ({'attainment' if view[0]['components'][cid][0] == 'attainment' else 'commission'})"
               for cid in columns]
    header += ["Actual", "Proposed", "Delta", "Delta %"] + (["Cash Δ", "Cash Δ %"] if cash else [])
    rows = []
    for csm in view:
        marker = "▼ " if csm["top_paid_less"] else ("★ " if csm["top_performer"] else "")
        row = [marker + csm["csm_id"], csm["name"], csm["segment"]]
        for cid in columns:
            kind, value = csm["components"][cid]
            row.append(percent(value, sign=False) if kind == "attainment" else money(value, currency))
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
    lines += ["", "## Top performers", ""]
    lines += _table(["#", "CSM", "Name", "Performance", "Delta"] + (["Cash Δ"] if cash else []),
                    [[i, ("▼ " if paid_less(c) else "") + c["csm_id"], c["name"], performance(c["performance"]),
                      money(c["delta"], currency, sign=True),
                      *([money(c["cash_delta"], currency, sign=True)] if cash else [])]
                     for i, c in enumerate(top_view(document), 1)],
                    {0, 3, 4, 5})
    if document["warnings"]:
        lines += ["", "## Warnings", ""] + [f"- {_cell(w)}" for w in document["warnings"]]
    return "\n".join(lines) + "\n"
