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
    assert "$1,188,922.19" in text and "$1,473,881.79" in text  # the headline numbers of the JSON
    assert document["summary"]["proposed_total"] == 1188922.19
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
    plan_lines = [row[0] for row in book["Plan"].iter_rows(min_row=2, values_only=True)]
    assert "  curve: [[0.95, 0.0], [1.0, 1.0], [1.05, 1.75]]" in plan_lines  # a curve on one line, not '- - 0.95'


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
    assert "$1,188,922.19" in " ".join(page.text)
    assert run(*args, "--format", "xlsx", "--output", tmp_path / "plans.xlsx").exit_code == 0
    book = load_workbook(tmp_path / "plans.xlsx")
    summary = {row[0]: row[1:] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Total cost"] == (document["actual"]["total"], *[p["proposed_total"] for p in document["plans"]])
    matrix = {row[0]: row for row in book["CSMs"].iter_rows(min_row=2, values_only=True)}
    for csm in document["csms"]:
        assert matrix[csm["csm_id"]][3:] == (csm["actual"], csm["proposed"]["current"], csm["proposed"]["nrr_focus"])


# --- the charts and the plan section, measured ------------------------------------------------

# Five CSMs paid exactly 50, 75, 100, 125 and 200 % of their quarter's target variable (TV = annual / 4),
# with amounts whose float division is not exact: 100 × 3,072.39 / 4,096.52 is 74.99999999999999 in
# floating point though 4,096.52 × 0.75 = 3,072.39 exactly. C1 and C4 share a name.
EDGE_ROSTER = """\
csm_id,name,segment,annual_base,annual_variable
C1,Ana Lima,Enterprise,100000,20972.08
C2,Bo Berg,Enterprise,100000,16386.08
C3,Chen Wu,SMB,100000,20972.08
C4,Ana Lima,SMB,100000,16000.48
C5,Dee Park,SMB,100000,20972.08
"""
EDGE_PAYOUTS = """\
quarter,csm_id,amount
2026Q1,C1,2621.51
2026Q1,C2,3072.39
2026Q1,C3,5243.02
2026Q1,C4,5000.15
2026Q1,C5,10486.04
"""
# TVs: 20,972.08 / 4 = 5,243.02; 16,386.08 / 4 = 4,096.52; 16,000.48 / 4 = 4,000.12.
# Actual shares: 2,621.51 / 5,243.02 = 50 %; 3,072.39 / 4,096.52 = 75 %; 5,243.02 / 5,243.02 = 100 %;
# 5,000.15 / 4,000.12 = 125 %; 10,486.04 / 5,243.02 = 200 %. Every book is flat (nrr 1.0), so the NRR
# plan pays each CSM f(1.0) = 1.0 × TV: 100 % of target.
EDGE_ACCOUNTS = "quarter,account_id,csm_id,arr_start,expansion,contraction,churn\n" + "".join(
    f"2026Q1,A{i},C{i},100000,0,0,0\n" for i in range(1, 6))


@pytest.fixture
def edge_org(data_dir):
    import yaml

    from .conftest import NRR_PLAN

    return data_dir(roster=EDGE_ROSTER, accounts=EDGE_ACCOUNTS, payouts=EDGE_PAYOUTS, plan=yaml.safe_dump(NRR_PLAN))


@pytest.fixture
def edge_document(edge_org):
    result = run("stress-test", edge_org / "plan.yaml", "--data", edge_org, "--quarters", "1", "--format", "json",
                 "-q")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def close_figures():
    """Tests keep figures open to measure them; close them after (pyplot warns past 20)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def figures_of(document):
    from cscomp_cli.render.html import chart_figures

    return chart_figures(document)


def test_a_csm_exactly_at_a_band_edge_is_in_the_band_that_starts_there(edge_document):
    from cscomp_cli.render.views import pay_share_buckets

    assert pay_share_buckets(edge_document) == [
        ("<50 %", 0, 0), ("≥50 to <75 %", 1, 0), ("≥75 to <100 %", 1, 0), ("≥100 to <125 %", 1, 5),
        ("≥125 to <150 %", 1, 0), ("≥150 to <200 %", 0, 0), ("≥200 %", 1, 0)]
    # The HTML histogram bins the same way, in bars of 10 points: 50 in 50–60, 75 in 70–80, 100 in
    # 100–110 (not 90–100), 125 in 120–130, 200 in 200–210.
    axes = figures_of(edge_document)["distribution"].axes[0]
    actual, proposed = axes.containers
    assert actual.patches[0].get_label() == "actually paid" and proposed.patches[0].get_label() == "proposed"
    bars = lambda bars: {round(p.get_x()): round(p.get_height()) for p in bars if p.get_height()}  # noqa: E731
    assert bars(actual) == {50: 1, 70: 1, 100: 1, 120: 1, 200: 1}
    assert bars(proposed) == {100: 5}


def test_the_histogram_counts_whole_csms(edge_document):
    # At most one CSM per bar in the actual histogram: matplotlib's own ticks would be 0, 0.2, 0.4, …
    figure = figures_of(edge_document)["distribution"]
    figure.canvas.draw()
    ticks = [t for t in figure.axes[0].get_yticks() if 0 <= t <= figure.axes[0].get_ylim()[1]]
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks


def legend_clashes(figure) -> list[str]:
    """What each axes' legend covers: bars, dots, the plotting area itself, the title, or the edge."""
    from matplotlib.text import Text

    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    clashes = []
    for axes in figure.axes:
        legend = axes.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent(renderer)
        if box.overlaps(axes.get_window_extent(renderer)):
            clashes.append("the plotting area")
        clashes += [f"bar at {p.get_x():g}" for p in axes.patches if box.overlaps(p.get_window_extent(renderer))]
        for collection in axes.collections:
            for x, y in axes.transData.transform(collection.get_offsets()):
                if box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1:
                    clashes.append(f"dot at {x:.0f},{y:.0f}")
        title = axes.get_title(loc="left")
        clashes += ["the title" for text in figure.findobj(Text)
                    if text.get_text() == title and box.overlaps(text.get_window_extent(renderer))]
        if box.x0 < 0 or box.y0 < 0 or box.x1 > figure.bbox.x1 or box.y1 > figure.bbox.y1:
            clashes.append("the figure's edge")
    return clashes


def test_no_legend_covers_a_bar_or_a_dot(document, edge_document):
    # Inside the axes, the legend sat on the sample org's last quarter and on its Enterprise bar; the
    # edge org has a single quarter whose two bars fill the chart's width.
    for doc in (document, edge_document):
        for name, figure in figures_of(doc).items():
            assert legend_clashes(figure) == [], name


def test_compare_chart_legend_covers_no_bar_even_on_two_rows(tmp_path):
    from cscomp_cli.render.html import side_by_side_figure

    plans = sorted((REPO / "plans").glob("*.yaml"))
    assert len(plans) > 4  # more labels than one legend row holds
    document = json.loads(run("compare", *plans, "--data", REPO / "sample_data", "-q", "--format", "json").stdout)
    assert legend_clashes(side_by_side_figure(document)) == []


def test_the_dumbbell_names_csms(edge_document):
    from cscomp_cli.render.html import charts_svg, csm_labels

    page = Outline()
    page.feed(charts_svg(edge_document)["dumbbell"])
    text = " ".join(page.text)
    # Names a reader knows; the id only beside a name two CSMs share.
    for label in ("Bo Berg", "Chen Wu", "Dee Park", "Ana Lima (C1)", "Ana Lima (C4)"):
        assert label in text, label
    assert "C2" not in text and "C3" not in text and "C5" not in text
    # A CSM without a name goes by their id.
    assert csm_labels([{"csm_id": "C9", "name": ""}, {"csm_id": "C8", "name": None}, {"csm_id": "C7", "name": "Ola"}]) \
        == {"C9": "C9", "C8": "C8", "C7": "Ola"}


PLAN_WITH_COMMENTS = """\
# Draft <for review> & comment: the user's words stay in the report.
name: NRR plan
components:
  - id: retention
    metric: nrr
    weight: 1.0
    target: 1.0
    curve:
      - [0.9, 0]
      - [1.0, 1.0]
      - [1.1, 1.5]
"""


def html_report(args, tmp_path, input=None):
    path = tmp_path / "report.html"
    result = run("stress-test", *args, "--format", "html", "--output", path, "-q", input=input)
    assert result.exit_code == 0, result.stderr
    content = path.read_text(encoding="utf-8")
    plan = content[content.index("<h2>The plan</h2>"):]
    page = Outline()
    page.feed(plan.removesuffix("</body></html>\n"))
    return plan, " ".join(page.text)


def test_the_plan_section_shows_the_file_as_written(data_dir, tmp_path):
    from .conftest import FLAT_ACCOUNTS, PAID_AT_TARGET

    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, plan=PLAN_WITH_COMMENTS)
    raw, text = html_report([folder / "plan.yaml", "--data", folder, "--quarters", "1"], tmp_path)
    assert PLAN_WITH_COMMENTS in text  # comments, layout and the user's own numbers (0, not 0.0)
    assert "&lt;for review&gt; &amp; comment" in raw  # escaped, not markup
    assert "- - 0.9" not in text


