"""A foreign extract (issue 16, done when): an extract generated with another seed, written
as CSV files into a folder outside the repository and named in the parameters, builds an
edition; three headline values recomputed here from those CSV files with plain pandas (not
the package's SQL) are on the site; the same folder with one column renamed, or one code
outside its code list, is refused by ``bbp validate`` with one line naming file, column and
rule, exit status 2."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from bbp_analysis.extract import sha256_file

from support import ROOT, copy_project, run_bbp

pytestmark = pytest.mark.slow

SEED = 29  # not the default extract's seed (20220401)
SCALE = "0.25"  # large enough that the headline counts are not suppressed
PERIOD = "2025-26"
MID_YEAR = pd.Timestamp("2025-10-01")  # the registered population's reference date
PROVIDER = "Test warehouse (synthetic data, seed 29)"


def declare(project: Path, folder: Path) -> None:
    """Name ``folder`` in the project's defaults as a real extract."""
    defaults = project / "parameters" / "defaults.yaml"
    text = defaults.read_text(encoding="utf-8")
    defaults.write_text(
        text
        + f'extract: {{folder: "{folder}", provider: "{PROVIDER}", extracted: "2026-05-01"}}\n',
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def foreign(tmp_path_factory) -> dict[str, Path]:
    """The seed-29 extract as CSV outside the repository, and a project naming it, built."""
    base = tmp_path_factory.mktemp("foreign")
    assert not base.resolve().is_relative_to(ROOT)
    generated = base / "generated"
    made = run_bbp("data", "synth", "--seed", str(SEED), "--scale", SCALE, "--out", str(generated))
    assert made.returncode == 0, made.stderr
    warehouse = base / "warehouse"
    warehouse.mkdir()
    for path in sorted(generated.glob("*.parquet")):
        pa_csv.write_csv(pq.read_table(path), warehouse / f"{path.stem}.csv")
    shutil.rmtree(generated)  # only the CSV export remains
    project = copy_project(base / "project")
    declare(project, warehouse)
    site = base / "site"
    built = run_bbp(
        "build", "--period", PERIOD, "--jobs", "1", "--out", str(site), root=project, timeout=3600
    )
    assert built.returncode == 0, built.stderr[-3000:]
    return {"warehouse": warehouse, "project": project, "site": site, "base": base}


def registered_on_1_october(warehouse: Path) -> pd.DataFrame:
    """Persons registered and alive on 1 October 2025, aged 0 to 130 then."""
    persons = pd.read_csv(warehouse / "persons.csv", dtype=str)
    since = pd.to_datetime(persons["registered_from"])
    until = pd.to_datetime(persons["registered_to"])
    age = MID_YEAR.year - persons["birth_year"].astype(int)
    age -= (persons["birth_month"].astype(int) >= MID_YEAR.month).astype(int)
    keep = (since.isna() | (since <= MID_YEAR)) & (until.isna() | (until > MID_YEAR))
    return persons[keep & age.between(0, 130)]


def gpps_share(warehouse: Path, rating: str) -> float:
    """Weighted % of GP Patient Survey respondents rating making an appointment ``rating``."""
    survey = pd.read_csv(warehouse / "gpps_responses.csv", dtype={"fin_year": str})
    survey = survey[survey["fin_year"] == PERIOD]
    rated = survey.loc[survey["appointment_experience"] == rating, "weight"].sum()
    return 100 * rated / survey["weight"].sum()


def decay_share(warehouse: Path) -> float:
    """% of five-year-olds examined (and registered on 1 October) with decay experience."""
    survey = pd.read_csv(warehouse / "oral_health_survey.csv", dtype={"fin_year": str})
    registered = registered_on_1_october(warehouse)["person_id"]
    survey = survey[(survey["fin_year"] == PERIOD) & survey["person_id"].isin(registered)]
    assert len(survey) >= 50
    return 100 * (survey["dmft"] > 0).mean()


def page_text(path: Path) -> str:
    """A page's visible text, whitespace collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def test_the_headline_values_recomputed_from_the_csv_files_are_on_the_site(foreign):
    front = page_text(foreign["site"] / "book" / "index.html")
    good, poor = gpps_share(foreign["warehouse"], "good"), gpps_share(foreign["warehouse"], "poor")
    decay = decay_share(foreign["warehouse"])
    for value in (good, poor, decay):
        assert f"{value:.1f}%" in front, value
    population = len(registered_on_1_october(foreign["warehouse"]))
    # the Core20PLUS groups' table (detail of objective 1, on its indicator's page)
    groups = page_text(foreign["site"] / "book" / "indicators" / "o1-core20plus-groups.html")
    assert f"{population:,}" in groups


def test_the_site_names_the_provider_not_synthetic_data(foreign):
    chapter = page_text(foreign["site"] / "book" / "objective-2-neighbourhood-teams.html")
    assert f"provided by {PROVIDER}, extracted on 1 May 2026" in chapter
    assert "Synthetic data: generated by bbp_analysis.synth" not in chapter
    assert f"Key messages ({PROVIDER} data, extracted 2026-05-01)" in chapter
    assert "synthetic data" not in chapter.replace(PROVIDER, "")
    manifest = json.loads((foreign["site"] / "manifest.json").read_text(encoding="utf-8"))
    record = manifest["extract"]
    assert record["location"] == str(foreign["warehouse"])
    assert (record["provider"], record["extracted"], record["synthetic"]) == (
        PROVIDER,
        "2026-05-01",
        False,
    )
    assert record["tables"] == {
        p.name: sha256_file(p) for p in sorted(foreign["warehouse"].glob("*.csv"))
    }


def test_no_person_level_row_leaves_the_folder(foreign):
    persons = pd.read_csv(foreign["warehouse"] / "persons.csv", dtype=str)
    identifiers = set(persons["person_id"].sample(200, random_state=1))
    for folder in (foreign["site"], foreign["project"] / "_build" / "cache"):
        for path in folder.rglob("*"):
            if path.suffix in (".html", ".csv", ".json", ".ipynb", ".txt"):
                words = set(
                    re.findall(r"P\d{8}", path.read_text(encoding="utf-8", errors="replace"))
                )
                assert not words & identifiers, path
    written = sorted(p.suffix for p in foreign["warehouse"].iterdir())
    assert written == [".csv"] * 13  # the export is read in place, never written to


def refused(foreign: dict[str, Path], name: str, table: str, edit) -> tuple[Path, str]:
    """``bbp validate`` on a copy of the export with ``table``'s CSV text changed by
    ``edit``; the copy's file and the one line of the refusal."""
    folder = foreign["base"] / name
    shutil.copytree(foreign["warehouse"], folder)
    path = folder / f"{table}.csv"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    project = foreign["base"] / f"{name}-project"
    shutil.copytree(foreign["project"] / "parameters", project / "parameters")
    for part in ("_config.yml", "_toc.yml", "book", "data"):
        source = foreign["project"] / part
        (project / part).symlink_to(source, target_is_directory=source.is_dir())
    declare_text = (project / "parameters" / "defaults.yaml").read_text(encoding="utf-8")
    (project / "parameters" / "defaults.yaml").write_text(
        declare_text.replace(str(foreign["warehouse"]), str(folder)), encoding="utf-8"
    )
    result = run_bbp("validate", "--period", PERIOD, root=project)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return path, lines[0]


def test_a_renamed_column_is_refused_in_one_line(foreign):
    path, line = refused(foreign, "renamed", "persons", lambda t: t.replace('"sex"', '"gender"', 1))
    assert line == (
        f"bbp validate: error: {path}: column 'gender': contract: column names: column not "
        "in the contract, in place of 'sex' (renamed?)"
    )


def test_a_code_outside_its_code_list_is_refused_in_one_line(foreign):
    def recode(text: str) -> str:
        rows = list(csv.reader(io.StringIO(text)))
        rows[5][rows[0].index("ethnic_category")] = "Q"  # data row 5: no such category
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()

    path, line = refused(foreign, "recoded", "persons", recode)
    assert line == (
        f"bbp validate: error: {path}: row 5, column 'ethnic_category': contract: code list "
        "ethnic_category: 'Q' breaks it"
    )
