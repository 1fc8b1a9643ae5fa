"""Excel workbooks for finance. The stress test's: Summary, CSMs, Quarters, Rows, Plan sheets with
real number, currency and percentage formats, a frozen header row, filters and fitted columns."""

from __future__ import annotations

import io
import math
import re

from cscomp_cli.analyses.result import Kind
from cscomp_cli.core.text import escaped
from cscomp_cli.plan.diff import resolved
from cscomp_cli.render.html import readable_yaml
from cscomp_cli.render.views import (
    FLOORS,
    cash_summary,
    clawback_components,
    currency_line,
    data_line,
    floors,
    has_periods,
    moves_base,
    pay_currencies,
    pay_rule_columns,
    pay_rule_figures,
    pay_rule_lines,
    performance_label,
    quarter_advances,
    quarter_view,
    replayed_span,
)

MONEY = '#,##0.00;[Red]-#,##0.00'
PERCENT = '0.00%'
RATIO = '0.000000000'


def to_xlsx(document: dict, plan_text: str) -> bytes:
    """The workbook as bytes (written atomically by the caller)."""
    book = _Book()
    s = document["summary"]
    rho = s["pay_performance_correlation"]
    cash = moves_base(document)
    variable = " (variable)" if cash else ""
    measures = [
        ("Plan", document["plan"], None),
        *([("Data", data_line(document), None)] if data_line(document) else []),
        ("Quarters replayed", replayed_span(document), None),
        *([("Currencies", currency_line(document), None)] if currency_line(document) else []),
        ("Actually paid" + variable, s["actual_total"], MONEY),
        ("Proposed plan" + variable, s["proposed_total"], MONEY),
        ("Difference" + variable, s["delta"], MONEY),
        ("Difference %" + variable, as_fraction(s["delta_pct"]), PERCENT),
    ]
    if cash:
        c = cash_summary(document)
        measures += [
            ("Base, actual", c["actual_base"], MONEY),
            ("Base, proposed", c["base"], MONEY),
            ("Total cash (base + variable), actual", c["actual_cash"], MONEY),
            ("Total cash (base + variable), proposed", c["proposed_cash"], MONEY),
            ("Cash difference", c["cash_delta"], MONEY),
            ("Cash difference %", as_fraction(c["cash_delta_pct"]), PERCENT),
        ]
    # SPEC 6.4-6.6: what each floor cost (a number finance can sum), then every pay rule in words.
    measures += [(f"{label} cost", s[f"{name}_total"], MONEY) for name, label in floors(document)]
    measures += [(label, text, None) for label, text in pay_rule_lines(document)]
    measures += [
        ("CSMs", s["csms"], None),
        ("Paid more" + (" (total cash)" if cash else ""), s["paid_more"], None),
        ("Paid less" + (" (total cash)" if cash else ""), s["paid_less"], None),
        ("Performance measure", performance_label(document), None),
        ("Top performers", ", ".join(s["top_performers"]), None),
        ("Top performers paid less", ", ".join(s["top_performers_paid_less"]), None),
        ("Pay–performance correlation, actual", rho["actual"], "0.000"),
        ("Pay–performance correlation, proposed", rho["proposed"], "0.000"),
        *([("Shocks", ", ".join(f"{k}={v:+g}%" for k, v in document["shocks"].items()), None)]
          if document.get("shocks") else []),
        *[("Warning", w, None) for w in document["warnings"]],
    ]
    book.table("Summary", ["Measure", "Value"], [[name, value] for name, value, _ in measures], formats={},
               row_formats=[number_format for _, _, number_format in measures])

    cash_header = ["Base, actual", "Base, proposed", "Actual cash", "Proposed cash", "Cash delta",
                   "Cash delta %"] if cash else []
    cash_formats = {10 + i: MONEY for i in range(5)} | {15: PERCENT} if cash else {}
    # SPEC 6.3: every amount is in the plan's currency; who was paid in another is said at the end.
    paid_in = pay_currencies(document)
    # SPEC 6.4-6.6: held back, true-ups, clawed back, what each floor added, after every earlier column.
    rules, figures = pay_rule_columns(document), pay_rule_figures(document)
    first_rule = 10 + len(cash_header)
    rule_formats = {first_rule + i: MONEY for i in range(len(rules))}
    book.table("CSMs",
               ["CSM", "Name", "Segment", "Actual", "Proposed", "Delta", "Delta %",
                f"Performance: {performance_label(document)}", "Top performer",
                *cash_header, *[heading for _, heading in rules], *(["Paid in"] if paid_in else [])],
               [[c["csm_id"], c["name"], c["segment"], c["actual"], c["proposed"], c["delta"], as_fraction(c["delta_pct"]),
                 c["performance"], "yes" if c["top_performer"] else "",
                 *([c["actual_base"], c["base"], c["actual_cash"], c["proposed_cash"], c["cash_delta"],
                    as_fraction(c["cash_delta_pct"])] if cash else []),
                 *[figures.get(c["csm_id"], {}).get(key) for key, _ in rules],
                 *([paid_in.get(c["csm_id"], "")] if paid_in else [])] for c in document["csms"]],
               formats={4: MONEY, 5: MONEY, 6: MONEY, 7: PERCENT, 8: RATIO, **cash_formats, **rule_formats})
    advances = quarter_advances(document) if has_periods(document) else None
    book.table("Quarters", ["Quarter", "CSMs", "Actual", "Proposed", "Delta", "Delta %",
                            *(["Actual cash", "Proposed cash", "Cash delta", "Cash delta %"]
                              if cash else []), *(["Held back / true-up"] if advances is not None else [])],
               [[q["quarter"], q["csms"], q["actual"], q["proposed"], q["delta"], as_fraction(q["delta_pct"]),
                 *([q["actual_cash"], q["proposed_cash"], q["cash_delta"], as_fraction(q["cash_delta_pct"])] if cash else []),
                 *([advances[q["quarter"]]] if advances is not None else [])]
                for q in quarter_view(document)],
               formats={3: MONEY, 4: MONEY, 5: MONEY, 6: PERCENT, 7: MONEY, 8: MONEY, 9: MONEY, 10: PERCENT,
                        (11 if cash else 7): MONEY})
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
    # The CSV's SPEC 6.4-6.6 columns, in the same order, before the pay currency.
    period = has_periods(document)
    clawed = clawback_components(document)
    figures_of_row = [name for name in ("ramp_adjustment", "guarantee_adjustment")
                      if document["rows"] and name in document["rows"][0]]
    if period:
        header += ["Period", "Earned to date", "Advance adjustment"]
        formats.update({len(header) - 1: MONEY, len(header): MONEY})
    for cid in clawed:
        header.append(f"{cid} clawback")
        formats[len(header)] = MONEY
    for name in figures_of_row:
        header.append(name.replace("_", " ").capitalize())
        formats[len(header)] = MONEY
    if paid_in:
        header += ["Pay currency", "FX rate"]
    rows = []
    for r in sorted(document["rows"], key=lambda r: (r["quarter"], r["csm_id"])):
        cells = [r["quarter"], r["csm_id"], r["name"], r["segment"], r["target_variable"]]
        for cid in components:
            detail = r["components"][cid]
            cells += [detail["metric"], detail.get("attainment"), detail["payout"]]
        cells += [r["cap_adjustment"], r["proposed"], r["actual"], r["delta"], as_fraction(r["delta_pct"])]
        if cash:
            cells += [r["base"], r["actual_base"], r["proposed_cash"], r["actual_cash"], r["cash_delta"]]
        if period:
            cells += [r["period"], r["earned_to_date"], r["advance_adjustment"]]
        cells += [r["components"][cid]["clawback"] for cid in clawed]
        cells += [r[name] for name in figures_of_row]
        if paid_in:
            cells += [r["pay_currency"], r["fx_rate"]]
        rows.append(cells)
    book.table("Rows", header, rows, formats=formats)
    lines = plan_text.splitlines()
    book.listing("Plan", "Plan (YAML)", lines, width=min(120, max([len(line) for line in lines] + [20])))
    return book.save()


