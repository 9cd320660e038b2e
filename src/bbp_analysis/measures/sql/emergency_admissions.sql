-- Emergency admissions (admission method 2x excluding transfers) per registered person by financial year (age at admission; sex-age bands for indirect standardisation): all causes; and the chronic ambulatory care sensitive conditions of the NHS OF 2.3.i list (a second indicator beside measure 5, which is pm5_acsc_admissions.sql)
-- breakdowns: total, age_band, sex, ethnic_group, imd_quintile, imd_decile, sex_age_band
-- expand: population -> o1-emergency-admissions, acsc-chronic-nhsof
WITH kinds AS (
    SELECT 'o1-emergency-admissions' AS measure
    UNION ALL SELECT 'acsc-chronic-nhsof'
)
SELECT k.measure, e.fin_year AS period, e.borough_code, e.pcn_name, e.practice_code,
       e.age_band, e.sex, e.ethnic_group, e.imd_quintile, e.imd_decile,
       1 AS numerator, 0 AS denominator
FROM emergency_spells AS e
JOIN kinds AS k
  ON k.measure = 'o1-emergency-admissions'
  OR (k.measure = 'acsc-chronic-nhsof' AND e.is_acsc_chronic = 1)
UNION ALL
-- the 1 October population, once: the engine copies its cells to each measure (expand header)
SELECT 'population', fin_year, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile, 0, persons
FROM population_cells
