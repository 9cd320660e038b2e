"""Write measure 5's NW London counts and populations by year, sex and age band
(``src/bbp_analysis/synth/nwl_pm5_age_sex.csv``) from an eight-borough extract.

Usage: ``scripts/in-venv python scripts/nwl_age_sex_comparator.py EXTRACT_DIR``, after
``bbp data synth --area NWL --scale 0.2 --out EXTRACT_DIR`` (the generator version, scale
and seed the file's source line, ``NWL_AGE_SEX_SOURCE`` in ``synth/comparators.py``, states).
It runs measure 5's SQL on the extract, so the NWL figures are on the measure's own
definition, and prints the NWL rate per 1,000 for each year.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bbp_analysis.measures.engine import run_measure
from bbp_analysis.synth.comparators import NWL_AGE_SEX_FILE, nwl_age_sex


def main(folder: str) -> None:
    table = nwl_age_sex(run_measure("pm5_acsc_admissions", Path(folder)))
    table.to_csv(NWL_AGE_SEX_FILE, index=False, lineterminator="\n")
    years = table.groupby("period")[["count", "population"]].sum()
    for period, row in years.iterrows():
        print(
            f"{period}: {row['count']:,} admissions, {row['population']:,} registered, "
            f"{1000 * row['count'] / row['population']:.2f} per 1,000"
        )
    print(f"written to {NWL_AGE_SEX_FILE}")


if __name__ == "__main__":
    main(sys.argv[1])
