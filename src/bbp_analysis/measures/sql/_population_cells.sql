-- The 1 October population (person_years) counted once per financial year, practice and finest breakdown cell, with the counts the population measures divide by: persons, and persons of each condition and age range they read (age on 1 October) and in each Bridges to Health segment
-- materialize: table
SELECT fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
       imd_quintile, imd_decile,
       COUNT(*) AS persons,
       COUNT(CASE WHEN age <= 15 THEN 1 END) AS aged_0_15,
       COUNT(CASE WHEN age >= 6 THEN 1 END) AS aged_6_plus,
       COUNT(CASE WHEN age >= 17 THEN 1 END) AS aged_17_plus,
       COUNT(CASE WHEN age >= 18 THEN 1 END) AS aged_18_plus,
       COUNT(CASE WHEN age >= 65 THEN 1 END) AS aged_65_plus,
       COUNT(CASE WHEN age >= 18 AND carer THEN 1 END) AS carers_18_plus,
       COUNT(CASE WHEN age >= 6 AND asthma THEN 1 END) AS asthma_6_plus,
       COUNT(CASE WHEN age >= 17 AND diabetes THEN 1 END) AS diabetes_17_plus,
       COUNT(CASE WHEN age >= 65 AND dementia THEN 1 END) AS dementia_65_plus,
       COUNT(CASE WHEN age >= 65 AND frailty IN ('moderate', 'severe') THEN 1 END)
           AS frail_65_plus,
       COUNT(CASE WHEN hypertension THEN 1 END) AS hypertension,
       COUNT(CASE WHEN copd THEN 1 END) AS copd,
       COUNT(CASE WHEN smi THEN 1 END) AS smi,
       COUNT(CASE WHEN segment_b2h = 1 THEN 1 END) AS segment_1,
       COUNT(CASE WHEN segment_b2h = 2 THEN 1 END) AS segment_2,
       COUNT(CASE WHEN segment_b2h = 3 THEN 1 END) AS segment_3,
       COUNT(CASE WHEN segment_b2h = 4 THEN 1 END) AS segment_4,
       COUNT(CASE WHEN segment_b2h = 5 THEN 1 END) AS segment_5,
       COUNT(CASE WHEN segment_b2h = 6 THEN 1 END) AS segment_6,
       COUNT(CASE WHEN segment_b2h = 7 THEN 1 END) AS segment_7,
       COUNT(CASE WHEN segment_b2h = 8 THEN 1 END) AS segment_8
FROM person_years
GROUP BY fin_year, borough_code, pcn_name, practice_code, age_band, sex, ethnic_group,
         imd_quintile, imd_decile
