"""Published statistics: the folder's index, the resolver's order (published, computed, not
available) and its citations, a Fingertips export replacing a comparator on the scorecard and
in the chapter, and ``bbp data fetch-published`` without fingertips_py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from cli_in_process import run_cli
from fingertips_fixture import ROWS, write_fixture

from bbp_analysis import extract, published
from bbp_analysis.catalogue import read_indicators
from bbp_analysis.chapters import objective_1 as o1
from bbp_analysis.errors import InputError
from bbp_analysis.params import RunParameters, load_parameters
from bbp_analysis.scorecard import scorecard_html

from support import ROOT

PM1 = "pm1-tooth-decay-5"


@pytest.fixture(scope="module")
def params(repository_extract: Path) -> dict:
    """The 2025-26 parameters; the comparators they fall back on are the default extract's."""
    return load_parameters("2025-26")


@pytest.fixture
def with_export(tmp_path: Path, params: RunParameters) -> RunParameters:
    """The run's parameters with a published folder holding the test Fingertips export."""
    write_fixture(tmp_path / "published" / "indicator-data.csv")
    return params.replace(published_folder=str(tmp_path / "published"))


def simulated(area_code: str, period: str) -> float:
    table = pd.read_parquet(extract.extract_folder("E09000015") / "comparators.parquet")
    row = table[
        (table["Indicator ID"] == "oral_health_decay_age5")
        & (table["Area Code"] == area_code)
        & (table["Time period"] == period)
    ]
    return float(row["Value"].iloc[0])


def test_shipped_folder_lists_the_plan_and_the_real_public_files(params: dict) -> None:
    where = published.folder(params)
    assert where == (ROOT / "data" / "published").resolve()
    found = published.sources(where)
    assert [(s.path.name, s.layout) for s in found] == [
        ("partnership_measures.csv", "plan"),
        ("indicator-data_93553_gp.csv", "fingertips"),
        ("gp-reg-pat-prac-all_2021-01.csv", "registrations"),
        ("harrow_E09000015_iod2019_lsoa11.csv", "imd"),
        ("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz", "imd"),
    ]
    assert found[1].file_date == "2022-07-12"
    assert published.check(where)[0] == "partnership_measures.csv"


def test_the_plans_figures_resolve_cited_to_the_plan(params: dict) -> None:
    london = published.resolve(PM1, "London", published.PLAN, params)
    assert (london.value, london.origin, london.synthetic) == (27.0, "published", False)
    assert "Harrow Borough Partnership Plan" in london.citation
    assert "period not stated" in london.citation
    assert "file data/reference/partnership_measures.csv" in london.citation
    assert published.resolve(PM1, "England", published.PLAN, params).value == 23.4
    assert published.resolve(PM1, "area", published.PLAN, params).value == 42.4
    poor = published.resolve("pm2-gp-access-poor", "NWL", published.PLAN, params)
    assert poor.value == 12.0
    assert published.resolve(PM1, "NWL", published.PLAN, params).origin == "not available"


def test_a_simulated_comparator_is_labelled_synthetic_never_published(params: dict) -> None:
    nwl = published.resolve(PM1, "NWL", "2025-26", params)
    assert nwl.value == simulated("E54000027", "2025/26")
    assert (nwl.origin, nwl.synthetic, nwl.label) == ("computed", True, "synthetic")
    assert "not a published figure" in nwl.citation
    good = published.resolve("pm2-gp-access-good", "NWL", "2021-22", params)
    assert good.value == 71.0 and good.synthetic  # the plan's figure, placed in a year
    assert good.citation.startswith(published.PLAN_PLACED)


def test_not_available_when_nothing_holds_the_value(params: dict) -> None:
    assert published.resolve(PM1, "NWL", "2030-31", params).origin == "not available"
    assert published.resolve(PM1, "area", "2025-26", params).value is None
    computed = published.Resolved(45.1, "computed", "the extract", synthetic=True)
    assert published.resolve(PM1, "area", "2025-26", params, computed) is computed
    registered = published.resolve("o1-registered-population", "NWL", "2025-26", params)
    assert registered == published.Resolved(None, "not available", "")


def test_a_fingertips_export_replaces_the_comparator_with_its_citation(with_export) -> None:
    england = published.resolve(PM1, "England", "2025-26", with_export)
    assert (england.value, england.lower, england.upper) == (21.5, 20.0, 23.0)
    assert (england.origin, england.synthetic) == ("published", False)
    assert "indicator 93563" in england.citation and "TEST VALUES" in england.citation
    assert "indicator-data.csv, file date not recorded" in england.citation
    assert published.resolve(PM1, "London", "2025-26", with_export).value == 24.8
    assert published.resolve(PM1, "England", "2023-24", with_export).value == 22.0
    harrow = published.resolve(PM1, "area", "2025-26", with_export)
    assert harrow.value == 39.6 and harrow.origin == "published"
    nwl = published.resolve(PM1, "NWL", "2025-26", with_export)  # no NWL row in the export
    assert nwl.synthetic and nwl.value == simulated("E54000027", "2025/26")


