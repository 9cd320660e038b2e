"""Life expectancy (Chiang II, Silcocks) against PHEindicatormethods' test answers."""

import numpy as np
import pandas as pd
import pytest

from bbp_analysis.stats import life_expectancy

# ukhsa-collaboration/PHEindicatormethods tests/testthat/testLifeExpectancy.R: df1 and answer1
STARTS = [0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90]
POPS = [7060, 35059, 46974, 48489, 43219, 38561, 46009, 57208, 61435, 55601, 50209, 56416,
        46411, 39820, 37978, 37039, 33288, 23306, 11936, 11936]  # fmt: skip
DEATHS = [17, 9, 4, 8, 20, 15, 24, 33, 50, 71, 100, 163, 263, 304, 536, 872, 1390, 1605,
          1936, 1937]  # fmt: skip
VALUE = [80.16960813, 79.36245674, 75.44193645, 70.47299936, 65.52909542, 60.67510088,
         55.78835987, 50.92752727, 46.06740425, 41.24505636, 36.49322717, 31.83343842,
         27.26027992, 22.9719144, 18.76856852, 14.95858336, 11.51684445, 8.618849241,
         6.163942934, 6.16210635]  # fmt: skip
LOWER = [79.88268548, 79.0898816, 75.17407307, 70.20675732, 65.26548673, 60.41876577,
         55.53801579, 50.68279939, 45.82666794, 41.00842831, 36.26223216, 31.60996318,
         27.04337271, 22.76653134, 18.57570352, 14.77985004, 11.34831778, 8.451134045,
         5.978358351, 5.887683386]  # fmt: skip
UPPER = [80.45653078, 79.63503188, 75.70979983, 70.7392414, 65.79270412, 60.931436,
         56.03870395, 51.17225516, 46.30814055, 41.48168441, 36.72422219, 32.05691365,
         27.47718713, 23.17729746, 18.96143352, 15.13731667, 11.68537112, 8.786564437,
         6.349527517, 6.436529314]  # fmt: skip


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"age": STARTS, "pops": POPS, "deaths": DEATHS})


def test_matches_reference_to_four_decimals():
    shuffled = _frame().sample(frac=1, random_state=3)  # band order must not matter
    result = life_expectancy(shuffled, "age", "deaths", "pops")
    assert result["age_start"].tolist() == STARTS
    np.testing.assert_allclose(result["value"], VALUE, atol=1e-4)
    np.testing.assert_allclose(result["lower"], LOWER, atol=1e-4)
    np.testing.assert_allclose(result["upper"], UPPER, atol=1e-4)


def test_band_labels_and_groups():
    # the R test's df3 labels ("10 – 14", "90 +") give the same answer
    labels = ["0", "1-4"] + [f"{a} – {a + 4}" for a in STARTS[2:-1]] + ["90 +"]
    frame = _frame().assign(age=labels)
    two = pd.concat([frame.assign(area="A"), frame.assign(area="B")])
    result = life_expectancy(two, "age", "deaths", "pops", by="area", confidence=(0.95, 0.998))
    assert len(result) == 40
    np.testing.assert_allclose(result.loc[result["area"] == "B", "lower_95"], LOWER, atol=1e-4)
    assert (result["lower_99_8"] < result["lower_95"]).all()


def test_hand_worked_deaths_only_in_last_band():
    # no deaths before 90: l stays 100,000 and e_x = (90 − x) + 1/M with M = 500/1000 = 0.5;
    # only the 90+ term adds variance: SE = sqrt((l/2)²·4/(D·M²))/l = 1/(M·√D) = 0.0894427
    frame = pd.DataFrame(
        {"age": STARTS, "pops": [10_000] * 19 + [1000], "deaths": [0] * 19 + [500]}
    )
    result = life_expectancy(frame, "age", "deaths", "pops")
    np.testing.assert_allclose(result["value"], [92 - a for a in STARTS], rtol=1e-12)
    se = 1 / (0.5 * np.sqrt(500))
    np.testing.assert_allclose(result["upper"] - result["value"], 1.959963984540054 * se)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"deaths": (3, -5)}, "negative deaths"),
        ({"pops": (5, 0)}, "zero or less"),
        ({"pops": (18, 119)}, "more deaths than population"),
    ],
)
def test_suppressed_groups_give_missing_values_with_warning(change, message):
    frame = _frame()
    for column, (row, value) in change.items():
        frame.loc[row, column] = value
    with pytest.warns(UserWarning, match=message):
        result = life_expectancy(frame, "age", "deaths", "pops")
    assert result[["value", "lower", "upper"]].isna().all().all()


