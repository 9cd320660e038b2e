-- GP Patient Survey design terms for Kish effective sample sizes: respondents (numerator = denominator = 1) and squared weights over weights; named for measure 2's first entry (pm2-gp-access-good), the poor-rating entry reads the same terms; DECIMAL(18, 9) terms, whose sums are exact, so totals do not depend on the order parallel threads add them
SELECT 'pm2-gp-access-good-respondents' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       1 AS numerator, 1 AS denominator
FROM gpps_responses
UNION ALL
SELECT 'pm2-gp-access-good-weight-squared', fin_year, borough_code, pcn_name, practice_code,
       age_band, sex, ethnic_group, imd_quintile, imd_decile,
       CAST(weight * weight AS DECIMAL(18, 9)), CAST(weight AS DECIMAL(18, 9))
FROM gpps_responses
