-- int_factor_constants
-- grain: one row per constant name of the factor set in getvariable('factor_set_label')
-- purpose: The set's scalar constants (utilisation, memory and storage coefficients, replication factors, network and serverless coefficients, host lifetimes) as numbers with their range and source. The configuration's per-provider lifetime and utilisation overrides appear as host_lifetime_years_<provider> / cpu_utilisation_<provider>, replacing the set's figure and saying so in the source.
-- materialized: view
WITH overridden AS (
    SELECT 'host_lifetime_years_' || lower(provider) AS name, value, 'years' AS unit, reason
    FROM seeds.config_overrides
    WHERE factor = 'host_lifetime_years'
    UNION ALL
    SELECT 'cpu_utilisation_' || lower(provider) AS name, value, 'ratio' AS unit, reason
    FROM seeds.config_overrides
    WHERE factor = 'cpu_utilisation'
)

SELECT
    c.name,
    TRY_CAST(c.value AS DOUBLE) AS value,
    TRY_CAST(c.low AS DOUBLE) AS low,
    TRY_CAST(c.high AS DOUBLE) AS high,
    c.unit,
    c.source
FROM seeds.constants AS c
WHERE c.factor_set_label = getvariable('factor_set_label')
  AND c.name NOT IN (SELECT name FROM overridden)

UNION ALL

SELECT
    o.name,
    o.value,
    NULL AS low,
    NULL AS high,
    o.unit,
    'configuration override: ' || o.reason AS source
FROM overridden AS o
