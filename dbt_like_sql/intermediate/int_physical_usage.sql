-- int_physical_usage
-- grain: one row per classified usage line of int_usage_classified that has a physical model
-- purpose: Attaches every factor the line's model needs (instance catalogue, CPU and GPU power, memory, storage and network coefficients, replication, serverless coefficients, PUE and grid of its region and year) and computes its IT energy per component and its embodied emissions, each with low/high bounds from the factors' ranges. A line whose factors are missing keeps unmapped_reason and no energy.
-- materialized: partitioned
WITH usage AS (
    SELECT *
    FROM intermediate.int_usage_classified
    WHERE billing_month = getvariable('billing_month')
      AND classification_issue IS NULL
),

-- A managed-service type the catalogue does not list (db.m6i.large) falls back to the EC2 type it
-- runs on (m6i.large), which is how CCF and the providers size them.
catalogue_types AS (
    SELECT
        t.provider, t.model_instance_type,
        coalesce(exact.instance_type, ec2.instance_type) AS catalogue_type
    FROM (SELECT DISTINCT provider, model_instance_type FROM usage WHERE usage_class = 'instance') AS t
    LEFT JOIN intermediate.int_instance_type_factors AS exact
      ON exact.provider = lower(t.provider) AND exact.instance_type = t.model_instance_type
    LEFT JOIN intermediate.int_instance_type_factors AS ec2
      ON ec2.provider = lower(t.provider)
     AND ec2.instance_type = regexp_replace(regexp_replace(t.model_instance_type, '^(db|cache)\.', ''), '\.(search|elasticsearch)$', '')
),

k AS (
    SELECT
        max(CASE WHEN name = 'ssd_wh_per_tb_hour' THEN value END) AS ssd_wh_per_tb_hour,
        max(CASE WHEN name = 'hdd_wh_per_tb_hour' THEN value END) AS hdd_wh_per_tb_hour,
        max(CASE WHEN name = 'network_internet_kwh_per_gb' THEN value END) AS network_internet_kwh_per_gb,
        max(CASE WHEN name = 'network_inter_region_kwh_per_gb' THEN value END) AS network_inter_region_kwh_per_gb,
        max(CASE WHEN name = 'network_intra_region_kwh_per_gb' THEN value END) AS network_intra_region_kwh_per_gb,
        max(CASE WHEN name = 'network_internet_kwh_per_gb' THEN coalesce(low, value) END) AS network_internet_low,
        max(CASE WHEN name = 'network_internet_kwh_per_gb' THEN coalesce(high, value) END) AS network_internet_high,
        max(CASE WHEN name = 'network_inter_region_kwh_per_gb' THEN coalesce(low, value) END) AS network_inter_region_low,
        max(CASE WHEN name = 'network_inter_region_kwh_per_gb' THEN coalesce(high, value) END) AS network_inter_region_high,
        max(CASE WHEN name = 'network_intra_region_kwh_per_gb' THEN coalesce(low, value) END) AS network_intra_region_low,
        max(CASE WHEN name = 'network_intra_region_kwh_per_gb' THEN coalesce(high, value) END) AS network_intra_region_high,
        max(CASE WHEN name = 'serverless_memory_kwh_per_gb_hour' THEN value END) AS serverless_memory_kwh_per_gb_hour,
        max(CASE WHEN name = 'serverless_x86_kwh_per_vcpu_hour' THEN value END) AS serverless_x86_kwh_per_vcpu_hour,
        max(CASE WHEN name = 'serverless_arm_kwh_per_vcpu_hour' THEN value END) AS serverless_arm_kwh_per_vcpu_hour,
        max(CASE WHEN name = 'lambda_mb_per_vcpu' THEN value END) AS lambda_mb_per_vcpu,
        -- Optional Lambda-only coefficients (the ccf set: CCF's Graviton2 for Arm functions, CCF's memory
        -- coefficient for their memory); absent from a set, Lambda uses the serverless_* coefficients.
        max(CASE WHEN name = 'lambda_arm_kwh_per_vcpu_hour' THEN value END) AS lambda_arm_kwh_per_vcpu_hour,
        max(CASE WHEN name = 'lambda_memory_kwh_per_gb_hour' THEN value END) AS lambda_memory_kwh_per_gb_hour
    FROM intermediate.int_factor_constants
),

