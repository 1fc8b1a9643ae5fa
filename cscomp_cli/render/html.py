"""The stress test as one self-contained HTML file a leader can forward: inline CSS, charts as
inline SVG drawn by matplotlib, no network needed to open it."""

from __future__ import annotations

import html
import io
from collections import defaultdict

from .views import (cash_summary, correlation, csm_view, data_line, money, moves_base, paid_less, percent,
                    performance, quarter_view, top_view)

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


def to_html(document: dict, plan_text: str) -> str:
    """The whole report: headline numbers, charts, tables, warnings and the plan itself."""
    currency = document["currency"]
    s = document["summary"]
    quarters = document["quarters"]
    span = f"{quarters[0]}–{quarters[-1]}" if quarters else "no quarters"
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
        f"<p class='sub'>Replayed over {span} ({len(quarters)} quarters) against what was actually paid"
        + (f", from the data in {_e(data_line(document))}" if data_line(document) else "")
        + (f"; shocks: {_e(', '.join(f'{k}={v:+g}%' for k, v in document['shocks'].items()))}"
           if document.get("shocks") else "") + ".</p>",
        "<div class='cards'>" + "".join(f"<div class='card {cls}'><span>{_e(label)}</span><b>{_e(value)}</b></div>"
                                        for label, value, cls in cards) + "</div>",
        "<h2>Actual and proposed payout per CSM</h2>",
        f"<figure id='chart-dumbbell'>{charts['dumbbell']}</figure>",
        "<div class='charts'>",
        f"<figure id='chart-distribution'>{charts['distribution']}</figure>",
        f"<figure id='chart-scatter'>{charts['scatter']}</figure>",
        f"<figure id='chart-quarters'>{charts['quarters']}</figure>",
        f"<figure id='chart-segments'>{charts['segments']}</figure>",
        "</div>",
        "<h2>Top performers</h2>", _top_table(document),
        "<h2>Every CSM</h2>", _csm_table(document),
    ]
    if document["warnings"]:
        parts += ["<h2>Warnings</h2><ul>"] + [f"<li class='warn'>{_e(w)}</li>" for w in document["warnings"]] + ["</ul>"]
    parts += ["<h2>The plan</h2>", f"<pre>{_e(plan_text)}</pre>",
              "<p class='sub'>Made by cscomp. Every figure is in the JSON output of the same run.</p></body></html>"]
    return "\n".join(parts) + "\n"


def _e(text) -> str:
    return html.escape(str(text))


def _top_table(document: dict) -> str:
    currency = document["currency"]
    cash = moves_base(document)
    rows = "".join(
        f"<tr class='{'less' if paid_less(c) else ''}'><td>{rank}</td><td class='l'>{_e(c['csm_id'])}</td>"
        f"<td class='l'>{_e(c['name'])}</td><td>{performance(c['performance'])}</td>"
        f"<td>{money(c['actual'], currency)}</td><td>{money(c['proposed'], currency)}</td>"
        f"<td>{money(c['delta'], currency, sign=True)}</td>"
        + (f"<td>{money(c['cash_delta'], currency, sign=True)}</td>" if cash else "") + "</tr>"
        for rank, c in enumerate(top_view(document), 1))
    return ("<table><tr><th>#</th><th class='l'>CSM</th><th class='l'>Name</th><th>Performance</th><th>Actual</th>"
            "<th>Proposed</th><th>Delta</th>" + ("<th>Cash Δ</th>" if cash else "") + f"</tr>{rows}</table>")


