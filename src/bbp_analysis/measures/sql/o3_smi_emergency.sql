-- Emergency admissions of people with severe mental illness per person with SMI on the register (1 October population), by financial year
-- areas: borough, pcn
-- breakdowns: total, sex, ethnic_group, imd_quintile
SELECT 'smi-emergency-admissions' AS measure, e.fin_year AS period, e.borough_code,
       e.pcn_name, e.practice_code, e.sex, e.ethnic_group, e.imd_quintile,
       1 AS numerator, 0 AS denominator
FROM emergency_spells AS e
JOIN persons AS p ON p.person_id = e.person_id
WHERE p.smi
UNION ALL
SELECT 'smi-emergency-admissions', fin_year, borough_code, pcn_name, practice_code, sex,
       ethnic_group, imd_quintile, 0, smi
FROM population_cells
WHERE smi > 0
