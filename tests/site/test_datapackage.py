"""The edition's downloads as a Frictionless Data Package (``downloads/datapackage.json``).

The descriptor is checked against the Data Package v1, Tabular Data Resource and Table Schema
rules (:func:`spec_problems`, written here from the specifications: no ``frictionless``
package is installed), against the CSV files and the run manifest of a built edition (the
session's shared 2025-26 build), and by reading CSVs with pandas using the declared types.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bbp_analysis import catalogue
from bbp_analysis.site import datapackage

PERIOD = "2025-26"
NAME = re.compile(r"^([-a-z0-9._/])+$")  # Data Package v1: package and resource names
LICENCE_NAME = re.compile(r"^([-a-zA-Z0-9._])+$")
HASH = re.compile(r"^([^:]+:[a-fA-F0-9]+|[a-fA-F0-9]{32}|)$")
FIELD_TYPES = {  # Table Schema v1
    *("string", "number", "integer", "boolean", "object", "array", "date", "time"),
    *("datetime", "year", "yearmonth", "duration", "geopoint", "geojson", "any"),
}
ROLES = {"publisher", "author", "maintainer", "wrangler", "contributor"}
PANDAS = {  # how a reader maps Table Schema types to pandas dtypes
    "integer": "Int64",
    "number": "float64",
    "boolean": "boolean",
    "string": "string",
    "yearmonth": "string",
    "year": "Int64",
}


def spec_problems(package: dict[str, Any]) -> list[str]:
    """Every breach of the Tabular Data Package, Tabular Data Resource and Table Schema rules
    (required keys, names, types, hashes, keys), one line each."""
    out = []
    for key in ("profile", "resources"):
        if key not in package:
            out.append(f"package: missing {key}")
    if package.get("profile") != "tabular-data-package":
        out.append("package: profile is not tabular-data-package")
    if not NAME.fullmatch(str(package.get("name", ""))):
        out.append(f"package: name {package.get('name')!r} breaks the name pattern")
    try:
        datetime.fromisoformat(str(package.get("created", "")).replace("Z", "+00:00"))
    except ValueError:
        out.append("package: created is not an RFC 3339 date-time")
    for person in package.get("contributors", []):
        if "title" not in person or person.get("role", "contributor") not in ROLES:
            out.append(f"package: contributor {person} needs a title and a known role")
    if not package.get("keywords") or not all(isinstance(k, str) for k in package["keywords"]):
        out.append("package: keywords must be a non-empty list of strings")
    names = [r.get("name") for r in package.get("resources", [])]
    if len(set(names)) != len(names):
        out.append("package: resource names are not unique")
    for resource in package.get("resources", []):
        out += resource_problems(resource)
    return out


def resource_problems(resource: dict[str, Any]) -> list[str]:
    """Breaches of one Tabular Data Resource and its Table Schema."""
    name = resource.get("name")
    out = [
        f"{name}: missing {k}" for k in ("name", "path", "schema", "profile") if k not in resource
    ]
    if resource.get("profile") != "tabular-data-resource":
        out.append(f"{name}: profile is not tabular-data-resource")
    if not NAME.fullmatch(str(name)):
        out.append(f"{name}: name breaks the name pattern")
    path = str(resource.get("path", ""))
    if path.startswith("/") or ".." in Path(path).parts:
        out.append(f"{name}: path {path!r} is not a relative path inside the package")
    if not HASH.fullmatch(str(resource.get("hash", ""))):
        out.append(f"{name}: hash breaks the hash pattern")
    if not isinstance(resource.get("bytes"), int):
        out.append(f"{name}: bytes is not an integer")
    for licence in resource.get("licenses", []):
        if not (LICENCE_NAME.fullmatch(licence.get("name", "")) or licence.get("path")):
            out.append(f"{name}: licence needs a valid name or a path")
    for source in resource.get("sources", []):
        if not source.get("title"):
            out.append(f"{name}: source without a title")
    schema = resource.get("schema", {})
    fields = schema.get("fields", [])
    if not fields:
        out.append(f"{name}: schema has no fields")
    field_names = [f.get("name") for f in fields]
    if len(set(field_names)) != len(field_names):
        out.append(f"{name}: field names are not unique")
    for field in fields:
        if not isinstance(field.get("name"), str):
            out.append(f"{name}: a field has no name")
        if field.get("type", "string") not in FIELD_TYPES:
            out.append(f"{name}: field {field.get('name')!r} has unknown type {field['type']!r}")
    missing = schema.get("missingValues", [""])
    if not all(isinstance(v, str) for v in missing):
        out.append(f"{name}: missingValues must be strings")
    key = schema.get("primaryKey", [])
    for column in [key] if isinstance(key, str) else key:
        if column not in field_names:
            out.append(f"{name}: primary key {column!r} is not a field")
    return out


def read_typed(folder: Path, resource: dict[str, Any]) -> pd.DataFrame:
    """The resource's CSV read by pandas with the types and missing values it declares."""
    schema = resource["schema"]
    fields = schema["fields"]
    dates = [f["name"] for f in fields if f["type"] == "date"]
    dtypes = {f["name"]: PANDAS[f["type"]] for f in fields if f["type"] != "date"}
    return pd.read_csv(
        folder / resource["path"],
        dtype=dtypes,
        na_values=schema["missingValues"],
        keep_default_na=False,
        parse_dates=dates,
    )


