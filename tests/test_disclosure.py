"""Disclosure control: primary and secondary suppression, the publishing gate, rule text.

The adversarial tests play a reader who knows each group's total and the published rule
(small counts are 1 .. threshold-1, other suppressed counts are 0 or at least the
threshold) and works out, by exhaustive search, every value a suppressed cell could take.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bbp_analysis.disclosure import (
    DisclosureError,
    check_no_small_counts,
    round_to,
    suppress,
    suppress_ratio,
    suppression_rule_text,
)
from bbp_analysis.errors import InputError


def _table(counts, groups=None):
    return pd.DataFrame({"group": groups or ["a"] * len(counts), "n": counts})


@pytest.mark.parametrize(
    ("count", "suppressed"), [(0, False), (1, True), (4, True), (5, False), (6, False)]
)
def test_primary_edges_at_threshold_5(count, suppressed):
    frame = pd.DataFrame({"n": [count], "m": [100]})
    out = suppress(frame, ["n"], 5)
    assert bool(out["suppressed"].iloc[0]) is suppressed
    if suppressed:
        assert out["n"].iloc[0] == "[c]" and out["suppression_reason"].iloc[0] == "primary"
    else:
        assert out["n"].iloc[0] == count and pd.isna(out["suppression_reason"].iloc[0])


def test_zero_is_suppressed_only_when_asked():
    frame = _table([0, 50, 60])
    assert not suppress(frame, ["n"], 5)["suppressed"].any()
    out = suppress(frame, ["n"], 5, suppress_zero=True)
    assert out["suppressed"].tolist() == [True, True, False]
    assert out["suppression_reason"].tolist()[:2] == ["primary", "secondary"]


def test_lone_suppressed_cell_takes_the_next_smallest_non_zero_cell():
    out = suppress(_table([3, 0, 20, 12, 12, 40]), ["n"], 5)
    assert out["suppressed"].tolist() == [True, False, False, True, False, False]
    assert out["suppression_reason"].tolist()[3] == "secondary"
    assert out["n"].tolist() == ["[c]", 0, 20, "[c]", 12, 40]


def test_groups_are_protected_separately():
    frame = _table([2, 30, 40, 9, 30, 40], ["a"] * 3 + ["b"] * 3)
    out = suppress(frame, ["n"], 5, groups=["group"])
    assert out["suppressed"].tolist() == [True, True, False, False, False, False]


def test_two_suppressed_ones_that_the_total_would_reveal_get_a_partner():
    # total 1 + 1 + 20 + 30 = 52; published 20 + 30 leaves 2 = 1 + 1, both pinned to 1
    out = suppress(_table([1, 1, 20, 30]), ["n"], 5)
    assert out["suppressed"].tolist() == [True, True, True, False]


def test_partner_equal_to_the_threshold_is_not_enough():
    # 1 + 5 = 6 with 5 known to be >= 5 pins the 1; a second partner is needed
    out = suppress(_table([1, 5, 9, 30]), ["n"], 5)
    assert out["suppressed"].tolist() == [True, True, True, False]


def test_total_row_is_suppressed_when_no_partner_is_left():
    frame = pd.DataFrame(
        {"group": ["a"] * 4, "n": [3, 0, 0, 3], "total": [False, False, False, True]}
    )
    out = suppress(frame, ["n"], 5, groups=["group"], totals="total")
    assert out["suppressed"].tolist() == [True, False, False, True]
    frame = pd.DataFrame({"group": ["a"] * 3, "n": [3, 6, 9], "total": [False, False, True]})
    out = suppress(frame, ["n"], 5, groups=["group"], totals="total")
    assert out["suppressed"].tolist() == [True, True, False]


def test_value_columns_are_blanked_and_numeric_output_is_available():
    frame = pd.DataFrame(
        {
            "n": [2, 40, 50],
            "d": [100, 200, 300],
            "rate": [0.02, 0.2, 0.17],
            "lower": [0.01, 0.15, 0.13],
        }
    )
    out = suppress(frame, ["n"], 5, value_columns=["rate", "lower"])
    assert out["rate"].tolist() == ["[c]", "[c]", 0.17]
    assert out["d"].tolist() == [100, 200, 300]
    numeric = suppress(frame, ["n"], 5, value_columns=["rate"], symbol=None)
    assert numeric["n"].isna().tolist() == [True, True, False]
    assert numeric["rate"].iloc[2] == pytest.approx(0.17)
    assert numeric["n"].dtype == "float64"


def test_input_frame_is_not_changed():
    frame = _table([2, 40, 50])
    suppress(frame, ["n"], 5)
    assert frame["n"].tolist() == [2, 40, 50] and list(frame.columns) == ["group", "n"]


def test_several_count_columns_cascade():
    # row 0 is small in n; its partner for n (row 1) makes column d need a partner too.
    frame = pd.DataFrame({"n": [2, 10, 30, 40], "d": [50, 3, 60, 70]})
    out = suppress(frame, ["n", "d"], 5)
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert out["suppression_reason"].tolist()[:2] == ["primary", "primary"]


@pytest.mark.parametrize(
    ("kwargs", "column", "rule"),
    [
        ({"count_columns": ["x"], "threshold": 5}, "x", "known column"),
        ({"count_columns": ["n"], "threshold": 0}, None, "threshold"),
        ({"count_columns": ["n"], "threshold": 5, "groups": ["area"]}, "area", "known column"),
    ],
)
def test_bad_arguments(kwargs, column, rule):
    with pytest.raises(InputError) as info:
        suppress(_table([1, 2]), **kwargs)
    assert (info.value.column, info.value.rule) == (column, rule)


def test_negative_and_text_counts_are_rejected():
    with pytest.raises(InputError) as info:
        suppress(_table([3, -1]), ["n"], 5, source="table 2.1")
    assert (info.value.row, info.value.column, info.value.rule) == (2, "n", "non-negative count")
    assert str(info.value).startswith("table 2.1")
    with pytest.raises(InputError, match="not a count"):
        suppress(pd.DataFrame({"n": ["3", "x"]}), ["n"], 5)


def _feasible(bounds: list[set[int]], total: int) -> list[set[int]]:
    """Every value each cell can take when the cells lie in ``bounds`` and sum to ``total``."""
    sums = [{0}]
    for cell in bounds:
        sums.append({s + x for s in sums[-1] for x in cell if s + x <= total})
    suffix = [{0}]
    for cell in reversed(bounds):
        suffix.append({s + x for s in suffix[-1] for x in cell if s + x <= total})
    suffix.reverse()
    result = []
    for i, cell in enumerate(bounds):
        others = {a + b for a in sums[i] for b in suffix[i + 1] if a + b <= total}
        result.append({x for x in cell if total - x in others})
    return result


def _disclosed(true_values, hidden, threshold, suppress_zero):
    """Hidden small counts a reader who knows the total can pin to one value."""
    lowest = 0 if suppress_zero else 1
    cells = [v for v, h in zip(true_values, hidden, strict=True) if h]
    total = sum(cells)
    bounds = []
    for v in cells:
        if lowest <= v < threshold:
            bounds.append(set(range(lowest, threshold)))
        else:
            bounds.append({0, *range(threshold, total + 1)})
    options = _feasible(bounds, total)
    return [
        v for v, o in zip(cells, options, strict=True) if lowest <= v < threshold and len(o) == 1
    ]


tables = st.lists(
    st.tuples(st.sampled_from("ab"), st.integers(0, 12), st.integers(0, 12)),
    min_size=1,
    max_size=7,
)


@settings(max_examples=150, deadline=None)
@given(rows=tables, threshold=st.integers(3, 6), suppress_zero=st.booleans())
def test_no_suppressed_count_can_be_worked_out_from_a_published_total(
    rows, threshold, suppress_zero
):
    parts = pd.DataFrame(rows, columns=["area", "n", "d"])
    totals = parts.groupby("area", as_index=False)[["n", "d"]].sum()
    frame = pd.concat([parts.assign(total=False), totals.assign(total=True)], ignore_index=True)
    out = suppress(
        frame, ["n", "d"], threshold, groups=["area"], totals="total", suppress_zero=suppress_zero
    )
    lowest = 0 if suppress_zero else 1
    for column in ("n", "d"):
        values = frame[column].to_numpy()
        shown = out[column].to_numpy()
        small = (values >= lowest) & (values < threshold)
        assert not any(isinstance(x, int | np.integer) for x in shown[small])
        for _, rows_of_area in frame.groupby("area").groups.items():
            positions = frame.index.get_indexer(rows_of_area)
            is_total = frame["total"].to_numpy()[positions]
            if out["suppressed"].to_numpy()[positions][is_total].any():
                continue  # the total is not published: nothing to difference against
            part_positions = positions[~is_total]
            published = [shown[p] for p in part_positions if not out["suppressed"].iloc[p]]
            hidden = out["suppressed"].to_numpy()[part_positions]
            total = values[positions][is_total][0]
            assert total - sum(published) == values[part_positions][hidden].sum()
            assert _disclosed(values[part_positions], hidden, threshold, suppress_zero) == []


@settings(max_examples=100, deadline=None)
@given(counts=st.lists(st.integers(0, 15), min_size=1, max_size=8), threshold=st.integers(3, 6))
def test_without_total_rows_only_unfixable_groups_stay_exposed(counts, threshold):
    out = suppress(_table(counts), ["n"], threshold)
    hidden = out["suppressed"].to_numpy()
    values = np.array(counts)
    if _disclosed(values, hidden, threshold, False):
        assert not ((values > 0) & ~hidden).any()  # every non-zero cell already suppressed


def test_suppress_ratio_protects_small_denominators_and_hides_them():
    # The PCN view's fault: 7 respondents in a group, all 7 positive (numerator 7 < 10 too),
    # and 12 of 16 (both large, but only 4 without): each is primary-suppressed. The 4
    # without would then follow from the total, so the next row is hidden as well.
    frame = pd.DataFrame(
        {
            "area": ["Harrow", "18-24", "25-34", "35-44"],
            "numerator": [500, 7, 12, 40],
            "denominator": [700, 7, 16, 60],
            "value": [71.4, 100.0, 75.0, 66.7],
        }
    )
    out = suppress_ratio(frame, 10, proportion=True, value_columns=["value"], symbol=None)
    assert out["suppression_reason"].fillna("").tolist() == ["", "primary", "primary", "secondary"]
    assert out["denominator"].isna().tolist() == [False, True, True, True]
    assert out["value"].isna().tolist() == [False, True, True, True]
    assert list(out.columns) == [*frame.columns, "suppressed", "suppression_reason"]
    check_no_small_counts(out, ["numerator", "denominator"], 10)


def test_suppress_ratio_for_a_rate_has_no_complement():
    # 45 events among 50 people is a rate, not a proportion: 5 "without" is not a count.
    # (Each row its own group, so no secondary suppression between them.)
    frame = pd.DataFrame({"area": ["A", "B"], "numerator": [45, 30], "denominator": [50, 8]})
    out = suppress_ratio(frame, 10, proportion=False, groups=["area"], symbol=None)
    assert out["suppressed"].tolist() == [False, True]
    assert out["denominator"].tolist()[0] == 50 and pd.isna(out["denominator"].iloc[1])
    as_proportion = suppress_ratio(frame.iloc[:1], 10, proportion=True, symbol=None)
    assert bool(as_proportion["suppressed"].iloc[0]) is True


def test_suppress_ratio_secondary_covers_the_denominator():
    # Groups of one PCN adding up to its published total: a lone small denominator (6, with
    # no events) could be found by subtraction, so the next smallest row is hidden too.
    frame = pd.DataFrame(
        {
            "numerator": [300, 200, 100, 0],
            "denominator": [606, 400, 200, 6],
            "total": [True, False, False, False],
        }
    )
    out = suppress_ratio(frame, 10, proportion=False, totals="total", symbol=None)
    assert out["suppression_reason"].fillna("").tolist() == ["", "", "secondary", "primary"]
    assert out["denominator"].isna().tolist() == [False, False, True, True]


def test_check_no_small_counts_passes_suppressed_output():
    out = suppress(_table([2, 9, 0, 40]), ["n"], 5)
    check_no_small_counts(out, ["n"], 5)
    check_no_small_counts(suppress(_table([2, 9, 40]), ["n"], 5, symbol=None), ["n"], 5)


@pytest.mark.parametrize(
    ("counts", "suppress_zero", "row", "rule"),
    [
        ([9, 4, 40], False, 2, "no count below 5"),
        ([9, 0, 40], True, 2, "no count below 5"),
        ([9, "*", 40], False, 2, "numeric count or suppression symbol"),
    ],
)
def test_check_no_small_counts_catches_leaks(counts, suppress_zero, row, rule):
    frame = pd.DataFrame({"n": counts})
    with pytest.raises(DisclosureError) as info:
        check_no_small_counts(frame, ["n"], 5, suppress_zero=suppress_zero, source="fig 3")
    message = str(info.value)
    assert message.startswith(f"fig 3: row {row}, column 'n': {rule}")
    assert "\n" not in message


def test_rule_text():
    assert suppression_rule_text(5) == (
        "Counts from 1 to 4 are suppressed and shown as [c] to protect confidentiality. "
        "Zero counts are shown, because a zero does not identify anyone. Where a suppressed "
        "count could be worked out by subtracting the other figures from a total, the next "
        "smallest count (or the total) is suppressed as well. Rates, percentages and "
        "confidence intervals calculated from a suppressed count are not shown."
    )
    assert suppression_rule_text(8, suppress_zero=True).startswith(
        "Counts from 0 to 7 are suppressed and shown as [c]"
    )
    assert suppression_rule_text(2).startswith("Counts of 1 are suppressed")
    assert suppression_rule_text(1) == "No counts are suppressed."


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        (12, 5, 10),
        (13, 5, 15),
        (15, 10, 20),
        (25, 10, 30),
        (14, 10, 10),
        (0, 5, 0),
        (7, 1, 7),
    ],
)
def test_round_to_halves_away_from_zero(value, base, expected):
    assert round_to(value, base) == expected


def test_round_to_keeps_series_shape_and_missing():
    rounded = round_to(pd.Series([12, None, 18], index=[5, 6, 7], name="n"), 5)
    assert rounded.index.tolist() == [5, 6, 7] and rounded.name == "n"
    assert rounded.iloc[0] == 10 and np.isnan(rounded.iloc[1]) and rounded.iloc[2] == 20
    with pytest.raises(InputError, match="base"):
        round_to(12, 0)
