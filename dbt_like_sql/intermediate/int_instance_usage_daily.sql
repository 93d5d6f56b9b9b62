-- int_instance_usage_daily
-- grain: billing month × source × account × region × resource × instance type × usage_date × application
-- purpose: Instance-hours per instance and day with every factor the emission model needs attached, or the reason none could be (unknown instance type, region, unit). Lines are never dropped here: unmapped ones carry unmapped_reason and their cost.
-- materialized: partitioned
WITH usage AS (
    SELECT
        billing_month, source_name, provider, billing_account_id, sub_account_id, region_id,
        resource_id, instance_type, usage_date, application, billing_currency, consumed_unit,
        sum(line_count) AS line_count,
        sum(consumed_quantity) AS instance_hours,
        sum(billed_cost) AS billed_cost,
        sum(effective_cost) AS effective_cost
    FROM intermediate.int_billing_usage_daily
    WHERE billing_month = getvariable('billing_month')
      AND quarantine_reason IS NULL
      AND carries_usage
      AND is_instance_usage
    GROUP BY ALL
)

SELECT
    u.*,
    f.vcpus,
    f.memory_gb,
    f.microarchitecture,
    f.host_vcpus,
    f.cpu_min_watts_per_vcpu,
    f.cpu_max_watts_per_vcpu,
    f.cpu_power_low_factor,
    f.cpu_power_high_factor,
    f.cpu_utilisation,
    f.memory_above_cpu_baseline_gb,
    f.memory_kwh_per_gb_hour,
    f.host_embodied_kgco2e,
    f.host_lifetime_hours,
    f.instance_source,
    f.cpu_power_source,
    r.pue, r.pue_low, r.pue_high, r.pue_scope, r.pue_region_pattern, r.pue_year, r.pue_source,
    r.grid_kgco2e_per_kwh, r.grid_low, r.grid_high, r.grid_market_kgco2e_per_kwh,
    r.grid_valid_from_year, r.grid_source,
    CASE
        WHEN u.consumed_unit IS DISTINCT FROM 'Hrs' THEN 'unit ' || coalesce(u.consumed_unit, '(empty)') || ' is not instance hours (Hrs)'
        WHEN u.instance_type IS NULL THEN 'no instance type on the line'
        WHEN f.instance_type IS NULL THEN 'instance type ' || u.instance_type || ' is not in the factor set''s instance catalogue'
        WHEN f.cpu_min_watts_per_vcpu IS NULL THEN 'microarchitecture ' || coalesce(f.microarchitecture, '(unknown)') || ' of ' || u.instance_type || ' has no CPU power figure'
        WHEN u.region_id IS NULL THEN 'no region on the line'
        WHEN r.pue IS NULL THEN 'region ' || u.region_id || ' has no PUE in the factor set'
        WHEN r.grid_kgco2e_per_kwh IS NULL THEN 'region ' || u.region_id || ' has no grid intensity in the factor set'
    END AS unmapped_reason
FROM usage AS u
LEFT JOIN intermediate.int_instance_type_factors AS f
  ON f.provider = lower(u.provider) AND f.instance_type = u.instance_type
LEFT JOIN intermediate.int_region_factors AS r
  ON r.billing_month = u.billing_month
 AND r.provider = u.provider
 AND r.region_id = u.region_id
 AND r.usage_year = year(u.usage_date)
