-- Emergency admissions for the plan's six long-term conditions (measure 5) by calendar month; denominator = the financial year's registered population (1 October)
-- period_type: month
WITH pop AS (
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile, COUNT(*) AS persons
    FROM person_years
    GROUP BY fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
             imd_quintile, imd_decile
)
SELECT 'acsc_plan_admissions_monthly' AS measure, m.period, e.borough_code, e.pcn_name,
       e.practice_code, e.age_band, e.sex, e.ethnic_group, e.imd_quintile, e.imd_decile,
       1 AS numerator, 0 AS denominator
FROM emergency_spells AS e
JOIN months AS m ON e.admission_date >= m.month_start AND e.admission_date < m.next_month
WHERE e.is_acsc_plan = 1
UNION ALL
SELECT 'acsc_plan_admissions_monthly', m.period, pop.borough_code, pop.pcn_name,
       pop.practice_code, pop.age_band, pop.sex, pop.ethnic_group, pop.imd_quintile,
       pop.imd_decile, 0, pop.persons
FROM pop
JOIN months AS m ON m.fin_year = pop.fin_year
