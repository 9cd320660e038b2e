"""The board paper: its scorecard shows the chapters' headline values, its key messages and
figures are the executed chapters' own, synthetic values are labelled, and the PDF is tagged
(PDF/UA-1): the structure tree, the site's alt text on every chart, language, title and
embedded fonts are read back from the file (veraPDF is not available, so this is the check)."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from bbp_analysis.board_paper import (
    FOOTER,
    chapter_key_messages,
    cover_html,
    edition_headlines,
    front_page_link,
    site_figures,
    write_board_paper,
)
from bbp_analysis.delivery import views
from bbp_analysis.delivery.tracker import load_tracker
from bbp_analysis.errors import InputError
from bbp_analysis.headline import Headline
from bbp_analysis.main_points import main_points, short_label
from bbp_analysis.params import load_parameters

from support import ROOT, chapter_headlines, write_results

PERIOD = "2025-26"
MESSAGE = "**Measure 9** (2025-26): 12.3% (10.0 to 14.6). A sentence the chapter wrote."
HEADLINE_ALT = "Line chart of a test measure: 3, 1 then 2."


def _png() -> bytes:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 3], [3, 1, 2])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _notebook(title: str, outputs: list[dict]) -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"# {title}"]},
        {
            "cell_type": "code",
            "metadata": {},
            "source": [],
            "execution_count": 1,
            "outputs": [
                {"output_type": "display_data", "metadata": {}, "data": data} for data in outputs
            ],
        },
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _executed(folder: Path, figure_id: str, delivery: list[str] = ()) -> Path:
    """An executed chapter notebook holding a key-messages block and one published figure,
    and a delivery notebook holding the ``delivery`` figures' HTML."""
    folder.mkdir(parents=True)
    encoded = base64.b64encode(_png()).decode("ascii")
    figure = (
        f'<figure class="bbp-figure" id="{figure_id}"><img src="data:image/png;base64,'
        f'{encoded}" alt="{HEADLINE_ALT}" /><figcaption>A test figure. Synthetic data. '
        '<a href="../downloads/x.csv" download>Download</a></figcaption></figure>'
    )
    chapter = [
        {"text/markdown": f"**Key messages** (synthetic data)\n\n- {MESSAGE}"},
        {"text/html": figure},
    ]
    (folder / "objective-9-test.ipynb").write_text(
        _notebook("9. A test chapter", chapter), encoding="utf-8"
    )
    (folder / "delivering-the-plan.ipynb").write_text(
        _notebook("Delivering the plan", [{"text/html": block} for block in delivery]),
        encoding="utf-8",
    )
    return folder


def _delivery_figures(folder: Path) -> list[str]:
    """The delivery chapter's risk matrix as the site publishes it."""
    tracker = load_tracker(ROOT)
    cwd = Path.cwd()
    (folder / "book").mkdir(parents=True)
    os.chdir(folder / "book")  # show_figure writes its download to ../_extra/
    try:
        return [views.risk_figure(tracker, PERIOD).data]
    finally:
        os.chdir(cwd)


def _alts(blocks: list[str]) -> list[str]:
    return [BeautifulSoup(block, "html.parser").find("img")["alt"] for block in blocks]


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> dict:
    """One edition's board paper, written twice (for the determinism check)."""
    params = load_parameters(PERIOD, ROOT)
    expected = chapter_headlines(params)
    figure_id = expected[-1].anchor.partition("#")[2]
    delivery = _delivery_figures(tmp_path_factory.mktemp("site"))
    executed = _executed(tmp_path_factory.mktemp("edition") / "book", figure_id, delivery)
    write_results(executed.parent / "_extra", expected, PERIOD)
    out = write_board_paper(params, executed, executed.parent / "board-paper.pdf", ROOT)
    again = write_board_paper(params, executed, executed.parent / "again.pdf", ROOT)
    return {
        "pdf": out,
        "again": again,
        "expected": expected,
        "alts": [*_alts(delivery), HEADLINE_ALT],  # in reading order: section 4, then 5
    }


@pytest.fixture(scope="module")
def paper(edition) -> tuple[str, list, dict]:
    reader = PdfReader(edition["pdf"])
    pages = [page.extract_text().replace(FOOTER, "") for page in reader.pages]
    return (
        "\n".join(pages),
        edition["expected"],
        {
            "pages": len(reader.pages),
            "first": " ".join(pages[0].split()),
            "images": len(
                {image.indirect_reference.idnum for page in reader.pages for image in page.images}
            ),
        },
    )


def _structure(element: DictionaryObject) -> list[DictionaryObject]:
    """Every structure element under ``element``, depth first (document order)."""
    kids = element.get("/K")
    if kids is None:
        return []
    kids = kids.get_object()
    out = []
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        kid = kid.get_object()
        if isinstance(kid, DictionaryObject) and "/S" in kid:
            out += [kid, *_structure(kid)]
    return out


