"""Checks on the emission-factor seed sets in factor_seeds/<name>/ (read with DuckDB, as the pipeline does).

Run: python -m pytest carbon_pipeline_tests/test_factor_seeds.py -q
"""

from __future__ import annotations

import filecmp
import math
import os
import re
from pathlib import Path

import duckdb
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
SEEDS = REPO_ROOT / "factor_seeds"
SETS = sorted(p.parent.name for p in SEEDS.glob("*/factor_set.yaml"))

# The contract: exact columns of each CSV.
COLUMNS = {
    "instance_types.csv": ["provider", "instance_type", "vcpus", "memory_gb", "gpu_count", "gpu_model", "cpu_name",
                           "microarchitecture", "host_vcpus", "host_memory_gb", "host_embodied_kgco2e", "source",
                           "source_year", "licence"],
    "cpu_power.csv": ["provider", "microarchitecture", "min_watts_per_vcpu", "max_watts_per_vcpu",
                      "memory_gb_per_chip", "unit", "valid_from_year", "valid_to_year", "source", "source_year",
                      "licence", "low_factor", "high_factor"],
    "pue.csv": ["provider", "scope", "region_pattern", "year", "pue", "low", "high", "unit", "source", "source_year",
                "licence"],
    "grid_intensity.csv": ["provider", "region_id", "country", "valid_from_year", "valid_to_year", "kgco2e_per_kwh",
                           "kgco2e_per_kwh_market", "low", "high", "unit", "source", "source_year", "licence"],
    "constants.csv": ["name", "value", "unit", "low", "high", "source", "source_year", "licence"],
    # addition to the contract
    "gpu_power.csv": ["gpu_model", "min_watts", "max_watts", "unit", "source", "source_year", "licence"],
    # billing-line classification and spend-based fallback (read by the SQL under these names)
    "usage_classes.csv": ["provider", "service_code", "usage_type_regex", "unit", "priority", "usage_class",
                          "instance_type_regex", "storage_media", "replication_constant", "network_scope", "note",
                          "source", "source_year", "licence"],
    "units.csv": ["unit", "quantity_kind", "canonical_unit", "multiplier", "month_hours", "note", "source",
                  "source_year", "licence"],
    "spend_rules.csv": ["provider", "line_item_type", "service_code", "billing_entity", "priority", "spend_category",
                        "reason", "source", "source_year", "licence"],
    "spend_ratios.csv": ["category", "kgco2e_per_keur", "low", "high", "unit", "source", "source_year", "licence"],
    "exchange_rates.csv": ["currency", "year", "month", "eur_per_unit", "source", "source_year", "licence"],
}
BILLING_FILES = ["usage_classes.csv", "units.csv", "spend_rules.csv", "spend_ratios.csv", "exchange_rates.csv"]
REQUIRED_FILES = ["instance_types.csv", "cpu_power.csv", "pue.csv", "grid_intensity.csv", "constants.csv"] + \
    BILLING_FILES
KEYS = {
    "instance_types.csv": ["provider", "instance_type"],
    "cpu_power.csv": ["provider", "microarchitecture"],
    "pue.csv": ["provider", "region_pattern", "year"],
    "grid_intensity.csv": ["provider", "region_id", "valid_from_year"],
    "constants.csv": ["name"],
    "gpu_power.csv": ["gpu_model"],
    "usage_classes.csv": ["provider", "priority"],
    "units.csv": ["unit"],
    "spend_rules.csv": ["provider", "priority"],
    "spend_ratios.csv": ["category"],
    "exchange_rates.csv": ["currency", "year", "month"],
}
# numeric columns: (name, required, integer, allow_zero)
NUMERIC = {
    "instance_types.csv": [("vcpus", True, True, False), ("memory_gb", True, False, False),
                           ("gpu_count", True, True, True), ("host_vcpus", True, True, False),
                           ("host_memory_gb", True, False, False), ("host_embodied_kgco2e", True, False, False),
                           ("source_year", True, True, False)],
    "cpu_power.csv": [("min_watts_per_vcpu", True, False, False), ("max_watts_per_vcpu", True, False, False),
                      ("memory_gb_per_chip", False, False, False),  # empty only for CCF's GCP rows
                      ("valid_from_year", True, True, False),
                      ("valid_to_year", False, True, False), ("source_year", True, True, False),
                      ("low_factor", False, False, False), ("high_factor", False, False, False)],
    "pue.csv": [("year", True, True, False), ("pue", True, False, False), ("low", False, False, False),
                ("high", False, False, False), ("source_year", True, True, False)],
    "grid_intensity.csv": [("valid_from_year", True, True, False), ("valid_to_year", False, True, False),
                           ("kgco2e_per_kwh", True, False, False), ("kgco2e_per_kwh_market", False, False, False),
                           ("low", False, False, False), ("high", False, False, False),
                           ("source_year", True, True, False)],
    "constants.csv": [("value", True, False, False), ("low", False, False, False), ("high", False, False, False),
                      ("source_year", True, True, False)],
    "gpu_power.csv": [("min_watts", True, False, False), ("max_watts", True, False, False),
                      ("source_year", True, True, False)],
    "usage_classes.csv": [("priority", True, True, False), ("source_year", True, True, False)],
    "units.csv": [("multiplier", True, False, False), ("source_year", True, True, False)],
    "spend_rules.csv": [("priority", True, True, False), ("source_year", True, True, False)],
    "spend_ratios.csv": [("kgco2e_per_keur", True, False, False), ("low", False, False, False),
                         ("high", False, False, False), ("source_year", True, True, False)],
    "exchange_rates.csv": [("year", True, True, False), ("month", False, True, False),
                           ("eur_per_unit", True, False, False), ("source_year", True, True, False)],
}
# value column bracketed by low/high (when present)
RANGED = {"pue.csv": "pue", "grid_intensity.csv": "kgco2e_per_kwh", "constants.csv": "value",
          "spend_ratios.csv": "kgco2e_per_keur"}

REQUIRED_INSTANCES = {  # instance type -> (vCPUs, memory GiB), AWS documentation
    "t3.micro": (2, 1), "t3.medium": (2, 4), "t3.large": (2, 8), "m5.large": (2, 8), "m5.xlarge": (4, 16),
    "m5.2xlarge": (8, 32), "m6i.large": (2, 8), "m6i.xlarge": (4, 16), "m6i.2xlarge": (8, 32), "c5.large": (2, 4),
    "c5.xlarge": (4, 8), "c5.2xlarge": (8, 16), "c6i.xlarge": (4, 8), "r5.large": (2, 16), "r5.xlarge": (4, 32),
    "r5.2xlarge": (8, 64), "r6g.large": (2, 16), "m6g.xlarge": (4, 16), "c6g.xlarge": (4, 8),
}

# Resolution rules documented in factor_seeds/README.md, as SQL the pipeline can reuse.
PUE_RESOLVE_SQL = """
with candidates as (
    select pue, year,
           case scope when 'region' then 3 when 'geography' then 2 else 1 end as specificity
    from pue
    where provider = $provider and $region like region_pattern
)
select pue, year, specificity from candidates
order by (year = $year) desc,          -- 1. a row for the usage year, at any level...
         (year < $year) desc,          -- 2. ...else the nearest earlier year, else the earliest later one
         abs(year - $year),
         specificity desc              -- most specific level first: region > geography > global
limit 1
"""
GRID_RESOLVE_SQL = """
select kgco2e_per_kwh, valid_from_year from grid
where provider = $provider and region_id = $region
order by ($year between valid_from_year and coalesce(valid_to_year, 9999)) desc,
         (valid_from_year <= $year) desc,
         case when valid_from_year <= $year then $year - valid_from_year else valid_from_year - $year end
limit 1
"""


INTEGER_COLUMNS = {"vcpus", "gpu_count", "host_vcpus", "source_year", "valid_from_year", "valid_to_year", "year",
                   "priority", "month"}
TEXT_COLUMNS = {"provider", "instance_type", "gpu_model", "cpu_name", "microarchitecture", "source", "licence",
                "unit", "scope", "region_pattern", "region_id", "country", "name",
                "service_code", "usage_type_regex", "usage_class", "instance_type_regex", "storage_media",
                "replication_constant", "network_scope", "note", "quantity_kind", "canonical_unit", "month_hours",
                "line_item_type", "billing_entity", "spend_category", "reason", "category", "currency"}


def duckdb_types(f: str) -> dict[str, str]:
    """Explicit column types for read_csv (what the pipeline should use too: no type sniffing)."""
    return {c: "VARCHAR" if c in TEXT_COLUMNS else "INTEGER" if c in INTEGER_COLUMNS else "DOUBLE"
            for c in COLUMNS[f]}


