"""NW London, London and England comparator series in the Fingertips ``all_data/csv`` layout.

Where the plan publishes a comparator (e.g. GPPS NWL 71%/12%, London 76%/7%; ACSC NWL 9.89)
that value is used in its baseline year with ``source = "plan"`` and ``Value note`` saying
so; every other cell (other years, other areas) is simulated from an assumed level and trend,
``source = "simulated"``. ``Indicator ID`` holds the measure name of this package (the real
Fingertips numeric identifiers are not asserted).
"""

from __future__ import annotations

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
    "acsc_chronic_admissions": (
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
    "simulated"); the assumed trend continues in later years."""
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
    frame = pd.DataFrame(rows, columns=[*FINGERTIPS_COLUMNS, "source"])
    for col in NUMBER_COLUMNS:
        frame[col] = frame[col].astype("float64")
    return frame
