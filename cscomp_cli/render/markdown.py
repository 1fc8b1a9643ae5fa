"""The report as GitHub Markdown: to paste into a doc, a ticket or a pull request."""

from __future__ import annotations

from .document import shock_labels
from .views import correlation, csm_view, money, percent, performance, quarter_view, top_view


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
    lines = [f"# {_cell(document['plan'])}", ""]
    lines += [
        f"- Replayed: {quarters[0]}–{quarters[-1]} ({len(quarters)} quarters)" if quarters else "- Replayed: none",
        *([f"- Shocks: {shock_labels(document)}"] if shock_labels(document) else []),
        f"- Actually paid: {money(s['actual_total'], currency)}",
        f"- Proposed plan: {money(s['proposed_total'], currency)}",
        f"- Difference: {money(s['delta'], currency, sign=True)} ({percent(s['delta_pct'])})",
        f"- CSMs: {s['csms']} ({s['paid_more']} paid more, {s['paid_less']} paid less)",
        f"- Top performers paid less: {', '.join(s['top_performers_paid_less']) or 'none'}"
        f" (of {len(s['top_performers'])})",
        f"- Pay–performance correlation (Spearman): {correlation(r['actual'])} today → "
        f"{correlation(r['proposed'])} proposed",
        "",
        "## CSMs, who loses most first",
        "",
        "★ top performer, ▼ top performer paid less.",
        "",
    ]
    view = csm_view(document)
    columns = list(view[0]["components"]) if view else []
    header = ["CSM", "Name", "Segment"]
    header += [f"{cid} ({'attainment' if view[0]['components'][cid][0] == 'attainment' else 'commission'})"
               for cid in columns]
    header += ["Actual", "Proposed", "Delta", "Delta %"]
    rows = []
    for csm in view:
        marker = "▼ " if csm["top_paid_less"] else ("★ " if csm["top_performer"] else "")
        row = [marker + csm["csm_id"], csm["name"], csm["segment"]]
        for cid in columns:
            kind, value = csm["components"][cid]
            row.append(percent(value, sign=False) if kind == "attainment" else money(value, currency))
        row += [money(csm["actual"], currency), money(csm["proposed"], currency),
                money(csm["delta"], currency, sign=True), percent(csm["delta_pct"])]
        rows.append(row)
    lines += _table(header, rows, set(range(3, len(header))))
    lines += ["", "## By quarter", ""]
    lines += _table(["Quarter", "CSMs", "Actual", "Proposed", "Delta", "Delta %"],
                    [[q["quarter"], q["csms"], money(q["actual"], currency), money(q["proposed"], currency),
                      money(q["delta"], currency, sign=True), percent(q["delta_pct"])] for q in quarter_view(document)],
                    {1, 2, 3, 4, 5})
    lines += ["", "## Top performers", ""]
    lines += _table(["#", "CSM", "Name", "Performance", "Delta"],
                    [[i, c["csm_id"], c["name"], performance(c["performance"]),
                      money(c["delta"], currency, sign=True)] for i, c in enumerate(top_view(document), 1)],
                    {0, 3, 4})
    if document["warnings"]:
        lines += ["", "## Warnings", ""] + [f"- {_cell(w)}" for w in document["warnings"]]
    return "\n".join(lines) + "\n"
