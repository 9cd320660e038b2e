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
risk AS (
    -- each person's time at risk within the months covered, in days from their first day
    -- (from the start day, to the day before the end day), and from when aged 65: age is
    -- counted in the month, so from the first day of the month of the 65th birthday
    SELECT s.borough_code, s.pcn_name, s.practice_code,
           CASE WHEN s.diabetes THEN 1 ELSE 0 END AS diabetes,
           CASE WHEN s.frail THEN 1 ELSE 0 END AS frail,
           DATE_DIFF('day', w.first_day, GREATEST(s.entry_date, w.first_day)) AS start_day,
           DATE_DIFF('day', w.first_day, GREATEST(s.entry_date, w.first_day,
                     MAKE_DATE(s.birth_year + 65, s.birth_month, 1))) AS older_day,
           DATE_DIFF('day', w.first_day, LEAST(s.exit_date, w.end_day)) AS end_day
    FROM spans AS s
    CROSS JOIN (SELECT MIN(month_start) AS first_day, MAX(next_month) AS end_day FROM months) AS w
    WHERE s.entry_date < w.end_day AND s.exit_date > w.first_day
),
changes AS (
    -- how many more (or fewer) people are at risk from a day: +1 where a time at risk
    -- starts, -1 where it ends, for everyone and for each programme's population
    SELECT borough_code, pcn_name, practice_code, start_day AS day, 1 AS persons, diabetes,
           0 AS older, frail
    FROM risk
    UNION ALL
    SELECT borough_code, pcn_name, practice_code, end_day, -1, -diabetes,
           CASE WHEN older_day < end_day THEN -1 ELSE 0 END, -frail
    FROM risk
    UNION ALL
    SELECT borough_code, pcn_name, practice_code, older_day, 0, 0, 1, 0
    FROM risk
    WHERE older_day < end_day
),
month_days AS (
    SELECT m.period, DATE_DIFF('day', w.first_day, m.month_start) AS first_day,
           DATE_DIFF('day', w.first_day, m.next_month) AS next_day,
           DATE_DIFF('day', m.month_start, m.next_month) AS days
    FROM months AS m
    CROSS JOIN (SELECT MIN(month_start) AS first_day FROM months) AS w
),
monthly AS (
    -- each month's changes: their count and their count times their day (summed by day first:
    -- a practice has at most one row a day to place in its month)
    SELECT c.borough_code, c.pcn_name, c.practice_code, d.period,
           SUM(c.persons) AS persons, SUM(c.persons * c.day) AS persons_days,
           SUM(c.diabetes) AS diabetes, SUM(c.diabetes * c.day) AS diabetes_days,
           SUM(c.older) AS older, SUM(c.older * c.day) AS older_days,
           SUM(c.frail) AS frail, SUM(c.frail * c.day) AS frail_days
    FROM (
        SELECT borough_code, pcn_name, practice_code, day, SUM(persons) AS persons,
               SUM(diabetes) AS diabetes, SUM(older) AS older, SUM(frail) AS frail
        FROM changes
        GROUP BY borough_code, pcn_name, practice_code, day
    ) AS c
    JOIN month_days AS d ON c.day >= d.first_day AND c.day < d.next_day
    GROUP BY c.borough_code, c.pcn_name, c.practice_code, d.period
),
running AS (
    -- at risk at the end of each month (the changes up to it), with the month's changes
    SELECT g.borough_code, g.pcn_name, g.practice_code, d.period, d.first_day, d.days,
           COALESCE(c.persons, 0) AS persons, COALESCE(c.persons_days, 0) AS persons_days,
           COALESCE(c.diabetes, 0) AS diabetes, COALESCE(c.diabetes_days, 0) AS diabetes_days,
           COALESCE(c.older, 0) AS older, COALESCE(c.older_days, 0) AS older_days,
           COALESCE(c.frail, 0) AS frail, COALESCE(c.frail_days, 0) AS frail_days,
           SUM(COALESCE(c.persons, 0)) OVER (PARTITION BY g.practice_code ORDER BY d.first_day
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS persons_end,
           SUM(COALESCE(c.diabetes, 0)) OVER (PARTITION BY g.practice_code ORDER BY d.first_day
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS diabetes_end,
           SUM(COALESCE(c.older, 0)) OVER (PARTITION BY g.practice_code ORDER BY d.first_day
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS older_end,
           SUM(COALESCE(c.frail, 0)) OVER (PARTITION BY g.practice_code ORDER BY d.first_day
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS frail_end
    FROM (SELECT DISTINCT borough_code, pcn_name, practice_code FROM risk) AS g
    CROSS JOIN month_days AS d
    LEFT JOIN monthly AS c
      ON c.practice_code = g.practice_code AND c.period = d.period
),
pop AS (
    -- person-days in the month: everyone at risk at its end for every day of it, less the
    -- days before each change within it (a person who starts on day x of a month is at
    -- risk from x, not from its first day); / days in the month, held as DECIMAL(18, 9),
    -- whose sums are exact: the totals do not depend on the order parallel threads add them
    SELECT period, borough_code, pcn_name, practice_code,
           CAST((days * diabetes_end + first_day * diabetes - diabetes_days) / days
                AS DECIMAL(18, 9)) AS diabetes_n,
           CAST((days * older_end + first_day * older - older_days) / days
                AS DECIMAL(18, 9)) AS older_n,
           CAST((days * frail_end + first_day * frail - frail_days) / days
                AS DECIMAL(18, 9)) AS frail_n,
           CAST((days * persons_end + first_day * persons - persons_days) / days
                AS DECIMAL(18, 9)) AS persons_n
    FROM running
    WHERE days * persons_end + first_day * persons - persons_days > 0
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
