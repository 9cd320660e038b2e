"""NW London, London and England comparator series in the Fingertips ``all_data/csv`` layout.

Where the plan publishes a comparator (e.g. GPPS NWL 71%/12%, London 76%/7%; ACSC NWL 9.89)
that value is used in its baseline year with ``source = "plan"`` and ``Value note`` saying
so; every other cell (other years, other areas) is simulated from an assumed level and trend,
``source = "simulated"``. ``Indicator ID`` holds the measure name of this package (the real
Fingertips numeric identifiers are not asserted).

Partnership measure 5 is indirectly standardised to NW London's age-sex-specific rates, so
its NWL rows are not simulated from a level: they are the counts and populations of the
eight-borough synthetic extract on measure 5's own definition (the SQL
``pm5_acsc_admissions``), aggregated once by :func:`nwl_age_sex` into the embedded
:data:`NWL_AGE_SEX_FILE` (so the default build needs only the borough's extract): one row for
all ages (the NWL rate) and one per sex and age band (``Count``, ``Denominator``, ``Value``
per 1,000), ``source = "simulated"``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import periods
from .calibration import PLAN

#: The Fingertips columns after ``Value`` that hold numbers (missing where not published).
NUMBER_COLUMNS = (
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
)
TEXT_COUNTS = ("Count", "Denominator")
"""Number columns the contract types as text (whole numbers written without a decimal)."""
FINGERTIPS_COLUMNS = (
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    *NUMBER_COLUMNS,
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Compared to percentiles",
    "Time period Sortable",
    "New data",
    "Compared to goal",
    "Time period range",
)
AREAS = {  # code -> (name, Fingertips area type, parent code, parent name)
    "E54000027": ("NHS North West London Integrated Care Board", "ICB", "E40000003", "London"),
    "E12000007": ("London region", "Region", "E92000001", "England"),
    "E92000001": ("England", "England", "", ""),
}
NWL, LONDON, ENGLAND = "E54000027", "E12000007", "E92000001"
PM5 = "pm5-acsc-admissions"
"""Measure 5's measure name (its catalogue id), the ``Indicator ID`` of its NWL rows."""
NWL_AGE_SEX_FILE = Path(__file__).with_name("nwl_pm5_age_sex.csv")
"""NWL measure-5 admissions and registered populations by year, sex and age band:
``period, sex, age_band, count, population`` (:func:`nwl_age_sex`)."""
NWL_AGE_SEX_SOURCE = (
    "eight-borough synthetic extract (generator 1.2.0: bbp data synth --area NWL --scale 0.2, "
    "seed 20220401), measure 5's definition"
)
"""How :data:`NWL_AGE_SEX_FILE` was made (``scripts/nwl_age_sex_comparator.py``), with the
generator version: 1.3.0 draws eight boroughs differently, so remaking the file needs 1.2.0's
generator (commit 06b66aa)."""
SEXES = {"M": "Male", "F": "Female"}

