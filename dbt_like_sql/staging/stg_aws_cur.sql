-- stg_aws_cur
-- grain: one row per AWS CUR line item of the billing month (x_source_file, x_source_row)
-- purpose: AWS legacy CUR (CSV or Parquet) in the canonical FOCUS-aligned shape. Values that cannot be read are not dropped: the row keeps its cost and says why in x_quarantine_reason (column, value).
-- materialized: view
WITH src AS (
    SELECT *
    FROM raw.aws_cur
    WHERE x_billing_month = getvariable('billing_month')
),

typed AS (
    SELECT
        src.*,
        TRY_CAST(line_item_usage_amount AS DOUBLE) AS usage_amount,
        TRY_CAST(line_item_unblended_cost AS DECIMAL(38, 10)) AS unblended_cost,
        TRY_CAST(line_item_usage_start_date AS TIMESTAMP) AS usage_start,
        TRY_CAST(line_item_usage_end_date AS TIMESTAMP) AS usage_end,
        coalesce(TRY_CAST(savings_plan_savings_plan_effective_cost AS DECIMAL(38, 10)), 0) AS sp_effective_cost,
        coalesce(TRY_CAST(savings_plan_total_commitment_to_date AS DECIMAL(38, 10)), 0)
            - coalesce(TRY_CAST(savings_plan_used_commitment AS DECIMAL(38, 10)), 0) AS sp_unused_commitment,
        coalesce(TRY_CAST(reservation_effective_cost AS DECIMAL(38, 10)), 0) AS ri_effective_cost,
        coalesce(TRY_CAST(reservation_unused_amortized_upfront_fee_for_billing_period AS DECIMAL(38, 10)), 0)
            + coalesce(TRY_CAST(reservation_unused_recurring_fee AS DECIMAL(38, 10)), 0) AS ri_unused_fee,
        -- The original text, only where a cast failed, for the quarantine reason.
        CASE WHEN usage_amount IS NULL THEN nullif(trim(CAST(line_item_usage_amount AS VARCHAR)), '') END AS usage_amount_text,
        CASE WHEN unblended_cost IS NULL THEN nullif(trim(CAST(line_item_unblended_cost AS VARCHAR)), '') END AS unblended_cost_text,
        CASE WHEN usage_start IS NULL THEN nullif(trim(CAST(line_item_usage_start_date AS VARCHAR)), '') END AS usage_start_text,
        nullif(trim(line_item_line_item_type), '') AS item_type,
        coalesce(item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation', 'Fee', 'RIFee',
            'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee', 'Tax', 'Credit', 'EdpDiscount', 'BundledDiscount',
            'PrivateRateDiscount', 'DistributorDiscount', 'Refund'), false) AS item_known,
        nullif(trim(line_item_usage_type), '') AS usage_type
    FROM src
)

SELECT
    x_billing_month AS billing_month,
    'aws_cur' AS x_source_kind,
    x_source_name,
    x_source_file,
    x_source_row,
    nullif(identity_line_item_id, '') AS x_line_item_id,
    nullif(identity_time_interval, '') AS x_time_interval,
    'AWS' AS ProviderName,
    nullif(bill_payer_account_id, '') AS BillingAccountId,
    nullif(line_item_usage_account_id, '') AS SubAccountId,
    usage_start AS ChargePeriodStart,
    usage_end AS ChargePeriodEnd,
    CASE
        WHEN item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation') THEN 'Usage'
        WHEN item_type IN ('Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee') THEN 'Purchase'
        WHEN item_type = 'Tax' THEN 'Tax'
        WHEN item_type IN ('Credit', 'EdpDiscount', 'BundledDiscount', 'PrivateRateDiscount', 'DistributorDiscount') THEN 'Credit'
        WHEN item_type = 'Refund' THEN 'Adjustment'
    END AS ChargeCategory,
    nullif(line_item_line_item_description, '') AS ChargeDescription,
    coalesce(nullif(product_product_name, ''), line_item_product_code) AS ServiceName,
    nullif(line_item_product_code, '') AS x_service_code,
    coalesce(
        nullif(product_region, ''),
        nullif(product_region_code, ''),
        regexp_extract(nullif(line_item_availability_zone, ''), '^([a-z]+-[a-z]+-[0-9]+)', 1)
    ) AS RegionId,
    nullif(line_item_availability_zone, '') AS AvailabilityZone,
    nullif(line_item_resource_id, '') AS ResourceId,
    usage_amount AS ConsumedQuantity,
    nullif(pricing_unit, '') AS ConsumedUnit,
    unblended_cost AS BilledCost,
    -- FOCUS EffectiveCost: amortised commitment prices on covered usage, unused commitment on the
    -- fee lines, and nothing on the negation lines that cancel covered usage in BilledCost.
    CASE item_type
        WHEN 'SavingsPlanCoveredUsage' THEN sp_effective_cost
        WHEN 'DiscountedUsage' THEN ri_effective_cost
        WHEN 'SavingsPlanNegation' THEN 0
        WHEN 'SavingsPlanUpfrontFee' THEN 0
        WHEN 'SavingsPlanRecurringFee' THEN sp_unused_commitment
        WHEN 'RIFee' THEN ri_unused_fee
        ELSE unblended_cost
    END AS EffectiveCost,
    coalesce(nullif(line_item_currency_code, ''), 'USD') AS BillingCurrency,
    coalesce(nullif(bill_billing_entity, ''), 'AWS') AS InvoiceIssuerName,
    x_tags AS Tags,
    x_application,
    item_type AS x_line_item_type,
    usage_type AS x_usage_type,
    nullif(line_item_operation, '') AS x_operation,
    coalesce(
        nullif(product_instance_type, ''),
        regexp_extract(usage_type, '(?:BoxUsage|SpotUsage|DedicatedUsage|HostUsage):([a-z0-9-]+\.[a-z0-9-]+)', 1)
    ) AS x_instance_type,
    -- Only these line types are physical usage; fee lines carry the commitment's cost, not more energy.
    coalesce(item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage'), false) AS x_carries_usage,
    coalesce(
        line_item_product_code = 'AmazonEC2'
        AND regexp_matches(usage_type, '(^|-)(BoxUsage|SpotUsage|DedicatedUsage|HostUsage)(:|$)'),
        false
    ) AS x_is_instance_usage,
    CASE WHEN item_type IS NULL OR NOT item_known OR unblended_cost IS NULL OR usage_start IS NULL
              OR (usage_amount IS NULL AND (usage_amount_text IS NOT NULL OR item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage'))) THEN
        concat_ws('; ',
            CASE WHEN item_type IS NULL THEN 'line_item_line_item_type is empty'
                 WHEN NOT item_known THEN 'line_item_line_item_type ' || item_type || ' is not a known CUR line item type' END,
            CASE WHEN unblended_cost IS NULL THEN 'line_item_unblended_cost ' || coalesce('''' || unblended_cost_text || '''', 'empty') || ' is not a number' END,
            CASE WHEN usage_amount IS NULL AND usage_amount_text IS NOT NULL THEN 'line_item_usage_amount ''' || usage_amount_text || ''' is not a number'
                 WHEN usage_amount IS NULL AND item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') THEN 'line_item_usage_amount is empty on a usage line' END,
            CASE WHEN usage_start IS NULL THEN 'line_item_usage_start_date ' || coalesce('''' || usage_start_text || '''', 'empty') || ' is not a timestamp' END
        )
    END AS x_quarantine_reason
FROM typed
