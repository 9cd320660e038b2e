"""Tables for people: labels in words with units, numbers by unit, at most seven columns."""

from __future__ import annotations

import pandas as pd
from bs4 import BeautifulSoup

from bbp_analysis import table_format as tf
from bbp_analysis.publish import table_html
from bbp_analysis.site.datapackage import column_descriptions


def cells(block: str) -> tuple[list[str], list[list[str]], str]:
    soup = BeautifulSoup(block, "html.parser")
    heads = [th.get_text() for th in soup.find_all("th")]
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in soup.find("tbody")("tr")]
    note = soup.find("p", class_="bbp-table-note")
    return heads, rows, note.get_text() if note else ""


def test_raw_names_read_as_words_with_units() -> None:
    described = column_descriptions(
        "core20plus5-clinical", ["breakdown", "lower", "effective_n", "age_band", "value"]
    )
    assert described["breakdown"] == ("Breakdown", None)
    assert described["effective_n"] == ("Effective sample size", "count of people")
    assert described["age_band"][0] == "Age band"
    assert tf.words("registered_persons_2025") == "Registered persons 2025"
    assert tf.with_unit("Value", "%", tf.PERCENT) == "Value (%)"
    assert tf.with_unit("Rate", "per 1,000", tf.NUMBER) == "Rate (per 1,000)"
    assert tf.with_unit("Respondents", "count of people", tf.COUNT) == "Respondents"
    assert tf.with_unit("Value (%)", "%", tf.PERCENT) == "Value (%)"
    assert tf.with_unit("Value", "the row's unit (column unit)", tf.NUMBER) == "Value"


def test_numbers_are_formatted_by_unit() -> None:
    frame = pd.DataFrame(
        {
            "group": ["Most deprived fifth", "Least deprived fifth"],
            "denominator": [35000.0, 1234567.0],
            "rank": [26.0, 3.0],
            "value": [19.683138118738484, 7.05],
            "rii": [1.23456, 0.9],
            "z": [-0.5812, 0.0431],
        }
    )
    described = {
        "value": ("Value", "%"),
        "rii": ("Relative index of inequality", "ratio"),
        "rank": ("Rank", None),
    }
    heads, rows, note = cells(tf_table(frame, described))
    assert heads == [
        "Group",
        "Denominator",
        "Rank",
        "Value (%)",
        "Relative index of inequality (ratio)",
        "Z",
    ]
    assert rows == [
        ["Most deprived fifth", "35,000", "26", "19.7", "1.23", "-0.581"],
        ["Least deprived fifth", "1,234,567", "3", "7.0", "0.90", "0.043"],
    ]
    assert note == ""


def tf_table(frame: pd.DataFrame, described: dict[str, tuple[str, str | None]]) -> str:
    shown = tf.columns(frame, described)
    text = tf.reader_frame(frame, shown)
    head = "".join(f"<th>{c}</th>" for c in text.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
        for row in text.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def test_interval_limits_join_and_keep_suppression_marks() -> None:
    frame = pd.DataFrame(
        {
            "area": ["A", "B", "C"],
            "sii": [-4.21, 2.0, "[c]"],
            "sii_lower": [-6.349, 0.5, "[c]"],
            "sii_upper": [-2.07, None, "[c]"],
        }
    )
    blank = pd.DataFrame({"lower": ["", 1.25], "upper": ["", 2.5]})
    assert tf.reader_frame(blank, tf.columns(blank)).iloc[:, 0].tolist() == ["", "1.2 to 2.5"]
    shown = tf.columns(frame, {"sii_lower": ("SII lower confidence limit", "percentage points")})
    assert [c.label for c in shown] == [
        "Area",
        "Sii",
        "SII confidence interval (percentage points)",
    ]
    text = tf.reader_frame(frame, shown)
    assert text.iloc[:, 2].tolist() == ["-6.3 to -2.1", "[x]", "[c]"]
    assert text.iloc[:, 1].tolist() == ["-4.2", "2.0", "[c]"]


def test_a_wide_table_shows_seven_columns_and_names_the_rest() -> None:
    values = {f"segment_{i}": [19.683138118738484 + i] for i in range(26)}
    frame = pd.DataFrame({"pcn": ["Harrow East PCN"], **values})
    block = table_html(frame, "Neighbourhood profiles", table_id="neighbourhood-profile-table")
    heads, rows, note = cells(block)
    assert len(heads) == tf.MAX_COLUMNS == 7
    assert heads[0] == "Primary Care Network" and heads[1] == "Segment 0"
    assert rows == [["Harrow East PCN", "19.7", "20.7", "21.7", "22.7", "23.7", "24.7"]]
    assert note.startswith("The page shows 7 of this table's 27 columns; the download (CSV) ")
    assert note.endswith("Segment 24; Segment 25.")


def test_caller_decimals_apply_only_where_the_unit_does_not_fix_them() -> None:
    frame = pd.DataFrame(
        {"numerator": [35000.0], "mean": [3.14159], "value": [50.0], "persons": [35000.0]}
    )
    decimals = {"mean": 2, "numerator": 1, "value": 3, "persons": 1}
    shown = tf.columns(frame, {"value": ("Value", "%")}, decimals)
    assert tf.reader_frame(frame, shown).iloc[0].tolist() == ["35,000", "3.14", "50.0", "35,000"]
    # an expected count (a standardised ratio's denominator) is not whole: the caller's places
    expected = pd.DataFrame({"numerator": [7.0], "denominator": [6.62]})
    shown = tf.columns(expected, None, {"numerator": 0, "denominator": 1})
    assert tf.reader_frame(expected, shown).iloc[0].tolist() == ["7", "6.6"]


def test_blank_columns_give_way_to_columns_with_values() -> None:
    # The plan's measures 3 and 4: London, England and PCN range are blank in both rows.
    frame = pd.DataFrame(
        {
            "Measure": ["3. Citizens' experience", "4. Staff satisfaction"],
            "Unit": [None, "% voluntary turnover"],
            "Plan baseline (Harrow)": ["Establish baseline in 22/23.", None],
            "North West London": [None, "10% to 18.4%"],
            "London": [None, None],
            "England": [None, None],
            "PCN range": [None, None],
            "Target value": [None, 18.4],
            "Target": ["Establish baseline in 22/23.", "To the NWL range"],
        }
    )
    heads, rows, note = cells(table_html(frame, "Plan", table_id="measures-3-4-plan"))
    assert heads == [
        "Measure",
        "Unit",
        "Plan baseline (Harrow)",
        "North West London",
        "Target value",
        "Target",
    ]
    assert rows[1][4:] == ["18.4", "To the NWL range"]
    assert note == (
        "The page shows 6 of this table's 9 columns; the download (CSV) also holds: "
        "London (blank); England (blank); PCN range (blank)."
    )
