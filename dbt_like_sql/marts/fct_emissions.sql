-- fct_emissions
-- grain: resource × usage_date × component (compute, memory, gpu, storage, network, embodied, spend_based) × usage type × application × source, for one billing month
-- purpose: The finest-grain fact every other emission mart aggregates. Each row says how it was computed (method, usage class, formula, the billed quantity and its conversion, the quantity and unit the coefficient applies to, the coefficient, replication, utilisation, PUE and grid with their factor keys, the usage and spend rules) so it can be redone by hand; the source of every figure is the seeds row its key names (`carbon-pipeline explain` prints them). It carries low/high bounds from the factors' published ranges (interval arithmetic, not a statistical interval). A line's cost sits on one row only (its primary component), so costs add up.
-- materialized: partitioned
WITH p AS (
    SELECT *
    FROM intermediate.int_physical_usage
    WHERE billing_month = getvariable('billing_month')
      AND unmapped_reason IS NULL
),

components AS (
    -- One pass: each line joins the components it has (a line has 1 to 4), and every component-specific
    -- column is a CASE on the component.
    SELECT
        p.*,
        c.component,
        CASE c.component
            WHEN 'compute' THEN usage_class <> 'fargate_memory'
            WHEN 'memory' THEN usage_class = 'fargate_memory'
            WHEN 'gpu' THEN false
            WHEN 'embodied' THEN false
            ELSE true
        END AS is_primary,
        CASE c.component
            -- (cpu_vcpu_scale is 1 except under a set that scales burstable vCPUs, as CCF does)
            WHEN 'compute' THEN CASE WHEN usage_class = 'instance' THEN model_quantity * vcpus * cpu_vcpu_scale ELSE serverless_vcpu_hours END
            WHEN 'memory' THEN CASE WHEN usage_class = 'instance' THEN model_quantity * memory_above_cpu_baseline_gb ELSE serverless_gb_hours END
            WHEN 'gpu' THEN model_quantity * gpu_count
            ELSE model_quantity
        END AS usage_quantity,
        CASE c.component
            WHEN 'compute' THEN 'vCPU-hours' WHEN 'memory' THEN 'GB-hours' WHEN 'gpu' THEN 'GPU-hours'
            WHEN 'storage' THEN 'GB-hours' WHEN 'network' THEN 'GB' ELSE 'instance-hours'
        END AS usage_unit,
        CASE c.component
            WHEN 'compute' THEN CASE WHEN usage_class = 'instance'
                THEN cpu_min_watts_per_vcpu + cpu_utilisation * (cpu_max_watts_per_vcpu - cpu_min_watts_per_vcpu)
                ELSE serverless_kwh_per_vcpu_hour END
            WHEN 'memory' THEN CASE WHEN usage_class = 'instance' THEN memory_kwh_per_gb_hour ELSE serverless_memory_kwh_per_gb_hour END
            WHEN 'gpu' THEN gpu_min_watts + cpu_utilisation * (gpu_max_watts - gpu_min_watts)
            WHEN 'storage' THEN storage_wh_per_tb_hour
            WHEN 'network' THEN network_kwh_per_gb
            ELSE host_embodied_kgco2e
        END AS coefficient,
        CASE c.component
            WHEN 'compute' THEN CASE WHEN usage_class = 'instance' THEN 'W per vCPU' ELSE 'kWh per vCPU-hour' END
            WHEN 'memory' THEN 'kWh per GB-hour' WHEN 'gpu' THEN 'W per GPU' WHEN 'storage' THEN 'Wh per TB-hour'
            WHEN 'network' THEN 'kWh per GB' ELSE 'kgCO2e per host'
        END AS coefficient_unit,
        CASE c.component
            WHEN 'compute' THEN compute_kwh WHEN 'memory' THEN memory_kwh WHEN 'gpu' THEN gpu_kwh
            WHEN 'storage' THEN storage_kwh WHEN 'network' THEN network_kwh ELSE 0
        END AS it_energy_kwh,
        CASE c.component
            WHEN 'compute' THEN compute_kwh * compute_low_factor WHEN 'memory' THEN memory_kwh WHEN 'gpu' THEN gpu_kwh
            WHEN 'storage' THEN storage_kwh WHEN 'network' THEN network_kwh * network_low_factor ELSE 0
        END AS it_energy_kwh_low,
        CASE c.component
            WHEN 'compute' THEN compute_kwh * compute_high_factor WHEN 'memory' THEN memory_kwh WHEN 'gpu' THEN gpu_kwh
            WHEN 'storage' THEN storage_kwh WHEN 'network' THEN network_kwh * network_high_factor ELSE 0
        END AS it_energy_kwh_high,
        CASE c.component
            WHEN 'compute' THEN CASE WHEN usage_class = 'instance'
                THEN 'vCPU-hours × (min W + utilisation × (max W − min W)) / 1000 × replication'
                ELSE 'vCPU-hours × kWh per vCPU-hour × replication' END
            WHEN 'memory' THEN CASE WHEN usage_class = 'instance'
                THEN 'instance-hours × GB above the CPU baseline × kWh per GB-hour × replication'
                ELSE 'GB-hours × kWh per GB-hour × replication' END
            WHEN 'gpu' THEN 'GPU-hours × (min W + utilisation × (max W − min W)) / 1000 × replication'
            WHEN 'storage' THEN 'GB-hours / 1000 × Wh per TB-hour / 1000 × replication'
            WHEN 'network' THEN 'GB × kWh per GB (' || network_scope || ')'
            ELSE 'host kgCO2e × instance-hours / lifetime hours × vCPUs / host vCPUs × replication'
        END AS formula
    FROM p
    JOIN (VALUES ('compute'), ('memory'), ('gpu'), ('storage'), ('network'), ('embodied')) AS c(component)
      ON CASE c.component
             WHEN 'compute' THEN p.compute_kwh IS NOT NULL
             WHEN 'memory' THEN p.memory_kwh IS NOT NULL
             WHEN 'gpu' THEN p.gpu_kwh IS NOT NULL
             WHEN 'storage' THEN p.storage_kwh IS NOT NULL
             WHEN 'network' THEN p.network_kwh IS NOT NULL
             ELSE p.embodied_kgco2e IS NOT NULL
         END
),