def test_the_plan_section_for_a_plan_from_stdin_reads_like_a_plan(data_dir, tmp_path):
    from .conftest import FLAT_ACCOUNTS, PAID_AT_TARGET

    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET)
    _, text = html_report(["-", "--data", folder, "--quarters", "1"], tmp_path, input=PLAN_WITH_COMMENTS)
    assert "standard input" in text
    assert "curve: [[0.9, 0.0], [1.0, 1.0], [1.1, 1.5]]" in text and "- - 0.9" not in text
    assert "weight: 1.0" in text and "null" not in text


def test_the_plan_section_for_a_plan_that_extends_another_shows_what_ran(data_dir, tmp_path):
    from .conftest import FLAT_ACCOUNTS, PAID_AT_TARGET

    folder = data_dir(accounts=FLAT_ACCOUNTS, payouts=PAID_AT_TARGET, plan=PLAN_WITH_COMMENTS)
    child = "# Only the cap changes.\nextends: plan.yaml\nname: Capped NRR plan\ncap: 1.5\n"
    (folder / "capped.yaml").write_text(child, encoding="utf-8")
    raw, text = html_report([folder / "capped.yaml", "--data", folder, "--quarters", "1"], tmp_path)
    assert "capped.yaml extends plan.yaml" in text
    shown = raw[raw.index("<pre id='plan'>"):raw.index("</pre>")]
    # The merged plan: the parent's component with its curve on one line, the child's name and cap.
    assert "name: Capped NRR plan" in shown and "cap: 1.5" in shown
    assert "curve: [[0.9, 0], [1.0, 1.0], [1.1, 1.5]]" in shown and "- - 0.9" not in shown
    assert "extends" not in shown
    assert child in text  # the file as written, beside it
