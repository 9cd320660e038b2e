"""Fixtures shared by the browser tests of the built site: the site, served on a local port,
and one Chromium per worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_audits import axe_script
from browsing import LOCAL_ONLY, served
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"  # Debian's headless Chromium (scripts/test installs it)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for every browser test in a worker (Playwright's sync API allows one
    running instance per process), reaching no server but the local one."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[LOCAL_ONLY]
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site(default_build: tuple[Path, Path]) -> Path:
    """The session's build of every edition (shared with the other tests that read it)."""
    return default_build[1]


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """The site served on a local port (as a reader's browser would fetch it)."""
    with served(site) as url:
        yield url


@pytest.fixture(scope="session")
def axe_url() -> Iterator[str]:
    """The URL of the pinned ``axe.min.js`` (``browser_audits.axe_script``), served on a local
    port of its own."""
    script = axe_script()
    with served(script.parent) as url:
        yield f"{url}/{script.name}"
