"""YAML parsed in C gives what ``yaml.safe_load`` gives, and refusals keep PyYAML's wording."""

from __future__ import annotations

import pytest
import yaml

from bbp_analysis import yaml_text

from support import ROOT

FILES = sorted(
    p
    for pattern in ("*.yml", "*.yaml")
    for p in ROOT.rglob(pattern)
    if not {".venv", "_build", "node_modules", ".git"} & set(p.relative_to(ROOT).parts)
)


def test_the_c_parser_is_the_one_used() -> None:
    assert yaml.__with_libyaml__
    assert yaml_text._FAST is yaml.CSafeLoader


def test_every_yaml_file_of_the_project_loads_as_safe_load_loads_it() -> None:
    names = {str(p.relative_to(ROOT)) for p in FILES}
    assert {"parameters/defaults.yaml", "src/bbp_analysis/contract/contract.yaml"} <= names
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        assert yaml_text.load(text) == yaml.safe_load(text), path


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [
        ("a:\n\t- x\n", "found character '\\t' that cannot start any token", 2),
        ("a: b: c\n", "mapping values are not allowed here", 1),
        ("files: [\n", "expected the node content, but found '<stream end>'", 2),
        ("- a\nb: 2\n", "expected <block end>, but found '?'", 2),
    ],
)
def test_a_refusal_has_the_pure_python_parsers_words_and_line(text, problem, line) -> None:
    with pytest.raises(yaml.YAMLError) as raised:
        yaml_text.load(text)
    assert raised.value.problem == problem
    assert raised.value.problem_mark.line + 1 == line


def test_an_empty_document_is_none() -> None:
    assert yaml_text.load("") is None
    assert yaml_text.load("# only a comment\n") is None
