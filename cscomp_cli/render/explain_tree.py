"""`cscomp explain` on a terminal: the explanation document as a rich tree."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree


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
        text = f"by segment ({escape(str(target['segment']))}: {target['segment_value']})"
    elif "pct_of_start_arr" in target:
        text = f"{target['pct_of_start_arr']} × start_arr {_amount(target['start_arr'])}"
    elif "quota_line" in target:
        text = f"quotas.csv line {target['quota_line']}"
    elif form == "number":
        text = f"{target['value']}"
    else:
        text = escape(str(form))
    if target.get("risk_adjust") is not None:
        text += (f"; risk_adjust {target['risk_adjust']} × (book risk {_ratio(target['book_risk'])} − company risk "
                 f"{_ratio(target['company_risk'])}) = {_ratio(target['adjustment'])}")
    return text


def render_explanation(doc: dict, console: Console) -> None:
    """Print one CSM–quarter's explanation as a tree, top to bottom in the order the engine works."""
    root = Tree(f"[bold]{escape(doc['csm_id'])} {escape(str(doc['name']))}[/] · {doc['quarter']} · "
                f"{escape(str(doc['segment']))} · plan [italic]{escape(doc['plan'])}[/]")
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
        book.add(f"{escape(account['account_id'])} (line {account['line']}): start {account['arr_start']:,.2f}"
                 f"{'; ' + moves if moves else ''} → end {account['arr_end']:,.2f}{base}")

    metrics = root.add("Metrics (CSM scope, 9 decimal places)")
    for name, entry in doc["metrics"].items():
        metrics.add(f"{name} = {_value(entry['value'])}  [dim]{escape(entry['formula'])} = {escape(entry['figures'])}[/]")
    metrics.add(f"book risk {_ratio(doc['risk']['book'])}; company risk {_ratio(doc['risk']['company'])}")

    components = root.add("Components")
    for c in doc["components"]:
        node = components.add(f"[bold]{c['id']}[/] ({c['kind']}{'' if c['active'] else ', inactive this quarter'})"
                              f" → {_amount(c['payout'])}")
        node.add(f"{c['metric']} ({c['scope']} scope) = {_value(c['metric_value'])}")
        target = c["target"]
        if target.get("form"):
            node.add(f"target: {_target_text(target)} → {_value(target['computed'])}")
        if c["kind"] == "curve":
            node.add(f"attainment {_ratio(c['attainment'])}; curve {c['curve']} ({c['interpolate']}"
                     f"{', uncapped' if c['uncapped'] else ''}) → fraction {_ratio(c['fraction'])}")
            if c["points_used"]:
                node.add(f"[dim]{escape(c['points_used'])}[/]")
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
    totals = root.add(f"[bold]Proposed {_amount(total['proposed'])}[/]")
    totals.add(f"sum of rounded components {_amount(total['components'])}")
    if total["cap"]:
        totals.add(f"cap {total['cap']['cap']} × TV = {_amount(total['cap']['limit'])}; "
                   f"adjustment {_amount(total['cap_adjustment'])}")
    actual = doc["actual"]
    paid = root.add(f"[bold]Actually paid {_amount(actual['total'])}[/] (delta {_amount(actual['delta'])})")
    for line in actual["payouts"]:
        paid.add(f"payouts.csv line {line['line']}: {_amount(line['amount'])}"
                 f"{' (' + escape(line['component']) + ')' if line['component'] else ''}")
    for warning in doc["warnings"]:
        root.add(f"[yellow]warning:[/] {escape(warning)}")
    console.print(root)
