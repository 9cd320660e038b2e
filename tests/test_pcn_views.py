"""Every neighbourhood's view, first half: the borough has five PCNs, and the view of every
other PCN (the first, third and fifth) publishes with no disclosure finding; the other two
are ``test_pcn_views_rest.py``'s (see ``pcn_views.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pcn_views import PCNS, check_pcn_view, pcns_of_file, views_project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, default_build: tuple[Path, Path]) -> Path:
    return views_project(tmp_path_factory.mktemp("pcn-views"), default_build)


def test_the_borough_has_five_pcns() -> None:
    assert len(PCNS) == 5 and len(set(PCNS)) == 5
    assert sorted(pcns_of_file(0) + pcns_of_file(1)) == sorted(PCNS)


@pytest.mark.parametrize("pcn", pcns_of_file(0))
def test_pcn_view_publishes_with_no_disclosure_finding(project: Path, pcn: str) -> None:
    check_pcn_view(project, pcn)
