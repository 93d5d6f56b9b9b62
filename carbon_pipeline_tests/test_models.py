"""The SQL models follow the conventions the Dagster graph is built from."""

from __future__ import annotations

from carbon_pipeline.sources.aws_cur.columns import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from carbon_pipeline.warehouse.models import load_audits, load_models, tables_read


def test_every_model_is_named_after_its_table_and_says_its_grain():
    models = load_models()
    assert {m.table for m in models} >= {
        "staging.stg_aws_cur", "staging.stg_billing_lines", "intermediate.int_billing_usage_daily",
        "marts.fct_instance_emissions", "marts.fct_unmapped_usage", "marts.fct_cost_reconciliation",
        "marts.fct_quarantined_lines",
    }
    for m in models:
        assert m.path.stem == m.name
        assert m.header["grain"] and m.header["purpose"]


def test_dependencies_are_read_from_the_sql():
    reads = {m.table: set(m.reads) for m in load_models()}
    assert reads["staging.stg_aws_cur"] == {("raw", "aws_cur")}
    assert ("staging", "stg_billing_lines") in reads["intermediate.int_billing_usage_daily"]
    assert ("seeds", "pue") in reads["intermediate.int_region_factors"]


def test_downstream_reads_only_the_canonical_staging_shape():
    """Adding a source must never touch the emission model: nothing past staging reads a stg_<kind>."""
    for m in load_models():
        if m.layer != "staging":
            staged = {t for s, t in m.reads if s == "staging"}
            assert staged <= {"stg_billing_lines"}, m.table
            assert not any(s == "raw" for s, _ in m.reads), m.table


def test_ctes_and_table_functions_are_not_dependencies():
    sql = "WITH a AS (SELECT * FROM read_parquet('x.parquet')) SELECT * FROM a JOIN seeds.pue USING (k)"
    assert tables_read(sql, where=None) == (("seeds", "pue"),)


def test_staging_reads_only_known_cur_columns():
    """stg_aws_cur may only use columns the raw view exposes (the short list, not the whole export)."""
    import re

    (stg,) = [m for m in load_models() if m.name == "stg_aws_cur"]
    used = set(re.findall(r"\b((?:line_item|bill|product|pricing|savings_plan|reservation|identity)_[a-z_]+)\b", stg.sql))
    assert used <= set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)


def test_audits_target_existing_models():
    tables = {m.table for m in load_models()}
    audits = load_audits()
    assert audits
    assert all(a.target in tables for a in audits)


def test_changing_a_models_materialisation_replaces_the_old_object(tmp_path):
    """table -> view (or back) must not fail on the object the previous version left behind."""
    import duckdb

    from carbon_pipeline.warehouse.models import SqlModel
    from carbon_pipeline.warehouse.runner import run_model

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA intermediate")
    sql = "SELECT getvariable('billing_month') AS billing_month, 1 AS x"
    as_table = SqlModel("int_x", "intermediate", tmp_path / "int_x.sql", sql, {"materialized": "partitioned"}, ())
    as_view = SqlModel("int_x", "intermediate", tmp_path / "int_x.sql", sql, {"materialized": "view"}, ())
    run_model(con, as_table, "2024-01")
    run_model(con, as_view, None)
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'int_x'").fetchall() == [(1,)]
    run_model(con, as_table, "2024-02")
    assert con.execute("SELECT billing_month FROM intermediate.int_x").fetchall() == [("2024-02",)]