def expected_dtype(kind: str) -> str:
    return "datetime64[ns]" if kind == "date" else PANDAS[kind]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Fast checks on the inference and the dictionary.


def test_types_are_inferred_from_the_written_cells() -> None:
    infer = datapackage.infer_type
    assert infer(["12", "[c]", "", "7"]) == "integer"  # suppressed cells stay missing values
    assert infer(["841.0", "12"]) == "number"  # pandas writes integer floats with ".0"
    assert infer(["1e-05", "-2.5", "NaN"]) == "number"
    assert infer(["True", "False", "[x]"]) == "boolean"
    assert infer(["2026-03-31", "2021-06-30"]) == "date"
    assert infer(["2026-02-30"]) == "string"  # not a calendar date
    assert infer(["2021-04", "2021-05"]) == "yearmonth"
    assert infer(["2019-20", "2011-12"], declared="string") == "string"
    assert infer(["2011-12"], declared="yearmonth") == "yearmonth"
    assert infer(["47,213"]) == "string"  # a formatted number is text
    assert infer(["01", "02"]) == "string"  # leading zeros are codes, not integers
    assert infer(["", "[c]"]) == "string"


def test_primary_key_is_the_shortest_unique_filled_leading_run() -> None:
    key = datapackage.primary_key
    rows = [["2019-20", "Harrow", "1.5"], ["2020-21", "Harrow", "2.5"]]
    assert key(["period", "area", "value"], ["string", "string", "number"], rows) == ["period"]
    rows = [["0-4", "F", "3"], ["0-4", "M", "4"]]
    assert key(["age_band", "sex", "persons"], ["string", "string", "integer"], rows) == [
        "age_band",
        "sex",
    ]
    rows = [["[c]", "x"], ["a", "y"]]  # a suppressed cell cannot be part of a key
    assert key(["group", "n"], ["string", "string"], rows) == []
    assert key(["value"], ["number"], [["1.0"], ["2.0"]]) == []


def test_every_indicator_in_the_download_map_is_in_the_catalogue() -> None:
    data = datapackage.dictionary()  # raises KeyError for an unknown indicator or source
    named = {entry["indicator"] for entry in data["downloads"] if entry.get("indicator")}
    assert named <= {item.id for item in catalogue.indicators()}
    assert datapackage.download_info("pm5-acsc-pcn").indicator == "pm5-acsc-admissions"
    assert (
        datapackage.download_info("o1-cervical-screening-pcn").indicator == "o1-cervical-screening"
    )
    with pytest.raises(KeyError, match=r"not in download-columns\.yaml"):
        datapackage.download_info("no-such-download")


def test_checker_finds_each_breach() -> None:
    good = {
        "profile": "tabular-data-package",
        "name": "p",
        "created": "2026-03-31T00:00:00Z",
        "keywords": ["k"],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": "a",
                "path": "a.csv",
                "hash": "sha256:" + "0" * 64,
                "bytes": 1,
                "schema": {"fields": [{"name": "x", "type": "integer"}], "primaryKey": ["x"]},
            }
        ],
    }
    assert spec_problems(good) == []
    bad = json.loads(json.dumps(good))
    resource = bad["resources"][0]
    resource["name"] = "A b"
    resource["path"] = "../a.csv"
    resource["hash"] = "sha256:xyz"
    resource["schema"]["fields"].append({"name": "x", "type": "float"})
    resource["schema"]["primaryKey"] = ["y"]
    bad["resources"].append(dict(resource))
    del bad["profile"]
    problems = "\n".join(spec_problems(bad))
    for expected in (
        "package: missing profile",
        "resource names are not unique",
        "name breaks the name pattern",
        "is not a relative path",
        "hash breaks the hash pattern",
        "field names are not unique",
        "unknown type 'float'",
        "primary key 'y' is not a field",
    ):
        assert expected in problems