@pytest.mark.slow
def test_scorecard_values_equal_the_headlines(paper):
    text, expected, _ = paper
    scorecard = " ".join(text.split("1. Scorecard", 1)[1].split("2. Exceptions", 1)[0].split())
    scorecard = re.sub(r"(?<=\w)- (?=\w)", "-", scorecard)  # a word broken at its hyphen
    assert expected, "no chapter module reports a headline"
    for item in expected:
        unit = "%" if item.unit == "%" else f" {item.unit}"
        assert f"{item.value:,.1f}{unit}" in scorecard, item.indicator_id
        assert f"({item.lower:,.1f}{unit} to {item.upper:,.1f}{unit})" in scorecard, (
            item.indicator_id
        )
        assert item.status.capitalize() in scorecard
    assert scorecard.count("[synthetic]") == sum(item.synthetic for item in expected)


@pytest.mark.slow
def test_paper_holds_messages_delivery_risks_and_labels(paper):
    text, _, facts = paper
    flat = " ".join(text.split())
    assert "Measure 9 (2025-26): 12.3% (10.0 to 14.6). A sentence the chapter wrote." in flat
    assert "2. Exceptions" in flat and "5. Delivering the plan and the top risks" in flat
    assert "milestones reported in 2025-26" in flat
    assert "Highest risk: finances (likelihood 4 x impact 5 = 20, falling)" in flat
    assert "Synthetic data" in flat and "illustrative" in flat
    assert "(see below)" not in flat and "3. On the site" in flat
    assert 2 <= facts["pages"] <= 8
    # the site's headline figure and the risk matrix
    assert facts["images"] == 2


@pytest.mark.slow
def test_first_page_is_a_cover_sheet_with_a_guarded_summary(paper):
    """Page 1 of the PDF: the cover sheet's purpose, recommendation and decisions from the
    parameters, and the executive summary: the front page's main points, then delivery."""
    _, expected, facts = paper
    first = facts["first"]
    for heading in ("Purpose", "Recommendation", "Decision asked", "Executive summary"):
        assert heading in first
    assert "Meeting date 18 June 2026" in first
    assert "Sponsor Managing Director" in first and "Author Population health" in first
    assert "illustrative until the partnership sets them" in first
    assert (
        "To give the Board the Harrow Borough Based Partnership's annual review for 2025-26: "
        "where the five partnership outcome measures stand against their targets" in first
    )
    missed = sum(item.status == "not met" for item in expected)
    assert (
        "That the Board notes the scorecard, approves publication of the 2025-26 review, and "
        f"asks the responsible leads to report back on the {missed} headline indicators not met"
        in first
    )
    assert "Note the scorecard and the exceptions (sections 1 and 2)." in first
    assert "Approve publication of the 2025-26 annual review." in first
    assert "{" not in first  # every placeholder written out
    summary = first.split("Executive summary", 1)[1]
    points = main_points(expected)
    assert 3 <= len(points) <= 5
    for point in points:
        assert " ".join(point.split()) in summary, point
    assert "milestones reported in 2025-26" in summary
    # a status is never restated as a comparison the interval does not support
    for item in expected:
        if item.status == "uncertain":
            assert short_label(item) not in summary.split("Short of target:", 1)[-1].split(".")[0]


@pytest.mark.slow
def test_paper_is_tagged_with_headings_tables_and_the_sites_alt_text(edition):
    reader = PdfReader(edition["pdf"])
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    elements = _structure(catalog["/StructTreeRoot"].get_object())
    tags = [str(e["/S"]) for e in elements]
    assert tags[0] == "/Document"
    assert "/H1" in tags and "/H2" in tags
    assert tags.index("/H1") < tags.index("/H2")
    tables = [e for e in elements if e["/S"] == "/Table"]
    assert tables
    for table in tables:
        cells = _structure(table)
        assert {"/TR", "/TH", "/TD"} <= {str(e["/S"]) for e in cells}
        # every data cell names its header cells
        assert all("/Headers" in e["/A"] for e in cells if e["/S"] == "/TD")
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert [str(f["/Alt"]) for f in figures] == edition["alts"]
    assert all(str(f["/Alt"]).strip() for f in figures)


@pytest.mark.slow
def test_paper_has_language_title_and_embedded_fonts(edition):
    reader = PdfReader(edition["pdf"])
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert (
        reader.metadata.title
        == "Board paper: Harrow Borough Based Partnership annual review 2025-26"
    )
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if font["/Subtype"] == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            fonts.append(str(font["/BaseFont"]))
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
    assert fonts and all("DejaVu" in name for name in fonts)


