"""The whole pipeline: parameters -> papermill -> Jupyter Book -> site, published atomically."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from bbp_analysis.care_processes import nine_care_processes, plan_practice_counts
from bbp_analysis.params import available_periods

from support import ROOT

pytestmark = pytest.mark.slow


def text_of(soup: BeautifulSoup) -> str:
    """The page's words with every run of white space made one space."""
    return " ".join(soup.get_text().split())


def page(site: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup(
        (site / "book" / f"{name}.html").read_text(encoding="utf-8"), "html.parser"
    )


@pytest.fixture(scope="module")
def default_site(default_build: tuple[Path, Path]) -> Path:
    """The session's build of every edition (``bbp build`` with the default parameters)."""
    return default_build[1]


def test_every_edition_at_its_own_address_and_latest_at_root(default_site: Path) -> None:
    editions = json.loads((default_site / "editions.json").read_text())
    assert editions == {
        "latest": "2025-26",
        "editions": ["2022-23", "2023-24", "2024-25", "2025-26"],
    }
    for period in editions["editions"]:
        params = json.loads((default_site / period / "run-parameters.json").read_text())
        assert params["period"] == period
        assert (default_site / period / "book" / "objective-3-care-pathways.html").is_file()
        assert (default_site / period / "book" / "delivering-the-plan.html").is_file()
        assert (default_site / period / "board-paper.pdf").read_bytes()[:5] == b"%PDF-"
    assert (default_site / "index.html").read_bytes() == (
        default_site / "2025-26" / "index.html"
    ).read_bytes()


def test_build_reports_progress_with_elapsed_time(changed_build: tuple[str, Path, Path]) -> None:
    log, _, site = changed_build
    for step in (
        "loading parameters",
        "checking inputs",
        "checking the synthetic extract",
        "executing 2023-24: book/objective-3-care-pathways.ipynb",
        "2023-24: building the book",
        "publishing to",
        "done",
    ):
        assert step in log
    assert "s] executing 2023-24: book/index.ipynb" in log
    assert json.loads((site / "editions.json").read_text()) == {
        "latest": "2023-24",
        "editions": ["2023-24"],
    }


def test_front_page_states_mission_objectives_and_measures(default_site: Path) -> None:
    front = page(default_site, "index")
    text = text_of(front)
    assert "Working with children, families and communities in Harrow" in text
    for title in (
        "Population health management and health inequalities",
        "Integrated neighbourhood teams",
        "Care pathway transformation",
    ):
        assert title in text
    table = front.find("table", id="partnership-measures-plan")
    assert table is not None and table.find("caption") is not None
    measures = {row.find("td").get_text() for row in table.find("tbody").find_all("tr")}
    assert {m.split(".")[0] for m in measures} == {"1", "2", "3", "4", "5"}
    assert (default_site / "downloads" / "partnership-measures-plan.csv").is_file()
    link = front.find("p", class_="bbp-board-paper").find("a")
    assert (default_site / "book" / link["href"]).resolve() == (
        default_site / "board-paper.pdf"
    ).resolve()
    assert (default_site / "board-paper.pdf").is_file()


def test_objective_3_shows_nine_care_processes_table_and_chart(default_site: Path) -> None:
    chapter = page(default_site, "objective-3-care-pathways")
    # the charts are detail: on the indicator's page, linked from the chapter
    measure = page(default_site, "indicators/diabetes-9cp")
    assert chapter.find("figure", id="nine-care-processes-pcn") is None
    figure = measure.find("figure", id="nine-care-processes-pcn")
    assert figure is not None
    image = figure.find("img")
    assert image["src"].startswith("data:image/png;base64,")
    assert "Highest: Healthsense PCN (36.7%)" in image["alt"]
    assert chapter.find("a", href="indicators/diabetes-9cp.html") is not None
    assert measure.find("figure", id="nine-care-processes-practice") is not None
    # The chart's data, as downloaded, equal the values computed here from the plan's table.
    expected = nine_care_processes(plan_practice_counts(ROOT), area_name="Harrow", threshold=10)
    csv = (default_site / "downloads" / "nine-care-processes-pcn.csv").read_text()
    pcn_rows = expected[expected["level"] == "pcn"]
    for _, row in pcn_rows.iterrows():
        assert f"{row['area']},{row['numerator']},{row['denominator']}" in csv
    text = text_of(chapter)
    assert "4,988 of 20,831 people with diabetes" in text
    assert "23.9%" in text and "(plan text: 23%)" in text


def test_measures_tables_on_objective_pages(default_site: Path) -> None:
    assert (
        page(default_site, "objective-1-population-health").find("table", id="measures-1-2-plan")
        is not None
    )
    assert (
        page(default_site, "objective-2-neighbourhood-teams").find("table", id="measures-3-4-plan")
        is not None
    )


def test_no_code_errors_or_parameters_cells_published(default_site: Path) -> None:
    for html in (default_site / "book").glob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "Traceback" not in text, html.name
        assert "injected-parameters" not in text, html.name


def test_changed_parameter_changes_the_output(
    changed_build: tuple[str, Path, Path], default_site: Path
) -> None:
    _, _, out = changed_build
    params = json.loads((out / "run-parameters.json").read_text())
    assert params["confidence"] == 0.998 and params["period"] == "2023-24"
    text = text_of(page(out, "objective-3-care-pathways"))
    assert "2023-24 (1 April 2023 to 31 March 2024)" in text
    assert "99.8%" in text
    wide = nine_care_processes(
        plan_practice_counts(ROOT), area_name="Harrow", threshold=10, confidence=0.998
    )
    borough = wide.iloc[0]
    assert f"({borough['lower']:.1f}% to {borough['upper']:.1f}%)" in text
    default_text = text_of(page(default_site, "objective-3-care-pathways"))
    assert f"({borough['lower']:.1f}% to {borough['upper']:.1f}%)" not in default_text


def test_failing_notebook_names_cell_and_keeps_previous_site(
    tmp_path: Path, warm_project: Path, default_site: Path, bbp
) -> None:
    project = warm_project  # the build below reuses the session's executed notebooks
    out = tmp_path / "site"
    # the previous site is a copy of the session's (a one-edition build that succeeds is
    # test_changed_parameter_changes_the_output's, and test_pcn_views' for each PCN)
    shutil.copytree(default_site, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    template = project / "book" / "objective-2-neighbourhood-teams.ipynb"
    notebook = nbformat.read(template, as_version=4)
    notebook.cells.insert(4, nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure')"))
    nbformat.write(notebook, template)
    # the first period: its edition has no earlier period whose results it must recompute
    # (the changed chapter's results runs for each earlier period would run before it fails)
    first = available_periods(project)[0]
    result = bbp("build", "--period", first, "--out", str(out), root=project)
    assert result.returncode == 2
    assert f"executing {first}: book/objective-2-neighbourhood-teams.ipynb" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "bbp build: error: objective-2-neighbourhood-teams.ipynb: cell 4 raised "
        "RuntimeError: deliberate failure"
    )
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not (tmp_path / ".site.staging").exists()
