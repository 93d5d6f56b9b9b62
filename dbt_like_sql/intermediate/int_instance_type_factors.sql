-- int_instance_type_factors
-- grain: provider × instance type, for the factor set in getvariable('factor_set_label')
-- purpose: The instance catalogue joined with CPU power by microarchitecture, GPU power by GPU model and the set's constants (utilisation, burstable baselines, memory coefficient, host lifetime): everything an instance-hour needs, with the source of each figure.
-- materialized: view
WITH k AS (
    SELECT
        max(CASE WHEN name = 'cpu_utilisation' THEN value END) AS cpu_utilisation,
        max(CASE WHEN name = 'memory_kwh_per_gb_hour' THEN value END) AS memory_kwh_per_gb_hour,
        max(CASE WHEN name = 'memory_vcpus_per_physical_chip' THEN value END) AS memory_vcpus_per_physical_chip,
        coalesce(max(CASE WHEN name = 'memory_excess_per_chip' THEN value END), 0) AS memory_excess_per_chip,
        coalesce(max(CASE WHEN name = 'burstable_memory_excluded' THEN value END), 0) AS burstable_memory_excluded,
        coalesce(max(CASE WHEN name = 'burstable_vcpu_scaling' THEN value END), 0) AS burstable_vcpu_scaling,
        max(CASE WHEN name = 'host_lifetime_years' THEN value END) AS lifetime_default,
        max(CASE WHEN name = 'host_lifetime_years' THEN low END) AS lifetime_default_low,
        max(CASE WHEN name = 'host_lifetime_years' THEN high END) AS lifetime_default_high,
        max(CASE WHEN name = 'hours_per_year' THEN value END) AS hours_per_year
    FROM intermediate.int_factor_constants
),

lifetimes AS (
    SELECT replace(name, 'host_lifetime_years_', '') AS provider, value, low, high, source
    FROM intermediate.int_factor_constants
    WHERE name LIKE 'host_lifetime_years\_%' ESCAPE '\'
),

burstable AS (
    SELECT regexp_extract(name, 'burstable_baseline_utilisation_(.+)$', 1) AS instance_type, value
    FROM intermediate.int_factor_constants
    WHERE name LIKE '%burstable_baseline_utilisation_%'
),

utilisation AS (
    SELECT replace(name, 'cpu_utilisation_', '') AS provider, value
    FROM intermediate.int_factor_constants
    WHERE name LIKE 'cpu\_utilisation\_%' ESCAPE '\'
),

chips AS (
    SELECT regexp_extract(name, 'memory_physical_chips_(.+)$', 1) AS family, value
    FROM intermediate.int_factor_constants
    WHERE name LIKE 'memory_physical_chips_%'
)

