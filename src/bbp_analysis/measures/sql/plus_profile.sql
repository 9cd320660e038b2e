-- Registered people and their emergency admissions by Core20PLUS profile: NHS ethnic category code, five-year age band, national IMD 2019 decile and the carer, SMI, learning disability and care-home flags, so that the PLUS groups set in the parameters can be counted and compared with everyone else
-- areas: borough, pcn
-- breakdowns: profile
WITH parts AS (
    -- the registered population and its emergency admissions in the year, counted once per
    -- year, PCN and combination of the profile's parts (the profile text is written once per
    -- combination, not once per person)
    SELECT fin_year, borough_code, pcn_name, ethnic_category, age_band, imd_decile, carer, smi,
           learning_disability, care_home_resident, COUNT(*) AS persons, 0 AS admissions
    FROM person_years
    GROUP BY fin_year, borough_code, pcn_name, ethnic_category, age_band, imd_decile, carer, smi,
             learning_disability, care_home_resident
    UNION ALL
    SELECT py.fin_year, py.borough_code, py.pcn_name, py.ethnic_category, py.age_band,
           py.imd_decile, py.carer, py.smi, py.learning_disability, py.care_home_resident,
           0, COUNT(*)
    FROM emergency_spells AS e
    JOIN person_years AS py ON py.person_id = e.person_id AND py.fin_year = e.fin_year
    GROUP BY py.fin_year, py.borough_code, py.pcn_name, py.ethnic_category, py.age_band,
             py.imd_decile, py.carer, py.smi, py.learning_disability, py.care_home_resident
),
profiles AS (
    SELECT fin_year, borough_code, pcn_name,
           ethnic_category || '|' || age_band || '|' || CAST(imd_decile AS VARCHAR) || '|'
           || CASE WHEN carer THEN 'carer+' ELSE '' END
           || CASE WHEN smi THEN 'smi+' ELSE '' END
           || CASE WHEN learning_disability THEN 'learning_disability+' ELSE '' END
           || CASE WHEN care_home_resident THEN 'care_home_resident+' ELSE '' END AS profile,
           persons, admissions
    FROM parts
)
-- the PCN-level cells need no practice code
SELECT 'o1-core20plus-groups' AS measure, fin_year AS period, borough_code, pcn_name,
       CAST(NULL AS VARCHAR) AS practice_code, profile, persons AS numerator,
       persons AS denominator
FROM profiles
UNION ALL
SELECT 'o1-core20plus-groups-emergency', fin_year, borough_code, pcn_name,
       CAST(NULL AS VARCHAR), profile, admissions, persons
FROM profiles
