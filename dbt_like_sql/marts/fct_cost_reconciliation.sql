-- fct_cost_reconciliation
-- grain: billing month × source × currency
-- purpose: The accounting check: cost and line count read from the source equal what the marts attributed physically, attributed by monetary ratio, declared without emissions (taxes, credits, commitment fees), left unattributed, and quarantined, to the cent. Energy and CO2e totals per method, with bounds, sit beside it, and the factor set the month was computed with (a published month keeps it until recomputed).
-- materialized: partitioned
WITH lines_in AS (
    SELECT x_source_name AS source_name, BillingCurrency AS billing_currency, count(*) AS lines_in,
           sum(BilledCost) AS billed_cost_in, sum(EffectiveCost) AS effective_cost_in
    FROM staging.stg_billing_lines
    GROUP BY ALL
),

emissions AS (
    SELECT
        source_name, billing_currency,
        sum(line_count) FILTER (WHERE method = 'physical') AS lines_physical,
        sum(billed_cost) FILTER (WHERE method = 'physical') AS billed_cost_physical,
        sum(effective_cost) FILTER (WHERE method = 'physical') AS effective_cost_physical,
        sum(line_count) FILTER (WHERE method = 'spend_based') AS lines_spend_based,
        sum(billed_cost) FILTER (WHERE method = 'spend_based') AS billed_cost_spend_based,
        sum(effective_cost) FILTER (WHERE method = 'spend_based') AS effective_cost_spend_based,
        sum(it_energy_kwh) AS it_energy_kwh,
        sum(operational_kgco2e) AS operational_kgco2e,
        sum(embodied_kgco2e) AS embodied_kgco2e,
        sum(total_kgco2e) FILTER (WHERE method = 'physical') AS physical_kgco2e,
        sum(total_kgco2e) FILTER (WHERE method = 'spend_based') AS spend_based_kgco2e,
        sum(total_kgco2e) AS total_kgco2e,
        sum(total_kgco2e_low) AS total_kgco2e_low,
        sum(total_kgco2e_high) AS total_kgco2e_high
    FROM marts.fct_emissions
    WHERE billing_month = getvariable('billing_month')
    GROUP BY ALL
),

no_figure AS (
    SELECT
        source_name, billing_currency,
        sum(line_count) FILTER (WHERE spend_status = 'no_emissions') AS lines_without_emissions,
        sum(billed_cost) FILTER (WHERE spend_status = 'no_emissions') AS billed_cost_without_emissions,
        sum(effective_cost) FILTER (WHERE spend_status = 'no_emissions') AS effective_cost_without_emissions,
        sum(line_count) FILTER (WHERE spend_status = 'unattributed') AS lines_unattributed,
        sum(billed_cost) FILTER (WHERE spend_status = 'unattributed') AS billed_cost_unattributed,
        sum(effective_cost) FILTER (WHERE spend_status = 'unattributed') AS effective_cost_unattributed
    FROM intermediate.int_spend_based
    WHERE billing_month = getvariable('billing_month') AND spend_status <> 'spend_based'
    GROUP BY ALL
),

quarantined AS (
    SELECT source_name, billing_currency, count(*) AS lines_quarantined,
           sum(billed_cost) AS billed_cost_quarantined, sum(effective_cost) AS effective_cost_quarantined
    FROM marts.fct_quarantined_lines
    WHERE billing_month = getvariable('billing_month')
    GROUP BY ALL
),

joined AS (
    SELECT
        i.source_name,
        i.billing_currency,
        i.lines_in,
        coalesce(e.lines_physical, 0) AS lines_physical,
        coalesce(e.lines_spend_based, 0) AS lines_spend_based,
        coalesce(n.lines_without_emissions, 0) AS lines_without_emissions,
        coalesce(n.lines_unattributed, 0) AS lines_unattributed,
        coalesce(q.lines_quarantined, 0) AS lines_quarantined,
        coalesce(i.billed_cost_in, 0) AS billed_cost_in,
        coalesce(e.billed_cost_physical, 0) AS billed_cost_physical,
        coalesce(e.billed_cost_spend_based, 0) AS billed_cost_spend_based,
        coalesce(n.billed_cost_without_emissions, 0) AS billed_cost_without_emissions,
        coalesce(n.billed_cost_unattributed, 0) AS billed_cost_unattributed,
        coalesce(q.billed_cost_quarantined, 0) AS billed_cost_quarantined,
        coalesce(i.effective_cost_in, 0) AS effective_cost_in,
        coalesce(e.effective_cost_physical, 0) AS effective_cost_physical,
        coalesce(e.effective_cost_spend_based, 0) AS effective_cost_spend_based,
        coalesce(n.effective_cost_without_emissions, 0) AS effective_cost_without_emissions,
        coalesce(n.effective_cost_unattributed, 0) AS effective_cost_unattributed,
        coalesce(q.effective_cost_quarantined, 0) AS effective_cost_quarantined,
        coalesce(e.it_energy_kwh, 0) AS it_energy_kwh,
        coalesce(e.operational_kgco2e, 0) AS operational_kgco2e,
        coalesce(e.embodied_kgco2e, 0) AS embodied_kgco2e,
        coalesce(e.physical_kgco2e, 0) AS physical_kgco2e,
        coalesce(e.spend_based_kgco2e, 0) AS spend_based_kgco2e,
        coalesce(e.total_kgco2e, 0) AS total_kgco2e,
        coalesce(e.total_kgco2e_low, 0) AS total_kgco2e_low,
        coalesce(e.total_kgco2e_high, 0) AS total_kgco2e_high
    FROM lines_in AS i
    LEFT JOIN emissions AS e USING (source_name, billing_currency)
    LEFT JOIN no_figure AS n USING (source_name, billing_currency)
    LEFT JOIN quarantined AS q USING (source_name, billing_currency)
),

differences AS (
    SELECT
        *,
        billed_cost_in - billed_cost_physical - billed_cost_spend_based - billed_cost_without_emissions
            - billed_cost_unattributed - billed_cost_quarantined AS billed_cost_difference,
        effective_cost_in - effective_cost_physical - effective_cost_spend_based - effective_cost_without_emissions
            - effective_cost_unattributed - effective_cost_quarantined AS effective_cost_difference,
        lines_in - lines_physical - lines_spend_based - lines_without_emissions - lines_unattributed
            - lines_quarantined AS lines_difference
    FROM joined
)

SELECT
    getvariable('billing_month') AS billing_month,
    *,
    abs(billed_cost_difference) < 0.005 AND abs(effective_cost_difference) < 0.005 AND lines_difference = 0 AS balanced,
    getvariable('factor_set_label') AS factor_set
FROM differences
