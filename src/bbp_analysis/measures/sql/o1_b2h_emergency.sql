-- Emergency admissions by the patient's Bridges to Health segment (1 healthy ... 8 frailty and dementia), numerator = admissions; shares are taken against all emergency admissions
SELECT 'o1-b2h-segments-emergency-' || CAST(p.segment_b2h AS VARCHAR) AS measure,
       e.fin_year AS period, e.borough_code, e.pcn_name, e.practice_code, e.age_band, e.sex,
       e.ethnic_group, e.imd_quintile, e.imd_decile, 1 AS numerator, 1 AS denominator
FROM emergency_spells AS e
JOIN persons AS p ON p.person_id = e.person_id
