-- Identified carers as a share of registered adults (18+)
SELECT 'o2-carers-identified' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       CASE WHEN carer THEN 1 ELSE 0 END AS numerator, 1 AS denominator
FROM person_years
WHERE age >= 18
