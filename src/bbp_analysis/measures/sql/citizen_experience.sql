-- Partnership citizens' survey: respondents reporting a positive experience of care (baseline 2022-23)
SELECT 'pm3-citizen-experience' AS measure, c.fin_year AS period, py.borough_code,
       py.pcn_name, py.practice_code, py.age_band, py.sex, py.ethnic_group, py.imd_quintile,
       py.imd_decile, CASE WHEN c.positive_experience THEN 1 ELSE 0 END AS numerator,
       1 AS denominator
FROM citizen_survey AS c
JOIN person_years AS py ON py.person_id = c.person_id AND py.fin_year = c.fin_year
