-- int_instance_type_factors
-- grain: provider × instance type, for the factor set in getvariable('factor_set')
-- purpose: The instance catalogue joined with the per-microarchitecture CPU power figures and the set's constants (utilisation, memory coefficient, host lifetime): everything an instance-hour needs, with the source of each figure.
-- materialized: view
WITH constants AS (
    SELECT
        max(CASE WHEN name = 'cpu_utilisation' THEN CAST(value AS DOUBLE) END) AS cpu_utilisation,
        max(CASE WHEN name = 'memory_kwh_per_gb_hour' THEN CAST(value AS DOUBLE) END) AS memory_kwh_per_gb_hour,
        max(CASE WHEN name = 'memory_vcpus_per_physical_chip' THEN CAST(value AS DOUBLE) END) AS memory_vcpus_per_physical_chip,
        max(CASE WHEN name = 'host_lifetime_years' THEN CAST(value AS DOUBLE) END) AS host_lifetime_years_default,
        max(CASE WHEN name = 'host_lifetime_years_aws' THEN CAST(value AS DOUBLE) END) AS host_lifetime_years_aws,
        max(CASE WHEN name = 'host_lifetime_years_azure' THEN CAST(value AS DOUBLE) END) AS host_lifetime_years_azure,
        max(CASE WHEN name = 'host_lifetime_years_gcp' THEN CAST(value AS DOUBLE) END) AS host_lifetime_years_gcp
    FROM seeds.constants
    WHERE factor_set = getvariable('factor_set')
)

SELECT
    lower(it.provider) AS provider,
    it.instance_type,
    CAST(it.vcpus AS INTEGER) AS vcpus,
    CAST(it.memory_gb AS DOUBLE) AS memory_gb,
    it.microarchitecture,
    CAST(it.host_vcpus AS INTEGER) AS host_vcpus,
    CAST(it.host_memory_gb AS DOUBLE) AS host_memory_gb,
    CAST(it.host_embodied_kgco2e AS DOUBLE) AS host_embodied_kgco2e,
    CAST(cp.min_watts_per_vcpu AS DOUBLE) AS cpu_min_watts_per_vcpu,
    CAST(cp.max_watts_per_vcpu AS DOUBLE) AS cpu_max_watts_per_vcpu,
    CAST(cp.memory_gb_per_chip AS DOUBLE) AS memory_gb_per_chip,
    TRY_CAST(cp.low_factor AS DOUBLE) AS cpu_power_low_factor,
    TRY_CAST(cp.high_factor AS DOUBLE) AS cpu_power_high_factor,
    c.cpu_utilisation,
    c.memory_kwh_per_gb_hour,
    -- Memory the CPU figure does not already include (CCF's approach): SPECpower hosts behind the
    -- CPU watts carry memory_gb_per_chip per chip, so only host memory above that baseline is
    -- counted, shared among instances by their memory. Chips: host vCPUs / vCPUs per chip, rounded up.
    CAST(it.memory_gb AS DOUBLE) / CAST(it.host_memory_gb AS DOUBLE) * greatest(
        CAST(it.host_memory_gb AS DOUBLE)
            - CAST(cp.memory_gb_per_chip AS DOUBLE) * ceil(CAST(it.host_vcpus AS DOUBLE) / c.memory_vcpus_per_physical_chip),
        0
    ) AS memory_above_cpu_baseline_gb,
    24 * 365 * coalesce(
        CASE lower(it.provider)
            WHEN 'aws' THEN c.host_lifetime_years_aws
            WHEN 'azure' THEN c.host_lifetime_years_azure
            WHEN 'gcp' THEN c.host_lifetime_years_gcp
        END,
        c.host_lifetime_years_default
    ) AS host_lifetime_hours,
    it.source AS instance_source,
    cp.source AS cpu_power_source
FROM seeds.instance_types AS it
LEFT JOIN seeds.cpu_power AS cp
  ON cp.factor_set = it.factor_set
 AND lower(cp.provider) = lower(it.provider)
 AND cp.microarchitecture = it.microarchitecture
CROSS JOIN constants AS c
WHERE it.factor_set = getvariable('factor_set')
