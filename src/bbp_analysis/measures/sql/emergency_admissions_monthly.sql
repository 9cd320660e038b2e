-- Emergency admissions by calendar month per registered person (denominator: the financial year's 1 October population), for the borough and its PCNs in total, which the monthly XmR charts read (the breakdowns by practice and group are the annual measures'): all causes, the plan's six long-term conditions (measure 5) and the chronic ACSC of the NHS OF 2.3.i list, as in emergency_admissions
-- period_type: month
-- areas: borough, pcn
-- breakdowns: total
-- expand: population -> o2-emergency-monthly, pm5-acsc-admissions-monthly, acsc-chronic-nhsof-monthly
WITH kinds AS (
    SELECT 'o2-emergency-monthly' AS measure
    UNION ALL SELECT 'pm5-acsc-admissions-monthly'
    UNION ALL SELECT 'acsc-chronic-nhsof-monthly'
)
SELECT k.measure, m.period, e.borough_code, e.pcn_name, e.practice_code, e.age_band, e.sex,
       e.ethnic_group, e.imd_quintile, e.imd_decile, 1 AS numerator, 0 AS denominator
FROM emergency_spells AS e
JOIN months AS m ON e.admission_date >= m.month_start AND e.admission_date < m.next_month
JOIN kinds AS k
  ON k.measure = 'o2-emergency-monthly'
  OR (k.measure = 'pm5-acsc-admissions-monthly' AND e.is_acsc_plan = 1)
  OR (k.measure = 'acsc-chronic-nhsof-monthly' AND e.is_acsc_chronic = 1)
UNION ALL
-- the financial year's 1 October population, once: the engine copies its cells to each
-- measure and month of the year (the expand header)
SELECT 'population', fin_year, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile, 0, persons
FROM population_cells
