-- Core20PLUS group sizes: national most deprived 20% (IMD deciles 1-2), ethnic minority, care home residents, SMI, learning disability, and any of these, as shares of the registered population
WITH cells AS (
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile, COUNT(*) AS persons,
           SUM(CASE WHEN imd_decile <= 2 THEN 1 ELSE 0 END) AS core20,
           SUM(CASE WHEN ethnic_group NOT IN ('White', 'Not stated') THEN 1 ELSE 0 END)
               AS minority,
           SUM(CASE WHEN care_home_resident THEN 1 ELSE 0 END) AS care_home,
           SUM(CASE WHEN smi THEN 1 ELSE 0 END) AS smi,
           SUM(CASE WHEN learning_disability THEN 1 ELSE 0 END) AS ld,
           SUM(CASE WHEN imd_decile <= 2 OR ethnic_group NOT IN ('White', 'Not stated')
                     OR care_home_resident OR smi OR learning_disability
                    THEN 1 ELSE 0 END) AS any_group
    FROM person_years
    GROUP BY fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
             imd_quintile, imd_decile
)
SELECT 'core20_population' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       core20 AS numerator, persons AS denominator
FROM cells
UNION ALL
SELECT 'plus_ethnic_minority', fin_year, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile, minority, persons
FROM cells
UNION ALL
SELECT 'plus_care_home_residents', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, care_home, persons
FROM cells
UNION ALL
SELECT 'plus_smi', fin_year, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile, smi, persons
FROM cells
UNION ALL
SELECT 'plus_learning_disability', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, ld, persons
FROM cells
UNION ALL
SELECT 'core20plus_any', fin_year, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile, any_group, persons
FROM cells