def test_small_population_and_missing_band_suppressed():
    small = pd.DataFrame({"age": STARTS, "pops": [200] * 20, "deaths": [1] * 20})
    with pytest.warns(UserWarning, match="5000 or less"):
        assert life_expectancy(small, "age", "deaths", "pops")["value"].isna().all()
    # phe_life_expectancy 2.1.0: a group lacking a band that other groups hold gives NAs with
    # the warning "some groups contain a different number of age bands than 20"
    two = pd.concat([_frame().assign(area="A"), _frame().iloc[:-1].assign(area="B")])
    with pytest.warns(UserWarning, match="19 age bands"):
        result = life_expectancy(two, "age", "deaths", "pops", by="area")
    assert result.loc[result["area"] == "B", "value"].isna().all()
    np.testing.assert_allclose(result.loc[result["area"] == "A", "value"], VALUE, atol=1e-4)


def test_wide_interval_suppresses_value_but_keeps_limits():
    frame = _frame()
    frame.loc[19, ["pops", "deaths"]] = [2000, 1]  # one death at 90+: huge variance
    with pytest.warns(UserWarning, match="wider than 20 years"):
        result = life_expectancy(frame, "age", "deaths", "pops")
    assert result.loc[19, "value"] != result.loc[19, "value"]  # NaN
    assert np.isfinite(result.loc[19, "lower"])


def test_unknown_band_is_an_error():
    frame = _frame().assign(age=[*STARTS[:-1], 95])
    with pytest.raises(ValueError, match=r"column 'age'.*'95' at 0-based position 19"):
        life_expectancy(frame, "age", "deaths", "pops")


BANDS = r"0, 1-4, 5-9, 10-14, .*, 85-89, 90\+"


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        # ESP-style 0-4 first band: the review read it as band 0 and returned a value
        (
            ["0-4", "1-4", *STARTS[2:]],
            rf"column 'age': age bands must be {BANDS}: '0-4' at 0-based position 0",
        ),
        # 5-year bands mislabelled 5-10: start ages right, ends wrong
        ([0, 1, "5-10", *STARTS[3:]], r"'5-10' at 0-based position 2 is not one of them"),
        # an open band before 90
        ([*STARTS[:-2], "85+", 90], r"'85\+' at 0-based position 18"),
        # a fractional start age
        ([0, 1.5, *STARTS[2:]], r"'1.5' at 0-based position 1"),
    ],
)
def test_bands_that_are_not_the_standard_ones_are_an_error(labels, message):
    # PHEindicatormethods 2.1.0, phe_life_expectancy: the sorted distinct startage values must
    # be identical to age_contents (default 0, 1, 5, ..., 90), else stop("the contents in the
    # startage field do not match the contents of the age_contents vector"). The review used
    # only each label's first number and returned a life expectancy for these.
    frame = _frame().assign(age=labels)
    with pytest.raises(ValueError, match=message):
        life_expectancy(frame, "age", "deaths", "pops")


def test_data_without_every_band_is_an_error():
    # phe_life_expectancy 2.1.0 refuses (same stop as above) data in which a band is absent
    # altogether; the review suppressed it with a warning
    with pytest.raises(
        ValueError,
        match=rf"column 'age': the data must hold each of the 20 age bands {BANDS}: "
        r"no rows for the bands starting at \[90\]",
    ):
        life_expectancy(_frame().iloc[:-1], "age", "deaths", "pops")
    whole_numbers = _frame().assign(age=[float(a) for a in STARTS])  # 5.0 is band 5-9
    np.testing.assert_allclose(
        life_expectancy(whole_numbers, "age", "deaths", "pops")["value"].iloc[:19],
        VALUE[:19],
        atol=1e-4,
    )