#: measure -> (name, age, baseline year, {area: (value, published?)}, yearly change).
SERIES: dict[str, tuple[str, str, str, dict[str, tuple[float, bool]], float]] = {
    "gpps_appointment_good": (
        "GPPS: experience of making an appointment good (%)",
        "16+ yrs",
        "2021-22",
        {NWL: (71, True), LONDON: (76, True), ENGLAND: (72, False)},
        -1.5,
    ),
    "gpps_appointment_poor": (
        "GPPS: experience of making an appointment poor (%)",
        "16+ yrs",
        "2021-22",
        {NWL: (12, True), LONDON: (7, True), ENGLAND: (11, False)},
        1.0,
    ),
    "oral_health_decay_age5": (
        "Five-year-olds with experience of visually obvious dental decay (%)",
        "5 yrs",
        "2019-20",
        {NWL: (30.0, False), LONDON: (27.0, True), ENGLAND: (23.4, True)},
        0.0,
    ),
    "acsc-chronic-nhsof": (
        "Emergency admissions for chronic ACSC per 1,000 (weighted) population",
        "All ages",
        "2021-22",
        {NWL: (9.89, True), LONDON: (9.0, False), ENGLAND: (9.6, False)},
        -0.1,
    ),
    "diabetes_care_processes": (
        "Diabetes: all nine care processes (%)",
        "All ages",
        "2021-22",
        {NWL: (36, True), LONDON: (37, False), ENGLAND: (39, False)},
        1.5,
    ),
    "screening_cervical": (
        "Cervical screening coverage (%)",
        "25-64 yrs",
        "2021-22",
        {NWL: (51, True), LONDON: (62, False), ENGLAND: (70, False)},
        0.0,
    ),
    "screening_breast": (
        "Breast screening coverage (%)",
        "50-70 yrs",
        "2021-22",
        {NWL: (43, True), LONDON: (56, False), ENGLAND: (62, False)},
        1.0,
    ),
    "screening_bowel": (
        "Bowel screening (%, as published in the plan)",
        "60-74 yrs",
        "2021-22",
        {NWL: (96, True), LONDON: (60, False), ENGLAND: (70, False)},
        0.5,
    ),
    "population_aged_65_plus": (
        "Population aged 65+ (%)",
        "65+ yrs",
        "2021-22",
        {NWL: (13.0, False), LONDON: (12.2, True), ENGLAND: (18.5, False)},
        0.2,
    ),
    "falls_admissions_65plus": (
        "Emergency admissions due to falls, 65+ (DSR per 100,000)",
        "65+ yrs",
        "2021-22",
        {NWL: (2150, False), LONDON: (2000, False), ENGLAND: (2100, False)},
        -10.0,
    ),
    "ltc_prevalence_dementia": (
        "Dementia recorded prevalence, 65+ (%)",
        "65+ yrs",
        "2021-22",
        {NWL: (3.9, False), LONDON: (3.97, False), ENGLAND: (3.97, False)},
        0.03,
    ),
    "ltc_prevalence_diabetes": (
        "Diabetes QOF prevalence, 17+ (%)",
        "17+ yrs",
        "2021-22",
        {NWL: (8.4, False), LONDON: (6.9, False), ENGLAND: (7.1, False)},
        0.15,
    ),
    "ltc_prevalence_hypertension": (
        "Hypertension QOF prevalence (%)",
        "All ages",
        "2021-22",
        {NWL: (11.0, False), LONDON: (11.1, False), ENGLAND: (14.0, False)},
        0.05,
    ),
    # The plan's performance section (2.3) gives no figures for these three, only directions:
    # Harrow attends A&E less, is admitted as an emergency more, and has flu vaccination
    # rates "25% higher" than NWL. The simulated levels follow those directions. Appended
    # last, so the random draws of every series above are unchanged.
    "ae_type1_attendances": (
        "A&E (type 1) attendances per 1,000 registered population",
        "All ages",
        "2021-22",
        {NWL: (335.0, False), LONDON: (330.0, False), ENGLAND: (300.0, False)},
        2.0,
    ),
    "emergency_admissions": (
        "Emergency (non-elective) admissions per 1,000 registered population",
        "All ages",
        "2021-22",
        {NWL: (88.0, False), LONDON: (85.0, False), ENGLAND: (100.0, False)},
        0.5,
    ),
    "flu_vaccination_65plus": (
        "Flu vaccination, people aged 65 and over (%)",
        "65+ yrs",
        "2021-22",
        {NWL: (60.0, False), LONDON: (65.0, False), ENGLAND: (80.0, False)},
        0.0,
    ),
}


def _period(label: str) -> tuple[str, int]:
    start = periods.start_year(label)
    return f"{start}/{(start + 1) % 100:02d}", start * 10000


