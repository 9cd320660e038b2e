-- Identified carers as a share of registered adults (18+)
SELECT 'o2-carers-identified' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       carers_18_plus AS numerator, aged_18_plus AS denominator
FROM population_cells
WHERE aged_18_plus > 0
