"""Print each default edition's status and readings of partnership measures 2 to 4, from the
chapters' headline functions (no site build): the table behind issue 19's status changes.

    .venv/bin/python scripts/status_table.py
"""

from __future__ import annotations

from bbp_analysis.chapters import objective_1, objective_2, objective_3
from bbp_analysis.params import load_parameters

PERIODS = ("2022-23", "2023-24", "2024-25", "2025-26")


def main() -> None:
    """One line per edition and headline: value (interval), status, readings' verdicts."""
    for period in PERIODS:
        params = load_parameters(period)
        chapters = (objective_1, objective_2, objective_3)
        for item in [i for chapter in chapters for i in chapter.headline_measures(params)]:
            if item.measure not in (2, 3, 4):
                continue
            readings = " | ".join(f"{r.name.split(' (')[0]}: {r.verdict}" for r in item.readings)
            print(
                f"{period}  m{item.measure} {item.indicator_id:24s} {item.value:5.1f} "
                f"({item.lower:.1f}-{item.upper:.1f})  {item.status:14s} {readings}"
            )


if __name__ == "__main__":
    main()
