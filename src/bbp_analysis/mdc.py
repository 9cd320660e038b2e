"""Variation and assurance icons in the style of NHS England's Making Data Count, read from a
headline's yearly series and intervals (the edition's results file), drawn as inline SVG.

Making Data Count reads a statistical process control chart of at least 15 points. The
partnership measures are yearly estimates with confidence intervals (at most a handful of
years), so the review reads their intervals instead, with the tests the rest of the review
uses (:mod:`bbp_analysis.judgement`); :data:`RULES` states the rule, and the methods page
prints it.
"""

from __future__ import annotations

import html

from . import judgement
from .headline import Headline
from .site.whatchanged import direction

ASSURANCE_PERIODS = 3
"""Assurance reads the target against this many latest periods (at least two)."""
JUDGED = ("met", "not met", "uncertain")
"""Statuses whose target is on the measure's own basis, so assurance can read it."""
BLUE, ORANGE, GREY = "#005A9C", "#A34400", "#595959"
"""Improvement or passing; concern or failing; common cause or hit and miss (each at least
4.5:1 against white, and white text on it)."""
VARIATION = {
    "improvement": ("Variation: special cause, improvement", BLUE),
    "concern": ("Variation: special cause, concern", ORANGE),
    "neutral": ("Variation: special cause, neither better nor worse", GREY),
    "common cause": ("Variation: common cause, no clear change", GREY),
    "not assessed": ("Variation: not assessed, fewer than two years with intervals", ""),
}
"""Variation code -> (text alternative, colour; empty for an outlined icon)."""
ASSURANCE = {
    "pass": ("Assurance: consistently meets the target", BLUE),
    "fail": ("Assurance: consistently misses the target", ORANGE),
    "hit and miss": ("Assurance: hit and miss against the target", GREY),
    "not assessed": ("Assurance: not assessed, no target on the measure's basis", ""),
}
"""Assurance code -> (text alternative, colour; empty for an outlined icon)."""
RULES = {
    "variation": "The latest year against the year before, by the confidence interval of "
    "the difference (the review's year-on-year test): special cause (improvement or concern, "
    "by the measure's polarity; H or L for higher or lower) when the interval excludes zero, "
    "common cause when it includes zero, not assessed with fewer than two years with "
    "intervals.",
    "assurance": f"The target against each of the latest {ASSURANCE_PERIODS} years' "
    "confidence intervals (at least two years): consistently meets it (P) when every interval "
    "is wholly on the target's right side, consistently misses it (F) when every interval is "
    "wholly on the wrong side, hit and miss (?) otherwise; not assessed when the measure has "
    "no target figure on its own basis (a baseline to set, or a plan figure on another basis).",
}
"""The rule behind each icon, in plain English (printed on the methods page)."""


def variation(item: Headline) -> tuple[str, str]:
    """(variation code of :data:`VARIATION`, "H"/"L" for a special cause's direction, else
    "")."""
    change = direction(item.as_dict())
    if change not in ("up", "down"):
        return ("common cause" if change == judgement.NO_CLEAR_CHANGE else "not assessed", "")
    letter = "H" if change == "up" else "L"
    better = {"high_is_good": "up", "low_is_good": "down"}.get(item.polarity)
    if better is None:
        return "neutral", letter
    return ("improvement" if change == better else "concern"), letter


def assurance(item: Headline) -> str:
    """Assurance code of :data:`ASSURANCE` from the target and the latest years' intervals."""
    if item.target is None or item.status not in JUDGED:
        return "not assessed"
    recent = [
        (low, high) for _, low, high in item.trend_intervals if low is not None and high is not None
    ][-ASSURANCE_PERIODS:]
    if len(recent) < 2:
        return "not assessed"
    verdicts = {
        judgement.against_target(low, high, item.target, item.polarity) for low, high in recent
    }
    if verdicts == {"met"}:
        return "pass"
    return "fail" if verdicts == {"not met"} else "hit and miss"


def icon_svg(label: str, colour: str, letter: str, size: int = 26) -> str:
    """A round icon holding ``letter`` (white on ``colour``, or grey on an outline when
    ``colour`` is empty), named by ``label`` for assistive technology and as a tooltip."""
    r = size / 2
    fill, ink = (colour, "#fff") if colour else ("#fff", GREY)
    return (
        f'<svg class="bbp-mdc-icon" role="img" aria-label="{html.escape(label)}" '
        f'width="{size}" height="{size}" viewBox="0 0 {size} {size}">'
        f"<title>{html.escape(label)}</title>"
        f'<circle cx="{r}" cy="{r}" r="{r - 1.5}" fill="{fill}" stroke="{colour or GREY}" '
        f'stroke-width="1.5"/><text x="{r}" y="{r + 4.5}" text-anchor="middle" '
        f'font-family="sans-serif" font-weight="bold" font-size="13" fill="{ink}">'
        f"{html.escape(letter)}</text></svg>"
    )


def icons_html(item: Headline) -> str:
    """The headline's variation and assurance icons side by side."""
    code, letter = variation(item)
    label, colour = VARIATION[code]
    if letter:
        label += f" ({'higher' if letter == 'H' else 'lower'})"
    mark = letter or ("~" if code == "common cause" else "–")
    sure = assurance(item)
    sure_label, sure_colour = ASSURANCE[sure]
    sure_mark = {"pass": "P", "fail": "F", "hit and miss": "?"}.get(sure, "–")
    return (
        f'<span class="bbp-mdc">{icon_svg(label, colour, mark)}'
        f"{icon_svg(sure_label, sure_colour, sure_mark)}</span>"
    )