def comparators(years: tuple[str, ...], rng: np.random.Generator) -> pd.DataFrame:
    """All comparator rows for each of ``years``, Fingertips columns plus ``source`` ("plan" |
    "simulated"); the assumed trend continues in later years; measure 5's NWL age-sex rows
    last (:func:`_age_sex_rows`, no random draw)."""
    rows = []
    for measure, (name, age, base_year, values, trend) in SERIES.items():
        base_k = years.index(base_year)
        for code, (value, published) in values.items():
            area_name, area_type, parent, parent_name = AREAS[code]
            for k, label in enumerate(years):
                is_plan = published and k == base_k
                noise = 0.0 if is_plan else rng.normal(0, abs(value) * 0.01)
                period, sortable = _period(label)
                rows.append(
                    {
                        "Indicator ID": measure,
                        "Indicator Name": name,
                        "Parent Code": parent,
                        "Parent Name": parent_name,
                        "Area Code": code,
                        "Area Name": area_name,
                        "Area Type": area_type,
                        "Sex": "Persons",
                        "Age": age,
                        "Category Type": "",
                        "Category": "",
                        "Time period": period,
                        "Value": round(value + trend * (k - base_k) + noise, 2),
                        "Lower CI 95.0 limit": None,
                        "Upper CI 95.0 limit": None,
                        "Lower CI 99.8 limit": None,
                        "Upper CI 99.8 limit": None,
                        "Count": None,
                        "Denominator": None,
                        "Value note": (
                            f"Published: {PLAN}" if is_plan else "Simulated (synthetic comparator)"
                        ),
                        "Recent Trend": "Cannot be calculated",
                        "Compared to England value or percentiles": "Not compared",
                        "Compared to percentiles": "Not compared",
                        "Time period Sortable": sortable,
                        "New data": "",
                        "Compared to goal": "",
                        "Time period range": "1y",
                        "source": "plan" if is_plan else "simulated",
                    }
                )
    rows += _age_sex_rows(years)
    frame = pd.DataFrame(rows, columns=[*FINGERTIPS_COLUMNS, "source"])
    for col in NUMBER_COLUMNS:
        frame[col] = frame[col].astype("float64")
    for col in TEXT_COUNTS:  # text in the contract, as Fingertips exports them
        frame[col] = pd.Series(
            [None if np.isnan(v) else f"{v:.0f}" for v in frame[col]], dtype=object
        )
    return frame


def nwl_age_sex(measures: pd.DataFrame) -> pd.DataFrame:
    """Measure 5's NWL admissions and registered populations by ``period, sex, age_band``
    (``count, population``): the sum over the eight boroughs of the ``sex_age_band`` rows of
    the measure's aggregates (:func:`bbp_analysis.measures.engine.run_measure` on the
    eight-borough extract)."""
    rows = measures[
        (measures["measure"] == PM5)
        & (measures["area_type"] == "borough")
        & (measures["breakdown"] == "sex_age_band")
    ]
    parts = rows["breakdown_value"].str.split(":", n=1)
    table = (
        rows.assign(sex=parts.str[0], age_band=parts.str[1])
        .groupby(["period", "sex", "age_band"], as_index=False)[["numerator", "denominator"]]
        .sum()
        .rename(columns={"numerator": "count", "denominator": "population"})
    )
    return table.astype({"count": "int64", "population": "int64"})


def _age_sex_rows(years: tuple[str, ...]) -> list[dict[str, object]]:
    """Measure 5's NWL rows for each of ``years`` from :data:`NWL_AGE_SEX_FILE`: all ages
    first, then each sex and age band; a year after the file's last is given the last
    year's figures, and its ``Value note`` says so."""
    table = pd.read_csv(NWL_AGE_SEX_FILE, dtype={"period": str, "sex": str, "age_band": str})
    last = max(table["period"])
    name, parent, parent_name = AREAS[NWL][0], AREAS[NWL][2], AREAS[NWL][3]
    rows = []
    for label in years:
        source = label if label in set(table["period"]) else last
        year = table[table["period"] == source]
        note = f"Simulated: {NWL_AGE_SEX_SOURCE}" + (
            "" if source == label else f"; figures of {source}, the latest generated"
        )
        period, sortable = _period(label)
        cells = [("Persons", "All ages", year["count"].sum(), year["population"].sum())]
        cells += [
            (SEXES[row.sex], f"{row.age_band} yrs", row.count, row.population)
            for row in year.itertuples()
        ]
        for sex, age, count, population in cells:
            rows.append(
                {
                    "Indicator ID": PM5,
                    "Indicator Name": "Emergency admissions for the plan's six long-term "
                    "conditions while registered, per 1,000 registered population",
                    "Parent Code": parent,
                    "Parent Name": parent_name,
                    "Area Code": NWL,
                    "Area Name": name,
                    "Area Type": AREAS[NWL][1],
                    "Sex": sex,
                    "Age": age,
                    "Category Type": "",
                    "Category": "",
                    "Time period": period,
                    "Value": round(1000 * count / population, 4),
                    "Count": float(count),
                    "Denominator": float(population),
                    "Value note": note,
                    "Recent Trend": "Cannot be calculated",
                    "Compared to England value or percentiles": "Not compared",
                    "Compared to percentiles": "Not compared",
                    "Time period Sortable": sortable,
                    "New data": "",
                    "Compared to goal": "",
                    "Time period range": "1y",
                    "source": "simulated",
                }
            )
    return rows
