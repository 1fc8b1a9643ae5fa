"""`cscomp sweep` output: one row per value of the swept setting."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cscomp_cli.core.text import printable_data
from cscomp_cli.render.machine import csv_text
from cscomp_cli.render.markdown import markdown_text
from cscomp_cli.render.views import correlation, money, percent

COLUMNS = ["value", "proposed_total", "delta", "delta_pct", "paid_more", "paid_less", "top_performers_paid_less",
           "pay_performance_correlation", "error"]
# Appended (so the columns above keep their places) when some value moves base.
CASH_COLUMNS = ["proposed_cash_total", "cash_delta", "cash_delta_pct"]


def _amount(value, decimals: int = 2) -> str:
    return "" if value is None else f"{value:.{decimals}f}"


def sweep_csv(document: dict) -> str:
    cash = bool(document.get("moves_base"))
    rows = [COLUMNS + (CASH_COLUMNS if cash else [])]
    for row in document["rows"]:
        if row["error"]:
            rows.append([f"{row['value']:g}"] + [""] * 7 + [row["error"]] + ([""] * 3 if cash else []))
            continue
        rows.append([f"{row['value']:g}", f"{row['proposed_total']:.2f}", f"{row['delta']:.2f}",
                         "" if row["delta_pct"] is None else f"{row['delta_pct']:.2f}", row["paid_more"],
                         row["paid_less"], " ".join(row["top_performers_paid_less"]),
                         "" if row["pay_performance_correlation"] is None else row["pay_performance_correlation"],
                     ""] + ([_amount(row[c]) for c in CASH_COLUMNS] if cash else []))
    return csv_text(rows)


def _cells(row: dict, currency: str, cash: bool = False) -> list[str]:
    if row["error"]:
        return [f"{row['value']:g}"] + ["—"] * (8 if cash else 6) + [row["error"]]
    losers = row["top_performers_paid_less"]
    cells = [f"{row['value']:g}", money(row["proposed_total"], currency), money(row["delta"], currency, sign=True),
             percent(row["delta_pct"])]
    if cash:
        cells += [money(row["proposed_cash_total"], currency),
                  f"{money(row['cash_delta'], currency, sign=True)} ({percent(row['cash_delta_pct'])})"]
    return cells + [f"{row['paid_more']} / {row['paid_less']}", f"{len(losers)}" + (f": {', '.join(losers)}" if losers else ""),
                    correlation(row["pay_performance_correlation"]), ""]


HEADERS = ["Value", "Cost", "Delta", "Delta %", "Paid more / less", "Top performers paid less", "Spearman", ""]
CASH_HEADERS = ["Value", "Variable", "Delta", "Delta %", "Total cash", "Cash Δ", "Paid more / less (cash)",
                "Top performers paid less", "Spearman", ""]


def _headers(document: dict) -> list[str]:
    return CASH_HEADERS if document.get("moves_base") else HEADERS


def render_sweep(document: dict, console: Console) -> None:
    document = printable_data(document)  # an ESC in a name must not reach the terminal
    quarters = document["quarters"]
    title = (f"{escape(str(document['plan']))}: sweeping {escape(document['setting'])} over "
             f"{quarters[0]}–{quarters[-1]} (★ the plan's own value)")
    if document.get("data"):
        title += f"\nData: {escape(document['data'])}"
    if document.get("moves_base"):
        title += "\nVariable, Delta, Delta %: variable pay; Total cash = base + variable (the plan moves base)"
    table = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left")
    cash = bool(document.get("moves_base"))
    for header in _headers(document):
        table.add_column(header, justify="left" if header in ("", "Top performers paid less") else "right")
    for row in document["rows"]:
        cells = _cells(row, document["currency"], cash)
        if row["plan_value"]:
            cells[0] = "★ " + cells[0]
        breaks = not row["error"] and bool(row["top_performers_paid_less"])
        table.add_row(*[escape(c) for c in cells], style="red" if row["error"] or breaks else
                      ("bold" if row["plan_value"] else None))
    console.print(table)
    for warning in document.get("warnings", []):
        console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


def sweep_markdown(document: dict) -> str:
    document = printable_data(document)
    cash = bool(document.get("moves_base"))
    headers = _headers(document)
    # The setting is a key path from the command line; in a code span only a backtick could end it.
    lines = [f"# {markdown_text(document['plan'])}: sweeping `{str(document['setting']).replace('`', chr(39))}`", ""]
    if document.get("data"):
        lines += [f"Data: {markdown_text(document['data'])}", ""]
    lines += ["| " + " | ".join(headers[:-1]) + " | Error |",
              "|" + "---:|" * (6 if cash else 4) + "---|---|---:|---|"]
    for row in document["rows"]:
        cells = _cells(row, document["currency"], cash)
        if row["plan_value"]:
            cells[0] = "★ " + cells[0]
        lines.append("| " + " | ".join(markdown_text(c) for c in cells) + " |")
    if document.get("warnings"):
        lines += ["", "## Warnings", ""] + [f"- {markdown_text(w)}" for w in document["warnings"]]
    return "\n".join(lines) + "\n"