def test_a_later_indexed_file_wins_and_its_date_is_cited(tmp_path: Path, params) -> None:
    folder = tmp_path / "published"
    write_fixture(folder / "first.csv")
    later = tuple((*r[:6], 19.0) for r in ROWS)
    write_fixture(folder / "second.csv", rows=later)
    (folder / "sources.yaml").write_text(
        yaml.safe_dump(
            {
                "files": [
                    {"path": "first.csv", "layout": "fingertips", "publisher": "OHID"},
                    {
                        "path": "second.csv",
                        "layout": "fingertips",
                        "publisher": "OHID",
                        "file_date": "2026-05-01",
                    },
                ]
            }
        )
    )
    found = published.resolve(PM1, "England", "2025-26", {**params, "published_folder": folder})
    assert found.value == 19.0
    assert found.citation.endswith("second.csv, dated 2026-05-01")


def test_other_sex_or_age_rows_are_not_taken(tmp_path: Path, params: dict) -> None:
    path = write_fixture(tmp_path / "published" / "x.csv")
    path.write_text(path.read_text().replace(",Persons,5 yrs,", ",Persons,All ages,"))
    found = published.resolve(
        PM1, "England", "2025-26", {**params, "published_folder": path.parent}
    )
    assert found.synthetic and found.value == simulated("E92000001", "2025/26")


def test_a_category_breakdown_row_is_not_taken_for_the_whole_area(tmp_path, params) -> None:
    path = write_fixture(tmp_path / "published" / "x.csv")
    lines = path.read_text().splitlines()
    england = next(line for line in lines if ",E92000001,England,England," in line)
    breakdown = england.replace(
        ",5 yrs,,,2025/26,21.5,", ",5 yrs,Deprivation deciles,Most deprived,2025/26,30.0,"
    )
    assert breakdown != england
    path.write_text("\n".join([lines[0], breakdown]) + "\n")
    found = published.resolve(
        PM1, "England", "2025-26", {**params, "published_folder": path.parent}
    )
    assert found.synthetic and found.value == simulated("E92000001", "2025/26")


def test_a_file_of_unknown_layout_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputError) as caught:
        published.sources(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path.resolve() / 'notes.csv'}: published layout: not a Fingertips all_data "
        "export; name its layout, publisher and date in sources.yaml"
    )


def test_an_index_entry_breaking_a_rule_names_row_and_field(tmp_path: Path) -> None:
    write_fixture(tmp_path / "a.csv")
    (tmp_path / "sources.yaml").write_text(
        "files:\n  - {path: a.csv, layout: fingertips, publisher: OHID, file_date: May 2026}\n"
    )
    with pytest.raises(InputError) as caught:
        published.sources(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'sources.yaml'}: row 1, column 'file_date': published source: "
        "'May 2026' is not a date YYYY-MM-DD"
    )


def test_catalogue_refuses_an_unknown_published_field(tmp_path: Path) -> None:
    entry = (ROOT / "src/bbp_analysis/catalogue/indicators/objective-1.yaml").read_text()
    (tmp_path / "x.yaml").write_text(entry.replace("      sex: Persons\n", "      gender: P\n", 1))
    with pytest.raises(InputError) as caught:
        read_indicators(tmp_path)
    assert "column 'published'" in str(caught.value)
    assert "unknown published field 'gender'" in str(caught.value)


def test_the_export_replaces_the_comparator_on_scorecard_and_chapter(with_export) -> None:
    head = o1.headline_pm1(with_export)
    assert head.period == "2025-26"
    assert head.comparators["England"] == 21.5 and head.comparators["London"] == 24.8
    assert "indicator-data.csv" in head.comparator_sources["England"]
    assert "indicator 93563" in head.comparator_sources["England"]
    assert head.comparator_sources["NWL"] == "synthetic"
    page = scorecard_html([head], "2025-26", 0.95)
    assert "England 21.5% (OHID Fingertips, indicator 93563" in page
    assert f"NWL {simulated('E54000027', '2025/26'):.1f}% (synthetic)" in page
    bench = o1.comparators(with_export, "oral_health_decay_age5")
    latest = bench[bench["period"] == "2025-26"].set_index("area")
    assert latest.loc["England", "origin"] == "published"
    assert latest.loc["NWL", "origin"] == "simulated"
    caption = o1.comparator_caption(bench)
    assert "published values from OHID Fingertips, indicator 93563" in caption
    assert "indicator-data.csv" in caption and "simulated values" in caption


def test_fetch_published_without_fingertips_py_says_how_to_add_files(tmp_path) -> None:
    result = run_cli("data", "fetch-published", "--out", str(tmp_path / "pub"), root=ROOT)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "fingertips_py is not installed; add the files by hand" in lines[0]
    assert "indicator_ids=93563" in lines[0] and "drop it into" in lines[0]


def test_a_published_borough_value_replaces_the_computed_one_with_its_interval(
    with_export: dict,
) -> None:
    head = o1.headline_pm1(with_export)
    assert (head.value, head.lower, head.upper) == (39.6, 38.1, 41.1)
    assert head.source.startswith("OHID Fingertips, indicator 93563")
    assert "indicator-data.csv" in head.source
    # targets: 42.4 x 0.95 = 40.28% (relative) and 37.4% (points); the interval 38.1 to 41.1
    # includes 40.28 and lies wholly above 37.4
    assert [r.verdict for r in head.readings] == ["uncertain", "not met"]
    assert head.status == "uncertain"
    assert head.synthetic  # the trend beside it is still the extract's


def test_without_a_published_borough_value_the_computed_one_stays(params: dict) -> None:
    head = o1.headline_pm1(params)
    table = o1.decay_series(params)
    assert head.value == pytest.approx(float(table["value"].iloc[-1]))
    assert head.source.startswith("Synthetic WSIC-shaped extract (oral health survey), 2025-26;")