def _con(set_name: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for f in COLUMNS:
        path = SEEDS / set_name / f
        if path.exists():
            con.execute(f"create table raw_{f[:-4]} as select * from read_csv(?, header=true, all_varchar=true, "
                        f"delim=',', quote='\"')", [str(path)])
            cols = ", ".join(f"'{c}': '{t}'" for c, t in duckdb_types(f).items())
            con.execute(f"create table {f[:-4].replace('grid_intensity', 'grid')} as select * from read_csv(?, "
                        f"header=true, delim=',', quote='\"', columns={{{cols}}})", [str(path)])
    return con


@pytest.fixture(scope="module", params=SETS)
def seed_set(request):
    con = _con(request.param)
    yield request.param, con
    con.close()


def test_sets_exist():
    assert "default" in SETS, "factor_seeds/default/factor_set.yaml is missing"
    assert (SEEDS / "README.md").is_file()
    notice = (SEEDS / "NOTICE").read_text(encoding="utf-8")
    assert "Cloud Carbon Footprint" in notice and "Apache License" in notice


def test_factor_set_yaml(seed_set):
    name, _ = seed_set
    meta = yaml.safe_load((SEEDS / name / "factor_set.yaml").read_text(encoding="utf-8"))
    assert meta["name"] == name
    assert isinstance(meta["version"], str) and meta["version"]
    assert isinstance(meta["description"], str) and meta["description"]
    assert isinstance(meta["notes"], list) and meta["notes"] and all(isinstance(n, str) and n for n in meta["notes"])


def test_files_and_columns(seed_set):
    name, con = seed_set
    for f in REQUIRED_FILES:
        assert (SEEDS / name / f).is_file(), f"{name}/{f} missing"
    for f in sorted(p.name for p in (SEEDS / name).glob("*.csv")):
        assert f in COLUMNS, f"{name}/{f}: unknown CSV (add it to the contract)"
        cols = [r[0] for r in con.execute(f"describe raw_{f[:-4]}").fetchall()]
        assert cols == COLUMNS[f], f"{name}/{f}: columns {cols}"
        raw = (SEEDS / name / f).read_bytes()
        raw.decode("utf-8")  # UTF-8
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{name}/{f}: BOM"
        n = con.execute(f"select count(*) from raw_{f[:-4]}").fetchall()[0][0]
        assert n > 0, f"{name}/{f} is empty"


def test_provenance_columns_non_empty(seed_set):
    name, con = seed_set
    for f, cols in COLUMNS.items():
        if not (SEEDS / name / f).exists():
            continue
        for col in ("source", "source_year", "licence", "unit"):
            if col not in cols:
                continue
            bad = con.execute(f"select count(*) from raw_{f[:-4]} where coalesce(trim({col}), '') = ''").fetchall()
            assert bad[0][0] == 0, f"{name}/{f}: {bad[0][0]} rows with empty {col}"
        bad = con.execute(f"select count(*) from raw_{f[:-4]} where try_cast(source_year as integer) "
                          f"not between 1990 and 2030").fetchall()[0][0]
        assert bad == 0, f"{name}/{f}: implausible source_year"


def test_numeric_values_parse_and_are_positive(seed_set):
    name, con = seed_set
    for f, specs in NUMERIC.items():
        if not (SEEDS / name / f).exists():
            continue
        for col, required, integer, allow_zero in specs:
            # switch constants (unit 'flag') are 0 or 1, checked in test_switch_constants
            where = " where unit <> 'flag'" if f == "constants.csv" else ""
            rows = con.execute(f"select {col} from raw_{f[:-4]}{where}").fetchall()
            for (v,) in rows:
                if v is None or v.strip() == "":
                    assert not required, f"{name}/{f}: empty {col}"
                    continue
                x = float(v)  # raises if it does not parse
                assert math.isfinite(x), f"{name}/{f}: {col}={v}"
                assert x > 0 or (allow_zero and x == 0), f"{name}/{f}: {col}={v} not positive"
                if integer:
                    assert x == int(x) and "." not in v, f"{name}/{f}: {col}={v} not an integer"


def test_ranges_bracket_values(seed_set):
    name, con = seed_set
    for f, col in RANGED.items():
        t = "raw_" + f[:-4]
        bad = con.execute(f"""select count(*) from {t} where
            (nullif(low, '') is not null and cast(low as double) > cast({col} as double)) or
            (nullif(high, '') is not null and cast(high as double) < cast({col} as double))""").fetchall()[0][0]
        assert bad == 0, f"{name}/{f}: {bad} rows with {col} outside [low, high]"
    bad = con.execute("""select count(*) from raw_cpu_power where
        cast(min_watts_per_vcpu as double) > cast(max_watts_per_vcpu as double)
        or (nullif(low_factor, '') is not null and cast(low_factor as double) > 1)
        or (nullif(high_factor, '') is not null and cast(high_factor as double) < 1)""").fetchall()[0][0]
    assert bad == 0


def test_no_duplicate_keys(seed_set):
    name, con = seed_set
    for f, key in KEYS.items():
        if not (SEEDS / name / f).exists():
            continue
        k = ", ".join(key)
        dups = con.execute(f"select {k}, count(*) from raw_{f[:-4]} group by all having count(*) > 1").fetchall()
        assert not dups, f"{name}/{f}: duplicate keys {dups[:5]}"


def test_units(seed_set):
    name, con = seed_set
    assert con.execute("select distinct unit from raw_cpu_power").fetchall() == [("W per vCPU",)]
    assert con.execute("select distinct unit from raw_pue").fetchall() == [("ratio",)]
    assert con.execute("select distinct unit from raw_grid_intensity").fetchall() == [("kgCO2e/kWh",)]
    scopes = {r[0] for r in con.execute("select distinct scope from raw_pue").fetchall()}
    assert scopes <= {"global", "geography", "region"}
    provs = {r[0] for r in con.execute("select provider from raw_instance_types union select provider from raw_pue "
                                       "union select provider from raw_grid_intensity").fetchall()}
    assert provs <= {"aws", "azure", "gcp"}


def test_instance_microarchitecture_exists_in_cpu_power(seed_set):
    name, con = seed_set
    missing = con.execute("""select i.provider, i.instance_type, i.microarchitecture from instance_types i
        anti join cpu_power c on c.provider = i.provider and c.microarchitecture = i.microarchitecture""").fetchall()
    assert not missing, f"{name}: {len(missing)} instance types without cpu_power row, e.g. {missing[:5]}"


def test_instances_fit_on_their_host(seed_set):
    name, con = seed_set
    bad = con.execute("""select provider, instance_type, vcpus, host_vcpus, memory_gb, host_memory_gb
        from instance_types where vcpus > host_vcpus or memory_gb > host_memory_gb + 1e-9""").fetchall()
    assert not bad, f"{name}: instances larger than their host: {bad[:5]}"
    bad = con.execute("select instance_type from instance_types where gpu_count > 0 and coalesce(gpu_model, '') = '' "
                      "or gpu_count = 0 and coalesce(gpu_model, '') <> '' "
                      "and gpu_model not like '%(partition %'").fetchall()
    assert not bad, f"{name}: gpu_count/gpu_model inconsistent: {bad[:5]}"


def test_required_instance_types(seed_set):
    name, con = seed_set
    for t, (vcpus, mem) in REQUIRED_INSTANCES.items():
        rows = con.execute("select vcpus, memory_gb from instance_types where provider = 'aws' and instance_type = ?",
                           [t]).fetchall()
        assert rows, f"{name}: {t} missing"
        assert rows[0][0] == vcpus, f"{name}: {t} has {rows[0][0]} vCPUs, expected {vcpus}"
        assert rows[0][1] == pytest.approx(mem), f"{name}: {t} has {rows[0][1]} GB, expected {mem}"


def test_grid_values_plausible(seed_set):
    name, con = seed_set
    bad = con.execute("select provider, region_id, kgco2e_per_kwh from grid where kgco2e_per_kwh >= 1.5 "
                      "or kgco2e_per_kwh_market >= 1.5").fetchall()
    if name == "ccf":  # CCF sums member regions for GCP dual/multi-regions (a documented CCF defect)
        bad = [b for b in bad if b[0] == "gcp" and b[1] not in ("asia", "europe", "us", "asia1", "eur4", "nam4")]
    assert not bad, f"{name}: implausible grid factors {bad}"
    bad = con.execute("select * from pue where pue < 1 or pue > 3").fetchall()
    assert not bad


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025, 2026])
def test_eu_west_3_resolves(seed_set, year):
    name, con = seed_set
    pue = con.execute(PUE_RESOLVE_SQL, {"provider": "aws", "region": "eu-west-3", "year": year}).fetchall()
    grid = con.execute(GRID_RESOLVE_SQL, {"provider": "aws", "region": "eu-west-3", "year": year}).fetchall()
    assert pue and pue[0][0] >= 1, f"{name}: no PUE for eu-west-3 {year}"
    assert grid and 0 < grid[0][0] < 1, f"{name}: no grid factor for eu-west-3 {year}"
    if name == "default":
        assert pue[0][0] == pytest.approx(1.35 if year >= 2025 else 1.11)
        assert grid[0][0] == pytest.approx(0.056)


