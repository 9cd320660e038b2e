"""The edition's results file: chapter fragments assembled into one deterministic file that
the displays read back exactly, with one value row per headline period and its record for
the manifest."""

from __future__ import annotations

import hashlib
import json

import nbformat
import pytest

from bbp_analysis import results
from bbp_analysis.audit.verify import results_differences
from bbp_analysis.errors import BuildError
from bbp_analysis.headline import Headline, Reading
from bbp_analysis.pipeline import results_template, templates, writes_results

from support import ROOT


def headline(**overrides) -> Headline:
    values = dict(
        measure=5,
        indicator_id="pm5-acsc-admissions",
        title="Emergency admissions for chronic ACSCs",
        period="2025-26",
        value=10.79,
        lower=10.40,
        upper=11.18,
        unit="per 1,000",
        polarity="low_is_good",
        baseline=11.47,
        baseline_period="2021-22",
        target=9.89,
        target_text="To the NWL average.",
        status="not met",
        status_text="The whole interval is above the NWL average of 9.89.",
        anchor="objective-3-care-pathways#pm5-acsc-spc",
        synthetic=True,
        source="Synthetic extract",
        comparators={"NWL": 9.89},
        trend=[("2024-25", 12.0), ("2025-26", 10.79)],
        trend_intervals=[("2024-25", 11.6, 12.4), ("2025-26", 10.40, 11.18)],
        readings=(Reading("Against the NWL average", "not met", "NWL 9.89."),),
    )
    return Headline(**{**values, **overrides})


def citizens() -> Headline:
    return headline(
        measure=3,
        indicator_id="pm3-citizen-experience",
        title="Citizens reporting a positive experience",
        value=1 / 3 * 100,
        lower=30.1,
        upper=36.6,
        unit="%",
        status="baseline set",
        status_text="The 2022-23 baseline is in the data.",
        trend=[("2022-23", 31.5), ("2025-26", 1 / 3 * 100)],
        trend_intervals=[("2022-23", 29.0, 34.0), ("2025-26", 30.1, 36.6)],
        readings=(),
    )


@pytest.fixture
def assembled(tmp_path):
    extra = tmp_path / "_extra"
    results.write_fragment("objective-3", [headline()], extra)
    results.write_fragment("objective-2", [citizens()], extra)
    stated = {"objective-3-care-pathways.ipynb": {"pm5_value": "10.79"}}
    return extra, results.assemble(extra, "2025-26", stated)


def test_displays_read_back_exactly_what_the_chapters_wrote(assembled):
    extra, path = assembled
    assert results.headlines(extra) == [citizens(), headline()]  # measure order
    assert '"value": 33.33333333333333\n' in path.read_text(encoding="utf-8")  # not rounded


def test_file_is_deterministic_with_sorted_keys(assembled, tmp_path):
    extra, path = assembled
    first = path.read_bytes()
    again = results.assemble(
        extra, "2025-26", {"objective-3-care-pathways.ipynb": {"pm5_value": "10.79"}}
    )
    assert again.read_bytes() == first
    payload = json.loads(first)
    assert list(payload) == ["chapters", "edition", "headlines", "schema", "stated", "values"]
    assert payload["schema"] == "bbp-results/1"
    assert payload["chapters"] == ["objective-2", "objective-3"]
    assert payload["stated"] == {"objective-3-care-pathways.ipynb": {"pm5_value": "10.79"}}


def test_one_value_row_per_period_with_the_judgement_only_on_the_headline_period(assembled):
    _, path = assembled
    rows = [row for row in results.load(path)["values"] if row["measure"] == 5]
    assert rows == [
        {
            "indicator_id": "pm5-acsc-admissions",
            "measure": 5,
            "period": "2024-25",
            "value": 12.0,
            "lower": 11.6,
            "upper": 12.4,
            "unit": "per 1,000",
            "status": "",
            "reason": "",
        },
        {
            "indicator_id": "pm5-acsc-admissions",
            "measure": 5,
            "period": "2025-26",
            "value": 10.79,
            "lower": 10.40,
            "upper": 11.18,
            "unit": "per 1,000",
            "status": "not met",
            "reason": "The whole interval is above the NWL average of 9.89.",
        },
    ]


def test_missing_values_are_null_not_nan(tmp_path):
    extra = tmp_path / "_extra"
    results.write_fragment("objective-3", [headline(lower=float("nan"))], extra)
    text = results.assemble(extra, "2025-26", {}).read_text(encoding="utf-8")
    assert "NaN" not in text
    assert results.load(extra / results.RESULTS_FILE)["headlines"][0]["lower"] is None


def test_two_chapters_reporting_one_indicator_are_refused(tmp_path):
    extra = tmp_path / "_extra"
    results.write_fragment("objective-2", [headline()], extra)
    results.write_fragment("objective-3", [headline()], extra)
    with pytest.raises(BuildError, match=r"objective-3\.json: headline 'pm5-acsc-admissions'"):
        results.assemble(extra, "2025-26", {})


def test_no_fragment_and_no_file_are_refused_by_name(tmp_path):
    with pytest.raises(BuildError, match="no chapter wrote its results"):
        results.assemble(tmp_path, "2025-26", {})
    with pytest.raises(BuildError, match=r"results\.json: no results file"):
        results.headlines(tmp_path)


def test_manifest_record_hashes_the_bytes_and_lists_each_headline(assembled):
    _, path = assembled
    record = results.record(path)
    assert record["file"] == "results.json"
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["headlines"]["pm5-acsc-admissions"] == {
        "value": 10.79,
        "lower": 10.40,
        "upper": 11.18,
        "status": "not met",
    }


def test_chapters_write_results_and_the_displays_run_after_them(tmp_path):
    writers = [t.name for t in templates(ROOT) if writes_results(t)]
    assert writers == [
        "objective-1-population-health.ipynb",
        "objective-2-neighbourhood-teams.ipynb",
        "objective-3-care-pathways.ipynb",
    ]
    for name in writers:
        reduced = nbformat.read(results_template(ROOT / "book" / name, tmp_path), as_version=4)
        assert [cell.cell_type for cell in reduced.cells] == ["code"] * 3
        assert "parameters" in reduced.cells[0].metadata["tags"]
        assert "params = " in reduced.cells[1].source
        assert "results.write_fragment(" in reduced.cells[2].source


def test_verify_lists_the_results_file_and_each_headline_that_changed(assembled):
    extra, path = assembled
    before = results.record(path)
    results.write_fragment("objective-3", [headline(value=10.8, upper=11.2)], extra)
    after = results.record(results.assemble(extra, "2025-26", {}))
    assert results_differences(before, before) == []
    assert results_differences(None, after) == []  # a manifest from before results files
    assert results_differences(before, after) == [
        f"results file: SHA-256 was {before['sha256'][:16]}, now {after['sha256'][:16]}",
        "results pm5-acsc-admissions upper: manifest 11.18, now 11.2",
        "results pm5-acsc-admissions value: manifest 10.79, now 10.8",
    ]