def as_fraction(value):
    """SPEC's delta_pct (6.59 means +6.59 %) as the fraction a spreadsheet formats as a percentage."""
    return None if value is None else value / 100


def _bold():
    from openpyxl.styles import Font

    return Font(bold=True)


class _Book:
    """A write-only openpyxl workbook (sheets, styles, panes, filters, widths) whose cells this module
    streams as sheet XML itself: openpyxl's own cell writer takes ~40 µs a cell without lxml (26 s for
    16,000 rows, benchmarks/workbook.py), these lines a tenth; and every text is written as text."""

    def __init__(self):
        from openpyxl import Workbook

        self.book = Workbook(write_only=True)
        self.cells: dict[object, tuple] = {}  # sheet → (rows with the header, styles of each, columns)
        self.styles: dict[tuple, int] = {}

    def table(self, title: str, header: list[str], rows: list[list], formats: dict[int, str],
              row_formats: list[str | None] | None = None) -> None:
        """Header, rows, number formats by column (or by row, past the first column), a frozen header,
        a filter and fitted widths."""
        from openpyxl.utils import get_column_letter

        sheet = self._sheet(title, header, rows, formats, row_formats)
        for column in range(1, len(header) + 1):
            widest = widest_shown([row[column - 1] for row in rows], formats.get(column))
            sheet.column_dimensions[get_column_letter(column)].width = min(60, max(len(header[column - 1]), widest) + 3)
        sheet.freeze_panes = "A2"
        if rows:
            sheet.auto_filter.ref = sheet.calculate_dimension()

    def listing(self, title: str, heading: str, lines: list[str], width: float) -> None:
        """A bold heading over one line of text a row, in one column of the given width."""
        sheet = self._sheet(title, [heading], [[line] for line in lines], {}, None)
        sheet.column_dimensions["A"].width = width

    def save(self) -> bytes:
        """The workbook as bytes: openpyxl's package, each sheet's empty sheetData filled with its cells."""
        import zipfile

        package = io.BytesIO()
        self.book.save(package)
        cells = {sheet.path.lstrip("/"): content for sheet, content in self.cells.items()}  # paths set by save
        out = io.BytesIO()
        with zipfile.ZipFile(package) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                part = source.read(item)
                if item.filename not in cells:
                    target.writestr(item, part)
                    continue
                head, empty, tail = _EMPTY_SHEET_DATA.split(part, maxsplit=1)
                entry = zipfile.ZipInfo(item.filename, item.date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with target.open(entry, "w") as stream:
                    stream.write(head + b"<sheetData>")
                    for chunk in self._rows_xml(*cells[item.filename]):
                        stream.write(chunk.encode("utf-8"))
                    stream.write(b"</sheetData>" + tail)
        return out.getvalue()

    def _sheet(self, title, header, rows, formats, row_formats):
        from openpyxl.utils import get_column_letter

        sheet = self.book.create_sheet(title)
        columns = max([len(header), *map(len, rows)])
        ref = f"A1:{get_column_letter(columns)}{len(rows) + 1}"
        sheet.calculate_dimension = lambda: ref  # openpyxl writes <dimension> when a sheet can say it
        by_column = [formats.get(column) for column in range(1, columns + 1)]

        def styles(by_row):
            return [self._style(sheet, number_format or (by_row if column > 1 else None), False)
                    for column, number_format in enumerate(by_column, 1)]

        # One list of styles a row when formats go by row (the Summary), else one for every row.
        row_styles = [styles(by_row) for by_row in row_formats] if row_formats else [styles(None)] * len(rows)
        header_styles = [self._style(sheet, None, True)] * columns
        self.cells[sheet] = ([header, *rows], [header_styles, *row_styles], columns)
        return sheet

    def _style(self, sheet, number_format: str | None, bold: bool) -> int:
        """openpyxl's style index for a number format and weight (0, the default, for neither)."""
        if not number_format and not bold:
            return 0
        if (number_format, bold) not in self.styles:
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(sheet)
            if number_format:
                cell.number_format = number_format
            if bold:
                cell.font = _bold()
            self.styles[(number_format, bold)] = cell.style_id
        return self.styles[(number_format, bold)]

    @staticmethod
    def _rows_xml(rows, styles, columns):
        """The <row> elements of a sheet, a few hundred rows a chunk."""
        from openpyxl.utils import get_column_letter

        letters = [get_column_letter(column) for column in range(1, columns + 1)]
        attributes: dict[int, list[str]] = {}  # a row's styles → their s="…" attributes, made once
        chunk = []
        for number, (values, row_styles) in enumerate(zip(rows, styles), 1):
            shown = attributes.get(id(row_styles))
            if shown is None:
                shown = attributes[id(row_styles)] = [f' s="{style}"' if style else "" for style in row_styles]
            chunk.append(f'<row r="{number}">')
            for letter, value, style in zip(letters, values, shown):
                if type(value) is float and math.isfinite(value):  # most cells: the short way
                    chunk.append(f'<c r="{letter}{number}"{style}><v>{value:.16g}</v></c>')
                else:
                    chunk.append(_cell_xml(f"{letter}{number}", value, style))
            chunk.append("</row>")
            if len(chunk) > 5000:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk)


