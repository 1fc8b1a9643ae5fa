"""`cscomp explain` for people and spreadsheets: the explanation document as a tree on a terminal,
the same tree as nested Markdown lists, or a tidy CSV with one row per figure.

The tree is built once, as plain text with styles, and drawn by rich or written as Markdown, so the
two always say the same thing and a name from the data is never read as markup by either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from cscomp_cli.core.text import printable_data
from cscomp_cli.render.machine import csv_text

Part = str | tuple[str, str]  # plain text, or (text, style) with style bold, italic, dim or warning


@dataclass
class Node:
    parts: tuple[Part, ...]
    children: list["Node"] = field(default_factory=list)

    def add(self, *parts: Part) -> "Node":
        child = Node(parts)
        self.children.append(child)
        return child


def _amount(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _ratio(value) -> str:
    """Up to the 9 decimal places the engine keeps, without trailing zeros."""
    return "—" if value is None else (f"{value:.9f}".rstrip("0").rstrip(".") or "0")


def _value(value) -> str:
    """A ratio or score with its 9 places; an ARR amount in currency style."""
    return _ratio(value) if value is None or abs(value) < 100 else _amount(value)


def _tiers(component: dict) -> str:
    parts = []
    for tier, bound in zip(component["tiers"], component["bounds"] + [None]):
        rate = f"{tier['rate'] * 100:g} %"
        parts.append(f"up to {bound:,.2f} at {rate}" if bound is not None else f"above at {rate}")
    return "; ".join(parts)


def _target_text(target: dict) -> str:
    """How the target was derived, e.g. 'by segment (Enterprise: 1.03), risk_adjust −0.1 × (0.37 − 0.30)'."""
    form = target["form"]
    if form == "by segment":
        text = f"by segment ({target['segment']}: {target['segment_value']})"
    elif "pct_of_start_arr" in target:
        text = f"{target['pct_of_start_arr']} × start_arr {_amount(target['start_arr'])}"
    elif "quota_line" in target:
        text = target.get("quota_source") or f"quotas.csv line {target['quota_line']}"
    elif form == "number":
        text = f"{target['value']}"
    else:
        text = str(form)
    if target.get("risk_adjust") is not None:
        text += (f"; risk_adjust {target['risk_adjust']} × (book risk {_ratio(target['book_risk'])} − company risk "
                 f"{_ratio(target['company_risk'])}) = {_ratio(target['adjustment'])}")
    return text


def explanation_tree(doc: dict) -> Node:
    """One CSM–quarter's explanation, top to bottom in the order the engine works."""
    root = Node(((f"{doc['csm_id']} {doc['name']}", "bold"), f" · {doc['quarter']} · {doc['segment']} · plan ",
                 (str(doc["plan"]), "italic")))
    pay = doc["pay"]
    pay_node = root.add("Pay")
    pay_node.add(f"roster: base {_amount(pay['annual_base'])}, variable {_amount(pay['annual_variable'])} a year")
    if pay["pay_mix"]:
        pay_node.add(f"pay_mix: variable {pay['pay_mix']['variable_pct']} %, hold {pay['pay_mix']['hold']}")
    pay_node.add(f"proration {pay['proration']:.6g} (share of the quarter's days employed)")
    pay_node.add(f"target variable = {pay['target_variable_formula']} = {pay['target_variable']:,.6f}"
                 f" (shown {_amount(pay['target_variable'])}); actual TV {_amount(pay['actual_target_variable'])}")

    book = root.add(f"Book: {doc['book']['rows']} account row(s)")
    for account in doc["book"]["accounts"]:
        moves = ", ".join(f"{k} {account[k]:,.2f}" for k in ("expansion", "cross_sell", "contraction", "churn")
                          if account[k])
        base = "" if account["in_retention_base"] else " (new logo: not in the retention base)"
        book.add(f"{account['account_id']} ({account.get('source') or 'line ' + str(account['line'])}): start {account['arr_start']:,.2f}"
                 f"{'; ' + moves if moves else ''} → end {account['arr_end']:,.2f}{base}")

    metrics = root.add("Metrics (CSM scope, 9 decimal places)")
    for name, entry in doc["metrics"].items():
        metrics.add(f"{name} = {_value(entry['value'])}  ", (f"{entry['formula']} = {entry['figures']}", "dim"))
    metrics.add(f"book risk {_ratio(doc['risk']['book'])}; company risk {_ratio(doc['risk']['company'])}")
    if doc.get("custom_metrics"):
        custom = root.add("The plan's own metrics")
        for entry in doc["custom_metrics"]:
            node = custom.add((entry["metric"], "bold"), f" ({entry['scope']} scope) = {_value(entry['value'])}")
            node.add(entry["definition"])
            node.add((f"{entry['formula']} = {entry['figures']}", "dim"))
            column = entry.get("column")
            if column:
                node.add(f"{column['name']}: {column['rows_with_value']} row(s) with a value, Σ {column['sum']:g}, "
                         f"min {_value(column['min'])}, max {_value(column['max'])}")
            if entry["window"]:
                quarters = entry["window"]["quarters"]
                node.add(f"window: {len(quarters)} of {entry['window']['asked']} quarter(s) held: {', '.join(quarters)}")
            if entry["filters"]:
                node.add(f"filter: {' and '.join(entry['filters'])}; {entry['rows_filtered_out']} row(s) of the book "
                         "filtered out")

    components = root.add("Components")
    for c in doc["components"]:
        node = components.add((c["id"], "bold"), f" ({c['kind']}{'' if c['active'] else ', inactive this quarter'})"
                                                 f" → {_amount(c['payout'])}")
        node.add(f"{c['metric']} ({c['scope']} scope) = {_value(c['metric_value'])}")
        target = c["target"]
        if target.get("form"):
            node.add(f"target: {_target_text(target)} → {_value(target['computed'])}")
        if c["kind"] == "curve":
            node.add(f"attainment {_ratio(c['attainment'])}; curve {c['curve']} ({c['interpolate']}"
                     f"{', uncapped' if c['uncapped'] else ''}) → fraction {_ratio(c['fraction'])}")
            if c["points_used"]:
                node.add((c["points_used"], "dim"))
            by_segment = c.get("weight_by_segment")
            node.add(f"weight {c['weight']:g}" + (f" (by segment: {by_segment['from']})" if by_segment else ""))
            node.add(f"{c['formula']}: {c['unrounded']:,.6f} → {_amount(c['payout'])}")
        else:
            node.add(f"tiers ({c['tiering']}, bounds in {c['bounds_in']}): {_tiers(c)}")
            cap = f", cap {c['cap']:,.2f}" if c["cap"] is not None else ""
            node.add(f"commission {_amount(c['commission'])}{cap}; {c['formula']}: {c['unrounded']:,.6f}"
                     f" → {_amount(c['payout'])}")
        node.add(f"multiplier {c['multiplier']}")

    if doc["modifiers"]:
        modifiers = root.add("Modifiers")
        for m in doc["modifiers"]:
            band = " and ".join(part for part in (
                f"≥ {m['at_least']}" if m["at_least"] is not None else "",
                f"< {m['below']}" if m["below"] is not None else "") if part)
            verdict = f"applies: × {m['multiply']} on {', '.join(m['applies_to'])}" if m["applies"] else "does not apply"
            modifiers.add(f"{m['id']}: {m['metric']} = {_ratio(m['value'])} ({band}) → {verdict}")

    total = doc["total"]
    totals = root.add((f"Proposed {_amount(total['proposed'])}", "bold"))
    totals.add(f"sum of rounded components {_amount(total['components'])}")
    if total["cap"]:
        totals.add(f"cap {total['cap']['cap']} × TV = {_amount(total['cap']['limit'])}; "
                   f"adjustment {_amount(total['cap_adjustment'])}")
    actual = doc["actual"]
    paid = root.add((f"Actually paid {_amount(actual['total'])}", "bold"), f" (delta {_amount(actual['delta'])})")
    for line in actual["payouts"]:
        paid.add(f"{line.get('source') or 'payouts.csv line ' + str(line['line'])}: {_amount(line['amount'])}"
                 f"{' (' + line['component'] + ')' if line['component'] else ''}")
    for warning in doc["warnings"]:
        root.add(("warning:", "warning"), f" {warning}")
    return root


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


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _flatten(prefix: str, value):
    """(field, scalar) pairs of a nested value; list positions count from 1, curve points as x and fraction."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(f"{prefix}.{key}" if prefix else key, item)
    elif isinstance(value, list):
        for position, item in enumerate(value, start=1):
            if prefix.endswith("curve") and isinstance(item, list) and len(item) == 2:
                yield f"{prefix}.{position}.x", item[0]
                yield f"{prefix}.{position}.fraction", item[1]
            else:
                yield from _flatten(f"{prefix}.{position}", item)
    else:
        yield prefix, value


def explanation_rows(doc: dict):
    """(section, item, field, value) for every figure of the explanation, in the tree's order."""
    for key in ("plan", "quarter", "csm_id", "name", "segment", "team"):
        yield "csm", "", key, doc[key]
    for name, value in _flatten("", doc["pay"]):
        yield "pay", "", name, value
    for account in doc["book"]["accounts"]:
        for name, value in account.items():
            if name != "account_id":
                yield "book", account["account_id"], name, value
    for metric, entry in doc["metrics"].items():
        for name, value in entry.items():
            yield "metric", metric, name, value
    for entry in doc.get("custom_metrics", []):
        for name, value in _flatten("", {k: v for k, v in entry.items() if k not in ("metric", "scope")}):
            yield "custom metric", f"{entry['metric']} ({entry['scope']})", name, value
    for name, value in doc["risk"].items():
        yield "risk", "", name, value
    for component in doc["components"]:
        for name, value in _flatten("", {k: v for k, v in component.items() if k != "id"}):
            yield "component", component["id"], name, value
    for modifier in doc["modifiers"]:
        for name, value in _flatten("", {k: v for k, v in modifier.items() if k != "id"}):
            yield "modifier", modifier["id"], name, value
    for name, value in _flatten("", doc["total"]):
        yield "total", "", name, value
    actual = doc["actual"]
    yield "paid", "", "total", actual["total"]
    yield "paid", "", "delta", actual["delta"]
    for line in actual["payouts"]:
        where = line.get("source") or f"payouts.csv line {line['line']}"
        yield "paid", where, "component", line["component"]
        yield "paid", where, "amount", line["amount"]
    for position, warning in enumerate(doc["warnings"], start=1):
        yield "warning", str(position), "text", warning


def explanation_csv(doc: dict) -> str:
    """A tidy table, one row per figure: filter on section, item and field in a spreadsheet."""
    rows = [[section, str(item), name, _csv_value(value)] for section, item, name, value in explanation_rows(doc)]
    return csv_text([["section", "item", "field", "value"], *rows])
