"""A published month keeps its factor set until --recompute; configuration overrides are traced."""

from __future__ import annotations

import csv
import math
import shutil

import duckdb
import pytest

from carbon_pipeline.config import load_config
from carbon_pipeline.orchestrate import run_pipeline
from carbon_pipeline.paths import FACTOR_SEEDS_DIR
from carbon_pipeline_tests.conftest import write_config
from carbon_pipeline_tests.helpers import table


def _totals(config, month):
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    try:
        (row,) = table(con, "SELECT factor_set, operational_kgco2e, total_kgco2e FROM marts.fct_cost_reconciliation WHERE billing_month = ?", [month])
        sets = {r["factor_set"] for r in table(con, "SELECT DISTINCT factor_set FROM marts.fct_emissions WHERE billing_month = ?", [month])}
        return row, sets
    finally:
        con.close()


def _new_version(tmp_path, pue_europe_2024: float):
    """A copy of factor_seeds/ whose default set is a newer version with another Europe 2024 PUE."""
    seeds = tmp_path / "factor_seeds"
    shutil.copytree(FACTOR_SEEDS_DIR, seeds)
    manifest = seeds / "default" / "factor_set.yaml"
    manifest.write_text(manifest.read_text().replace('version: "2026.11"', 'version: "2099.01"'))
    assert "2099.01" in manifest.read_text()
    path = seeds / "default" / "pue.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if r["provider"] == "aws" and r["region_pattern"] == "eu-%" and r["year"] == "2024":
            r["pue"] = str(pue_europe_2024)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return seeds


def test_published_month_keeps_its_factor_set_until_recompute(small_cur, tmp_path):
    config = load_config(write_config(tmp_path, str(small_cur)))
    run_pipeline(config, ["2024-01"])
    before, sets = _totals(config, "2024-01")
    assert before["factor_set"] == "default@2026.11" and sets == {"default@2026.11"}

    newer = load_config(write_config(tmp_path, str(small_cur), factor_seeds_dir=str(_new_version(tmp_path, 1.5))))
    run_pipeline(newer, ["2024-01", "2024-02"])
    kept, sets = _totals(newer, "2024-01")
    assert kept["factor_set"] == before["factor_set"] and sets == {"default@2026.11"}, "a newer factor set silently rewrote a published month"
    for key in ("operational_kgco2e", "total_kgco2e"):  # same figures (up to parallel-summation noise)
        assert math.isclose(kept[key], before[key], rel_tol=1e-12)
    new_month, _ = _totals(newer, "2024-02")
    assert new_month["factor_set"] == "default@2099.01"

    run_pipeline(newer, ["2024-01"], recompute=True)
    after, sets = _totals(newer, "2024-01")
    assert after["factor_set"] == "default@2099.01" and sets == {"default@2099.01"}
    assert math.isclose(after["operational_kgco2e"], before["operational_kgco2e"] * 1.5 / 1.11, rel_tol=1e-9)


def test_overrides_replace_figures_and_say_so(small_cur, tmp_path):
    overrides = [
        {"factor": "pue", "provider": "aws", "region": "eu-west-3", "value": 1.2, "reason": "insurer's cloud 1 figure (seed 000)"},
        {"factor": "host_lifetime_years", "provider": "aws", "value": 6, "reason": "Boavizta cloud lifetime"},
        {"factor": "grid_intensity", "provider": "aws", "value": 0.1, "reason": "supplier-specific figure"},
    ]
    base = load_config(write_config(tmp_path, str(small_cur)))
    run_pipeline(base, ["2024-01"])
    con = duckdb.connect(str(base.duckdb_path), read_only=True)
    base_rows = {(r["resource_id"], r["usage_date"], r["component"]): r for r in table(con, "SELECT * FROM marts.fct_emissions WHERE usage_class = 'instance'")}
    con.close()

    other = tmp_path / "overridden"
    other.mkdir()
    config = load_config(write_config(other, str(small_cur), overrides=overrides))
    run_pipeline(config, ["2024-01"])
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    rows = table(con, "SELECT * FROM marts.fct_emissions WHERE usage_class = 'instance'")
    assert rows
    for r in rows:
        b = base_rows[(r["resource_id"], r["usage_date"], r["component"])]
        if r["component"] == "embodied":
            assert math.isclose(r["embodied_kgco2e"], b["embodied_kgco2e"] * 4 / 6, rel_tol=1e-9)
            assert r["host_lifetime_hours"] == 6 * 8760
        else:
            assert r["pue"] == 1.2 and r["pue_factor_key"] == "override:eu-west-3"
            assert r["grid_kgco2e_per_kwh"] == 0.1 and r["grid_factor_key"] == "override:*"
            assert math.isclose(r["operational_kgco2e"], b["operational_kgco2e"] * 1.2 / b["pue"] * 0.1 / b["grid_kgco2e_per_kwh"], rel_tol=1e-9)
    sources = {(f["factor_kind"], f["factor_key"]): f["source"] for f in table(con, "SELECT * FROM marts.dim_factors WHERE factor_set_label = '*'")}
    assert sources[("pue", "override:eu-west-3")] == "configuration override: insurer's cloud 1 figure (seed 000)"
    assert sources[("host_lifetime_years", "override:*")] == "configuration override: Boavizta cloud lifetime"


def test_bad_override_names_the_key(tmp_path, small_cur):
    from carbon_pipeline.config import ConfigError

    with pytest.raises(ConfigError, match=r"'overrides\[0\].value': a PUE is at least 1"):
        load_config(write_config(tmp_path, str(small_cur), overrides=[{"factor": "pue", "provider": "aws", "value": 0.9, "reason": "x"}]))
    with pytest.raises(ConfigError, match=r"'overrides\[0\].reason' is required"):
        load_config(write_config(tmp_path, str(small_cur), overrides=[{"factor": "pue", "provider": "aws", "value": 1.3}]))