_EMPTY_SHEET_DATA = re.compile(rb"(<sheetData\s*/>|<sheetData>\s*</sheetData>)")  # as etree or lxml writes it


def _cell_xml(ref: str, value, s: str) -> str:
    """One cell (s its style attribute, '' for none): a number as a number, anything else as inline
    text (never a formula or an error code), and an empty cell only when it carries a format."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return f'<c r="{ref}"{s}><v>{value:.16g}</v></c>'  # as openpyxl writes numbers
    if value is None or value == "" or isinstance(value, float):  # nothing, or a NaN or an infinity
        return f'<c r="{ref}"{s}/>' if s else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    text = cell_text(str(value))[:32767]  # Excel's limit for a cell, as openpyxl truncates
    space = ' xml:space="preserve"' if text != text.strip() else ""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def cell_text(text: str) -> str:
    """Text a workbook can hold: characters XML refuses (NUL, \\x01, \\x0b, a lone surrogate, ...) as
    their Python escape, so a name that holds one is still written, and shown as it is."""
    return _ILLEGAL.sub(lambda match: escaped(match.group()), text)


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def widest_shown(values: list, number_format: str | None) -> int:
    """The length of the longest of a column's values as shown (0 for none)."""
    if number_format not in (MONEY, PERCENT):
        return max(map(len, map(str, [value for value in values if value is not None])), default=0)
    numbers = [value for value in values if isinstance(value, (int, float))]
    if numbers:
        # An amount or a percentage shown only grows longer with its size: the extremes are the widest.
        values = [min(numbers), max(numbers), *[value for value in values if not isinstance(value, (int, float))]]
    return max(map(len, (shown_text(value, number_format) for value in values)), default=0)


