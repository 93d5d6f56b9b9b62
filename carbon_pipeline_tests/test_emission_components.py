"""Every component worked by hand: compute, memory, GPU, EBS, S3, transfer, embodied, serverless,
spend-based, and units. A hand-made CUR goes through the real pipeline; the expected figures are
recomputed here in plain Python from the seed CSVs, to 1e-9 relative."""

from __future__ import annotations

import math

import duckdb
import pytest

from carbon_pipeline.orchestrate import run_pipeline
from carbon_pipeline_tests.helpers import seed_rows, table, write_cur_csv

JAN_HOURS = 31 * 24
LINES = [
    dict(product="AmazonEC2", usage_type="EUW3-BoxUsage:m5.xlarge", resource="i-cpu", instance_type="m5.xlarge",
         amount="10", cost="1.92", unit="Hrs"),
    dict(product="AmazonEC2", usage_type="EUW3-BoxUsage:g4dn.xlarge", resource="i-gpu", instance_type="g4dn.xlarge",
         amount="5", cost="3.10", unit="Hrs"),
    dict(product="AmazonEC2", usage_type="EUW3-EBS:VolumeUsage.gp2", resource="vol-ssd", amount="100", cost="11.60", unit="GB-Mo"),
    dict(product="AmazonEC2", usage_type="EUW3-EBS:VolumeUsage.st1", resource="vol-hdd", amount="500", cost="27.00", unit="GB-Mo"),
    dict(product="AmazonS3", usage_type="EUW3-TimedStorage-ByteHrs", resource="bucket-a", amount="2000", cost="48.00", unit="GB-Mo"),
    dict(product="AWSDataTransfer", usage_type="EUW3-DataTransfer-Out-Bytes", resource="i-cpu", amount="50", cost="4.50", unit="GB"),
    dict(product="AWSLambda", usage_type="EUW3-Lambda-GB-Second", resource="fn-a", amount="36000", cost="0.60", unit="Lambda-GB-Second"),
    dict(product="AmazonS3", usage_type="EUW3-TimedStorage-ByteHrs", resource="bucket-odd", amount="7", cost="2.00", unit="Bananas"),
    dict(product="AmazonEC2", usage_type="EUW3-BoxUsage:t3.micro", resource="i-burst", instance_type="t3.micro",
         amount="24", cost="0.27", unit="Hrs"),
    dict(product="AmazonRDS", usage_type="EUW3-InstanceUsage:db.m6i.large", resource="db-a", amount="8", cost="1.50", unit="Hrs"),
    dict(product="AmazonECS", usage_type="EUW3-Fargate-vCPU-Hours:perCPU", resource="task-a", amount="4", cost="0.20", unit="hours"),
    dict(product="AWSSupportBusiness", usage_type="Dollar", type="Fee", amount="1", cost="100.00", unit="Dollar",
         start="2024-01-01T00:00:00Z", end="2024-02-01T00:00:00Z"),
    dict(product="AmazonEC2", usage_type="", type="Tax", amount="1", cost="20.00", unit="",
         start="2024-01-01T00:00:00Z", end="2024-02-01T00:00:00Z"),
]


@pytest.fixture(scope="module")
def emissions(tmp_path_factory):
    from carbon_pipeline.config import load_config
    from carbon_pipeline_tests.conftest import write_config

    folder = tmp_path_factory.mktemp("components")
    write_cur_csv(folder / "cur" / "jan.csv.gz", LINES)
    config = load_config(write_config(folder, str(folder / "cur")))
    run_pipeline(config)
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    rows = table(con, "SELECT * FROM marts.fct_emissions")
    return {(r["resource_id"], r["component"]): r for r in rows}, con


def const(name):
    return {r["name"]: float(r["value"]) for r in seed_rows("constants")}[name]


def unit_row(unit):
    (row,) = [r for r in seed_rows("units") if r["unit"] == unit]
    return row


PUE = 1.11  # AWS Europe 2024 (eu-west-3 has no 2024 figure of its own): checked against the seed below
GRID = [float(r["kgco2e_per_kwh"]) for r in seed_rows("grid_intensity") if r["provider"] == "aws" and r["region_id"] == "eu-west-3"][0]


def test_pue_and_grid_are_the_seed_figures():
    (pue,) = [float(r["pue"]) for r in seed_rows("pue") if r["provider"] == "aws" and r["region_pattern"] == "eu-%" and r["year"] == "2024"]
    assert pue == PUE


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15)


def instance(t):
    (row,) = [r for r in seed_rows("instance_types") if r["provider"] == "aws" and r["instance_type"] == t]
    (cp,) = [r for r in seed_rows("cpu_power") if r["provider"] == "aws" and r["microarchitecture"] == row["microarchitecture"]]
    return row, cp


