-- A&E type 01 attendances and urgent treatment centre (types 03/04) attendances per registered person, by financial year (age at arrival; sex-age bands for indirect standardisation)
-- breakdowns: total, age_band, sex, ethnic_group, imd_quintile, imd_decile, sex_age_band
-- expand: population -> o2-ae-isr, o2-utc-isr
WITH att AS (
    SELECT a.department_type, f.fin_year, p.borough_code, p.pcn_name, p.practice_code,
           b.age_band, p.sex, p.ethnic_group, p.imd_quintile_local AS imd_quintile,
           p.imd_decile
    FROM ae_attendances AS a
    JOIN persons AS p ON p.person_id = a.person_id
    JOIN fin_years AS f ON a.arrival_date >= f.start_date AND a.arrival_date < f.next_start
    JOIN age_bands AS b ON b.age = a.age
)
SELECT CASE WHEN department_type = '01' THEN 'o2-ae-isr'
            ELSE 'o2-utc-isr' END AS measure,
       fin_year AS period, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile, 1 AS numerator, 0 AS denominator
FROM att
UNION ALL
-- the 1 October population, once: the engine copies its cells to each measure (expand header)
SELECT 'population', fin_year, borough_code, pcn_name, practice_code, age_band, sex,
       ethnic_group, imd_quintile, imd_decile, 0, persons
FROM population_cells
