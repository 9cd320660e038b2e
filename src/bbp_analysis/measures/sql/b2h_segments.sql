-- Bridges to Health segment sizes (1 healthy ... 8 frailty and dementia; highest need wins) as shares of the registered population
-- expand: population -> o1-b2h-segments-1, o1-b2h-segments-2, o1-b2h-segments-3, o1-b2h-segments-4, o1-b2h-segments-5, o1-b2h-segments-6, o1-b2h-segments-7, o1-b2h-segments-8
WITH cells AS (
    -- the population's finest cells (population_cells), each segment's persons a column
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile, segment_1, segment_2, segment_3, segment_4, segment_5,
           segment_6, segment_7, segment_8, persons
    FROM population_cells
)
-- each cell's persons counted in their segment (measures named for the catalogue entry
-- o1-b2h-segments) ...
SELECT u.measure, u.fin_year AS period, u.borough_code, u.pcn_name, u.practice_code,
       u.age_band, u.sex, u.ethnic_group, u.imd_quintile, u.imd_decile, u.numerator,
       0 AS denominator
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
WHERE u.numerator > 0
UNION ALL
-- ... and the whole population once: the engine copies its cells to each segment's measure
SELECT 'population', fin_year, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile, 0, persons
FROM cells
