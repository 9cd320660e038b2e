-- All-cause emergency admissions (admission method 2x excluding transfers) per registered person by financial year; sex-age bands for indirect standardisation
-- breakdowns: total, age_band, sex, ethnic_group, imd_quintile, imd_decile, sex_age_band
SELECT 'emergency_admissions' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       1 AS numerator, 0 AS denominator
FROM emergency_spells
UNION ALL
SELECT 'emergency_admissions', fin_year, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile, 0, 1
FROM person_years
