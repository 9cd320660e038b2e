"""The edition's Jupyter Book configuration, written at staging from the run parameters.

The repository's ``_config.yml`` holds what every edition shares and no area: each staged
copy gets the edition's title and author, and MyST substitutions (``{{ area_name }}``,
``{{ partnership }}``, ``{{ review_title }}``, ``{{ period }}``) so that pages name the area
the edition covers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .. import yaml_text
from ..params import partnership_name, review_title


def substitutions(params: Mapping[str, Any]) -> dict[str, str]:
    """The MyST substitutions of an edition: area, partnership, title and period."""
    return {
        "area_name": params["area_name"],
        "partnership": partnership_name(params),
        "review_title": review_title(params),
        "period": params["period"],
    }


def write(book_stage: Path, params: Mapping[str, Any]) -> None:
    """Write the title, author and substitutions of ``params``'s edition into the staged
    ``_config.yml`` in ``book_stage``."""
    path = book_stage / "_config.yml"
    config = yaml_text.load(path.read_text(encoding="utf-8"))
    config["title"] = review_title(params)
    config["author"] = partnership_name(params)
    config.setdefault("parse", {})["myst_substitutions"] = substitutions(params)
    path.write_text(
        "# Staged by bbp build from _config.yml and the edition's run parameters.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
