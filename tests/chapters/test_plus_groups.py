"""Core20PLUS5's PLUS groups as a parameter: the default list quotes the seeds it cites, each
group defined by code lists gets exactly the extract's people, bad definitions are refused
with one line, and nothing says the plan names the PLUS groups."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from cli_in_process import run_cli

from bbp_analysis.chapters import objective_1_groups as groups
from bbp_analysis.chapters import objective_1_views as views
from bbp_analysis.errors import InputError
from bbp_analysis.params import load_parameters
from bbp_analysis.plus_groups import check, members, profile_fields
from bbp_analysis.publish import passport_html
from bbp_analysis.reference import collapse_whitespace

from support import ROOT

PARAMS = load_parameters("2025-26", ROOT)
SEEDS = ROOT / "data" / "reference" / "seeds"
CLAIM = re.compile(
    r"plan'?s PLUS groups|PLUS groups (are|named|defined|chosen) (in|by) the plan|"
    r"plan (names|defines|chooses|sets out) (its |the |Harrow's )?PLUS groups",
    re.IGNORECASE,
)
"""Wording that would say the plan names or defines the PLUS groups."""


def _seed_line(seed: str, line: int) -> str:
    path = next(SEEDS.glob(f"{seed}_*.txt"))
    return collapse_whitespace(path.read_text(encoding="utf-8").splitlines()[line - 1])


def test_default_groups_quote_the_seed_line_they_cite():
    defaults = yaml.safe_load((ROOT / "parameters" / "defaults.yaml").read_text("utf-8"))
    chosen = check(defaults["plus_groups"])
    cited = [g for g in chosen if g.source != "review"]
    assert [g.id for g in cited] == [
        "black-heritage",
        "romanian",
        "somali",
        "young-chinese",
        "young-non-binary",
    ]
    for group in cited:
        quote = collapse_whitespace(group.source["quote"])
        assert quote in _seed_line(group.source["seed"], group.source["line"]), group.id
    assert "Black heritage" in _seed_line("004", 70)
    assert "Romanian population" in _seed_line("004", 74)
    assert "Somalian community" in _seed_line("001", 258)
    review = [g for g in chosen if g.source == "review"]
    assert {g.id for g in review} == {
        "minority-ethnic",
        "carers",
        "smi",
        "learning-disability",
        "care-home",
    }
    assert all(g.source_text() == "the review's own choice" for g in review)
    # The groups the NHS ethnic category cannot separate are listed, not merged.
    reasons = {g.id: g.not_identifiable for g in chosen if not g.identifiable}
    assert set(reasons) == {"romanian", "somali", "young-non-binary"}
    assert "no Romanian code" in reasons["romanian"]
    assert "no Somali code" in reasons["somali"]


@pytest.fixture(scope="module")
def people(repository_extract: Path) -> pd.DataFrame:
    """Everyone registered on 1 October 2025, with age then (as the measures define it)."""
    persons = pd.read_parquet(repository_extract / "persons.parquet")
    mid = pd.Timestamp("2025-10-01")
    start = pd.to_datetime(persons["registered_from"])
    stop = pd.to_datetime(persons["registered_to"])
    age = 2025 - persons["birth_year"] - (persons["birth_month"] >= 10)
    on = (start.isna() | (start <= mid)) & (stop.isna() | (stop > mid)) & (age >= 0)
    return persons[on].assign(age=age[on])


def test_groups_defined_by_code_lists_get_the_extracts_people(people):
    table = groups.group_sizes(PARAMS).set_index("group")
    total = len(people)
    expected = {
        "Communities of Black heritage": people["ethnic_category"].isin(["M", "N", "P"]),
        "Young people who identify as Chinese": (people["ethnic_category"] == "R")
        & people["age"].between(10, 24),
        "Minority ethnic groups (every stated ethnic category other than White)": ~people[
            "ethnic_category"
        ].isin(["A", "B", "C", "Z"]),
        "Carers (recorded as carers by their practice)": people["carer"],
        "Care-home residents": people["care_home_resident"],
        "Core20: national most deprived 20% (IMD 2019 deciles 1-2)": people["imd_decile"] <= 2,
    }
    for name, inside in expected.items():
        row = table.loc[name]
        assert row["persons"] == inside.sum(), name
        assert row["denominator"] == total
        assert row["value"] == pytest.approx(inside.mean() * 100), name
    # Black heritage is its own group, not the minority ethnic group renamed.
    assert table.loc["Communities of Black heritage", "persons"] < 0.2 * total
    for name in ("The Romanian community", "The Somali community"):
        assert pd.isna(table.loc[name, "persons"])
        assert table.loc[name, "versus"] == "not identifiable"
    union = (
        people["ethnic_category"].isin(list("DEFGHJKLMNPRS"))
        | people["carer"]
        | people["smi"]
        | people["learning_disability"]
        | people["care_home_resident"]
        | (people["imd_decile"] <= 2)
    )
    assert table.loc["Core20 or any PLUS group the extract identifies", "persons"] == union.sum()


def test_each_group_is_compared_with_everyone_not_in_it(people):
    """The admissions ratio: observed / expected at the whole population's age-band rates,
    for the group and for everyone else, worked out here from the measure's cells."""
    cells = groups._profiles("o1-core20plus-groups-emergency", PARAMS)
    smi = next(g for g in groups.plus_groups(PARAMS) if g.id == "smi")
    inside = members(cells, smi)
    bands = cells.groupby("age_band")[["numerator", "denominator"]].sum()
    rates = bands["numerator"] / bands["denominator"]
    expected_in = (cells[inside]["denominator"] * cells[inside]["age_band"].map(rates)).sum()
    expected_out = (cells[~inside]["denominator"] * cells[~inside]["age_band"].map(rates)).sum()
    row = (
        groups.group_sizes(PARAMS)
        .set_index("group")
        .loc["People with severe mental illness (on the SMI register)"]
    )
    assert row["ratio"] == pytest.approx(cells[inside]["numerator"].sum() / expected_in * 100)
    assert row["others_ratio"] == pytest.approx(
        cells[~inside]["numerator"].sum() / expected_out * 100
    )
    assert cells[inside]["denominator"].sum() == people["smi"].sum()
    assert row["ratio_lower"] < row["ratio"] < row["ratio_upper"]
    verdict = (
        "higher"
        if row["ratio_lower"] > row["others_ratio"]
        else "lower"
        if row["ratio_upper"] < row["others_ratio"]
        else "similar"
    )
    assert row["versus"] == verdict


