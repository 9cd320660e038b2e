-- Objective 3 programme outcomes by calendar month for interrupted time series: diabetes emergency admissions (chronic ACSC, E10-E14 primary) per person-month with diabetes, falls admissions 65+ per person-month aged 65+, emergency admissions of people with moderate or severe frailty per such person-month, UTC attendances (types 03/04) per registered person-month; denominator = person-months registered and alive in the month (days at risk / days in the month; age on the 15th), events counted only while registered
-- period_type: month
-- areas: borough, pcn
-- breakdowns: total
WITH spans AS (
    -- each person's time at risk: from registration (or before the window) to the first day
    -- no longer registered or the day after death
    SELECT person_id, borough_code, pcn_name, practice_code, birth_year, birth_month, diabetes,
           frailty IN ('moderate', 'severe') AS frail,
           COALESCE(registered_from, DATE '1900-01-01') AS entry_date,
           LEAST(COALESCE(registered_to, DATE '2999-01-01'),
                 COALESCE(date_of_death + INTERVAL '1' DAY, DATE '2999-01-01')) AS exit_date
    FROM persons
),
cohorts AS (
    -- people with the same practice, birth month, flags and time at risk within the months
    -- covered have the same exposure: counted once, so each month joins cohorts, not persons
    SELECT s.borough_code, s.pcn_name, s.practice_code, s.birth_year, s.birth_month,
           s.diabetes, s.frail,
           GREATEST(s.entry_date, w.first_day) AS entry_date,
           LEAST(s.exit_date, w.end_day) AS exit_date,
           COUNT(*) AS persons
    FROM spans AS s
    CROSS JOIN (SELECT MIN(month_start) AS first_day, MAX(next_month) AS end_day FROM months) AS w
    GROUP BY s.borough_code, s.pcn_name, s.practice_code, s.birth_year, s.birth_month,
             s.diabetes, s.frail, GREATEST(s.entry_date, w.first_day),
             LEAST(s.exit_date, w.end_day)
),
exposure AS (
    SELECT m.period, c.borough_code, c.pcn_name, c.practice_code, c.diabetes, c.frail,
           CAST(EXTRACT(YEAR FROM m.month_start) AS INTEGER) - c.birth_year
               - CASE WHEN EXTRACT(MONTH FROM m.month_start) < c.birth_month THEN 1 ELSE 0 END
               AS age,
           c.persons * DATE_DIFF('day', GREATEST(c.entry_date, m.month_start),
                                 LEAST(c.exit_date, m.next_month)) AS days_at_risk,
           DATE_DIFF('day', m.month_start, m.next_month) AS month_days
    FROM cohorts AS c
    JOIN months AS m ON c.entry_date < m.next_month AND c.exit_date > m.month_start
),
pop AS (
    -- person-days (exact integer sums) / days in the month, held as DECIMAL(18, 9), whose
    -- sums are exact: the totals do not depend on the order parallel threads add them
    SELECT period, borough_code, pcn_name, practice_code,
           CAST(SUM(CASE WHEN diabetes THEN days_at_risk ELSE 0 END) / month_days
                AS DECIMAL(18, 9)) AS diabetes_n,
           CAST(SUM(CASE WHEN age >= 65 THEN days_at_risk ELSE 0 END) / month_days
                AS DECIMAL(18, 9)) AS older_n,
           CAST(SUM(CASE WHEN frail THEN days_at_risk ELSE 0 END) / month_days
                AS DECIMAL(18, 9)) AS frail_n,
           CAST(SUM(days_at_risk) / month_days AS DECIMAL(18, 9)) AS persons_n
    FROM exposure
    GROUP BY period, borough_code, pcn_name, practice_code, month_days
),
events AS (
    SELECT 'programme-effects-diabetes-acsc' AS measure, admission_date AS event_date, person_id
    FROM emergency_spells
    WHERE is_acsc_chronic = 1
      AND SUBSTRING(primary_diagnosis, 1, 3) IN ('E10', 'E11', 'E12', 'E13', 'E14')
    UNION ALL
    SELECT 'programme-effects-falls-65plus', admission_date, person_id
    FROM emergency_spells
    WHERE is_fall = 1 AND age >= 65
    UNION ALL
    SELECT 'programme-effects-frail-emergency', e.admission_date, e.person_id
    FROM emergency_spells AS e
    JOIN persons AS p ON p.person_id = e.person_id
    WHERE p.frailty IN ('moderate', 'severe')
    UNION ALL
    SELECT 'programme-effects-utc', arrival_date, person_id
    FROM ae_attendances
    WHERE department_type IN ('03', '04')
)
SELECT ev.measure, m.period, s.borough_code, s.pcn_name, s.practice_code,
       1 AS numerator, 0 AS denominator
FROM events AS ev
JOIN spans AS s
  ON s.person_id = ev.person_id AND ev.event_date >= s.entry_date AND ev.event_date < s.exit_date
JOIN months AS m ON ev.event_date >= m.month_start AND ev.event_date < m.next_month
UNION ALL
-- each month's denominator: person-months at risk of each programme's population
SELECT u.measure, u.period, u.borough_code, u.pcn_name, u.practice_code, 0, u.denominator
FROM (
    SELECT 'programme-effects-diabetes-acsc' AS measure, period, borough_code, pcn_name, practice_code, diabetes_n AS denominator
    FROM pop
    UNION ALL SELECT 'programme-effects-falls-65plus', period, borough_code, pcn_name, practice_code, older_n FROM pop
    UNION ALL SELECT 'programme-effects-frail-emergency', period, borough_code, pcn_name, practice_code, frail_n FROM pop
    UNION ALL SELECT 'programme-effects-utc', period, borough_code, pcn_name, practice_code, persons_n FROM pop
) AS u
