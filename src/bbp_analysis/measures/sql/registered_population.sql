-- Registered population on 1 October of each financial year (numerator = denominator = persons), and the shares aged 0-15 and 65+
-- breakdowns: total, age_band, sex, ethnic_group, imd_quintile, imd_decile, sex_age_band
WITH cells AS (
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile, COUNT(*) AS persons,
           SUM(CASE WHEN age >= 65 THEN 1 ELSE 0 END) AS aged_65_plus,
           SUM(CASE WHEN age <= 15 THEN 1 ELSE 0 END) AS aged_0_15
    FROM person_years
    GROUP BY fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
             imd_quintile, imd_decile
)
SELECT 'registered_population' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       persons AS numerator, persons AS denominator
FROM cells
UNION ALL
SELECT 'population_aged_65_plus', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, aged_65_plus, persons
FROM cells
UNION ALL
SELECT 'population_aged_0_15', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, aged_0_15, persons
FROM cells
