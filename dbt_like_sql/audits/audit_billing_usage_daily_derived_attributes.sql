-- audit_billing_usage_daily_derived_attributes
-- audits: intermediate.int_billing_usage_daily
-- severity: error
-- purpose: int_billing_usage_daily carries charge category and usage flags with any_value(), which is only right if staging derives them from the grain's columns. Returns the (source, service, usage type, line type) combinations where they are not unique, i.e. where a staging model broke that contract.
SELECT source_name, service_code, usage_type, line_item_type,
       count(DISTINCT charge_category) AS categories,
       count(DISTINCT carries_usage) AS usage_flags,
       count(DISTINCT is_instance_usage) AS instance_flags
FROM intermediate.int_billing_usage_daily
WHERE billing_month = getvariable('billing_month')
GROUP BY ALL
HAVING count(DISTINCT charge_category) > 1 OR count(DISTINCT carries_usage) > 1 OR count(DISTINCT is_instance_usage) > 1
