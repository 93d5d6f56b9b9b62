"""End to end on a generated CUR: Dagster in-process, a real DuckDB file, numbers checked by hand."""

from __future__ import annotations

import math

import duckdb
import pytest
from dagster import DagsterInstance

from carbon_pipeline.orchestrate import run_pipeline
from carbon_pipeline.pipeline import build_definitions
from carbon_pipeline_tests.helpers import (
    MART_TABLES,
    instance_hours_by_hand,
    latest_delivery_files,
    seed_rows,
    snapshot,
    table,
)


@pytest.fixture(scope="module")
def ran(tmp_path_factory, small_cur):
    from carbon_pipeline_tests.conftest import write_config
    from carbon_pipeline.config import load_config

    folder = tmp_path_factory.mktemp("e2e")
    config = load_config(write_config(folder, str(small_cur)))
    summary = run_pipeline(config)
    return config, summary


def test_every_month_in_the_source_is_processed_and_reconciled(ran):
    config, summary = ran
    assert summary.months == ["2024-01", "2024-02"]
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    rows = table(con, "SELECT * FROM marts.fct_cost_reconciliation ORDER BY billing_month")
    assert [r["billing_month"] for r in rows] == ["2024-01", "2024-02"]
    for r in rows:
        assert r["balanced"], r
        assert r["lines_in"] == (r["lines_physical"] + r["lines_spend_based"] + r["lines_without_emissions"]
                                 + r["lines_unattributed"] + r["lines_quarantined"])
        assert r["lines_physical"] > 0 and r["lines_spend_based"] > 0 and r["lines_without_emissions"] > 0
        assert r["operational_kgco2e"] > 0 and r["embodied_kgco2e"] > 0 and r["spend_based_kgco2e"] > 0
        assert r["total_kgco2e_low"] < r["total_kgco2e"] < r["total_kgco2e_high"]
        assert r["factor_set"].startswith("default@")
    assert summary.totals["balanced"] is True


def test_one_instance_day_worked_by_hand(ran, small_cur):
    """Recompute one m5.xlarge day from the raw gzip CSV and the seed CSVs, in plain Python."""
    config, _ = ran
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    (row,) = table(con, """
        SELECT * FROM marts.fct_instance_emissions
        WHERE instance_type = 'm5.xlarge' AND billing_month = '2024-01'
        ORDER BY instance_hours DESC, resource_id, usage_date LIMIT 1""")
    day = str(row["usage_date"])
    hours = instance_hours_by_hand(latest_delivery_files(small_cur, "2024-01"), row["resource_id"], day)
    assert hours > 0 and math.isclose(row["instance_hours"], hours, rel_tol=1e-12)

    (it,) = [r for r in seed_rows("instance_types") if r["provider"] == "aws" and r["instance_type"] == "m5.xlarge"]
    (cp,) = [r for r in seed_rows("cpu_power") if r["provider"] == "aws" and r["microarchitecture"] == it["microarchitecture"]]
    const = {r["name"]: float(r["value"]) for r in seed_rows("constants")}
    # PUE: eu-west-3 has no 2024 figure of its own; the Europe figure for 2024 applies.
    (pue,) = [float(r["pue"]) for r in seed_rows("pue")
              if r["provider"] == "aws" and r["region_pattern"] == "eu-%" and r["year"] == "2024"]
    (grid,) = [float(r["kgco2e_per_kwh"]) for r in seed_rows("grid_intensity")
               if r["provider"] == "aws" and r["region_id"] == "eu-west-3"
               and int(r["valid_from_year"]) <= 2024 <= int(r["valid_to_year"] or 9999)]

    vcpus, host_vcpus = int(it["vcpus"]), int(it["host_vcpus"])
    watts = float(cp["min_watts_per_vcpu"]) + const["cpu_utilisation"] * (
        float(cp["max_watts_per_vcpu"]) - float(cp["min_watts_per_vcpu"]))
    compute_kwh = hours * vcpus * watts / 1000
    chips = math.ceil(host_vcpus / const["memory_vcpus_per_physical_chip"])
    host_memory = float(it["host_memory_gb"])
    memory_gb = float(it["memory_gb"]) / host_memory * max(host_memory - float(cp["memory_gb_per_chip"]) * chips, 0)
    memory_kwh = hours * memory_gb * const["memory_kwh_per_gb_hour"]
    lifetime_h = 24 * 365 * const.get("host_lifetime_years_aws", const.get("host_lifetime_years"))
    embodied = float(it["host_embodied_kgco2e"]) * hours / lifetime_h * vcpus / host_vcpus

    expected = {
        "vcpu_hours": hours * vcpus,
        "compute_energy_kwh": compute_kwh,
        "memory_energy_kwh": memory_kwh,
        "it_energy_kwh": compute_kwh + memory_kwh,
        "pue": pue,
        "grid_kgco2e_per_kwh": grid,
        "operational_kgco2e": (compute_kwh + memory_kwh) * pue * grid,
        "embodied_kgco2e": embodied,
        "total_kgco2e": (compute_kwh + memory_kwh) * pue * grid + embodied,
    }
    for column, value in expected.items():
        assert math.isclose(row[column], value, rel_tol=1e-9), (column, row[column], value)
    assert row["factor_set"].startswith("default@")
    assert row["method"] == "physical"
    assert row["pue_factor_key"] == "geography:eu-%:2024"
    assert row["microarchitecture"] == it["microarchitecture"] and row["cpu_utilisation"] == const["cpu_utilisation"]
    # Every key on the row resolves to a cited source in marts.dim_factors.
    for kind, key in (("pue", row["pue_factor_key"]), ("grid_intensity", row["grid_factor_key"]),
                      ("instance_type", "m5.xlarge"), ("cpu_power", it["microarchitecture"])):
        (f,) = table(con, "SELECT * FROM marts.dim_factors WHERE factor_set_label = ? AND factor_kind = ? AND factor_key = ? AND provider = 'aws'",
                     [row["factor_set"], kind, key])
        assert f["source"] and f["source_year"] and f["licence"], (kind, key)


