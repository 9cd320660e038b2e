-- Bridges to Health segment sizes (1 healthy ... 8 frailty and dementia; highest need wins) as shares of the registered population
WITH cells AS (
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile, COUNT(*) AS persons,
           SUM(CASE WHEN segment_b2h = 1 THEN 1 ELSE 0 END) AS b2h_segment_1,
           SUM(CASE WHEN segment_b2h = 2 THEN 1 ELSE 0 END) AS b2h_segment_2,
           SUM(CASE WHEN segment_b2h = 3 THEN 1 ELSE 0 END) AS b2h_segment_3,
           SUM(CASE WHEN segment_b2h = 4 THEN 1 ELSE 0 END) AS b2h_segment_4,
           SUM(CASE WHEN segment_b2h = 5 THEN 1 ELSE 0 END) AS b2h_segment_5,
           SUM(CASE WHEN segment_b2h = 6 THEN 1 ELSE 0 END) AS b2h_segment_6,
           SUM(CASE WHEN segment_b2h = 7 THEN 1 ELSE 0 END) AS b2h_segment_7,
           SUM(CASE WHEN segment_b2h = 8 THEN 1 ELSE 0 END) AS b2h_segment_8
    FROM person_years
    GROUP BY fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
             imd_quintile, imd_decile
)
-- one row per cell and segment: the segment's column name is the measure
SELECT u.measure, u.fin_year AS period, u.borough_code, u.pcn_name, u.practice_code,
       u.age_band, u.sex, u.ethnic_group, u.imd_quintile, u.imd_decile, u.numerator,
       u.persons AS denominator
FROM cells UNPIVOT (numerator FOR measure IN (
    b2h_segment_1, b2h_segment_2, b2h_segment_3, b2h_segment_4,
    b2h_segment_5, b2h_segment_6, b2h_segment_7, b2h_segment_8
)) AS u
