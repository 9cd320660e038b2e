-- Bridges to Health segment sizes (1 healthy ... 8 frailty and dementia; highest need wins) as shares of the registered population
-- expand: population -> o1-b2h-segments-1, o1-b2h-segments-2, o1-b2h-segments-3, o1-b2h-segments-4, o1-b2h-segments-5, o1-b2h-segments-6, o1-b2h-segments-7, o1-b2h-segments-8
WITH cells AS (
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile, segment_b2h, COUNT(*) AS persons
    FROM person_years
    GROUP BY fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
             imd_quintile, imd_decile, segment_b2h
)
-- each cell's persons counted in their segment (measures named for the catalogue entry
-- o1-b2h-segments) ...
SELECT 'o1-b2h-segments-' || CAST(segment_b2h AS VARCHAR) AS measure, fin_year AS period,
       borough_code, pcn_name, practice_code, age_band, sex, ethnic_group, imd_quintile,
       imd_decile, persons AS numerator, 0 AS denominator
FROM cells
WHERE segment_b2h BETWEEN 1 AND 8
UNION ALL
-- ... and the whole population once: the engine copies its cells to each segment's measure
SELECT 'population', fin_year, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile, 0, persons
FROM cells
