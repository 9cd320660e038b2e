"""The indicator catalogue: contents, and one-line errors for a malformed catalogue."""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

from bbp_analysis import catalogue
from bbp_analysis.errors import InputError

PACKAGE_FOLDER = Path(str(resources.files("bbp_analysis.catalogue").joinpath("indicators")))
ENGINE_SQL = Path(str(resources.files("bbp_analysis.measures").joinpath("sql")))


def test_five_partnership_measures_in_order() -> None:
    measures = catalogue.partnership_measures()
    assert [m.partnership_measure for m in measures] == [1, 2, 2, 3, 4, 4, 5]
    assert {m.objective for m in measures if m.partnership_measure in (1, 2)} == {1}
    assert {m.objective for m in measures if m.partnership_measure in (3, 4)} == {2}
    assert catalogue.indicator("pm5-acsc-admissions").objective == 3


def test_nine_care_processes_entry() -> None:
    item = catalogue.indicator("diabetes-9cp")
    assert (item.method, item.polarity, item.multiplier, item.unit) == (
        "wilson",
        "high_is_good",
        100,
        "%",
    )
    assert item.plan_reference == "diabetes_9cp_practices"


def test_targets_from_the_plan() -> None:
    assert catalogue.indicator("pm2-gp-access-good").target["value"] == 71
    assert catalogue.indicator("pm2-gp-access-poor").target["value"] == 12
    turnover = catalogue.indicator("pm4-voluntary-turnover").target
    assert (turnover["lower"], turnover["upper"]) == (10, 18.4)
    assert catalogue.indicator("pm1-tooth-decay-5").baseline["value"] == 42.4


def test_mission_and_objectives() -> None:
    partnership = catalogue.partnership()
    assert partnership.mission.startswith("Working with children, families and communities")
    assert [o.id for o in partnership.objectives] == [1, 2, 3]


def test_unknown_indicator() -> None:
    with pytest.raises(KeyError, match="no indicator 'nope'"):
        catalogue.indicator("nope")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "indicators"
    shutil.copytree(PACKAGE_FOLDER, target)
    return target


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_copy_reads_like_the_package(folder: Path) -> None:
    assert catalogue.read_indicators(folder) == catalogue.indicators()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("method: wilson", "method: wald", "row 1, column 'method': code list"),
        ("polarity: low_is_good", "polarity: lower", "row 1, column 'polarity': code list"),
        ("    objective: 1\n", "    objective: 4\n", "row 1, column 'objective': code list"),
        ('    unit: "%"\n', "", "row 1, column 'unit': catalogue entry: field is missing"),
        ("    frequency:", "    colour: red\n    frequency:", "column 'colour': catalogue entry"),
        ("id: pm2-gp-access-good", "id: pm1-tooth-decay-5", "row 2, column 'id': unique id"),
    ],
)
def test_malformed_entries(folder: Path, old: str, new: str, expected: str) -> None:
    edit(folder, "objective-1.yaml", old, new)
    with pytest.raises(InputError) as error:
        catalogue.read_indicators(folder)
    assert str(error.value).startswith("catalogue/indicators/objective-1.yaml: ")
    assert expected in str(error.value)


def test_malformed_code_list(folder: Path) -> None:
    edit(folder, "objective-3.yaml", "Epilepsy: [G40, G41]", "Epilepsy: [G40.9]")
    with pytest.raises(InputError) as error:
        catalogue.read_indicators(folder)
    assert str(error.value).startswith("catalogue/indicators/objective-3.yaml: ")
    assert "row 1, column 'codes': catalogue entry" in str(error.value)


def test_malformed_yaml(folder: Path) -> None:
    (folder / "objective-2.yaml").write_text("indicators:\n  - id: [unclosed\n")
    with pytest.raises(InputError, match=r"objective-2.yaml: valid YAML"):
        catalogue.read_indicators(folder)


def test_wrong_top_level(folder: Path) -> None:
    (folder / "objective-2.yaml").write_text("- id: x\n")
    with pytest.raises(InputError, match="catalogue file"):
        catalogue.read_indicators(folder)


def _sql_codes(flag: str) -> set[str]:
    """The ICD-10 codes of one CASE flag in the shared emergency-spells SQL."""
    sql = (ENGINE_SQL / "_emergency_spells.sql").read_text(encoding="utf-8")
    block = sql.split(f"END AS {flag}")[0].rsplit("CASE", 1)[1]
    return set(re.findall(r"'([A-Z]\d{2}[0-9X]?)'", block))


@pytest.mark.parametrize(
    ("indicator_id", "flag"),
    [("pm5-acsc-admissions", "is_acsc_plan"), ("acsc-chronic-nhsof", "is_acsc_chronic")],
)
def test_admission_code_lists_match_the_catalogue(indicator_id: str, flag: str) -> None:
    """The SQL counts exactly the codes the definition page lists."""
    item = catalogue.indicator(indicator_id)
    listed = {code for codes in item.codes.values() for code in codes}
    assert _sql_codes(flag) == listed
    assert item.code_notes


