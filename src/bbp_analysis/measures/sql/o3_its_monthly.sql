-- Objective 3 programme outcomes by calendar month for interrupted time series: diabetes emergency admissions (chronic ACSC, E10-E14 primary) per person with diabetes, falls admissions 65+ per person 65+, emergency admissions of people with moderate or severe frailty per such person, UTC attendances (types 03/04) per registered person; denominator = the financial year's 1 October population
-- period_type: month
-- areas: borough, pcn
-- breakdowns: total
WITH pop AS (
    SELECT fin_year, borough_code, pcn_name, practice_code,
           SUM(CASE WHEN diabetes THEN 1 ELSE 0 END) AS diabetes_n,
           SUM(CASE WHEN age >= 65 THEN 1 ELSE 0 END) AS older_n,
           SUM(CASE WHEN frailty IN ('moderate', 'severe') THEN 1 ELSE 0 END) AS frail_n,
           COUNT(*) AS persons_n
    FROM person_years
    GROUP BY fin_year, borough_code, pcn_name, practice_code
),
events AS (
    SELECT 'o3_diabetes_acsc_monthly' AS measure, admission_date AS event_date, borough_code,
           pcn_name, practice_code
    FROM emergency_spells
    WHERE is_acsc_chronic = 1
      AND SUBSTRING(primary_diagnosis, 1, 3) IN ('E10', 'E11', 'E12', 'E13', 'E14')
    UNION ALL
    SELECT 'o3_falls_65plus_monthly', admission_date, borough_code, pcn_name, practice_code
    FROM emergency_spells
    WHERE is_fall = 1 AND age >= 65
    UNION ALL
    SELECT 'o3_frail_emergency_monthly', e.admission_date, e.borough_code, e.pcn_name,
           e.practice_code
    FROM emergency_spells AS e
    JOIN persons AS p ON p.person_id = e.person_id
    WHERE p.frailty IN ('moderate', 'severe')
    UNION ALL
    SELECT 'o3_utc_monthly', a.arrival_date, p.borough_code, p.pcn_name, p.practice_code
    FROM ae_attendances AS a
    JOIN persons AS p ON p.person_id = a.person_id
    WHERE a.department_type IN ('03', '04')
)
SELECT ev.measure, m.period, ev.borough_code, ev.pcn_name, ev.practice_code,
       1 AS numerator, 0 AS denominator
FROM events AS ev
JOIN months AS m ON ev.event_date >= m.month_start AND ev.event_date < m.next_month
UNION ALL
-- each month's denominator: its financial year's population of each programme
SELECT u.measure, m.period, u.borough_code, u.pcn_name, u.practice_code, 0, u.denominator
FROM pop UNPIVOT (denominator FOR measure IN (
    diabetes_n AS o3_diabetes_acsc_monthly,
    older_n AS o3_falls_65plus_monthly,
    frail_n AS o3_frail_emergency_monthly,
    persons_n AS o3_utc_monthly
)) AS u
JOIN months AS m ON m.fin_year = u.fin_year
