-- Each practice's PCN and borough, one row per practice (the contract: a practice has one PCN and one borough throughout the extract), from the register and the GP Patient Survey: the roll-up sums the cells of a measure reported by practice to PCNs and boroughs through it
-- materialize: table
SELECT practice_code, pcn_name, borough_code FROM persons
UNION
SELECT practice_code, pcn_name, borough_code FROM gpps_responses
