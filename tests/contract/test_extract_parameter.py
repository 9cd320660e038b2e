"""The ``extract`` parameter: a named folder of CSV or Parquet tables (a warehouse export),
read in place (a CSV table aggregated from one Parquet copy in a private temporary folder,
removed afterwards), labelled with its provider, and never copied into the build cache."""

from __future__ import annotations

import json
import stat
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from bbp_analysis import extract
from bbp_analysis.errors import InputError
from bbp_analysis.measures import engine

PERIOD = {"period": "2025-26"}


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """An empty project whose parameters set ``extract`` in defaults.yaml."""
    (tmp_path / "parameters").mkdir()
    (tmp_path / "data" / "reference").mkdir(parents=True)
    (tmp_path / "parameters" / "defaults.yaml").write_text("confidence: 0.95\n")
    (tmp_path / "parameters" / "2025-26.yaml").write_text('period: "2025-26"\n')
    (tmp_path / "_config.yml").write_text("title: x\n")
    monkeypatch.setenv("BBP_ROOT", str(tmp_path))
    return tmp_path


def refusal(given: object, root: Path) -> str:
    with pytest.raises(InputError) as refused:
        extract.source_from_params({**PERIOD, "extract": given}, root)
    return str(refused.value)


def test_no_extract_named_is_the_synthetic_default(project):
    assert extract.source_from_params({**PERIOD, "extract": None}, project) is None
    assert extract.source_from_params(PERIOD, project) is None


def test_a_folder_relative_to_the_project_with_provider_and_date(project, warehouse):
    (project / "exports").symlink_to(warehouse)
    source = extract.source_from_params(
        {
            **PERIOD,
            "extract": {"folder": "exports", "provider": "NWL ICB", "extracted": "2026-05-01"},
        },
        project,
    )
    assert source == extract.Source(str(warehouse.resolve()), "NWL ICB", "2026-05-01")


def test_provider_and_date_may_come_from_the_manifest(project, warehouse, tmp_path):
    folder = tmp_path / "declared"
    folder.mkdir()
    for path in warehouse.iterdir():
        (folder / path.name).symlink_to(path)
    manifest = extract.describe_folder(warehouse, project)
    manifest.update(provider="NWL ICB", extracted="2026-04-30")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    source = extract.source_from_params({**PERIOD, "extract": str(folder)}, project)
    assert (source.provider, source.extracted) == ("NWL ICB", "2026-04-30")


def test_a_real_extract_without_provenance_is_refused(project, warehouse):
    defaults = project / "parameters" / "defaults.yaml"
    assert refusal(str(warehouse), project) == (
        f"{defaults}: column 'extract.provider': extract provenance: a real extract must "
        "declare its provider: extract: {folder: ..., provider: ..., extracted: ...}, or "
        "'provider' in its manifest.json"
    )
    line = refusal({"folder": str(warehouse), "provider": "NWL ICB"}, project)
    assert line.startswith(f"{defaults}: column 'extract.extracted': extract provenance: ")
    line = refusal({"folder": str(warehouse), "provider": "X", "extracted": "May 2026"}, project)
    assert (
        line == f"{defaults}: column 'extract.extracted': date: 'May 2026' is not a date YYYY-MM-DD"
    )


def test_a_missing_folder_or_an_unknown_key_is_refused(project, warehouse):
    defaults = project / "parameters" / "defaults.yaml"
    assert refusal("no/such/folder", project) == (
        f"{defaults}: column 'extract': extract folder exists: "
        f"{project / 'no/such/folder'} is not a folder"
    )
    assert refusal({"folder": str(warehouse), "supplier": "X"}, project) == (
        f"{defaults}: column 'extract.supplier': extract parameter: unknown key 'supplier' "
        "(known: folder, provider, extracted)"
    )


def test_the_period_file_that_names_the_extract_is_blamed(project):
    period_file = project / "parameters" / "2025-26.yaml"
    period_file.write_text('period: "2025-26"\nextract: missing\n')
    assert refusal("missing", project).startswith(f"{period_file}: column 'extract': ")


def test_a_generated_extract_named_stays_synthetic(project, parquet):
    assert extract.source_from_params({**PERIOD, "extract": str(parquet)}, project) == (
        extract.Source(str(parquet.resolve()))
    )
    line = refusal(
        {"folder": str(parquet), "provider": "NWL ICB", "extracted": "2026-05-01"}, project
    )
    assert ": column 'extract.provider': extract provenance: the folder's manifest says" in line
    with extract.use_source(extract.Source(str(parquet))):
        assert extract.is_synthetic()
        assert "(seed 13)" in extract.synthetic_label("E09000015", 20220401)


def test_the_label_names_a_real_extracts_provider_and_date(warehouse):
    assert extract.is_synthetic()
    label = extract.synthetic_label("E09000015", 20220401)
    assert label.startswith("Synthetic data: generated by bbp_analysis.synth")
    assert label.endswith(
        "(seed 20220401) in the shape of the NW London WSIC extract, calibrated to published "
        "Harrow (E09000015) figures; no real person's record."
    )
    assert extract.synthetic_label("E09000005", 7).endswith(
        "(seed 7) in the shape of the NW London WSIC extract, with Brent's registered list "
        "sizes and rates from the model calibrated to Harrow's published figures (not to this "
        "borough's); no real person's record."
    )
    with extract.use_source(extract.Source(str(warehouse), "NWL ICB", "2026-05-01")):
        assert not extract.is_synthetic()
        assert extract.synthetic_label("E09000015", 20220401) == (
            "Data: the person-level extract provided by NWL ICB, extracted on 1 May 2026, "
            "aggregated before publication; no person's record is shown."
        )
        assert extract.origin() == "Extract from NWL ICB, extracted 2026-05-01"
        assert extract.extract_folder("E09000015") == warehouse
    assert extract.current_source() is None


