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
-- one row per cell and condition with people of its ages (numerator, denominator pairs)
SELECT u.measure, u.fin_year AS period, u.borough_code, u.pcn_name, u.practice_code,
       u.age_band, u.sex, u.ethnic_group, u.imd_quintile, u.imd_decile, u.numerator,
       u.denominator
FROM cells UNPIVOT ((numerator, denominator) FOR measure IN (
    (diabetes_n, diabetes_d) AS 'o3-diabetes-prevalence',
    (hypertension_n, hypertension_d) AS 'o3-hypertension-prevalence',
    (asthma_n, asthma_d) AS 'o2-ltc-prevalence-expected-asthma',
    (copd_n, copd_d) AS 'o2-ltc-prevalence-expected-copd',
    (dementia_n, dementia_d) AS 'o1-jsna-headlines-dementia',
    (frailty_n, frailty_d) AS 'o3-frailty-65plus'
)) AS u
WHERE u.denominator > 0
