-- Emergency admissions with a primary diagnosis of COPD (ICD-10 J44: J44.0 with acute lower respiratory infection, J44.1 with acute exacerbation, J44.8, J44.9) of people on the COPD register, per person on the COPD register on 1 October, by financial year
-- areas: borough, pcn
SELECT 'o1-copd-emergency-admissions' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       1 AS numerator, 0 AS denominator
FROM emergency_spells
WHERE SUBSTRING(primary_diagnosis, 1, 3) = 'J44'
  AND person_id IN (SELECT person_id FROM persons WHERE copd)
UNION ALL
SELECT 'o1-copd-emergency-admissions', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, 0, copd
FROM population_cells
WHERE copd > 0
