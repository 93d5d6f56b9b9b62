-- int_spend_based
-- grain: one row per valid line of int_billing_usage_daily that received no physical emission figure
-- purpose: The fallback for what the physical model cannot map (SaaS, support, marketplace, unknown services, unmapped usage): the factor set's spend_rules decide, per line item type, service and invoice issuer, whether a line gets an ADEME monetary ratio (kgCO2e per k€ excl. VAT) or no emissions at all (taxes, credits, refunds, commitment fees whose usage is already counted) and say why. Cost is converted to EUR with the dated exchange-rate table (month, else year); a missing rate leaves the line unattributed with the reason.
-- materialized: partitioned
WITH not_physical AS (
    SELECT c.*, c.classification_issue AS physical_issue
    FROM intermediate.int_usage_classified AS c
    WHERE c.billing_month = getvariable('billing_month') AND c.classification_issue IS NOT NULL
    UNION ALL BY NAME
    SELECT p.* EXCLUDE (unmapped_reason), p.unmapped_reason AS physical_issue
    FROM intermediate.int_physical_usage AS p
    WHERE p.billing_month = getvariable('billing_month') AND p.unmapped_reason IS NOT NULL
),

lines AS (
    SELECT
        billing_month, source_kind, source_name, provider, billing_account_id, sub_account_id, region_id,
        service_code, service_name, invoice_issuer, resource_id, instance_type, usage_type, line_item_type,
        charge_category, usage_date, application, consumed_unit, billing_currency, carries_usage,
        physical_issue, line_count, consumed_quantity, billed_cost, effective_cost
    FROM not_physical
),

rules AS (
    SELECT *, TRY_CAST(priority AS INTEGER) AS rank
    FROM seeds.spend_rules
    WHERE factor_set_label = getvariable('factor_set_label')
),

combos AS (
    SELECT DISTINCT provider, line_item_type, service_code, invoice_issuer FROM lines
),

decided AS (
    SELECT
        c.*,
        nullif(r.spend_category, '') AS spend_category,
        r.reason AS spend_rule_reason,
        r.provider || '|' || r.line_item_type || '|' || r.service_code || '|' || r.billing_entity AS spend_rule
    FROM combos AS c
    LEFT JOIN rules AS r
      ON lower(r.provider) = lower(c.provider)
     AND (r.line_item_type = '*' OR r.line_item_type = c.line_item_type)
     AND (r.service_code = '*' OR coalesce(c.service_code, '') LIKE r.service_code)
     AND (r.billing_entity = '*' OR r.billing_entity = c.invoice_issuer)
    QUALIFY row_number() OVER (
        PARTITION BY c.provider, c.line_item_type, c.service_code, c.invoice_issuer ORDER BY r.rank NULLS LAST
    ) = 1
),

ratios AS (
    SELECT category, CAST(kgco2e_per_keur AS DOUBLE) AS kgco2e_per_keur,
           coalesce(TRY_CAST(low AS DOUBLE), CAST(kgco2e_per_keur AS DOUBLE)) AS ratio_low,
           coalesce(TRY_CAST(high AS DOUBLE), CAST(kgco2e_per_keur AS DOUBLE)) AS ratio_high
    FROM seeds.spend_ratios
    WHERE factor_set_label = getvariable('factor_set_label')
),

rates AS (
    SELECT currency, CAST(year AS INTEGER) AS year, TRY_CAST(month AS INTEGER) AS month,
           CAST(eur_per_unit AS DOUBLE) AS eur_per_unit
    FROM seeds.exchange_rates
    WHERE factor_set_label = getvariable('factor_set_label')
),

fx AS (
    -- The billing month's rate, else the year's average.
    SELECT DISTINCT ON (l.billing_currency)
        l.billing_currency, r.eur_per_unit,
        r.currency || ':' || r.year || coalesce('-' || lpad(CAST(r.month AS VARCHAR), 2, '0'), '') AS fx_key
    FROM (SELECT DISTINCT billing_currency FROM lines) AS l
    JOIN rates AS r
      ON r.currency = l.billing_currency
     AND r.year = CAST(left(getvariable('billing_month'), 4) AS INTEGER)
     AND (r.month IS NULL OR r.month = CAST(right(getvariable('billing_month'), 2) AS INTEGER))
    ORDER BY l.billing_currency, r.month IS NULL
),

joined AS (
    SELECT l.*, d.spend_category, d.spend_rule_reason, d.spend_rule,
           ra.kgco2e_per_keur, ra.ratio_low, ra.ratio_high,
           fx.eur_per_unit, fx.fx_key
    FROM lines AS l
    LEFT JOIN decided AS d
      ON d.provider IS NOT DISTINCT FROM l.provider
     AND d.line_item_type IS NOT DISTINCT FROM l.line_item_type
     AND d.service_code IS NOT DISTINCT FROM l.service_code
     AND d.invoice_issuer IS NOT DISTINCT FROM l.invoice_issuer
    LEFT JOIN ratios AS ra ON ra.category = d.spend_category
    LEFT JOIN fx ON fx.billing_currency = l.billing_currency
)

SELECT
    *,
    CASE
        WHEN spend_rule IS NULL THEN 'unattributed'
        WHEN spend_category IS NULL THEN 'no_emissions'
        WHEN kgco2e_per_keur IS NULL OR eur_per_unit IS NULL THEN 'unattributed'
        ELSE 'spend_based'
    END AS spend_status,
    CASE
        WHEN spend_rule IS NULL THEN 'no spend rule matches ' || coalesce(line_item_type, '?') || ' ' || coalesce(service_code, '?')
        WHEN spend_category IS NULL THEN spend_rule_reason
        WHEN kgco2e_per_keur IS NULL THEN 'spend category ' || spend_category || ' has no monetary ratio in the factor set'
        WHEN eur_per_unit IS NULL THEN 'no EUR exchange rate for ' || billing_currency || ' in ' || billing_month
        ELSE spend_rule_reason
    END AS spend_reason,
    effective_cost * eur_per_unit AS effective_cost_eur
FROM joined
