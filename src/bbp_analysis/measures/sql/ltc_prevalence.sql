-- Recorded prevalence of the long-term conditions the review shows among registered persons (QOF age ranges: diabetes 17+, asthma 6+, dementia 65+; hypertension and COPD all ages) and moderate/severe frailty 65+
WITH cells AS (
    -- the population's finest cells (population_cells), so each condition reads a small table
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile,
           diabetes_17_plus AS diabetes_n, aged_17_plus AS diabetes_d,
           hypertension AS hypertension_n, persons AS hypertension_d,
           asthma_6_plus AS asthma_n, aged_6_plus AS asthma_d,
           copd AS copd_n, persons AS copd_d,
           dementia_65_plus AS dementia_n, aged_65_plus AS dementia_d,
           frail_65_plus AS frailty_n, aged_65_plus AS frailty_d
    FROM population_cells
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
