-- Programme uptake among eligible persons: cancer screening (cervical, breast, bowel), flu 65+, MMR2 by 5, SMI and LD health checks, NHS Health Checks, smoking status, maternity continuity of carer, cancer stage 1-2 at diagnosis, COPD flu vaccination
-- each programme code of the contract is measured under its catalogue entry's id
SELECT CASE g.programme
           WHEN 'cervical_screening' THEN 'o1-cervical-screening'
           WHEN 'breast_screening' THEN 'o1-breast-screening'
           WHEN 'bowel_screening' THEN 'o1-bowel-screening'
           WHEN 'flu_65plus' THEN 'o1-flu-65plus'
           WHEN 'mmr2_by_5' THEN 'o1-mmr2-by-5'
           WHEN 'nhs_health_check' THEN 'o1-nhs-health-check'
           WHEN 'smoking_status_recorded' THEN 'o1-smoking-status-recorded'
           WHEN 'copd_flu_vaccination' THEN 'o1-copd-flu-vaccination'
           WHEN 'maternity_continuity' THEN 'o3-maternity-continuity'
           WHEN 'smi_health_check' THEN 'smi-health-checks'
           WHEN 'ld_health_check' THEN 'ld-health-checks'
           WHEN 'cancer_early_stage' THEN 'o1-core20plus5-clinical-cancer-early-stage'
       END AS measure, py.fin_year AS period, py.borough_code,
       py.pcn_name, py.practice_code, py.age_band, py.sex, py.ethnic_group, py.imd_quintile,
       py.imd_decile, CASE WHEN g.completed THEN 1 ELSE 0 END AS numerator, 1 AS denominator
FROM programmes AS g
JOIN person_years AS py ON py.person_id = g.person_id AND py.fin_year = g.fin_year
WHERE g.eligible
