"""Checks on the emission-factor seed sets in factor_seeds/<name>/ (read with DuckDB, as the pipeline does).

Run: python -m pytest carbon_pipeline_tests/test_factor_seeds.py -q
"""

from __future__ import annotations

import filecmp
import math
import os
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
}
REQUIRED_FILES = ["instance_types.csv", "cpu_power.csv", "pue.csv", "grid_intensity.csv", "constants.csv"]
KEYS = {
    "instance_types.csv": ["provider", "instance_type"],
    "cpu_power.csv": ["provider", "microarchitecture"],
    "pue.csv": ["provider", "region_pattern", "year"],
    "grid_intensity.csv": ["provider", "region_id", "valid_from_year"],
    "constants.csv": ["name"],
    "gpu_power.csv": ["gpu_model"],
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
}
# value column bracketed by low/high (when present)
RANGED = {"pue.csv": "pue", "grid_intensity.csv": "kgco2e_per_kwh", "constants.csv": "value"}

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


INTEGER_COLUMNS = {"vcpus", "gpu_count", "host_vcpus", "source_year", "valid_from_year", "valid_to_year", "year"}
TEXT_COLUMNS = {"provider", "instance_type", "gpu_model", "cpu_name", "microarchitecture", "source", "licence",
                "unit", "scope", "region_pattern", "region_id", "country", "name"}


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
            rows = con.execute(f"select {col} from raw_{f[:-4]}").fetchall()
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
