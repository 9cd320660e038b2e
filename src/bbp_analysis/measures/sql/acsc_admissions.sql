-- Emergency admissions for chronic ambulatory care sensitive conditions on the NHS OF 2.3.i list (a second indicator beside measure 5; primary diagnosis) per registered person, by financial year (age at admission; sex-age bands for indirect standardisation)
-- breakdowns: total, age_band, sex, ethnic_group, imd_quintile, imd_decile, sex_age_band
SELECT 'acsc_chronic_admissions' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       1 AS numerator, 0 AS denominator
FROM emergency_spells
WHERE is_acsc_chronic = 1
UNION ALL
SELECT 'acsc_chronic_admissions', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, 0, 1
FROM person_years
