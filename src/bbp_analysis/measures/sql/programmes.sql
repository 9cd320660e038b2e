-- Programme uptake among eligible persons: cancer screening (cervical, breast, bowel), flu 65+, MMR2 by 5, SMI and LD health checks, NHS Health Checks, smoking status, maternity continuity of carer, cancer stage 1-2 at diagnosis, COPD flu vaccination
SELECT 'programme_' || g.programme AS measure, py.fin_year AS period, py.borough_code,
       py.pcn_name, py.practice_code, py.age_band, py.sex, py.ethnic_group, py.imd_quintile,
       py.imd_decile, CASE WHEN g.completed THEN 1 ELSE 0 END AS numerator, 1 AS denominator
FROM programmes AS g
JOIN person_years AS py ON py.person_id = g.person_id AND py.fin_year = g.fin_year
WHERE g.eligible
