-- GP Patient Survey design terms for Kish effective sample sizes: respondents (numerator = denominator = 1) and squared weights over weights; named for measure 2's first entry (pm2-gp-access-good), the poor-rating entry reads the same terms
SELECT 'pm2-gp-access-good-respondents' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       1 AS numerator, 1 AS denominator
FROM gpps_responses
UNION ALL
SELECT 'pm2-gp-access-good-weight-squared', fin_year, borough_code, pcn_name, practice_code,
       age_band, sex, ethnic_group, imd_quintile, imd_decile, weight * weight, weight
FROM gpps_responses