def test_default_pue_resolution_rule():
    con = _con("default")
    r = lambda region, year: con.execute(PUE_RESOLVE_SQL, {"provider": "aws", "region": region,  # noqa: E731
                                                           "year": year}).fetchall()[0][0]
    assert r("eu-central-1", 2024) == pytest.approx(1.35)   # region row
    assert r("eu-south-1", 2023) == pytest.approx(1.11)     # geography
    assert r("sa-east-1", 2025) == pytest.approx(1.14)      # global
    assert r("sa-east-1", 2021) == pytest.approx(1.15)      # earliest later year (2022)
    assert r("ap-south-1", 2030) == pytest.approx(1.40)     # nearest earlier year, most specific
    assert r("ca-central-1", 2024) == pytest.approx(1.14)   # North America geography
    for provider, value in (("azure", 1.18), ("gcp", 1.10)):
        got = con.execute(PUE_RESOLVE_SQL, {"provider": provider, "region": "anything", "year": 2025}).fetchall()
        assert got[0][0] == pytest.approx(value)


def test_default_specific_figures():
    con = _con("default")
    q = lambda sql, *a: con.execute(sql, list(a)).fetchall()  # noqa: E731
    for region, value, low, high in (("eu-west-3", 0.056, 0.0511, 0.098), ("eu-west-1", 0.291, 0.2786, 0.384),
                                     ("eu-central-1", 0.381, 0.311, 0.422)):
        got = q("select kgco2e_per_kwh, low, high from grid where provider='aws' and region_id=?", region)[0]
        assert got == pytest.approx((value, low, high))
    assert q("select kgco2e_per_kwh from grid where provider='aws' and region_id='us-east-1'")[0][0] == \
        pytest.approx(0.415755)
    const = dict(q("select name, value from constants"))
    expected = {"memory_kwh_per_gb_hour": 0.000392, "cpu_utilisation": 0.5, "ssd_wh_per_tb_hour": 1.2,
                "hdd_wh_per_tb_hour": 0.65, "network_kwh_per_gb": 0.001, "replication_s3": 6, "replication_ebs": 2,
                "replication_ebs_snapshot": 3, "replication_efs": 3, "host_lifetime_years": 4}
    for k, v in expected.items():
        assert const[k] == pytest.approx(v), k
    # embodied of CCF's original AWS file = CCF 'total' (kg per host)
    assert q("select host_embodied_kgco2e from instance_types where instance_type='m5.xlarge'")[0][0] == \
        pytest.approx(1610.79)
    # 2026-only type: mtCO2eq x 1000
    assert q("select host_embodied_kgco2e from instance_types where instance_type='c6i.xlarge'")[0][0] == \
        pytest.approx(900)


# ------------------------------------------------------------------------------------------------------------
# Billing-line tables: usage_classes.csv, units.csv, spend_rules.csv, spend_ratios.csv, exchange_rates.csv.
# Resolution rules documented in factor_seeds/README.md ("Billing lines"), as SQL the pipeline can reuse.
# ------------------------------------------------------------------------------------------------------------

USAGE_CLASSES = {"instance", "storage", "network", "lambda", "fargate_vcpu", "fargate_memory", "no_physical_model"}
# The lowest matching priority wins; a physical class then needs a unit of units.csv whose canonical unit it
# accepts (a time unit on a per-GB / per-vCPU usage type: Lambda-GB-Second in 'seconds', Fargate in 'hours'),
# else the line is reported unmapped - never a zero.
USAGE_CLASS_RESOLVE_SQL = """
with winner as (
    select l.line_id, l.usage_type, l.unit, c.priority, c.usage_class, c.storage_media, c.replication_constant,
           c.network_scope, c.instance_type_regex
    from lines l
    join usage_classes c
      on c.provider = l.provider
     and (c.service_code = '*' or c.service_code = l.service_code)
     and (c.unit = '*' or c.unit = l.unit)
     and regexp_matches(coalesce(l.usage_type, ''), c.usage_type_regex)
    qualify row_number() over (partition by l.line_id order by c.priority) = 1
)
select w.* exclude (instance_type_regex, usage_type, unit),
       u.unit is not null as unit_known, u.canonical_unit, u.multiplier, u.month_hours,
       w.usage_class = 'no_physical_model'
         or (w.usage_class = 'instance' and u.canonical_unit = 'hours')
         or (w.usage_class = 'storage' and u.canonical_unit = 'GB-hours')
         or (w.usage_class = 'network' and u.canonical_unit = 'GB')
         or (w.usage_class in ('lambda', 'fargate_memory') and u.canonical_unit in ('GB-hours', 'hours'))
         or (w.usage_class = 'fargate_vcpu' and u.canonical_unit in ('vCPU-hours', 'hours')) as unit_fits,
       nullif(regexp_extract(w.usage_type, w.instance_type_regex, 1), '') as catalogue_type
from winner w
left join units u on u.unit = w.unit
order by w.line_id
"""
SPEND_RULE_RESOLVE_SQL = """
select l.line_id, r.priority, r.spend_category, r.reason
from lines l
join spend_rules r
  on r.provider = l.provider
 and (r.line_item_type = '*' or r.line_item_type = l.line_item_type)
 and (r.service_code = '*' or l.service_code like r.service_code)
 and (r.billing_entity = '*' or r.billing_entity = l.billing_entity)
qualify row_number() over (partition by l.line_id order by r.priority) = 1
order by l.line_id
"""
CUR_LINE_ITEM_TYPES = ["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation",
                       "SavingsPlanUpfrontFee", "SavingsPlanRecurringFee", "RIFee", "Fee", "Tax", "Credit", "Refund",
                       "EdpDiscount", "BundledDiscount", "PrivateRateDiscount", "DistributorDiscount"]  # BILLING.md

# (service_code, usage_type) samples for every instance_type_regex row: the capture must be a catalogue key
INSTANCE_USAGE_SAMPLES = [
    ("AmazonRDS", "EUW3-InstanceUsage:db.m5.large"), ("AmazonRDS", "InstanceUsage:db.t3.micro"),
    ("AmazonRDS", "EUW3-Multi-AZUsage:db.r5.large"), ("AmazonDocDB", "EUW3-InstanceUsage:db.r5.large"),
    ("AmazonElastiCache", "EUW3-NodeUsage:cache.r5.large"), ("AmazonElastiCache", "NodeUsage:cache.m5.large"),
    ("AmazonES", "EUW3-ESInstance:r5.large.elasticsearch"), ("AmazonES", "EUW3-ESInstance:m5.large"),
    ("ElasticMapReduce", "APN1-BoxUsage:m5.xlarge"),
]

