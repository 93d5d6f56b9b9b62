"""Every pricing unit the model understands converts explicitly; an unknown unit is unmapped, not zero."""

from __future__ import annotations

import math

import duckdb
import pytest

from carbon_pipeline.config import load_config
from carbon_pipeline.orchestrate import run_pipeline
from carbon_pipeline_tests.conftest import write_config
from carbon_pipeline_tests.helpers import seed_rows, table, write_cur_csv

UNITS = seed_rows("units")
FEB_HOURS = 29 * 24  # 2024 is a leap year: GB-Mo in February is 696 GB-hours per GB


@pytest.fixture(scope="module")
def classified(tmp_path_factory):
    folder = tmp_path_factory.mktemp("units")
    lines = [
        dict(product="AmazonS3", usage_type="EUW3-TimedStorage-ByteHrs", resource=f"r-{i}", amount="123.5",
             cost="1.00", unit=u["unit"], start="2024-02-10T00:00:00Z")
        for i, u in enumerate(UNITS)
    ] + [dict(product="AmazonS3", usage_type="EUW3-TimedStorage-ByteHrs", resource="r-unknown", amount="7",
              cost="1.00", unit="Furlongs", start="2024-02-10T00:00:00Z")]
    write_cur_csv(folder / "cur" / "feb.csv.gz", lines)
    config = load_config(write_config(folder, str(folder / "cur")))
    run_pipeline(config)
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    return {r["resource_id"]: r for r in table(con, "SELECT * FROM intermediate.int_usage_classified")}, con


def test_every_listed_unit_has_an_explicit_conversion():
    units = {u["unit"]: u for u in UNITS}
    for must in ("Hrs", "GB-Mo", "ByteHrs", "GB-Hours", "vCPU-Hours", "GB", "Lambda-GB-Second"):
        assert must in units, must
    assert math.isclose(float(units["ByteHrs"]["multiplier"]), 1 / 2**30, rel_tol=1e-15)
    assert units["GB-Mo"]["month_hours"] == "true" and units["GB-Mo"]["canonical_unit"] == "GB-hours"
    assert math.isclose(float(units["Lambda-GB-Second"]["multiplier"]), 1 / 3600, rel_tol=1e-15)


@pytest.mark.parametrize("unit", UNITS, ids=[u["unit"] for u in UNITS])
def test_unit_conversion(classified, unit):
    rows, _ = classified
    row = rows[f"r-{UNITS.index(unit)}"]
    hours = FEB_HOURS if unit["month_hours"] == "true" else 1
    assert row["canonical_unit"] == unit["canonical_unit"]
    assert math.isclose(row["model_quantity"], 123.5 * float(unit["multiplier"]) * hours, rel_tol=1e-12)


def test_storage_class_only_accepts_storage_units(classified):
    rows, _ = classified
    for i, unit in enumerate(UNITS):
        issue = rows[f"r-{i}"]["classification_issue"]
        if unit["canonical_unit"] == "GB-hours":
            assert issue is None or "no physical model" in issue or "no usage class rule" in issue, (unit, issue)
        else:
            assert issue and "but storage usage needs GB-hours" in issue, (unit, issue)


def test_unknown_unit_is_unmapped_not_zero(classified):
    rows, con = classified
    assert rows["r-unknown"]["model_quantity"] is None
    assert rows["r-unknown"]["classification_issue"] == "unit Furlongs is not in the units table"
    assert not table(con, "SELECT 1 FROM marts.fct_emissions WHERE resource_id = 'r-unknown' AND method = 'physical'")
    (u,) = table(con, "SELECT * FROM marts.fct_unmapped_usage WHERE consumed_unit = 'Furlongs'")
    assert u["unmapped_reason"] == "unit Furlongs is not in the units table" and float(u["effective_cost"]) == 1.0
