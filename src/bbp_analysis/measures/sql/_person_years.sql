-- Everyone registered and alive on 1 October of each financial year, with age on that date
SELECT
    py.*,
    b.age_band
FROM (
    SELECT
        p.*,
        f.fin_year,
        f.start_year - p.birth_year - CASE WHEN p.birth_month >= 10 THEN 1 ELSE 0 END AS age,
        p.imd_quintile_local AS imd_quintile
    FROM persons AS p
    JOIN fin_years AS f
        ON (p.registered_from IS NULL OR p.registered_from <= f.mid_date)
       AND (p.registered_to IS NULL OR p.registered_to > f.mid_date)
) AS py
JOIN age_bands AS b ON b.age = py.age
