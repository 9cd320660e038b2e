"""A built edition's manifest, passports, verify, reproduce and the disclosure refusal.

The session's default build (every edition) is shared by every test here.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from bbp_analysis.params import available_periods

from support import ROOT, copy_project, run_bbp

pytestmark = pytest.mark.slow
PERIOD = "2025-26"
FIGURE = "nine-care-processes-pcn"
CHAPTER = "objective-3-care-pathways"
DIABETES = Path("data/reference/diabetes_9cp_practices.csv")


@pytest.fixture(scope="module")
def built(built_edition: tuple[Path, Path]) -> tuple[Path, Path]:
    """(project copy, its site) after ``bbp build --period 2025-26`` (the session's build)."""
    return built_edition


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_of(site: Path) -> dict:
    return json.loads((site / PERIOD / "manifest.json").read_text(encoding="utf-8"))


def test_manifest_records_inputs_parameters_versions_and_outputs(built) -> None:
    project, site = built
    manifest = manifest_of(site)
    assert manifest["edition"] == PERIOD
    assert manifest["started"] <= manifest["finished"]
    assert manifest["lock_sha256"] == sha256(ROOT / "requirements.lock")
    assert manifest["packages"]["pandas"] == pd.__version__
    assert len(manifest["code"]["source_sha256"]) == 64
    assert manifest["parameters"]["period"] == PERIOD
    assert manifest["parameters"]["confidence"] == 0.95
    for name in (f"parameters/{PERIOD}.yaml", str(DIABETES), "book/index.ipynb"):
        assert manifest["inputs"][name] == sha256(project / name)
    extract = json.loads((project / "data/synthetic/E09000015/manifest.json").read_text())
    for entry in extract["tables"].values():
        path = f"data/synthetic/E09000015/{entry['file']}"
        assert manifest["inputs"][path] == entry["sha256"]
    # every item's data hash is the hash of the CSV a reader downloads
    assert FIGURE in manifest["items"]
    for item_id, item in manifest["items"].items():
        assert item["data-sha256"] == sha256(site / PERIOD / "downloads" / f"{item_id}.csv")
    # the glued total is the plan's practice table summed here
    with (project / DIABETES).open(encoding="utf-8") as handle:
        total = sum(int(row["patients_all_9"]) for row in csv.DictReader(handle))
    assert float(manifest["glued"][f"{CHAPTER}.ipynb"]["achieved_total"]) == total
    # the results file is listed with its hash, and holds the chapters' glued values
    assert manifest["results"]["sha256"] == sha256(site / PERIOD / "results.json")
    stated = json.loads((site / PERIOD / "results.json").read_text(encoding="utf-8"))["stated"]
    assert stated[f"{CHAPTER}.ipynb"] == manifest["glued"][f"{CHAPTER}.ipynb"]


def test_figure_image_hash_and_passport_on_the_page(built) -> None:
    _, site = built
    manifest = manifest_of(site)
    # the chapter's detail sits on its indicator's page (site.detail_pages)
    pages = sorted((site / PERIOD / "book").rglob("*.html"))
    page = next(
        text
        for text in (path.read_text(encoding="utf-8") for path in pages)
        if f'<figure class="bbp-figure" id="{FIGURE}">' in text
    )
    figure = re.search(rf'<figure class="bbp-figure" id="{FIGURE}">.*?</figure>', page, re.S)
    image = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', figure[0])[1])
    assert hashlib.sha256(image).hexdigest() == manifest["items"][FIGURE]["image-sha256"]
    passport = re.search(
        rf'<details class="bbp-passport" data-bbp-id="{FIGURE}".*?</details>', page, re.S
    )[0]
    assert "How this was made" in passport
    assert manifest["items"][FIGURE]["data-sha256"] in passport
    assert f"bbp reproduce {FIGURE} --edition {PERIOD}" in passport


def test_verify_passes_on_a_fresh_build(built) -> None:
    project, site = built
    result = run_bbp("verify", "--site", str(site), "--edition", PERIOD, root=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"edition {PERIOD} verified" in result.stdout


def change_one_practice_count(project: Path) -> None:
    """The Ridgeway Surgery's 625 patients with all nine care processes become 624 (in the
    table, its quote and the seed it quotes), a change every check accepts."""
    seed = project / "data/reference/seeds/004_bb9be7d3c4970d21.txt"
    table = project / DIABETES
    for path in (seed, table):
        text = path.read_text(encoding="utf-8")
        assert text.count("The Ridgeway Surgery 1,382 625") == 1
        text = text.replace("The Ridgeway Surgery 1,382 625", "The Ridgeway Surgery 1,382 624")
        if path == table:
            text = text.replace("1382,625,", "1382,624,")
        path.write_text(text, encoding="utf-8")


def test_verify_lists_the_difference_after_one_input_value_changes(built, tmp_path) -> None:
    _, site = built
    project = copy_project(tmp_path / "project")
    change_one_practice_count(project)
    result = run_bbp("verify", "--site", str(site), "--edition", PERIOD, root=project)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"edition {PERIOD} drifted from its manifest")
    assert any(line.strip().startswith(f"input {DIABETES}: manifest") for line in lines)
    total = manifest_of(site)["glued"][f"{CHAPTER}.ipynb"]["achieved_total"]
    assert any(
        f"glued value in {CHAPTER}.ipynb: achieved_total: manifest {total!r}" in line
        for line in lines
    )
    assert any(line.strip().startswith(f"figure/table {FIGURE} data-sha256") for line in lines)


def test_reproduce_one_figure(built) -> None:
    project, site = built
    result = run_bbp("reproduce", FIGURE, "--site", str(site), "--edition", PERIOD, root=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"{FIGURE} ({PERIOD}): identical"
    unknown = run_bbp("reproduce", "no-such-figure", "--site", str(site), root=project)
    assert unknown.returncode == 2
    assert unknown.stderr.count("\n") == 1 and "known figure id" in unknown.stderr


def test_person_level_table_is_refused_and_previous_site_kept(built, tmp_path) -> None:
    original, site = built
    # reuse the executed chapters; only the changed notebook re-runs
    project = copy_project(tmp_path / "project", caches_from=original)
    template = project / "book" / "index.ipynb"
    notebook = nbformat.read(template, as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "import pandas as pd\nfrom bbp_analysis.extract import extract_folder\n"
            "print(pd.read_parquet(extract_folder('E09000015') / 'persons.parquet').head())"
        )
    )
    nbformat.write(notebook, template)
    out = tmp_path / "site"
    shutil.copytree(site, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # the first period: its edition has no earlier period whose results it must recompute
    first = available_periods(project)[0]
    result = run_bbp("build", "--period", first, "--out", str(out), root=project)
    assert result.returncode == 2
    assert f"executing {first}: book/index.ipynb" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("bbp build: error: disclosure audit refused to publish: "), last
    assert "identifier: pseudonymised id 'P" in last
    assert "Traceback" not in last
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not (tmp_path / ".site.staging").exists()