SELECT
    lower(it.provider) AS provider,
    it.instance_type,
    CAST(it.vcpus AS DOUBLE) AS vcpus,
    CAST(it.memory_gb AS DOUBLE) AS memory_gb,
    it.microarchitecture,
    CAST(it.host_vcpus AS DOUBLE) AS host_vcpus,
    CAST(it.host_memory_gb AS DOUBLE) AS host_memory_gb,
    CAST(it.host_embodied_kgco2e AS DOUBLE) AS host_embodied_kgco2e,
    coalesce(TRY_CAST(it.gpu_count AS DOUBLE), 0) AS gpu_count,
    nullif(it.gpu_model, '') AS gpu_model,
    CAST(cp.min_watts_per_vcpu AS DOUBLE) AS cpu_min_watts_per_vcpu,
    CAST(cp.max_watts_per_vcpu AS DOUBLE) AS cpu_max_watts_per_vcpu,
    CAST(cp.memory_gb_per_chip AS DOUBLE) AS memory_gb_per_chip,
    coalesce(TRY_CAST(cp.low_factor AS DOUBLE), 1) AS cpu_power_low_factor,
    coalesce(TRY_CAST(cp.high_factor AS DOUBLE), 1) AS cpu_power_high_factor,
    TRY_CAST(gp.min_watts AS DOUBLE) AS gpu_min_watts,
    TRY_CAST(gp.max_watts AS DOUBLE) AS gpu_max_watts,
    -- A configured utilisation wins; burstable types run around their baseline, which the set may give per type; else the set's average.
    -- With burstable_vcpu_scaling (CCF's method, CostAndUsageReportsRow.getBurstableInstanceVCPu) a burstable type
    -- runs at the set's utilisation instead, on vCPUs scaled by baseline / utilisation (cpu_vcpu_scale).
    CASE WHEN k.burstable_vcpu_scaling = 1 AND b.value IS NOT NULL THEN coalesce(ut.value, k.cpu_utilisation)
         ELSE coalesce(ut.value, b.value, k.cpu_utilisation) END AS cpu_utilisation,
    CASE WHEN k.burstable_vcpu_scaling = 1 AND b.value IS NOT NULL THEN b.value / coalesce(ut.value, k.cpu_utilisation)
         ELSE 1 END AS cpu_vcpu_scale,
    b.value IS NOT NULL AS is_burstable,
    k.memory_kwh_per_gb_hour,
    -- Memory the CPU figure does not already include (CCF's approach): SPECpower hosts behind the
    -- CPU watts carry memory_gb_per_chip per chip, so only host memory above that baseline is
    -- counted, shared among instances by their memory. With memory_excess_per_chip (CCF's own
    -- arithmetic) the excess is taken per chip and not multiplied back by the number of chips.
    CASE WHEN k.burstable_memory_excluded = 1 AND b.value IS NOT NULL THEN 0
    ELSE
        CAST(it.memory_gb AS DOUBLE) / CAST(it.host_memory_gb AS DOUBLE) * greatest(
            CAST(it.host_memory_gb AS DOUBLE)
                - CAST(cp.memory_gb_per_chip AS DOUBLE)
                  * coalesce(ch.value, ceil(CAST(it.host_vcpus AS DOUBLE) / k.memory_vcpus_per_physical_chip)),
            0
        ) / CASE WHEN k.memory_excess_per_chip = 1
                 THEN coalesce(ch.value, ceil(CAST(it.host_vcpus AS DOUBLE) / k.memory_vcpus_per_physical_chip))
                 ELSE 1 END
    END AS memory_above_cpu_baseline_gb,
    coalesce(l.value, k.lifetime_default) * k.hours_per_year AS host_lifetime_hours,
    CASE WHEN l.value IS NOT NULL THEN coalesce(l.low, l.value) ELSE coalesce(k.lifetime_default_low, k.lifetime_default) END
        * k.hours_per_year AS host_lifetime_hours_low,
    CASE WHEN l.value IS NOT NULL THEN coalesce(l.high, l.value) ELSE coalesce(k.lifetime_default_high, k.lifetime_default) END
        * k.hours_per_year AS host_lifetime_hours_high,
    coalesce(l.source, 'constants: host_lifetime_years') AS lifetime_source,
    it.source AS instance_source,
    cp.source AS cpu_power_source,
    gp.source AS gpu_power_source
FROM seeds.instance_types AS it
CROSS JOIN k
LEFT JOIN seeds.cpu_power AS cp
  ON cp.factor_set_label = it.factor_set_label
 AND lower(cp.provider) = lower(it.provider)
 AND cp.microarchitecture = it.microarchitecture
LEFT JOIN seeds.gpu_power AS gp
  ON gp.factor_set_label = it.factor_set_label
 AND gp.gpu_model = it.gpu_model
LEFT JOIN lifetimes AS l ON l.provider = lower(it.provider)
LEFT JOIN burstable AS b ON b.instance_type = it.instance_type
LEFT JOIN utilisation AS ut ON ut.provider = lower(it.provider)
LEFT JOIN chips AS ch ON ch.family = split_part(it.instance_type, '.', 1)
WHERE it.factor_set_label = getvariable('factor_set_label')