def shown_text(value, number_format) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and number_format == MONEY:
        return f"{value:,.2f}"
    if isinstance(value, (int, float)) and number_format == PERCENT:
        return f"{value:.2%}"
    return str(value)


def side_by_side_xlsx(document: dict) -> bytes:
    """`cscomp compare` as a workbook: the Summary of the plans against actuals, and the CSM matrix."""
    labels = [p["label"] for p in document["plans"]]
    book = _Book()
    plans, actual = document["plans"], document["actual"]
    segments = list(actual["cost_by_segment"])
    cash = bool(document.get("moves_base"))
    variable = " (variable)" if cash else ""
    measures = [
        ("Plan", "actually paid", [p["plan"] for p in plans], None),
        *([("Data", document["data"], ["" for _ in plans], None)] if document.get("data") else []),
        ("Variable cost" if cash else "Total cost", actual["total"], [p["proposed_total"] for p in plans], MONEY),
        ("Delta vs actual" + variable, None, [p["delta"] for p in plans], MONEY),
        ("Delta %" + variable, None, [as_fraction(p["delta_pct"]) for p in plans], PERCENT),
        *([("Base", actual["base_total"], [p["base_total"] for p in plans], MONEY),
           ("Total cash (base + variable)", actual["cash_total"], [p["proposed_cash_total"] for p in plans], MONEY),
           ("Cash delta vs actual", None, [p["cash_delta"] for p in plans], MONEY),
           ("Cash delta %", None, [as_fraction(p["cash_delta_pct"]) for p in plans], PERCENT)] if cash else []),
        *[(f"Cost, {s}", actual["cost_by_segment"][s], [p["cost_by_segment"][s] for p in plans], MONEY)
          for s in segments],
        ("CSMs paid more" + (" (total cash)" if cash else ""), None, [p["paid_more"] for p in plans], None),
        ("CSMs paid less" + (" (total cash)" if cash else ""), None, [p["paid_less"] for p in plans], None),
        ("Top performers by", None, [p.get("performance_measure", "") for p in plans], None),
        ("Top performers paid less", None, [", ".join(p["top_performers_paid_less"]) for p in plans], None),
        ("Pay–performance correlation", actual["pay_performance_correlation"],
         [p["pay_performance_correlation"] for p in plans], "0.000"),
        ("Cost as % of retained ARR", as_fraction(actual["cost_pct_of_retained_arr"]),
         [as_fraction(p["cost_pct_of_retained_arr"]) for p in plans], PERCENT),
        # SPEC 6.6: what a plan's floors cost (blank for a plan without that floor).
        *[(f"{label} cost", None, [p.get(f"{name}_total") for p in plans], MONEY)
          for name, label in FLOORS if any(f"{name}_total" in p for p in plans)],
    ]
    book.table("Summary", ["Measure", "actual", *labels],
               [[name, first, *rest] for name, first, rest, _ in measures], formats={},
               row_formats=[number_format for _, _, _, number_format in measures])
    cash_header = ["actual cash", *[f"{label} cash" for label in labels]] if cash else []
    book.table("CSMs", ["CSM", "Name", "Segment", "actual", *labels, *cash_header],
               [[c["csm_id"], c["name"], c["segment"], c["actual"], *[c["proposed"][label] for label in labels],
                 *([c["actual_cash"], *[c["proposed_cash"][label] for label in labels]] if cash else [])]
                for c in document["csms"]],
               formats={column: MONEY for column in range(4, len(labels) + 5 + len(cash_header))})
    return book.save()


RENDERERS = {
    # The plan as it ran: extends resolved, every default filled in, curves on one line.
    Kind.stress_test: lambda result: to_xlsx(result.document, readable_yaml(resolved(result.plan))),
    Kind.compare: lambda result: side_by_side_xlsx(result.document),
}
