"""Chapter tests run in a ``book/`` folder of the session's temporary folder, as a chapter
notebook runs in the book's folder: the downloads that the chapters' tables and figures write
(``../_extra/downloads``, :data:`bbp_analysis.paths.EXTRA`) land there. Run from the
repository root, they went to ``_extra/`` beside the checkout, outside the repository."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support import ROOT

BESIDE_THE_CHECKOUT = ROOT.parent / "_extra"


@pytest.fixture(scope="session")
def book_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("chapters") / "book"
    folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def in_book_folder(book_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The test's working folder is :func:`book_folder`; afterwards nothing has appeared
    beside the checkout."""
    existed = BESIDE_THE_CHECKOUT.exists()
    monkeypatch.chdir(book_folder)
    yield
    assert existed or not BESIDE_THE_CHECKOUT.exists(), f"a chapter wrote {BESIDE_THE_CHECKOUT}"
