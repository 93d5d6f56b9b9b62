-- int_region_factors
-- grain: billing month × provider × region × usage year (the regions and years the month's usage needs)
-- purpose: Resolves PUE and grid intensity for each region and year, once, with the fallback made explicit: a configuration override (region, else provider-wide) wins; otherwise the factor of the usage year, else the nearest earlier year, else the earliest later one; within the chosen year, PUE of the region, else its geography, else the provider's global figure. Each row keeps which factor row won (key, source) and its range.
-- materialized: partitioned
WITH needed AS (
    SELECT DISTINCT provider, region_id, year(usage_date) AS usage_year
    FROM intermediate.int_billing_usage_daily
    WHERE billing_month = getvariable('billing_month')
      AND carries_usage AND quarantine_reason IS NULL
      AND region_id IS NOT NULL AND usage_date IS NOT NULL
),

overrides AS (
    SELECT factor, lower(provider) AS provider, region_id, value, reason
    FROM seeds.config_overrides
    WHERE factor IN ('pue', 'grid_intensity')
),

-- The override that applies to each region and factor: the region's own, else the provider-wide one.
region_overrides AS (
    SELECT n.provider, n.region_id, n.usage_year, o.factor, o.value, o.region_id AS scope_region, o.reason
    FROM needed AS n
    JOIN overrides AS o
      ON o.provider = lower(n.provider) AND o.region_id IN (n.region_id, '*')
    QUALIFY row_number() OVER (PARTITION BY n.provider, n.region_id, n.usage_year, o.factor ORDER BY o.region_id = '*') = 1
),

pue_override AS (SELECT * FROM region_overrides WHERE factor = 'pue'),

grid_override AS (SELECT * FROM region_overrides WHERE factor = 'grid_intensity'),

pue AS (
    SELECT
        n.provider, n.region_id, n.usage_year,
        CAST(p.pue AS DOUBLE) AS pue,
        TRY_CAST(p.low AS DOUBLE) AS pue_low,
        TRY_CAST(p.high AS DOUBLE) AS pue_high,
        p.scope || ':' || p.region_pattern || ':' || p.year AS pue_factor_key,
        p.source AS pue_source
    FROM needed AS n
    JOIN seeds.pue AS p
      ON lower(p.provider) = lower(n.provider)
     AND n.region_id LIKE p.region_pattern
     AND p.factor_set_label = getvariable('factor_set_label')
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
        g.region_id || ':' || g.valid_from_year AS grid_factor_key,
        g.source AS grid_source
    FROM needed AS n
    JOIN seeds.grid_intensity AS g
      ON lower(g.provider) = lower(n.provider)
     AND g.region_id = n.region_id
     AND g.factor_set_label = getvariable('factor_set_label')
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
    coalesce(po.value, pue.pue) AS pue,
    CASE WHEN po.value IS NOT NULL THEN po.value ELSE coalesce(pue.pue_low, pue.pue) END AS pue_low,
    CASE WHEN po.value IS NOT NULL THEN po.value ELSE coalesce(pue.pue_high, pue.pue) END AS pue_high,
    CASE WHEN po.value IS NOT NULL THEN 'override:' || po.scope_region ELSE pue.pue_factor_key END AS pue_factor_key,
    CASE WHEN po.value IS NOT NULL THEN 'configuration override: ' || po.reason ELSE pue.pue_source END AS pue_source,
    coalesce(go.value, grid.grid_kgco2e_per_kwh) AS grid_kgco2e_per_kwh,
    CASE WHEN go.value IS NOT NULL THEN go.value ELSE coalesce(grid.grid_low, grid.grid_kgco2e_per_kwh) END AS grid_low,
    CASE WHEN go.value IS NOT NULL THEN go.value ELSE coalesce(grid.grid_high, grid.grid_kgco2e_per_kwh) END AS grid_high,
    grid.grid_market_kgco2e_per_kwh,
    CASE WHEN go.value IS NOT NULL THEN 'override:' || go.scope_region ELSE grid.grid_factor_key END AS grid_factor_key,
    CASE WHEN go.value IS NOT NULL THEN 'configuration override: ' || go.reason ELSE grid.grid_source END AS grid_source
FROM needed AS n
LEFT JOIN pue USING (provider, region_id, usage_year)
LEFT JOIN grid USING (provider, region_id, usage_year)
LEFT JOIN pue_override AS po USING (provider, region_id, usage_year)
LEFT JOIN grid_override AS go USING (provider, region_id, usage_year)
