-- Diabetes: persons receiving all nine care processes (NDA eight plus retinal screening), and all three treatment targets (HbA1c <= 58, BP <= 140/80, statin) and each target
WITH cp AS (
    SELECT py.fin_year, py.borough_code, py.pcn_name, py.practice_code, py.age_band, py.sex,
           py.ethnic_group, py.imd_quintile, py.imd_decile, c.hba1c, c.blood_pressure,
           c.cholesterol, c.serum_creatinine, c.urine_albumin, c.foot_surveillance, c.bmi,
           c.smoking, c.retinal_screening, c.hba1c_target, c.bp_target, c.statin
    FROM care_processes AS c
    JOIN person_years AS py ON py.person_id = c.person_id AND py.fin_year = c.fin_year
),
flags AS (
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile,
           CASE WHEN hba1c AND blood_pressure AND cholesterol AND serum_creatinine
                 AND urine_albumin AND foot_surveillance AND bmi AND smoking
                 AND retinal_screening THEN 1 ELSE 0 END AS all_nine,
           CASE WHEN hba1c_target AND bp_target AND statin THEN 1 ELSE 0 END AS all_three,
           CASE WHEN hba1c_target THEN 1 ELSE 0 END AS hba1c_target,
           CASE WHEN bp_target THEN 1 ELSE 0 END AS bp_target,
           CASE WHEN statin THEN 1 ELSE 0 END AS statin
    FROM cp
)
SELECT 'diabetes-9cp' AS measure, fin_year AS period, borough_code,
       pcn_name, practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       all_nine AS numerator, 1 AS denominator
FROM flags
UNION ALL
SELECT 'diabetes-treatment-targets', fin_year, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile, all_three, 1
FROM flags
UNION ALL
SELECT 'diabetes-treatment-targets-hba1c', fin_year, borough_code, pcn_name, practice_code,
       age_band, sex, ethnic_group, imd_quintile, imd_decile, hba1c_target, 1
FROM flags
UNION ALL
SELECT 'diabetes-treatment-targets-bp', fin_year, borough_code, pcn_name, practice_code,
       age_band, sex, ethnic_group, imd_quintile, imd_decile, bp_target, 1
FROM flags
UNION ALL
SELECT 'diabetes-treatment-targets-statin', fin_year, borough_code, pcn_name, practice_code,
       age_band, sex, ethnic_group, imd_quintile, imd_decile, statin, 1
FROM flags