physical AS (
    SELECT
        usage_date, billing_month, provider, billing_account_id, sub_account_id, region_id, service_code,
        service_name, resource_id, model_instance_type AS instance_type, usage_type, application, source_name,
        component,
        'physical' AS method,
        usage_class,
        usage_quantity,
        usage_unit,
        coefficient,
        coefficient_unit,
        replication_factor,
        CASE WHEN is_primary THEN line_count ELSE 0 END AS line_count,
        it_energy_kwh,
        it_energy_kwh_low,
        it_energy_kwh_high,
        pue, pue_low, pue_high,
        grid_kgco2e_per_kwh, grid_low AS grid_kgco2e_per_kwh_low, grid_high AS grid_kgco2e_per_kwh_high,
        it_energy_kwh * pue * grid_kgco2e_per_kwh AS operational_kgco2e,
        it_energy_kwh_low * pue_low * grid_low AS operational_kgco2e_low,
        it_energy_kwh_high * pue_high * grid_high AS operational_kgco2e_high,
        CASE WHEN component = 'embodied' THEN embodied_kgco2e ELSE 0 END AS embodied_kgco2e,
        CASE WHEN component = 'embodied' THEN embodied_kgco2e_low ELSE 0 END AS embodied_kgco2e_low,
        CASE WHEN component = 'embodied' THEN embodied_kgco2e_high ELSE 0 END AS embodied_kgco2e_high,
        CASE WHEN is_primary THEN effective_cost ELSE 0 END AS effective_cost,
        CASE WHEN is_primary THEN billed_cost ELSE 0 END AS billed_cost,
        billing_currency,
        formula,
        pue_factor_key,
        grid_factor_key,
        -- The factors used, as values and keys (sources: the seeds rows these keys name; see `explain`).
        consumed_quantity AS billed_quantity,
        consumed_unit AS billed_unit,
        unit_multiplier,
        unit_month_hours,
        usage_rule,
        storage_media,
        network_scope,
        replication_constant,
        CASE WHEN usage_class = 'instance' THEN cpu_utilisation END AS cpu_utilisation,
        CASE WHEN usage_class = 'instance' THEN is_burstable END AS is_burstable,
        microarchitecture,
        vcpus,
        host_vcpus,
        memory_above_cpu_baseline_gb,
        gpu_count,
        gpu_model,
        host_embodied_kgco2e,
        host_lifetime_hours,
        NULL AS spend_category,
        NULL AS spend_rule,
        NULL AS eur_per_unit,
        NULL AS fx_key,
        NULL AS physical_issue
    FROM components
),

