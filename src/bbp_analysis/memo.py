"""Chapter values computed once per process for the same inputs.

A chapter notebook asks for the same values several times (the key messages, the headline
table and the results file read the same headlines; a chart and its table read the same
survey rows). :func:`per_inputs` keeps a function's result under a key made of all its
arguments, the whole run-parameter set, the project root and the extract in use, so a
different input of any kind is computed afresh and never given another input's value.
Callers get a deep copy of the kept value, so changing it changes nothing kept.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from collections.abc import Callable
from typing import Any, TypeVar

from .params import RunParameters
from .paths import project_root

F = TypeVar("F", bound=Callable[..., Any])
PLAIN = (str, int, float, bool, type(None))
"""Argument types whose ``repr`` is the whole value; a call with any other is not kept."""


def inputs_key(params: RunParameters, args: tuple, kwargs: dict[str, Any]) -> tuple:
    """The whole input of one call: parameters, arguments, project root and extract (also
    the key of caches that add inputs of their own, e.g. a file's stamp)."""
    from .extract import EXTRACT_ENV, SOURCE_ENV

    return (
        json.dumps(dict(params), sort_keys=True, default=str),
        repr(args),
        repr(sorted(kwargs.items())),
        str(project_root()),
        os.environ.get(EXTRACT_ENV),
        os.environ.get(SOURCE_ENV),
    )


def per_inputs(func: F) -> F:
    """``func(params, *args, **kwargs)`` computed once per process for the same inputs
    (:func:`inputs_key`); each call returns a deep copy of the kept value."""
    kept: dict[tuple, Any] = {}

    @functools.wraps(func)
    def wrapper(params: RunParameters, *args: Any, **kwargs: Any) -> Any:
        if not all(isinstance(a, PLAIN) for a in (*args, *kwargs.values())):
            return func(params, *args, **kwargs)
        key = inputs_key(params, args, kwargs)
        if key not in kept:
            kept[key] = func(params, *args, **kwargs)
        return copy.deepcopy(kept[key])

    wrapper.cache_clear = kept.clear  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
