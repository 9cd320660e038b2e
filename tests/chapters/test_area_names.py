"""The area named by the run parameters, not a fixed borough, in objective 2's axis labels and
sentences and in the staged book's title (issue 15, area-neutral). The data are Harrow's
synthetic extract; only the area's name is changed, so a fixed "Harrow" would show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bbp_analysis.chapters import objective_2_text as text
from bbp_analysis.chapters import objective_2_views as views
from bbp_analysis.params import RunParameters, load_parameters
from bbp_analysis.site import book_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def renamed() -> RunParameters:
    """The 2025-26 parameters of Harrow's extract with the area renamed."""
    return load_parameters("2025-26").replace(area_name="Elsewhere")


def _spy(monkeypatch: pytest.MonkeyPatch, name: str, module: Any = views) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    original = getattr(module, name)

    def record(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, record)
    return calls


def test_ratio_chart_axis_is_the_area_at_100(renamed, monkeypatch) -> None:
    calls = _spy(monkeypatch, "ci_dot_chart")
    views.ratio_figure("o2-emergency-isr", renamed)
    assert calls[0]["xlabel"] == "ratio (Elsewhere = 100)"
    assert calls[0]["benchmark_label"] == "Elsewhere"


def test_practice_funnel_axis_is_the_area_at_100(renamed, monkeypatch) -> None:
    calls = _spy(monkeypatch, "funnel_figure", views.figures)
    views.funnel_figure("o2-emergency-isr", renamed)
    assert calls[0]["ylabel"] == "standardised ratio (Elsewhere = 100)"


def test_key_messages_and_caption_name_the_area(renamed) -> None:
    messages = text.key_messages(renamed).data
    assert "intervals against Elsewhere = 100" in messages
    assert "Harrow" not in messages
    caption = text.headline_table(renamed).data
    # the synthetic label is the page's banner, not repeated in the caption
    assert "95%; Elsewhere partnership).</caption>" in caption
    assert "Synthetic data:" not in caption


def test_staged_config_carries_the_edition_title(tmp_path: Path) -> None:
    repository = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert "title" not in repository and "author" not in repository
    assert "Harrow" not in (ROOT / "_config.yml").read_text(encoding="utf-8")
    (tmp_path / "_config.yml").write_text((ROOT / "_config.yml").read_text(encoding="utf-8"))
    brent = load_parameters("2025-26").replace(area_code="E09000005", area_name="Brent")
    book_config.write(tmp_path, brent)
    staged = yaml.safe_load((tmp_path / "_config.yml").read_text(encoding="utf-8"))
    assert staged["title"] == "Brent Borough Based Partnership Annual Review"
    assert staged["author"] == "Brent Borough Based Partnership"
    assert staged["parse"]["myst_substitutions"] == {
        "area_name": "Brent",
        "partnership": "Brent Borough Based Partnership",
        "review_title": "Brent Borough Based Partnership Annual Review",
        "period": "2025-26",
    }
    assert (
        staged["parse"]["myst_enable_extensions"] == repository["parse"]["myst_enable_extensions"]
    )
    assert staged["sphinx"] == repository["sphinx"]
