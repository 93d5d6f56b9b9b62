-- audit_cost_reconciliation_balanced
-- audits: marts.fct_cost_reconciliation
-- severity: error
-- purpose: Returns the source months whose cost in is not cost attributed + unmapped + without usage + quarantined to the cent, or whose line counts differ: a line was lost or counted twice.
SELECT *
FROM marts.fct_cost_reconciliation
WHERE billing_month = getvariable('billing_month')
  AND NOT balanced
