"""Benchmark `--format xlsx`: the workbook's time grows with its rows, linearly, in one run.

    python benchmarks/workbook.py                  # generates benchmarks/data/workbook on first use
    python benchmarks/workbook.py --no-reference   # skip openpyxl's own cell writer (≈30 s)

Replays benchmarks/plan_all.yaml (every construct; a pay_mix, so the cash columns too: 39 columns
in the Rows sheet) over 2,000 CSMs × 8 quarters, then writes the workbook of the first eighth of
the CSMs and of all of them (medians of several runs). Linear means 8 × the rows take ≈ 8 × the
time. For reference, the same Rows sheet through openpyxl's own write-only cell writer, which the
workbook no longer uses for cells. Writes its section of RESULTS.md (run.py keeps it).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

PLAN = HERE / "plan_all.yaml"
DATA = HERE / "data" / "workbook"
MARKER = "<!-- benchmarks/workbook.py -->"


def documents(data: Path) -> tuple[dict, dict]:
    """The stress-test document of the whole org, and of its first eighth of CSMs."""
    from cscomp_cli.analyses.stress_test import build_document
    from cscomp_cli.engine.replay import replay
    from cscomp_cli.engine.versus_actual import compare_with_actual
    from cscomp_cli.inputs.dataset import load_dataset
    from cscomp_cli.plan.loading import load_plan

    plan = load_plan(PLAN)
    full = build_document(compare_with_actual(replay(plan, load_dataset(data, columns=plan.account_columns()), 8)),
                          data=str(data))
    ids = sorted({row["csm_id"] for row in full["rows"]})
    keep = set(ids[:len(ids) // 8])
    part = {**full, "rows": [r for r in full["rows"] if r["csm_id"] in keep],
            "csms": [c for c in full["csms"] if c["csm_id"] in keep]}
    return part, full


def openpyxl_rows_sheet(document: dict) -> bytes:
    """The Rows sheet (bold header, a number format on every number) through openpyxl's own
    write-only cell writer, as the workbook would be without its streamed cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from cscomp_cli.render.xlsx import MONEY, PERCENT, RATIO, as_fraction

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Rows")
    components = list(document["rows"][0]["components"])
    header = ["Quarter", "CSM", "Name", "Segment", "Target variable"]
    formats = [None, None, None, None, MONEY]
    for cid in components:
        header += [f"{cid} metric", f"{cid} attainment", f"{cid} payout"]
        formats += [RATIO, RATIO, MONEY]
    header += ["Cap adjustment", "Proposed", "Actual", "Delta", "Delta %", "Base", "Actual base", "Proposed cash",
               "Actual cash", "Cash delta"]
    formats += [MONEY] * 4 + [PERCENT] + [MONEY] * 5
    heading = []
    for name in header:
        heading.append(WriteOnlyCell(sheet, value=name))
        heading[-1].font = Font(bold=True)
    sheet.append(heading)
    for r in document["rows"]:
        values = [r["quarter"], r["csm_id"], r["name"], r["segment"], r["target_variable"]]
        for cid in components:
            detail = r["components"][cid]
            values += [detail["metric"], detail.get("attainment"), detail["payout"]]
        values += [r["cap_adjustment"], r["proposed"], r["actual"], r["delta"], as_fraction(r["delta_pct"]), r["base"],
                   r["actual_base"], r["proposed_cash"], r["actual_cash"], r["cash_delta"]]
        cells = []
        for value, number_format in zip(values, formats):
            cell = WriteOnlyCell(sheet, value=value)
            if number_format:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def keep_section(path: Path) -> str:
    """This benchmark's section of RESULTS.md as it stands ('' if none), for run.py to keep."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return text[text.index(MARKER):] if MARKER in text else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--no-reference", action="store_true", help="skip openpyxl's own cell writer")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)

    import generate
    from measuring import machine, timed
    from openpyxl import load_workbook

    from cscomp_cli.plan.diff import resolved
    from cscomp_cli.plan.loading import load_plan
    from cscomp_cli.render.html import readable_yaml
    from cscomp_cli.render.xlsx import to_xlsx

    if not (DATA / "accounts.csv").exists():
        generate.main(["--csms", "2000", "--accounts", "20000", "--out", str(DATA)])
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    load = os.getloadavg()[0]
    small, large = documents(DATA)
    plan_text = readable_yaml(resolved(load_plan(PLAN)))
    rows_ratio = len(large["rows"]) / len(small["rows"])
    small_s, small_book = timed(lambda: to_xlsx(small, plan_text), args.repeat)
    log(f"workbook of {len(small['rows']):,} rows: {small_s:.2f} s")
    large_s, large_book = timed(lambda: to_xlsx(large, plan_text), args.repeat)
    log(f"workbook of {len(large['rows']):,} rows: {large_s:.2f} s")
    book = load_workbook(io.BytesIO(small_book), read_only=True)
    read_rows = list(book["Rows"].iter_rows(min_row=2, values_only=True))
    header = next(book["Rows"].iter_rows(max_row=1, values_only=True))
    proposed = round(sum(row[header.index("Proposed")] for row in read_rows), 2)
    expected = round(sum(row["proposed"] for row in small["rows"]), 2)  # its summary is the whole org's
    reads_back = len(read_rows) == len(small["rows"]) and abs(proposed - expected) < 0.005
    cells = len(read_rows) * len(header)
    reference = None
    if not args.no_reference:
        reference = [timed(lambda d=d: openpyxl_rows_sheet(d), 1)[0] for d in (small, large)]
        log(f"openpyxl's cell writer, Rows sheet only: {reference[0]:.1f} s, {reference[1]:.1f} s")

    growth = large_s / small_s
    checks = [
        (f"a {len(large['rows']):,}-row workbook in < 5 s", large_s < 5, f"{large_s:.2f} s "
         f"({len(large_book) / 1e6:.1f} MB)"),
        (f"linear: {rows_ratio:.2f} × the rows take ≤ 1.25 × {rows_ratio:.2f} the time", growth <= 1.25 * rows_ratio,
         f"{small_s:.2f} s → {large_s:.2f} s: {growth:.2f} ×"),
        ("the small workbook reads back (openpyxl): every row, the proposed total to the cent", reads_back,
         f"{len(read_rows):,} rows × {len(header)} columns ({cells:,} cells), {proposed:,.2f}"),
        ("openpyxl's own write-only cell writer, the Rows sheet alone (for reference)", None,
         "skipped" if reference is None else f"{reference[0]:.1f} s → {reference[1]:.1f} s: "
         f"{reference[1] / reference[0]:.2f} ×; {reference[1] / large_s:.0f} × the whole workbook's time"),
    ]
    section = [
        MARKER,
        "## Workbook (`--format xlsx`)",
        "",
        f"Written by `python benchmarks/workbook.py{' --no-reference' if reference is None else ''}` on "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}.",
        "",
        f"- Machine: {machine()}; load average {load:.1f} when the run began (the CPUs may be shared)",
        f"- Data: `{DATA.relative_to(REPO)}` (2,000 CSMs, 8 quarters) replayed with `benchmarks/plan_all.yaml`; "
        f"workbooks of {len(small['rows']):,} and {len(large['rows']):,} CSM-quarter rows "
        f"({len(small['csms'])} and {len(large['csms']):,} CSMs)",
        f"- Medians of {args.repeat} runs in one process (the reference: 1 run)",
        "- Before the workbook was streamed (issue 10), openpyxl looked up the sheet's last row once a row: "
        "19.2 s for these 1,987 rows and 88.3 s for twice as many (4.6 ×, quadratic), on the same machine",
        "",
        "| target | met | measured |",
        "|---|:---:|---|",
        *[f"| {name} | {'—' if ok is None else ('yes' if ok else '**no**')} | {measured} |"
          for name, ok, measured in checks],
        "",
    ]
    existing = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    kept = existing[:existing.index(MARKER)] if MARKER in existing else existing
    args.output.write_text(kept.rstrip("\n") + "\n\n" + "\n".join(section), encoding="utf-8")
    print("\n".join(section))
    return 0 if all(ok is not False for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
