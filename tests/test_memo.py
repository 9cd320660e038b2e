"""Values kept per process for the same inputs: computed once for the same parameters,
arguments and extract, afresh when any of them differs, and never shared by reference."""

from __future__ import annotations

import pandas as pd
import pytest

from bbp_analysis import extract, memo
from bbp_analysis.params import load_parameters


@pytest.fixture
def counted():
    calls: list[tuple] = []

    @memo.per_inputs
    def table(params, name: str, period: str | None = None) -> pd.DataFrame:
        calls.append((params["confidence"], name, period))
        return pd.DataFrame({"area": [params["area_name"]], "value": [len(calls)]})

    yield table, calls
    table.cache_clear()


def test_same_inputs_are_computed_once_and_given_as_copies(counted) -> None:
    table, calls = counted
    params = load_parameters("2025-26")
    first = table(params, "good")
    first.loc[0, "value"] = 99
    again = table(params, "good")
    assert len(calls) == 1
    assert again.loc[0, "value"] == 1  # the kept table is not the one changed


def test_any_different_input_is_computed_afresh(counted, monkeypatch) -> None:
    table, calls = counted
    params = load_parameters("2025-26")
    table(params, "good")
    table(params, "poor")
    table(params, "good", period="2024-25")
    table(params.replace(confidence=0.99), "good")
    monkeypatch.setenv(extract.EXTRACT_ENV, '{"folder": "elsewhere"}')
    table(params, "good")
    assert len(calls) == 5
    assert calls[3] == (0.99, "good", None)


def test_a_call_with_a_table_argument_is_not_kept() -> None:
    calls = []

    @memo.per_inputs
    def total(params, frame: pd.DataFrame) -> float:
        calls.append(1)
        return float(frame["value"].sum())

    params = load_parameters("2025-26")
    assert total(params, pd.DataFrame({"value": [1, 2]})) == 3.0
    assert total(params, pd.DataFrame({"value": [1, 5]})) == 6.0
    assert len(calls) == 2
