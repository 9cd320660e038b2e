"""Published targets the synthetic extract is calibrated to, each with its citation.

PLAN = the Harrow Borough Based Partnership plan 2022/23 (seed document
``data/reference/seeds/004_bb9be7d3c4970d21.txt``); section and line given per figure.
Figures marked ``assumption`` are not published for Harrow: they are QOF/NDA-like magnitudes
chosen to be plausible and documented as such.

The calibration year is the financial year whose generated aggregates match the target
in expectation. Interventions start after it, so every calibration year is pre-intervention.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import periods
from ..errors import InputError
from ..paths import reference_dir
from ..readers.nda import EIGHT_CARE_PROCESSES
from ..reference import load_reference

HARROW = "E09000015"

#: The eight North West London boroughs: LA code -> (name, Jan 2021 CCG code).
NWL_BOROUGHS: dict[str, tuple[str, str]] = {
    "E09000005": ("Brent", "07P"),
    "E09000009": ("Ealing", "07W"),
    "E09000013": ("Hammersmith and Fulham", "08C"),
    "E09000015": ("Harrow", "08E"),
    "E09000017": ("Hillingdon", "08G"),
    "E09000018": ("Hounslow", "07Y"),
    "E09000020": ("Kensington and Chelsea", "08Y"),
    "E09000033": ("Westminster", "09A"),
}

#: The extract's first period; it runs through any period from :data:`EARLIEST_THROUGH` on
#: (:func:`window`), which holds the calibration year and the partnership surveys' baseline.
FIRST_PERIOD = "2019-20"
EARLIEST_THROUGH = "2022-23"
WINDOW_START = "2019-04-01"
CALIBRATION_YEAR = "2021-22"


def window(through: str) -> tuple[str, ...]:
    """The financial years the extract covers when generated through period ``through``
    (from :data:`FIRST_PERIOD`); InputError when ``through`` is not a financial year from
    :data:`EARLIEST_THROUGH` on."""
    if not periods.is_period(through) or through < EARLIEST_THROUGH:
        raise InputError(
            f"{through!r} is not a financial year from {EARLIEST_THROUGH} on",
            file="generate() arguments",
            column="through",
            rule="period format",
        )
    return periods.between(FIRST_PERIOD, through)


def held(values: tuple[float, ...], period: str) -> float:
    """The value of a yearly assumption for ``period``: ``values`` run from
    :data:`FIRST_PERIOD` one a year, and the last is held for every later period."""
    k = periods.start_year(period) - periods.start_year(FIRST_PERIOD)
    return values[min(k, len(values) - 1)]


@dataclass(frozen=True)
class Target:
    """A published (or assumed) value and where it comes from."""

    value: float
    unit: str
    year: str  # the generated financial year calibrated to this value
    citation: str


PLAN = "Harrow BBP plan 2022/23 (seed 004)"

TARGETS: dict[str, Target] = {
    "aged_65_plus_share": Target(
        0.161,
        "proportion of registered persons",
        CALIBRATION_YEAR,
        f"{PLAN}, 2.1 JSNA table (Age Well): 16.1% aged 65+ (resident population)",
    ),
    "aged_0_15_share": Target(
        0.206,
        "proportion of registered persons",
        CALIBRATION_YEAR,
        "IoD2019 File_6 mid-2015 Harrow: 50,943 of 246,818 aged 0-15 (data/reference/public/"
        "imd2019/SOURCE.md)",
    ),
    "diabetes_prevalence_17plus": Target(
        0.101,
        "proportion of registered persons aged 17+",
        CALIBRATION_YEAR,
        f"{PLAN}, 2.1 JSNA table (Live Well): '10.1% of patient overs 17 on GP registers have "
        "diabetes'",
    ),
    "hypertension_prevalence": Target(
        0.134,
        "proportion of registered persons, all ages (QOF convention)",
        CALIBRATION_YEAR,
        f"{PLAN}, 2.1 JSNA table (Live Well): '13.4% have hypertension'; the plan's 'over "
        "35,000 diagnosed' is consistent with 13.4% of ~280k all ages",
    ),
    "hypertension_poorly_controlled": Target(
        0.19,
        "proportion of hypertensive persons not controlled to target",
        CALIBRATION_YEAR,
        f"{PLAN}, 2.1 JSNA table (Live Well): '6,669 / 19% of those people are poorly controlled'",
    ),
    "dementia_prevalence_65plus": Target(
        0.0393,
        "proportion of registered persons aged 65+",
        CALIBRATION_YEAR,
        f"{PLAN}, 2.1 JSNA table (Age Well): dementia recorded prevalence 65+ 3.93%",
    ),
    "falls_dsr_65plus": Target(
        2380.0,
        "emergency admissions for falls per 100,000 aged 65+, DSR (ESP2013)",
        CALIBRATION_YEAR,
        f"{PLAN}, 2.1 JSNA table (Age Well): 2,380 per 100,000",
    ),
    "acsc_rate": Target(
        11.47,
        "chronic ACSC emergency admissions per 1,000 registered persons per year",
        CALIBRATION_YEAR,
        f"{PLAN}, section 4 measure 5: 'rate of admission by weighted population of 11.47 "
        "against a NWL average of 9.89'. The plan does not state the unit; per 1,000 "
        "(weighted) population per year is the only reading consistent with ~3,200 "
        "admissions/yr (data-sources 2.9). The weighted (capitation) list is not public: the "
        "registered list is the denominator here",
    ),
    "acsc_rate_nwl": Target(
        9.89, "as acsc_rate", CALIBRATION_YEAR, f"{PLAN}, section 4 measure 5 (NWL average)"
    ),
    "acsc_rate_pcn_min": Target(
        10.3,
        "as acsc_rate",
        CALIBRATION_YEAR,
        f"{PLAN}, section 4 measure 5: 'PCNs range between 10.3'",
    ),
    "acsc_rate_pcn_max": Target(
        12.81, "as acsc_rate", CALIBRATION_YEAR, f"{PLAN}, section 4 measure 5: '... and 12.81'"
    ),
    "gpps_good": Target(
        0.68,
        "weighted share of respondents rating making an appointment good",
        CALIBRATION_YEAR,
        f"{PLAN}, section 4 measure 2: 'good'/'poor' 68%/14%; NWL 71%/12%, London 76%/7%",
    ),
    "gpps_poor": Target(
        0.14, "weighted share rating it poor", CALIBRATION_YEAR, f"{PLAN}, section 4 measure 2"
    ),
    "tooth_decay_age5": Target(
        0.424,
        "proportion of five-year-olds examined with dmft > 0",
        "2019-20",
        f"{PLAN}, 2.1 JSNA table (Start Well) and 2.3: 42.4% in 2019 (London 27%, England "
        "23.4%); the 2019 survey is generated as the 2019-20 wave",
    ),
    "diabetes_nine_cp_harrow": Target(
        0.23,
        "proportion of diabetic persons with all nine care processes",
        CALIBRATION_YEAR,
        f"{PLAN}, 2.3 'Diabetes: 9 Key Care Processes Achieved in Last 15 Months': Harrow "
        "23% vs NWL 36%; per practice in the table after image11.emf",
    ),
    "voluntary_turnover_low": Target(
        0.10,
        "voluntary leavers / average headcount",
        "2022-23",
        f"{PLAN}, section 4 measure 4: 10%-18.4%",
    ),
    "voluntary_turnover_high": Target(
        0.184, "as voluntary_turnover_low", "2022-23", f"{PLAN}, section 4 measure 4 (NWL target)"
    ),
    "cervical_screening": Target(
        0.49, "coverage", CALIBRATION_YEAR, f"{PLAN}, 2.3 Cancer screening: Harrow 49% (NWL 51%)"
    ),
    "breast_screening": Target(
        0.54, "coverage", CALIBRATION_YEAR, f"{PLAN}, 2.3 Cancer screening: Harrow 54% (NWL 43%)"
    ),
}

#: Nine care processes (NDA): the eight NDA care processes plus retinal screening, which the
#: NDA takes from the diabetic eye screening programme (data-sources 2.4). The brief's remark
#: that eye screening is not one of the nine does not match the NDA definition.
CARE_PROCESSES: tuple[str, ...] = (*EIGHT_CARE_PROCESSES, "retinal_screening")

#: Practice table after ``image11.emf`` in the plan (2.3, "9 Key Care Processes Achieved in
#: Last 15 Months"): practice -> (persons with diabetes, persons achieving all nine). Read as
#: the two numbers printed against each practice; 29 of Harrow's 33 practices are listed
#: (E84022, E84062, E84658, E84693 are not, and take the Harrow rate).
DIABETES_NINE_CP_PRACTICES: dict[str, tuple[int, int]] = {
    "E84068": (1382, 625),
    "E84039": (1439, 271),
    "E84024": (1291, 583),
    "E84004": (777, 137),
    "E84069": (1195, 483),
    "E84646": (344, 52),
    "E84014": (700, 261),
    "E84663": (513, 73),
    "E84680": (397, 148),
    "E84647": (409, 56),
    "E84009": (1096, 398),
    "E84058": (1843, 208),
    "E84040": (431, 148),
    "E84044": (708, 77),
    "E84713": (328, 104),
    "Y05080": (322, 25),
    "E84008": (1051, 317),
    "E84057": (1041, 76),
    "E84070": (370, 110),
    "E84653": (224, 15),
    "E84601": (541, 158),
    "E84681": (288, 19),
    "E84617": (391, 105),
    "E84075": (630, 40),
    "E84018": (838, 183),
    "E84676": (453, 20),
    "E84005": (615, 123),
    "E84053": (308, 2),
    "E84061": (906, 171),
}
DIABETES_9CP = "diabetes_9cp_practices"


def diabetes_nine_cp_practices(root: Path | None = None) -> dict[str, tuple[int, int]]:
    """Per-practice (persons with diabetes, persons with all nine care processes).

    Read from the transcription ``data/reference/diabetes_9cp_practices.csv`` (checked by its
    reference schema) when it exists, else the values held in
    :data:`DIABETES_NINE_CP_PRACTICES`.
    """
    try:
        path = reference_dir(root) / f"{DIABETES_9CP}.csv"
    except FileNotFoundError:
        return dict(DIABETES_NINE_CP_PRACTICES)
    if not path.is_file():
        return dict(DIABETES_NINE_CP_PRACTICES)
    frame = load_reference(DIABETES_9CP, root)
    return {
        code: (int(d), int(a))
        for code, d, a in zip(
            frame["practice_code"],
            frame["patients_with_diabetes"],
            frame["patients_all_9"],
            strict=True,
        )
    }


#: Recorded prevalence targets for conditions the plan does not give (assumption: QOF-like
#: London/Harrow magnitudes), as (value, denominator age floor, age ceiling or None).
CONDITION_PREVALENCE: dict[str, tuple[float, int, int | None]] = {
    "diabetes": (0.101, 17, None),
    "hypertension": (0.134, 0, None),
    "chd": (0.028, 0, None),
    "ckd": (0.035, 18, None),
    "af": (0.014, 0, None),
    "heart_failure": (0.008, 0, None),
    "asthma": (0.050, 6, None),
    "copd": (0.010, 0, None),
    "dementia": (0.0393, 65, None),
    "smi": (0.0095, 0, None),
    "learning_disability": (0.005, 0, None),
    "depression": (0.080, 18, None),
    "cancer": (0.028, 0, None),
    "epilepsy": (0.006, 18, None),
}

#: eFI bands among persons aged 65+ (assumption, eFI derivation cohort magnitudes).
FRAILTY_BANDS_65PLUS: dict[str, float] = {"mild": 0.34, "moderate": 0.12, "severe": 0.04}

#: Other-borough ACSC rate that puts the eight-borough list-weighted mean at NWL's 9.89 given
#: Harrow's 11.47 and Harrow's ~10% share of the NWL list (arithmetic on PLAN figures).
ACSC_RATE_OTHER_BOROUGHS = 9.71


def pcn_acsc_targets(pcn_weights: dict[str, float], pcn_order: list[str]) -> dict[str, float]:
    """Spread PCN ACSC rates over the plan's 10.3-12.81 with list-weighted mean 11.47.

    ``pcn_order`` runs from the PCN given the highest rate to the lowest (most to least
    deprived); the middle PCNs share one value chosen so the weighted mean is exact.
    """
    low = TARGETS["acsc_rate_pcn_min"].value
    high = TARGETS["acsc_rate_pcn_max"].value
    mean = TARGETS["acsc_rate"].value
    total = sum(pcn_weights.values())
    w = {k: v / total for k, v in pcn_weights.items()}
    first, last, middle = pcn_order[0], pcn_order[-1], pcn_order[1:-1]
    w_mid = sum(w[p] for p in middle)
    mid_value = (mean - w[first] * high - w[last] * low) / w_mid
    out = {first: high, last: low}
    out.update({p: mid_value for p in middle})
    return out