def test_unknown_instance_type_is_reported_not_dropped(ran):
    config, _ = ran
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    rows = table(con, "SELECT * FROM marts.fct_unmapped_usage WHERE instance_type = 'x9z.mega'")
    assert rows and all("x9z.mega" in r["unmapped_reason"] for r in rows)
    assert all(r["fallback"] == "spend_based" and r["spend_based_kgco2e"] > 0 for r in rows)
    assert sum(r["effective_cost"] for r in rows) > 0
    assert not table(con, "SELECT 1 FROM marts.fct_instance_emissions WHERE instance_type = 'x9z.mega'")


def test_fees_and_commitments_add_no_energy(ran):
    """Savings-plan fee and negation lines carry cost, never instance-hours: no double counting."""
    config, _ = ran
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    (r,) = table(con, """
        SELECT sum(instance_hours) AS hours FROM marts.fct_instance_emissions
        WHERE billing_month = '2024-01' AND service_code = 'AmazonEC2'""")
    (u,) = table(con, """
        SELECT sum(consumed_quantity) AS hours FROM intermediate.int_billing_usage_daily
        WHERE billing_month = '2024-01' AND is_instance_usage AND line_item_type IN ('Usage', 'SavingsPlanCoveredUsage', 'DiscountedUsage')
          AND instance_type <> 'x9z.mega' AND quarantine_reason IS NULL""")
    assert math.isclose(r["hours"], u["hours"], rel_tol=1e-12)
    (neg,) = table(con, """SELECT count(*) AS n FROM intermediate.int_billing_usage_daily
        WHERE billing_month = '2024-01' AND line_item_type = 'SavingsPlanNegation' AND carries_usage""")
    assert neg["n"] == 0


