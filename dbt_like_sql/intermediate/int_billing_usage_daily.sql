-- int_billing_usage_daily
-- grain: billing month × source × account × region × service × resource × instance type × usage type × line item type × unit × usage_date × application × currency; a quarantined line stays one row with its source file and row
-- purpose: The single scan of the month's billing lines: every later model reads this compact table, so the raw export is read once (plus one light reconciliation pass). Nothing is filtered out here: quarantined lines keep their reason and cost. Attributes that staging derives from the grain's columns (provider and kind from the source; service name and invoice issuer from the service code; charge category and the usage flags from line item type, service and usage type) are carried with any_value() instead of widening the hash key, which halves the cost of this scan.
-- materialized: partitioned
-- validate: great_expectations
SELECT
    billing_month,
    x_source_name AS source_name,
    BillingAccountId AS billing_account_id,
    SubAccountId AS sub_account_id,
    RegionId AS region_id,
    x_service_code AS service_code,
    ResourceId AS resource_id,
    x_instance_type AS instance_type,
    x_usage_type AS usage_type,
    x_line_item_type AS line_item_type,
    CAST(ChargePeriodStart AS DATE) AS usage_date,
    x_application AS application,
    ConsumedUnit AS consumed_unit,
    BillingCurrency AS billing_currency,
    x_quarantine_reason AS quarantine_reason,
    CASE WHEN x_quarantine_reason IS NOT NULL THEN x_source_file END AS source_file,
    CASE WHEN x_quarantine_reason IS NOT NULL THEN x_source_row END AS source_row,
    any_value(x_source_kind) AS source_kind,
    any_value(ProviderName) AS provider,
    any_value(ServiceName) AS service_name,
    any_value(InvoiceIssuerName) AS invoice_issuer,
    any_value(ChargeCategory) AS charge_category,
    any_value(x_carries_usage) AS carries_usage,
    any_value(x_is_instance_usage) AS is_instance_usage,
    count(*) AS line_count,
    sum(ConsumedQuantity) AS consumed_quantity,
    sum(BilledCost) AS billed_cost,
    sum(EffectiveCost) AS effective_cost
FROM staging.stg_billing_lines
GROUP BY ALL