spend AS (
    SELECT
        usage_date, billing_month, provider, billing_account_id, sub_account_id, region_id, service_code,
        service_name, resource_id, instance_type, usage_type, application, source_name,
        'spend_based' AS component,
        'spend_based' AS method,
        NULL AS usage_class,
        effective_cost_eur AS usage_quantity,
        'EUR' AS usage_unit,
        kgco2e_per_keur AS coefficient,
        'kgCO2e per k€ excl. VAT' AS coefficient_unit,
        1 AS replication_factor,
        line_count,
        0 AS it_energy_kwh, 0 AS it_energy_kwh_low, 0 AS it_energy_kwh_high,
        NULL AS pue, NULL AS pue_low, NULL AS pue_high,
        NULL AS grid_kgco2e_per_kwh, NULL AS grid_kgco2e_per_kwh_low, NULL AS grid_kgco2e_per_kwh_high,
        NULL AS operational_kgco2e, NULL AS operational_kgco2e_low, NULL AS operational_kgco2e_high,
        NULL AS embodied_kgco2e, NULL AS embodied_kgco2e_low, NULL AS embodied_kgco2e_high,
        effective_cost,
        billed_cost,
        billing_currency,
        'effective cost × EUR per ' || billing_currency || ' / 1000 × kgCO2e per k€' AS formula,
        NULL AS pue_factor_key,
        NULL AS grid_factor_key,
        consumed_quantity AS billed_quantity,
        consumed_unit AS billed_unit,
        NULL AS unit_multiplier,
        NULL AS unit_month_hours,
        NULL AS usage_rule,
        NULL AS storage_media,
        NULL AS network_scope,
        NULL AS replication_constant,
        NULL AS cpu_utilisation,
        NULL AS is_burstable,
        NULL AS microarchitecture,
        NULL AS vcpus,
        NULL AS host_vcpus,
        NULL AS memory_above_cpu_baseline_gb,
        NULL AS gpu_count,
        NULL AS gpu_model,
        NULL AS host_embodied_kgco2e,
        NULL AS host_lifetime_hours,
        spend_category,
        spend_rule,
        eur_per_unit,
        fx_key,
        physical_issue,
        effective_cost_eur / 1000 * kgco2e_per_keur AS spend_kgco2e,
        effective_cost_eur / 1000 * ratio_low AS spend_kgco2e_low,
        effective_cost_eur / 1000 * ratio_high AS spend_kgco2e_high
    FROM intermediate.int_spend_based
    WHERE billing_month = getvariable('billing_month')
      AND spend_status = 'spend_based'
)

SELECT
    * EXCLUDE (spend_kgco2e, spend_kgco2e_low, spend_kgco2e_high),
    coalesce(spend_kgco2e, operational_kgco2e + embodied_kgco2e) AS total_kgco2e,
    coalesce(spend_kgco2e_low, operational_kgco2e_low + embodied_kgco2e_low) AS total_kgco2e_low,
    coalesce(spend_kgco2e_high, operational_kgco2e_high + embodied_kgco2e_high) AS total_kgco2e_high,
    getvariable('factor_set_label') AS factor_set
FROM (
    SELECT *, NULL::DOUBLE AS spend_kgco2e, NULL::DOUBLE AS spend_kgco2e_low, NULL::DOUBLE AS spend_kgco2e_high FROM physical
    UNION ALL BY NAME
    SELECT * FROM spend
)