def test_members_match_every_listed_field():
    fields = profile_fields(
        pd.Series(["R|15-19|5|carer+", "R|30-34|5|", "N|15-19|1|smi+care_home_resident+"])
    )
    chinese, carers_or_smi = check(
        [
            {
                "id": "a",
                "name": "A",
                "source": "review",
                "definition": {"ethnic_category": ["R"], "age_band": ["10-14", "15-19"]},
            },
            {"id": "b", "name": "B", "source": "review", "definition": {"flags": ["carer", "smi"]}},
        ]
    )
    assert list(members(fields, chinese)) == [True, False, False]
    assert list(members(fields, carers_or_smi)) == [True, False, True]


def test_small_groups_are_suppressed_in_the_pcn_view():
    sizes = groups.group_sizes(PARAMS.replace(pcn="Harrow East PCN"))
    shown = sizes.loc[~sizes["suppressed"], "persons"].dropna()
    assert (shown >= 10).all()
    assert sizes.loc[sizes["suppressed"], "value"].isna().all()
    assert sizes.loc[sizes["ratio_suppressed"], "ratio"].isna().all()


def _copy_parameters(tmp_path: Path) -> Path:
    for part in ("parameters", "data/reference", "data/delivery"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.copy2(ROOT / "_config.yml", tmp_path / "_config.yml")
    return tmp_path


def _set_group(root: Path, index: int, group: dict) -> Path:
    path = root / "parameters" / "defaults.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["plus_groups"][index] = group
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("group", "message"),
    [
        (
            {"id": "x", "name": "X", "source": "review", "definition": {"ethnic_category": ["Q"]}},
            "column 'plus_groups[1].definition.ethnic_category': code list: unknown code 'Q'",
        ),
        (
            {"id": "x", "source": "review", "definition": {"flags": ["carer"]}},
            "column 'plus_groups[1].name': group fields: missing field",
        ),
        (
            {"id": "x", "name": "X", "source": "review", "definition": {"religion": ["Sikh"]}},
            "column 'plus_groups[1].definition': group definition: unknown field 'religion'",
        ),
        (
            {"id": "x", "name": "X", "source": {"seed": "004", "quote": "Romanian"}},
            "column 'plus_groups[1].source': group source",
        ),
        (
            {"id": "x", "name": "X", "source": "review"},
            "column 'plus_groups[1].definition': group definition: give a definition or a "
            "not_identifiable reason, not both",
        ),
    ],
)
def test_bad_group_definitions_are_refused_with_one_line(tmp_path, group, message):
    root = _copy_parameters(tmp_path)
    path = _set_group(root, 1, group)
    with pytest.raises(InputError) as caught:
        load_parameters("2025-26", root)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(str(path))
    assert message in text