def test_compute_memory_and_embodied_of_an_instance(emissions):
    by, _ = emissions
    it, cp = instance("m5.xlarge")
    hours, vcpus, host_vcpus = 10, float(it["vcpus"]), float(it["host_vcpus"])
    u = const("cpu_utilisation")
    watts = float(cp["min_watts_per_vcpu"]) + u * (float(cp["max_watts_per_vcpu"]) - float(cp["min_watts_per_vcpu"]))
    compute_kwh = hours * vcpus * watts / 1000
    r = by[("i-cpu", "compute")]
    assert close(r["usage_quantity"], 40) and r["usage_unit"] == "vCPU-hours"
    assert close(r["it_energy_kwh"], compute_kwh)
    assert close(r["operational_kgco2e"], compute_kwh * PUE * GRID)
    assert close(r["it_energy_kwh_low"], compute_kwh * float(cp["low_factor"]))
    assert close(r["it_energy_kwh_high"], compute_kwh * float(cp["high_factor"]))
    assert close(float(r["effective_cost"]), 1.92)

    host_mem = float(it["host_memory_gb"])
    chips = math.ceil(host_vcpus / const("memory_vcpus_per_physical_chip"))
    excess = float(it["memory_gb"]) / host_mem * max(host_mem - float(cp["memory_gb_per_chip"]) * chips, 0)
    m = by[("i-cpu", "memory")]
    assert close(m["it_energy_kwh"], hours * excess * const("memory_kwh_per_gb_hour"))
    assert float(m["effective_cost"]) == 0 and m["line_count"] == 0  # the cost sits on the compute row only

    e = by[("i-cpu", "embodied")]
    lifetime_h = const("host_lifetime_years_aws") * 8760
    assert close(e["embodied_kgco2e"], float(it["host_embodied_kgco2e"]) * hours / lifetime_h * vcpus / host_vcpus)
    assert e["operational_kgco2e"] == 0 and close(e["total_kgco2e"], e["embodied_kgco2e"])


def test_gpu(emissions):
    by, _ = emissions
    it, _ = instance("g4dn.xlarge")
    (gp,) = [r for r in seed_rows("gpu_power") if r["gpu_model"] == it["gpu_model"]]
    u = const("cpu_utilisation")
    watts = float(gp["min_watts"]) + u * (float(gp["max_watts"]) - float(gp["min_watts"]))
    g = by[("i-gpu", "gpu")]
    expected = 5 * float(it["gpu_count"]) * watts / 1000
    assert float(it["gpu_count"]) >= 1 and close(g["it_energy_kwh"], expected)
    assert close(g["operational_kgco2e"], expected * PUE * GRID)


def storage_rule(service, usage_type, unit):
    """The seed's own rule for a storage usage type, found with Python's re (not the pipeline's SQL)."""
    import re

    rules = [r for r in seed_rows("usage_classes")
             if r["service_code"] in ("*", service) and r["unit"] in ("*", unit) and re.search(r["usage_type_regex"], usage_type)]
    return min(rules, key=lambda r: int(r["priority"]))


@pytest.mark.parametrize("resource, service, usage_type, gb_mo", [
    ("vol-ssd", "AmazonEC2", "EUW3-EBS:VolumeUsage.gp2", 100),
    ("vol-hdd", "AmazonEC2", "EUW3-EBS:VolumeUsage.st1", 500),
    ("bucket-a", "AmazonS3", "EUW3-TimedStorage-ByteHrs", 2000),
])
def test_storage(emissions, resource, service, usage_type, gb_mo):
    by, _ = emissions
    r = by[(resource, "storage")]
    rule = storage_rule(service, usage_type, "GB-Mo")
    assert rule["usage_class"] == "storage"
    media, replication = rule["storage_media"], rule["replication_constant"]
    assert (media, replication) == (r["storage_media"], r["replication_constant"])
    assert unit_row("GB-Mo")["month_hours"].lower() == "true"
    gb_hours = gb_mo * float(unit_row("GB-Mo")["multiplier"]) * JAN_HOURS
    assert close(r["usage_quantity"], gb_hours) and r["usage_unit"] == "GB-hours"
    wh = const(f"{media}_wh_per_tb_hour")
    kwh = gb_hours / 1000 * wh / 1000 * const(replication)
    assert close(r["coefficient"], wh) and close(r["replication_factor"], const(replication))
    assert close(r["it_energy_kwh"], kwh) and close(r["operational_kgco2e"], kwh * PUE * GRID)


def test_network_transfer_to_internet(emissions):
    by, _ = emissions
    r = by[("i-cpu", "network")]
    kwh = 50 * const("network_internet_kwh_per_gb")
    assert close(r["it_energy_kwh"], kwh) and close(r["operational_kgco2e"], kwh * PUE * GRID)


