-- Partnership staff survey: respondents satisfied in their work, by organisation (baseline 2022-23)
-- areas: borough
-- breakdowns: total, organisation
SELECT 'pm4-staff-satisfaction' AS measure, fin_year AS period, borough_code,
       CAST(NULL AS VARCHAR) AS pcn_name, CAST(NULL AS VARCHAR) AS practice_code, organisation,
       CASE WHEN satisfied THEN 1 ELSE 0 END AS numerator, 1 AS denominator
FROM staff_survey