def test_bbp_validate_refuses_an_unknown_code(tmp_path):
    root = _copy_parameters(tmp_path)
    _set_group(
        root, 0, {"id": "x", "name": "X", "source": "review", "definition": {"flags": ["tall"]}}
    )
    result = run_cli("validate", "--period", "2025-26", root=root)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "column 'plus_groups[0].definition.flags': code list: unknown code 'tall'" in lines[0]
    assert "Traceback" not in result.stderr


def test_nothing_says_the_plan_names_the_plus_groups():
    """The chapter's narrative, its tables and the catalogue never say the plan names PLUS
    groups; the narrative says it does not."""
    nb = nbformat.read(ROOT / "book" / "objective-1-population-health.ipynb", as_version=4)
    narrative = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert not CLAIM.search(collapse_whitespace(narrative))
    assert "does not say which PLUS groups" in collapse_whitespace(narrative)
    tables = views.group_size_table(PARAMS).data
    assert not CLAIM.search(tables)
    assert "The plan names no PLUS groups" in tables
    sources = [
        *(ROOT / "src" / "bbp_analysis").rglob("*.py"),
        *(ROOT / "src" / "bbp_analysis").rglob("*.yaml"),
        *(ROOT / "book").glob("*.md"),
        *(ROOT / "book").glob("*.ipynb"),
    ]
    for path in sources:
        assert not CLAIM.search(collapse_whitespace(path.read_text("utf-8"))), path
    assert CLAIM.search("The plan's PLUS groups are minority ethnic communities")


def test_passports_name_the_groups_by_id():
    context = {"parameters": {"period": "2025-26", "plus_groups": PARAMS["plus_groups"]}}
    block = passport_html(
        "o1-core20plus-groups-table", "table", pd.DataFrame({"a": [1]}), context=context
    )
    # by id (their definitions are in the run manifest), in words rather than a Python repr
    assert (
        "<code>plus_groups</code>:</strong> black-heritage, romanian, somali, young-chinese, "
        "young-non-binary, " in block
    )
    assert "plus_groups=[" not in block
    assert "strengthened our work" not in block


def test_definition_words_do_not_depend_on_key_order():
    """A manifest stores parameters with sorted keys; ``bbp verify`` re-runs from them, so a
    group's description must not follow the mapping's order."""
    from bbp_analysis.plus_groups import PlusGroup

    forward = PlusGroup(
        id="g",
        name="g",
        source="review",
        definition={"ethnic_category": ["R"], "age_band": ["10-14"]},
    )
    backward = PlusGroup(
        id="g",
        name="g",
        source="review",
        definition={"age_band": ["10-14"], "ethnic_category": ["R"]},
    )
    assert forward.definition_text() == backward.definition_text()
    assert forward.definition_text().startswith("NHS ethnic category R")