def _csm_table(document: dict) -> str:
    currency = document["currency"]
    cash = moves_base(document)

    def cash_cells(c: dict) -> str:
        if not cash:
            return ""
        return (f"<td>{money(c['actual_cash'], currency)}</td><td>{money(c['proposed_cash'], currency)}</td>"
                f"<td>{money(c['cash_delta'], currency, sign=True)}</td><td>{percent(c['cash_delta_pct'])}</td>")

    body = "".join(
        f"<tr class='{'less' if c['top_performer'] and paid_less(c) else ''}'>"
        f"<td class='l'>{_e(c['csm_id'])}{' ★' if c['top_performer'] else ''}</td><td class='l'>{_e(c['name'])}</td>"
        f"<td class='l'>{_e(c['segment'])}</td><td>{money(c['actual'], currency)}</td>"
        f"<td>{money(c['proposed'], currency)}</td><td>{money(c['delta'], currency, sign=True)}</td>"
        f"<td>{percent(c['delta_pct'])}</td>{cash_cells(c)}</tr>"
        for c in csm_view(document))
    variable = " variable" if cash else ""
    head = (f"<tr><th class='l'>CSM</th><th class='l'>Name</th><th class='l'>Segment</th><th>Actual{variable}</th>"
            f"<th>Proposed{variable}</th><th>Delta</th><th>Delta %</th>")
    if cash:
        head += "<th>Actual cash</th><th>Proposed cash</th><th>Cash Δ</th><th>Cash Δ %</th>"
    return f"<table>{head}</tr>{body}</table>"


# --- charts ----------------------------------------------------------------------------------


def pay_shares(document: dict) -> dict[str, tuple[float, float]]:
    """Each CSM's variable pay over the period as a % of target: (actual over the roster's TV,
    proposed over the plan's TV); CSMs without a target are left out."""
    return {c["csm_id"]: (100 * c["actual"] / c["actual_target_variable"], 100 * c["proposed"] / c["target_variable"])
            for c in document["csms"] if c["actual_target_variable"] > 0 and c["target_variable"] > 0}


def charts_svg(document: dict) -> dict[str, str]:
    """Every chart of the report as an inline SVG string."""
    import matplotlib

    matplotlib.use("Agg")  # no screen: draw straight to SVG
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                         "svg.fonttype": "none", "svg.hashsalt": "cscomp"})
    currency = document["currency"]
    charts = {}
    view = sorted(document["csms"], key=lambda c: (c["delta"], c["csm_id"]))

    figure, axes = plt.subplots(figsize=(10, max(3.0, 0.22 * len(view) + 1)))
    labels = [c["csm_id"] + (" ★" if c["top_performer"] else "") for c in view]
    for y, c in enumerate(view):
        axes.plot([c["actual"], c["proposed"]], [y, y], color="#c9ced6", linewidth=2, zorder=1)
    axes.scatter([c["actual"] for c in view], range(len(view)), color=ACTUAL, label="actually paid", zorder=2)
    axes.scatter([c["proposed"] for c in view], range(len(view)), color=PROPOSED, label="proposed", zorder=3)
    axes.set_yticks(range(len(view)), labels)
    axes.set_xlabel(f"variable pay over the period ({currency})")
    _thousands(axes.xaxis)
    axes.legend(loc="lower right", frameon=False)
    axes.set_title("Who gains and who loses (largest loss at the bottom)", loc="left")
    charts["dumbbell"] = _svg(figure)

    shares = pay_shares(document)
    actual, proposed = [a for a, _ in shares.values()], [p for _, p in shares.values()]
    figure, axes = plt.subplots(figsize=(5, 3.2))
    bins = _bins(actual + proposed)
    axes.hist(actual, bins=bins, alpha=0.6, color=ACTUAL, label="actually paid")
    axes.hist(proposed, bins=bins, alpha=0.6, color=PROPOSED, label="proposed")
    axes.axvline(100, color="#1d2330", linewidth=0.8, linestyle="--")
    axes.set_xlabel("variable pay as % of target")
    axes.set_ylabel("CSMs")
    axes.legend(frameon=False)
    axes.set_title("Payout as % of target", loc="left")
    charts["distribution"] = _svg(figure)

    figure, axes = plt.subplots(figsize=(5, 3.2))
    points = [(c["performance"], *shares[c["csm_id"]]) for c in document["csms"]
              if c["performance"] is not None and c["csm_id"] in shares]
    rho = document["summary"]["pay_performance_correlation"]
    axes.scatter([p for p, _, _ in points], [a for _, a, _ in points], color=ACTUAL,
                 label=f"actually paid (ρ {correlation(rho['actual'])})")
    axes.scatter([p for p, _, _ in points], [q for _, _, q in points], color=PROPOSED,
                 label=f"proposed (ρ {correlation(rho['proposed'])})")
    axes.set_xlabel("performance (the plan's performance metric, pooled)")
    axes.set_ylabel("variable pay as % of target")
    axes.legend(frameon=False, fontsize=8)
    axes.set_title("Pay against performance", loc="left")
    charts["scatter"] = _svg(figure)

    quarters = quarter_view(document)
    figure, axes = plt.subplots(figsize=(5, 3.2))
    positions = range(len(quarters))
    axes.bar([x - 0.2 for x in positions], [q["actual"] for q in quarters], 0.4, color=ACTUAL, label="actually paid")
    axes.bar([x + 0.2 for x in positions], [q["proposed"] for q in quarters], 0.4, color=PROPOSED, label="proposed")
    axes.set_xticks(list(positions), [q["quarter"] for q in quarters])
    axes.set_ylabel(currency)
    _thousands(axes.yaxis)
    axes.legend(frameon=False)
    axes.set_title("Cost per quarter", loc="left")
    charts["quarters"] = _svg(figure)

    segments = defaultdict(lambda: [0.0, 0.0])
    for row in document["rows"]:
        segments[row["segment"]][0] += row["actual"]
        segments[row["segment"]][1] += row["proposed"]
    names = sorted(segments)
    figure, axes = plt.subplots(figsize=(5, 3.2))
    axes.barh([y + 0.2 for y in range(len(names))], [segments[n][0] for n in names], 0.4, color=ACTUAL,
              label="actually paid")
    axes.barh([y - 0.2 for y in range(len(names))], [segments[n][1] for n in names], 0.4, color=PROPOSED,
              label="proposed")
    axes.set_yticks(range(len(names)), names)
    axes.set_xlabel(currency)
    _thousands(axes.xaxis)
    axes.legend(frameon=False, loc="best", fontsize=8)
    axes.set_title("Cost per segment", loc="left")
    charts["segments"] = _svg(figure)
    return charts


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


