-- GP Patient Survey: weighted share of respondents rating their experience of making an appointment good, and poor (age_band is the survey's own bands)
SELECT 'pm2-gp-access-good' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       CASE WHEN appointment_experience = 'good' THEN weight ELSE 0 END AS numerator,
       weight AS denominator
FROM gpps_responses
UNION ALL
SELECT 'pm2-gp-access-poor', fin_year, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile,
       CASE WHEN appointment_experience = 'poor' THEN weight ELSE 0 END, weight
FROM gpps_responses
