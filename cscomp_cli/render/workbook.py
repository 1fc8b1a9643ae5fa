"""The stress test as an Excel workbook for finance: Summary, CSMs, Quarters, Rows, Plan sheets with
real number, currency and percentage formats, a frozen header row, filters and fitted columns."""

from __future__ import annotations

import io

from .views import cash_summary, data_line, moves_base, quarter_view

MONEY = '#,##0.00;[Red]-#,##0.00'
PERCENT = '0.00%'
RATIO = '0.000000000'


def to_xlsx(document: dict, plan_text: str) -> bytes:
    """The workbook as bytes (written atomically by the caller)."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    s = document["summary"]
    rho = s["pay_performance_correlation"]
    quarters = document["quarters"]
    cash = moves_base(document)
    variable = " (variable)" if cash else ""
    measures = [
        ("Plan", document["plan"], None),
        *([("Data", data_line(document), None)] if data_line(document) else []),
        ("Quarters replayed", f"{quarters[0]}–{quarters[-1]}" if quarters else "", None),
        ("Actually paid" + variable, s["actual_total"], MONEY),
        ("Proposed plan" + variable, s["proposed_total"], MONEY),
        ("Difference" + variable, s["delta"], MONEY),
        ("Difference %" + variable, _pct(s["delta_pct"]), PERCENT),
    ]
    if cash:
        c = cash_summary(document)
        measures += [
            ("Base, actual", c["actual_base"], MONEY),
            ("Base, proposed", c["base"], MONEY),
            ("Total cash (base + variable), actual", c["actual_cash"], MONEY),
            ("Total cash (base + variable), proposed", c["proposed_cash"], MONEY),
            ("Cash difference", c["cash_delta"], MONEY),
            ("Cash difference %", _pct(c["cash_delta_pct"]), PERCENT),
        ]
    measures += [
        ("CSMs", s["csms"], None),
        ("Paid more" + (" (total cash)" if cash else ""), s["paid_more"], None),
        ("Paid less" + (" (total cash)" if cash else ""), s["paid_less"], None),
        ("Top performers", ", ".join(s["top_performers"]), None),
        ("Top performers paid less", ", ".join(s["top_performers_paid_less"]), None),
        ("Pay–performance correlation, actual", rho["actual"], "0.000"),
        ("Pay–performance correlation, proposed", rho["proposed"], "0.000"),
        *([("Shocks", ", ".join(f"{k}={v:+g}%" for k, v in document["shocks"].items()), None)]
          if document.get("shocks") else []),
        *[("Warning", w, None) for w in document["warnings"]],
    ]
    _table(summary, ["Measure", "Value"], [[name, value] for name, value, _ in measures], formats={})
    for row, (_, _, number_format) in enumerate(measures, 2):
        if number_format:
            summary.cell(row=row, column=2).number_format = number_format

    cash_header = ["Base, actual", "Base, proposed", "Actual cash", "Proposed cash", "Cash delta",
                   "Cash delta %"] if cash else []
    cash_formats = {10 + i: MONEY for i in range(5)} | {15: PERCENT} if cash else {}
    _table(book.create_sheet("CSMs"),
           ["CSM", "Name", "Segment", "Actual", "Proposed", "Delta", "Delta %", "Performance", "Top performer",
            *cash_header],
           [[c["csm_id"], c["name"], c["segment"], c["actual"], c["proposed"], c["delta"], _pct(c["delta_pct"]),
             c["performance"], "yes" if c["top_performer"] else "",
             *([c["actual_base"], c["base"], c["actual_cash"], c["proposed_cash"], c["cash_delta"],
                _pct(c["cash_delta_pct"])] if cash else [])] for c in document["csms"]],
           formats={4: MONEY, 5: MONEY, 6: MONEY, 7: PERCENT, 8: RATIO, **cash_formats})
    _table(book.create_sheet("Quarters"), ["Quarter", "CSMs", "Actual", "Proposed", "Delta", "Delta %",
                                           *(["Actual cash", "Proposed cash", "Cash delta", "Cash delta %"]
                                             if cash else [])],
           [[q["quarter"], q["csms"], q["actual"], q["proposed"], q["delta"], _pct(q["delta_pct"]),
             *([q["actual_cash"], q["proposed_cash"], q["cash_delta"], _pct(q["cash_delta_pct"])] if cash else [])]
            for q in quarter_view(document)],
           formats={3: MONEY, 4: MONEY, 5: MONEY, 6: PERCENT, 7: MONEY, 8: MONEY, 9: MONEY, 10: PERCENT})
    components = list(document["rows"][0]["components"]) if document["rows"] else []
    header = ["Quarter", "CSM", "Name", "Segment", "Target variable"]
    formats = {5: MONEY}
    for cid in components:
        formats[len(header) + 1] = RATIO
        formats[len(header) + 2] = RATIO
        formats[len(header) + 3] = MONEY
        header += [f"{cid} metric", f"{cid} attainment", f"{cid} payout"]
    header += ["Cap adjustment", "Proposed", "Actual", "Delta", "Delta %"]
    formats.update({len(header) - 4: MONEY, len(header) - 3: MONEY, len(header) - 2: MONEY,
                    len(header) - 1: MONEY, len(header): PERCENT})
    if cash:
        # The CSV's cash columns, in the same order, after everything else.
        header += ["Base", "Actual base", "Proposed cash", "Actual cash", "Cash delta"]
        formats.update({len(header) - i: MONEY for i in range(5)})
    rows = []
    for r in sorted(document["rows"], key=lambda r: (r["quarter"], r["csm_id"])):
        cells = [r["quarter"], r["csm_id"], r["name"], r["segment"], r["target_variable"]]
        for cid in components:
            detail = r["components"][cid]
            cells += [detail["metric"], detail.get("attainment"), detail["payout"]]
        cells += [r["cap_adjustment"], r["proposed"], r["actual"], r["delta"], _pct(r["delta_pct"])]
        if cash:
            cells += [r["base"], r["actual_base"], r["proposed_cash"], r["actual_cash"], r["cash_delta"]]
        rows.append(cells)
    _table(book.create_sheet("Rows"), header, rows, formats=formats)
    plan_sheet = book.create_sheet("Plan")
    plan_sheet["A1"] = "Plan (YAML)"
    plan_sheet["A1"].font = _bold()
    for number, line in enumerate(plan_text.splitlines(), 2):
        plan_sheet.cell(row=number, column=1, value=line)
    plan_sheet.column_dimensions["A"].width = min(120, max([len(line) for line in plan_text.splitlines()] + [20]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _pct(value):
    """SPEC's delta_pct (6.59 means +6.59 %) as the fraction a spreadsheet formats as a percentage."""
    return None if value is None else value / 100