def test_parquet_marts_match_duckdb(ran):
    config, _ = ran
    con = duckdb.connect()
    pq = config.parquet_dir / "fct_instance_emissions"
    assert sorted(p.name for p in pq.iterdir()) == ["billing_month=2024-01", "billing_month=2024-02"]
    from_parquet = con.execute(
        f"SELECT billing_month, count(*), sum(total_kgco2e) FROM read_parquet('{pq}/*/*.parquet', hive_partitioning = true) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    con.execute(f"ATTACH '{config.duckdb_path}' AS wh (READ_ONLY)")
    from_duckdb = con.execute(
        "SELECT billing_month, count(*), sum(total_kgco2e) FROM wh.marts.fct_instance_emissions GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [(m, n) for m, n, _ in from_parquet] == [(m, n) for m, n, _ in from_duckdb]
    for (_, _, a), (_, _, b) in zip(from_parquet, from_duckdb):
        assert math.isclose(a, b, rel_tol=1e-12)


def test_dagster_job_gives_the_same_tables_as_the_cli(ran, tmp_path, small_cur):
    """What `dagster dev` launches for a partition equals what `carbon-pipeline run` wrote."""
    from carbon_pipeline.config import load_config
    from carbon_pipeline_tests.conftest import write_config

    cli_config, _ = ran
    config = load_config(write_config(tmp_path, str(small_cur)))
    defs = build_definitions(config)
    job = defs.resolve_job_def("monthly_emissions")
    instance = DagsterInstance.ephemeral()
    for key in ("2024-01-01", "2024-02-01"):
        assert job.execute_in_process(partition_key=key, instance=instance).success
    assert snapshot(config.duckdb_path, MART_TABLES) == snapshot(cli_config.duckdb_path, MART_TABLES)


def test_parquet_and_csv_exports_give_the_same_marts(tmp_path_factory):
    """The same CUR as gzip CSV and as Parquet (Athena names, real types) must give the same numbers."""
    from carbon_pipeline.config import load_config
    from carbon_pipeline.sample_data.cur_generator import generate_cur
    from carbon_pipeline_tests.conftest import write_config

    results = {}
    for fmt in ("csv", "parquet"):
        folder = tmp_path_factory.mktemp(fmt)
        generate_cur(folder / "data", start_month="2024-05", months=1, n_instances=12, seed=5, fmt=fmt)
        config = load_config(write_config(folder, str(folder / "data" / "cur")))
        run_pipeline(config)
        results[fmt] = snapshot(config.duckdb_path, ["marts.fct_instance_emissions", "marts.fct_cost_reconciliation"])
    assert results["csv"] == results["parquet"]
    assert results["csv"]["marts.fct_instance_emissions"]


def test_folder_without_manifest_takes_months_from_the_rows(tmp_path):
    """Files exported or copied by hand: no manifest, months read from the usage dates."""
    from carbon_pipeline.config import load_config
    from carbon_pipeline.sample_data.cur_generator import generate_cur
    from carbon_pipeline_tests.conftest import write_config

    generate_cur(tmp_path / "loose", start_month="2024-11", months=2, n_instances=8, seed=9, fmt="csv", with_manifests=False)
    assert not list((tmp_path / "loose").rglob("*Manifest*"))
    config = load_config(write_config(tmp_path, str(tmp_path / "loose")))
    summary = run_pipeline(config)
    assert summary.months == ["2024-11", "2024-12"]
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    rows = table(con, "SELECT billing_month, balanced, lines_in FROM marts.fct_cost_reconciliation ORDER BY 1")
    assert [r["billing_month"] for r in rows] == ["2024-11", "2024-12"]
    assert all(r["balanced"] and r["lines_in"] > 0 for r in rows)
    files = table(con, "SELECT DISTINCT delivery_id, months_from_rows FROM raw.source_files")
    assert files == [{"delivery_id": "no-manifest", "months_from_rows": True}]


def test_dagster_backfill_of_a_partition_range_gives_the_same_tables(ran, tmp_path, small_cur):
    """A UI backfill runs as one run over a partition range (BackfillPolicy.single_run): same tables."""
    from carbon_pipeline.config import load_config
    from carbon_pipeline_tests.conftest import write_config

    cli_config, _ = ran
    config = load_config(write_config(tmp_path, str(small_cur)))
    job = build_definitions(config).resolve_job_def("monthly_emissions")
    result = job.execute_in_process(
        instance=DagsterInstance.ephemeral(),
        tags={"dagster/asset_partition_range_start": "2024-01-01", "dagster/asset_partition_range_end": "2024-02-01"},
    )
    assert result.success
    assert snapshot(config.duckdb_path, MART_TABLES) == snapshot(cli_config.duckdb_path, MART_TABLES)