@pytest.mark.slow
def test_same_inputs_give_a_byte_identical_paper(edition):
    assert edition["pdf"].read_bytes() == edition["again"].read_bytes()
    # dated from the edition's meeting date, not the clock
    assert PdfReader(edition["pdf"]).metadata["/CreationDate"] == "D:20260618"


def test_key_messages_and_figures_are_read_from_executed_notebooks(tmp_path):
    executed = _executed(tmp_path / "book", "pm5-test")
    assert chapter_key_messages(executed) == [("9. A test chapter", [MESSAGE])]
    figures = site_figures(executed)
    assert list(figures) == ["pm5-test"]
    assert figures["pm5-test"].png == _png()
    assert figures["pm5-test"].caption == "A test figure. Synthetic data."
    assert figures["pm5-test"].alt == HEADLINE_ALT


@pytest.mark.slow
def test_results_file_headlines_round_trip(tmp_path, paper):
    _, expected, _ = paper
    write_results(tmp_path / "_extra", expected, PERIOD)
    assert edition_headlines(tmp_path / "book") == sorted(
        expected, key=lambda item: (item.measure, item.indicator_id)
    )


def test_front_page_link_points_beside_the_book():
    markup = front_page_link(PERIOD).data
    assert 'href="../board-paper.pdf"' in markup
    assert "2025-26" in markup


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ('"2026-02-30"', "date"),
        ('"2026-03-31"', "date"),  # the period's last day: the meeting must come after it
        ("20260618", "parameter type"),
    ],
)
def test_board_meeting_date_is_a_date_after_the_period(tmp_path, value, rule):
    shutil.copytree(ROOT / "parameters", tmp_path / "parameters")
    path = tmp_path / "parameters" / f"{PERIOD}.yaml"
    path.write_text(
        re.sub(r"(?m)^board_meeting_date: .*$", f"board_meeting_date: {value}", path.read_text())
    )
    with pytest.raises(InputError) as error:
        load_parameters(PERIOD, tmp_path)
    assert (error.value.column, error.value.rule) == ("board_meeting_date", rule)


def test_cover_says_illustrative_only_when_the_parameters_say_so():
    params = load_parameters(PERIOD, ROOT)
    assert "are illustrative until the partnership sets them" in cover_html(params, [])
    real = {**params, "board_cover_illustrative": False, "board_meeting_date": None}
    cover = cover_html(real, [])
    assert "illustrative" not in cover
    assert '<th scope="row">Meeting date</th><td>To be set</td>' in cover


def test_cover_names_the_editions_own_board():
    params = load_parameters(PERIOD, ROOT)
    harrow = cover_html(params, [])
    assert (
        '<th scope="row">Meeting</th><td>Harrow Borough Based Partnership Joint Management '
        "Board</td>" in harrow
    )
    assert "Managing Director, Harrow Borough Based Partnership</td>" in harrow
    brent = cover_html(params.replace(area_code="E09000005", area_name="Brent"), [])
    assert "<td>Brent Borough Based Partnership Joint Management Board</td>" in brent
    assert "Managing Director, Brent Borough Based Partnership</td>" in brent
    assert "Harrow" not in brent
    own = {**params, "board_meeting": "Joint Board of {area_name} ({unknown})"}
    assert "<td>Joint Board of Harrow ({unknown})</td>" in cover_html(own, [])


def test_cover_takes_purpose_recommendation_and_decisions_from_the_parameters():
    params = load_parameters(PERIOD, ROOT)
    own = {
        **params,
        "board_purpose": "To brief {area_name} on {period}.",
        "board_recommendation": "Note the {not_met} misses of the {partnership}.",
        "board_decision": "Agree the plan.\n\nDefer the {period} risks.",
    }
    missed = acsc_like("not met")
    cover = cover_html(own, [missed, missed, acsc_like("met")])
    assert "<h2>Purpose</h2><p>To brief Harrow on 2025-26.</p>" in cover
    assert (
        "<h2>Recommendation</h2><p>Note the 2 misses of the Harrow Borough Based Partnership.</p>"
        in cover
    )
    assert (
        "<h2>Decision asked</h2><ul><li><strong>Agree</strong> the plan.</li>"
        "<li><strong>Defer</strong> the 2025-26 risks.</li></ul>" in cover
    )


def acsc_like(status: str) -> Headline:
    """A headline with the given status (the cover counts those not met)."""
    return Headline(
        measure=5,
        indicator_id=f"pm5-{status}",
        title="Emergency admissions",
        period=PERIOD,
        value=10.8,
        lower=10.4,
        upper=11.2,
        unit="per 1,000 population",
        polarity="low_is_good",
        baseline=None,
        baseline_period="",
        target=9.9,
        target_text="To the NWL average.",
        status=status,
        status_text="A reason.",
        anchor="objective-3-care-pathways#pm5",
        synthetic=True,
        source="Synthetic extract",
    )
