"""Re-running a month replaces it: identical tables, identical Parquet, no double counting."""

from __future__ import annotations

import duckdb

from carbon_pipeline.orchestrate import run_pipeline
from carbon_pipeline_tests.helpers import MART_TABLES, _stable, snapshot


def _parquet_rows(config) -> list:
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT * FROM read_parquet('{config.parquet_dir}/fct_instance_emissions/*/*.parquet', hive_partitioning = true)"
    ).fetchall()
    return sorted((tuple(_stable(v) for v in r) for r in rows), key=repr)


def test_running_a_month_twice_gives_identical_tables(small_cur, make_config):
    config = make_config(small_cur)
    run_pipeline(config, ["2024-01"])
    first = snapshot(config.duckdb_path, MART_TABLES)
    first_parquet = _parquet_rows(config)
    run_pipeline(config, ["2024-01"])
    assert snapshot(config.duckdb_path, MART_TABLES) == first
    assert _parquet_rows(config) == first_parquet
    assert all(first[t] for t in MART_TABLES if t != "marts.fct_quarantined_lines")


def test_running_one_month_leaves_the_other_untouched(small_cur, make_config):
    config = make_config(small_cur)
    run_pipeline(config, ["2024-01", "2024-02"])
    before = snapshot(config.duckdb_path, MART_TABLES)
    run_pipeline(config, ["2024-02"])
    assert snapshot(config.duckdb_path, MART_TABLES) == before
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    months = con.execute("SELECT DISTINCT billing_month FROM marts.fct_instance_emissions ORDER BY 1").fetchall()
    assert months == [("2024-01",), ("2024-02",)]
