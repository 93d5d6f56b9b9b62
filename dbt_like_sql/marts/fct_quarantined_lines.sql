-- fct_quarantined_lines
-- grain: one row per quarantined billing line (source file × row)
-- purpose: Billing lines that could not be read, each with the file, the row and the reason naming the column and the value. They keep their cost (when it is readable) and count in the reconciliation: quarantine is visible, never a silent drop.
-- materialized: partitioned
SELECT
    billing_month,
    source_name,
    source_file,
    source_row,
    quarantine_reason,
    service_code,
    usage_type,
    line_item_type,
    resource_id,
    usage_date,
    consumed_quantity,
    billed_cost,
    effective_cost,
    billing_currency
FROM intermediate.int_billing_usage_daily
WHERE billing_month = getvariable('billing_month')
  AND quarantine_reason IS NOT NULL
