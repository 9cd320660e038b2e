-- Registered persons by practice, with the practice's Primary Care Network as the breakdown value (maps practices to neighbourhoods for objective 2)
-- areas: practice
-- breakdowns: organisation
SELECT 'o2-neighbourhood-profile-practice-pcn' AS measure, fin_year AS period, borough_code,
       pcn_name, practice_code, pcn_name AS organisation, persons AS numerator,
       persons AS denominator
FROM population_cells
