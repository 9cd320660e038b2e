-- Bridges to Health segment sizes (1 healthy ... 8 frailty and dementia; highest need wins) as shares of the registered population
WITH cells AS (
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile, COUNT(*) AS persons,
           SUM(CASE WHEN segment_b2h = 1 THEN 1 ELSE 0 END) AS segment_1,
           SUM(CASE WHEN segment_b2h = 2 THEN 1 ELSE 0 END) AS segment_2,
           SUM(CASE WHEN segment_b2h = 3 THEN 1 ELSE 0 END) AS segment_3,
           SUM(CASE WHEN segment_b2h = 4 THEN 1 ELSE 0 END) AS segment_4,
           SUM(CASE WHEN segment_b2h = 5 THEN 1 ELSE 0 END) AS segment_5,
           SUM(CASE WHEN segment_b2h = 6 THEN 1 ELSE 0 END) AS segment_6,
           SUM(CASE WHEN segment_b2h = 7 THEN 1 ELSE 0 END) AS segment_7,
           SUM(CASE WHEN segment_b2h = 8 THEN 1 ELSE 0 END) AS segment_8
    FROM person_years
    GROUP BY fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
             imd_quintile, imd_decile
)
-- one row per cell and segment (measures named for the catalogue entry o1-b2h-segments)
SELECT u.measure, u.fin_year AS period, u.borough_code, u.pcn_name, u.practice_code,
       u.age_band, u.sex, u.ethnic_group, u.imd_quintile, u.imd_decile, u.numerator,
       u.persons AS denominator
FROM cells UNPIVOT (numerator FOR measure IN (
    segment_1 AS 'o1-b2h-segments-1',
    segment_2 AS 'o1-b2h-segments-2',
    segment_3 AS 'o1-b2h-segments-3',
    segment_4 AS 'o1-b2h-segments-4',
    segment_5 AS 'o1-b2h-segments-5',
    segment_6 AS 'o1-b2h-segments-6',
    segment_7 AS 'o1-b2h-segments-7',
    segment_8 AS 'o1-b2h-segments-8'
)) AS u
