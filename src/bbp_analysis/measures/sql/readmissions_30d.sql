-- Emergency readmissions within 30 days: emergency spells (person alive at discharge) followed by another emergency admission 1-30 days after discharge, by financial year of discharge
WITH idx AS (
    SELECT e.*, f.fin_year AS discharge_year
    FROM emergency_spells AS e
    JOIN fin_years AS f ON e.discharge_date >= f.start_date AND e.discharge_date < f.next_start
    WHERE e.date_of_death IS NULL OR e.date_of_death > e.discharge_date
),
readmitted AS (
    SELECT DISTINCT i.spell_id
    FROM idx AS i
    JOIN emergency_spells AS r
      ON r.person_id = i.person_id
     AND r.admission_date > i.discharge_date
     AND r.admission_date <= i.discharge_date + INTERVAL '30' DAY
)
SELECT 'o2-readmissions-30d' AS measure, i.discharge_year AS period, i.borough_code, i.pcn_name,
       i.practice_code, i.age_band, i.sex, i.ethnic_group, i.imd_quintile, i.imd_decile,
       CASE WHEN r.spell_id IS NULL THEN 0 ELSE 1 END AS numerator, 1 AS denominator
FROM idx AS i
LEFT JOIN readmitted AS r ON r.spell_id = i.spell_id