factored AS (
    SELECT
        u.*,
        coalesce(rep.value, 1) AS replication_factor,
        f.vcpus, f.memory_gb, f.microarchitecture, f.host_vcpus, f.host_embodied_kgco2e,
        f.cpu_min_watts_per_vcpu, f.cpu_max_watts_per_vcpu, f.cpu_power_low_factor, f.cpu_power_high_factor,
        f.cpu_utilisation, f.cpu_vcpu_scale, f.is_burstable, f.memory_above_cpu_baseline_gb, f.memory_kwh_per_gb_hour,
        f.gpu_count, f.gpu_model, f.gpu_min_watts, f.gpu_max_watts,
        f.host_lifetime_hours, f.host_lifetime_hours_low, f.host_lifetime_hours_high,
        f.instance_type AS catalogue_instance_type,
        -- Factor values and keys only: their sources are resolved once per key in marts.dim_factors,
        -- not copied onto every line.
        r.pue, r.pue_low, r.pue_high, r.pue_factor_key,
        r.grid_kgco2e_per_kwh, r.grid_low, r.grid_high, r.grid_market_kgco2e_per_kwh, r.grid_factor_key,
        k.*,
        contains(upper(coalesce(u.usage_type, '')), 'ARM') AS is_arm
    FROM usage AS u
    CROSS JOIN k
    LEFT JOIN intermediate.int_factor_constants AS rep ON rep.name = u.replication_constant
    LEFT JOIN catalogue_types AS ct
      ON u.usage_class = 'instance' AND ct.provider = u.provider AND ct.model_instance_type = u.model_instance_type
    LEFT JOIN intermediate.int_instance_type_factors AS f
      ON u.usage_class = 'instance' AND f.provider = lower(u.provider) AND f.instance_type = ct.catalogue_type
    LEFT JOIN intermediate.int_region_factors AS r
      ON r.billing_month = u.billing_month
     AND r.provider = u.provider
     AND r.region_id = u.region_id
     AND r.usage_year = year(u.usage_date)
),

reasoned AS (
    SELECT
        -- The memory coefficient of the line: a Lambda line takes lambda_memory_kwh_per_gb_hour when the set has one.
        * REPLACE (CASE WHEN usage_class = 'lambda' THEN coalesce(lambda_memory_kwh_per_gb_hour, serverless_memory_kwh_per_gb_hour)
                        ELSE serverless_memory_kwh_per_gb_hour END AS serverless_memory_kwh_per_gb_hour),
        CASE
            WHEN replication_constant IS NOT NULL AND replication_factor IS NULL THEN 'constant ' || replication_constant || ' missing from the factor set'
            WHEN usage_class = 'instance' AND catalogue_instance_type IS NULL THEN 'instance type ' || model_instance_type || ' is not in the factor set''s instance catalogue'
            WHEN usage_class = 'instance' AND cpu_min_watts_per_vcpu IS NULL THEN 'microarchitecture ' || coalesce(microarchitecture, '(unknown)') || ' of ' || model_instance_type || ' has no CPU power figure'
            WHEN usage_class = 'instance' AND gpu_count > 0 AND gpu_min_watts IS NULL THEN 'GPU ' || coalesce(gpu_model, '(unknown)') || ' of ' || model_instance_type || ' has no power figure'
            WHEN usage_class = 'storage' AND storage_media IS NULL THEN 'storage rule gives no media (ssd/hdd)'
            WHEN usage_class = 'network' AND CASE network_scope WHEN 'internet' THEN network_internet_kwh_per_gb
                     WHEN 'inter_region' THEN network_inter_region_kwh_per_gb WHEN 'intra_region' THEN network_intra_region_kwh_per_gb END IS NULL
                THEN 'no network coefficient for scope ' || coalesce(network_scope, '(none)') || ' in the factor set'
            WHEN usage_class IN ('lambda', 'fargate_vcpu', 'fargate_memory') AND (serverless_memory_kwh_per_gb_hour IS NULL
                     OR serverless_x86_kwh_per_vcpu_hour IS NULL OR serverless_arm_kwh_per_vcpu_hour IS NULL
                     OR (usage_class = 'lambda' AND lambda_mb_per_vcpu IS NULL))
                THEN 'serverless coefficients missing from the factor set'
            WHEN region_id IS NULL THEN 'no region on the line'
            WHEN pue IS NULL THEN 'region ' || region_id || ' has no PUE in the factor set'
            WHEN grid_kgco2e_per_kwh IS NULL THEN 'region ' || region_id || ' has no grid intensity in the factor set'
        END AS unmapped_reason,
        -- Serverless: vCPU-hours and memory GB-hours behind the billed quantity.
        CASE usage_class
            WHEN 'lambda' THEN model_quantity * 1024 / lambda_mb_per_vcpu
            WHEN 'fargate_vcpu' THEN model_quantity
        END AS serverless_vcpu_hours,
        CASE usage_class WHEN 'lambda' THEN model_quantity WHEN 'fargate_memory' THEN model_quantity END AS serverless_gb_hours,
        CASE WHEN is_arm AND usage_class = 'lambda' THEN coalesce(lambda_arm_kwh_per_vcpu_hour, serverless_arm_kwh_per_vcpu_hour)
             WHEN is_arm THEN serverless_arm_kwh_per_vcpu_hour ELSE serverless_x86_kwh_per_vcpu_hour END AS serverless_kwh_per_vcpu_hour
    FROM factored
)

