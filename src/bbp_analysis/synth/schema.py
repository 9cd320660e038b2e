"""Declared schemas of the synthetic WSIC-shaped extract's tables.

A ``fin_year`` is a financial-year label (``2025-26``); which years an extract holds is its
coverage, recorded in its manifest (the generator checks each table against it).
"""

from __future__ import annotations

from ..validation import Column, Schema
from .calibration import CARE_PROCESSES, NWL_BOROUGHS
from .comparators import FINGERTIPS_COLUMNS
from .conditions import CONDITIONS, FRAILTY_LEVELS
from .lifecycle import PLACES
from .population import ETHNIC_CATEGORIES
from .programmes import UPTAKE
from .surveys import GPPS_LABELS

PERSON_ID = r"P\d{8}"
LSOA = r"E01\d{6}"
ICD10_4 = r"[A-Z]\d{2}[0-9X]"
FIN_YEAR = r"\d{4}-\d{2}"
BOROUGHS = frozenset(NWL_BOROUGHS)
GROUPS = frozenset({"White", "Mixed", "Asian", "Black", "Other", "Not stated"})


def _flags(names: tuple[str, ...]) -> tuple[Column, ...]:
    return tuple(Column(n, "bool") for n in names)


PERSONS = Schema(
    "persons",
    (
        Column("person_id", pattern=PERSON_ID),
        Column("practice_code", pattern=r"[A-Z]\d{5}"),
        Column("pcn_name"),
        Column("borough_code", allowed=BOROUGHS),
        Column("lsoa11_code", pattern=LSOA),
        Column("imd_decile", "int", minimum=1, maximum=10),
        Column("imd_quintile_local", "int", minimum=1, maximum=5),
        Column("birth_year", "int", minimum=1910),
        Column("birth_month", "int", minimum=1, maximum=12),
        Column("sex", allowed=frozenset({"M", "F"})),
        Column("ethnic_category", allowed=frozenset(ETHNIC_CATEGORIES)),
        Column("ethnic_group", allowed=GROUPS),
        Column("registered_from", "date", nullable=True,
               description="null = registered before 2019-04-01"),
        Column("registered_to", "date", nullable=True,
               description="first day no longer registered; null = still registered"),
        Column("date_of_death", "date", nullable=True),
        Column("place_of_death", nullable=True, allowed=frozenset(PLACES)),
        *_flags(CONDITIONS),
        Column("frailty", allowed=frozenset(FRAILTY_LEVELS)),
        Column("segment_b2h", "int", minimum=1, maximum=8),
        Column("care_home_resident", "bool"),
        Column("carer", "bool"),
    ),
    unique_key=("person_id",),
)

APC_SPELLS = Schema(
    "apc_spells",
    (
        Column("spell_id", pattern=r"S\d{9}"),
        Column("person_id", pattern=PERSON_ID),
        Column("admission_date", "date"),
        Column("discharge_date", "date"),
        Column("admimeth", allowed=frozenset({"11", "12", "13", "21", "22", "2A", "2B", "2D"})),
        Column("primary_diagnosis", pattern=ICD10_4),
        Column("secondary_diagnoses", nullable=True,
               pattern=rf"{ICD10_4}(;{ICD10_4})*"),
        Column("cause_code", nullable=True, pattern=r"W(0\d|1[0-9])X"),
        Column("provider_code", pattern=r"R[A-Z0-9]{2}"),
    ),
    unique_key=("spell_id",),
)

AE_ATTENDANCES = Schema(
    "ae_attendances",
    (
        Column("attendance_id", pattern=r"A\d{9}"),
        Column("person_id", pattern=PERSON_ID),
        Column("arrival_date", "date"),
        Column("department_type", allowed=frozenset({"01", "03", "04"})),
        Column("age", "int", minimum=0, maximum=130),
        Column("disposal", allowed=frozenset({"admitted", "discharged", "referred"})),
    ),
    unique_key=("attendance_id",),
)

CARE_PROCESSES_TABLE = Schema(
    "care_processes",
    (
        Column("person_id", pattern=PERSON_ID),
        Column("fin_year", pattern=FIN_YEAR),
        *_flags(CARE_PROCESSES),
        *_flags(("hba1c_target", "bp_target", "statin")),
    ),
    unique_key=("person_id", "fin_year"),
)

