"""The two hashed locks agree: ``requirements.lock`` (what ``scripts/in-venv`` installs to
build the site) is a subset of ``requirements-dev.lock`` (added by ``scripts/in-venv --dev``
for tests, lint and Spark), pin for pin and hash for hash, so installing one over the other
never changes a version."""

from __future__ import annotations

import re

from support import ROOT

PIN = re.compile(r"^([a-z0-9._-]+)==(\S+)((?: \\\n\s+--hash=sha256:[0-9a-f]{64})+)", re.M)


def pins(name: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Package -> (version, sha256 hashes) of one lock file."""
    text = (ROOT / name).read_text()
    return {
        m.group(1): (m.group(2), frozenset(re.findall(r"sha256:([0-9a-f]{64})", m.group(3))))
        for m in PIN.finditer(text)
    }


def test_runtime_lock_is_a_subset_of_the_dev_lock() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {"jupyter-book", "papermill", "duckdb", "pandas"} <= runtime.keys()
    differ = {name: (pin, dev.get(name)) for name, pin in runtime.items() if dev.get(name) != pin}
    assert not differ, (
        f"requirements.lock pins missing or different in requirements-dev.lock: {differ}"
    )


def test_tools_only_the_tests_need_stay_out_of_the_runtime_lock() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    for name in ("pyspark", "pytest", "playwright", "ruff", "hypothesis"):
        assert name in dev and name not in runtime, name


def test_every_pin_is_hashed() -> None:
    for name in ("requirements.lock", "requirements-dev.lock", "requirements-bootstrap.lock"):
        lines = (ROOT / name).read_text().splitlines()
        requirements = [line for line in lines if re.match(r"^[a-z0-9]", line)]
        assert requirements and len(requirements) == len(pins(name)), name
