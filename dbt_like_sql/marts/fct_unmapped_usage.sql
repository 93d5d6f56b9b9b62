-- fct_unmapped_usage
-- grain: billing month × source × provider × region × service × usage type × instance type × unit × reason × fallback
-- purpose: Usage that received no physical emission figure, with its cost, the reason (no usage-class rule, no physical model, unknown unit, instance type or region unknown to the factor set…) and what happened instead (spend_based with its kgCO2e, or nothing and why). The list of what to fix, or to approve, during a source's learning phase.
-- materialized: partitioned
SELECT
    billing_month, source_name, provider, region_id, service_code, usage_type, instance_type, consumed_unit,
    physical_issue AS unmapped_reason,
    spend_status AS fallback,
    spend_reason AS fallback_reason,
    billing_currency,
    sum(line_count) AS line_count,
    sum(consumed_quantity) AS consumed_quantity,
    sum(billed_cost) AS billed_cost,
    sum(effective_cost) AS effective_cost,
    sum(effective_cost_eur / 1000 * kgco2e_per_keur) FILTER (WHERE spend_status = 'spend_based') AS spend_based_kgco2e
FROM intermediate.int_spend_based
WHERE billing_month = getvariable('billing_month')
  AND carries_usage
GROUP BY ALL
