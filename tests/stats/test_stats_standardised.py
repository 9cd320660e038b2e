"""Directly standardised rates (Dobson) and indirectly standardised ratios."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bbp_analysis.stats import dsr, esp2013, isr

Z95 = 1.959963984540054


def test_esp2013_table():
    table = esp2013()
    assert list(table.columns) == ["age_band", "population"]
    assert table["age_band"].iloc[0] == "0-4"
    assert table["age_band"].iloc[-1] == "90+"
    assert table["population"].tolist() == [
        5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
        7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
    ]  # fmt: skip
    assert table["population"].sum() == 100_000


def test_dsr_two_band_hand_worked():
    # O = (20, 30), n = (10000, 5000), w = (60000, 40000)
    # DSR = (20·6 + 30·8)/100000 = 360/100000 → 360 per 100,000
    # var = (20·6² + 30·8²)/100000² = 2640e-10; O = 50; sqrt(var/O) = 7.266361e-5
    # Byar lower(50) = 50 (1 − 1/450 − z/(3√50))³ = 50 (0.9053842)³ = 37.10810
    # Byar upper(50) = 51 (1 − 1/459 + z/(3√51))³ = 51 (1.0893046)³ = 65.92016
    # lower = 0.0036 + 7.266361e-5 (37.10810 − 50) = 0.00266323 → 266.323
    # upper = 0.0036 + 7.266361e-5 (65.92016 − 50) = 0.00475682 → 475.682
    frame = pd.DataFrame({"o": [20, 30], "n": [10_000, 5000], "w": [60_000, 40_000]})
    result = dsr(frame, "o", "n", "w")
    row = result.iloc[0]
    assert row["total_count"] == 50
    assert row["total_population"] == 15_000
    assert row["value"] == pytest.approx(360.0)
    assert row["lower"] == pytest.approx(266.323, abs=1e-3)
    assert row["upper"] == pytest.approx(475.682, abs=1e-3)


def _esp_frame(areas: int, rate_per_person: float) -> pd.DataFrame:
    bands = esp2013()["age_band"]
    rows = []
    for area in range(areas):
        for position, band in enumerate(bands):
            population = 1000 + 100 * position + 10 * area
            rows.append(
                {"area": f"A{area}", "band": band, "pop": population,
                 "deaths": population * rate_per_person}
            )  # fmt: skip
    return pd.DataFrame(rows)


def test_equal_band_rates_standardise_to_that_rate_and_esp_joins_agree():
    # every band has the crude rate 0.01, so the DSR is 1000 per 100,000 whatever the weights
    frame = _esp_frame(3, 0.01)
    by_position = dsr(frame, "deaths", "pop", "esp2013", by="area")
    by_label = dsr(frame.sample(frac=1, random_state=1), "deaths", "pop", "esp2013",
                   by="area", age_band="band")  # fmt: skip
    assert list(by_position["area"]) == ["A0", "A1", "A2"]
    np.testing.assert_allclose(by_position["value"], 1000.0)
    pd.testing.assert_frame_equal(by_position, by_label)


def test_fewer_than_ten_events_suppressed_but_totals_kept():
    frame = pd.DataFrame({"o": [4, 5, np.nan], "n": [100, 200, 300], "w": [1, 1, 1]})
    row = dsr(frame, "o", "n", "w", confidence=(0.95, 0.998)).iloc[0]
    assert row["total_count"] == 9
    assert row["total_population"] == 600
    assert row[["value", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]].isna().all()


def test_dsr_bad_input():
    frame = pd.DataFrame({"o": [4, -5], "n": [100, 200], "w": [1, 1]})
    with pytest.raises(ValueError, match=r"column 'o'.*negative.*positions 1"):
        dsr(frame, "o", "n", "w")
    frame = pd.DataFrame({"o": [4, 5], "n": [100, 0], "w": [1, 1]})
    with pytest.raises(ValueError, match=r"column 'n'.*greater than zero"):
        dsr(frame, "o", "n", "w")
    frame = pd.DataFrame({"o": [4, 5], "n": [100, 10], "w": [1, 1]})
    with pytest.raises(ValueError, match="19 age-band rows"):
        dsr(frame, "o", "n", "esp2013")
    with pytest.raises(ValueError, match="column 'missing'"):
        dsr(frame, "missing", "n", "w")


def test_isr_hand_worked_exact_and_byar():
    # reference rates 0.01 and 0.05; area A: n = (200, 100) → E = 2 + 5 = 7, O = 3 + 4 = 7
    # ratio 1; exact: lower = chi²(0.025; 14)/2 / 7, upper = chi²(0.975; 16)/2 / 7
    # area B: n = (2000, 1000) → E = 20 + 50 = 70, O = 30 + 50 = 80 → 80/70 = 1.142857
    # Byar lower(80) = 80 (1 − 1/720 − z/(3√80))³ = 80 (0.9255676)³ = 63.43287 → /70 = 0.906184
    frame = pd.DataFrame(
        {
            "area": ["A", "A", "B", "B"],
            "o": [3, 4, 30, 50],
            "n": [200, 100, 2000, 1000],
            "ref_o": [100, 500, 100, 500],
            "ref_n": [10_000, 10_000, 10_000, 10_000],
        }
    )
    result = isr(frame, "o", "n", "ref_o", "ref_n", by="area").set_index("area")
    from scipy.stats import chi2

    assert result.loc["A", "expected"] == pytest.approx(7.0)
    assert result.loc["A", "value"] == pytest.approx(1.0)
    assert result.loc["A", "lower"] == pytest.approx(chi2.ppf(0.025, 14) / 2 / 7)
    assert result.loc["A", "upper"] == pytest.approx(chi2.ppf(0.975, 16) / 2 / 7)
    assert result.loc["B", "value"] == pytest.approx(80 / 70)
    assert result.loc["B", "lower"] == pytest.approx(0.906184, abs=1e-6)
    scaled = isr(frame, "o", "n", [100, 500], [10_000, 10_000], by="area", ref_value=100)
    assert scaled["value"].tolist() == pytest.approx([100.0, 800 / 7])


def test_isr_bad_reference():
    frame = pd.DataFrame({"o": [1, 2], "n": [10, 10], "ro": [1, 1], "rn": [10, -5]})
    with pytest.raises(ValueError, match=r"ref_population.*must not be negative.*positions 1"):
        isr(frame, "o", "n", "ro", "rn")


def test_isr_reference_band_with_zero_population_computes_as_the_r_package():
    # PHEindicatormethods 2.1.0, calculate_ISRatio (R/ISRatio.R): the expected count per band
    # is na.zero(x_ref) / n_ref * na.zero(n), summed without na.rm, with no check on n_ref.
    # Second band's reference population is 0 in every group; first band: E = 10/10,000 × 1000
    # = 1. In R, 4/0 = Inf and Inf × 500 = Inf, so E = Inf and O/E = 0 with limits
    # qchisq(...)/2/Inf = 0 (A); 0/0 = NaN (B: reference count 0; D: it is missing, na.zero
    # makes it 0); Inf × 0 = NaN (C: local population 0); a missing reference population
    # stays NA (E). NaN and NA give a missing E, ratio and limits.
    frame = pd.DataFrame(
        {
            "g": list("AABBCCDDEE"),
            "o": [5, 3] * 5,
            "n": [1000, 500, 1000, 500, 1000, 0, 1000, 500, 1000, 500],
            "ro": [10, 4, 10, 0, 10, 4, 10, None, 10, 4],
            "rn": [10_000, 0, 10_000, 0, 10_000, 0, 10_000, 0, 10_000, None],
        }
    )
    result = isr(frame, "o", "n", "ro", "rn", by="g").set_index("g")
    assert result["observed"].tolist() == [8.0] * 5
    assert result.loc["A", "expected"] == np.inf
    assert result.loc["A", ["value", "lower", "upper"]].tolist() == [0.0, 0.0, 0.0]
    assert result.loc[["B", "C", "D", "E"]].drop(columns="observed").isna().all().all()
    # a zero reference band where the area has nobody and the reference no events (0/0 in R
    # too) is the only way to make it vanish: drop it, as the chapters do, to get E = 1
    kept = isr(frame[frame["rn"] > 0], "o", "n", "ro", "rn", by="g")
    assert kept["expected"].tolist() == pytest.approx([1.0] * 5)
    assert kept["value"].tolist() == pytest.approx([5.0] * 5)


@settings(max_examples=30, deadline=None)  # no timing in tests: the machine may be loaded
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 500), st.integers(1, 10_000)), min_size=2, max_size=6),
        min_size=1,
        max_size=6,
    )
)
def test_grouped_dsr_equals_each_group_alone(groups):
    frame = pd.DataFrame(
        [
            {"g": g, "o": o, "n": n, "w": 1000 + 10 * band}
            for g, bands in enumerate(groups)
            for band, (o, n) in enumerate(bands)
        ]
    )
    together = dsr(frame, "o", "n", "w", by="g", confidence=(0.95, 0.998))
    for g in range(len(groups)):
        alone = dsr(frame[frame["g"] == g], "o", "n", "w", confidence=(0.95, 0.998))
        expected = alone.iloc[0]
        got = together[together["g"] == g].iloc[0][expected.index]
        pd.testing.assert_series_equal(got, expected, check_names=False)
        if expected["total_count"] >= 10:
            assert expected["lower_99_8"] <= expected["lower_95"] <= expected["value"]
            assert expected["value"] <= expected["upper_95"] <= expected["upper_99_8"]
