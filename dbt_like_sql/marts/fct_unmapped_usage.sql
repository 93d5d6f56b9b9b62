-- fct_unmapped_usage
-- grain: billing month × source × provider × region × service × usage type × instance type × unit × reason
-- purpose: Physical usage that received no emission figure, with its cost and the reason (instance type or region unknown to the factor set, unit not understood, or no physical model yet for that kind of usage). Nothing leaves the pipeline silently: this report is what to fix or to approve.
-- materialized: partitioned
WITH instance_unmapped AS (
    SELECT
        billing_month, source_name, provider, region_id, 'AmazonEC2' AS service_code, instance_type,
        NULL AS usage_type, consumed_unit, unmapped_reason,
        line_count, instance_hours AS consumed_quantity, billed_cost, effective_cost, billing_currency
    FROM intermediate.int_instance_usage_daily
    WHERE billing_month = getvariable('billing_month') AND unmapped_reason IS NOT NULL
),

other_usage AS (
    SELECT
        billing_month, source_name, provider, region_id, service_code, instance_type,
        usage_type, consumed_unit,
        'no physical emission model yet for this usage (' || coalesce(service_code, '?') || ' ' || coalesce(usage_type, '?') || ')' AS unmapped_reason,
        line_count, consumed_quantity, billed_cost, effective_cost, billing_currency
    FROM intermediate.int_billing_usage_daily
    WHERE billing_month = getvariable('billing_month')
      AND quarantine_reason IS NULL AND carries_usage AND NOT is_instance_usage
)

SELECT
    billing_month, source_name, provider, region_id, service_code, usage_type, instance_type,
    consumed_unit, unmapped_reason, billing_currency,
    sum(line_count) AS line_count,
    sum(consumed_quantity) AS consumed_quantity,
    sum(billed_cost) AS billed_cost,
    sum(effective_cost) AS effective_cost
FROM (SELECT * FROM instance_unmapped UNION ALL BY NAME SELECT * FROM other_usage)
GROUP BY ALL
