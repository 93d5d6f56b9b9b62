-- audit_instance_emissions_factors_present
-- audits: marts.fct_instance_emissions
-- severity: error
-- purpose: Returns emission rows with a missing or non-positive factor or a negative result: every published kilogram must come from complete, positive factors.
SELECT *
FROM marts.fct_instance_emissions
WHERE billing_month = getvariable('billing_month')
  AND (pue IS NULL OR pue < 1 OR grid_kgco2e_per_kwh IS NULL OR grid_kgco2e_per_kwh < 0
       OR it_energy_kwh IS NULL OR it_energy_kwh < 0 OR embodied_kgco2e IS NULL OR embodied_kgco2e < 0
       OR factor_set IS NULL)
