"""The files a leader forwards: the HTML report (parses, holds every chart, opens in headless
Chromium with a non-blank screenshot) and the Excel workbook (read back, its numbers equal JSON's)."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from .conftest import REPO, run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHARTS = ["chart-dumbbell", "chart-distribution", "chart-scatter", "chart-quarters", "chart-segments"]


def sample(*args: str):
    return run("stress-test", REPO / "plans" / "nrr_focus.yaml", "--data", REPO / "sample_data", *args)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    result = sample("--format", "html", "--output", path, "-q")
    assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture(scope="module")
def document():
    return json.loads(sample("--format", "json", "-q").stdout)


class Outline(HTMLParser):
    """Tags, ids and text of a page, and whether every opened tag was closed."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "path", "rect", "circle", "line", "use", "stop"}

    def __init__(self):
        super().__init__()
        self.ids, self.tags, self.text, self.open = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.ids.update(value for name, value in attrs if name == "id")
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.ids.update(value for name, value in attrs if name == "id")

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.open and self.open[-1] == tag, (tag, self.open[-5:])
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_the_html_parses_and_holds_every_chart(report, document):
    page = Outline()
    page.feed(report.read_text(encoding="utf-8"))
    assert page.open == []  # every tag closed
    assert set(CHARTS) <= page.ids
    assert page.tags.count("svg") >= len(CHARTS)
    text = " ".join(page.text)
    assert "$814,684.54" in text and "$1,034,467.15" in text  # the headline numbers of the JSON
    assert document["summary"]["proposed_total"] == 814684.54
    for csm in document["summary"]["top_performers_paid_less"]:
        assert csm in text
    assert "name: FY27 proposal" in text  # the plan itself


def test_the_html_needs_no_network(report):
    # Namespace names (xmlns="http://www.w3.org/2000/svg") are identifiers, never fetched; anything
    # a browser would load is: src, a stylesheet link, an import, a url(), an external href.
    content = report.read_text(encoding="utf-8")
    for reference in ("src=", "<link", "@import", "url(http", "url('http", 'href="http', "href='http", "<script"):
        assert reference not in content, reference


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_report_opens_in_headless_chromium(report, tmp_path):
    from matplotlib.image import imread

    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,1600",
                    f"--screenshot={shot}", report.as_uri()], capture_output=True, timeout=120, check=False)
    assert shot.exists(), "chromium wrote no screenshot"
    pixels = imread(shot)
    assert pixels.shape[0] == 1600 and pixels.shape[1] == 1200
    # Not blank: charts and text put many distinct colours on the page, and both blue and grey dots.
    assert pixels.std() > 0.05
    assert len({tuple(p) for p in (pixels[::8, ::8, :3] * 255).astype(int).reshape(-1, 3)}) > 50


def test_the_workbook_holds_the_json_numbers(tmp_path, document):
    from openpyxl import load_workbook

    path = tmp_path / "result.xlsx"
    assert sample("--format", "xlsx", "--output", path, "-q").exit_code == 0
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "CSMs", "Quarters", "Rows", "Plan"]
    summary = {row[0].value: row[1] for row in book["Summary"].iter_rows(min_row=2)}
    assert summary["Actually paid"].value == document["summary"]["actual_total"]
    assert summary["Proposed plan"].value == document["summary"]["proposed_total"]
    assert summary["Difference %"].value == pytest.approx(document["summary"]["delta_pct"] / 100)
    assert summary["Difference %"].number_format == "0.00%"
    csms = book["CSMs"]
    assert csms.freeze_panes == "A2" and csms.auto_filter.ref == csms.dimensions
    by_id = {row[0]: row for row in csms.iter_rows(min_row=2, values_only=True)}
    for csm in document["csms"]:
        row = by_id[csm["csm_id"]]
        assert (row[3], row[4], row[5]) == (csm["actual"], csm["proposed"], csm["delta"])
    assert csms["D2"].number_format.startswith("#,##0.00")
    rows = list(book["Rows"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(document["rows"])
    header = [cell.value for cell in book["Rows"][1]]
    proposed = header.index("Proposed")
    assert sum(r[proposed] for r in rows) == pytest.approx(document["summary"]["proposed_total"], abs=0.005)
    assert book["Plan"]["A2"].value.startswith("name:")


def test_xlsx_needs_an_output_file():
    result = sample("--format", "xlsx")
    assert result.exit_code == 2 and "give it a file" in result.stderr


def test_compare_html_and_workbook(tmp_path):
    from openpyxl import load_workbook

    plans = [REPO / "plans" / "current.yaml", REPO / "plans" / "nrr_focus.yaml"]
    args = ["compare", *plans, "--data", REPO / "sample_data", "-q"]
    document = json.loads(run(*args, "--format", "json").stdout)
    page = Outline()
    assert run(*args, "--format", "html", "--output", tmp_path / "plans.html").exit_code == 0
    page.feed((tmp_path / "plans.html").read_text(encoding="utf-8"))
    assert page.open == [] and "chart-segments" in page.ids and "svg" in page.tags
    assert "$814,684.54" in " ".join(page.text)
    assert run(*args, "--format", "xlsx", "--output", tmp_path / "plans.xlsx").exit_code == 0
    book = load_workbook(tmp_path / "plans.xlsx")
    summary = {row[0]: row[1:] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Total cost"] == (document["actual"]["total"], *[p["proposed_total"] for p in document["plans"]])
    matrix = {row[0]: row for row in book["CSMs"].iter_rows(min_row=2, values_only=True)}
    for csm in document["csms"]:
        assert matrix[csm["csm_id"]][3:] == (csm["actual"], csm["proposed"]["current"], csm["proposed"]["nrr_focus"])
