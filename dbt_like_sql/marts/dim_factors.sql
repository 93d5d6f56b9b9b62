-- dim_factors
-- grain: factor set label × factor kind × provider × factor key (every factor row of every factor set version loaded, and the configuration overrides)
-- purpose: Where every figure comes from. Emission rows carry factor values and keys (pue_factor_key, grid_factor_key, usage_rule, microarchitecture, instance_type, spend_rule, fx_key…); this dimension resolves each key to its value, unit, range, source, year and licence, so BI and `carbon-pipeline explain` can cite the source of any kilogram.
-- materialized: table
SELECT factor_set_label, 'pue' AS factor_kind, lower(provider) AS provider,
       scope || ':' || region_pattern || ':' || year AS factor_key,
       TRY_CAST(pue AS DOUBLE) AS value, unit, TRY_CAST(low AS DOUBLE) AS low, TRY_CAST(high AS DOUBLE) AS high,
       source, source_year, licence
FROM seeds.pue
UNION ALL
SELECT factor_set_label, 'grid_intensity', lower(provider), region_id || ':' || valid_from_year,
       TRY_CAST(kgco2e_per_kwh AS DOUBLE), unit, TRY_CAST(low AS DOUBLE), TRY_CAST(high AS DOUBLE), source, source_year, licence
FROM seeds.grid_intensity
UNION ALL
SELECT factor_set_label, 'instance_type', lower(provider), instance_type,
       TRY_CAST(host_embodied_kgco2e AS DOUBLE), 'host kgCO2e', NULL, NULL, source, source_year, licence
FROM seeds.instance_types
UNION ALL
SELECT factor_set_label, 'cpu_power', lower(provider), microarchitecture,
       TRY_CAST(max_watts_per_vcpu AS DOUBLE), unit || ' (max; min ' || min_watts_per_vcpu || ')',
       TRY_CAST(low_factor AS DOUBLE), TRY_CAST(high_factor AS DOUBLE), source, source_year, licence
FROM seeds.cpu_power
UNION ALL
SELECT factor_set_label, 'gpu_power', NULL, gpu_model,
       TRY_CAST(max_watts AS DOUBLE), unit || ' (max; min ' || min_watts || ')', NULL, NULL, source, source_year, licence
FROM seeds.gpu_power
UNION ALL
SELECT factor_set_label, 'constant', NULL, name,
       TRY_CAST(value AS DOUBLE), unit, TRY_CAST(low AS DOUBLE), TRY_CAST(high AS DOUBLE), source, source_year, licence
FROM seeds.constants
UNION ALL
SELECT factor_set_label, 'usage_class', lower(provider), provider || '|' || service_code || '|' || usage_type_regex || '|' || unit,
       NULL, usage_class, NULL, NULL, source, source_year, licence
FROM seeds.usage_classes
UNION ALL
SELECT factor_set_label, 'unit', NULL, unit, TRY_CAST(multiplier AS DOUBLE), canonical_unit, NULL, NULL, source, source_year, licence
FROM seeds.units
UNION ALL
SELECT factor_set_label, 'spend_rule', lower(provider), provider || '|' || line_item_type || '|' || service_code || '|' || billing_entity,
       NULL, coalesce(nullif(spend_category, ''), 'no emissions') || ': ' || reason, NULL, NULL, source, source_year, licence
FROM seeds.spend_rules
UNION ALL
SELECT factor_set_label, 'spend_ratio', NULL, category, TRY_CAST(kgco2e_per_keur AS DOUBLE), unit,
       TRY_CAST(low AS DOUBLE), TRY_CAST(high AS DOUBLE), source, source_year, licence
FROM seeds.spend_ratios
UNION ALL
SELECT factor_set_label, 'exchange_rate', NULL, currency || ':' || year || coalesce('-' || lpad(nullif(month, ''), 2, '0'), ''),
       TRY_CAST(eur_per_unit AS DOUBLE), 'EUR per ' || currency, NULL, NULL, source, source_year, licence
FROM seeds.exchange_rates
UNION ALL
SELECT '*', factor, lower(provider), 'override:' || region_id, value, NULL, NULL, NULL,
       'configuration override: ' || reason, NULL, 'configuration'
FROM seeds.config_overrides
