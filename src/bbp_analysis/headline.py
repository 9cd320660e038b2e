"""The contract between the chapters and the front-page scorecard (and the board paper).

Each objective's chapter module offers ``headline_measures(params) -> list[Headline]``, one
per partnership measure it owns (objective 1: measures 1 and 2; objective 2: 3 and 4;
objective 3: 5). The chapter's run writes them to the edition's results file
(:mod:`bbp_analysis.results`), which the front page, the delivery chapter, the board paper,
what changed and the claims ledger read, so they can never disagree with the chapter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

STATUS_VOCABULARY: dict[str, tuple[str, str]] = {
    "met": (
        "✔",
        "The target's rule, stated beside the measure, is satisfied in the period: the whole "
        "confidence interval is on the target's right side.",
    ),
    "not met": (
        "✖",
        "The target's rule is not satisfied in the period: the whole confidence interval is "
        "on the wrong side of the target.",
    ),
    "uncertain": (
        "◐",
        "Too close to call: the confidence interval includes the target, so the data cannot "
        "say whether it is met.",
    ),
    "baseline set": (
        "●",
        "The target is to establish a baseline, and the baseline period is in the data. The "
        "change since the baseline is shown separately, as a comparison, not as met or not met.",
    ),
    "no baseline yet": (
        "…",
        "The target is to establish a baseline, and the baseline period is not yet in the data.",
    ),
    "not comparable": (
        "≠",
        "The review's figure is not on the same basis as the plan's target figure (another "
        "definition, denominator or standardisation), so the target is not judged; an "
        "indicative reading is shown beside it.",
    ),
}
"""Every status a partnership measure can have: word -> (symbol, rule). The methods page
prints this table (a test compares them)."""
STATUSES = tuple(STATUS_VOCABULARY)
COMPARISON_VOCABULARY: dict[str, str] = {
    "better": "The comparison's test finds the period better than the value compared with: "
    "its interval (against a published value) or the interval of the difference (against a "
    "survey baseline) lies wholly on the better side.",
    "similar": "The interval includes the value compared with, or the interval of the "
    "difference includes zero.",
    "worse": "The interval, or the interval of the difference, lies wholly on the worse side.",
    "not compared": "A value or its interval is missing (for example withheld because it rests "
    "on a small count), so no comparison is made.",
}
"""The words of a comparison with a baseline or comparator (tests in
:mod:`bbp_analysis.judgement`)."""
INDICATIVE = "indicative"
"""The verdict of a reading on a basis that differs from the target's: figures shown, not judged."""
VERDICTS = (*STATUSES, *COMPARISON_VOCABULARY, INDICATIVE)


@dataclass(frozen=True)
class Reading:
    """One reading of a measure's target or one comparison shown beside its status:
    ``name`` (what it is read against), ``verdict`` (a status or comparison word, or
    "indicative") and ``text`` (one plain sentence with the figures)."""

    name: str
    verdict: str
    text: str


@dataclass(frozen=True)
class Headline:
    """One partnership measure's latest position.

    ``value``/``lower``/``upper`` are in ``unit`` (e.g. ``"%"``, ``"per 1,000"``) for
    ``period``; ``comparators`` maps an area (NWL, London, England) to its value in the same
    unit; ``trend`` is ``[(period, value), ...]`` oldest first; ``status`` is one of
    :data:`STATUSES` and ``status_text`` says why in one plain sentence; ``anchor`` is the
    chapter page and figure identifier (``"objective-3-care-pathways#pm5-acsc-spc"``);
    ``synthetic`` says whether the value comes from the synthetic extract; ``source`` names
    the dataset or seed document and period. ``readings`` are the target's readings and
    comparisons shown beside the status (:class:`Reading`); ``baseline_text`` and
    ``comparator_text``, when set, give the plan's figures as it wrote them, shown instead of
    ``baseline`` and ``comparators`` where those are not on the measure's basis.
    ``baseline_comparison`` is the comparison word with the baseline when the chapter judged
    it by a test other than the Fingertips rule (a survey baseline), else empty;
    ``trend_intervals`` is ``[(period, lower, upper), ...]`` matching ``trend``;
    ``comparator_sources`` maps each area of ``comparators`` to where its value comes from
    ("synthetic", or the published file's citation; :func:`bbp_analysis.published.resolve`).
    ``caveat``, when set, is a limit on the status that must travel with it (shown on the
    front page and in the board paper beside the status).
    """

    measure: int
    indicator_id: str
    title: str
    period: str
    value: float | None
    lower: float | None
    upper: float | None
    unit: str
    polarity: str
    baseline: float | None
    baseline_period: str
    target: float | None
    target_text: str
    status: str
    status_text: str
    anchor: str
    synthetic: bool
    source: str
    comparators: dict[str, float] = field(default_factory=dict)
    trend: list[tuple[str, float]] = field(default_factory=list)
    readings: tuple[Reading, ...] = ()
    baseline_text: str = ""
    comparator_text: str = ""
    baseline_comparison: str = ""
    trend_intervals: list[tuple[str, float, float]] = field(default_factory=list)
    comparator_sources: dict[str, str] = field(default_factory=dict)
    caveat: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {', '.join(STATUSES)}")
        # trend points and readings read back from headlines.json arrive as lists and mappings
        object.__setattr__(self, "trend", [tuple(point) for point in self.trend])
        object.__setattr__(self, "trend_intervals", [tuple(p) for p in self.trend_intervals])
        readings = tuple(r if isinstance(r, Reading) else Reading(**r) for r in self.readings)
        object.__setattr__(self, "readings", readings)
        for reading in self.readings:
            if reading.verdict not in VERDICTS:
                raise ValueError(f"verdict {reading.verdict!r} is not one of {', '.join(VERDICTS)}")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready mapping (trend as lists)."""
        out = asdict(self)
        out["trend"] = [[period, value] for period, value in self.trend]
        out["trend_intervals"] = [list(point) for point in self.trend_intervals]
        out["readings"] = [asdict(reading) for reading in self.readings]
        return out


def trend_fields(table: Any) -> dict[str, list[Any]]:
    """``trend`` and ``trend_intervals`` of a :class:`Headline` from a series table with
    ``period, value, lower, upper`` columns (oldest first)."""
    rows = list(zip(table["period"], table["value"], table["lower"], table["upper"], strict=True))
    return {
        "trend": [(str(p), float(v)) for p, v, _, _ in rows],
        "trend_intervals": [(str(p), float(lo), float(hi)) for p, _, lo, hi in rows],
    }
