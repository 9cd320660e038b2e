-- Deaths in usual place of residence (home or care home) and deaths with an emergency admission in the last 90 days of life, as shares of registered deaths, by financial year of death
WITH deaths AS (
    SELECT p.person_id, p.date_of_death, p.place_of_death, f.fin_year, p.borough_code,
           p.pcn_name, p.practice_code, b.age_band, p.sex, p.ethnic_group,
           p.imd_quintile_local AS imd_quintile, p.imd_decile
    FROM persons AS p
    JOIN fin_years AS f ON p.date_of_death >= f.start_date AND p.date_of_death < f.next_start
    JOIN age_bands AS b
      ON b.age = CAST(EXTRACT(YEAR FROM p.date_of_death) AS INTEGER) - p.birth_year
                 - CASE WHEN EXTRACT(MONTH FROM p.date_of_death) < p.birth_month
                          OR (EXTRACT(MONTH FROM p.date_of_death) = p.birth_month
                              AND EXTRACT(DAY FROM p.date_of_death) < 15)
                        THEN 1 ELSE 0 END
),
admitted AS (
    SELECT DISTINCT d.person_id
    FROM deaths AS d
    JOIN emergency_spells AS e
      ON e.person_id = d.person_id
     AND e.admission_date <= d.date_of_death
     AND e.admission_date > d.date_of_death - INTERVAL '90' DAY
)
SELECT 'eol-usual-place-of-residence' AS measure, fin_year AS period, borough_code,
       pcn_name, practice_code, age_band, sex, ethnic_group, imd_quintile, imd_decile,
       CASE WHEN place_of_death IN ('home', 'care_home') THEN 1 ELSE 0 END AS numerator,
       1 AS denominator
FROM deaths
UNION ALL
SELECT 'eol-emergency-admission-90d', d.fin_year, d.borough_code, d.pcn_name,
       d.practice_code, d.age_band, d.sex, d.ethnic_group, d.imd_quintile, d.imd_decile,
       CASE WHEN a.person_id IS NULL THEN 0 ELSE 1 END, 1
FROM deaths AS d
LEFT JOIN admitted AS a ON a.person_id = d.person_id
