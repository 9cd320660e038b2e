"""The main points (front page and board paper) and the Making Data Count style icons: written
from a real edition's headlines (the 2025-26 results file of the default synthetic extract,
kept as a fixture), stating only what each judged word says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bbp_analysis import mdc
from bbp_analysis.headline import STATUSES, Headline
from bbp_analysis.main_points import TALLY, main_points, short_label

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "results-2025-26.json"


@pytest.fixture(scope="module")
def items() -> list[Headline]:
    """The headlines of a built 2025-26 edition, read back as the front page reads them."""
    payload = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return [Headline(**record) for record in payload["headlines"]]


def by_id(items: list[Headline], indicator_id: str) -> Headline:
    return next(item for item in items if item.indicator_id == indicator_id)


def survey(**overrides) -> Headline:
    """A high-is-good survey percentage with a target of 55% and three years of intervals."""
    values = dict(
        measure=3,
        indicator_id="pm3-test",
        title="Citizens reporting a positive experience of care",
        period="2025-26",
        value=66.0,
        lower=64.0,
        upper=68.0,
        unit="%",
        polarity="high_is_good",
        baseline=60.0,
        baseline_period="2023-24",
        target=55.0,
        target_text="At least 55%.",
        status="met",
        status_text="The whole interval is above 55%.",
        anchor="objective-2-neighbourhood-teams#pm3",
        synthetic=True,
        source="Synthetic extract",
        trend=[("2023-24", 58.0), ("2024-25", 60.0), ("2025-26", 66.0)],
        trend_intervals=[("2023-24", 56.0, 60.0), ("2024-25", 58.0, 62.0), ("2025-26", 64.0, 68.0)],
    )
    return Headline(**{**values, **overrides})


def test_variation_reads_the_year_on_year_interval_with_the_polarity() -> None:
    # 66 (64-68) against 60 (58-62): difference 6, half-width sqrt(2^2 + 2^2) = 2.83,
    # interval 3.17 to 8.83 excludes zero: up
    assert mdc.variation(survey()) == ("improvement", "H")
    assert mdc.variation(survey(polarity="low_is_good")) == ("concern", "H")
    assert mdc.variation(survey(polarity="neither")) == ("neutral", "H")
    # 62 (60-64) against 60 (58-62): difference 2 +- 2.83 includes zero
    close = survey(
        trend=[("2024-25", 60.0), ("2025-26", 62.0)],
        trend_intervals=[("2024-25", 58.0, 62.0), ("2025-26", 60.0, 64.0)],
    )
    assert mdc.variation(close) == ("common cause", "")
    falling = survey(
        trend=[("2024-25", 66.0), ("2025-26", 60.0)],
        trend_intervals=[("2024-25", 64.0, 68.0), ("2025-26", 58.0, 62.0)],
    )
    assert mdc.variation(falling) == ("concern", "L")
    one_year = survey(trend=[("2025-26", 66.0)], trend_intervals=[("2025-26", 64.0, 68.0)])
    assert mdc.variation(one_year) == ("not assessed", "")


def test_assurance_reads_the_target_against_the_latest_intervals() -> None:
    # 56-60, 58-62, 64-68 all wholly above 55
    assert mdc.assurance(survey()) == "pass"
    assert mdc.assurance(survey(target=70.0)) == "fail"  # all wholly below 70
    assert mdc.assurance(survey(target=59.0)) == "hit and miss"  # 56-60 includes 59
    # only the latest three years count: a fourth, earlier, year below the target is ignored
    longer = survey(trend_intervals=[("2022-23", 40.0, 45.0), *survey().trend_intervals])
    assert mdc.assurance(longer) == "pass"
    assert mdc.assurance(survey(status="not comparable")) == "not assessed"
    assert mdc.assurance(survey(target=None)) == "not assessed"
    one_year = survey(trend_intervals=[("2025-26", 64.0, 68.0)])
    assert mdc.assurance(one_year) == "not assessed"


def test_icons_carry_their_text_alternative() -> None:
    markup = mdc.icons_html(survey())
    assert 'aria-label="Variation: special cause, improvement (higher)"' in markup
    assert "<title>Assurance: consistently meets the target</title>" in markup
    assert markup.count('role="img"') == 2
    assert f'fill="{mdc.BLUE}"' in markup and ">H</text>" in markup and ">P</text>" in markup


def test_methods_page_states_the_icon_rules() -> None:
    text = (ROOT / "book" / "methods.md").read_text(encoding="utf-8")
    body = text.split("% mdc-rules:", 1)[1].split("% end mdc-rules", 1)[0]
    rows = [line.strip("|").split("|") for line in body.splitlines() if line.startswith("| ")]
    assert [[c.strip() for c in row] for row in rows[1:]] == [
        ["Variation", mdc.RULES["variation"]],
        ["Assurance", mdc.RULES["assurance"]],
    ]


def test_a_straddling_interval_is_too_close_to_call_not_missed() -> None:
    # 56 to 60 includes the target of 59: the chapter calls it uncertain
    straddle = survey(value=58.0, lower=56.0, upper=60.0, target=59.0, status="uncertain")
    missed = survey(
        indicator_id="pm1-test",
        measure=1,
        title="Children aged 5 with tooth decay",
        polarity="low_is_good",
        value=38.0,
        lower=36.0,
        upper=40.0,
        target=30.0,
        status="not met",
        baseline=None,
    )
    points = main_points([missed, straddle])
    assert points[1] == "Short of target: Children aged 5 with tooth decay."
    assert points[2] == (
        "Too close to call (the interval includes the target): Citizens reporting a positive "
        "experience of care."
    )
    assert "Citizens" not in points[1]


def test_every_status_has_its_tally_words() -> None:
    assert sorted(status for group in TALLY for status in group) == sorted(STATUSES)


def test_main_points_of_a_real_edition(items) -> None:
    """The 2025-26 headlines: tooth decay at 45.1% (40.0 to 50.4) straddles its 40.28% target
    and is too close to call, not missed; GP access good (64.9%, 62.9 to 66.9, target 71) and
    poor (15.0%, 13.6 to 16.6, target 12) miss theirs; turnover (15.0%, 14.1 to 16.0) is within
    18.4; staff satisfaction is better than its survey baseline by its two-sample test."""
    decay = by_id(items, "pm1-tooth-decay-5")
    assert decay.lower < decay.target < decay.upper and decay.status == "uncertain"
    assert main_points(items) == [
        "Seven headline indicators cover all five partnership measures: one meets its target, "
        "two fall short, one is too close to call and three are not yet judged against a "
        "target.",
        "Short of target: Good experience of making a GP appointment and Patients reporting a "
        "poor experience of making an appointment at their GP practice.",
        "Too close to call (the interval includes the target): Five-year-olds with tooth decay.",
        "On target: Staff voluntary turnover rate.",
        "Since the baseline: better for Staff reporting satisfaction in their work; worse for "
        "Good experience of making a GP appointment; no clear change for the other three.",
    ]
    assert short_label(decay) == "Five-year-olds with tooth decay"  # the label less "(%)"


def test_icons_of_a_real_edition(items) -> None:
    """GP access good rose clearly (61.3%, 59.3 to 63.2, to 64.9%, 62.9 to 66.9) and every
    one of its last three intervals is below the 71% target; turnover's last three intervals
    are all within 18.4%; tooth decay's 2023-24 interval (36.9 to 47.7) includes 40.28."""
    good = by_id(items, "pm2-gp-access-good")
    assert (mdc.variation(good), mdc.assurance(good)) == (("improvement", "H"), "fail")
    poor = by_id(items, "pm2-gp-access-poor")  # fell, and low is good
    assert (mdc.variation(poor), mdc.assurance(poor)) == (("improvement", "L"), "fail")
    turnover = by_id(items, "pm4-voluntary-turnover")
    assert (mdc.variation(turnover), mdc.assurance(turnover)) == (("common cause", ""), "pass")
    decay = by_id(items, "pm1-tooth-decay-5")
    assert mdc.assurance(decay) == "hit and miss"
    acsc = by_id(items, "pm5-acsc-admissions")  # not comparable: no target on its basis
    assert mdc.assurance(acsc) == "not assessed"
