"""Readers for the real public data formats the review takes in.

Each reader returns a tidy :class:`pandas.DataFrame` with documented columns (codes kept as
strings) and raises :class:`bbp_analysis.errors.InputError`, naming file, row, column and
rule, on anything malformed. The accepted headers are listed in each module's docstring.
"""

from .fingertips import fetch_fingertips, read_fingertips
from .gpps import read_gpps
from .imd import read_imd
from .nda import read_nda
from .practices import read_harrow_practices
from .qof import read_qof
from .registrations import read_registrations

__all__ = [
    "fetch_fingertips",
    "read_fingertips",
    "read_gpps",
    "read_harrow_practices",
    "read_imd",
    "read_nda",
    "read_qof",
    "read_registrations",
]