def test_lambda_gb_seconds_are_memory_and_vcpu_time(emissions):
    by, _ = emissions
    gb_hours = 36000 * float(unit_row("Lambda-GB-Second")["multiplier"])
    assert close(gb_hours, 10.0)
    memory = by[("fn-a", "memory")]
    compute = by[("fn-a", "compute")]
    assert close(memory["it_energy_kwh"], gb_hours * const("serverless_memory_kwh_per_gb_hour"))
    vcpu_hours = gb_hours * 1024 / const("lambda_mb_per_vcpu")
    assert close(compute["usage_quantity"], vcpu_hours)
    assert close(compute["it_energy_kwh"], vcpu_hours * const("serverless_x86_kwh_per_vcpu_hour"))


def test_spend_based_support_fee(emissions):
    by, _ = emissions
    r = [v for (res, comp), v in by.items() if comp == "spend_based" and v["service_code"] == "AWSSupportBusiness"][0]
    category = r["spend_category"]
    (ratio,) = [float(x["kgco2e_per_keur"]) for x in seed_rows("spend_ratios") if x["category"] == category]
    (rate,) = [float(x["eur_per_unit"]) for x in seed_rows("exchange_rates")
               if x["currency"] == "USD" and x["year"] == "2024" and x["month"] == "1"]
    assert close(r["total_kgco2e"], 100 * rate / 1000 * ratio)
    assert close(r["total_kgco2e_low"], 100 * rate / 1000 * ratio * 0.2)
    assert close(r["total_kgco2e_high"], 100 * rate / 1000 * ratio * 1.8)
    assert r["method"] == "spend_based" and r["operational_kgco2e"] is None


def test_unknown_unit_is_unmapped_not_zero(emissions):
    by, con = emissions
    assert ("bucket-odd", "storage") not in by
    (u,) = table(con, "SELECT * FROM marts.fct_unmapped_usage WHERE consumed_unit = 'Bananas'")
    assert "unit Bananas is not in the units table" in u["unmapped_reason"]
    assert float(u["effective_cost"]) == 2.0 and u["fallback"] == "spend_based"


def test_tax_gets_no_emissions_but_is_reconciled(emissions):
    _, con = emissions
    (rec,) = table(con, "SELECT * FROM marts.fct_cost_reconciliation")
    assert rec["balanced"] and rec["lines_in"] == len(LINES)
    assert float(rec["effective_cost_without_emissions"]) == 20.0
    assert rec["lines_physical"] == 10 and rec["lines_spend_based"] == 2


def test_instance_mart_is_an_aggregate_of_the_fact(emissions):
    by, con = emissions
    (i,) = table(con, "SELECT * FROM marts.fct_instance_emissions WHERE resource_id = 'i-cpu'")
    parts = [by[("i-cpu", c)] for c in ("compute", "memory", "embodied")]
    assert close(i["total_kgco2e"], sum(p["total_kgco2e"] for p in parts))
    assert close(i["it_energy_kwh"], sum(p["it_energy_kwh"] for p in parts))
    assert i["instance_hours"] == 10


def test_managed_instance_falls_back_to_the_ec2_type(emissions):
    """db.m6i.large is not in the catalogue: RDS runs it on m6i.large, whose figures are used."""
    by, _ = emissions
    assert not [r for r in seed_rows("instance_types") if r["instance_type"] == "db.m6i.large"]
    it, cp = instance("m6i.large")
    r = by[("db-a", "compute")]
    watts = float(cp["min_watts_per_vcpu"]) + const("cpu_utilisation") * (float(cp["max_watts_per_vcpu"]) - float(cp["min_watts_per_vcpu"]))
    assert r["instance_type"] == "db.m6i.large" and r["microarchitecture"] == it["microarchitecture"]
    assert close(r["it_energy_kwh"], 8 * float(it["vcpus"]) * watts / 1000)


def test_fargate_vcpu_billed_in_plain_hours(emissions):
    by, _ = emissions
    r = by[("task-a", "compute")]
    assert close(r["usage_quantity"], 4) and close(r["it_energy_kwh"], 4 * const("serverless_x86_kwh_per_vcpu_hour"))


def test_burstable_instance_runs_at_its_published_baseline(emissions):
    by, _ = emissions
    it, cp = instance("t3.micro")
    baseline = const("burstable_baseline_utilisation_t3.micro")
    assert baseline == 0.1 and baseline != const("cpu_utilisation")
    watts = float(cp["min_watts_per_vcpu"]) + baseline * (float(cp["max_watts_per_vcpu"]) - float(cp["min_watts_per_vcpu"]))
    r = by[("i-burst", "compute")]
    assert r["is_burstable"] and r["cpu_utilisation"] == baseline
    assert close(r["it_energy_kwh"], 24 * float(it["vcpus"]) * watts / 1000)
