-- Recorded prevalence of the long-term conditions the review shows among registered persons (QOF age ranges: diabetes 17+, asthma 6+, dementia 65+; hypertension and COPD all ages) and moderate/severe frailty 65+
WITH cells AS (
    -- persons summed to the finest cell first, so each condition reads a small table
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile,
           SUM(CASE WHEN age >= 17 AND diabetes THEN 1 ELSE 0 END) AS diabetes_n,
           SUM(CASE WHEN age >= 17 THEN 1 ELSE 0 END) AS diabetes_d,
           SUM(CASE WHEN hypertension THEN 1 ELSE 0 END) AS hypertension_n,
           COUNT(*) AS hypertension_d,
           SUM(CASE WHEN age >= 6 AND asthma THEN 1 ELSE 0 END) AS asthma_n,
           SUM(CASE WHEN age >= 6 THEN 1 ELSE 0 END) AS asthma_d,
           SUM(CASE WHEN copd THEN 1 ELSE 0 END) AS copd_n,
           COUNT(*) AS copd_d,
           SUM(CASE WHEN age >= 65 AND dementia THEN 1 ELSE 0 END) AS dementia_n,
           SUM(CASE WHEN age >= 65 THEN 1 ELSE 0 END) AS dementia_d,
           SUM(CASE WHEN age >= 65 AND frailty IN ('moderate', 'severe') THEN 1 ELSE 0 END)
               AS frailty_n,
           SUM(CASE WHEN age >= 65 THEN 1 ELSE 0 END) AS frailty_d
    FROM person_years
    GROUP BY fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
             imd_quintile, imd_decile
)
SELECT 'ltc_prevalence_diabetes' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       diabetes_n AS numerator, diabetes_d AS denominator
FROM cells
WHERE diabetes_d > 0
UNION ALL
SELECT 'ltc_prevalence_hypertension', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, hypertension_n, hypertension_d
FROM cells
UNION ALL
SELECT 'ltc_prevalence_asthma', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, asthma_n, asthma_d
FROM cells
WHERE asthma_d > 0
UNION ALL
SELECT 'ltc_prevalence_copd', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, copd_n, copd_d
FROM cells
UNION ALL
SELECT 'ltc_prevalence_dementia', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, dementia_n, dementia_d
FROM cells
WHERE dementia_d > 0
UNION ALL
SELECT 'frailty_moderate_or_severe_65plus', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, frailty_n, frailty_d
FROM cells
WHERE frailty_d > 0
