-- Registered people and their emergency admissions by Core20PLUS profile: NHS ethnic category code, five-year age band, national IMD 2019 decile and the carer, SMI, learning disability and care-home flags, so that the PLUS groups set in the parameters can be counted and compared with everyone else
-- areas: borough, pcn
-- breakdowns: profile
WITH people AS (
    SELECT person_id, fin_year, borough_code, pcn_name, practice_code,
           ethnic_category || '|' || age_band || '|' || CAST(imd_decile AS VARCHAR) || '|'
           || CASE WHEN carer THEN 'carer+' ELSE '' END
           || CASE WHEN smi THEN 'smi+' ELSE '' END
           || CASE WHEN learning_disability THEN 'learning_disability+' ELSE '' END
           || CASE WHEN care_home_resident THEN 'care_home_resident+' ELSE '' END AS profile
    FROM person_years
),
-- the population counted once per year, practice and profile, then given to both measures
cells AS (
    SELECT fin_year, borough_code, pcn_name, practice_code, profile, COUNT(*) AS persons
    FROM people
    GROUP BY fin_year, borough_code, pcn_name, practice_code, profile
)
SELECT 'o1-core20plus-groups' AS measure, fin_year AS period, borough_code, pcn_name,
       practice_code, profile, persons AS numerator, persons AS denominator
FROM cells
UNION ALL
SELECT 'o1-core20plus-groups-emergency', fin_year, borough_code, pcn_name, practice_code, profile,
       0, persons
FROM cells
UNION ALL
SELECT 'o1-core20plus-groups-emergency', pe.fin_year, pe.borough_code, pe.pcn_name,
       pe.practice_code, pe.profile, 1, 0
FROM emergency_spells AS e
JOIN people AS pe ON pe.person_id = e.person_id AND pe.fin_year = e.fin_year