# (service_code, usage_type, pricing unit) -> expected (usage_class, storage_media, replication_constant,
# network_scope, catalogue instance type) per set; None = empty.
_I, _S, _N, _X = "instance", "storage", "network", "no_physical_model"
USAGE_CASES = [
    # line                                                        default                                ccf
    (("AmazonEC2", "EUW3-BoxUsage:m5.xlarge", "Hrs"), (_I, None, None, None, None), (_I, None, None, None, None)),
    (("AmazonEC2", "BoxUsage:m5.xlarge", "Hrs"), (_I, None, None, None, None), (_I, None, None, None, None)),
    (("AmazonEC2", "USW2-SpotUsage:m5zn.2xlarge", "Hours"), (_I, None, None, None, None),
     (_I, None, None, None, None)),
    (("AmazonEC2", "EUW3-DedicatedUsage:m5.large", "Hrs"), (_I, None, None, None, None),
     (_I, None, None, None, None)),
    (("AmazonEC2", "EUW3-HostUsage:m5", "Hrs"), (_I, None, None, None, None), (_I, None, None, None, None)),
    (("AmazonEC2", "EUW3-HostBoxUsage:m5.large", "Hrs"), (_X,) + (None,) * 4, (_X,) + (None,) * 4),
    (("AmazonEC2", "EUW3-EBSOptimized:c5.2xlarge", "Hrs"), (_X,) + (None,) * 4, (_I, None, None, None, None)),
    (("AmazonEC2", "APE1-CPUCredits:t3", "vCPU-Hours"), (_X,) + (None,) * 4,
     ("fargate_vcpu", None, None, None, None)),
    (("ElasticMapReduce", "APN1-BoxUsage:m5.xlarge", "Hrs"), (_X,) + (None,) * 4,
     (_I, None, None, None, "m5.xlarge")),
    (("AmazonRDS", "EUW3-InstanceUsage:db.m5.large", "Hrs"), (_I, None, None, None, "db.m5.large"),
     (_I, None, None, None, "m5.large")),
    (("AmazonRDS", "EUW3-Multi-AZUsage:db.r5.large", "Hrs"), (_I, None, "replication_rds_multi_az", None,
                                                             "db.r5.large"),
     (_I, None, "replication_rds_multi_az", None, "r5.large")),
    (("AmazonDocDB", "EUW3-InstanceUsage:db.r5.large", "Hrs"), (_I, None, None, None, "db.r5.large"),
     (_I, None, "replication_documentdb_storage", None, "r5.large")),
    (("AmazonElastiCache", "EUW3-NodeUsage:cache.r5.large", "Hrs"), (_I, None, None, None, "cache.r5.large"),
     (_I, None, None, None, "r5.large")),
    (("AmazonES", "EUW3-ESInstance:r5.large.elasticsearch", "Hrs"),
     (_I, None, None, None, "r5.large.elasticsearch"), (_I, None, None, None, "r5.large")),
    # EBS
    (("AmazonEC2", "EUW3-EBS:VolumeUsage.gp2", "GB-Mo"), (_S, "ssd", "replication_ebs", None, None),
     (_S, "ssd", "replication_ebs", None, None)),
    (("AmazonEC2", "EUW3-EBS:VolumeUsage.gp3", "GB-Mo"), (_S, "ssd", "replication_ebs", None, None),
     (_S, "ssd", "replication_ebs", None, None)),
    (("AmazonEC2", "EUW3-EBS:VolumeUsage.piops", "GB-Mo"), (_S, "ssd", "replication_ebs", None, None),
     (_S, "ssd", "replication_ebs", None, None)),
    (("AmazonEC2", "EUW3-EBS:VolumeUsage.io2", "GB-Mo"), (_S, "ssd", "replication_ebs", None, None),
     (_S, "ssd", "replication_ebs", None, None)),
    (("AmazonEC2", "EUW3-EBS:VolumeUsage.st1", "GB-Mo"), (_S, "hdd", "replication_ebs", None, None),
     (_S, "hdd", "replication_ebs", None, None)),
    (("AmazonEC2", "EUW3-EBS:VolumeUsage.sc1", "GB-Mo"), (_S, "hdd", "replication_ebs", None, None),
     (_S, "hdd", "replication_ebs", None, None)),
    (("AmazonEC2", "EUW3-EBS:VolumeUsage", "GB-Mo"), (_S, "hdd", "replication_ebs", None, None),
     (_S, "hdd", "replication_ebs", None, None)),
    (("AmazonEC2", "USW1-EBS:SnapshotUsage", "GB-Mo"), (_S, "hdd", "replication_ebs_snapshot", None, None),
     (_S, "hdd", "replication_ebs_snapshot", None, None)),
    (("AmazonEC2", "EUW3-EBS:VolumeP-IOPS.piops", "IOPS-Mo"), (_X,) + (None,) * 4, (_X,) + (None,) * 4),
    # S3
    (("AmazonS3", "EUN1-TimedStorage-ByteHrs", "GB-Mo"), (_S, "hdd", "replication_s3", None, None),
     (_S, "hdd", "replication_s3", None, None)),
    (("AmazonS3", "EUW3-TimedStorage-SIA-ByteHrs", "GB-Mo"), (_S, "hdd", "replication_s3", None, None),
     (_S, "hdd", "replication_s3", None, None)),
    (("AmazonS3", "TimedStorage-ZIA-ByteHrs", "GB-Mo"), (_S, "hdd", "replication_s3_one_zone_or_rrs", None, None),
     (_S, "hdd", "replication_s3_one_zone_or_rrs", None, None)),
    (("AmazonS3", "TimedStorage-RRS-ByteHrs", "GB-Mo"), (_S, "hdd", "replication_s3_one_zone_or_rrs", None, None),
     (_S, "hdd", "replication_s3_one_zone_or_rrs", None, None)),
    (("AmazonS3", "EUW3-TimedStorage-INT-FA-ByteHrs", "GB-Mo"), (_S, "hdd", "replication_s3", None, None),
     (_S, "hdd", "replication_s3", None, None)),
    (("AmazonS3", "EUW3-TimedStorage-INT-AA-ByteHrs", "GB-Mo"), (_S, "hdd", "replication_s3", None, None),
     (_X,) + (None,) * 4),  # not in CCF's lists: no estimate in CCF
    (("AmazonS3", "EUW3-TimedStorage-GlacierByteHrs", "GB-Mo"), (_S, "hdd", "replication_s3", None, None),
     (_S, "hdd", "replication_s3", None, None)),
    (("AmazonS3", "EUW3-TimedStorage-GDA-ByteHrs", "GB-Mo"), (_S, "hdd", "replication_s3", None, None),
     (_S, "hdd", "replication_s3", None, None)),
    (("AmazonS3", "EUW3-EarlyDelete-SIA", "GB-Mo"), (_X,) + (None,) * 4, (_S, "hdd", "replication_s3", None, None)),
    (("AmazonS3", "EUW3-Requests-Tier1", "Requests"), (_X,) + (None,) * 4, (_X,) + (None,) * 4),
    (("AmazonS3", "USE1-BytesDeleted-STANDARD", "GB"), (_X,) + (None,) * 4, (_X,) + (None,) * 4),
    # EFS
    (("AmazonEFS", "EU-TimedStorage-ByteHrs", "GB-Mo"), (_S, "ssd", "replication_efs", None, None),
     (_S, "ssd", "replication_efs", None, None)),
    (("AmazonEFS", "EUW3-TimedStorage-Z-ByteHrs", "GB-Mo"), (_S, "ssd", "replication_efs_one_zone", None, None),
     (_S, "ssd", "replication_efs", None, None)),  # CCF's rule looks for 'ZIA', not '-Z-'
    # RDS / Aurora
    (("AmazonRDS", "RDS:GP2-Storage", "GB-Mo"), (_S, "ssd", None, None, None), (_S, "ssd", None, None, None)),
    (("AmazonRDS", "EUW3-RDS:GP3-Storage", "GB-Mo"), (_S, "ssd", None, None, None), (_S, "ssd", None, None, None)),
    (("AmazonRDS", "EUW3-RDS:PIOPS-Storage", "GB-Mo"), (_S, "ssd", None, None, None),
     (_S, "ssd", None, None, None)),
    (("AmazonRDS", "EUC1-RDS:Multi-AZ-GP2-Storage", "GB-Mo"), (_S, "ssd", "replication_rds_multi_az", None, None),
     (_S, "ssd", "replication_rds_multi_az", None, None)),
    (("AmazonRDS", "APS3-Aurora:StorageUsage", "GB-Mo"), (_S, "ssd", "replication_rds_aurora", None, None),
     (_S, "ssd", "replication_rds_aurora", None, None)),
    (("AmazonRDS", "EUW3-RDS:ChargedBackupUsage", "GB-Mo"), (_S, "hdd", "replication_rds_backup", None, None),
     (_S, "hdd", "replication_rds_backup", None, None)),
    (("AmazonRDS", "APS3-Aurora:BackupUsage", "GB-Mo"), (_S, "hdd", "replication_rds_backup", None, None),
     (_S, "hdd", "replication_rds_backup", None, None)),
    (("AmazonRDS", "RDS:StorageUsage", "GB-Mo"), (_S, "hdd", None, None, None), (_S, "hdd", None, None, None)),
    (("AmazonRDS", "USE2-Aurora:ServerlessUsage", "ACU-Hr"), (_X,) + (None,) * 4,
     ("fargate_vcpu", None, "replication_rds_aurora", None, None)),
    # other databases
    (("AmazonDynamoDB", "EUW3-TimedStorage-ByteHrs", "GB-Mo"), (_S, "ssd", "replication_dynamodb", None, None),
     (_S, "ssd", "replication_dynamodb", None, None)),
    (("AmazonDynamoDB", "APS1-TimedBackupStorage-ByteHrs", "GB-Mo"),
     (_S, "hdd", "replication_dynamodb", None, None), (_S, "hdd", "replication_dynamodb", None, None)),
    (("AmazonDocDB", "APS3-BackupUsage", "GB-Mo"), (_S, "hdd", "replication_documentdb_backup", None, None),
     (_S, "hdd", "replication_documentdb_backup", None, None)),
    (("AmazonECR", "EUW3-TimedStorage-ByteHrs", "GB-Mo"), (_S, "hdd", "replication_ecr_storage", None, None),
     (_S, "hdd", "replication_ecr_storage", None, None)),
    (("AmazonCloudWatch", "EUW3-TimedStorage-ByteHrs", "GB-Mo"), (_S, "ssd", None, None, None),
     (_S, "hdd", None, None, None)),
    (("AmazonES", "USE2-ES:GP2-Storage", "GB-Mo"), (_S, "ssd", None, None, None), (_S, "ssd", None, None, None)),
    # network
    (("AWSDataTransfer", "EUW3-DataTransfer-Out-Bytes", "GB"), (_N, None, None, "internet", None),
     (_N, None, None, "internet", None)),  # CCF's code counts internet egress (its methodology says it does not)
    (("AWSDataTransfer", "EUW3-DataTransfer-In-Bytes", "GB"), (_N, None, None, "internet", None),
     (_X,) + (None,) * 4),
    (("AmazonEC2", "EUW3-DataTransfer-Regional-Bytes", "GB"), (_N, None, None, "intra_region", None),
     (_N, None, None, "intra_region", None)),
    (("AmazonEC2", "USW2-USE1-AWS-Out-Bytes", "GB"), (_N, None, None, "inter_region", None),
     (_N, None, None, "inter_region", None)),
    (("AmazonEC2", "EUW3-USE1-AWS-In-Bytes", "GB"), (_X,) + (None,) * 4, (_X,) + (None,) * 4),
    (("AmazonCloudFront", "US-DataTransfer-Out-Bytes", "GB"), (_N, None, None, "internet", None),
     (_X,) + (None,) * 4),
    (("AmazonEC2", "USE2-NatGateway-Bytes", "GB"), (_X,) + (None,) * 4, (_X,) + (None,) * 4),
    # serverless
    (("AWSLambda", "Lambda-GB-Second", "seconds"), ("lambda",) + (None,) * 4, ("lambda",) + (None,) * 4),
    (("AWSLambda", "EUW3-Lambda-GB-Second", "Lambda-GB-Second"), ("lambda",) + (None,) * 4,
     ("lambda",) + (None,) * 4),
    (("AWSLambda", "Lambda-GB-Second-ARM", "Lambda-GB-Second"), ("lambda",) + (None,) * 4,
     ("lambda",) + (None,) * 4),
    (("AWSLambda", "EUW3-Request", "Requests"), (_X,) + (None,) * 4, (_X,) + (None,) * 4),
    (("AmazonECS", "APN1-Fargate-vCPU-Hours:perCPU", "hours"), ("fargate_vcpu",) + (None,) * 4,
     ("fargate_vcpu",) + (None,) * 4),
    (("AmazonECS", "APN1-Fargate-GB-Hours", "GB-Hours"), ("fargate_memory",) + (None,) * 4,
     ("fargate_memory",) + (None,) * 4),
    (("AmazonEKS", "EUW3-Fargate-GB-Hours", "hours"), ("fargate_memory",) + (None,) * 4,
     ("fargate_memory",) + (None,) * 4),
    (("AmazonECS", "EUW3-Fargate-ARM-vCPU-Hours:perCPU", "hours"), ("fargate_vcpu",) + (None,) * 4,
     (_X,) + (None,) * 4),
    (("AmazonECS", "APN1-ECS-EC2-GB-Hours", "GB-Hours"), (_X,) + (None,) * 4, (_X,) + (None,) * 4),
    (("AWSGlue", "APS1-Crawler-DPU-Hour", "DPU-Hour"), (_X,) + (None,) * 4, ("fargate_vcpu",) + (None,) * 4),
    # everything else
    (("AmazonCloudWatch", "EUW3-CW:MetricMonitorUsage", "Metrics"), (_X,) + (None,) * 4, (_X,) + (None,) * 4),
    (("AWSSupportBusiness", "Dollar", "Dollar"), (_X,) + (None,) * 4, (_X,) + (None,) * 4),
    (("AmazonEC2", "USE2-NatGateway-Hours", "Hrs"), (_X,) + (None,) * 4, (_X,) + (None,) * 4),
]