SELECT
    *,
    -- CPU: CCF linear interpolation of W per vCPU at the utilisation; low/high from the power figure's range.
    CASE
        WHEN usage_class = 'instance' THEN model_quantity * vcpus * cpu_vcpu_scale
            * (cpu_min_watts_per_vcpu + cpu_utilisation * (cpu_max_watts_per_vcpu - cpu_min_watts_per_vcpu)) / 1000 * replication_factor
        WHEN usage_class IN ('lambda', 'fargate_vcpu') THEN serverless_vcpu_hours * serverless_kwh_per_vcpu_hour * replication_factor
    END AS compute_kwh,
    CASE WHEN usage_class = 'instance' THEN cpu_power_low_factor ELSE 1 END AS compute_low_factor,
    CASE WHEN usage_class = 'instance' THEN cpu_power_high_factor ELSE 1 END AS compute_high_factor,
    CASE
        WHEN usage_class = 'instance' THEN model_quantity * memory_above_cpu_baseline_gb * memory_kwh_per_gb_hour * replication_factor
        WHEN usage_class IN ('lambda', 'fargate_memory') THEN serverless_gb_hours * serverless_memory_kwh_per_gb_hour * replication_factor
    END AS memory_kwh,
    CASE WHEN usage_class = 'instance' AND gpu_count > 0
         THEN model_quantity * gpu_count * (gpu_min_watts + cpu_utilisation * (gpu_max_watts - gpu_min_watts)) / 1000 * replication_factor
    END AS gpu_kwh,
    CASE WHEN usage_class = 'storage'
         THEN model_quantity / 1000 * CASE storage_media WHEN 'ssd' THEN ssd_wh_per_tb_hour ELSE hdd_wh_per_tb_hour END / 1000 * replication_factor
    END AS storage_kwh,
    CASE storage_media WHEN 'ssd' THEN ssd_wh_per_tb_hour WHEN 'hdd' THEN hdd_wh_per_tb_hour END AS storage_wh_per_tb_hour,
    CASE WHEN usage_class = 'network' THEN model_quantity * CASE network_scope
         WHEN 'internet' THEN network_internet_kwh_per_gb WHEN 'inter_region' THEN network_inter_region_kwh_per_gb
         ELSE network_intra_region_kwh_per_gb END END AS network_kwh,
    CASE network_scope WHEN 'internet' THEN network_internet_kwh_per_gb WHEN 'inter_region' THEN network_inter_region_kwh_per_gb
         WHEN 'intra_region' THEN network_intra_region_kwh_per_gb END AS network_kwh_per_gb,
    CASE network_scope WHEN 'internet' THEN network_internet_low / network_internet_kwh_per_gb
         WHEN 'inter_region' THEN network_inter_region_low / network_inter_region_kwh_per_gb
         WHEN 'intra_region' THEN network_intra_region_low / network_intra_region_kwh_per_gb ELSE 1 END AS network_low_factor,
    CASE network_scope WHEN 'internet' THEN network_internet_high / network_internet_kwh_per_gb
         WHEN 'inter_region' THEN network_inter_region_high / network_inter_region_kwh_per_gb
         WHEN 'intra_region' THEN network_intra_region_high / network_intra_region_kwh_per_gb ELSE 1 END AS network_high_factor,
    -- Embodied (SCI): host manufacturing × time share of its lifetime × the instance's share of the host.
    CASE WHEN usage_class = 'instance'
         THEN host_embodied_kgco2e * model_quantity / host_lifetime_hours * vcpus / host_vcpus * replication_factor END AS embodied_kgco2e,
    CASE WHEN usage_class = 'instance'
         THEN host_embodied_kgco2e * model_quantity / host_lifetime_hours_high * vcpus / host_vcpus * replication_factor END AS embodied_kgco2e_low,
    CASE WHEN usage_class = 'instance'
         THEN host_embodied_kgco2e * model_quantity / host_lifetime_hours_low * vcpus / host_vcpus * replication_factor END AS embodied_kgco2e_high
FROM reasoned
