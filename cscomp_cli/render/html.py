"""The stress test as one self-contained HTML file a leader can forward: inline CSS, charts as
inline SVG drawn by matplotlib, no network needed to open it."""

from __future__ import annotations

import html
import io
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

from cscomp_cli.analyses.result import Kind
from cscomp_cli.core.formatting import money, percent
from cscomp_cli.core.text import printable, printable_data
from cscomp_cli.render.views import (
    cash_summary,
    correlation,
    csm_view,
    currency_line,
    data_line,
    floors,
    moves_base,
    paid_less,
    pay_rule_columns,
    pay_rule_lines,
    pay_rule_note,
    pay_share,
    performance,
    performance_heading,
    performance_label,
    quarter_view,
    replayed_span,
    top_view,
)

ACTUAL, PROPOSED = "#8a8f98", "#2f6fdf"
STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2330;
padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2.2rem;border-bottom:1px solid #e3e6eb;
padding-bottom:.3rem}
.sub{color:#5b6270;margin-top:0}.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1.2rem 0}
.card{border:1px solid #e3e6eb;border-radius:8px;padding:.7rem 1rem;min-width:10rem}
.card b{display:block;font-size:1.25rem}.card span{color:#5b6270;font-size:.85rem}
.bad b{color:#c0392b}.good b{color:#1e8449}table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{padding:.3rem .5rem;border-bottom:1px solid #eef0f3;text-align:right}th{background:#f6f7f9}
td.l,th.l{text-align:left}tr.less td{color:#c0392b}.charts{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
figure{margin:0}figure svg{width:100%;height:auto}pre{background:#f6f7f9;padding:1rem;overflow:auto;
font-size:.8rem}.warn{color:#9a6700}
"""


class PlanListing(NamedTuple):
    """What "The plan" section shows: the text, a sentence saying what it is, and the user's own file
    when the text shown is not it (a plan that extends another)."""

    text: str
    note: str = ""
    written: str | None = None


def to_html(document: dict, plan: PlanListing | str) -> str:
    """The whole report: headline numbers, charts, tables, warnings and the plan itself."""
    currency = document["currency"]
    s = document["summary"]
    losers = s["top_performers_paid_less"]
    cash = moves_base(document)
    variable = " (variable)" if cash else ""
    cards = [
        ("Actually paid" + variable, money(s["actual_total"], currency), ""),
        ("Proposed plan" + variable, money(s["proposed_total"], currency), ""),
        ("Difference" + variable, f"{money(s['delta'], currency, sign=True)} ({percent(s['delta_pct'])})", ""),
    ]
    if cash:
        c = cash_summary(document)
        cards += [
            ("Base", f"{money(c['actual_base'], currency)} → {money(c['base'], currency)}", ""),
            ("Total cash (base + variable)", f"{money(c['actual_cash'], currency)} → "
                                             f"{money(c['proposed_cash'], currency)}", ""),
            ("Cash difference", f"{money(c['cash_delta'], currency, sign=True)} ({percent(c['cash_delta_pct'])})", ""),
        ]
    # SPEC 6.6: what the protection costs is a headline figure; who needed it is said below.
    cards += [(f"{label} cost", money(s[f"{name}_total"], currency), "") for name, label in floors(document)]
    cards += [
        ("CSMs paid more / less" + (" (total cash)" if cash else ""), f"{s['paid_more']} / {s['paid_less']}", ""),
        ("Top performers paid less", f"{len(losers)} of {len(s['top_performers'])}", "bad" if losers else "good"),
        ("Pay–performance (Spearman)", f"{correlation(s['pay_performance_correlation']['actual'])} → "
                                       f"{correlation(s['pay_performance_correlation']['proposed'])}", ""),
    ]
    charts = charts_svg(document)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(document['plan'])} — cscomp stress test</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(document['plan'])}</h1>",
        f"<p class='sub'>Replayed over {_e(replayed_span(document))}, against what was actually paid"
        + (f", from the data in {_e(data_line(document))}" if data_line(document) else "")
        + (f"; shocks: {_e(', '.join(f'{k}={v:+g}%' for k, v in document['shocks'].items()))}"
           if document.get("shocks") else "")
        + (f"; {_e(currency_line(document))}" if currency_line(document) else "") + ".</p>",
        "<div class='cards'>" + "".join(f"<div class='card {cls}'><span>{_e(label)}</span><b>{_e(value)}</b></div>"
                                        for label, value, cls in cards) + "</div>",
        *([_pay_rules(document)] if _pay_rules(document) else []),
        "<h2>Actual and proposed payout per CSM</h2>",
        f"<figure id='chart-dumbbell'>{charts['dumbbell']}</figure>",
        "<div class='charts'>",
        f"<figure id='chart-distribution'>{charts['distribution']}</figure>",
        f"<figure id='chart-scatter'>{charts['scatter']}</figure>",
        f"<figure id='chart-quarters'>{charts['quarters']}</figure>",
        f"<figure id='chart-segments'>{charts['segments']}</figure>",
        "</div>",
        "<h2>Top performers</h2>", f"<p class='sub'>Ranked by {_e(performance_label(document))}.</p>",
        _top_table(document),
        "<h2>Every CSM</h2>", _csm_table(document),
    ]
    if document["warnings"]:
        parts += ["<h2>Warnings</h2><ul>"] + [f"<li class='warn'>{_e(w)}</li>" for w in document["warnings"]] + ["</ul>"]
    parts += ["<h2>The plan</h2>", _plan_section(plan if isinstance(plan, PlanListing) else PlanListing(plan)),
              "<p class='sub'>Made by cscomp. Every figure is in the JSON output of the same run.</p></body></html>"]
    return "\n".join(parts) + "\n"


def _e(text) -> str:
    # Control characters shown as escapes, as on the terminal: a browser would draw nothing for them.
    return html.escape(printable(text, keep="\n\t"))


def _money(value, currency: str, *, sign: bool = False) -> str:
    """An amount for a table cell: escaped like any text, since the currency comes from the plan."""
    return _e(money(value, currency, sign=sign))


# --- the plan ----------------------------------------------------------------------------------


def plan_listing(plan, source: str) -> PlanListing:
    """The plan as its author wrote it (their file, comments and all) when that is the whole plan;
    for a plan that extends another, the merged plan that ran with the author's file beside it; for
    one read from standard input, the plan as cscomp read it."""
    import yaml

    from cscomp_cli.core.errors import PlanError
    from cscomp_cli.plan.diff import resolved
    from cscomp_cli.plan.loading import load_plan_document

    if source != "-":
        try:
            written = Path(source).read_bytes().decode("utf-8-sig")
            parent = _extends(written)
            if parent is None:
                return PlanListing(written, f"As written in {source}.")
            merged, _ = load_plan_document(source)
            return PlanListing(readable_yaml(merged),
                               f"{source} extends {parent}: below is the plan that ran, {parent} with "
                               f"{Path(source).name}'s changes merged in (defaults left out).", written)
        except (OSError, UnicodeDecodeError, yaml.YAMLError, PlanError):
            pass  # the file changed or vanished since it was read for the run: show what ran
    as_run = _without_nulls(resolved(plan))
    return PlanListing(readable_yaml(as_run), "The plan as cscomp read it"
                       + (" from standard input" if source == "-" else "") + ", every default filled in.")


def _extends(text: str) -> str | None:
    import yaml

    document = yaml.safe_load(text)
    return str(document["extends"]) if isinstance(document, dict) and "extends" in document else None


def _without_nulls(value):
    """Keys left unset (no cap, no quarters) read better absent than as 'null'."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def readable_yaml(data) -> str:
    """YAML as a person writes a plan: a curve as [[0.95, 0.0], [1.0, 1.0]] on one line, not one
    number per line under '- -' as PyYAML's block style prints nested lists."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def scalar(item) -> bool:
        return not isinstance(item, (dict, list))

    def represent_list(dumper, items):
        # Lists of numbers and lists of points on one line; lists of components stay one per block.
        flow = all(scalar(i) or (isinstance(i, list) and all(map(scalar, i))) for i in items)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow or None)

    Dumper.add_representer(list, represent_list)
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)


def _plan_section(plan: PlanListing) -> str:
    parts = [f"<p class='sub'>{_e(plan.note)}</p>"] if plan.note else []
    parts.append(f"<pre id='plan'>{_e(plan.text)}</pre>")
    if plan.written is not None:
        parts.append(f"<details><summary>The file as written (click to open)</summary><pre>{_e(plan.written)}</pre>"
                     "</details>")
    return "\n".join(parts)


def _pay_rules(document: dict) -> str:
    """SPEC 6.4-6.6 in words: how each period paid, what clawbacks took, what each floor cost and for whom."""
    lines = pay_rule_lines(document)
    if not lines:
        return ""
    return ("<ul id='pay-rules'>" + "".join(f"<li><b>{_e(label)}</b>: {_e(text)}</li>" for label, text in lines)
            + "</ul>")


def _top_table(document: dict) -> str:
    currency = document["currency"]
    cash = moves_base(document)
    rows = "".join(
        f"<tr class='{'less' if paid_less(c) else ''}'><td>{rank}</td><td class='l'>{_e(c['csm_id'])}</td>"
        f"<td class='l'>{_e(c['name'])}</td><td>{performance(c['performance'])}</td>"
        f"<td>{_money(c['actual'], currency)}</td><td>{_money(c['proposed'], currency)}</td>"
        f"<td>{_money(c['delta'], currency, sign=True)}</td>"
        + (f"<td>{_money(c['cash_delta'], currency, sign=True)}</td>" if cash else "") + "</tr>"
        for rank, c in enumerate(top_view(document), 1))
    return ("<table><tr><th>#</th><th class='l'>CSM</th><th class='l'>Name</th>"
            f"<th>{_e(performance_heading(document))}</th><th>Actual</th>"
            "<th>Proposed</th><th>Delta</th>" + ("<th>Cash Δ</th>" if cash else "") + f"</tr>{rows}</table>")


def _csm_table(document: dict) -> str:
    currency = document["currency"]
    cash = moves_base(document)

    def cash_cells(c: dict) -> str:
        if not cash:
            return ""
        return (f"<td>{_money(c['actual_cash'], currency)}</td><td>{_money(c['proposed_cash'], currency)}</td>"
                f"<td>{_money(c['cash_delta'], currency, sign=True)}</td><td>{percent(c['cash_delta_pct'])}</td>")

    rules = pay_rule_columns(document)
    body = "".join(
        f"<tr class='{'less' if c['top_performer'] and paid_less(c) else ''}'>"
        f"<td class='l'>{_e(c['csm_id'])}{' ★' if c['top_performer'] else ''}</td><td class='l'>{_e(c['name'])}"
        f"{_e(' (paid in ' + c['paid_in'] + ')') if c['paid_in'] else ''}</td>"
        f"<td class='l'>{_e(c['segment'])}</td>"
        + "".join(f"<td>{_money(c['pay_rules'].get(key), currency)}</td>" for key, _ in rules)
        + f"<td>{_money(c['actual'], currency)}</td>"
        f"<td>{_money(c['proposed'], currency)}</td><td>{_money(c['delta'], currency, sign=True)}</td>"
        f"<td>{percent(c['delta_pct'])}</td>{cash_cells(c)}</tr>"
        for c in csm_view(document))
    variable = " variable" if cash else ""
    head = ("<tr><th class='l'>CSM</th><th class='l'>Name</th><th class='l'>Segment</th>"
            + "".join(f"<th>{_e(heading)}</th>" for _, heading in rules)
            + f"<th>Actual{variable}</th><th>Proposed{variable}</th><th>Delta</th><th>Delta %</th>")
    if cash:
        head += "<th>Actual cash</th><th>Proposed cash</th><th>Cash Δ</th><th>Cash Δ %</th>"
    note = f"<p class='sub'>{_e(pay_rule_note(document))}.</p>" if rules else ""
    return f"{note}<table>{head}</tr>{body}</table>"


# --- charts ----------------------------------------------------------------------------------


def pay_shares(document: dict) -> dict[str, tuple[float, float]]:
    """Each CSM's variable pay over the period as a % of target: (actual over the roster's TV,
    proposed over the plan's TV); CSMs without a target are left out."""
    return {c["csm_id"]: (pay_share(c["actual"], c["actual_target_variable"]),
                          pay_share(c["proposed"], c["target_variable"]))
            for c in document["csms"] if c["actual_target_variable"] > 0 and c["target_variable"] > 0}


def csm_labels(csms: list[dict]) -> dict[str, str]:
    """What a chart calls each CSM: the name a reader knows, with the id only where the name alone
    would not say who (two CSMs of the same name) and the id alone where there is no name."""
    names = {c["csm_id"]: str(c.get("name") or "").strip() for c in csms}
    taken = defaultdict(int)
    for name in names.values():
        taken[name.casefold()] += 1
    return {csm: (csm if not name else f"{name} ({csm})" if taken[name.casefold()] > 1 else name)
            for csm, name in names.items()}


def charts_svg(document: dict) -> dict[str, str]:
    """Every chart of the report as an inline SVG string."""
    return {key: _svg(figure) for key, figure in chart_figures(document).items()}


def chart_figures(document: dict) -> dict:
    """Every chart of the report as a laid-out matplotlib figure (the tests measure them)."""
    plt = _pyplot()
    # A control character in a label has no glyph: matplotlib would warn on stderr, ESC and all.
    document = printable_data(document)
    currency = document["currency"]
    figures = {}
    view = sorted(document["csms"], key=lambda c: (c["delta"], c["csm_id"]))
    names = csm_labels(view)

    figure, axes = plt.subplots(figsize=(10, max(3.0, 0.22 * len(view) + 1)))
    for y, c in enumerate(view):
        axes.plot([c["actual"], c["proposed"]], [y, y], color="#c9ced6", linewidth=2, zorder=1)
    axes.scatter([c["actual"] for c in view], range(len(view)), color=ACTUAL, label="actually paid", zorder=2)
    axes.scatter([c["proposed"] for c in view], range(len(view)), color=PROPOSED, label="proposed", zorder=3)
    axes.set_yticks(range(len(view)), [names[c["csm_id"]] + (" ★" if c["top_performer"] else "") for c in view])
    axes.set_xlabel(f"variable pay over the period ({currency})")
    _thousands(axes.xaxis)
    _title_and_legend(axes, "Who gains and who loses (largest loss at the bottom; ★ top performer)")
    figures["dumbbell"] = _laid_out(figure)

    shares = pay_shares(document)
    actual, proposed = [a for a, _ in shares.values()], [p for _, p in shares.values()]
    figure, axes = plt.subplots(figsize=(5, 3.4))
    bins = _bins(actual + proposed)
    axes.hist(actual, bins=bins, alpha=0.6, color=ACTUAL, label="actually paid")
    axes.hist(proposed, bins=bins, alpha=0.6, color=PROPOSED, label="proposed")
    axes.axvline(100, color="#1d2330", linewidth=0.8, linestyle="--")
    # Bins hold their left edge, like the terminal's bands: a CSM paid exactly 100 % is in 100–110.
    axes.set_xlabel("variable pay as % of target (each bar includes its left edge, not its right)", fontsize=8)
    axes.set_ylabel("CSMs")
    _whole_numbers(axes.yaxis)
    _title_and_legend(axes, "Payout as % of target")
    figures["distribution"] = _laid_out(figure)

    figure, axes = plt.subplots(figsize=(5, 3.4))
    points = [(c["performance"], *shares[c["csm_id"]]) for c in document["csms"]
              if c["performance"] is not None and c["csm_id"] in shares]
    rho = document["summary"]["pay_performance_correlation"]
    axes.scatter([p for p, _, _ in points], [a for _, a, _ in points], color=ACTUAL,
                 label=f"actually paid (ρ {correlation(rho['actual'])})")
    axes.scatter([p for p, _, _ in points], [q for _, _, q in points], color=PROPOSED,
                 label=f"proposed (ρ {correlation(rho['proposed'])})")
    axes.set_xlabel(f"performance: {performance_label(document)}")
    axes.set_ylabel("variable pay as % of target")
    _title_and_legend(axes, "Pay against performance")
    figures["scatter"] = _laid_out(figure)

    quarters = quarter_view(document)
    figure, axes = plt.subplots(figsize=(5, 3.4))
    positions = range(len(quarters))
    axes.bar([x - 0.2 for x in positions], [q["actual"] for q in quarters], 0.4, color=ACTUAL, label="actually paid")
    axes.bar([x + 0.2 for x in positions], [q["proposed"] for q in quarters], 0.4, color=PROPOSED, label="proposed")
    axes.set_xticks(list(positions), [q["quarter"] for q in quarters])
    axes.set_ylabel(currency)
    _thousands(axes.yaxis)
    _title_and_legend(axes, "Cost per quarter")
    figures["quarters"] = _laid_out(figure)

    segments = defaultdict(lambda: [0.0, 0.0])
    for row in document["rows"]:
        segments[row["segment"]][0] += row["actual"]
        segments[row["segment"]][1] += row["proposed"]
    segment_names = sorted(segments)
    figure, axes = plt.subplots(figsize=(5, 3.4))
    axes.barh([y + 0.2 for y in range(len(segment_names))], [segments[n][0] for n in segment_names], 0.4,
              color=ACTUAL, label="actually paid")
    axes.barh([y - 0.2 for y in range(len(segment_names))], [segments[n][1] for n in segment_names], 0.4,
              color=PROPOSED, label="proposed")
    axes.set_yticks(range(len(segment_names)), segment_names)
    axes.set_xlabel(currency)
    _thousands(axes.xaxis)
    _title_and_legend(axes, "Cost per segment")
    figures["segments"] = _laid_out(figure)
    return figures


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no screen: draw straight to SVG
    import matplotlib.pyplot as plt

    # Names, segments and plan names are text, never TeX: "$50k-$250k" is drawn as written (and a
    # stray "$\frac{" cannot stop the report), on every label, tick and legend.
    plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                         "svg.fonttype": "none", "svg.hashsalt": "cscomp", "text.parse_math": False,
                         "text.usetex": False})
    return plt


LEGEND_COLUMNS = 4


def _title_and_legend(axes, title: str) -> None:
    """The legend on its own row between the title and the plot: outside the axes it can never hide
    a bar or a dot, whatever the data (inside, matplotlib's "best" still covered the first bar)."""
    entries = len(axes.get_legend_handles_labels()[1])
    if not entries:  # nothing drawn (no quarters, no CSMs): no legend, and no warning from matplotlib
        axes.set_title(title, loc="left")
        return
    columns = max(1, min(LEGEND_COLUMNS, entries))
    rows = -(-entries // columns)
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncol=columns, frameon=False, borderaxespad=0,
                borderpad=0, handletextpad=0.4, columnspacing=1.2, fontsize=8)
    # Title above the legend rows: one legend row at 8 pt is about 8 × 1.5 points high, plus a gap.
    axes.set_title(title, loc="left", pad=6 + 13 * rows)


def _whole_numbers(axis) -> None:
    """Counts of CSMs: ticks at whole numbers only (never 0.25 of a CSM)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _thousands(axis) -> None:
    """Money axes in thousands (250k), so tick labels never run into each other."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value / 1000:,.0f}k" if value else "0"))


def _bins(values: list[float]) -> list[float]:
    if not values:
        return [0, 100, 200]
    low = min(0.0, 10 * (min(values) // 10))
    high = max(200.0, 10 * (max(values) // 10 + 1))
    return [low + 10 * i for i in range(int((high - low) / 10) + 1)]


def _laid_out(figure):
    figure.tight_layout()
    return figure


def _svg(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "cscomp"})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: the SVG sits inside HTML


def side_by_side_figure(document: dict):
    """`cscomp compare`'s chart: cost per segment, actual and each plan side by side."""
    plt = _pyplot()
    document = printable_data(document)
    labels = ["actual"] + [p["label"] for p in document["plans"]]
    segments = list(document["actual"]["cost_by_segment"])
    figure, axes = plt.subplots(figsize=(10, 3.6))
    width = 0.8 / max(1, len(labels))
    colours = [ACTUAL] + [plt.get_cmap("tab10")(i) for i in range(len(labels) - 1)]
    costs = [document["actual"]["cost_by_segment"]] + [p["cost_by_segment"] for p in document["plans"]]
    for i, (label, cost) in enumerate(zip(labels, costs)):
        axes.bar([x + i * width for x in range(len(segments))], [cost[s] for s in segments], width,
                 label=label, color=colours[i])
    axes.set_xticks([x + width * (len(labels) - 1) / 2 for x in range(len(segments))], segments)
    axes.set_ylabel(document["currency"])
    _thousands(axes.yaxis)
    _title_and_legend(axes, "Cost per segment over the period")
    return _laid_out(figure)


def side_by_side_html(document: dict) -> str:
    """`cscomp compare` as one self-contained page: the plans against actuals, a cost chart, the matrix."""
    from cscomp_cli.render.views import matrices, summary_rows

    currency = document["currency"]
    labels = ["actual"] + [p["label"] for p in document["plans"]]
    chart = _svg(side_by_side_figure(document))
    rows = "".join(f"<tr><td class='l'>{_e(measure)}</td>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>"
                   for measure, cells in summary_rows(document))
    tables = []
    for title, actual_key, proposed_key in matrices(document):
        matrix = "".join(
            f"<tr><td class='l'>{_e(c['csm_id'])}</td><td class='l'>{_e(c['name'])}</td>"
            f"<td class='l'>{_e(c['segment'])}</td><td>{_money(c[actual_key], currency)}</td>"
            + "".join(f"<td>{_money(c[proposed_key][label], currency)}</td>" for label in labels[1:]) + "</tr>"
            for c in document["csms"])
        heading = "Payout per CSM" if title.startswith("Payout") else title.removesuffix(" over the period")
        tables.append(f"<h2>{_e(heading)}</h2><table><tr><th class='l'>CSM</th><th class='l'>Name</th>"
                      "<th class='l'>Segment</th>" + "".join(f"<th>{_e(label)}</th>" for label in labels)
                      + f"</tr>{matrix}</table>")
    warnings = "".join(f"<li class='warn'>{_e(w)}</li>" for w in document["warnings"])
    return "\n".join([
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Plans side by side — cscomp</title><style>{STYLE}</style></head><body>",
        "<h1>Plans side by side</h1>",
        f"<p class='sub'>Replayed over {_e(replayed_span(document))}, against what was "
        "actually paid" + (f", from the data in {_e(document['data'])}" if document.get("data") else "") + ".</p>",
        "<table><tr><th class='l'></th>" + "".join(f"<th>{_e(label)}</th>" for label in labels) + f"</tr>{rows}</table>",
        f"<h2>Cost per segment</h2><figure id='chart-segments'>{chart}</figure>",
        *tables,
        f"<h2>Warnings</h2><ul>{warnings}</ul>" if warnings else "",
        "<p class='sub'>Made by cscomp.</p></body></html>",
    ]) + "\n"


RENDERERS = {
    # The plan as its author wrote it (source is the plan's path, '-' for standard input).
    Kind.stress_test: lambda result: to_html(result.document, plan_listing(result.plan, result.source)),
    Kind.compare: lambda result: side_by_side_html(result.document),
}
