"""Every neighbourhood's view, second half: the view of the second and fourth PCN publishes
with no disclosure finding (a file of its own so that pytest-xdist builds it on another worker
than ``test_pcn_views.py``; see ``pcn_views.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pcn_views import check_pcn_view, pcns_of_file, views_project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, default_build: tuple[Path, Path]) -> Path:
    return views_project(tmp_path_factory.mktemp("pcn-views-rest"), default_build)


@pytest.mark.parametrize("pcn", pcns_of_file(1))
def test_pcn_view_publishes_with_no_disclosure_finding(project: Path, pcn: str) -> None:
    check_pcn_view(project, pcn)
