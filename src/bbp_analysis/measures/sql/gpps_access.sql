-- GP Patient Survey: weighted share of respondents rating their experience of making an appointment good, and poor (age_band is the survey's own bands); weights as DECIMAL(18, 9), whose sums are exact, so totals do not depend on the order parallel threads add them
SELECT 'pm2-gp-access-good' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       CASE WHEN appointment_experience = 'good' THEN CAST(weight AS DECIMAL(18, 9)) ELSE 0 END AS numerator,
       CAST(weight AS DECIMAL(18, 9)) AS denominator
FROM gpps_responses
UNION ALL
SELECT 'pm2-gp-access-poor', fin_year, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile,
       CASE WHEN appointment_experience = 'poor' THEN CAST(weight AS DECIMAL(18, 9)) ELSE 0 END,
       CAST(weight AS DECIMAL(18, 9))
FROM gpps_responses
