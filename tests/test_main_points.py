"""The main points (front page and board paper) and the Making Data Count style icons: written
from a real edition's headlines (the 2025-26 results file of the default synthetic extract,
kept as a fixture), stating only what each judged word says."""

from __future__ import annotations

import json
from dataclasses import replace
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
