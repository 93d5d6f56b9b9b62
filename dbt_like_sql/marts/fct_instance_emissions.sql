-- fct_instance_emissions
-- grain: instance (resource_id) × usage_date × application tag × source, for one billing month
-- purpose: Operational (IT energy × PUE × grid) and embodied (host manufacturing × time share × vCPU share) emissions of each compute instance per day, with every factor used and its source, so each kilogram can be recomputed by hand from this row. The table Power BI reads.
-- materialized: partitioned
WITH usage AS (
    SELECT *
    FROM intermediate.int_instance_usage_daily
    WHERE billing_month = getvariable('billing_month')
      AND unmapped_reason IS NULL
),

energy AS (
    SELECT
        *,
        instance_hours * vcpus AS vcpu_hours,
        -- CCF linear interpolation: W per vCPU at the average utilisation.
        cpu_min_watts_per_vcpu + cpu_utilisation * (cpu_max_watts_per_vcpu - cpu_min_watts_per_vcpu) AS cpu_watts_per_vcpu,
        instance_hours * memory_above_cpu_baseline_gb * memory_kwh_per_gb_hour AS memory_energy_kwh,
        host_embodied_kgco2e * (instance_hours / host_lifetime_hours) * (CAST(vcpus AS DOUBLE) / host_vcpus) AS embodied_kgco2e
    FROM usage
),

emissions AS (
    SELECT
        *,
        vcpu_hours * cpu_watts_per_vcpu / 1000 AS compute_energy_kwh,
        vcpu_hours * cpu_watts_per_vcpu / 1000 + memory_energy_kwh AS it_energy_kwh
    FROM energy
)

SELECT
    usage_date,
    billing_month,
    provider,
    billing_account_id,
    sub_account_id,
    region_id,
    resource_id,
    instance_type,
    application,
    source_name,
    line_count,
    instance_hours,
    vcpus,
    vcpu_hours,
    microarchitecture,
    cpu_min_watts_per_vcpu,
    cpu_max_watts_per_vcpu,
    cpu_utilisation,
    cpu_watts_per_vcpu,
    compute_energy_kwh,
    memory_above_cpu_baseline_gb,
    memory_kwh_per_gb_hour,
    memory_energy_kwh,
    it_energy_kwh,
    pue,
    grid_kgco2e_per_kwh,
    it_energy_kwh * pue * grid_kgco2e_per_kwh AS operational_kgco2e,
    host_embodied_kgco2e,
    host_vcpus,
    host_lifetime_hours,
    embodied_kgco2e,
    it_energy_kwh * pue * grid_kgco2e_per_kwh + embodied_kgco2e AS total_kgco2e,
    effective_cost,
    billed_cost,
    billing_currency,
    (SELECT name || '@' || version FROM seeds.factor_sets WHERE name = getvariable('factor_set')) AS factor_set,
    'physical' AS method,
    'compute: vCPU-h × (min W + utilisation × (max W − min W)) / 1000; memory: GB above CPU baseline × h × kWh/GB-h; operational: IT kWh × PUE × grid; embodied: host kgCO2e × h / lifetime h × vCPU / host vCPU' AS method_detail,
    pue_scope || ':' || pue_region_pattern || ':' || pue_year AS pue_factor_key,
    pue_source,
    region_id || ':' || grid_valid_from_year AS grid_factor_key,
    grid_source,
    instance_source,
    cpu_power_source
FROM emissions
