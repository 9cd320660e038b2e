-- Emergency admissions (admission method 2x, transfers 2B excluded) with the person's attributes, age at admission, ACSC flags (is_acsc_chronic: the NHS OF 2.3.i list; is_acsc_plan: the plan's six conditions; codes in the catalogue) and the falls flag
-- materialize: table
SELECT e.*, b.age_band
FROM (
    SELECT
        s.spell_id,
        s.person_id,
        s.admission_date,
        s.discharge_date,
        s.primary_diagnosis,
        s.cause_code,
        f.fin_year,
        p.borough_code,
        p.pcn_name,
        p.practice_code,
        p.sex,
        p.ethnic_group,
        p.imd_quintile_local AS imd_quintile,
        p.imd_decile,
        p.date_of_death,
        CAST(EXTRACT(YEAR FROM s.admission_date) AS INTEGER) - p.birth_year
            - CASE WHEN EXTRACT(MONTH FROM s.admission_date) < p.birth_month
                 OR (EXTRACT(MONTH FROM s.admission_date) = p.birth_month
                     AND EXTRACT(DAY FROM s.admission_date) < 15)
               THEN 1 ELSE 0 END
            AS age,
        CASE
            WHEN SUBSTRING(s.primary_diagnosis, 1, 4) IN ('B180', 'B181', 'D501', 'D508', 'D509',
                                                          'I110', 'I119', 'I10X', 'I240', 'I248',
                                                          'I249', 'J81X')
              OR SUBSTRING(s.primary_diagnosis, 1, 3) IN ('E10', 'E11', 'E12', 'E13', 'E14', 'F00',
                                                          'F01', 'F02', 'F03', 'G30', 'G40', 'G41',
                                                          'R56', 'O15', 'I20', 'I50', 'I48', 'J41',
                                                          'J42', 'J43', 'J44', 'J47', 'J45', 'J46')
            THEN 1 ELSE 0
        END AS is_acsc_chronic,
        CASE
            WHEN SUBSTRING(s.primary_diagnosis, 1, 4) IN ('I10X', 'I110', 'I119', 'J81X')
              OR SUBSTRING(s.primary_diagnosis, 1, 3) IN ('J45', 'J46', 'E10', 'E11', 'E12', 'E13',
                                                          'E14', 'G40', 'G41', 'F00', 'F01', 'F02',
                                                          'F03', 'G30', 'I50')
            THEN 1 ELSE 0
        END AS is_acsc_plan,
        CASE
            WHEN SUBSTRING(s.cause_code, 1, 3) BETWEEN 'W00' AND 'W19'
             AND SUBSTRING(s.primary_diagnosis, 1, 1) IN ('S', 'T')
            THEN 1 ELSE 0
        END AS is_fall
    FROM apc_spells AS s
    JOIN persons AS p ON p.person_id = s.person_id
    JOIN fin_years AS f ON s.admission_date >= f.start_date AND s.admission_date < f.next_start
    WHERE SUBSTRING(s.admimeth, 1, 1) = '2' AND s.admimeth <> '2B'
) AS e
JOIN age_bands AS b ON b.age = e.age
