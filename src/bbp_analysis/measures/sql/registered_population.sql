-- Registered population on 1 October of each financial year (numerator = denominator = persons), and the shares aged 0-15 and 65+
-- breakdowns: total, age_band, sex, ethnic_group, imd_quintile, imd_decile, sex_age_band
WITH cells AS (
    SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
           imd_quintile, imd_decile, persons, persons AS registered, aged_65_plus, aged_0_15
    FROM population_cells
)
-- one row per cell and measure (named for the catalogue entry o1-registered-population)
SELECT u.measure, u.fin_year AS period, u.borough_code, u.pcn_name, u.practice_code,
       u.age_band, u.sex, u.ethnic_group, u.imd_quintile, u.imd_decile, u.numerator,
       u.persons AS denominator
FROM cells UNPIVOT (numerator FOR measure IN (
    registered AS 'o1-registered-population',
    aged_65_plus AS 'o1-registered-population-aged-65-plus',
    aged_0_15 AS 'o1-registered-population-aged-0-15'
)) AS u
