-- int_region_factors
-- grain: billing month × provider × region × usage year (the regions and years the month's usage needs)
-- purpose: Resolves PUE and grid intensity for each region and year, once, with the fallback made explicit: the factor of the usage year, else the nearest earlier year, else the earliest later one; within the chosen year, PUE of the region, else its geography, else the provider's global figure. Each row keeps which factor row won (scope, pattern, year, source).
-- materialized: partitioned
WITH needed AS (
    SELECT DISTINCT provider, region_id, year(usage_date) AS usage_year
    FROM intermediate.int_billing_usage_daily
    WHERE billing_month = getvariable('billing_month')
      AND carries_usage AND quarantine_reason IS NULL
      AND region_id IS NOT NULL AND usage_date IS NOT NULL
),

pue AS (
    SELECT
        n.provider, n.region_id, n.usage_year,
        CAST(p.pue AS DOUBLE) AS pue,
        TRY_CAST(p.low AS DOUBLE) AS pue_low,
        TRY_CAST(p.high AS DOUBLE) AS pue_high,
        p.scope AS pue_scope,
        p.region_pattern AS pue_region_pattern,
        CAST(p.year AS INTEGER) AS pue_year,
        p.source AS pue_source
    FROM needed AS n
    JOIN seeds.pue AS p
      ON lower(p.provider) = lower(n.provider)
     AND n.region_id LIKE p.region_pattern
     AND p.factor_set = getvariable('factor_set')
    QUALIFY row_number() OVER (
        PARTITION BY n.provider, n.region_id, n.usage_year
        ORDER BY
            CASE WHEN CAST(p.year AS INTEGER) <= n.usage_year THEN n.usage_year - CAST(p.year AS INTEGER)
                 ELSE 1000 + CAST(p.year AS INTEGER) - n.usage_year END,
            CASE p.scope WHEN 'region' THEN 0 WHEN 'geography' THEN 1 ELSE 2 END,
            length(p.region_pattern) DESC
    ) = 1
),

grid AS (
    SELECT
        n.provider, n.region_id, n.usage_year,
        CAST(g.kgco2e_per_kwh AS DOUBLE) AS grid_kgco2e_per_kwh,
        TRY_CAST(g.low AS DOUBLE) AS grid_low,
        TRY_CAST(g.high AS DOUBLE) AS grid_high,
        TRY_CAST(g.kgco2e_per_kwh_market AS DOUBLE) AS grid_market_kgco2e_per_kwh,
        CAST(g.valid_from_year AS INTEGER) AS grid_valid_from_year,
        TRY_CAST(g.valid_to_year AS INTEGER) AS grid_valid_to_year,
        g.source AS grid_source
    FROM needed AS n
    JOIN seeds.grid_intensity AS g
      ON lower(g.provider) = lower(n.provider)
     AND g.region_id = n.region_id
     AND g.factor_set = getvariable('factor_set')
    QUALIFY row_number() OVER (
        PARTITION BY n.provider, n.region_id, n.usage_year
        ORDER BY
            CASE
                WHEN n.usage_year BETWEEN CAST(g.valid_from_year AS INTEGER)
                     AND coalesce(TRY_CAST(g.valid_to_year AS INTEGER), 9999) THEN 0
                WHEN coalesce(TRY_CAST(g.valid_to_year AS INTEGER), 9999) < n.usage_year
                     THEN n.usage_year - coalesce(TRY_CAST(g.valid_to_year AS INTEGER), 9999)
                ELSE 1000 + CAST(g.valid_from_year AS INTEGER) - n.usage_year
            END,
            CAST(g.valid_from_year AS INTEGER) DESC
    ) = 1
)

SELECT
    getvariable('billing_month') AS billing_month,
    n.provider,
    n.region_id,
    n.usage_year,
    pue.* EXCLUDE (provider, region_id, usage_year),
    grid.* EXCLUDE (provider, region_id, usage_year)
FROM needed AS n
LEFT JOIN pue USING (provider, region_id, usage_year)
LEFT JOIN grid USING (provider, region_id, usage_year)
