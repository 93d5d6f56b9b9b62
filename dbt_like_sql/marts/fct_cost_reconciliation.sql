-- fct_cost_reconciliation
-- grain: billing month × source × currency
-- purpose: The accounting check: the cost and the line count read from the source equal what the marts attributed (instance emissions) plus what they report as unmapped usage, as charges without physical usage (fees, taxes, credits) and as quarantined, to the cent. Totals of energy and CO2e per method sit beside it.
-- materialized: partitioned
WITH lines_in AS (
    SELECT
        x_source_name AS source_name,
        BillingCurrency AS billing_currency,
        count(*) AS lines_in,
        sum(BilledCost) AS billed_cost_in,
        sum(EffectiveCost) AS effective_cost_in
    FROM staging.stg_billing_lines
    GROUP BY ALL
),

attributed AS (
    SELECT
        source_name, billing_currency,
        sum(line_count) AS lines_attributed,
        sum(billed_cost) AS billed_cost_attributed,
        sum(effective_cost) AS effective_cost_attributed,
        sum(it_energy_kwh) AS it_energy_kwh,
        sum(operational_kgco2e) AS operational_kgco2e,
        sum(embodied_kgco2e) AS embodied_kgco2e
    FROM marts.fct_instance_emissions
    WHERE billing_month = getvariable('billing_month')
    GROUP BY ALL
),

unmapped AS (
    SELECT source_name, billing_currency, sum(line_count) AS lines_unmapped,
           sum(billed_cost) AS billed_cost_unmapped, sum(effective_cost) AS effective_cost_unmapped
    FROM marts.fct_unmapped_usage
    WHERE billing_month = getvariable('billing_month')
    GROUP BY ALL
),

without_usage AS (
    SELECT source_name, billing_currency, sum(line_count) AS lines_without_usage,
           sum(billed_cost) AS billed_cost_without_usage, sum(effective_cost) AS effective_cost_without_usage
    FROM intermediate.int_billing_usage_daily
    WHERE billing_month = getvariable('billing_month')
      AND quarantine_reason IS NULL AND NOT carries_usage
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
        coalesce(a.lines_attributed, 0) AS lines_attributed,
        coalesce(u.lines_unmapped, 0) AS lines_unmapped,
        coalesce(w.lines_without_usage, 0) AS lines_without_usage,
        coalesce(q.lines_quarantined, 0) AS lines_quarantined,
        coalesce(i.billed_cost_in, 0) AS billed_cost_in,
        coalesce(a.billed_cost_attributed, 0) AS billed_cost_attributed,
        coalesce(u.billed_cost_unmapped, 0) AS billed_cost_unmapped,
        coalesce(w.billed_cost_without_usage, 0) AS billed_cost_without_usage,
        coalesce(q.billed_cost_quarantined, 0) AS billed_cost_quarantined,
        coalesce(i.effective_cost_in, 0) AS effective_cost_in,
        coalesce(a.effective_cost_attributed, 0) AS effective_cost_attributed,
        coalesce(u.effective_cost_unmapped, 0) AS effective_cost_unmapped,
        coalesce(w.effective_cost_without_usage, 0) AS effective_cost_without_usage,
        coalesce(q.effective_cost_quarantined, 0) AS effective_cost_quarantined,
        coalesce(a.it_energy_kwh, 0) AS it_energy_kwh,
        coalesce(a.operational_kgco2e, 0) AS operational_kgco2e,
        coalesce(a.embodied_kgco2e, 0) AS embodied_kgco2e
    FROM lines_in AS i
    LEFT JOIN attributed AS a USING (source_name, billing_currency)
    LEFT JOIN unmapped AS u USING (source_name, billing_currency)
    LEFT JOIN without_usage AS w USING (source_name, billing_currency)
    LEFT JOIN quarantined AS q USING (source_name, billing_currency)
)

SELECT
    getvariable('billing_month') AS billing_month,
    *,
    billed_cost_in - billed_cost_attributed - billed_cost_unmapped - billed_cost_without_usage - billed_cost_quarantined AS billed_cost_difference,
    effective_cost_in - effective_cost_attributed - effective_cost_unmapped - effective_cost_without_usage - effective_cost_quarantined AS effective_cost_difference,
    lines_in - lines_attributed - lines_unmapped - lines_without_usage - lines_quarantined AS lines_difference,
    abs(billed_cost_in - billed_cost_attributed - billed_cost_unmapped - billed_cost_without_usage - billed_cost_quarantined) < 0.005
        AND abs(effective_cost_in - effective_cost_attributed - effective_cost_unmapped - effective_cost_without_usage - effective_cost_quarantined) < 0.005
        AND lines_in = lines_attributed + lines_unmapped + lines_without_usage + lines_quarantined AS balanced
FROM joined
