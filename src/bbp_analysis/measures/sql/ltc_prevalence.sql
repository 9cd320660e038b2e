-- Recorded prevalence of each long-term condition among registered persons (QOF age ranges: diabetes 17+, CKD/depression/epilepsy 18+, asthma 6+, dementia 65+; others all ages) and moderate/severe frailty 65+
WITH cells AS (
    -- persons summed to the finest cell first, so each condition reads a small table
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile,
           SUM(CASE WHEN age >= 17 AND diabetes THEN 1 ELSE 0 END) AS diabetes_n,
           SUM(CASE WHEN age >= 17 THEN 1 ELSE 0 END) AS diabetes_d,
           SUM(CASE WHEN hypertension THEN 1 ELSE 0 END) AS hypertension_n,
           COUNT(*) AS hypertension_d,
           SUM(CASE WHEN chd THEN 1 ELSE 0 END) AS chd_n,
           COUNT(*) AS chd_d,
           SUM(CASE WHEN age >= 18 AND ckd THEN 1 ELSE 0 END) AS ckd_n,
           SUM(CASE WHEN age >= 18 THEN 1 ELSE 0 END) AS ckd_d,
           SUM(CASE WHEN af THEN 1 ELSE 0 END) AS af_n,
           COUNT(*) AS af_d,
           SUM(CASE WHEN heart_failure THEN 1 ELSE 0 END) AS heart_failure_n,
           COUNT(*) AS heart_failure_d,
           SUM(CASE WHEN age >= 6 AND asthma THEN 1 ELSE 0 END) AS asthma_n,
           SUM(CASE WHEN age >= 6 THEN 1 ELSE 0 END) AS asthma_d,
           SUM(CASE WHEN copd THEN 1 ELSE 0 END) AS copd_n,
           COUNT(*) AS copd_d,
           SUM(CASE WHEN age >= 65 AND dementia THEN 1 ELSE 0 END) AS dementia_n,
           SUM(CASE WHEN age >= 65 THEN 1 ELSE 0 END) AS dementia_d,
           SUM(CASE WHEN smi THEN 1 ELSE 0 END) AS smi_n,
           COUNT(*) AS smi_d,
           SUM(CASE WHEN learning_disability THEN 1 ELSE 0 END) AS learning_disability_n,
           COUNT(*) AS learning_disability_d,
           SUM(CASE WHEN age >= 18 AND depression THEN 1 ELSE 0 END) AS depression_n,
           SUM(CASE WHEN age >= 18 THEN 1 ELSE 0 END) AS depression_d,
           SUM(CASE WHEN cancer THEN 1 ELSE 0 END) AS cancer_n,
           COUNT(*) AS cancer_d,
           SUM(CASE WHEN age >= 18 AND epilepsy THEN 1 ELSE 0 END) AS epilepsy_n,
           SUM(CASE WHEN age >= 18 THEN 1 ELSE 0 END) AS epilepsy_d,
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
SELECT 'ltc_prevalence_chd', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, chd_n, chd_d
FROM cells
UNION ALL
SELECT 'ltc_prevalence_ckd', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, ckd_n, ckd_d
FROM cells
WHERE ckd_d > 0
UNION ALL
SELECT 'ltc_prevalence_af', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, af_n, af_d
FROM cells
UNION ALL
SELECT 'ltc_prevalence_heart_failure', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, heart_failure_n, heart_failure_d
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
SELECT 'ltc_prevalence_smi', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, smi_n, smi_d
FROM cells
UNION ALL
SELECT 'ltc_prevalence_learning_disability', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, learning_disability_n, learning_disability_d
FROM cells
UNION ALL
SELECT 'ltc_prevalence_depression', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, depression_n, depression_d
FROM cells
WHERE depression_d > 0
UNION ALL
SELECT 'ltc_prevalence_cancer', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, cancer_n, cancer_d
FROM cells
UNION ALL
SELECT 'ltc_prevalence_epilepsy', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, epilepsy_n, epilepsy_d
FROM cells
WHERE epilepsy_d > 0
UNION ALL
SELECT 'frailty_moderate_or_severe_65plus', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, frailty_n, frailty_d
FROM cells
WHERE frailty_d > 0
