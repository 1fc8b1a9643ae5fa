"""GitHub Markdown, to paste into a doc, a ticket or a pull request: the stress test's report and each
other kind of result, every cell and line escaped."""

from __future__ import annotations

import re

from cscomp_cli.analyses.result import Kind
from cscomp_cli.core.formatting import money, percent
from cscomp_cli.core.text import printable, printable_data
from cscomp_cli.render.explain_tree import Node, Part, explanation_tree
from cscomp_cli.render.views import (
    SUMMARY_LABELS,
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
    r = s["pay_performance_correlation"]
    cash = moves_base(document)
    variable = " (variable)" if cash else ""
    c = cash_summary(document) if cash else {}
    lines = [f"# {_cell(document['plan'])}", ""]
    items = [
        *([f"Data: {data_line(document)}"] if data_line(document) else []),
        f"Replayed: {replayed_span(document)}",
        *([f"Currencies: {currency_line(document)}"] if currency_line(document) else []),
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
        # SPEC 6.4-6.6: how each period paid, what clawbacks took, what each floor cost and for whom.
        *[f"{label}: {text}" for label, text in pay_rule_lines(document)],
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
    if any(view[0]["components"][cid][0] == "attainment" for cid in columns):
        lines[-1:-1] = ["", SUMMARY_NOTE.format(label="mean attainment") + "."]
    if pay_rule_note(document):
        lines[-1:-1] = ["", pay_rule_note(document) + "."]
    header = ["CSM", "Name", "Segment"]
    header += [f"{cid} ({SUMMARY_LABELS[view[0]['components'][cid][0]]})" for cid in columns]
    rules = pay_rule_columns(document)
    header += [heading for _, heading in rules]
    header += ["Actual", "Proposed", "Delta", "Delta %"] + (["Cash Δ", "Cash Δ %"] if cash else [])
    rows = []
    for csm in view:
        marker = "▼ " if csm["top_paid_less"] else ("★ " if csm["top_performer"] else "")
        # SPEC 6.3: a CSM paid in another currency is named so; every amount is the plan's.
        name = f"{csm['name']} (paid in {csm['paid_in']})" if csm["paid_in"] else csm["name"]
        row = [marker + csm["csm_id"], name, csm["segment"]]
        for cid in columns:
            kind, value = csm["components"][cid]
            row.append(summary_cell(kind, value, currency))
        row += [money(csm["pay_rules"].get(key), currency) for key, _ in rules]
        row += [money(csm["actual"], currency), money(csm["proposed"], currency),
                money(csm["delta"], currency, sign=True), percent(csm["delta_pct"])]
        if cash:
            row += [money(csm["cash_delta"], currency, sign=True), percent(csm["cash_delta_pct"])]
        rows.append(row)
    lines += _table(header, rows, set(range(3, len(header))))
    lines += ["", "## By quarter", ""]
    cash_cells = (lambda q: [money(q["cash_delta"], currency, sign=True), percent(q["cash_delta_pct"])]) if cash \
        else (lambda q: [])
    advances = quarter_advances(document) if has_periods(document) else None
    lines += _table(["Quarter", "CSMs", "Actual", "Proposed", "Delta", "Delta %"] + (["Cash Δ", "Cash Δ %"] if cash else [])
                    + (["Held back / true-up"] if advances is not None else []),
                    [[q["quarter"], q["csms"], money(q["actual"], currency), money(q["proposed"], currency),
                      money(q["delta"], currency, sign=True), percent(q["delta_pct"]), *cash_cells(q),
                      *([money(advances[q["quarter"]], currency, sign=True)] if advances is not None else [])]
                     for q in quarter_view(document)],
                    set(range(1, 9)))
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


def side_by_side_markdown(document: dict) -> str:
    document = printable_data(document)
    labels = [p["label"] for p in document["plans"]]
    quarters = document["quarters"]
    lines = [f"# Plans side by side, {quarters[0]}–{quarters[-1]}", "", f"Replayed: {replayed_span(document)}", ""]
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


def sweep_markdown(document: dict) -> str:
    document = printable_data(document)
    cash = bool(document.get("moves_base"))
    headers = sweep_headers(document)
    # The setting is a key path from the command line; in a code span only a backtick could end it.
    lines = [f"# {markdown_text(document['plan'])}: sweeping `{str(document['setting']).replace('`', chr(39))}`", ""]
    if document.get("data"):
        lines += [f"Data: {markdown_text(document['data'])}", ""]
    floors = sweep_floors(document)
    lines += ["| " + " | ".join(headers[:-1]) + " | Error |",
              "|" + "---:|" * (6 if cash else 4) + "---|---|---:|" + "---:|" * len(floors) + "---|"]
    for row in document["rows"]:
        cells = sweep_cells(row, document["currency"], cash, floors)
        if row["plan_value"]:
            cells[0] = "★ " + cells[0]
        lines.append("| " + " | ".join(markdown_text(c) for c in cells) + " |")
    if document.get("warnings"):
        lines += ["", "## Warnings", ""] + [f"- {markdown_text(w)}" for w in document["warnings"]]
    return "\n".join(lines) + "\n"


def _markdown_money(value, currency: str) -> str:
    return markdown_text(money(value, currency))


def simulation_markdown(document: dict) -> str:
    document = printable_data(document)
    currency = document["currency"]
    total = document["total"]
    lines = [f"# {markdown_text(document['plan'])}: simulated cost of {horizon(document)}", "",
             f"- {document['runs']:,} runs, seed {document['seed']}, outcomes from {drawn_from(document)}",
             "- Cost P5 / P50 / P95: " + " / ".join(_markdown_money(total[k], currency) for k in ("p5", "p50", "p95"))]
    if document.get("data"):
        lines.insert(2, f"- Data: {markdown_text(document['data'])}")
    if document.get("base"):
        lines.append(f"- Base over {horizon(document)} (not simulated): {markdown_text(base_line(document))}")
    if document["budget"] is not None:
        lines.append(f"- Over budget ({_markdown_money(document['budget'], currency)}): "
                     f"{document['probability_over_budget']:.1%} of runs ({budget_judged(document)})")
    lines += ["", *markdown_table(["Segment", "P5", "P50", "P95"],
                                  [[segment, *(money(points[k], currency) for k in ("p5", "p50", "p95"))]
                                   for segment, points in document["by_segment"].items()], {1, 2, 3})]
    return "\n".join(lines) + "\n"


# Backslash-escapable punctuation that Markdown could read as emphasis, code, a link or an image,
# HTML, an entity, a heading, a table cell or strikethrough (and, at the start, a list or a quote). An underscore between two letters or digits is
# never emphasis, so arr_start stays readable.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*\[\]|#~]|(?<![^\W_])_|_(?![^\W_])")


# What would start raw HTML becomes an entity, as in the report's tables: a backslash before '<' is
# CommonMark's, but not every viewer honours it.
_HTML_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


_LINE_START = re.compile(r"^(\s*)([-+>]|\d+[.)])")


def markdown_escape(text: str) -> str:
    """Text from a plan or an export, safe inside a Markdown paragraph, heading or list item."""
    text = " ".join(str(text).split()).translate(_HTML_ENTITIES)  # a newline would end the list item
    text = _MARKDOWN_SPECIAL.sub(lambda match: "\\" + match.group(0), text)
    return _LINE_START.sub(lambda match: match.group(1) + match.group(2)[:-1] + "\\" + match.group(2)[-1], text)


def _markdown_parts(parts: tuple[Part, ...]) -> str:
    out = []
    for part in parts:
        text, style = (part, None) if isinstance(part, str) else part
        # Emphasis markers must hug the text; spaces around a styled part stay outside them.
        core = text.strip()
        if not core:
            out.append(text)
            continue
        lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        body = markdown_escape(core)
        if style == "bold" or style == "warning":
            body = f"**{body}**"
        elif style in ("italic", "dim"):
            body = f"*{body}*"
        out.append(lead + body + trail)
    return "".join(out).rstrip()


def explanation_markdown(doc: dict) -> str:
    """The tree as a heading and nested Markdown lists (4 spaces a level, which every renderer nests)."""
    doc = printable_data(doc)
    root = explanation_tree(doc)
    # A heading is bold already; the plan's name keeps its italics.
    heading = tuple(part[0] if isinstance(part, tuple) and part[1] == "bold" else part for part in root.parts)
    lines = [f"## {_markdown_parts(heading)}", ""]

    def walk(node: Node, depth: int) -> None:
        for child in node.children:
            lines.append(f"{'    ' * depth}- {_markdown_parts(child.parts)}")
            walk(child, depth + 1)

    walk(root, 0)
    return "\n".join(lines) + "\n"


RENDERERS = {
    Kind.stress_test: lambda result: to_markdown(result.document),
    Kind.compare: lambda result: side_by_side_markdown(result.document),
    Kind.sweep: lambda result: sweep_markdown(result.document),
    Kind.simulate: lambda result: simulation_markdown(result.document),
    Kind.explain: lambda result: explanation_markdown(result.document),
}
