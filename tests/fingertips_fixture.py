"""A Fingertips ``all_data`` export for tests, in the real export's column layout (the header
is read from ``data/reference/public/fingertips-gp-imd2019/indicator-data_93553_gp.csv``).

Its values are TEST VALUES, not published figures: every row says so in ``Value note`` and in
the indicator's name, so a citation of this file can never pass for a real one.
"""

from __future__ import annotations

import csv
from pathlib import Path

from support import ROOT

REAL_EXPORT = ROOT / "data/reference/public/fingertips-gp-imd2019/indicator-data_93553_gp.csv"
HEADER = next(csv.reader([REAL_EXPORT.read_text(encoding="utf-8").splitlines()[0]]))
"""The header of a real Fingertips export, column for column."""
NAME = (
    "Percentage of 5 year olds with experience of visually obvious dental decay "
    "(TEST VALUES, not published figures)"
)
NOTE = "TEST VALUE written by the bbp-review tests; not a published figure"
# (parent code, parent name, area code, area name, area type, period, value)
ROWS = (
    ("", "", "E92000001", "England", "England", "2025/26", 21.5),
    ("E92000001", "England", "E92000001", "England", "England", "2025/26", 21.5),
    (
        "E92000001",
        "England",
        "E12000007",
        "London region",
        "Regions (statistical)",
        "2025/26",
        24.8,
    ),
    ("E92000001", "England", "E92000001", "England", "England", "2023/24", 22.0),
    (
        "E12000007",
        "London region",
        "E09000015",
        "Harrow",
        "Upper tier local authorities (4/23 onwards)",
        "2025/26",
        39.6,
    ),
)


def write_fixture(path: Path, rows: tuple = ROWS, indicator: int = 93563) -> Path:
    """Write the test export to ``path`` (CSV, the Fingertips header); return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for parent, parent_name, code, name, kind, period, value in rows:
            start = int(period[:4])
            writer.writerow(
                [
                    indicator,
                    NAME,
                    parent,
                    parent_name,
                    code,
                    name,
                    kind,
                    "Persons",
                    "5 yrs",
                    "",
                    "",
                    period,
                    value,
                    round(value - 1.5, 1),
                    round(value + 1.5, 1),
                    round(value - 2.5, 1),
                    round(value + 2.5, 1),
                    "",
                    "",
                    NOTE,
                    "Cannot be calculated",
                    "Not compared",
                    "Not compared",
                    start * 10000,
                    "",
                    "",
                    "1y",
                ]
            )
    return path
