-- audit_instance_emissions_agree_with_fct_emissions
-- audits: marts.fct_instance_emissions
-- severity: error
-- purpose: Returns the month if the instance mart's totals (energy, CO2e, cost, lines) differ from the instance rows of fct_emissions: every mart must be an aggregate of the finest-grain fact.
WITH a AS (
    SELECT sum(it_energy_kwh) AS kwh, sum(total_kgco2e) AS co2, sum(effective_cost) AS cost, sum(line_count) AS n
    FROM marts.fct_instance_emissions WHERE billing_month = getvariable('billing_month')
), b AS (
    SELECT sum(it_energy_kwh) AS kwh, sum(total_kgco2e) AS co2, sum(effective_cost) AS cost, sum(line_count) AS n
    FROM marts.fct_emissions WHERE billing_month = getvariable('billing_month') AND usage_class = 'instance'
)
SELECT a.*, b.kwh AS fact_kwh, b.co2 AS fact_co2, b.cost AS fact_cost, b.n AS fact_lines
FROM a, b
WHERE abs(coalesce(a.kwh, 0) - coalesce(b.kwh, 0)) > 1e-9 * greatest(1, abs(coalesce(b.kwh, 0)))
   OR abs(coalesce(a.co2, 0) - coalesce(b.co2, 0)) > 1e-9 * greatest(1, abs(coalesce(b.co2, 0)))
   OR abs(coalesce(a.cost, 0) - coalesce(b.cost, 0)) >= 0.005
   OR coalesce(a.n, 0) <> coalesce(b.n, 0)
