-- Emergency admissions for falls injuries (S00-T98 primary, external cause W00-W19) in persons aged 65+ per registered person 65+, by ESP2013 age band for direct standardisation
-- breakdowns: total, age_band, sex, ethnic_group, imd_quintile, imd_decile, sex_age_band
SELECT 'falls-65plus-dsr' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       1 AS numerator, 0 AS denominator
FROM emergency_spells
WHERE is_fall = 1 AND age >= 65
UNION ALL
SELECT 'falls-65plus-dsr', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, 0, aged_65_plus
FROM population_cells
WHERE aged_65_plus > 0