def test_a_warehouse_exports_manifest_is_derived_from_its_files(project, warehouse, parquet):
    manifest = extract.describe_folder(warehouse, project)
    generated = extract.read_manifest(parquet)
    assert manifest["periods"] == generated["periods"]
    assert manifest["location"] == str(warehouse)
    for name, entry in manifest["tables"].items():
        assert entry["file"] == f"{name}.csv"
        assert entry["rows"] == generated["tables"][name]["rows"]
        assert entry["sha256"] == extract.sha256_file(warehouse / entry["file"])


@pytest.mark.parametrize("measure", ["registered_population", "gpps_access", "oral_health"])
def test_csv_tables_give_the_same_aggregates_as_parquet(project, warehouse, parquet, measure):
    from_csv = engine.run_measure(measure, warehouse)
    from_parquet = engine.run_measure(measure, parquet)
    assert len(from_csv) > 100
    pd.testing.assert_frame_equal(from_csv, from_parquet)


def test_a_csv_extract_is_aggregated_from_a_parquet_copy_removed_afterwards(
    warehouse, parquet, tmp_path, monkeypatch
):
    """``write_all`` over the CSV export: every connection reads Parquet copies of the CSV
    tables, in one temporary folder only its owner can open, gone once the aggregates are
    written; the aggregates equal those from the Parquet extract."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: list[tuple[dict[str, Path], int]] = []
    connect = engine.connect

    def recording(folder, limit, tables=None):
        folder_of = {path.parent for path in tables.values()}
        seen.append((dict(tables), stat.S_IMODE(next(iter(folder_of)).stat().st_mode)))
        assert len(folder_of) == 1
        return connect(folder, limit, tables)

    monkeypatch.setattr(engine, "connect", recording)
    engine.write_all(warehouse, tmp_path / "from-csv.parquet")
    monkeypatch.setattr(engine, "connect", connect)
    engine.write_all(parquet, tmp_path / "from-parquet.parquet")
    assert len(seen) == engine.streams(extract.manifest_of(warehouse)) == 2
    for tables, mode in seen:
        assert sorted(tables) == sorted(engine.table_files(warehouse))
        assert {path.suffix for path in tables.values()} == {".parquet"}
        assert next(iter(tables.values())).parent.name.startswith("bbp-csv-tables-")
        assert mode == 0o700
    assert seen[0][0] == seen[1][0]
    assert not list(tmp_path.glob("bbp-csv-tables-*"))
    from_csv = pq.read_table(tmp_path / "from-csv.parquet")
    assert from_csv.num_rows > 10_000
    assert from_csv.equals(pq.read_table(tmp_path / "from-parquet.parquet"))


def test_small_tables_read_typed_from_csv(warehouse, parquet):
    with extract.use_source(extract.Source(str(warehouse), "NWL ICB", "2026-05-01")):
        from_csv = extract.read_table("interventions", "E09000015")
    with extract.use_source(extract.Source(str(parquet))):
        from_parquet = extract.read_table("interventions", "E09000015")
    pd.testing.assert_frame_equal(from_csv, from_parquet, check_dtype=False)
    assert from_csv["negative_control"].dtype == bool


def test_prepare_calls_starting_before_aggregating_only(project, warehouse):
    """The build starts its servers (``starting``) when the measures are to be aggregated, and
    not when they are cached."""
    calls: list[bool] = []
    source = extract.Source(str(warehouse), "NWL ICB", "2026-05-01")
    with extract.use_source(source):
        manifest = extract.ensure_extract("E09000015", 1, project)
        cache = extract.measures_cache(manifest, project)
        extract.prepare("E09000015", 1, project, starting=lambda: calls.append(cache.is_file()))
        assert calls == [False] and cache.is_file()
        extract.prepare("E09000015", 1, project, starting=lambda: calls.append(True))
    assert calls == [False]


def _texts(path: Path) -> set[str]:
    """Every distinct value of a Parquet file's text columns, or every word of a text file."""
    if path.suffix != ".parquet":
        return set(path.read_text(encoding="utf-8").replace('"', " ").split())
    texts: set[str] = set()
    for column in pq.read_table(path).columns:
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            texts |= set(pc.unique(column).drop_null().to_pylist())
    return texts


def test_the_build_cache_holds_no_person_level_row(project, warehouse):
    source = extract.Source(str(warehouse), "NWL ICB", "2026-05-01")
    with extract.use_source(source):
        manifest, cache = extract.prepare("E09000015", 1, project)
        extract.data_inputs("E09000015", 1, project)
    assert pq.read_schema(cache).names == [*engine.OUTPUT_COLUMNS, "query"]
    persons = pd.read_csv(warehouse / "persons.csv", dtype=str)
    identifiers = set(persons["person_id"]) | set(persons["lsoa11_code"])
    written = [p for p in (project / "_build").rglob("*") if p.is_file()]
    assert {p.parent.name for p in written} == {"measures", "extracts"}
    for path in written:
        assert not _texts(path) & identifiers, path
    assert not (warehouse / "manifest.json").exists()  # the export is never written to
    assert manifest["tables"]["persons"]["rows"] == len(persons)