def _resolve_usage(con, lines):
    con.execute("create or replace temp table lines (line_id integer, provider varchar, service_code varchar, "
                "usage_type varchar, unit varchar)")
    con.executemany("insert into lines values (?, 'aws', ?, ?, ?)", [(i, *ln) for i, ln in enumerate(lines)])
    cols = [d[0] for d in con.execute(USAGE_CLASS_RESOLVE_SQL).description]
    return [dict(zip(cols, r)) for r in con.execute(USAGE_CLASS_RESOLVE_SQL).fetchall()]


def test_billing_tables_are_in_every_set():
    for name in SETS:
        for f in BILLING_FILES:
            assert (SEEDS / name / f).is_file(), f"{name}/{f} missing"


def test_usage_classes_rows_are_consistent(seed_set):
    name, con = seed_set
    const = {r[0] for r in con.execute("select name from constants").fetchall()}
    units = {r[0] for r in con.execute("select unit from units").fetchall()}
    rows = con.execute("select priority, service_code, usage_type_regex, unit, usage_class, instance_type_regex, "
                       "storage_media, replication_constant, network_scope from usage_classes").fetchall()
    for prio, svc, rx, unit, cls, itr, media, rep, scope in rows:
        where = f"{name}/usage_classes.csv priority {prio}"
        assert cls in USAGE_CLASSES, f"{where}: usage_class {cls!r}"
        assert svc and rx and unit, f"{where}: service_code, usage_type_regex and unit are required ('*' for any)"
        assert unit == "*" or unit in units, f"{where}: unit {unit!r} is not in units.csv"
        con.execute("select regexp_matches('x', ?)", [rx]).fetchall()  # compiles in DuckDB (RE2)
        assert (media in ("ssd", "hdd")) == (cls == "storage") and (media is None or cls == "storage"), \
            f"{where}: storage_media {media!r} for {cls}"
        assert (scope in ("internet", "inter_region", "intra_region")) == (cls == "network") and \
            (scope is None or cls == "network"), f"{where}: network_scope {scope!r} for {cls}"
        if cls == "network":
            assert f"network_{scope}_kwh_per_gb" in const, f"{where}: constant network_{scope}_kwh_per_gb missing"
        if rep:
            assert rep in const, f"{where}: replication_constant {rep!r} is not a constants.csv row"
        if itr:
            assert cls == "instance", f"{where}: instance_type_regex on a {cls} row"
            assert re.compile(itr).groups == 1, f"{where}: instance_type_regex needs exactly one capture group"
            con.execute("select regexp_extract('x', ?, 1)", [itr]).fetchall()
        elif cls == "instance":
            assert svc == "AmazonEC2", f"{where}: a managed-service instance row needs an instance_type_regex"
    # a final catch-all: any service, any unit, any (even empty) usage type, no physical model
    last = con.execute("select service_code, unit, usage_class, regexp_matches('', usage_type_regex) "
                       "from usage_classes order by priority desc limit 1").fetchall()[0]
    assert last == ("*", "*", "no_physical_model", True), f"{name}: the last usage_classes row must be a catch-all"


def test_instance_type_regex_captures_catalogue_keys(seed_set):
    name, con = seed_set
    keys = {r[0] for r in con.execute("select instance_type from instance_types where provider = 'aws'").fetchall()}
    for prio, svc, rx, itr in con.execute("select priority, service_code, usage_type_regex, instance_type_regex "
                                          "from usage_classes where instance_type_regex <> ''").fetchall():
        samples = [ut for s, ut in INSTANCE_USAGE_SAMPLES if s == svc and re.search(rx, ut)]
        assert samples, f"{name}: no sample usage type in INSTANCE_USAGE_SAMPLES for row {prio} ({svc} {rx})"
        for ut in samples:
            key = con.execute("select regexp_extract(?, ?, 1)", [ut, itr]).fetchall()[0][0]
            assert key in keys, f"{name}: row {prio} captures {key!r} from {ut!r}, not an instance_types.csv key"


@pytest.mark.parametrize("case", USAGE_CASES, ids=[" ".join(c[0]) for c in USAGE_CASES])
def test_usage_class_resolution(seed_set, case):
    name, con = seed_set
    line, expected = case[0], {"default": case[1], "ccf": case[2]}.get(name)
    if expected is None:
        pytest.skip(f"no expectation for set {name}")
    got = _resolve_usage(con, [line])[0]
    assert (got["usage_class"], got["storage_media"], got["replication_constant"], got["network_scope"],
            got["catalogue_type"]) == expected, f"{name}: {line} -> {got}"
    if got["usage_class"] != "no_physical_model":
        assert got["unit_known"] and got["unit_fits"], f"{name}: {line[2]!r} should convert for {got['usage_class']}"


def test_unknown_or_unfit_unit_is_reported_not_zero(seed_set):
    name, con = seed_set
    got = _resolve_usage(con, [("AmazonEC2", "EUW3-BoxUsage:m5.large", "Fortnights"),
                               ("AmazonS3", "EUW3-TimedStorage-ByteHrs", "PB-Decade"),
                               ("AmazonS3", "EUW3-TimedStorage-ByteHrs", "Hrs")])
    # a storage line in hours: reported in default; the ccf set reproduces CCF, which reads any hours line as compute
    # and finds no instance type in it (0 kWh): no physical model
    third = ("no_physical_model", True, True) if name == "ccf" else ("storage", True, False)
    assert [(g["usage_class"], g["unit_known"], g["unit_fits"]) for g in got] == \
        [("instance", False, None), ("storage", False, None), third]


