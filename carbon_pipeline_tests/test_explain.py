"""`carbon-pipeline explain` prints every factor, its source and the arithmetic, from the marts."""

from __future__ import annotations

import duckdb

from carbon_pipeline.cli import main
from carbon_pipeline.config import load_config
from carbon_pipeline.orchestrate import run_pipeline
from carbon_pipeline_tests.conftest import write_config
from carbon_pipeline_tests.helpers import table


def test_explain_one_instance_day(small_cur, tmp_path, capsys):
    path = write_config(tmp_path, str(small_cur))
    config = load_config(path)
    run_pipeline(config, ["2024-01"])
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    (row,) = table(con, """SELECT * FROM marts.fct_instance_emissions WHERE instance_type = 'm5.xlarge'
                           ORDER BY resource_id, usage_date LIMIT 1""")
    parts = table(con, "SELECT * FROM marts.fct_emissions WHERE resource_id = ? AND usage_date = ?",
                  [row["resource_id"], row["usage_date"]])
    con.close()

    assert main(["explain", row["resource_id"], "--date", str(row["usage_date"]), "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"factor set {row['factor_set']}" in out
    for label in ("[compute]", "[memory]", "[embodied]", "PUE 1.11 [geography:eu-%:2024]", "Ember", "Cloud Carbon Footprint",
                  "CPU Skylake at utilisation 0.5", "W per vCPU", "kgCO2e (bounds"):
        assert label in out, label
    for p in parts:  # every component's result appears as printed by the arithmetic line
        value = p["operational_kgco2e"] if p["component"] != "embodied" else p["embodied_kgco2e"]
        assert f"{value:.9g} kgCO2e" in out
    assert f"TOTAL {sum(p['total_kgco2e'] for p in parts):.9g} kgCO2e" in out


def test_explain_unknown_resource_is_a_clear_error(small_cur, tmp_path, capsys):
    path = write_config(tmp_path, str(small_cur))
    run_pipeline(load_config(path), ["2024-01"])
    assert main(["explain", "i-doesnotexist", "--config", str(path)]) == 1
    assert "no emission rows for resource i-doesnotexist" in capsys.readouterr().err
