"""The contract between the chapters and the front-page scorecard (and the board paper).

Each objective's chapter module offers ``headline_measures(params) -> list[Headline]``, one
per partnership measure it owns (objective 1: measures 1 and 2; objective 2: 3 and 4;
objective 3: 5). The chapter's own figures and the scorecard call the same function, so the
front page, the chapter and the board paper can never disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

STATUSES = ("met", "on track", "not met", "not yet measurable", "no target")


@dataclass(frozen=True)
class Headline:
    """One partnership measure's latest position.

    ``value``/``lower``/``upper`` are in ``unit`` (e.g. ``"%"``, ``"per 1,000"``) for
    ``period``; ``comparators`` maps an area (NWL, London, England) to its value in the same
    unit; ``trend`` is ``[(period, value), ...]`` oldest first; ``status`` is one of
    :data:`STATUSES` and ``status_text`` says why in one plain sentence; ``anchor`` is the
    chapter page and figure identifier (``"objective-3-care-pathways#pm5-acsc-spc"``);
    ``synthetic`` says whether the value comes from the synthetic extract; ``source`` names
    the dataset or seed document and period.
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

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {', '.join(STATUSES)}")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready mapping (trend as lists)."""
        out = asdict(self)
        out["trend"] = [[period, value] for period, value in self.trend]
        return out
