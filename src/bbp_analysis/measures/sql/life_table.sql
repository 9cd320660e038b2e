-- Deaths (numerator) and registered population on 1 October (denominator) by sex and life-table age band (0, 1-4, 5-9, ..., 85-89, 90+) for each financial year, for everyone (o1-life-expectancy) and each local deprivation fifth (o1-life-expectancy-imd1 .. o1-life-expectancy-imd5); age at death counts a birthday in the month of death as not yet reached, as person_years does on 1 October
-- areas: borough, pcn
-- breakdowns: sex_age_band
WITH deaths AS (
    SELECT f.fin_year, p.borough_code, p.pcn_name, p.practice_code, p.sex, p.ethnic_group,
           p.imd_quintile_local AS imd_quintile, p.imd_decile,
           CASE WHEN EXTRACT(YEAR FROM p.date_of_death) - p.birth_year
                     - CASE WHEN EXTRACT(MONTH FROM p.date_of_death) <= p.birth_month
                            THEN 1 ELSE 0 END < 0 THEN 0
                ELSE EXTRACT(YEAR FROM p.date_of_death) - p.birth_year
                     - CASE WHEN EXTRACT(MONTH FROM p.date_of_death) <= p.birth_month
                            THEN 1 ELSE 0 END
           END AS age
    FROM persons AS p
    JOIN fin_years AS f
        ON p.date_of_death >= f.start_date AND p.date_of_death < f.next_start
),
banded AS (
    SELECT fin_year, borough_code, pcn_name, practice_code, sex, ethnic_group, imd_quintile,
           imd_decile, age, 0 AS died, 1 AS persons
    FROM person_years
    UNION ALL
    SELECT fin_year, borough_code, pcn_name, practice_code, sex, ethnic_group, imd_quintile,
           imd_decile, age, 1 AS died, 0 AS persons
    FROM deaths
),
cells AS (
    SELECT u.fin_year, u.borough_code, u.pcn_name, u.practice_code, u.sex, u.ethnic_group,
           u.imd_quintile, u.imd_decile,
           CASE WHEN u.age = 0 THEN '0' WHEN u.age < 5 THEN '1-4' ELSE b.age_band END
               AS age_band,
           SUM(u.died) AS deaths, SUM(u.persons) AS persons
    FROM banded AS u
    JOIN age_bands AS b ON b.age = CASE WHEN u.age > 130 THEN 130 ELSE u.age END
    GROUP BY u.fin_year, u.borough_code, u.pcn_name, u.practice_code, u.sex, u.ethnic_group,
             u.imd_quintile, u.imd_decile,
             CASE WHEN u.age = 0 THEN '0' WHEN u.age < 5 THEN '1-4' ELSE b.age_band END
)
SELECT 'o1-life-expectancy' AS measure, fin_year AS period, borough_code, pcn_name, practice_code,
       age_band, sex, ethnic_group, imd_quintile, imd_decile, deaths AS numerator,
       persons AS denominator
FROM cells
UNION ALL
SELECT 'o1-life-expectancy-imd' || CAST(imd_quintile AS VARCHAR), fin_year, borough_code, pcn_name,
       practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile, deaths, persons
FROM cells
WHERE imd_quintile IS NOT NULL