def _svg(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.tight_layout()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "cscomp"})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: the SVG sits inside HTML


def side_by_side_html(document: dict) -> str:
    """`cscomp compare` as one self-contained page: the plans against actuals, a cost chart, the matrix."""
    from .compare import matrices, summary_rows

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    currency = document["currency"]
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
    axes.set_ylabel(currency)
    _thousands(axes.yaxis)
    axes.legend(frameon=False, ncol=min(4, len(labels)))
    axes.set_title("Cost per segment over the period", loc="left")
    chart = _svg(figure)
    quarters = document["quarters"]
    rows = "".join(f"<tr><td class='l'>{_e(measure)}</td>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>"
                   for measure, cells in summary_rows(document))
    tables = []
    for title, actual_key, proposed_key in matrices(document):
        matrix = "".join(
            f"<tr><td class='l'>{_e(c['csm_id'])}</td><td class='l'>{_e(c['name'])}</td>"
            f"<td class='l'>{_e(c['segment'])}</td><td>{money(c[actual_key], currency)}</td>"
            + "".join(f"<td>{money(c[proposed_key][label], currency)}</td>" for label in labels[1:]) + "</tr>"
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
        f"<p class='sub'>Replayed over {quarters[0]}–{quarters[-1]} ({len(quarters)} quarters) against what was "
        "actually paid" + (f", from the data in {_e(document['data'])}" if document.get("data") else "") + ".</p>",
        "<table><tr><th class='l'></th>" + "".join(f"<th>{_e(label)}</th>" for label in labels) + f"</tr>{rows}</table>",
        f"<h2>Cost per segment</h2><figure id='chart-segments'>{chart}</figure>",
        *tables,
        f"<h2>Warnings</h2><ul>{warnings}</ul>" if warnings else "",
        "<p class='sub'>Made by cscomp.</p></body></html>",
    ]) + "\n"
