"""Kernels keep their compiled bytecode when the environment forbids writing it beside the
sources (PYTHONDONTWRITEBYTECODE): in ``_build/pycache/``, so only the first kernel compiles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bbp_analysis import runner


def test_kernels_cache_bytecode_under_build_when_writing_is_off(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    source = tmp_path / "src"
    source.mkdir()
    (source / "probe_module.py").write_text("VALUE = 42\n")
    with runner.kernel_environment(tmp_path):
        assert os.environ["PYTHONPYCACHEPREFIX"] == str(tmp_path / "_build" / "pycache")
        subprocess.run(
            [sys.executable, "-c", "import probe_module; assert probe_module.VALUE == 42"],
            cwd=source,
            check=True,
        )
    compiled = list((tmp_path / "_build" / "pycache").rglob("probe_module.*.pyc"))
    assert len(compiled) == 1
    assert not (source / "__pycache__").exists()
    assert os.environ["PYTHONDONTWRITEBYTECODE"] == "1"
    assert "PYTHONPYCACHEPREFIX" not in os.environ


def test_kernels_keep_a_prefix_the_user_set(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", str(tmp_path / "mine"))
    assert runner.bytecode_environment(tmp_path) == {
        "PYTHONDONTWRITEBYTECODE": "",
        "PYTHONPYCACHEPREFIX": str(tmp_path / "mine"),
    }


def test_bytecode_left_to_python_when_writing_is_on(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    assert runner.bytecode_environment(tmp_path) == {}
    with runner.kernel_environment(tmp_path):
        assert "PYTHONPYCACHEPREFIX" not in os.environ
    assert not Path(tmp_path / "_build").exists()
