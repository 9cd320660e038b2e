"""YAML text to Python values, as ``yaml.safe_load`` gives them, parsed in C where possible.

PyYAML's wheels bundle libyaml, whose scanner and parser (``yaml.CSafeLoader``) feed the same
safe resolver and constructor about eight times faster than the pure-Python ones
(``parameters/defaults.yaml``: 7.8 ms -> 1.0 ms); the bad-input corpus reads the parameter
files about 5,000 times. Text that libyaml refuses is parsed again by the pure-Python loader,
so a refusal carries PyYAML's own wording ("found character '\\t' that cannot start any
token", not libyaml's shorter one) and the same line.
"""

from __future__ import annotations

from typing import Any

import yaml

_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """The value of one YAML document ``text`` (None when empty); ``yaml.YAMLError`` as
    ``yaml.safe_load`` raises it when the text is not valid YAML."""
    try:
        return yaml.load(text, Loader=_FAST)
    except yaml.YAMLError:
        return yaml.load(text, Loader=yaml.SafeLoader)