def test_units_table_contract(seed_set):
    name, con = seed_set
    kinds = {"time": "hours", "storage_time": "GB-hours", "memory_time": "GB-hours", "data": "GB",
             "vcpu_time": "vCPU-hours"}
    rows = {r[0]: r[1:] for r in con.execute(
        "select unit, quantity_kind, canonical_unit, multiplier, month_hours from units").fetchall()}
    for unit, (kind, canonical, mult, month_hours) in rows.items():
        assert kinds.get(kind) == canonical, f"{name}: {unit}: {kind} -> {canonical}"
        assert month_hours in ("true", "false"), f"{name}: {unit}: month_hours {month_hours!r}"
        per_month = kind == "storage_time" and re.search(r"(?i)-mo|-mp", unit) is not None
        assert (month_hours == "true") == per_month, f"{name}: {unit}: month_hours {month_hours}"
        assert not re.search(r"(?i)request|count|quer|event|metric|alarm", unit), f"{name}: {unit} is not a quantity"
    gbmo = rows["GB-Mo"]
    assert gbmo == ("storage_time", "GB-hours", 1.0, "true")
    for unit in ("Hrs", "Hours", "hours", "GB", "GB-Hours", "GB-Mo", "GB-Month", "vCPU-Hours", "Lambda-GB-Second"):
        assert unit in rows, f"{name}: unit {unit} missing"
    assert rows["Lambda-GB-Second"][2] == pytest.approx(1 / 3600, rel=1e-15)
    if name == "default":
        assert rows["ByteHrs"][2] == 1 / 1073741824  # exact: 2^-30
        assert rows["TB-Mo"][2] == 1024 and rows["TB-Mo"][3] == "true"
    elif "ByteHrs" in rows:
        assert rows["ByteHrs"][2] == 1 / 1073741824


def test_spend_ratios(seed_set):
    name, con = seed_set
    got = {r[0]: r[1:] for r in con.execute("select category, kgco2e_per_keur, low, high, unit "
                                            "from spend_ratios").fetchall()}
    expected = {"it_services": 75, "telecommunications": 136, "electronics": 216, "software_publishing": 96}
    assert set(got) == set(expected)
    for cat, value in expected.items():
        v, lo, hi, unit = got[cat]
        assert (v, lo, hi) == pytest.approx((value, 0.2 * value, 1.8 * value)), cat
        assert unit == "kgCO2e per k€ excl. VAT"


def _resolve_spend(con, lines):
    con.execute("create or replace temp table lines (line_id integer, provider varchar, line_item_type varchar, "
                "service_code varchar, billing_entity varchar)")
    con.executemany("insert into lines values (?, 'aws', ?, ?, ?)", [(i, *ln) for i, ln in enumerate(lines)])
    return [r[2] for r in con.execute(SPEND_RULE_RESOLVE_SQL).fetchall()]


def test_spend_rules(seed_set):
    name, con = seed_set
    cats = {r[0] for r in con.execute("select category from spend_ratios").fetchall()}
    for prio, cat, reason in con.execute("select priority, spend_category, reason from spend_rules").fetchall():
        assert cat is None or cat in cats, f"{name}: spend rule {prio}: category {cat!r} not in spend_ratios.csv"
        assert reason, f"{name}: spend rule {prio} has no reason"
    # every CUR line item type of BILLING.md is matched, whatever the service and billing entity
    for t in CUR_LINE_ITEM_TYPES:
        for svc, entity in (("AmazonEC2", "AWS"), ("SomeNewService", "AWS"), ("abc123marketplace", "AWS Marketplace")):
            assert len(_resolve_spend(con, [(t, svc, entity)])) == 1, f"{name}: no spend rule for {t} {svc} {entity}"
    last = con.execute("select line_item_type, service_code, billing_entity, spend_category from spend_rules "
                       "order by priority desc limit 1").fetchall()[0]
    assert last[:3] == ("*", "*", "*") and last[3], f"{name}: the last spend rule must be a catch-all"
    cases = [
        (("Tax", "AmazonEC2", "AWS"), None), (("Tax", "abc123", "AWS Marketplace"), None),
        (("Credit", "AmazonS3", "AWS"), None), (("Refund", "AmazonEC2", "AWS"), None),
        (("EdpDiscount", "AmazonEC2", "AWS"), None), (("SavingsPlanNegation", "AmazonEC2", "AWS"), None),
        (("SavingsPlanRecurringFee", "ComputeSavingsPlans", "AWS"), None),
        (("SavingsPlanUpfrontFee", "ComputeSavingsPlans", "AWS"), None), (("RIFee", "AmazonRDS", "AWS"), None),
        (("Fee", "AmazonEC2", "AWS"), None),
        (("Fee", "AWSSupportBusiness", "AWS"), "it_services"), (("Usage", "AWSDeveloperSupport", "AWS"), "it_services"),
        (("Usage", "abc123marketplace", "AWS Marketplace"), "software_publishing"),
        (("Usage", "AmazonCloudWatch", "AWS"), "it_services"),
        (("SavingsPlanCoveredUsage", "AWSLambda", "AWS"), "it_services"),
        (("DiscountedUsage", "AmazonRedshift", "AWS"), "it_services"),
        (("Usage", "AWSDataTransfer", "AWS"), "telecommunications"),
        (("Usage", "AWSDirectConnect", "AWS"), "telecommunications"),
        (("Fee", "AmazonRoute53", "AWS"), "it_services"),
    ]
    got = _resolve_spend(con, [c[0] for c in cases])
    assert got == [c[1] for c in cases], f"{name}: {list(zip([c[0] for c in cases], got))}"


def test_exchange_rates(seed_set):
    name, con = seed_set
    rows = con.execute("select currency, year, month, eur_per_unit from exchange_rates").fetchall()
    for cur, year, month, rate in rows:
        assert re.fullmatch(r"[A-Z]{3}", cur), f"{name}: currency {cur!r}"
        assert month is None or 1 <= month <= 12
    usd_m = {(y, m): r for c, y, m, r in rows if c == "USD" and m is not None}
    for y in (2023, 2024, 2025):
        for m in range(1, 13):
            assert (y, m) in usd_m, f"{name}: USD {y}-{m:02d} missing"
            assert 0.8 < usd_m[(y, m)] < 1.0, f"{name}: USD {y}-{m:02d} = {usd_m[(y, m)]} EUR"
    usd_a = {y: r for c, y, m, r in rows if c == "USD" and m is None}
    for y in (2022, 2023, 2024, 2025):
        assert y in usd_a and 0.8 < usd_a[y] < 1.0, f"{name}: USD annual {y}"
        if y >= 2023:  # the annual average is close to the mean of the monthly averages
            assert usd_a[y] == pytest.approx(sum(usd_m[(y, m)] for m in range(1, 13)) / 12, rel=0.005)
    eur = {y: r for c, y, m, r in rows if c == "EUR"}
    assert all(eur.get(y) == 1 for y in (2022, 2023, 2024, 2025)) and all(v == 1 for v in eur.values())


def test_switch_and_network_constants(seed_set):
    name, con = seed_set
    const = {r[0]: (r[1], r[2]) for r in con.execute("select name, value, unit from raw_constants").fetchall()}
    for flag, ccf_value in (("memory_excess_per_chip", "1"), ("burstable_memory_excluded", "1")):
        assert flag in const and const[flag][1] == "flag", f"{name}: switch {flag} missing"
        assert const[flag][0] == (ccf_value if name == "ccf" else "0"), f"{name}: {flag} = {const[flag][0]}"
    assert all(v in ("0", "1") for v, u in const.values() if u == "flag")
    for scope in ("internet", "inter_region", "intra_region"):
        assert f"network_{scope}_kwh_per_gb" in const
    expected = {"default": {"internet": 0.059, "inter_region": 0.0015, "intra_region": 0.001},
                "ccf": {"internet": 0.001, "inter_region": 0.001, "intra_region": 0.001}}.get(name, {})
    for scope, v in expected.items():
        assert float(const[f"network_{scope}_kwh_per_gb"][0]) == pytest.approx(v), f"{name}: {scope}"


def test_factor_set_notes_document_billing_tables(seed_set):
    name, _ = seed_set
    notes = " ".join(yaml.safe_load((SEEDS / name / "factor_set.yaml").read_text(encoding="utf-8"))["notes"])
    for word in ("usage_classes.csv", "units.csv", "spend_rules.csv", "spend_ratios.csv", "exchange_rates.csv",
                 "memory_excess_per_chip", "burstable_memory_excluded", "GB-Mo"):
        assert word in notes, f"{name}/factor_set.yaml notes do not mention {word}"


