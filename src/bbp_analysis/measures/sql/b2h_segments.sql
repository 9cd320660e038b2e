-- Bridges to Health segment sizes (1 healthy ... 8 frailty and dementia; highest need wins) as shares of the registered population
WITH cells AS (
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile, COUNT(*) AS persons,
           SUM(CASE WHEN segment_b2h = 1 THEN 1 ELSE 0 END) AS s1,
           SUM(CASE WHEN segment_b2h = 2 THEN 1 ELSE 0 END) AS s2,
           SUM(CASE WHEN segment_b2h = 3 THEN 1 ELSE 0 END) AS s3,
           SUM(CASE WHEN segment_b2h = 4 THEN 1 ELSE 0 END) AS s4,
           SUM(CASE WHEN segment_b2h = 5 THEN 1 ELSE 0 END) AS s5,
           SUM(CASE WHEN segment_b2h = 6 THEN 1 ELSE 0 END) AS s6,
           SUM(CASE WHEN segment_b2h = 7 THEN 1 ELSE 0 END) AS s7,
           SUM(CASE WHEN segment_b2h = 8 THEN 1 ELSE 0 END) AS s8
    FROM person_years
    GROUP BY fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
             imd_quintile, imd_decile
)
SELECT 'b2h_segment_1' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       s1 AS numerator, persons AS denominator
FROM cells
UNION ALL
SELECT 'b2h_segment_2', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, s2, persons
FROM cells
UNION ALL
SELECT 'b2h_segment_3', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, s3, persons
FROM cells
UNION ALL
SELECT 'b2h_segment_4', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, s4, persons
FROM cells
UNION ALL
SELECT 'b2h_segment_5', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, s5, persons
FROM cells
UNION ALL
SELECT 'b2h_segment_6', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, s6, persons
FROM cells
UNION ALL
SELECT 'b2h_segment_7', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, s7, persons
FROM cells
UNION ALL
SELECT 'b2h_segment_8', fin_year, borough_code, pcn_name, practice_code, age_band,
       sex, ethnic_group, imd_quintile, imd_decile, s8, persons
FROM cells