HYPERTENSION_CONTROL = Schema(
    "hypertension_control",
    (Column("person_id", pattern=PERSON_ID), Column("fin_year", pattern=FIN_YEAR),
     Column("bp_controlled", "bool")),
    unique_key=("person_id", "fin_year"),
)

PROGRAMMES = Schema(
    "programmes",
    (
        Column("person_id", pattern=PERSON_ID),
        Column("fin_year", pattern=FIN_YEAR),
        Column("programme", allowed=frozenset(UPTAKE)),
        Column("eligible", "bool"),
        Column("completed", "bool"),
    ),
    unique_key=("person_id", "fin_year", "programme"),
)

GPPS = Schema(
    "gpps_responses",
    (
        Column("response_id", pattern=r"G\d{9}"),
        Column("fin_year", pattern=FIN_YEAR),
        Column("practice_code"), Column("pcn_name"), Column("borough_code", allowed=BOROUGHS),
        Column("age_band", allowed=frozenset(GPPS_LABELS)),
        Column("sex", allowed=frozenset({"M", "F"})),
        Column("ethnic_group", allowed=GROUPS),
        Column("imd_quintile", "int", minimum=1, maximum=5),
        Column("imd_decile", "int", minimum=1, maximum=10),
        Column("appointment_experience", allowed=frozenset({"good", "poor", "neither"})),
        Column("weight", "float", minimum=0),
    ),
    unique_key=("response_id",),
)

CITIZEN = Schema(
    "citizen_survey",
    (Column("response_id", pattern=r"C\d{9}"), Column("person_id", pattern=PERSON_ID),
     Column("fin_year", pattern=FIN_YEAR), Column("positive_experience", "bool")),
    unique_key=("response_id",),
)

STAFF = Schema(
    "staff_survey",
    (Column("response_id", pattern=r"T\d{9}"), Column("organisation"),
     Column("borough_code", allowed=BOROUGHS), Column("fin_year", pattern=FIN_YEAR),
     Column("satisfied", "bool")),
    unique_key=("response_id",),
)

WORKFORCE = Schema(
    "workforce",
    (Column("organisation"), Column("borough_code", allowed=BOROUGHS),
     Column("fin_year", pattern=FIN_YEAR), Column("headcount", "int", minimum=1),
     Column("leavers_voluntary", "int", minimum=0), Column("vacancies", "int", minimum=0)),
    unique_key=("organisation", "fin_year"),
)

ORAL_HEALTH = Schema(
    "oral_health_survey",
    (Column("person_id", pattern=PERSON_ID), Column("fin_year", pattern=FIN_YEAR),
     Column("dmft", "int", minimum=0, maximum=20), Column("any_decay", "bool")),
    unique_key=("person_id", "fin_year"),
)

INTERVENTIONS = Schema(
    "interventions",
    (Column("intervention"), Column("pcn_name"), Column("start_date", "date"),
     Column("outcome"), Column("effect_type", allowed=frozenset({"rate_ratio", "odds_ratio",
                                                                   "none"})),
     Column("effect_size", "float", minimum=0), Column("population"),
     Column("negative_control", "bool")),
    unique_key=("intervention", "pcn_name", "outcome"),
)

COMPARATORS = Schema(
    "comparators",
    (*(Column(c, "float" if c == "Value" else ("int" if c == "Time period Sortable" else "str"),
              nullable=c not in ("Indicator ID", "Area Code", "Time period", "Value",
                                 "Time period Sortable"))
       for c in FINGERTIPS_COLUMNS),
     Column("source", allowed=frozenset({"plan", "simulated"}))),
    unique_key=("Indicator ID", "Area Code", "Time period"),
)

SCHEMAS: dict[str, Schema] = {s.name: s for s in (
    PERSONS, APC_SPELLS, AE_ATTENDANCES, CARE_PROCESSES_TABLE, HYPERTENSION_CONTROL,
    PROGRAMMES, GPPS, CITIZEN, STAFF, WORKFORCE, ORAL_HEALTH, INTERVENTIONS, COMPARATORS)}
