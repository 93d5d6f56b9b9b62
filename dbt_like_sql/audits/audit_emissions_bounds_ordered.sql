-- audit_emissions_bounds_ordered
-- audits: marts.fct_emissions
-- severity: error
-- purpose: Returns emission rows whose bounds do not enclose the central figure, or with a missing or negative figure, a PUE below 1, or no factor set: every published kilogram comes from complete, positive factors and an honest range.
SELECT *
FROM marts.fct_emissions
WHERE billing_month = getvariable('billing_month')
  AND (total_kgco2e IS NULL OR factor_set IS NULL
       OR (effective_cost >= 0 AND total_kgco2e < 0)
       OR total_kgco2e_low > total_kgco2e * (1 + 1e-12) + 1e-15
       OR total_kgco2e_high < total_kgco2e * (1 - 1e-12) - 1e-15
       OR (method = 'physical' AND (pue < 1 OR grid_kgco2e_per_kwh < 0 OR it_energy_kwh < 0)))
