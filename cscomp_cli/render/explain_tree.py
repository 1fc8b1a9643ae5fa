"""`cscomp explain` for people: the explanation document as a tree of styled text, which the terminal
draws with rich and Markdown writes as nested lists (render/table.py, render/markdown.py).

The tree is built once, as plain text with styles, and drawn by rich or written as Markdown, so the
two always say the same thing and a name from the data is never read as markup by either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    on = " (the row in force on the last employed day)" if pay.get("split") else ""
    pay_node.add(f"roster{on}: base {_amount(pay['annual_base'])}, variable {_amount(pay['annual_variable'])} a year")
    if pay["pay_mix"]:
        pay_node.add(f"pay_mix: variable {pay['pay_mix']['variable_pct']} %, hold {pay['pay_mix']['hold']}")
    if pay.get("split"):  # a raise or transfer inside the quarter (a roster pay history)
        pay_node.add(f"pay changed inside the quarter: {pay['split']}")
    pay_node.add(f"proration {pay['proration']:.6g} (share of the quarter's days employed)")
    pay_node.add(f"target variable = {pay['target_variable_formula']} = {pay['target_variable']:,.6f}"
                 f" (shown {_amount(pay['target_variable'])}); actual TV {_amount(pay['actual_target_variable'])}")

    book = root.add(f"Book: {doc['book']['rows']} account row(s)")
    for account in doc["book"]["accounts"]:
        moves = ", ".join(f"{k} {account[k]:,.2f}" for k in ("new_arr", "expansion", "cross_sell", "contraction", "churn")
                          if account.get(k))
        base = "" if account["in_retention_base"] else " (new logo: not in the retention base)"
        book.add(f"{account['account_id']} ({account.get('source') or 'line ' + str(account['line'])}): start {account['arr_start']:,.2f}"
                 f"{'; ' + moves if moves else ''} → end {account['arr_end']:,.2f}{base}")

    # A period plan's components use the metrics to date (under Period below); these are the quarter's own book's.
    metrics = root.add("Metrics (CSM scope, 9 decimal places" + ("; this quarter's own book, the components use "
                                                                "the metrics to date under Period)" if doc.get("period")
                                                                else ")"))
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

    # The rule behind every round() below, said once (older documents carry no "rounding").
    components = root.add("Components" + (f" (each payout {doc['rounding']})" if doc.get("rounding") else ""))
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
            if not c.get("to_date"):  # a period plan's term is written out below, its payout is the increase
                node.add(f"{c['formula']}: {c['unrounded']:,.6f} → {_amount(c['payout'])}")
        else:
            node.add(f"tiers ({c['tiering']}, bounds in {c['bounds_in']}): {_tiers(c)}")
            cap = f", cap {c['cap']:,.2f}" if c["cap"] is not None else ""
            if c.get("to_date"):
                node.add(f"commission to date {_amount(c['commission'])}{cap} a quarter")
            else:
                node.add(f"commission {_amount(c['commission'])}{cap}; {c['formula']}: {c['unrounded']:,.6f}"
                         f" → {_amount(c['payout'])}")
        node.add(f"multiplier {c['multiplier']}")
        if c.get("to_date"):  # a period plan (SPEC 6.4): the figures above are to date
            to_date = c["to_date"]
            since = f" ({to_date['previous_quarter']})" if to_date["previous_quarter"] else " (none: first quarter)"
            node.add(f"earned to date {to_date['formula']} = {to_date['figures']}")
            node.add(f"payout = earned to date − the previous quarter's{since}: {to_date['increase_figures']}")
        if "clawback" in c:  # SPEC 6.5: the payout is after it
            clawed = node.add(f"clawback {_amount(c['clawback'])}" + ("" if c["clawbacks"] else " (nothing churned)"))
            for line in c["clawbacks"]:
                clawed.add(line["text"])

    if doc["modifiers"]:
        modifiers = root.add("Modifiers")
        for m in doc["modifiers"]:
            band = " and ".join(part for part in (
                f"≥ {m['at_least']}" if m["at_least"] is not None else "",
                f"< {m['below']}" if m["below"] is not None else "") if part)
            verdict = f"applies: × {m['multiply']} on {', '.join(m['applies_to'])}" if m["applies"] else "does not apply"
            modifiers.add(f"{m['id']}: {m['metric']} = {_ratio(m['value'])} ({band}) → {verdict}")

    if doc.get("period"):
        _period(root, doc["period"], [c["metric"] for c in doc["components"]] + [m["metric"] for m in doc["modifiers"]])
    if doc.get("floors"):
        _floors(root, doc["floors"])

    total = doc["total"]
    totals = root.add((f"Proposed {_amount(total['proposed'])}", "bold"))
    totals.add(f"sum of rounded components {_amount(total['components'])}")
    if total["cap"]:
        to_date = "TV_D" in total["cap"].get("formula", "")  # a period plan: the cap on E, its adjustment's increase
        totals.add(f"cap {total['cap']['cap']} × {'TV to date' if to_date else 'TV'} = {_amount(total['cap']['limit'])}; "
                   f"adjustment {'increase ' if to_date else ''}{_amount(total['cap_adjustment'])}")
    for name in ("advance_adjustment", "ramp_adjustment", "guarantee_adjustment"):
        if name in total:
            totals.add(f"{name} {_amount(total[name])}")
    actual = doc["actual"]
    paid = root.add((f"Actually paid {_amount(actual['total'])}", "bold"), f" (delta {_amount(actual['delta'])})")
    for line in actual["payouts"]:
        paid.add(f"{line.get('source') or 'payouts.csv line ' + str(line['line'])}: {_amount(line['amount'])}"
                 f"{' (' + line['component'] + ')' if line['component'] else ''}")
    for warning in doc["warnings"]:
        root.add(("warning:", "warning"), f" {warning}")
    return root


def _period(root: Node, period: dict, used: list[str]) -> None:
    """A period plan's figures to date (SPEC 6.4), each line with its arithmetic."""
    quarters = period["to_date_quarters"]
    kind = "true-up" if period["true_up"] else f"advance {period['advance']:g}; true-up in {period['true_up_quarter']}"
    node = root.add((f"Period {period['period']}", "bold"),
                    f" ({len(quarters)} of {period['period_quarters']} quarter(s) to date: {', '.join(quarters)}; {kind})")
    book = node.add(f"to-date book: {period['book']['rows']} account row(s)")
    for account in period["book"]["accounts"]:
        moves = ", ".join(f"{k} {account[k]:,.2f}" for k in ("expansion", "cross_sell", "contraction", "churn")
                          if account.get(k))
        book.add(f"{account['quarter']} {account['account_id']}: start {account['arr_start']:,.2f}"
                 f"{'; ' + moves if moves else ''} → end {account['arr_end']:,.2f}")
    metrics = node.add("metrics to date")
    for name in dict.fromkeys(used):
        entry = period["metrics"].get(name)
        if entry is not None:
            metrics.add(f"{name} = {_value(entry['value'])}  ", (f"{entry['formula']} = {entry['figures']}", "dim"))
    node.add(f"TV to date {period['tv_to_date']['figures']}")
    earned = period["earned_to_date"]
    node.add(f"earned to date E = {earned['figures']}"
             + (f" (plan cap {earned['cap']['limit_figures']})" if earned.get("cap") else ""))
    node.add(f"paid before: {period['paid_before']['figures']}")
    what = "true-up" if period["true_up"] else "advance"
    node.add((f"{what}: pay = {period['pay_figures']}", "bold"), ("  " + period["pay_formula"], "dim"))
    node.add(f"advance_adjustment = {period['advance_adjustment_figures']}  ",
             (period["advance_adjustment_formula"], "dim"))


def _floors(root: Node, floors: dict) -> None:
    """The ramp and the guarantee (SPEC 6.6) against the proposed pay before them."""
    node = root.add(("Floors", "bold"), f" (proposed before them {_amount(floors['proposed_before_floors'])})")
    if "ramp" in floors:
        ramp = floors["ramp"]
        node.add(f"ramp ({ramp['quarters']} quarter(s) at {ramp['floor']:g} × TV): {ramp['text']}")
    if "guarantee" in floors:
        guarantee = floors["guarantee"]
        which = f"; {guarantee['which']}" if guarantee.get("which") else ""
        entry = node.add(f"guarantee ({guarantee['floor']:g} × actual{which}): {guarantee['text']}")
        if guarantee.get("note"):
            entry.add((guarantee["note"], "dim"))
