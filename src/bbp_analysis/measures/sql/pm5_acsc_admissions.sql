-- Partnership measure 5: emergency admissions (admission method 2x excluding transfers) with a primary diagnosis of one of the plan's six long-term conditions (asthma, diabetes, epilepsy, hypertensive disease, dementia, heart failure; codes in the catalogue), counted only while the person was registered (registered_from <= admission date < registered_to), per person registered on 1 October of the financial year; by sex and age band (age at admission, age on 1 October) for indirect age-sex standardisation, also within each ethnic group and local deprivation fifth
-- breakdowns: total, age_band, sex, ethnic_group, imd_quintile, sex_age_band, ethnic_group_sex_age_band, imd_quintile_sex_age_band
SELECT 'pm5-acsc-admissions' AS measure, e.fin_year AS period, e.borough_code, e.pcn_name,
       e.practice_code, e.age_band, e.sex, e.ethnic_group, e.imd_quintile, e.imd_decile,
       1 AS numerator, 0 AS denominator
FROM emergency_spells AS e
JOIN persons AS p ON p.person_id = e.person_id
WHERE e.is_acsc_plan = 1
  AND (p.registered_from IS NULL OR p.registered_from <= e.admission_date)
  AND (p.registered_to IS NULL OR p.registered_to > e.admission_date)
UNION ALL
SELECT 'pm5-acsc-admissions', fin_year, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile, 0, persons
FROM population_cells
