"""Imported only by the fork server of :mod:`bbp_analysis.site.book_builds`: the modules every
``jupyter-book build`` of an edition imports (the command, Sphinx's built-in extensions, and the
extensions Jupyter Book configures), so that each build forked from it starts with them loaded.
A module that fails to import is skipped; the build imports it, and reports any error, itself.
What it imported is then moved out of the garbage collector's reach (``gc.freeze``), so a
build's full collections walk only its own objects (as the kernels' server does, see
:mod:`bbp_analysis.kernel_server`)."""

from __future__ import annotations

import contextlib
import gc
import importlib

COMMAND = ("jupyter_book.cli.main", "jupyter_book.sphinx", "myst_nb.sphinx_ext")


def _load(name: str) -> None:
    with contextlib.suppress(Exception):
        importlib.import_module(name)


def preload() -> None:
    """Import the command, then Sphinx's built-in extensions and Jupyter Book's default ones;
    freeze what is held."""
    for name in COMMAND:
        _load(name)
    with contextlib.suppress(Exception):
        from jupyter_book.config import get_default_sphinx_config
        from sphinx.application import builtin_extensions

        for name in (*builtin_extensions, *get_default_sphinx_config()["extensions"]):
            _load(name)
    gc.freeze()


preload()