def test_descriptor_of_a_small_download(tmp_path: Path) -> None:
    """A download in the house layout: types from its cells, units and text from the catalogue
    entry of its indicator, suppressed cells as missing values."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "pm5-acsc-pcn.csv").write_text(
        "area,numerator,denominator,value,lower,upper,comparison\n"
        "Sphere PCN,669,52990,12.6,11.7,13.6,worse\n"
        "Other PCN,[c],4100,[c],[c],[c],not compared\n",
        encoding="utf-8",
    )
    params = {
        "period": PERIOD,
        "period_end": "2026-03-31",
        "area_code": "E09000015",
        "area_name": "Harrow",
    }
    package, generic = datapackage.descriptor(folder, [], params)
    assert spec_problems(package) == []
    assert package["name"] == "bbp-review-e09000015-2025-26"
    assert package["created"] == "2026-03-31T00:00:00Z"
    (resource,) = package["resources"]
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    spec = catalogue.indicator("pm5-acsc-admissions")
    assert fields["numerator"]["type"] == "integer"
    assert fields["value"]["type"] == "number"
    assert (
        fields["value"]["unit"]
        == spec.unit
        == "per 1,000 registered population (age-sex standardised)"
    )
    assert fields["upper"]["unit"] == spec.unit
    assert fields["numerator"]["description"].endswith(spec.numerator)
    assert resource["schema"]["missingValues"] == ["", "[c]", "[x]"]
    assert resource["schema"]["primaryKey"] == ["area"]
    assert (
        "synthetic extract (generated, not real patients)"
        in resource["sources"][0]["title"].lower()
    )
    assert resource["licenses"][0]["name"] == "OGL-UK-3.0"
    assert generic == 0
    typed = read_typed(folder, resource)
    assert str(typed["numerator"].dtype) == "Int64"
    assert typed["numerator"].isna().tolist() == [False, True]


# Checks on a built edition (the session's shared build).


@pytest.fixture(scope="module")
def edition(built_edition: tuple[Path, Path]) -> Path:
    return built_edition[1] / PERIOD


@pytest.fixture(scope="module")
def package(edition: Path) -> dict[str, Any]:
    return json.loads((edition / "downloads" / datapackage.FILE_NAME).read_text(encoding="utf-8"))


@pytest.mark.slow
def test_edition_descriptor_follows_the_specification(package: dict[str, Any]) -> None:
    assert spec_problems(package) == []
    assert package["name"] == "bbp-review-e09000015-2025-26"
    assert package["version"] == PERIOD
    assert package["created"] == "2026-03-31T00:00:00Z"
    for resource in package["resources"]:
        assert resource["format"] == "csv" and resource["mediatype"] == "text/csv"
        assert resource["title"] and resource["description"] and resource["sources"]
        for field in resource["schema"]["fields"]:
            assert field["title"] and field["description"], (resource["name"], field["name"])


@pytest.mark.slow
def test_every_csv_is_listed_with_its_manifest_hash(edition: Path, package: dict) -> None:
    downloads = edition / "downloads"
    listed = {r["path"]: r for r in package["resources"]}
    assert sorted(listed) == sorted(p.name for p in downloads.glob("*.csv"))
    items = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))["items"]
    in_manifest = 0
    for path, resource in listed.items():
        file = downloads / path
        assert file.is_file()
        assert resource["hash"] == f"sha256:{sha256(file)}"
        assert resource["bytes"] == file.stat().st_size
        if resource["name"] in items:
            in_manifest += 1
            assert resource["hash"] == f"sha256:{items[resource['name']]['data-sha256']}"
    assert in_manifest == len(items)  # every figure and table of the manifest is described


@pytest.mark.slow
def test_declared_types_read_with_pandas(edition: Path, package: dict) -> None:
    by_name = {r["name"]: r for r in package["resources"]}
    for name in ("pm5-acsc-pcn", "o2-emergency-monthly-spc", "delivery-risks"):
        resource = by_name[name]
        fields = resource["schema"]["fields"]
        frame = read_typed(edition / "downloads", resource)
        assert list(frame.columns) == [f["name"] for f in fields]
        assert [str(t) for t in frame.dtypes] == [expected_dtype(f["type"]) for f in fields]
    emergency = {
        f["name"]: f["type"] for f in by_name["o2-emergency-monthly-spc"]["schema"]["fields"]
    }
    assert emergency["month"] == "yearmonth" and emergency["value"] == "number"


@pytest.mark.slow
def test_indicator_columns_carry_catalogue_units(package: dict) -> None:
    by_name = {r["name"]: r for r in package["resources"]}
    for name, indicator in (
        ("pm5-acsc-pcn", "pm5-acsc-admissions"),
        ("o2-emergency-isr-pcn", "o2-emergency-isr"),
        ("falls-65plus-dsr-trend", "falls-65plus-dsr"),
    ):
        fields = {f["name"]: f for f in by_name[name]["schema"]["fields"]}
        spec = catalogue.indicator(indicator)
        assert fields["value"]["unit"] == spec.unit
        assert " ".join(spec.definition.split()) in fields["value"]["description"]
        assert spec.title in by_name[name]["description"]
    assert by_name["pm5-acsc-pcn"]["schema"]["primaryKey"] == ["area"]


@pytest.mark.slow
def test_descriptor_is_rebuilt_byte_for_byte_and_bundled(edition: Path) -> None:
    written = (edition / "downloads" / datapackage.FILE_NAME).read_bytes()
    params = json.loads((edition / "run-parameters.json").read_text(encoding="utf-8"))
    notebooks = sorted((edition / "notebooks").glob("*.ipynb"))
    again, _ = datapackage.descriptor(edition / "downloads", notebooks, params)
    assert (json.dumps(again, indent=2, sort_keys=True) + "\n").encode("utf-8") == written
    bundle = next((edition / "downloads").glob("*.zip"))
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read(f"downloads/{datapackage.FILE_NAME}") == written


@pytest.mark.slow
def test_downloads_page_links_the_descriptor(edition: Path) -> None:
    page = (edition / "book" / "downloads.html").read_text(encoding="utf-8")
    assert 'href="../downloads/datapackage.json"' in page
    assert "Data Package format" in page
