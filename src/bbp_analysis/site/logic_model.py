"""The plan's logic model (Appendix D) held as data and drawn as a navigable page.

``logic-model.yaml`` lists the diagram's stages and, by theme, its entries; an entry that a
catalogue indicator measures links to that indicator's chart and shows its current status.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .. import catalogue, yaml_text
from ..errors import InputError
from ..scorecard import STATUS_MARKS

FILE = "site/logic-model.yaml"
REQUIRED = ("stage", "line", "text")
OPTIONAL = ("indicators", "note")


@dataclass(frozen=True)
class Node:
    """One entry of the diagram: its stage, theme, words (as the plan wrote them), seed line
    (where the check against the seed finds the words; readers see the section only),
    indicators and the review's reading where the plan's words are garbled."""

    stage: str
    theme: str
    text: str
    line: int
    indicators: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class LogicModel:
    source: str
    stages: tuple[dict[str, str], ...]
    themes: tuple[tuple[str, str], ...]
    nodes: tuple[Node, ...]


def load(text: str | None = None) -> LogicModel:
    """The logic model, checked: every entry has exactly the known fields (an unquoted comma
    in a flow mapping would split its text into a stray field), every stage known, every
    indicator in the catalogue (InputError naming the entry otherwise). ``text`` replaces the
    shipped YAML (for checking an edited copy)."""
    if text is None:
        text = resources.files("bbp_analysis.site").joinpath("logic-model.yaml").read_text("utf-8")
    data = yaml_text.load(text)
    stages = tuple(data["stages"])
    stage_ids = {stage["id"] for stage in stages}
    known = {item.id for item in catalogue.indicators()}
    nodes, row = [], 0
    for theme in data["themes"]:
        for entry in theme["nodes"]:
            row += 1
            _check_fields(entry, row)
            if entry["stage"] not in stage_ids:
                raise InputError(
                    f"unknown stage {entry['stage']!r}",
                    file=FILE,
                    row=row,
                    column="stage",
                    rule="code list",
                )
            missing = sorted(set(entry.get("indicators", ())) - known)
            if missing:
                raise InputError(
                    f"{missing[0]!r} is not in the catalogue",
                    file=FILE,
                    row=row,
                    column="indicators",
                    rule="known indicator",
                )
            nodes.append(
                Node(
                    stage=entry["stage"],
                    theme=theme["id"],
                    text=str(entry["text"]),
                    line=int(entry["line"]),
                    indicators=tuple(entry.get("indicators", ())),
                    note=str(entry.get("note", "")),
                )
            )
    themes = tuple((theme["id"], theme["title"]) for theme in data["themes"])
    return LogicModel(" ".join(data["source"].split()), stages, themes, tuple(nodes))


def _check_fields(entry: dict[str, Any], row: int) -> None:
    missing = [key for key in REQUIRED if key not in entry]
    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL), key=str)
    if missing or unknown:
        column = missing[0] if missing else str(unknown[0])
        raise InputError(
            f"missing field {column!r}"
            if missing
            else f"unknown field {column!r} (quote a text holding a comma)",
            file=FILE,
            row=row,
            column=column,
            rule="entry fields",
        )


def _chapter(indicator_id: str) -> str:
    objective = catalogue.indicator(indicator_id).objective
    chapter = next(o.chapter for o in catalogue.partnership().objectives if o.id == objective)
    return chapter.removeprefix("book/") + ".html"


def indicator_link(indicator_id: str, headlines: dict[str, dict[str, Any]]) -> str:
    """HTML for one indicator on the page: a link to its chart (headline anchor, else its
    chapter), its status in words, and a link to its definition."""
    title = html.escape(catalogue.indicator(indicator_id).title)
    definition = f'<a href="indicators/{indicator_id}.html">definition</a>'
    if indicator_id in headlines:
        item = headlines[indicator_id]
        page, _, anchor = item["anchor"].partition("#")
        href = f"{page}.html" + (f"#{anchor}" if anchor else "")
        status = STATUS_MARKS[item["status"]]
        return (
            f'<a href="{href}">{title}</a>: <strong>{status}</strong> '
            f"({item['period']}) · {definition}"
        )
    return f'<a href="{_chapter(indicator_id)}">{title}</a>: reported in the chapter · {definition}'


def page_html(model: LogicModel, headlines: list[dict[str, Any]]) -> str:
    """The logic model as sections (one per theme) of stage lists, left to right."""
    by_id = {item["indicator_id"]: item for item in headlines}
    sections = []
    for theme_id, theme_title in model.themes:
        columns = []
        for stage in model.stages:
            entries = [n for n in model.nodes if n.theme == theme_id and n.stage == stage["id"]]
            if not entries:
                continue
            items = []
            for node in entries:
                links = "".join(f"<li>{indicator_link(i, by_id)}</li>" for i in node.indicators)
                measured = f'<ul class="bbp-logic-links">{links}</ul>' if links else ""
                note = (
                    f' <span class="bbp-logic-note">({html.escape(node.note)})</span>'
                    if node.note
                    else ""
                )
                items.append(
                    f'<li class="bbp-logic-node{" bbp-logic-measured" if links else ""}">'
                    f"{html.escape(node.text)}{note}{measured}</li>"
                )
            columns.append(
                f'<li class="bbp-logic-stage"><h3>{html.escape(stage["title"])}</h3>'
                f"<ul>{''.join(items)}</ul></li>"
            )
        sections.append(
            f'<section class="bbp-logic-theme" aria-labelledby="theme-{theme_id}">'
            f'<h2 id="theme-{theme_id}">{html.escape(theme_title)}</h2>'
            f'<ol class="bbp-logic">{"".join(columns)}</ol></section>'
        )
    return "\n".join(sections)