def _ccf_replication(service, ut):
    """packages/aws/src/lib/ReplicationFactors.ts, restated (S3 uses containsAny: word boundaries)."""
    def wb(*subs):
        return any(re.search(rf"\b{re.escape(s)}\b", ut) for s in subs)
    rules = {
        "AmazonS3": [(wb("TimedStorage-ZIA", "EarlyDelete-ZIA", "TimedStorage-RRS"), "replication_s3_one_zone_or_rrs"),
                     (wb("TimedStorage", "EarlyDelete"), "replication_s3")],
        "AmazonEC2": [("VolumeUsage" in ut, "replication_ebs"), ("SnapshotUsage" in ut, "replication_ebs_snapshot")],
        "AmazonEFS": [("ZIA" in ut, "replication_efs_one_zone"), (True, "replication_efs")],
        "AmazonRDS": [("BackupUsage" in ut, "replication_rds_backup"), ("Aurora" in ut, "replication_rds_aurora"),
                      ("Multi-AZ" in ut, "replication_rds_multi_az")],
        "AmazonDocDB": [("BackupUsage" in ut, "replication_documentdb_backup"),
                        (True, "replication_documentdb_storage")],
        "AmazonDynamoDB": [(True, "replication_dynamodb")],
        "AmazonECR": [("TimedStorage" in ut, "replication_ecr_storage")],
        "AmazonElastiCache": [("BackupUsage" in ut, "replication_elasticache_backup")],
        "AmazonSimpleDB": [("TimedStorage" in ut, "replication_simpledb")],
    }
    return next((const for ok, const in rules.get(service, []) if ok), None)


def test_ccf_usage_classes_agree_with_ccf_logic():
    """The generated ccf rows give, for storage and data-transfer lines, what CCF's CostAndUsageReports.ts decides."""
    repo = os.environ.get("CARBON_PIPELINE_CCF_REPO")
    if not repo or "ccf" not in SETS:
        pytest.skip("set CARBON_PIPELINE_CCF_REPO to a checkout of cloud-carbon-footprint (release-2024-02-11)")
    from carbon_pipeline.factors.build_seeds import CcfSources, ccf_known_units, ts_string_array
    src = CcfSources(Path(repo))
    L = {n: ts_string_array(src.text["aws_cur_types"], n) for n in (
        "SSD_SERVICES", "SSD_USAGE_TYPES", "HDD_USAGE_TYPES", "NETWORKING_USAGE_TYPES", "UNKNOWN_USAGE_TYPES",
        "UNSUPPORTED_USAGE_TYPES")}
    known = ccf_known_units(src)
    storage_units = {u for k, u in known.items() if k.startswith("GB_MONTH") or k == "GB_HOURS"}
    data_units = {known["GB_1"], known["GB_2"]}

    def ccf(service, ut, unit):
        ends = lambda lst: any(ut.endswith(e) for e in lst)  # noqa: E731
        if ends(L["UNSUPPORTED_USAGE_TYPES"]) or any(e in ut for e in L["UNSUPPORTED_USAGE_TYPES"]):
            return ("no_physical_model", None, None, None)
        if ends(L["UNKNOWN_USAGE_TYPES"]) or any(e in ut for e in L["UNKNOWN_USAGE_TYPES"]):
            return ("no_physical_model", None, None, None)
        if unit in storage_units:
            if ends(L["SSD_USAGE_TYPES"]) or (service in L["SSD_SERVICES"] and "Backup" not in ut):
                media = "ssd"
            elif ends(L["HDD_USAGE_TYPES"]):
                media = "hdd"
            else:
                return ("no_physical_model", None, None, None)
            return ("storage", media, _ccf_replication(service, ut), None)
        if unit in data_units:
            if ends(L["NETWORKING_USAGE_TYPES"]) and service != "AmazonCloudFront":
                return ("network", None, None, "any")
            return ("no_physical_model", None, None, None)
        return None

    services = sorted(set(L["SSD_SERVICES"]) | {"AmazonS3", "AmazonEC2", "AmazonEFS", "AmazonRDS", "AmazonDocDB",
                                                 "AmazonDynamoDB", "AmazonECR", "AmazonElastiCache",
                                                 "AmazonSimpleDB", "AmazonCloudWatch", "AWSDataTransfer",
                                                 "AmazonCloudFront", "AWSBackup", "AmazonRedshift"})
    skip = re.compile(r"Fargate|Lambda|ECS-EC2|EMR-EKS")  # decided by literal rows (serverless, unsupported)
    suffixes = [e for e in L["SSD_USAGE_TYPES"] + L["HDD_USAGE_TYPES"] + L["NETWORKING_USAGE_TYPES"]
                if not skip.search(e)] + ["StorageUsage", "Requests-Tier1", "TimedStorage-INT-AA-ByteHrs"]
    prefixes = ["", "EUW3-", "EUW3-Multi-AZ-", "EUW3-Aurora:", "EUW3-Backup-", "EUW3-ZIA-", "EUW3-TimedStorage-",
                "EUW3-VolumeUsage-", "EUW3-BackupUsage-"]
    units = ["GB-Mo", "GB-Hours", "GB"]
    lines = [(s, p + e, u) for s in services for p in prefixes for e in suffixes for u in units]
    con = _con("ccf")
    # USAGE_CLASS_RESOLVE_SQL row by row (one constant regex per query: fast on ~40,000 lines)
    con.execute("create or replace temp table grid (line_id integer, service_code varchar, usage_type varchar, "
                "unit varchar)")
    con.executemany("insert into grid values (?, ?, ?, ?)", [(i, *ln) for i, ln in enumerate(lines)])
    con.execute("create or replace temp table won (line_id integer, priority integer)")
    for prio, svc, unit, rx in con.execute("select priority, service_code, unit, usage_type_regex from "
                                           "usage_classes order by priority").fetchall():
        con.execute(f"""insert into won select line_id, {prio} from grid g
            where line_id not in (select line_id from won) and (? = '*' or g.service_code = ?)
              and (? = '*' or g.unit = ?) and regexp_matches(g.usage_type, '{rx.replace("'", "''")}')""",
                    [svc, svc, unit, unit])
    got = dict(((r[0], r[1:]) for r in con.execute(
        "select w.line_id, c.usage_class, c.storage_media, c.replication_constant, c.network_scope "
        "from won w join usage_classes c using (priority)").fetchall()))
    bad = []
    for i, line in enumerate(lines):
        want = ccf(*line)
        cls, media, rep, scope = got[i]
        have = (cls, media, rep, "any" if scope else None)
        if want is not None and have != want:
            bad.append((line, want, have))
    assert not bad, f"{len(bad)} of {len(lines)} lines differ from CCF's logic, e.g. {bad[:5]}"


def _reference_dir() -> Path | None:
    env = os.environ.get("CARBON_PIPELINE_REFERENCE")
    for cand in ([Path(env)] if env else []) + [REPO_ROOT.parent / "shared" / "reference"]:
        if (cand / "ccf_coefficients" / "data").is_dir():
            return cand
    return None


def test_default_set_is_reproducible(tmp_path):
    """Re-running the build script on the reference data gives byte-identical files."""
    ref = _reference_dir()
    if ref is None:
        pytest.skip("shared/reference not available (set CARBON_PIPELINE_REFERENCE)")
    pytest.importorskip("moto")
    from carbon_pipeline.factors.build_seeds import main
    out = tmp_path / "default"
    assert main(["--reference", str(ref), "--out", str(out)]) == 0
    committed = SEEDS / "default"
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in committed.iterdir() if p.suffix in (".csv", ".yaml"))
    for n in names:
        assert filecmp.cmp(out / n, committed / n, shallow=False), f"default/{n} differs from a fresh build"


# ------------------------------------------------------------------------------------------------------------
# Cloud Carbon Footprint's own test expectations, reproduced from the `ccf` set (see factor_seeds/ccf/README.md).
# A minimal re-implementation of CCF's AWS arithmetic, quirks included, fed only by factor_seeds/ccf/*.csv.
# ------------------------------------------------------------------------------------------------------------

