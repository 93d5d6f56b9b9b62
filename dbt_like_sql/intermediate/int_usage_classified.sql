-- int_usage_classified
-- grain: one row per valid row of int_billing_usage_daily (quarantined lines are excluded: they have their own mart)
-- purpose: Decides, for every line, which physical model applies (instance, storage, network, lambda, Fargate) from the factor set's usage_classes rules, and converts its billed quantity to the model's unit with the set's units table (GB-Mo × hours of the billing month, ByteHrs ÷ 2^30, GB-seconds ÷ 3600…). A line with no rule, a no_physical_model rule, an unknown unit or a unit that does not fit its class keeps the reason in classification_issue: never a silent zero.
-- materialized: partitioned
WITH lines AS (
    SELECT *
    FROM intermediate.int_billing_usage_daily
    WHERE billing_month = getvariable('billing_month')
      AND quarantine_reason IS NULL
),

rules AS (
    SELECT *, TRY_CAST(priority AS INTEGER) AS rank
    FROM seeds.usage_classes
    WHERE factor_set_label = getvariable('factor_set_label')
),

-- Rules are matched once per distinct (service, usage type, unit), not once per line.
combos AS (
    SELECT DISTINCT provider, service_code, usage_type, consumed_unit
    FROM lines
    WHERE carries_usage
),

classified AS (
    SELECT
        c.provider, c.service_code, c.usage_type, c.consumed_unit,
        r.usage_class,
        nullif(r.instance_type_regex, '') AS instance_type_regex,
        nullif(r.storage_media, '') AS storage_media,
        nullif(r.replication_constant, '') AS replication_constant,
        nullif(r.network_scope, '') AS network_scope,
        r.provider || '|' || r.service_code || '|' || r.usage_type_regex || '|' || r.unit AS usage_rule
    FROM combos AS c
    JOIN rules AS r
      ON lower(r.provider) = lower(c.provider)
     AND (r.service_code = '*' OR r.service_code = c.service_code)
     AND (r.unit = '*' OR r.unit = c.consumed_unit)
     AND regexp_matches(coalesce(c.usage_type, ''), r.usage_type_regex)
    QUALIFY row_number() OVER (
        PARTITION BY c.provider, c.service_code, c.usage_type, c.consumed_unit ORDER BY r.rank, r.usage_type_regex
    ) = 1
),

units AS (
    SELECT
        unit,
        canonical_unit,
        CAST(multiplier AS DOUBLE) AS multiplier,
        lower(month_hours) IN ('true', '1', 'yes') AS month_hours
    FROM seeds.units
    WHERE factor_set_label = getvariable('factor_set_label')
),

expected AS (
    -- The units each model accepts. Fargate is billed per vCPU or per GB in plain `hours` in real
    -- CURs, and older CURs bill Lambda GB-seconds as `seconds`: the quantity is then already per GB.
    SELECT * FROM (VALUES
        ('instance', ['hours']), ('storage', ['GB-hours']), ('network', ['GB']),
        ('lambda', ['GB-hours', 'hours']), ('fargate_vcpu', ['vCPU-hours', 'hours']),
        ('fargate_memory', ['GB-hours', 'hours'])
    ) AS t(usage_class, canonical_units)
),

joined AS (
    SELECT
        l.*,
        k.usage_class,
        k.usage_rule,
        k.storage_media,
        k.replication_constant,
        k.network_scope,
        -- Managed-service sizes are sometimes abbreviated in usage types (db.r5.12xl): normalised to xlarge.
        regexp_replace(
            CASE
                WHEN k.usage_class = 'instance' AND k.instance_type_regex IS NOT NULL
                    THEN nullif(regexp_extract(l.usage_type, k.instance_type_regex, 1), '')
                ELSE l.instance_type
            END,
            '([0-9]*)xl$', '\1xlarge'
        ) AS model_instance_type,
        u.canonical_unit,
        u.multiplier AS unit_multiplier,
        CASE WHEN u.month_hours
             THEN 24 * day(last_day(CAST(l.billing_month || '-01' AS DATE))) ELSE 1 END AS unit_month_hours,
        e.canonical_units AS expected_units
    FROM lines AS l
    LEFT JOIN classified AS k
      ON k.provider IS NOT DISTINCT FROM l.provider
     AND k.service_code IS NOT DISTINCT FROM l.service_code
     AND k.usage_type IS NOT DISTINCT FROM l.usage_type
     AND k.consumed_unit IS NOT DISTINCT FROM l.consumed_unit
     AND l.carries_usage
    LEFT JOIN units AS u ON u.unit = l.consumed_unit
    LEFT JOIN expected AS e ON e.usage_class = k.usage_class
)

SELECT
    * EXCLUDE (expected_units),
    consumed_quantity * unit_multiplier * unit_month_hours AS model_quantity,
    CASE
        WHEN NOT carries_usage THEN 'no physical usage on a ' || coalesce(line_item_type, '?') || ' line'
        WHEN usage_class IS NULL THEN 'no usage class rule for ' || coalesce(service_code, '?') || ' ' || coalesce(usage_type, '?')
        WHEN usage_class = 'no_physical_model' THEN 'no physical model for ' || coalesce(service_code, '?') || ' ' || coalesce(usage_type, '?') || ' (rule ' || usage_rule || ')'
        WHEN canonical_unit IS NULL THEN 'unit ' || coalesce(consumed_unit, '(empty)') || ' is not in the units table'
        WHEN NOT list_contains(expected_units, canonical_unit)
            THEN 'unit ' || consumed_unit || ' converts to ' || canonical_unit || ', but ' || usage_class || ' usage needs ' || array_to_string(expected_units, ' or ')
        WHEN usage_class = 'instance' AND model_instance_type IS NULL THEN 'no instance type on the line'
    END AS classification_issue
FROM joined
