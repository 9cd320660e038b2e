"""Parameters: merging, types, rules, and one-line errors naming file and parameter."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import papermill
import pytest
from cli_in_process import run_cli

from bbp_analysis.errors import InputError
from bbp_analysis.params import (
    SPEC,
    RunParameters,
    available_periods,
    load_parameters,
    notebook_parameters,
)


def test_default_period_merges_defaults_and_period_file(project: Path) -> None:
    params = load_parameters(root=project)
    assert params["period"] == "2025-26"
    assert params["period_start"] == "2025-04-01"
    assert params["area_code"] == "E09000015"
    assert params.comparators == ("NWL", "London", "England")
    assert params["pcn"] is None


def test_named_period_and_override(project: Path) -> None:
    path = project / "parameters" / "2023-24.yaml"
    path.write_text(path.read_text() + "confidence: 0.998\n")
    params = load_parameters("2023-24", root=project)
    assert params["period_end"] == "2024-03-31"
    assert params["confidence"] == 0.998


def test_periods_listed_in_order(project: Path) -> None:
    assert available_periods(project) == ["2022-23", "2023-24", "2024-25", "2025-26"]


def test_notebook_parameters_leave_out_pipeline_settings(project: Path) -> None:
    injected = notebook_parameters(load_parameters(root=project))
    assert "default_period" not in injected
    assert "cell_timeout_seconds" not in injected
    assert injected["area_name"] == "Harrow"


def test_unknown_parameter_is_refused(project: Path) -> None:
    path = project / "parameters" / "2024-25.yaml"
    path.write_text(path.read_text() + "supression_threshold: 5\n")
    with pytest.raises(InputError) as error:
        load_parameters("2024-25", root=project)
    message = str(error.value)
    assert "2024-25.yaml" in message and "'supression_threshold'" in message
    assert "known parameter" in message


def test_unquoted_number_where_text_is_needed(project: Path) -> None:
    path = project / "parameters" / "defaults.yaml"
    path.write_text(path.read_text().replace('area_name: "Harrow"', "area_name: 15"))
    with pytest.raises(InputError, match=r"column 'area_name': parameter type: 15 is a int"):
        load_parameters(root=project)


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [
        ("period_start", '"2025-05-01"', "period dates"),
        ("confidence", "1.5", "range"),
        ("suppression_threshold", "0", "range"),
        ("area_code", '"Harrow"', "area code format"),
    ],
)
def test_values_breaking_a_rule(project: Path, name: str, value: str, rule: str) -> None:
    path = project / "parameters" / "2025-26.yaml"
    path.write_text(path.read_text() + f"{name}: {value}\n")
    with pytest.raises(InputError) as error:
        load_parameters("2025-26", root=project)
    assert f"column '{name}'" in str(error.value)
    assert rule in str(error.value)


def test_period_file_must_match_its_name(project: Path) -> None:
    source = project / "parameters" / "2025-26.yaml"
    (project / "parameters" / "2026-27.yaml").write_text(source.read_text())
    with pytest.raises(InputError, match="period matches file name"):
        load_parameters("2026-27", root=project)


def test_cli_malformed_yaml_one_line_and_exit_2(project: Path, bbp) -> None:
    """The installed command in a new process (its exit status and terminal); the other
    command-line tests call the same ``cli.main`` in this process."""
    (project / "parameters" / "2025-26.yaml").write_text('period: "2025-26\nperiod_start: [\n')
    result = bbp("validate", root=project)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "2025-26.yaml" in lines[0] and "valid YAML" in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_missing_period(project: Path) -> None:
    result = run_cli("validate", "--period", "2031-32", root=project)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"bbp validate: error: {project / 'parameters' / '2031-32.yaml'}: period exists: "
        "no parameters file for period '2031-32' (known periods: 2022-23, 2023-24, 2024-25, "
        "2025-26)"
    ]


def test_cli_unknown_parameter(project: Path) -> None:
    path = project / "parameters" / "defaults.yaml"
    path.write_text(path.read_text() + "colour_scheme: dark\n")
    result = run_cli("build", "--out", str(project / "site"), root=project)
    assert result.returncode == 2
    assert "column 'colour_scheme': known parameter" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "site").exists()


def test_cli_validate_succeeds(project: Path) -> None:
    result = run_cli("validate", "--period", "2022-23", root=project)
    assert result.returncode == 0, result.stderr
    assert "parameters for 2022-23" in result.stdout


# RunParameters: one checked, read-only object ------------------------------------------------


def test_run_parameters_are_a_read_only_mapping_with_typed_attributes() -> None:
    params = load_parameters("2024-25")
    assert isinstance(params, RunParameters)
    assert params["area_name"] == params.area_name == "Harrow"
    assert params.period_end == "2025-03-31"
    assert params.confidence == 0.95 and params.suppression_threshold == 10
    assert params.where == "Harrow"
    assert {**params, "pcn": "Sphere PCN"}["pcn"] == "Sphere PCN"
    with pytest.raises(TypeError):
        params["area_name"] = "Brent"  # type: ignore[index]
    with pytest.raises(AttributeError, match="read-only"):
        params.area_name = "Brent"  # type: ignore[misc]
    with pytest.raises(TypeError, match="read-only"):
        params.plus_groups[0]["id"] = "changed"  # type: ignore[index]


def test_replace_checks_again_and_keeps_the_original() -> None:
    params = load_parameters("2025-26")
    brent = params.replace(area_code="E09000005", area_name="Brent")
    assert (brent.area_name, params.area_name) == ("Brent", "Harrow")
    with pytest.raises(InputError, match=r"column 'area_code': area code format"):
        params.replace(area_code="Brent")


def test_with_period_moves_the_period_and_its_dates_together() -> None:
    params = load_parameters("2025-26")
    earlier = params.with_period("2022-23")
    assert (earlier.period, earlier.period_start, earlier.period_end) == (
        "2022-23",
        "2022-04-01",
        "2023-03-31",
    )
    assert (earlier.area_code, earlier.confidence) == (params.area_code, params.confidence)
    with pytest.raises(ValueError, match="not a financial year"):
        params.with_period("2022-24")


def test_notebook_load_round_trips_the_injected_values() -> None:
    params = load_parameters("2025-26").replace(area_code="E09000005", area_name="Brent")
    injected = notebook_parameters(params)
    assert injected["comparators"] == ["NWL", "London", "England"]  # plain lists for papermill
    namespace = {"__name__": "__main__", "display": print, **injected}
    loaded = RunParameters.from_notebook(namespace)
    assert loaded == {name: params[name] for name in injected}
    assert loaded.area_name == "Brent"


def test_notebook_run_by_hand_takes_plus_groups_from_the_files() -> None:
    injected = notebook_parameters(load_parameters("2025-26"))
    loaded = RunParameters.from_notebook({**injected, "plus_groups": None})
    assert [g["id"] for g in loaded.plus_groups][:2] == ["black-heritage", "romanian"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"confidence": "0.95"},
            "notebook parameters (injected by papermill): column "
            "'confidence': parameter type: '0.95' is a str, expected float",
        ),
        (
            {"area_code": "E0900005"},
            "notebook parameters (injected by papermill): column "
            "'area_code': area code format: 'E0900005' is not a local authority code like "
            "E09000015",
        ),
        (
            {"colour": "dark"},
            "notebook parameters (injected by papermill): column 'colour': "
            "known parameter: unknown parameter 'colour'",
        ),
    ],
)
def test_bad_injected_value_is_one_line_naming_the_key(change: dict, expected: str) -> None:
    injected = {**notebook_parameters(load_parameters("2025-26")), **change}
    with pytest.raises(InputError) as error:
        RunParameters(injected, source="notebook parameters (injected by papermill)")
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(expected)


def test_missing_notebook_parameter_is_named() -> None:
    injected = notebook_parameters(load_parameters("2025-26"))
    del injected["suppression_threshold"]
    with pytest.raises(InputError, match=r"column 'suppression_threshold': required parameter"):
        RunParameters.from_notebook(injected)


def test_rule_error_names_the_file_that_set_the_value(project: Path) -> None:
    path = project / "parameters" / "defaults.yaml"
    path.write_text(path.read_text().replace("confidence: 0.95", "confidence: 1.5"))
    result = run_cli("validate", "--period", "2025-26", root=project)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"bbp validate: error: {path}: column 'confidence': range: 1.5 is outside 0.9 to 0.999"
    ]


def test_every_notebook_declares_every_parameter_and_loads_them_in_one_call() -> None:
    root = Path(__file__).resolve().parents[1]
    wanted = {name for name, spec in SPEC.items() if spec.notebook}
    templates = sorted((root / "book").glob("*.ipynb"))
    assert len(templates) == 5
    for template in templates:
        notebook = nbformat.read(template, as_version=4)
        code = [c.source for c in notebook.cells if c.cell_type == "code"]
        assert set(papermill.inspect_notebook(str(template))) == wanted, template.name
        loads = [s for s in code if "RunParameters.from_notebook(globals())" in s]
        assert len(loads) == 1, template.name
        assert not any(re.search(r"params\s*=\s*(dict\(|\{)", s) for s in code), template.name
