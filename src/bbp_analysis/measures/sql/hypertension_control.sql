-- Hypertension: persons on the register with blood pressure controlled to target (denominator: persons with hypertension)
SELECT 'hypertension-controlled' AS measure, py.fin_year AS period, py.borough_code,
       py.pcn_name, py.practice_code, py.age_band, py.sex, py.ethnic_group, py.imd_quintile,
       py.imd_decile, CASE WHEN h.bp_controlled THEN 1 ELSE 0 END AS numerator,
       1 AS denominator
FROM hypertension_control AS h
JOIN person_years AS py ON py.person_id = h.person_id AND py.fin_year = h.fin_year
