-- Five-year-olds examined in the oral health survey with experience of dental decay (dmft > 0)
SELECT 'pm1-tooth-decay-5' AS measure, o.fin_year AS period, py.borough_code,
       py.pcn_name, py.practice_code, py.age_band, py.sex, py.ethnic_group, py.imd_quintile,
       py.imd_decile, CASE WHEN o.any_decay THEN 1 ELSE 0 END AS numerator, 1 AS denominator
FROM oral_health_survey AS o
JOIN person_years AS py ON py.person_id = o.person_id AND py.fin_year = o.fin_year