class MiniCCF:
    def __init__(self, con):
        self.con = con
        self.const = dict(con.execute("select name, value from constants").fetchall())
        self.pue = con.execute("select pue from pue where provider='aws' and scope='global'").fetchall()[0][0]
        self.ef = {r: v / 1000 for r, v in con.execute(  # metric t / kWh, as CCF computes
            "select region_id, kgco2e_per_kwh from grid where provider='aws'").fetchall()}

    def _type(self, t):
        cols = "vcpus, memory_gb, gpu_count, gpu_model, microarchitecture, host_vcpus, host_memory_gb, " \
               "host_embodied_kgco2e"
        row = self.con.execute(f"select {cols} from instance_types where provider='aws' and instance_type=?",
                               [t]).fetchall()[0]
        return dict(zip([c.strip() for c in cols.split(",")], row))

    def _watts(self, table, key_col, key):
        """Average watts at the CCF utilisation: min + u x (max - min)."""
        cols = "min_watts_per_vcpu, max_watts_per_vcpu" if table == "cpu_power" else "min_watts, max_watts"
        where = f"{key_col} = ?" + (" and provider = 'aws'" if table == "cpu_power" else "")
        lo, hi = self.con.execute(f"select {cols} from {table} where {where}", [key]).fetchall()[0]
        return lo + self.const["cpu_utilisation"] * (hi - lo)

    def ec2(self, t, hours, region, vcpus_report=None):
        """CostAndUsageReports.getEstimateByUsageUnit for an instance-hours row: (kWh, metric t CO2e)."""
        it = self._type(t)
        ef = self.ef[region]
        burst = self.const.get(f"ccf_burstable_baseline_utilisation_{t}")
        if burst is not None:  # CostAndUsageReportsRow.getBurstableInstanceVCPu
            vcpu_hours = it["vcpus"] * burst / self.const["cpu_utilisation"] * hours
        else:
            vcpu_hours = (vcpus_report or it["vcpus"]) * hours
        kwh_cpu = self._watts("cpu_power", "microarchitecture", it["microarchitecture"]) * vcpu_hours * self.pue / 1000
        if it["gpu_count"]:
            gpu_watts = self._watts("gpu_power", "gpu_model", it["gpu_model"])
            kwh_cpu += gpu_watts * it["gpu_count"] * hours * self.pue / 1000
        kwh_mem = 0.0
        if burst is None:  # AWSMemoryEstimatesBuilder + core/memory/helpers.ts
            family = t.split(".")[0]
            chips = self.const.get(f"memory_physical_chips_{family}") or \
                math.ceil(it["host_vcpus"] / self.const["memory_vcpus_per_physical_chip"])
            gb_chip = self.con.execute("select memory_gb_per_chip from cpu_power where provider='aws' and "
                                       "microarchitecture=?", [it["microarchitecture"]]).fetchall()[0][0]
            delta = it["host_memory_gb"] / chips - gb_chip
            if delta > 0:
                gb_hours = delta / (it["host_memory_gb"] / it["memory_gb"]) * hours
                kwh_mem = gb_hours * self.const["memory_kwh_per_gb_hour"] * self.pue
        # CostAndUsageReports.getEmbodiedEmissions + EmbodiedEmissionsEstimator (defects included)
        te_t = it["host_embodied_kgco2e"] / 1000
        lifespan = self.const["host_lifetime_hours"]
        co2e_emb = te_t * ((hours / it["vcpus"]) / lifespan) * (it["vcpus"] / it["host_vcpus"])
        kwh_emb = co2e_emb / ef  # embodied CO2e turned into kWh and added to energy
        return kwh_cpu + kwh_mem + kwh_emb, (kwh_cpu + kwh_mem) * ef + co2e_emb

    def storage(self, tb_hours, region, ssd, replication):
        kwh = tb_hours * self.const["ssd_wh_per_tb_hour" if ssd else "hdd_wh_per_tb_hour"] * self.pue * \
            self.const[replication] / 1000
        return kwh, kwh * self.ef[region]

    def lambda_(self, seconds, region, arch):
        """Lambda GB-seconds taken as vCPU-seconds (CostAndUsageReports.ts, KNOWN_USAGE_UNITS.LAMBDA_SECONDS)."""
        kwh = self._watts("cpu_power", "microarchitecture", arch) * seconds / 3600 * self.pue / 1000
        return kwh, kwh * self.ef[region]


def _gb_month_to_tb_hours(gb_month, days):  # common/src/helpers/unitConversion.ts
    return gb_month / 1000 * 24 * days


# (file, test name, what) -> callable(MiniCCF) returning (kWh, t CO2e), expected (kWh, t CO2e)
CCF_EXPECTATIONS = [
    ("t2.micro, 2 h, us-east-2 (burstable, embodied)", lambda m: m.ec2("t2.micro", 2, "us-east-2", 1),
     (0.026714859604492512, 0.000010969335072481462)),
    ("EMR m5.xlarge, 6 h, us-west-1 (compute+memory+embodied)", lambda m: m.ec2("m5.xlarge", 6, "us-west-1", 4),
     (0.10945715186127536, 0.0000352634822436915)),
    ("m5zn.2xlarge spot, 12 h, ca-central-1", lambda m: m.ec2("m5zn.2xlarge", 12, "ca-central-1", 8),
     (0.33106708843226795, 0.00003972805061187215)),
    ("t3.2xlarge, 88 h, us-west-1 (burstable)", lambda m: m.ec2("t3.2xlarge", 88, "us-west-1", 8),
     (3.0426203211844607, 0.000980231861015034)),
    ("memory test: m5zn.2xlarge spot, 12 h, us-west-1", lambda m: m.ec2("m5zn.2xlarge", 12, "us-west-1", 8),
     (0.28091908460355086, 0.00009050285872947217)),
    ("memory test: t3.micro 17 h + m5.xlarge 15 h + c5d.4xlarge 13 h (vCPUs 2 in the CUR), us-east-1",
     lambda m: tuple(map(sum, zip(m.ec2("t3.micro", 17, "us-east-1", 2), m.ec2("m5.xlarge", 15, "us-east-1", 2),
                                  m.ec2("c5d.4xlarge", 13, "us-east-1", 2)))),
     (0.6467023123425776, 0.00024514479883738853)),
    ("GPU p3dn.24xlarge, 24 h, us-east-1", lambda m: m.ec2("p3dn.24xlarge", 24, "us-east-1", 96),
     (50.97439130876038, 0.01932281153902049)),
    ("GPU p4d.24xlarge, 48 h, us-east-2", lambda m: m.ec2("p4d.24xlarge", 48, "us-east-2", 96),
     (133.44240742861564, 0.054792520029449)),
    ("EBS gp2 3 GB-Mo (Oct 2020), us-east-1",
     lambda m: m.storage(_gb_month_to_tb_hours(3, 31), "us-east-1", True, "replication_ebs"),
     (0.006079968000000001, 0.0000023047273897920002)),
    ("EBS snapshot 5 GB-Mo (Oct 2020), us-west-1",
     lambda m: m.storage(_gb_month_to_tb_hours(5, 31), "us-west-1", False, "replication_ebs_snapshot"),
     (0.00823329, 0.00000265249433943)),
    ("RDS Multi-AZ GP2 25 GB-Mo (Jan 2021), eu-central-1",
     lambda m: m.storage(_gb_month_to_tb_hours(25, 31), "eu-central-1", True, "replication_rds_multi_az"),
     (0.0506664, 0.000015757250400000002)),
    ("S3 TimedStorage-ByteHrs 123456789 GB-Mo read as bytes, eu-north-1",
     lambda m: m.storage(123456789 / 1099511627776, "eu-north-1", False, "replication_s3"),
     (4.970220075015277e-7, 4.3737936660134446e-12)),
    ("Networking 1574 GB inter-region, us-east-1",
     lambda m: (1574 * m.const["network_kwh_per_gb"] * m.pue, 1574 * m.const["network_kwh_per_gb"] * m.pue *
                m.ef["us-east-1"]), (1.7864900000000001, 0.0006772029778100001)),
    ("Lambda x86 5 GB-s, us-east-1", lambda m: m.lambda_(5, "us-east-1", "Unknown"),
     (0.000003341944444444445, 0.0000000012668275386111113)),
    ("Lambda ARM 7 GB-s, us-east-1", lambda m: m.lambda_(7, "us-east-1", "AWS Graviton2"),
     (0.0000023834999999999997, 0.0000000009035109614999999)),
]


@pytest.mark.skipif("ccf" not in SETS, reason="factor_seeds/ccf not built")
@pytest.mark.parametrize("case", CCF_EXPECTATIONS, ids=[c[0] for c in CCF_EXPECTATIONS])
def test_ccf_set_reproduces_ccf_test_expectations(case):
    _, fn, (kwh, co2e) = case
    got_kwh, got_co2e = fn(MiniCCF(_con("ccf")))
    assert got_kwh == pytest.approx(kwh, rel=1e-9)
    assert got_co2e == pytest.approx(co2e, rel=1e-9)


def test_ccf_set_is_reproducible(tmp_path):
    """Rebuild the ccf set from a CCF checkout (CARBON_PIPELINE_CCF_REPO) and compare byte for byte."""
    repo = os.environ.get("CARBON_PIPELINE_CCF_REPO")
    if not repo or "ccf" not in SETS:
        pytest.skip("set CARBON_PIPELINE_CCF_REPO to a checkout of cloud-carbon-footprint (release-2024-02-11)")
    from carbon_pipeline.factors.build_seeds import main
    out = tmp_path / "ccf"
    assert main(["--set", "ccf", "--ccf-repo", repo, "--out", str(out)]) == 0
    for p in sorted(out.iterdir()):
        assert filecmp.cmp(p, SEEDS / "ccf" / p.name, shallow=False), f"ccf/{p.name} differs from a fresh build"
