"""Arrow allocates with the C library's malloc wherever bbp_analysis is imported first (see
the package's docstring), unless the environment chooses another pool."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = "import bbp_analysis, pyarrow as pa; print(pa.default_memory_pool().backend_name)"


def pool_after_import(chosen: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if chosen is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True
    )
    return result.stdout.strip()


def test_importing_the_package_makes_the_system_allocator_arrows_default() -> None:
    assert pool_after_import(None) == "system"


def test_a_pool_the_environment_chooses_is_kept() -> None:
    assert pool_after_import("mimalloc") == "mimalloc"
