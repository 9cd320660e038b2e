"""Kernels write compiled bytecode even when the environment forbids it
(PYTHONDONTWRITEBYTECODE), so only the first kernel compiles the package's own modules."""

from __future__ import annotations

import os
import subprocess
import sys

from bbp_analysis import runner


def _import_probe(source) -> None:
    subprocess.run(
        [sys.executable, "-c", "import probe_module; assert probe_module.VALUE == 42"],
        cwd=source,
        check=True,
    )


def test_kernels_write_bytecode_beside_the_source_when_writing_is_off(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    source = tmp_path / "src"
    source.mkdir()
    (source / "probe_module.py").write_text("VALUE = 42\n")
    _import_probe(source)
    assert not (source / "__pycache__").exists()  # the calling process's setting holds
    with runner.kernel_environment(tmp_path):
        _import_probe(source)
    assert len(list((source / "__pycache__").glob("probe_module.*.pyc"))) == 1
    assert os.environ["PYTHONDONTWRITEBYTECODE"] == "1"  # restored after the run


def test_kernels_keep_a_prefix_the_user_set(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", str(tmp_path / "mine"))
    source = tmp_path / "src"
    source.mkdir()
    (source / "probe_module.py").write_text("VALUE = 42\n")
    with runner.kernel_environment(tmp_path):
        _import_probe(source)
    assert len(list((tmp_path / "mine").rglob("probe_module.*.pyc"))) == 1
    assert not (source / "__pycache__").exists()


def test_bytecode_left_to_python_when_writing_is_on(monkeypatch):
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    assert runner.bytecode_environment() == {}
