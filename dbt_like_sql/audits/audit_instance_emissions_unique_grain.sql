-- audit_instance_emissions_unique_grain
-- audits: marts.fct_instance_emissions
-- severity: error
-- purpose: Returns instance-days present twice for the same application and source: a sign of a join fanning out (for example a factor table with duplicate keys).
SELECT resource_id, usage_date, application, source_name, instance_type, service_code, count(*) AS copies
FROM marts.fct_instance_emissions
WHERE billing_month = getvariable('billing_month')
GROUP BY ALL
HAVING count(*) > 1
