"""No chapter imports another chapter: a module of objective N (``objective_N*``) may import
its own objective's modules and the shared ones (``scope``), never objective M's; what every
chapter needs lives in the indicator layer and the figure module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import bbp_analysis.chapters

CHAPTERS = Path(bbp_analysis.chapters.__file__).parent
OBJECTIVE = re.compile(r"^objective_(\d+)")


def imported_chapter_modules(source: str) -> set[str]:
    """Names of the modules under ``bbp_analysis.chapters`` that ``source`` (a module in that
    package) imports, by relative or absolute import."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[:2] == ["bbp_analysis", "chapters"] and len(parts) > 2:
                    found.add(parts[2])
        elif isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".") if node.module else []
            if node.level == 1:  # from . / from .x
                package = parts
            elif node.level == 2 and parts[:1] == ["chapters"]:
                package = parts[1:]
            elif node.level == 0 and parts[:2] == ["bbp_analysis", "chapters"]:
                package = parts[2:]
            else:
                continue
            if package:
                found.add(package[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def other_chapters(name: str, source: str) -> set[str]:
    """The chapter modules of other objectives that module ``name`` imports (for a shared
    module, every objective module it imports)."""
    own = OBJECTIVE.match(name)
    wrong = set()
    for module in imported_chapter_modules(source):
        theirs = OBJECTIVE.match(module)
        if theirs and (own is None or theirs.group(1) != own.group(1)):
            wrong.add(module)
    return wrong


def test_the_check_finds_every_form_of_cross_chapter_import() -> None:
    source = (
        "from . import objective_3_its as its\n"
        "from .objective_1 import rows\n"
        "from ..chapters.objective_2_views import x\n"
        "import bbp_analysis.chapters.objective_2\n"
        "from .scope import seed\n"
        "from ..indicators import series\n"
    )
    assert other_chapters("objective_3_text", source) == {
        "objective_1",
        "objective_2_views",
        "objective_2",
    }
    assert other_chapters("scope", "from . import objective_1\n") == {"objective_1"}
    assert other_chapters("objective_1_views", "from .objective_1 import rows\n") == set()


def test_no_chapter_module_imports_another_chapter() -> None:
    modules = sorted(CHAPTERS.glob("*.py"))
    assert len(modules) > 10
    wrong = {
        path.name: sorted(other_chapters(path.stem, path.read_text(encoding="utf-8")))
        for path in modules
    }
    assert {name: found for name, found in wrong.items() if found} == {}
