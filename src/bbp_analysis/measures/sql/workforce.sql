-- Workforce: voluntary turnover (voluntary leavers / headcount) and vacancy rate (vacancies / (headcount + vacancies)) by organisation
-- areas: borough
-- breakdowns: total, organisation
SELECT 'pm4-voluntary-turnover' AS measure, fin_year AS period, borough_code,
       CAST(NULL AS VARCHAR) AS pcn_name, CAST(NULL AS VARCHAR) AS practice_code, organisation,
       leavers_voluntary AS numerator, headcount AS denominator
FROM workforce
UNION ALL
SELECT 'o2-vacancy-rate', fin_year, borough_code, CAST(NULL AS VARCHAR),
       CAST(NULL AS VARCHAR), organisation, vacancies, headcount + vacancies
FROM workforce