def _bold():
    from openpyxl.styles import Font

    return Font(bold=True)


def _table(sheet, header: list[str], rows: list[list], formats: dict[int, str]) -> None:
    """Header, rows, number formats by column, a frozen header, a filter and fitted widths."""
    from openpyxl.utils import get_column_letter

    sheet.append(header)
    for cell in sheet[1]:
        cell.font = _bold()
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            # openpyxl makes a text starting with = a formula; a name in an export must stay text.
            if cell.data_type == "f":
                cell.data_type = "s"
    for column, number_format in formats.items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    for column in range(1, len(header) + 1):
        values = [header[column - 1]] + [_shown(row[column - 1], formats.get(column)) for row in rows]
        sheet.column_dimensions[get_column_letter(column)].width = min(60, max(len(v) for v in values) + 3)


def _shown(value, number_format) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and number_format == MONEY:
        return f"{value:,.2f}"
    if isinstance(value, (int, float)) and number_format == PERCENT:
        return f"{value:.2%}"
    return str(value)


def side_by_side_xlsx(document: dict) -> bytes:
    """`cscomp compare` as a workbook: the Summary of the plans against actuals, and the CSM matrix."""
    from openpyxl import Workbook

    labels = [p["label"] for p in document["plans"]]
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    plans, actual = document["plans"], document["actual"]
    segments = list(actual["cost_by_segment"])
    cash = bool(document.get("moves_base"))
    variable = " (variable)" if cash else ""
    measures = [
        ("Plan", "actually paid", [p["plan"] for p in plans], None),
        *([("Data", document["data"], ["" for _ in plans], None)] if document.get("data") else []),
        ("Variable cost" if cash else "Total cost", actual["total"], [p["proposed_total"] for p in plans], MONEY),
        ("Delta vs actual" + variable, None, [p["delta"] for p in plans], MONEY),
        ("Delta %" + variable, None, [_pct(p["delta_pct"]) for p in plans], PERCENT),
        *([("Base", actual["base_total"], [p["base_total"] for p in plans], MONEY),
           ("Total cash (base + variable)", actual["cash_total"], [p["proposed_cash_total"] for p in plans], MONEY),
           ("Cash delta vs actual", None, [p["cash_delta"] for p in plans], MONEY),
           ("Cash delta %", None, [_pct(p["cash_delta_pct"]) for p in plans], PERCENT)] if cash else []),
        *[(f"Cost, {s}", actual["cost_by_segment"][s], [p["cost_by_segment"][s] for p in plans], MONEY)
          for s in segments],
        ("CSMs paid more" + (" (total cash)" if cash else ""), None, [p["paid_more"] for p in plans], None),
        ("CSMs paid less" + (" (total cash)" if cash else ""), None, [p["paid_less"] for p in plans], None),
        ("Top performers paid less", None, [", ".join(p["top_performers_paid_less"]) for p in plans], None),
        ("Pay–performance correlation", actual["pay_performance_correlation"],
         [p["pay_performance_correlation"] for p in plans], "0.000"),
        ("Cost as % of retained ARR", _pct(actual["cost_pct_of_retained_arr"]),
         [_pct(p["cost_pct_of_retained_arr"]) for p in plans], PERCENT),
    ]
    _table(summary, ["Measure", "actual", *labels], [[name, first, *rest] for name, first, rest, _ in measures],
           formats={})
    for row, (_, _, _, number_format) in enumerate(measures, 2):
        if number_format:
            for column in range(2, len(labels) + 3):
                summary.cell(row=row, column=column).number_format = number_format
    cash_header = ["actual cash", *[f"{label} cash" for label in labels]] if cash else []
    _table(book.create_sheet("CSMs"), ["CSM", "Name", "Segment", "actual", *labels, *cash_header],
           [[c["csm_id"], c["name"], c["segment"], c["actual"], *[c["proposed"][label] for label in labels],
             *([c["actual_cash"], *[c["proposed_cash"][label] for label in labels]] if cash else [])]
            for c in document["csms"]],
           formats={column: MONEY for column in range(4, len(labels) + 5 + len(cash_header))})
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