def test_measure_5_codes_are_the_plans_six_conditions_within_the_nhsof_list() -> None:
    plan = catalogue.indicator("pm5-acsc-admissions")
    wider = catalogue.indicator("acsc-chronic-nhsof")
    assert list(plan.codes) == [
        "Asthma",
        "Diabetes",
        "Epilepsy",
        "Hypertensive disease",
        "Dementia",
        "Heart failure",
    ]
    assert plan.codes["Heart failure"] == ("I110", "I50", "J81X")
    assert plan.codes["Epilepsy"] == ("G40", "G41")
    every = {code for codes in wider.codes.values() for code in codes}
    assert {code for codes in plan.codes.values() for code in codes} < every
    assert plan.partnership_measure == 5 and wider.partnership_measure is None
    assert plan.baseline["as_given"] == "rate of admission by weighted population, year not stated"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "benchmark: plan\n",
            "benchmark: region\n",
            "row 1, column 'benchmark': code list: entry 'pm1-tooth-decay-5': 'region'",
        ),
        (
            'readings: [value, benchmark, target, trend, inequality]\n    label: "Five',
            'readings: [value, guess]\n    label: "Five',
            "row 1, column 'readings': code list: entry 'pm1-tooth-decay-5': 'guess'",
        ),
        (
            "measure: {query: oral_health, names: [pm1-tooth-decay-5]}",
            "measure: {query: dental, names: [pm1-tooth-decay-5]}",
            "row 1, column 'measure.query': catalogue measure: entry 'pm1-tooth-decay-5': "
            "no SQL file measures/sql/dental.sql",
        ),
        (
            "measure: {query: oral_health, names: [pm1-tooth-decay-5]}",
            "measure: {query: _person_years, names: [x]}",
            "column 'measure.query': catalogue measure: entry 'pm1-tooth-decay-5': no SQL file",
        ),
        (
            "measure: {query: oral_health, names: [pm1-tooth-decay-5]}",
            "measure: {query: oral_health, names: []}",
            "column 'measure.names': catalogue measure",
        ),
        (
            "measure: {query: oral_health, names: [pm1-tooth-decay-5]}",
            "measure: {query: oral_health, name: pm1-tooth-decay-5}",
            "column 'measure': catalogue measure",
        ),
        (
            "    benchmark: plan\n",
            "",
            "row 1, column 'benchmark': catalogue entry: field is missing",
        ),
    ],
)
def test_malformed_publication_fields(folder: Path, old: str, new: str, expected: str) -> None:
    edit(folder, "objective-1.yaml", old, new)
    with pytest.raises(InputError) as error:
        catalogue.read_indicators(folder)
    assert str(error.value).startswith("catalogue/indicators/objective-1.yaml: ")
    assert expected in str(error.value)


def test_measure_of_names_only_catalogue_entries(folder: Path) -> None:
    edit(folder, "objective-1.yaml", "of: [pm2-gp-access-good,", "of: [pm2-gp-access-great,")
    with pytest.raises(InputError, match=r"measure\.of names 'pm2-gp-access-great'"):
        catalogue.read_indicators(folder)


def test_every_entry_names_its_measure_statistic_and_readings() -> None:
    from bbp_analysis import stats
    from bbp_analysis.measures import list_measures

    queries = set(list_measures())
    for item in catalogue.indicators():
        assert {q for q, _ in item.measure.parts} <= queries, item.id
        assert item.measure.parts or item.measure.of, item.id
        assert item.readings and item.benchmark in catalogue.BENCHMARKS
        if item.method == "none":
            assert item.statistic is None
        else:
            assert item.statistic is getattr(stats, catalogue.STATISTICS[item.method][0])
    assert catalogue.indicator("o1-life-expectancy").statistic is stats.life_expectancy
    assert catalogue.indicator("falls-65plus-dsr").statistic is stats.dsr


def test_chapter_lookups_come_from_the_catalogue() -> None:
    """The chapters' indicator words, methods and targets are the catalogue's."""
    from bbp_analysis.chapters import objective_3_text as text

    smi = text.spec("smi-health-checks")
    assert (smi["query"], smi["measure"], smi["target"]) == (
        "programmes",
        "smi-health-checks",
        60,
    )
    assert smi["method"] == "Wilson score interval"
    eol = catalogue.indicator("eol-usual-place-of-residence")
    assert (eol.query, eol.measure_name, eol.kind) == (
        "end_of_life",
        "eol-usual-place-of-residence",
        "proportion",
    )
    table = text.indicator_list()
    assert list(table["Indicator"]) == [i.title for i in catalogue.for_objective(3)]
    falls = table.set_index("Indicator").loc["Emergency admissions for falls, aged 65 and over"]
    assert falls["Method"].startswith("Directly standardised (ESP 2013), Dobson interval")
    assert "compared with the plan's printed figure" in falls["Method"]


def _plan_text() -> str:
    seed = next(Path("data/reference/seeds").glob("004_*.txt"))
    return " ".join(seed.read_text(encoding="utf-8").split())


def test_life_expectancy_entries_are_the_plans() -> None:
    """The worked example: life expectancy at birth by sex and its deprivation gap are
    catalogue entries whose plan figures and words are the plan's own."""
    from bbp_analysis import stats
    from bbp_analysis.reference import load_reference

    life = catalogue.indicator("o1-life-expectancy")
    gap = catalogue.indicator("o1-life-expectancy-gap")
    assert life.statistic is stats.life_expectancy and gap.statistic is stats.life_expectancy
    assert life.query == gap.query == "life_table"
    least_minus_most = ("o1-life-expectancy-imd5", "o1-life-expectancy-imd1")
    assert gap.measure.names == least_minus_most
    assert set(gap.measure.names) < set(life.measure.names)
    jsna = load_reference("jsna_headlines").set_index("finding")["value"].astype(float)
    assert life.baseline["male"] == jsna["Male life expectancy"] == 82.2
    assert life.baseline["female"] == jsna["Female life expectancy"] == 85.7
    plan = _plan_text()
    quote = " ".join(life.baseline["text"].split()).strip('"')
    assert quote in plan
    assert "Reduce gap in life expectancy by deprivation indices" in plan
    assert '"Reduce gap in life expectancy by deprivation indices"' in " ".join(
        gap.definition.split()
    )
