-- Hypertension register among people aged 16 and over on 1 October, by sex and Health Survey for England age band (16-34, 35-44, 45-54, 55-64, 65-74, 75+), for the expected-versus-recorded case-finding gap (numerator = on the register, denominator = persons)
-- areas: borough, pcn
-- breakdowns: total, sex_age_band
SELECT 'o1-hypertension-case-finding' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code,
       CASE WHEN age < 35 THEN '16-34' WHEN age < 45 THEN '35-44' WHEN age < 55 THEN '45-54'
            WHEN age < 65 THEN '55-64' WHEN age < 75 THEN '65-74' ELSE '75+' END AS age_band,
       sex, ethnic_group, imd_quintile, imd_decile,
       CASE WHEN hypertension THEN 1 ELSE 0 END AS numerator, 1 AS denominator
FROM person_years
WHERE age >= 16
