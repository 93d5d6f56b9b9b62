-- fct_instance_emissions
-- grain: instance (resource_id) × usage_date × application tag × source, for one billing month (EC2 and managed-service instances)
-- purpose: The per-instance view BI reads, as an aggregate of marts.fct_emissions (compute, memory, GPU and embodied rows of usage class 'instance'), so it always agrees with the finest-grain fact. Operational = IT energy × PUE × grid; embodied = host manufacturing × time share × vCPU share.
-- materialized: partitioned
SELECT
    usage_date,
    billing_month,
    provider,
    billing_account_id,
    sub_account_id,
    region_id,
    service_code,
    resource_id,
    instance_type,
    application,
    source_name,
    billing_currency,
    factor_set,
    'physical' AS method,
    sum(line_count) AS line_count,
    sum(usage_quantity) FILTER (WHERE component = 'embodied') AS instance_hours,
    sum(usage_quantity) FILTER (WHERE component = 'compute') AS vcpu_hours,
    coalesce(sum(it_energy_kwh) FILTER (WHERE component = 'compute'), 0) AS compute_energy_kwh,
    coalesce(sum(it_energy_kwh) FILTER (WHERE component = 'memory'), 0) AS memory_energy_kwh,
    coalesce(sum(it_energy_kwh) FILTER (WHERE component = 'gpu'), 0) AS gpu_energy_kwh,
    sum(it_energy_kwh) AS it_energy_kwh,
    any_value(pue) FILTER (WHERE component = 'compute') AS pue,
    any_value(grid_kgco2e_per_kwh) FILTER (WHERE component = 'compute') AS grid_kgco2e_per_kwh,
    sum(operational_kgco2e) AS operational_kgco2e,
    sum(embodied_kgco2e) AS embodied_kgco2e,
    sum(total_kgco2e) AS total_kgco2e,
    sum(total_kgco2e_low) AS total_kgco2e_low,
    sum(total_kgco2e_high) AS total_kgco2e_high,
    sum(effective_cost) AS effective_cost,
    sum(billed_cost) AS billed_cost,
    any_value(pue_factor_key) FILTER (WHERE component = 'compute') AS pue_factor_key,
    any_value(grid_factor_key) FILTER (WHERE component = 'compute') AS grid_factor_key,
    any_value(microarchitecture) FILTER (WHERE component = 'compute') AS microarchitecture,
    any_value(cpu_utilisation) FILTER (WHERE component = 'compute') AS cpu_utilisation
FROM marts.fct_emissions
WHERE billing_month = getvariable('billing_month')
  AND usage_class = 'instance'
GROUP BY ALL
