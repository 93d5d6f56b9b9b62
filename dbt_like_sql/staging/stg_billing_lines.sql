-- stg_billing_lines
-- grain: one row per billing line of every source for the billing month set in getvariable('billing_month') (x_source_name, x_source_file, x_source_row)
-- purpose: The one canonical, FOCUS-aligned staging shape. Every model downstream reads only this view; a new source adds a stg_<kind> model and one UNION branch here and never touches the emission model. A view, not a table: staging reads straight from the raw Parquet, so a 10-million-line month is scanned, not copied.
-- materialized: view
SELECT * FROM staging.stg_aws_cur
