"""Build the emission-factor seed sets in ``factor_seeds/<name>/``.

Two sets are produced by this one script:

``default``
    The project's own factor set. Instance catalogue, CPU power and embodied figures are derived from the
    Cloud Carbon Footprint coefficient tables ("ccf-coefficients", Apache-2.0) shipped under
    ``<reference>/ccf_coefficients``; PUE, Ember grid figures and constants are hand-curated literal rows
    below, each with its citation (figures from ``<reference>/FACTORS.md``)::

        python -m carbon_pipeline.factors.build_seeds --reference ../shared/reference --out factor_seeds/default

``ccf``
    Cloud Carbon Footprint's *application* as last released (tag release-2024-02-11). Its constants live in
    TypeScript sources, so this set is parsed from a checkout of cloud-carbon-footprint/cloud-carbon-footprint::

        python -m carbon_pipeline.factors.build_seeds --set ccf --ccf-repo /path/to/cloud-carbon-footprint \
            --out factor_seeds/ccf

The output is deterministic: rows are sorted, numbers are written from decimal strings (no binary float
noise), nothing depends on the clock or on absolute paths. Re-running on the same inputs gives byte-identical
files. Corrections applied to the upstream data are listed in the generated ``factor_set.yaml`` notes.

Optional input: for AWS instance types that exist only in the 2026 refresh, GPU counts and local drives
come from the EC2 ``DescribeInstanceTypes`` catalogue bundled with ``moto`` (pinned in the test extras;
``moto/ec2/resources/instance_types.json.gz``). Pass ``--ec2-catalogue`` to use another copy of that file.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import itertools
import json
import re
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, ROUND_HALF_EVEN
from pathlib import Path
from typing import Iterable

# --------------------------------------------------------------------------------------------------
# Versions, citations, licences
# --------------------------------------------------------------------------------------------------

SET_VERSION = "2026.11"

CCF_COEF_URL = "https://github.com/cloud-carbon-footprint/ccf-coefficients"
# The reference copy under <reference>/ccf_coefficients is byte-identical (data/ and output/) to this commit.
CCF_COEF_VERSION = "commit b0032d9 (2026-04-24)"
CCF_COEF_YEAR = 2026
CCF_APP_URL = "https://github.com/cloud-carbon-footprint/cloud-carbon-footprint"
CCF_APP_RELEASE = "release-2024-02-11 (commit 1598caf; packages/ identical at b7a049c)"
CCF_APP_YEAR = 2024

LIC_CCF = "Apache-2.0 (Cloud Carbon Footprint; attribution in factor_seeds/NOTICE)"
LIC_DERIVED = "Apache-2.0 (carbon_pipeline; derived from Apache-2.0 Cloud Carbon Footprint data, see NOTICE)"
LIC_EMBER = "CC-BY-4.0 (Ember)"
LIC_AWS = "Public figures cited with attribution (Amazon; no open licence stated)"
LIC_PUBLIC = "Public figure cited with attribution (no open licence stated)"
LIC_SPEC = ("Apache-2.0 (carbon_pipeline) derivation from SPECpower_ssj2008 published results "
            "(as redistributed in ccf-coefficients; SPEC fair-use rules)")

SRC_CCF_USE = ("Cloud Carbon Footprint, ccf-coefficients output/coefficients-{p}-use.csv "
               "(SPECpower_ssj2008 averages per microarchitecture), " + CCF_COEF_URL + " " + CCF_COEF_VERSION)

# Multiplicative uncertainty on the power obtained from a cpu_power row (see factor_set.yaml notes).
POWER_BOUNDS_MEASURED = ("0.7", "1.3")
POWER_BOUNDS_WEAK = ("0.5", "1.5")

# CCF's embodied-emissions constants (ccf-coefficients ccfcoef/constants.py).
EMB_BASE = Decimal("1000")
EMB_DRAM_THRESHOLD_GB = Decimal("16")
EMB_DRAM_PER_GB = Decimal("533") / Decimal("384")
EMB_EXTRA_CPU = Decimal("100")
EMB_SSD = Decimal("100")
EMB_HDD = Decimal("50")
EMB_GPU = Decimal("150")


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------

def D(value) -> Decimal:
    """Decimal from a CSV string/number without binary float noise."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip())


def fmt(value, places: int | None = None) -> str:
    """Plain decimal notation (no exponent), trailing zeros stripped; '' for None."""
    if value is None or value == "":
        return ""
    d = D(value)
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    s = format(d.normalize(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def fmt_sig(value, sig: int = 12) -> str:
    """Round to `sig` significant digits (for averages computed here), plain notation."""
    d = D(value)
    if d == 0:
        return "0"
    exp = d.adjusted()
    return fmt(d, max(0, sig - 1 - exp))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
                for row in csv.DictReader(f)]


def write_csv(path: Path, columns: list[str], rows: Iterable[dict], sort_key) -> int:
    rows = sorted(rows, key=sort_key)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="raise")
    w.writeheader()
    for r in rows:
        w.writerow({c: ("" if r.get(c) is None else r.get(c)) for c in columns})
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return len(rows)


def mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / Decimal(len(values))


def median(values: list[Decimal]) -> Decimal:
    return D(statistics.median(values))


@dataclass
class BuildLog:
    corrections: list[str] = field(default_factory=list)
    derivations: list[str] = field(default_factory=list)

    def fix(self, msg: str) -> None:
        self.corrections.append(msg)

    conflicts: list[str] = field(default_factory=list)

    def derive(self, msg: str) -> None:
        self.derivations.append(msg)

    def conflict(self, msg: str) -> None:
        self.conflicts.append(msg)


# --------------------------------------------------------------------------------------------------
# CPU name -> microarchitecture (CCF's approach: CPU model lists per microarchitecture)
# --------------------------------------------------------------------------------------------------

# ccf-coefficients data/<file>.csv -> microarchitecture name used in output/coefficients-*-use.csv
FAMILY_FILES = {
    "amd-epyc-gen1": "EPYC 1st Gen",
    "amd-epyc-gen2": "EPYC 2nd Gen",
    "amd-epyc-gen3": "EPYC 3rd Gen",
    "amd-epyc-gen4": "EPYC 4th Gen",
    "amd-epyc-gen5": "EPYC 5th Gen",
    "intel-sandybridge": "Sandy Bridge",
    "intel-ivybridge": "Ivy Bridge",
    "intel-haswell": "Haswell",
    "intel-broadwell": "Broadwell",
    "intel-skylake": "Skylake",
    "intel-skylake-server": "Skylake",
    "intel-skylake-client": "Skylake",
    "intel-cascadelake": "Cascade Lake",
    "intel-coffeelake": "Coffee Lake",
    "intel-icelake": "Ice Lake",
    "intel-sapphirerapids": "Sapphire Rapids",
    "intel-emeraldrapids": "Emerald Rapids",
    "intel-graniterapids": "Granite Rapids",
    # amd-neoverse-n1.csv is deliberately not used: besides Ampere Altra models it lists AWS EPYC parts
    # (EPYC 7R32, 7R13, 9R14) that also appear in the EPYC lists, and no coefficient row exists for it.
}

CODENAMES = ["Sandy Bridge", "Ivy Bridge", "Haswell", "Broadwell", "Skylake", "Cascade Lake", "Coffee Lake",
             "Ice Lake", "Sapphire Rapids", "Emerald Rapids", "Granite Rapids"]


class CpuMatcher:
    """Match a free-text CPU name to a microarchitecture.

    Order: (1) AWS Graviton names directly; (2) CCF's model lists, a model matching when the CPU name *ends*
    with it at a word boundary (ccfcoef/cpu_info.py: ``rf'\\b{model}$'``, case-insensitive; the longest
    matching model wins, a tie between different microarchitectures is an error); (3) an Intel codename in
    the text ("Intel Xeon Ice Lake"); (4) otherwise None (caller decides: 'Unknown').
    """

    def __init__(self, data_dir: Path):
        self.models: list[tuple[str, str, re.Pattern]] = []
        for short, arch in FAMILY_FILES.items():
            for line in (data_dir / f"{short}.csv").read_text(encoding="utf-8-sig").splitlines():
                model = line.strip()
                if not model:  # amd-epyc-gen5.csv ends with 49 blank lines (see notes)
                    continue
                self.models.append((model, arch, re.compile(rf"\b{re.escape(model)}$", re.I)))

    @staticmethod
    def normalise(name: str) -> str:
        name = name.replace("\u2011", "-").replace("\u2010", "-").replace("\u00a0", " ")
        return re.sub(r"\s+", " ", name).strip()

    def match(self, cpu_name: str) -> tuple[str | None, str]:
        n = self.normalise(cpu_name)
        g = re.search(r"graviton\s*(\d+e?)?", n, re.I)
        if g:
            return "Graviton" + (g.group(1) or "").upper(), "Graviton name"
        hits = [(len(m), m, arch) for m, arch, rx in self.models if rx.search(n)]
        if hits:
            best = max(h[0] for h in hits)
            archs = {arch for ln, _, arch in hits if ln == best}
            if len(archs) > 1:
                raise ValueError(f"CPU name {cpu_name!r} matches several microarchitectures: {sorted(archs)}")
            model = next(m for ln, m, _ in hits if ln == best)
            return archs.pop(), f"CCF model list '{model}'"
        for code in CODENAMES:
            if code.lower() in n.lower():
                return code, "codename in name"
        return None, "no match"


# --------------------------------------------------------------------------------------------------
# CPU power coefficients
# --------------------------------------------------------------------------------------------------

@dataclass
class Power:
    min_w: Decimal
    max_w: Decimal
    gb_chip: Decimal
    source: str
    source_year: int
    licence: str
    bounds: tuple[str, str]


def combined_name(archs: Iterable[str]) -> str:
    return " / ".join(sorted(set(archs)))


def combine_power(parts: list[Power], archs: list[str], provider_label: str) -> Power:
    """CCF's rule for an instance type that runs on several microarchitectures (core/src/FootprintEstimate.ts
    getWattsByAverageOrMedian): the average of the watts, or the median when Sandy Bridge or Ivy Bridge is
    among them; GB/chip is always the plain average (AwsFootprintEstimationConstants.ts getMemory)."""
    use_median = any(a in ("Sandy Bridge", "Ivy Bridge") for a in archs)
    agg = median if use_median else mean
    weak = any(p.bounds == POWER_BOUNDS_WEAK for p in parts)
    return Power(
        min_w=agg([p.min_w for p in parts]),
        max_w=agg([p.max_w for p in parts]),
        gb_chip=mean([p.gb_chip for p in parts]),
        source=(f"{'Median' if use_median else 'Average'} of the {provider_label} rows "
                f"{', '.join(sorted(archs))} (CCF rule for instance types deployed on several CPUs, "
                f"cloud-carbon-footprint packages/core/src/FootprintEstimate.ts getWattsByAverageOrMedian); "
                f"components from ccf-coefficients output/coefficients-{provider_label.lower()}-use.csv, "
                f"{CCF_COEF_URL} {CCF_COEF_VERSION}"),
        source_year=CCF_COEF_YEAR,
        licence=LIC_DERIVED,
        bounds=POWER_BOUNDS_WEAK if weak else POWER_BOUNDS_MEASURED,
    )


def load_use_coefficients(ref: Path, provider: str) -> dict[str, Power]:
    rows = read_csv(ref / "ccf_coefficients" / "output" / f"coefficients-{provider}-use.csv")
    out: dict[str, Power] = {}
    for r in rows:
        arch = r["Architecture"]
        out[arch] = Power(D(r["Min Watts"]), D(r["Max Watts"]), D(r["GB/Chip"]),
                          SRC_CCF_USE.format(p=provider), CCF_COEF_YEAR, LIC_CCF, POWER_BOUNDS_MEASURED)
    return out


# SPECpower families with fewer than 5 results behind the CCF average, or assigned by analogy.
WEAK_FAMILIES = {"Ivy Bridge", "Emerald Rapids", "Graviton", "Graviton2", "Graviton3", "Graviton3E", "Graviton4"}

# Corrected EPYC 5th Gen coefficient (see notes): the CCF 2026 value averages the whole SPECpower file.
EPYC5_CORRECTED = Power(
    min_w=Decimal("0.235192057292"), max_w=Decimal("1.327965494792"), gb_chip=Decimal("206.4125"),
    source=("Derived by carbon_pipeline with ccfcoef's own averaging (mean of watts / total threads at active "
            "idle and 100 %, mean of memory / chips) over the 40 SPECpower_ssj2008 results whose CPU is an AMD "
            "EPYC 9xx5 (Turin), data/SPECpower-2026-03-09.csv of " + CCF_COEF_URL + " " + CCF_COEF_VERSION +
            "; replaces CCF's 'EPYC 5th Gen' row (3.68/8.96 W) which averaged 1039 unrelated results because "
            "data/amd-epyc-gen5.csv ends with blank lines (regex \\b$ matches every CPU)"),
    source_year=CCF_COEF_YEAR, licence=LIC_SPEC, bounds=POWER_BOUNDS_WEAK)


def build_cpu_power_default(ref: Path, log: BuildLog) -> dict[str, dict[str, Power]]:
    aws = load_use_coefficients(ref, "aws")
    azure = load_use_coefficients(ref, "azure")
    gcp = load_use_coefficients(ref, "gcp")
    for table in (aws, azure, gcp):
        for arch, p in table.items():
            if arch in WEAK_FAMILIES:
                p.bounds = POWER_BOUNDS_WEAK

    if "EPYC 5th Gen" in aws and aws["EPYC 5th Gen"].min_w > 2:
        log.fix("cpu_power aws 'EPYC 5th Gen': CCF value min 3.682 / max 8.961 W per vCPU replaced by 0.2352 / "
                "1.328 W (GB/chip 206.41) recomputed from the 40 EPYC 9xx5 SPECpower results; ccf-coefficients "
                "data/amd-epyc-gen5.csv ends with 49 blank lines, so ccfcoef's regex '\\b$' matched all 1039 "
                "SPECpower results (mostly 2008-2015 servers)")
        aws["EPYC 5th Gen"] = EPYC5_CORRECTED

    # Graviton (1st gen, a1.*): ccfcoef/aws/coefficients.py use_coefficients assigns EPYC 2nd Gen values to
    # 'Graviton' and 'Graviton2' ("we don't know the values for the Graviton chips"); the published output has
    # Graviton2..4 rows with those values but no 'Graviton' row.
    e2 = aws["EPYC 2nd Gen"]
    aws.setdefault("Graviton", Power(
        e2.min_w, e2.max_w, e2.gb_chip,
        "EPYC 2nd Gen values applied to AWS Graviton (1st gen) as ccfcoef/aws/coefficients.py use_coefficients "
        "does for Graviton and Graviton2; values from " + SRC_CCF_USE.format(p="aws"),
        CCF_COEF_YEAR, LIC_DERIVED, POWER_BOUNDS_WEAK))

    # GCP: gcp-instances.csv lists Haswell, Ivy Bridge and Sandy Bridge machine types but the published GCP
    # output has no row for them; use the AWS rows (same SPECpower family averages, without the GCP-specific
    # max-watts memory adjustment, i.e. 6-8 % higher max watts: conservative).
    for arch in ("Haswell", "Ivy Bridge", "Sandy Bridge"):
        if arch not in gcp:
            a = aws[arch]
            gcp[arch] = Power(a.min_w, a.max_w, a.gb_chip,
                              f"AWS '{arch}' row used for GCP (no GCP row published; GCP rows subtract a memory "
                              f"term from max watts, omitted here): " + SRC_CCF_USE.format(p="aws"),
                              CCF_COEF_YEAR, LIC_DERIVED, POWER_BOUNDS_WEAK)
            log.derive(f"cpu_power gcp '{arch}': AWS values (no GCP row in coefficients-gcp-use.csv)")
    # Arm CPUs on GCP, by analogy with CCF's Graviton rule: Ampere Altra ('Quicksilver', Neoverse N1, the same
    # core as Graviton2) and Google Axion (Neoverse V2, as Graviton4) take the GCP EPYC 2nd Gen values.
    g2 = gcp["EPYC 2nd Gen"]
    for arch, what in (("Quicksilver", "Ampere Altra (Neoverse N1, as Graviton2)"),
                       ("Google Axion", "Google Axion (Neoverse V2, as Graviton4)")):
        gcp.setdefault(arch, Power(
            g2.min_w, g2.max_w, g2.gb_chip,
            f"GCP EPYC 2nd Gen values applied to {what}, by analogy with ccfcoef/aws/coefficients.py which "
            f"gives Graviton CPUs the EPYC 2nd Gen values; values from " + SRC_CCF_USE.format(p="gcp"),
            CCF_COEF_YEAR, LIC_DERIVED, POWER_BOUNDS_WEAK))

    # 'Unknown': average of the provider's published rows (CCF application: MIN_WATTS_AVG / MAX_WATTS_AVG /
    # MEMORY_AVG are averages over its microarchitectures).
    for label, table, published in (("AWS", aws, "aws"), ("Azure", azure, "azure"), ("GCP", gcp, "gcp")):
        base = [arch for arch in load_use_coefficients(ref, published)]
        parts = [table[a] for a in base]
        table["Unknown"] = Power(
            mean([p.min_w for p in parts]), mean([p.max_w for p in parts]), mean([p.gb_chip for p in parts]),
            f"Average of the {len(base)} {label} rows of ccf-coefficients output/coefficients-{published}-use.csv "
            f"(as published, before corrections) for CPUs that cannot be identified (CCF application uses "
            f"averages over microarchitectures for unknown processors, e.g. AWS_CLOUD_CONSTANTS.MIN_WATTS_AVG), "
            f"{CCF_COEF_URL} {CCF_COEF_VERSION}",
            CCF_COEF_YEAR, LIC_DERIVED, POWER_BOUNDS_WEAK)
    return {"aws": aws, "azure": azure, "gcp": gcp}


# --------------------------------------------------------------------------------------------------
# Embodied emissions (CCF formula, ccfcoef/coefficients.py)
# --------------------------------------------------------------------------------------------------

def ccf_host_embodied(host_memory_gb: Decimal, sockets: int, ssd_drives: int = 0, hdd_drives: int = 0,
                      gpus: int = 0) -> Decimal:
    add_mem = max(Decimal(0), host_memory_gb - EMB_DRAM_THRESHOLD_GB) * EMB_DRAM_PER_GB
    total = (EMB_BASE + add_mem + EMB_EXTRA_CPU * max(0, sockets - 1) + EMB_SSD * ssd_drives
             + EMB_HDD * hdd_drives + EMB_GPU * gpus)
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def embodied_from_breakdown(row: dict[str, str], host_memory_gb: Decimal) -> Decimal:
    """Recompute a CCF embodied total with a corrected host memory, keeping its other components."""
    add_mem = max(Decimal(0), host_memory_gb - EMB_DRAM_THRESHOLD_GB) * EMB_DRAM_PER_GB
    total = (EMB_BASE + add_mem + D(row["additional_storage"]) + D(row["additional_cpus"])
             + D(row["additional_gpus"]))
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


# --------------------------------------------------------------------------------------------------
# Instance catalogue
# --------------------------------------------------------------------------------------------------

INSTANCE_COLUMNS = ["provider", "instance_type", "vcpus", "memory_gb", "gpu_count", "gpu_model", "cpu_name",
                    "microarchitecture", "host_vcpus", "host_memory_gb", "host_embodied_kgco2e", "source",
                    "source_year", "licence"]

# Canonical GPU model names (shared with gpu_power.csv).
GPU_NAMES = {
    "t4": "NVIDIA T4", "t4g": "NVIDIA T4G", "tesla m60": "NVIDIA Tesla M60", "m60": "NVIDIA Tesla M60",
    "tesla v100": "NVIDIA Tesla V100", "v100": "NVIDIA Tesla V100", "k520": "NVIDIA K520",
    "tesla k80": "NVIDIA Tesla K80", "k80": "NVIDIA Tesla K80", "tesla a100": "NVIDIA Tesla A100",
    "a100": "NVIDIA Tesla A100", "a10g": "NVIDIA A10G", "radeon pro v520": "AMD Radeon Pro V520",
    "l4": "NVIDIA L4", "l40s": "NVIDIA L40S", "h100": "NVIDIA H100", "h200": "NVIDIA H200",
    "b200": "NVIDIA B200", "b300": "NVIDIA B300", "rtx pro 4500": "NVIDIA RTX PRO 4500",
    "rtx pro server 6000": "NVIDIA RTX PRO Server 6000", "tesla p100": "NVIDIA Tesla P100",
    "tesla p40": "NVIDIA Tesla P40", "tesla p4": "NVIDIA Tesla P4",
}


def gpu_name(raw: str) -> str:
    raw = raw.strip()
    if not raw or raw.upper() == "N/A":
        return ""
    return GPU_NAMES.get(raw.lower(), raw)


def to_int(value: str, default: int = 0) -> int:
    value = (value or "").strip()
    if not value or value.upper() in ("N/A", "NC"):
        return default
    return int(D(value))


def aws_family(instance_type: str) -> str:
    """'m5.xlarge' -> 'm5'; 'db.m5.large' -> 'db.m5'; 'c5.large.elasticsearch' -> 'c5...elasticsearch'."""
    parts = instance_type.split(".")
    if parts[0] in ("db", "cache"):
        return ".".join(parts[:2])
    if len(parts) == 3:
        return parts[0] + "..." + parts[2]
    return parts[0]


def load_ec2_catalogue(path: Path | None) -> dict[str, dict]:
    if path is None:
        try:
            import moto  # only used to locate the catalogue it bundles
        except ImportError:  # pragma: no cover
            raise SystemExit("moto is not installed: pass --ec2-catalogue PATH (EC2 DescribeInstanceTypes JSON)")
        path = Path(moto.__file__).parent / "ec2" / "resources" / "instance_types.json.gz"
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


# Not in the moto 5.2.5 catalogue (checked): AWS product page, P6e-GB200 UltraServers are built from
# p6e-gb200.36xlarge instances with 4 NVIDIA Blackwell B200 GPUs each.
EC2_GPU_OVERRIDES = {"p6e-gb200.36xlarge": (4, "NVIDIA B200")}


def ec2_gpu(cat: dict, instance_type: str) -> tuple[int, str]:
    if instance_type in EC2_GPU_OVERRIDES:
        return EC2_GPU_OVERRIDES[instance_type]
    info = cat.get(instance_type, {}).get("GpuInfo")
    if not info:
        return 0, ""
    count = sum(int(g.get("Count", 0)) for g in info["Gpus"])
    names = sorted({gpu_name(g["Name"]) for g in info["Gpus"]})
    if count == 0:  # fractional GPU (g6f / gr6f): Count 0, GpuPartitionSize < 1
        part = sorted({fmt(D(g.get("GpuPartitionSize", 0))) for g in info["Gpus"]})
        return 0, " + ".join(names) + f" (partition {'/'.join(part)} of one GPU)"
    return count, " + ".join(names)


def ec2_drives(cat: dict, instance_type: str) -> tuple[int, int]:
    info = cat.get(instance_type, {}).get("InstanceStorageInfo")
    ssd = hdd = 0
    for disk in (info or {}).get("Disks", []):
        if disk.get("Type") == "hdd":
            hdd += int(disk["Count"])
        else:
            ssd += int(disk["Count"])
    return ssd, hdd


def memory_unit_fix(old: Decimal, new: Decimal | None) -> Decimal | None:
    """Return a corrected value when two sources differ by ~1000x (MiB-vs-GiB or TB-vs-GB slips)."""
    if new is None or new == 0 or old == 0:
        return None
    ratio = old / new
    if Decimal(900) <= ratio <= Decimal(1100):
        return old / 1000
    if Decimal("0.0009") <= ratio <= Decimal("0.0011"):
        return old * 1000
    return None


def build_aws_instances(ref: Path, matcher: CpuMatcher, cat: dict, log: BuildLog) -> list[dict]:
    data = ref / "ccf_coefficients" / "data"
    old = read_csv(data / "aws-instances.csv")
    new = read_csv(data / "aws-instances-latest-2026.csv")
    emb = {r["type"]: r for r in read_csv(ref / "ccf_coefficients" / "output" / "coefficients-aws-embodied.csv")}
    cpus = read_csv(data / "aws-instances-cpus.csv")
    new_by_type = {r["Instance Type"]: r for r in new}
    old_types = {r["Instance type"] for r in old}

    src_old = (f"Cloud Carbon Footprint ccf-coefficients data/aws-instances.csv (Teads AWS EC2 dataset) and "
               f"output/coefficients-aws-embodied.csv (host embodied = 'total', kgCO2e), {CCF_COEF_URL} "
               f"{CCF_COEF_VERSION}; microarchitecture matched from 'Platform CPU Name' with the CCF CPU lists")
    src_new = (f"Cloud Carbon Footprint ccf-coefficients data/aws-instances-latest-2026.csv (2026 refresh; host "
               f"embodied = 'Platform Embedded Emissions (mtCo2eq)' x 1000), {CCF_COEF_URL} {CCF_COEF_VERSION}; "
               f"microarchitecture matched from 'Platform CPU Name' with the CCF CPU lists")

    rows: list[dict] = []
    # ---- types of the original CCF file (its host data is what CCF's embodied totals were computed from)
    for r in old:
        t = r["Instance type"]
        vcpus = to_int(r["Instance vCPU"])
        mem = D(r["Instance Memory (in GB)"])
        n = new_by_type.get(t)
        fixed = memory_unit_fix(mem, D(n["Memory (GiB)"]) if n and n["Memory (GiB)"] else None)
        if fixed is not None:
            log.fix(f"instance_types aws {t}: memory {fmt(mem)} GB is a MiB value (2026 file: "
                    f"{n['Memory (GiB)']} GiB); using {fmt(fixed)}")
            mem = fixed
        arch, how = matcher.match(r["Platform CPU Name"])
        if arch is None:
            raise ValueError(f"AWS {t}: CPU {r['Platform CPU Name']!r} not matched")
        host_vcpus = to_int(r["Platform Total Number of vCPU"])
        host_mem = D(r["Platform Memory (in GB)"])
        if mem > host_mem and mem / 1000 < host_mem:
            log.fix(f"instance_types aws {t}: memory {fmt(mem)} GB exceeds its host ({fmt(host_mem)} GB): a MiB "
                    f"value in a GiB column; using {fmt(mem / 1000)}")
            mem = mem / 1000
        if host_vcpus < vcpus or host_mem < mem:
            raise ValueError(f"AWS {t}: host smaller than the instance ({host_vcpus} vCPU / {host_mem} GB)")
        e = emb[t]
        rows.append(dict(provider="aws", instance_type=t, vcpus=vcpus, memory_gb=fmt(mem),
                         gpu_count=to_int(r["Instance Number of GPU"]), gpu_model=gpu_name(r["Platform GPU Name"]),
                         cpu_name=r["Platform CPU Name"], microarchitecture=arch, host_vcpus=host_vcpus,
                         host_memory_gb=fmt(host_mem), host_embodied_kgco2e=fmt(e["total"]),
                         source=f"{src_old} ({how})", source_year=CCF_COEF_YEAR, licence=LIC_CCF,
                         _family=aws_family(t)))
        if n is not None and n["Platform CPU Name"]:
            arch_new, _ = matcher.match(n["Platform CPU Name"])
            if arch_new and arch_new != arch:
                log.conflict(f"aws {t}: 2026 file says {n['Platform CPU Name']!r} ({arch_new}); kept the "
                             f"original CCF CPU {r['Platform CPU Name']!r} ({arch}), consistent with CCF's embodied "
                             f"total")

    # ---- types only in the 2026 refresh
    fam_members: dict[str, list[dict]] = defaultdict(list)
    for r in new:
        fam_members[aws_family(r["Instance Type"])].append(r)
    for r in old:
        fam_members[aws_family(r["Instance type"])].append(
            {"Instance Type": r["Instance type"], "vCPUs": r["Instance vCPU"],
             "Memory (GiB)": r["Instance Memory (in GB)"], "Platform CPU Name": r["Platform CPU Name"],
             "Platform Embedded Emissions (mtCo2eq)": ""})
    cpu_hosts = [(CpuMatcher.normalise(c["CPU Name"]).lower(), c) for c in cpus]

    def cpu_file_row(cpu_name: str) -> dict | None:
        n = CpuMatcher.normalise(cpu_name).lower()
        best = None
        for key, c in cpu_hosts:
            if re.search(rf"\b{re.escape(key)}$", n):
                if best is None or len(key) > len(best[0]):
                    best = (key, c)
        return best[1] if best else None

    for r in new:
        t = r["Instance Type"]
        if t in old_types:
            continue
        fam = aws_family(t)
        members = fam_members[fam]
        vcpus = to_int(r["vCPUs"])
        mem = D(r["Memory (GiB)"])
        arch, how = matcher.match(r["Platform CPU Name"])
        note = []
        if arch is None:
            arch = "Unknown"
            note.append(f"CPU {r['Platform CPU Name'] or '(blank)'!s} not in CCF lists: microarchitecture "
                        f"'Unknown' (provider average)")
        # host vCPUs: CCF CPU table first, else the largest size of the family
        fam_max_vcpus = max(to_int(m["vCPUs"]) for m in members)
        crow = cpu_file_row(r["Platform CPU Name"]) if r["Platform CPU Name"] else None
        if crow is not None:
            host_vcpus = to_int(crow["Platform Total Number of vCPU"])
            sockets = to_int(crow["Platform Number of CPU Socket(s)"], 1)
            how_host = f"host vCPUs from aws-instances-cpus.csv ({crow['CPU Name']})"
            if host_vcpus < fam_max_vcpus:
                host_vcpus = fam_max_vcpus
                how_host = f"host vCPUs = largest size of family {fam} (exceeds aws-instances-cpus.csv value)"
        else:
            host_vcpus = fam_max_vcpus
            sockets = None
            how_host = f"host vCPUs = largest size of family {fam}"
        biggest = [m for m in members if to_int(m["vCPUs"]) == fam_max_vcpus]
        host_mem = max(D(m["Memory (GiB)"]) for m in biggest if m["Memory (GiB)"])
        host_mem = max(host_mem, mem)
        big_type = sorted(m["Instance Type"] for m in biggest)[-1]
        gpu_count, gpu_model = ec2_gpu(cat, t)

        mt = r["Platform Embedded Emissions (mtCo2eq)"]
        if mt:
            embodied = D(mt) * 1000
            how_emb = "host embodied = 2026 'Platform Embedded Emissions (mtCo2eq)' x 1000"
        else:
            sib = sorted({m["Platform Embedded Emissions (mtCo2eq)"] for m in members
                          if m["Platform Embedded Emissions (mtCo2eq)"]})
            if len(sib) == 1:
                embodied = D(sib[0]) * 1000
                how_emb = f"host embodied taken from the other sizes of family {fam} (same host platform)"
            else:
                if sockets is None:
                    low = r["Platform CPU Name"].lower()
                    sockets = 1 if any(k in low for k in ("graviton", "grace", "apple")) else 2
                ssd, hdd = ec2_drives(cat, big_type)
                host_gpus, _ = ec2_gpu(cat, big_type)
                embodied = ccf_host_embodied(host_mem, sockets, ssd, hdd, host_gpus)
                how_emb = (f"host embodied computed with CCF's formula (ccfcoef/coefficients.py: 1000 kg + "
                           f"(host GB - 16) x 533/384 + 100 per extra socket + 100 per SSD / 50 per HDD + 150 per "
                           f"GPU) from host {fmt(host_mem)} GB, {sockets} socket(s), {ssd} SSD, {hdd} HDD, "
                           f"{host_gpus} GPU ({big_type} in the EC2 catalogue)")
                log.derive(f"instance_types aws family {fam}: no embodied figure in the 2026 file; CCF formula")
        extra = "; ".join(note + [f"microarchitecture: {how}", how_host, how_emb])
        gpu_src = "; GPUs from EC2 DescribeInstanceTypes (moto 5.2.5 catalogue)" if gpu_count else ""
        rows.append(dict(provider="aws", instance_type=t, vcpus=vcpus, memory_gb=fmt(mem), gpu_count=gpu_count,
                         gpu_model=gpu_model, cpu_name=r["Platform CPU Name"], microarchitecture=arch,
                         host_vcpus=host_vcpus, host_memory_gb=fmt(host_mem),
                         host_embodied_kgco2e=fmt(embodied, 2), source=f"{src_new}; {extra}{gpu_src}",
                         source_year=CCF_COEF_YEAR, licence=LIC_CCF if mt else LIC_DERIVED, _family=fam))
    return rows


AZURE_GPU_BY_SERIES = {  # Azure documentation of the N-series sizes
    "NC-series": "NVIDIA Tesla K80", "NC-series Promo": "NVIDIA Tesla K80",
    "NCsv2-series": "NVIDIA Tesla P100", "NCsv3-series": "NVIDIA Tesla V100", "NDs-series": "NVIDIA Tesla P40",
    "NDv2 Series": "NVIDIA Tesla V100", "NV-series": "NVIDIA Tesla M60", "NVv3-series": "NVIDIA Tesla M60",
    "NCas_T4_v3 Series": "NVIDIA T4",
}


def build_multi_arch_catalogue(provider: str, rows_in: list[dict], cols: dict, emb_rows: list[dict],
                               power: dict[str, Power], log: BuildLog, source: str,
                               memory_fix: dict[str, Decimal] | None = None,
                               gpu_by_type=None) -> list[dict]:
    """Azure and GCP (original CCF files): one input row per (type, microarchitecture)."""
    by_type: dict[str, list[dict]] = defaultdict(list)
    for r in rows_in:
        by_type[r[cols["type"]]].append(r)
    emb_by_key = {(e["type"], e["microarchitecture"]): e for e in emb_rows}
    out = []
    for t, group in by_type.items():
        first = group[0]
        archs = sorted({g[cols["arch"]] for g in group})
        arch = archs[0] if len(archs) == 1 else combined_name(archs)
        if arch not in power:
            power[arch] = combine_power([power[a] for a in archs], archs, provider.upper() if provider == "gcp"
                                        else "Azure")
        raw_vcpus = D(first[cols["vcpus"]])
        note = ""
        if raw_vcpus != raw_vcpus.to_integral_value():
            # Azure "Constrained vCPUs capable": the column holds the active share (0.25 = 2 of 8 vCPUs).
            m = re.match(r"^[A-Za-z]+\d+-(\d+)", t)
            if not m:
                raise ValueError(f"{provider} {t}: fractional vCPUs {raw_vcpus} and no constrained-size name")
            vcpus = int(m.group(1))
            note = (f"; constrained-vCPU size: vcpus = active vCPUs from the name, the CCF column holds the "
                    f"active share {fmt(raw_vcpus)}; host_vcpus = CCF 'Platform vCPUs' (the parent size)")
        else:
            vcpus = int(raw_vcpus)
        mem = D(first[cols["memory"]])
        host_vcpus = to_int(first[cols["host_vcpus"]])
        host_mem = D(first[cols["host_memory"]])
        if memory_fix and t in memory_fix:
            log.fix(f"instance_types {provider} {t}: memory {fmt(mem)} GB is in TB (2026 file "
                    f"{fmt(memory_fix[t])} GB); corrected")
            mem = memory_fix[t]
        totals = []
        for a in archs:
            e = emb_by_key[(t, a)]
            totals.append((e, D(e["total"])))
        out.append(dict(provider=provider, instance_type=t, vcpus=vcpus, memory_gb=mem, gpu_count=0,
                        gpu_model="", cpu_name=" / ".join(archs) + " (CCF lists the microarchitecture only)",
                        microarchitecture=arch, host_vcpus=host_vcpus, host_memory_gb=host_mem,
                        _totals=totals, _family=first[cols["family"]], _gpus=to_int(first[cols["gpus"]]),
                        _series=first[cols["family"]], source=source + note, source_year=CCF_COEF_YEAR,
                        licence=LIC_CCF))
    # Host sanity. Sizes that share one CCF platform (same series/family, same machine shape such as
    # "m1-ultramem", same CCF platform figures) must fit on that platform: a host smaller than one of them is
    # a data slip (TB written as GB) or a platform taken from another shape; take the largest member's memory.
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in out:
        shape = r["instance_type"].rsplit("-", 1)[0] if provider == "gcp" else r["instance_type"]
        groups[(r["_family"], shape, r["host_vcpus"], r["host_memory_gb"])].append(r)
    for key, members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        max_mem = max(m["memory_gb"] for m in members)
        host = key[3]
        if host < max_mem:
            new_host = host * 1000 if host * 1000 >= max_mem and host * 100 < max_mem else max_mem
            names = ", ".join(sorted(m["instance_type"] for m in members))
            log.fix(f"instance_types {provider} {names}: CCF host memory {fmt(host)} GB is below the largest "
                    f"of these sizes ({fmt(max_mem)} GB); host memory set to {fmt(new_host)} GB and embodied "
                    f"recomputed with CCF's formula (CCF's storage/CPU/GPU components kept)")
            for r in members:
                r["host_memory_gb"] = new_host
                r["_totals"] = [(e, embodied_from_breakdown(e, new_host)) for e, _ in r["_totals"]]
                r["licence"] = LIC_DERIVED
                r["source"] += (f"; host memory corrected from {fmt(host)} to {fmt(new_host)} GB and embodied "
                                f"recomputed with CCF's formula")
    series_max_vcpus: dict[str, int] = defaultdict(int)
    for r in out:
        series_max_vcpus[r["_family"]] = max(series_max_vcpus[r["_family"]], r["vcpus"])
    for r in out:
        if r["host_vcpus"] < r["vcpus"]:
            new = series_max_vcpus[r["_family"]]
            log.fix(f"instance_types {provider} {r['instance_type']}: CCF host vCPUs {r['host_vcpus']} < instance "
                    f"vCPUs {r['vcpus']}; set to the largest size of its series ({new})")
            r["host_vcpus"] = new
            r["source"] += f"; host vCPUs corrected to {new} (largest size of the series)"
    for r in out:
        totals = [v for _, v in r.pop("_totals")]
        r["host_embodied_kgco2e"] = fmt(mean(totals), 2)
        gpus = r.pop("_gpus")
        series = r.pop("_series")
        if gpus:
            r["gpu_count"] = gpus
            r["gpu_model"] = gpu_by_type(r["instance_type"], series) if gpu_by_type else ""
        if len(totals) > 1:
            r["source"] += ("; host embodied = mean of the CCF totals over its microarchitectures "
                            "(as ccfcoef's gcp embodied_coefficients_mean)")
        r["memory_gb"] = fmt(r["memory_gb"])
        r["host_memory_gb"] = fmt(r["host_memory_gb"])
    return out


def build_azure_instances(ref: Path, power: dict[str, Power], log: BuildLog) -> list[dict]:
    data = ref / "ccf_coefficients" / "data"
    rows = read_csv(data / "azure-instances.csv")
    emb = read_csv(ref / "ccf_coefficients" / "output" / "coefficients-azure-embodied.csv")
    src = (f"Cloud Carbon Footprint ccf-coefficients data/azure-instances.csv and "
           f"output/coefficients-azure-embodied.csv (host embodied = 'total', kgCO2e), {CCF_COEF_URL} "
           f"{CCF_COEF_VERSION}")
    cols = dict(type="Virtual Machine", arch="Microarchitecture", vcpus="Instance vCPUs", memory="Instance Memory",
                host_vcpus="Platform vCPUs (highest vCPU possible)", host_memory="Platform Memory",
                family="Series", gpus="Instance GPUs")

    def gpu(t, series):
        return AZURE_GPU_BY_SERIES.get(series, "")
    return build_multi_arch_catalogue("azure", rows, cols, emb, power, log, src, gpu_by_type=gpu)


# GCP accelerator-optimised types (Google Cloud "GPU machine types" documentation).
def gcp_gpu(instance_type: str) -> tuple[int, str]:
    m = re.match(r"^(a2|a3)-(\w+?)gpu-(\d+)g$", instance_type)
    if m:
        fam, kind, n = m.group(1), m.group(2), int(m.group(3))
        if fam == "a2":
            return n, "NVIDIA A100 80GB" if kind == "ultra" else "NVIDIA Tesla A100"
        return n, "NVIDIA H200" if kind == "ultra" else "NVIDIA H100"
    m = re.match(r"^g2-standard-(\d+)$", instance_type)
    if m:
        size = int(m.group(1))
        return {24: 2, 48: 4, 96: 8}.get(size, 1), "NVIDIA L4"
    return 0, ""


def build_gcp_instances(ref: Path, power: dict[str, Power], log: BuildLog) -> list[dict]:
    data = ref / "ccf_coefficients" / "data"
    old = read_csv(data / "gcp-instances.csv")
    new = read_csv(data / "gcp-instances-latest-2026.csv")
    emb = read_csv(ref / "ccf_coefficients" / "output" / "coefficients-gcp-embodied.csv")
    cpus = {r["Microarchitecture"]: r for r in read_csv(data / "gcp-instances-cpus.csv")}
    new_by_type = {r["Instance Type"]: r for r in new}
    memory_fix = {}
    for r in old:
        n = new_by_type.get(r["Machine type"])
        if n:
            fixed = memory_unit_fix(D(r["Instance Memory"]), D(n["Instance Memory"]))
            if fixed is not None:
                memory_fix[r["Machine type"]] = fixed
    src_old = (f"Cloud Carbon Footprint ccf-coefficients data/gcp-instances.csv and "
               f"output/coefficients-gcp-embodied.csv (host embodied = mean 'total' over microarchitectures, "
               f"kgCO2e), {CCF_COEF_URL} {CCF_COEF_VERSION}")
    cols = dict(type="Machine type", arch="Microarchitecture", vcpus="Instance vCPUs", memory="Instance Memory",
                host_vcpus="Platform vCPUs (highest vCPU possible)", host_memory="Platform Memory",
                family="Machine Family", gpus="Instance GPUs")
    out = build_multi_arch_catalogue("gcp", old, cols, emb, power, log, src_old, memory_fix=memory_fix,
                                     gpu_by_type=lambda t, s: gcp_gpu(t)[1] or "NVIDIA Tesla A100")
    # check: without corrections our means equal ccfcoef's published embodied-mean file
    published = {r["type"]: D(r["total_mean"]) for r in
                 read_csv(ref / "ccf_coefficients" / "output" / "coefficients-gcp-embodied-mean.csv")}
    for r in out:
        if r["licence"] == LIC_CCF and abs(D(r["host_embodied_kgco2e"]) - published[r["instance_type"]]) > Decimal(
                "0.01"):
            raise AssertionError(f"gcp {r['instance_type']}: mean embodied differs from the published mean")

    old_types = {r["instance_type"] for r in out}
    src_new = (f"Cloud Carbon Footprint ccf-coefficients data/gcp-instances-latest-2026.csv (2026 refresh), "
               f"{CCF_COEF_URL} {CCF_COEF_VERSION}")
    platforms: dict[str, list[dict]] = defaultdict(list)
    for r in new:
        platforms[r["Platform"]].append(r)
    for r in new:
        t = r["Instance Type"]
        if t in old_types:
            continue
        if t == "a2-highgpu-16g":
            log.fix("instance_types gcp a2-highgpu-16g (2026 file) dropped: no such machine type; the 16-GPU A2 "
                    "is a2-megagpu-16g, already present from gcp-instances.csv")
            continue
        vcpus = to_int(r["Instance vCPU"])
        mem = D(r["Instance Memory"])
        if t == "a2-ultragpu-1g" and mem == 85:
            log.fix("instance_types gcp a2-ultragpu-1g: memory 85 GB in the 2026 file is half the documented "
                    "170 GB (the 2g/4g/8g sizes are 340/680/1360 GB); using 170")
            mem = Decimal(170)
        arch = r["Microarchitecture"] or ("Google Axion" if "axion" in r["CPU Name"].lower() else "Unknown")
        if arch not in power:
            raise ValueError(f"gcp {t}: microarchitecture {arch!r} has no cpu_power row")
        members = platforms[r["Platform"]]
        host_vcpus = max(to_int(m["Instance vCPU"]) for m in members)
        biggest = [m for m in members if to_int(m["Instance vCPU"]) == host_vcpus]
        host_mem = max(max(D(m["Instance Memory"]) for m in biggest), mem)
        big_type = sorted(m["Instance Type"] for m in biggest)[-1]
        if arch in cpus and cpus[arch]["CPU Sockets"]:
            sockets = int(cpus[arch]["CPU Sockets"])
        else:
            sockets = 1 if arch in ("Google Axion", "Quicksilver") else 2
        gpu_count, gpu_model = gcp_gpu(t)
        host_gpus, _ = gcp_gpu(big_type)
        embodied = ccf_host_embodied(host_mem, sockets, gpus=host_gpus)
        log.derive(f"instance_types gcp {t}: host embodied from CCF's formula (2026 'Platform Embedded Emissions' "
                   f"not used, see notes)")
        extra = (f"host = largest size of platform {r['Platform']} ({big_type}); host embodied computed with "
                 f"CCF's formula (ccfcoef/coefficients.py) from host {fmt(host_mem)} GB, {sockets} socket(s), "
                 f"{host_gpus} GPU, no local drives counted; the 2026 file's 'Platform Embedded Emissions' "
                 f"({r['Platform Embedded Emissions (kgCo2eq)']} kg) is not used (implausible scale, see notes)")
        if gpu_count:
            extra += "; GPU count/model from the Google Cloud GPU machine-type documentation"
        out.append(dict(provider="gcp", instance_type=t, vcpus=vcpus, memory_gb=fmt(mem), gpu_count=gpu_count,
                        gpu_model=gpu_model, cpu_name=r["CPU Name"], microarchitecture=arch,
                        host_vcpus=host_vcpus, host_memory_gb=fmt(host_mem), host_embodied_kgco2e=fmt(embodied, 2),
                        source=f"{src_new}; {extra}", source_year=CCF_COEF_YEAR, licence=LIC_DERIVED))
    return out


# --------------------------------------------------------------------------------------------------
# cpu_power.csv rows
# --------------------------------------------------------------------------------------------------

CPU_POWER_COLUMNS = ["provider", "microarchitecture", "min_watts_per_vcpu", "max_watts_per_vcpu",
                     "memory_gb_per_chip", "unit", "valid_from_year", "valid_to_year", "source", "source_year",
                     "licence", "low_factor", "high_factor"]

CPU_POWER_VALID_FROM = 2010  # coefficients describe hardware, not a period: usable for any usage year


def cpu_power_rows(power: dict[str, dict[str, Power]]) -> list[dict]:
    rows = []
    for provider, table in power.items():
        for arch, p in table.items():
            rows.append(dict(provider=provider, microarchitecture=arch, min_watts_per_vcpu=fmt_sig(p.min_w),
                             max_watts_per_vcpu=fmt_sig(p.max_w), memory_gb_per_chip=fmt_sig(p.gb_chip),
                             unit="W per vCPU", valid_from_year=CPU_POWER_VALID_FROM, valid_to_year="",
                             source=p.source, source_year=p.source_year, licence=p.licence,
                             low_factor=p.bounds[0], high_factor=p.bounds[1]))
    return rows


# --------------------------------------------------------------------------------------------------
# Hand-curated tables (figures from <reference>/FACTORS.md unless stated)
# --------------------------------------------------------------------------------------------------

PUE_COLUMNS = ["provider", "scope", "region_pattern", "year", "pue", "low", "high", "unit", "source",
               "source_year", "licence"]

AWS_PUE_SOURCE = ("Amazon, 'AWS Cloud' page of the Amazon sustainability site sustainability.aboutamazon.com (PUE by "
                  "geography and region, per year; downloadable CSV up to 2024; figures as listed in carbon_pipeline "
                  "shared/reference/FACTORS.md)")
AWS_PUE = {  # scope, pattern -> {year: pue}
    ("global", "%"): {2022: "1.15", 2023: "1.15", 2024: "1.15", 2025: "1.14"},
    ("geography", "eu-%"): {2022: "1.11", 2023: "1.11", 2024: "1.11", 2025: "1.11"},
    ("geography", "us-%"): {2022: "1.14", 2023: "1.14", 2024: "1.14", 2025: "1.14"},
    ("geography", "ca-%"): {2022: "1.14", 2023: "1.14", 2024: "1.14", 2025: "1.14"},
    ("geography", "mx-%"): {2022: "1.14", 2023: "1.14", 2024: "1.14", 2025: "1.14"},
    ("geography", "ap-%"): {2022: "1.26", 2023: "1.28", 2024: "1.27", 2025: "1.25"},
    ("region", "eu-west-3"): {2025: "1.35"},
    ("region", "eu-west-1"): {2022: "1.10", 2023: "1.10", 2024: "1.11", 2025: "1.10"},
    ("region", "eu-central-1"): {2022: "1.32", 2023: "1.33", 2024: "1.35", 2025: "1.24"},
    ("region", "eu-north-1"): {2022: "1.12", 2023: "1.12", 2024: "1.10", 2025: "1.09"},
    ("region", "us-east-1"): {2022: "1.16", 2023: "1.15", 2024: "1.15", 2025: "1.15"},
    ("region", "us-west-2"): {2022: "1.13", 2023: "1.13", 2024: "1.12", 2025: "1.12"},
    ("region", "ap-northeast-1"): {2022: "1.30", 2023: "1.32", 2024: "1.27", 2025: "1.25"},
    ("region", "ap-south-1"): {2022: "1.43", 2023: "1.44", 2024: "1.42", 2025: "1.40"},
}


def pue_rows_default() -> list[dict]:
    rows = []
    for (scope, pattern), years in AWS_PUE.items():
        for year, pue in years.items():
            note = ""
            if scope == "geography" and pattern != "eu-%" and pattern != "ap-%":
                note = " (North America geography = us-*, ca-*, mx-*)"
            rows.append(dict(provider="aws", scope=scope, region_pattern=pattern, year=year, pue=pue, low="",
                             high="", unit="ratio", source=AWS_PUE_SOURCE + note, source_year=2026, licence=LIC_AWS))
    rows.append(dict(provider="azure", scope="global", region_pattern="%", year=2022, pue="1.18", low="1.125",
                     high="1.185", unit="ratio",
                     source=("Microsoft datacenter sustainability fact sheets (regional fact sheets published from "
                             "Nov 2022, after the Azure blog 'How Microsoft measures datacenter water and energy use "
                             "to improve Azure Cloud sustainability', April 2022): fleet PUE 1.18 (as listed in "
                             "FACTORS.md); low = 1.125, annual PUE of the latest designs, and high = 1.185, trailing-"
                             "12-month fleet PUE, both from Microsoft's statement quoted by Cloud Carbon Footprint "
                             "(microsite/docs/HowItWorks/Methodology.md)"),
                     source_year=2022, licence=LIC_PUBLIC))
    rows.append(dict(provider="gcp", scope="global", region_pattern="%", year=2021, pue="1.10", low="", high="",
                     unit="ratio",
                     source=("Google, 'Efficiency' page of Google data centers (fleet-wide trailing-twelve-month "
                             "PUE 1.10), https://www.google.com/about/datacenters/efficiency/ ; same value (1.1) in "
                             "Cloud Carbon Footprint GCP_CLOUD_CONSTANTS.PUE_AVG"),
                     source_year=2021, licence=LIC_PUBLIC))
    return rows


GRID_COLUMNS = ["provider", "region_id", "country", "valid_from_year", "valid_to_year", "kgco2e_per_kwh",
                "kgco2e_per_kwh_market", "low", "high", "unit", "source", "source_year", "licence"]

# Ember 2023 country figures and the comparison figures of FACTORS.md (CCF app, Boavizta), kgCO2e/kWh.
EMBER_2023 = {"FR": ("0.056", ["0.0511", "0.098"]), "IE": ("0.291", ["0.2786", "0.384"]),
              "DE": ("0.381", ["0.311", "0.422"])}
EMBER_SOURCE = ("Ember, Yearly electricity data: carbon intensity of electricity generation, {c} 2023 "
                "(https://ember-energy.org/data/yearly-electricity-data/); low/high = spread of the figures for this "
                "country listed in carbon_pipeline FACTORS.md (Cloud Carbon Footprint {ccf}, Boavizta {boa}) and "
                "the CCF coefficient table for this region ({tab})")

COUNTRY = {
    "United States": "US", "South Africa": "ZA", "Hong Kong": "HK", "India": "IN", "Japan": "JP",
    "South Korea": "KR", "Singapore": "SG", "Australia": "AU", "Canada": "CA", "China": "CN", "Germany": "DE",
    "Ireland": "IE", "England": "GB", "Italy": "IT", "France": "FR", "Sweden": "SE", "Bahrain": "BH",
    "Brazil": "BR", "Taiwan": "TW", "Indonesia": "ID", "Finland": "FI", "Belgium": "BE", "Netherlands": "NL",
    "Switzerland": "CH",
    # Azure / GCP locations
    "Iowa": "US", "Virginia": "US", "Georgia": "US", "Illinois": "US", "Texas": "US", "Wyoming": "US",
    "California": "US", "Washington": "US", "Arizona": "US", "South Carolina": "US", "Northern Virginia": "US",
    "Oregon": "US", "Los Angeles": "US", "Salt Lake City": "US", "Las Vegas": "US", "Pune": "IN",
    "Chennai": "IN", "Mumbai": "IN", "London": "GB", "Cardiff": "GB", "Paris": "FR", "Helsinki": "FI",
    "Frankfurt": "DE", "Brussels": "BE", "Gavle": "SE",
}

UPSTREAM = {
    "EPA": "US EPA eGRID, NERC-region annual CO2e output emission rate (edition not stated by CCF)",
    "EEA": ("European Environment Agency, CO2 emission intensity of electricity generation "
            "(https://www.eea.europa.eu/data-and-maps/daviz/co2-emission-intensity-9)"),
    "carbonfootprint.com": "carbonfootprint.com, country-specific electricity grid GHG emission factors",
    "EMA Singapore": "Energy Market Authority of Singapore, grid emission factor",
    "Google": ("Google Cloud, 'Carbon free energy for Google Cloud regions' grid carbon intensity "
               "(https://cloud.google.com/sustainability/region-carbon)"),
}


def azure_region_id(name: str) -> str:
    return re.sub(r"\s+", "", name).lower()


def parse_grid_value(raw: str, provider: str, region: str, log: BuildLog) -> Decimal:
    """metric t/kWh -> kg/kWh. Two Azure rows lost their '0.' ('000077'); restore it."""
    raw = raw.strip()
    if re.fullmatch(r"0{2,}\d+", raw):
        fixed = "0." + raw
        log.fix(f"grid_intensity {provider} {region}: CCF value '{raw}' lacks its decimal point; read as {fixed}")
        raw = fixed
    value = D(raw)
    if not (0 <= value < Decimal("0.0015")):
        raise ValueError(f"{provider} {region}: implausible grid factor {raw} t/kWh")
    return value * 1000


def grid_rows_default(ref: Path, log: BuildLog) -> list[dict]:
    data = ref / "ccf_coefficients" / "data"
    rows = []
    for provider in ("aws", "azure", "gcp"):
        path = data / f"grid-emissions-factors-{provider}.csv"
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = [h.strip() for h in next(reader)]
            recs = [dict(zip(header, [c.strip() for c in rec])) for rec in reader if any(c.strip() for c in rec)]
        for r in recs:
            region = r["Region"]
            where = r.get("Country") or r.get("Location")
            country = COUNTRY[where]
            region_id = azure_region_id(region) if provider == "azure" else region
            value = parse_grid_value(r["CO2e (metric ton/kWh)"], provider, region, log)
            year = 2023 if provider == "azure" and region in (
                "Finland Central", "Germany West Central", "Belgium Central", "Sweden Central") else 2021
            upstream = UPSTREAM[r["Source"]]
            src = (f"{upstream}, via Cloud Carbon Footprint ccf-coefficients data/grid-emissions-factors-"
                   f"{provider}.csv ({r['Source']}{', NERC ' + r['NERC Region'] if r.get('NERC Region') else ''}; "
                   f"metric t/kWh x 1000), {CCF_COEF_URL} {CCF_COEF_VERSION}")
            if provider == "azure":
                src += f"; Azure region '{region}' ({where})"
            row = dict(provider=provider, region_id=region_id, country=country, valid_from_year=year,
                       valid_to_year="", kgco2e_per_kwh=fmt(value), kgco2e_per_kwh_market="", low="", high="",
                       unit="kgCO2e/kWh", source=src, source_year=year, licence=LIC_CCF)
            if country in EMBER_2023:
                ember, others = EMBER_2023[country]
                spread = [D(ember)] + [D(o) for o in others] + [value]
                row.update(valid_from_year=2023, kgco2e_per_kwh=ember, low=fmt(min(spread)), high=fmt(max(spread)),
                           source=EMBER_SOURCE.format(c=country, ccf=others[0], boa=others[1], tab=fmt(value)),
                           source_year=2024, licence=LIC_EMBER)
            rows.append(row)
    return rows


CONSTANT_COLUMNS = ["name", "value", "unit", "low", "high", "source", "source_year", "licence"]

CCF_CONST_SRC = ("Cloud Carbon Footprint, packages/aws/src/domain/AwsFootprintEstimationConstants.ts "
                 "(AWS_CLOUD_CONSTANTS), " + CCF_APP_URL + " " + CCF_APP_RELEASE)
CCF_COEFF_CONST_SRC = "Cloud Carbon Footprint ccf-coefficients ccfcoef/constants.py, " + CCF_COEF_URL + " " + \
    CCF_COEF_VERSION
CCF_METHOD_SRC = ("Cloud Carbon Footprint methodology, microsite/docs/HowItWorks/Methodology.md, " + CCF_APP_URL +
                  " " + CCF_APP_RELEASE)
BOAVIZTA_NET_SRC = ("Boavizta cloud emissions working group, data-transfer coefficients (as listed in "
                    "carbon_pipeline FACTORS.md)")
TAILPIPE_SRC = ("Tailpipe methodology, 'Serverless Explained' (AWS Lambda and Fargate average serverless system), "
                "https://tailpipe.ai/methodology/serverless-explained (figures as listed in FACTORS.md)")


def constants_rows_default() -> list[dict]:
    C = []

    def add(name, value, unit, source, year, licence, low="", high=""):
        C.append(dict(name=name, value=value, unit=unit, low=low, high=high, source=source, source_year=year,
                      licence=licence))

    add("memory_kwh_per_gb_hour", "0.000392", "kWh per GB-hour",
        CCF_CONST_SRC + " MEMORY_COEFFICIENT; ccfcoef/constants.py MEMORY_COEFFICIENT", CCF_APP_YEAR, LIC_CCF)
    add("cpu_utilisation", "0.5", "ratio",
        CCF_CONST_SRC + " AVG_CPU_UTILIZATION_2020 = 50 % (LBNL 2016 US Data Center Energy Usage Report projection "
        "for hyperscale servers in 2020)", CCF_APP_YEAR, LIC_CCF)
    lifetime_src = ("Default 4 years: Cloud Carbon Footprint SERVER_EXPECTED_LIFESPAN = 35040 h (4 years, as Teads, "
                    "from the Dell PowerEdge R740 LCA), " + CCF_APP_URL + " " + CCF_APP_RELEASE +
                    "; high = 6 years, Boavizta's lifetime for cloud servers (FACTORS.md)")
    add("host_lifetime_years", "4", "years", lifetime_src, CCF_APP_YEAR, LIC_CCF, "4", "6")
    for p in ("aws", "azure", "gcp"):
        add(f"host_lifetime_years_{p}", "4", "years",
            f"Per-provider override point ({p}), same value as host_lifetime_years. " + lifetime_src,
            CCF_APP_YEAR, LIC_CCF, "4", "6")
    add("hours_per_year", "8760", "hours", "Calendar convention used by CCF (35040 h = 4 x 8760 h)", CCF_APP_YEAR,
        LIC_CCF)
    add("ssd_wh_per_tb_hour", "1.2", "Wh per TB-hour", CCF_CONST_SRC + " SSDCOEFFICIENT", CCF_APP_YEAR, LIC_CCF)
    add("hdd_wh_per_tb_hour", "0.65", "Wh per TB-hour", CCF_CONST_SRC + " HDDCOEFFICIENT", CCF_APP_YEAR, LIC_CCF)
    add("network_kwh_per_gb", "0.001", "kWh per GB",
        CCF_CONST_SRC + " NETWORKING_COEFFICIENT (CCF counts only data transfer between regions); high = Boavizta "
        "inter-region 0.0015", CCF_APP_YEAR, LIC_CCF, "0.001", "0.0015")
    add("network_intra_region_kwh_per_gb", "0.001", "kWh per GB", BOAVIZTA_NET_SRC, 2024, LIC_PUBLIC)
    add("network_inter_region_kwh_per_gb", "0.0015", "kWh per GB", BOAVIZTA_NET_SRC, 2024, LIC_PUBLIC)
    add("network_internet_kwh_per_gb", "0.059", "kWh per GB", BOAVIZTA_NET_SRC, 2024, LIC_PUBLIC)
    # replication factors, AWS (names as used by the pipeline) then CCF's Azure / GCP ones
    aws_rep = [("replication_s3", "6", "S3"), ("replication_s3_one_zone_or_rrs", "2",
                                                  "S3_ONE_ZONE_REDUCED_REDUNDANCY"),
               ("replication_ebs", "2", "EC2_EBS_VOLUME"), ("replication_ebs_snapshot", "3", "EC2_EBS_SNAPSHOT"),
               ("replication_efs", "3", "EFS"), ("replication_efs_one_zone", "2", "EFS_ONE_ZONE"),
               ("replication_rds_backup", "3", "RDS_BACKUP"), ("replication_rds_aurora", "6", "RDS_AURORA"),
               ("replication_rds_multi_az", "2", "RDS_MULTI_AZ"),
               ("replication_documentdb_backup", "3", "DOCUMENT_DB_BACKUP"),
               ("replication_documentdb_storage", "2", "DOCUMENT_DB_STORAGE"),
               ("replication_dynamodb", "2", "DYNAMO_DB"), ("replication_ecr_storage", "3", "ECR_STORAGE"),
               ("replication_elasticache_backup", "3", "DOCUMENT_ELASTICACHE_BACKUP"),
               ("replication_simpledb", "2", "SIMPLE_DB"), ("replication_default", "1", "DEFAULT")]
    for name, value, key in aws_rep:
        add(name, value, "copies", f"{CCF_CONST_SRC} REPLICATION_FACTORS.{key} (applied by "
            f"packages/aws/src/lib/ReplicationFactors.ts)", CCF_APP_YEAR, LIC_CCF)
    az_src = ("Cloud Carbon Footprint, packages/azure/src/domain/AzureFootprintEstimationConstants.ts "
              "REPLICATION_FACTORS.{k}, " + CCF_APP_URL + " " + CCF_APP_RELEASE)
    for name, value, key in [("replication_azure_storage_lrs", "3", "STORAGE_LRS"),
                             ("replication_azure_storage_zrs", "3", "STORAGE_ZRS"),
                             ("replication_azure_storage_grs", "6", "STORAGE_GRS"),
                             ("replication_azure_storage_gzrs", "6", "STORAGE_GZRS"),
                             ("replication_azure_storage_disks", "3", "STORAGE_DISKS"),
                             ("replication_azure_database_mysql", "3", "DATABASE_MYSQL"),
                             ("replication_azure_cosmos_db", "4", "COSMOS_DB"),
                             ("replication_azure_sql_db", "3", "SQL_DB"),
                             ("replication_azure_redis_cache", "2", "REDIS_CACHE")]:
        add(name, value, "copies", az_src.format(k=key), CCF_APP_YEAR, LIC_CCF)
    gcp_src = ("Cloud Carbon Footprint, packages/gcp/src/domain/GcpFootprintEstimationConstants.ts "
               "REPLICATION_FACTORS.{k}, " + CCF_APP_URL + " " + CCF_APP_RELEASE)
    for name, value, key in [("replication_gcp_cloud_storage_single_region", "2", "CLOUD_STORAGE_SINGLE_REGION"),
                             ("replication_gcp_cloud_storage_dual_region", "2", "CLOUD_STORAGE_DUAL_REGION"),
                             ("replication_gcp_cloud_storage_multi_region", "2", "CLOUD_STORAGE_MULTI_REGION"),
                             ("replication_gcp_regional_disks", "2", "COMPUTE_ENGINE_REGIONAL_DISKS"),
                             ("replication_gcp_cloud_filestore", "2", "CLOUD_FILESTORE"),
                             ("replication_gcp_cloud_sql_high_availability", "2", "CLOUD_SQL_HIGH_AVAILABILITY"),
                             ("replication_gcp_memorystore_redis", "2", "CLOUD_MEMORY_STORE_REDIS"),
                             ("replication_gcp_spanner_single_region", "2", "CLOUD_SPANNER_SINGLE_REGION"),
                             ("replication_gcp_spanner_multi_region", "2", "CLOUD_SPANNER_MULTI_REGION"),
                             ("replication_gcp_kubernetes_engine", "3", "KUBERNETES_ENGINE")]:
        add(name, value, "copies", gcp_src.format(k=key), CCF_APP_YEAR, LIC_CCF)
    # CCF memory approach (AWS/Azure compute): see factor_seeds/README.md "Memory"
    mem_src = ("Cloud Carbon Footprint, packages/core/src/memory/helpers.ts getPhysicalChips (ceil(largest "
               "instance vCPUs / 96)), " + CCF_APP_URL + " " + CCF_APP_RELEASE)
    add("memory_vcpus_per_physical_chip", "96", "vCPUs per chip", mem_src, CCF_APP_YEAR, LIC_CCF)
    add("memory_physical_chips_m5zn", "2", "chips",
        "Cloud Carbon Footprint, packages/aws/src/lib/AWSMemoryEstimatesBuilder.ts (m5zn and z1d are always 2 "
        "chips), " + CCF_APP_URL + " " + CCF_APP_RELEASE, CCF_APP_YEAR, LIC_CCF)
    add("memory_physical_chips_z1d", "2", "chips",
        "Cloud Carbon Footprint, packages/aws/src/lib/AWSMemoryEstimatesBuilder.ts (m5zn and z1d are always 2 "
        "chips), " + CCF_APP_URL + " " + CCF_APP_RELEASE, CCF_APP_YEAR, LIC_CCF)
    # CCF embodied (host TE) model, for instance types missing from instance_types.csv
    add("embodied_base_host_kgco2e", "1000", "kgCO2e per host",
        CCF_COEFF_CONST_SRC + " BASE_MANUFACTURING_EMISSIONS (mono-socket, 16 GB, no local storage rack server)",
        CCF_COEF_YEAR, LIC_CCF)
    add("embodied_dram_threshold_gb", "16", "GB", CCF_COEFF_CONST_SRC + " DRAM_THRESHOLD", CCF_COEF_YEAR, LIC_CCF)
    add("embodied_dram_kgco2e_per_gb", fmt(EMB_DRAM_PER_GB, 9), "kgCO2e per GB above the threshold",
        CCF_COEFF_CONST_SRC + " DRAM_MANUFACTURING_EMISSIONS / DRAM_THRESHOLD = 533 / 384 (Dell R740 LCA: 533 kg "
        "for 384 GB)", CCF_COEF_YEAR, LIC_CCF)
    add("embodied_extra_cpu_kgco2e", "100", "kgCO2e per additional CPU socket",
        CCF_COEFF_CONST_SRC + " CPU_MANUFACTURING_EMISSIONS", CCF_COEF_YEAR, LIC_CCF)
    add("embodied_ssd_kgco2e", "100", "kgCO2e per SSD", CCF_COEFF_CONST_SRC + " SSD_MANUFACTURING_EMISSIONS",
        CCF_COEF_YEAR, LIC_CCF)
    add("embodied_hdd_kgco2e", "50", "kgCO2e per HDD", CCF_COEFF_CONST_SRC + " HDD_MANUFACTURING_EMISSIONS",
        CCF_COEF_YEAR, LIC_CCF)
    add("embodied_gpu_kgco2e", "150", "kgCO2e per GPU", CCF_COEFF_CONST_SRC + " GPU_MANUFACTURING_EMISSIONS",
        CCF_COEF_YEAR, LIC_CCF)
    # serverless (Lambda / Fargate)
    add("lambda_mb_per_vcpu", "1769", "MB of configured memory per vCPU",
        "AWS Lambda Developer Guide, 'Configure Lambda function memory': at 1,769 MB a function has the "
        "equivalent of one vCPU, https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html "
        "(CCF's methodology uses 1,792 MB = high)", 2020, LIC_PUBLIC, "1769", "1792")
    add("serverless_memory_kwh_per_gb_hour", "0.0000598", "kWh per GB-hour", TAILPIPE_SRC, 2024, LIC_PUBLIC)
    add("serverless_x86_kwh_per_vcpu_hour", "0.0088121875", "kWh per vCPU-hour", TAILPIPE_SRC, 2024, LIC_PUBLIC)
    add("serverless_arm_kwh_per_vcpu_hour", "0.00191015625", "kWh per vCPU-hour", TAILPIPE_SRC, 2024, LIC_PUBLIC)
    # Burstable (T-family) instances: AWS's published baseline utilisation per vCPU. Over time a burstable
    # instance can only run above its baseline by spending credits it earned below it (standard mode), so
    # the baseline is this set's average utilisation for them, in place of cpu_utilisation.
    burst_src = ("Amazon EC2 User Guide, 'Burstable performance instances': baseline utilization per vCPU in the "
                 "CPU credit table (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-credits-baseline-concepts.html); "
                 "used as the average utilisation of T-family instances (standard credit mode)")
    t3_like = {"nano": "0.05", "micro": "0.1", "small": "0.2", "medium": "0.2", "large": "0.3", "xlarge": "0.4",
               "2xlarge": "0.4"}
    t2 = {"nano": "0.05", "micro": "0.1", "small": "0.2", "medium": "0.2", "large": "0.3", "xlarge": "0.225",
          "2xlarge": "0.17"}
    for family, table in (("t2", t2), ("t3", t3_like), ("t3a", t3_like), ("t4g", t3_like)):
        for size, value in table.items():
            add(f"burstable_baseline_utilisation_{family}.{size}", value, "ratio", burst_src, 2024,
                LIC_AWS)
    # switches that select CCF's method where it differs from this set's (1 in the ccf set; see factor_set.yaml)
    add("memory_excess_per_chip", "0", "flag",
        "carbon_pipeline switch. 0 = host-level memory surplus: max(0, host_memory_gb - chips x memory_gb_per_chip) "
        "x memory_gb / host_memory_gb x hours. 1 = CCF's per-chip reading (host_memory_gb / chips - "
        "memory_gb_per_chip, never multiplied back by chips; packages/core/src/memory/helpers.ts "
        "calculateGigabyteHours, " + CCF_APP_URL + " " + CCF_APP_RELEASE + ")", CCF_APP_YEAR, LIC_PIPELINE_PLAIN)
    add("burstable_memory_excluded", "0", "flag",
        "carbon_pipeline switch. 0 = burstable (t*) instances get memory energy like any type. 1 = CCF gives them "
        "none (packages/aws/src/lib/AWSMemoryEstimatesBuilder.ts checkInstanceTypes, " + CCF_APP_URL + " " +
        CCF_APP_RELEASE + ")", CCF_APP_YEAR, LIC_PIPELINE_PLAIN)
    return C


GPU_COLUMNS = ["gpu_model", "min_watts", "max_watts", "unit", "source", "source_year", "licence"]
GPU_WATTS = [("NVIDIA Tesla M60", "35", "306"), ("NVIDIA T4", "8", "71"), ("NVIDIA Tesla K80", "35", "306"),
             ("NVIDIA Tesla V100", "35", "306"), ("NVIDIA Tesla A100", "46", "407"), ("NVIDIA K520", "26", "229"),
             ("NVIDIA A10G", "18", "153"), ("NVIDIA Tesla P4", "9", "76.5"), ("NVIDIA Tesla P100", "36", "306"),
             ("NVIDIA Tesla P40", "30", "255"), ("AMD Radeon Pro V520", "26", "229"),
             ("Xilinx Alveo U250", "27", "229.5")]


def gpu_rows() -> list[dict]:
    src = ("Cloud Carbon Footprint methodology Appendix III 'GPUs and min/max watts' and "
           "AWS_CLOUD_CONSTANTS.MIN/MAX_WATTS_BY_COMPUTE_PROCESSOR, " + CCF_APP_URL + " " + CCF_APP_RELEASE)
    return [dict(gpu_model=m, min_watts=lo, max_watts=hi, unit="W per GPU", source=src, source_year=CCF_APP_YEAR,
                 licence=LIC_CCF) for m, lo, hi in GPU_WATTS]


# --------------------------------------------------------------------------------------------------
# Billing-line tables: usage_classes.csv (usage line -> physical model), units.csv (pricing unit ->
# canonical quantity), spend_rules.csv / spend_ratios.csv (spend-based fallback) and exchange_rates.csv.
# Resolution rules (documented in factor_seeds/README.md, reference SQL in carbon_pipeline_tests):
#   usage_classes: among the rows whose service_code ('*' or exact), unit ('*' or exact) and usage_type_regex
#   (DuckDB regexp_matches, RE2, partial match) fit the line, the lowest priority wins; a physical class then
#   needs the line's unit in units.csv with a canonical unit the class accepts (CLASS_CANONICAL_UNITS), else the
#   line is reported unmapped (never a zero). Rows are written so that no line depends on falling through.
# --------------------------------------------------------------------------------------------------

USAGE_CLASS_COLUMNS = ["provider", "service_code", "usage_type_regex", "unit", "priority", "usage_class",
                       "instance_type_regex", "storage_media", "replication_constant", "network_scope", "note",
                       "source", "source_year", "licence"]
UNIT_COLUMNS = ["unit", "quantity_kind", "canonical_unit", "multiplier", "month_hours", "note", "source",
                "source_year", "licence"]
SPEND_RULE_COLUMNS = ["provider", "line_item_type", "service_code", "billing_entity", "priority", "spend_category",
                      "reason", "source", "source_year", "licence"]
SPEND_RATIO_COLUMNS = ["category", "kgco2e_per_keur", "low", "high", "unit", "source", "source_year", "licence"]
EXCHANGE_RATE_COLUMNS = ["currency", "year", "month", "eur_per_unit", "source", "source_year", "licence"]

USAGE_CLASS_VALUES = ("instance", "storage", "network", "lambda", "fargate_vcpu", "fargate_memory",
                      "no_physical_model")
NPM = "no_physical_model"
# canonical units each physical class accepts (a 'time' unit on a per-GB / per-vCPU usage type, e.g.
# Lambda-GB-Second billed in 'seconds' or Fargate-vCPU-Hours:perCPU billed in 'hours', carries that dimension)
CLASS_CANONICAL_UNITS = {"instance": ("hours",), "storage": ("GB-hours",), "network": ("GB",),
                         "lambda": ("GB-hours", "hours"), "fargate_vcpu": ("vCPU-hours", "hours"),
                         "fargate_memory": ("GB-hours", "hours")}

LIC_PIPELINE = "Apache-2.0 (carbon_pipeline classification; AWS usage-type names cited from AWS documentation)"
LIC_PIPELINE_PLAIN = "Apache-2.0 (carbon_pipeline)"
LIC_ADEME = ("ADEME Base Empreinte open data, reuse with attribution (figures as listed in carbon_pipeline "
             "FACTORS.md; check the Base Empreinte terms of use before redistributing)")
LIC_ECB = "ECB statistics: reuse free of charge provided the source is acknowledged (ECB reuse policy)"

SRC_CUR = ("AWS Cost and Usage Reports User Guide, data dictionary (line_item_product_code; line_item_usage_type = "
           "'<region code>-<usage>', no region code in us-east-1; pricing_unit), "
           "https://docs.aws.amazon.com/cur/latest/userguide/data-dictionary.html")
SRC_S3_USAGE = ("Amazon S3 User Guide, 'Understanding your AWS billing and usage reports for Amazon S3' (usage types "
                "TimedStorage-*-ByteHrs per storage class, EarlyDelete-*, region1-region2-AWS-Out/In-Bytes, "
                "DataTransfer-Out/In/Regional-Bytes), https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
                "aws-usage-report-understand.html (awsdocs/amazon-s3-userguide, 2023 snapshot)")
SRC_S3_FAQ = ("Amazon S3 FAQs, 'How will I be charged and billed for my use of Amazon S3?': storage is metered in "
              "TimedStorage-ByteHrs and converted to GB-Months as byte-hours x (1 GB / 1,073,741,824 bytes) x "
              "(1 month / 744 hours) for March, i.e. 1 GB = 2^30 bytes and a GB-Month = GB x hours of that month, "
              "https://aws.amazon.com/s3/faqs/")
SRC_EBS = ("Amazon EBS User Guide, 'Amazon EBS volume types' (gp2, gp3, io1, io2 SSD; st1, sc1 HDD; standard = "
           "previous-generation magnetic), https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html; "
           "usage types EBS:VolumeUsage.<type> (io1 billed as .piops, magnetic as plain EBS:VolumeUsage) and "
           "EBS:SnapshotUsage as in the AWS price list; " + SRC_CUR)
SRC_EFS = ("Amazon EFS User Guide, metering and usage types (TimedStorage-ByteHrs Standard, IATimedStorage-ByteHrs "
           "Infrequent Access, ArchiveTimedStorage-ByteHrs Archive, '-Z-' One Zone classes e.g. "
           "TimedStorage-Z-ByteHrs, IATimedStorage-Z-ByteHrs; billed in GB-Mo), https://docs.aws.amazon.com/efs/")
SRC_RDS = ("Amazon RDS User Guide, 'Multi-AZ DB instance deployments' (a synchronous standby DB instance in a second "
           "Availability Zone) and RDS usage types in the AWS price list (InstanceUsage:db.<class>, "
           "Multi-AZUsage:db.<class>, RDS:GP2-Storage, RDS:GP3-Storage, RDS:PIOPS-Storage, RDS:StorageUsage "
           "(magnetic), Aurora:StorageUsage, RDS:ChargedBackupUsage, Aurora:BackupUsage), "
           "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html")
SRC_MANAGED = ("AWS price list usage types of managed-instance services: ElastiCache NodeUsage:cache.<type>, "
               "OpenSearch ESInstance:<type> (instance type <type>.search / .elasticsearch), DocumentDB "
               "InstanceUsage:db.<type>; " + SRC_CUR)
SRC_LAMBDA = ("AWS Lambda pricing: duration billed in GB-seconds (usage types Lambda-GB-Second, "
              "Lambda-GB-Second-ARM for Graviton2, Lambda-Edge-GB-Second for Lambda@Edge), requests per request "
              "(usage type Request), https://aws.amazon.com/lambda/pricing/")
SRC_FARGATE = ("AWS Fargate pricing: per vCPU-hour and per GB-hour of memory (usage types "
               "Fargate-vCPU-Hours:perCPU, Fargate-GB-Hours, Fargate-ARM-* for Graviton, "
               "Fargate-EphemeralStorage-GB-Hours), https://aws.amazon.com/fargate/pricing/")
SRC_NET = (SRC_S3_USAGE + "; the same data-transfer usage types are used by EC2 / AWSDataTransfer and the other "
           "services; energy per GB: " + "Boavizta cloud emissions working group data-transfer coefficients (intra-"
           "region 0.001, inter-region 0.0015, internet in/out 0.059 kWh/GB, as listed in carbon_pipeline "
           "FACTORS.md)")


def _ccf_file_src(path: str, what: str = "") -> str:
    return f"Cloud Carbon Footprint release-2024-02-11, packages/aws/src/lib/{path}{what}, {CCF_APP_URL}"


SRC_CCF_TYPES = _ccf_file_src("CostAndUsageTypes.ts")
SRC_CCF_REPL = _ccf_file_src("ReplicationFactors.ts")
SRC_CCF_REPORTS = _ccf_file_src("CostAndUsageReports.ts and CostAndUsageReportsRow.ts",
                                " (getEstimateByUsageUnit: the pricing unit selects compute / storage / networking / "
                                "Lambda; getVCpuHours; parseInstanceTypeFromUsageType drops db./cache.)")

RE2_META = set("\\.^$|?*+()[]{}")


def rx_escape(text: str) -> str:
    """Escape a literal for an RE2 / Python regex (only the metacharacters; '-' and ':' stay readable)."""
    return "".join("\\" + c if c in RE2_META else c for c in text)


def uc(service: str, regex: str, usage_class: str, note: str, source: str, year: int, licence: str, unit: str = "*",
       itr: str = "", media: str = "", rep: str = "", scope: str = "") -> dict:
    """One usage_classes.csv row (priority assigned from the position in the list, see number_rules)."""
    if usage_class not in USAGE_CLASS_VALUES:
        raise ValueError(f"usage class {usage_class!r}")
    if (usage_class == "storage") != bool(media) or (usage_class == "network") != bool(scope):
        raise ValueError(f"{regex}: storage_media only for storage, network_scope only for network")
    re.compile(regex)
    if itr and re.compile(itr).groups != 1:
        raise ValueError(f"{itr}: instance_type_regex needs exactly one capture group")
    return dict(provider="aws", service_code=service, usage_type_regex=regex, unit=unit, usage_class=usage_class,
                instance_type_regex=itr, storage_media=media, replication_constant=rep, network_scope=scope,
                note=note, source=source, source_year=year, licence=licence)


def number_rules(rows: list[dict], step: int = 10) -> list[dict]:
    """Priorities follow the order of the list: unique, first row = highest precedence."""
    for i, r in enumerate(rows):
        r["priority"] = (i + 1) * step
    return rows


CATCH_ALL_NOTE = ("everything else (requests, API calls, CloudWatch metrics and alarms, load balancer and NAT gateway "
                  "hours, support 'Dollar' lines, licences, fees...): no physical model; spend_rules.csv decides "
                  "whether the spend-based fallback applies")


def usage_class_rows_default() -> list[dict]:
    Y, L = 2024, LIC_PIPELINE
    ec2, rds = "AmazonEC2", "AmazonRDS"
    rows = [
        # -- lines that would otherwise be counted twice, or that are not a physical quantity
        uc("*", r"(^|-)HostBoxUsage(:|$)", NPM,
           "Instance launched on a Dedicated Host ($0): the host itself is billed (HostUsage) and counted; CCF lists "
           "it as unsupported for the same reason", SRC_CUR + "; " + SRC_CCF_TYPES, Y, L),
        uc("*", r"(^|-)(ECS|EMR-EKS)-EC2-", NPM,
           "Split cost allocation / EMR on EKS lines for containers running on EC2 instances: the instance hours "
           "already carry the energy (CCF: unsupported, double counted)", SRC_CUR + "; " + SRC_CCF_TYPES, Y, L),
        uc(ec2, r"(^|-)EBSOptimized:", NPM,
           "EBS-optimised flag line ($0 for current generations) on an instance whose hours are counted (CCF counts "
           "it as compute again)", SRC_CUR, Y, L),
        uc(ec2, r"(^|-)CPUCredits:", NPM,
           "T-family surplus CPU credits (vCPU-Hours): a charge for CPU above baseline on an instance whose hours are "
           "counted at the default utilisation", SRC_CUR, Y, L),
        uc(ec2, r"(^|-)EBS:(VolumeP-IOPS|VolumeP-Throughput|VolumeIOUsage|FastSnapshotRestore)", NPM,
           "Provisioned IOPS / throughput, I/O requests and fast snapshot restore of volumes whose capacity is "
           "counted by EBS:VolumeUsage*", SRC_EBS, Y, L),
        uc("*", r"(^|-)EarlyDelete-", NPM,
           "Prorated charge for objects deleted before the minimum storage duration: nothing is stored any more "
           "(CCF counts it as stored data)", SRC_S3_USAGE, 2023, L),
        uc("ElasticMapReduce", r"(^|-)(BoxUsage|SpotUsage)(:|$)", NPM,
           "EMR service fee per instance-hour; the instance itself is billed and counted under AmazonEC2 (CCF counts "
           "these lines as compute again)", SRC_CUR, Y, L),
        uc(rds, r"ExtendedSupport", NPM,
           "RDS Extended Support fee per vCPU-hour on DB instances whose hours are counted", SRC_RDS, Y, L),
        uc("AWSLambda", r"(^|-)Lambda-Provisioned-", NPM,
           "Provisioned concurrency (environments kept warm): no defensible power model for idle environments; "
           "spend-based (CCF: unknown usage)", SRC_LAMBDA, Y, L),
        # -- instance hours
        uc(ec2, r"(^|-)BoxUsage(:|$)", "instance",
           "EC2 instance hours (On-Demand, Savings Plan or RI covered); instance type from product_instance_type "
           "(or the usage type)", SRC_CUR, Y, L),
        uc(ec2, r"(^|-)SpotUsage(:|$)", "instance", "EC2 Spot instance hours", SRC_CUR, Y, L),
        uc(ec2, r"(^|-)DedicatedUsage(:|$)", "instance", "EC2 Dedicated Instance hours", SRC_CUR, Y, L),
        uc(ec2, r"(^|-)HostUsage(:|$)", "instance",
           "EC2 Dedicated Host hours: the whole host is reserved; product_instance_type names the host family or "
           "a .metal size - flag it if the catalogue has no such key", SRC_CUR, Y, L),
        uc(ec2, r"(^|-)(UnusedBox|UnusedDed)(:|$)", "instance",
           "Unused On-Demand Capacity Reservation hours: the capacity is held idle for the account; counted as "
           "instance hours at the default utilisation (an overestimate for idle hosts; CCF counts them too)",
           SRC_CUR, Y, L),
        uc(rds, r"(^|-)Multi-AZ(Cluster)?Usage[A-Za-z]*:db\.", "instance",
           "RDS Multi-AZ DB instance hours: primary + one standby in another AZ (replication_rds_multi_az = 2; a "
           "Multi-AZ DB cluster has two readable standbys, so 2 understates it). CUR may abbreviate the size "
           "('db.r5.12xl'): normalise a trailing 'xl' to 'xlarge' before the catalogue lookup",
           SRC_RDS + "; " + SRC_CCF_REPL, Y, L,
           itr=r"Multi-AZ(?:Cluster)?Usage[A-Za-z]*:(db\.[a-z0-9]+\.[a-z0-9]+)", rep="replication_rds_multi_az"),
        uc(rds, r"(^|-)InstanceUsage[A-Za-z]*:db\.", "instance",
           "RDS / Aurora DB instance hours (single-AZ; Aurora replicas are billed as instances of their own). The "
           "catalogue has db.* keys for the families CCF lists; other families (db.m6i, db.r7g...) are flagged unknown "
           "(same hardware as the EC2 type without 'db.')", SRC_RDS, Y, L,
           itr=r"InstanceUsage[A-Za-z]*:(db\.[a-z0-9]+\.[a-z0-9]+)"),
        uc("AmazonDocDB", r"(^|-)InstanceUsage[A-Za-z]*:db\.", "instance", "DocumentDB instance hours",
           SRC_MANAGED, Y, L, itr=r"InstanceUsage[A-Za-z]*:(db\.[a-z0-9]+\.[a-z0-9]+)"),
        uc("AmazonElastiCache", r"(^|-)NodeUsage:cache\.", "instance", "ElastiCache node hours", SRC_MANAGED, Y, L,
           itr=r"NodeUsage:(cache\.[a-z0-9]+\.[a-z0-9]+)"),
        uc("AmazonES", r"(^|-)ESInstance:", "instance",
           "OpenSearch instance hours: the capture keeps a '.elasticsearch' suffix when the usage type has one (a "
           "catalogue key), otherwise it is the EC2 type the node runs on ('.search' dropped); the usage-type "
           "spelling is to be checked on a real CUR", SRC_MANAGED, Y, L,
           itr=r"ESInstance:([a-z0-9]+\.[a-z0-9]+(?:\.elasticsearch)?)"),
        # -- block storage and snapshots (EC2)
        uc(ec2, r"(^|-)EBS:VolumeUsage\.gp2$", "storage", "EBS gp2 (General Purpose SSD)", SRC_EBS, Y, L,
           media="ssd", rep="replication_ebs"),
        uc(ec2, r"(^|-)EBS:VolumeUsage\.gp3$", "storage", "EBS gp3 (General Purpose SSD)", SRC_EBS, Y, L,
           media="ssd", rep="replication_ebs"),
        uc(ec2, r"(^|-)EBS:VolumeUsage\.piops$", "storage", "EBS io1 (Provisioned IOPS SSD, billed as .piops)",
           SRC_EBS, Y, L, media="ssd", rep="replication_ebs"),
        uc(ec2, r"(^|-)EBS:VolumeUsage\.io2$", "storage", "EBS io2 (Provisioned IOPS SSD)", SRC_EBS, Y, L,
           media="ssd", rep="replication_ebs"),
        uc(ec2, r"(^|-)EBS:VolumeUsage\.st1$", "storage", "EBS st1 (Throughput Optimized HDD)", SRC_EBS, Y, L,
           media="hdd", rep="replication_ebs"),
        uc(ec2, r"(^|-)EBS:VolumeUsage\.sc1$", "storage", "EBS sc1 (Cold HDD)", SRC_EBS, Y, L,
           media="hdd", rep="replication_ebs"),
        uc(ec2, r"(^|-)EBS:VolumeUsage$", "storage", "EBS standard (previous-generation magnetic)", SRC_EBS, Y, L,
           media="hdd", rep="replication_ebs"),
        uc(ec2, r"(^|-)EBS:SnapshotUsage$", "storage",
           "EBS snapshots (stored in S3; HDD as CCF classifies them)", SRC_EBS + "; " + SRC_CCF_TYPES, Y, L,
           media="hdd", rep="replication_ebs_snapshot"),
        uc(ec2, r"(^|-)EBS:SnapshotArchiveStorage$", "storage",
           "EBS snapshot archive tier: media not published, HDD as standard snapshots (CCF: unknown usage)",
           SRC_EBS, Y, L, media="hdd", rep="replication_ebs_snapshot"),
        # -- S3 storage classes (all HDD as CCF classifies them; one-zone / RRS with 2 copies)
        uc("AmazonS3", r"(^|-)TimedStorage-ByteHrs$", "storage", "S3 Standard", SRC_S3_USAGE + "; " + SRC_CCF_TYPES,
           2023, L, media="hdd", rep="replication_s3"),
        uc("AmazonS3", r"(^|-)TimedStorage-SIA-(ByteHrs|SmObjects)$", "storage", "S3 Standard-IA",
           SRC_S3_USAGE + "; " + SRC_CCF_TYPES, 2023, L, media="hdd", rep="replication_s3"),
        uc("AmazonS3", r"(^|-)TimedStorage-ZIA-(ByteHrs|SmObjects)$", "storage", "S3 One Zone-IA (single AZ)",
           SRC_S3_USAGE + "; " + SRC_CCF_REPL, 2023, L, media="hdd", rep="replication_s3_one_zone_or_rrs"),
        uc("AmazonS3", r"(^|-)TimedStorage-RRS-ByteHrs$", "storage", "S3 Reduced Redundancy Storage",
           SRC_S3_USAGE + "; " + SRC_CCF_REPL, 2023, L, media="hdd", rep="replication_s3_one_zone_or_rrs"),
        uc("AmazonS3", r"(^|-)TimedStorage-INT-(FA|IA|AIA|AA|DAA)-ByteHrs$", "storage",
           "S3 Intelligent-Tiering (frequent, infrequent, archive instant, archive, deep archive access tiers)",
           SRC_S3_USAGE, 2023, L, media="hdd", rep="replication_s3"),
        uc("AmazonS3", r"(^|-)TimedStorage-(GlacierByteHrs|GlacierStaging)$", "storage",
           "S3 Glacier Flexible Retrieval (and its staging storage)", SRC_S3_USAGE + "; " + SRC_CCF_TYPES, 2023, L,
           media="hdd", rep="replication_s3"),
        uc("AmazonS3", r"(^|-)TimedStorage-GDA-(ByteHrs|Staging)$", "storage",
           "S3 Glacier Deep Archive (HDD as CCF classifies it; AWS does not publish the media)",
           SRC_S3_USAGE + "; " + SRC_CCF_TYPES, 2023, L, media="hdd", rep="replication_s3"),
        uc("AmazonS3", r"(^|-)TimedStorage-GIR-(ByteHrs|SmObjects)$", "storage", "S3 Glacier Instant Retrieval",
           SRC_S3_USAGE + "; " + SRC_CCF_TYPES, 2023, L, media="hdd", rep="replication_s3"),
        uc("AmazonGlacier", r"(^|-)TimedStorage-ByteHrs$", "storage",
           "S3 Glacier vaults (legacy AmazonGlacier product code): same durability design as S3, replication_s3 "
           "(CCF has no replication rule for AmazonGlacier, i.e. 1)", SRC_S3_USAGE + "; " + SRC_CCF_TYPES, 2023, L,
           media="hdd", rep="replication_s3"),
        # -- file storage
        uc("AmazonEFS", r"(^|-)[A-Za-z]*TimedStorage-Z-", "storage",
           "EFS One Zone and One Zone-IA (the '-Z-' usage types); SSD as CCF assumes for EFS", SRC_EFS + "; " +
           SRC_CCF_TYPES, Y, L, media="ssd", rep="replication_efs_one_zone"),
        uc("AmazonEFS", r"(^|-)[A-Za-z]*TimedStorage-", "storage",
           "EFS Standard, Infrequent Access, Archive (regional, multi-AZ); SSD as CCF assumes for EFS (conservative)",
           SRC_EFS + "; " + SRC_CCF_TYPES, Y, L, media="ssd", rep="replication_efs"),
        # -- databases
        uc(rds, r"(^|-)(RDS|Aurora):[A-Za-z-]*BackupUsage$", "storage",
           "RDS / Aurora backup storage beyond the free allowance (kept in S3: HDD)", SRC_RDS + "; " + SRC_CCF_REPL,
           Y, L, media="hdd", rep="replication_rds_backup"),
        uc(rds, r"(^|-)Aurora:[A-Za-z-]*StorageUsage$", "storage",
           "Aurora cluster volume (six copies across three AZs)", SRC_RDS + "; " + SRC_CCF_REPL, Y, L,
           media="ssd", rep="replication_rds_aurora"),
        uc(rds, r"(^|-)RDS:Multi-AZ-(GP2|GP3|PIOPS|IO2|io2)-Storage$", "storage",
           "RDS Multi-AZ SSD storage (primary + standby volume)", SRC_RDS + "; " + SRC_CCF_REPL, Y, L,
           media="ssd", rep="replication_rds_multi_az"),
        uc(rds, r"(^|-)RDS:(GP2|GP3|PIOPS|IO2|io2)-Storage$", "storage",
           "RDS single-AZ SSD storage (replication 1 as CCF: the EBS copies under RDS are not counted)",
           SRC_RDS + "; " + SRC_CCF_TYPES, Y, L, media="ssd"),
        uc(rds, r"(^|-)RDS:Multi-AZ-StorageUsage$", "storage",
           "RDS Multi-AZ magnetic storage (CCF lists it as SSD; magnetic is HDD)", SRC_RDS, Y, L,
           media="hdd", rep="replication_rds_multi_az"),
        uc(rds, r"(^|-)RDS:StorageUsage$", "storage", "RDS magnetic storage (previous generation)",
           SRC_RDS + "; " + SRC_CCF_TYPES, Y, L, media="hdd"),
        uc("AmazonDocDB", r"(^|-)BackupUsage$", "storage", "DocumentDB backup storage (S3: HDD)",
           SRC_MANAGED + "; " + SRC_CCF_REPL, Y, L, media="hdd", rep="replication_documentdb_backup"),
        uc("AmazonDocDB", r"(^|-)StorageUsage$", "storage", "DocumentDB cluster storage (SSD as CCF assumes)",
           SRC_MANAGED + "; " + SRC_CCF_REPL, Y, L, media="ssd", rep="replication_documentdb_storage"),
        uc("AmazonDynamoDB", r"Backup", "storage", "DynamoDB backups (HDD as CCF classifies them)",
           SRC_CUR + "; " + SRC_CCF_TYPES + "; " + SRC_CCF_REPL, Y, L, media="hdd", rep="replication_dynamodb"),
        uc("AmazonDynamoDB", r"(^|-)Timed[A-Za-z]*Storage-ByteHrs$", "storage",
           "DynamoDB table and point-in-time-recovery storage (SSD as CCF assumes)",
           SRC_CUR + "; " + SRC_CCF_TYPES + "; " + SRC_CCF_REPL, Y, L, media="ssd", rep="replication_dynamodb"),
        uc("AmazonECR", r"(^|-)TimedStorage-ByteHrs$", "storage", "ECR image storage (S3-backed: HDD)",
           SRC_CUR + "; " + SRC_CCF_TYPES + "; " + SRC_CCF_REPL, Y, L, media="hdd", rep="replication_ecr_storage"),
        uc("AmazonElastiCache", r"(^|-)ElastiCache:BackupUsage$", "storage", "ElastiCache backups (S3: HDD)",
           SRC_CUR + "; " + SRC_CCF_TYPES + "; " + SRC_CCF_REPL, Y, L, media="hdd",
           rep="replication_elasticache_backup"),
        # -- serverless
        uc("AWSLambda", r"(^|-)Lambda-GB-Second$", "lambda", "Lambda duration, x86 (GB-seconds of configured memory)",
           SRC_LAMBDA, Y, L),
        uc("AWSLambda", r"(^|-)Lambda-GB-Second-ARM$", "lambda",
           "Lambda duration on Graviton2 (arm64): the '-ARM' suffix selects the Arm processor", SRC_LAMBDA, Y, L),
        uc("*", r"(^|-)Lambda-Edge-GB-Second$", "lambda", "Lambda@Edge duration (billed under AmazonCloudFront)",
           SRC_LAMBDA, Y, L),
        uc("AWSLambda", r"(^|-)Request(-ARM)?$", NPM,
           "Lambda requests: a per-invocation charge; the duration lines carry the energy", SRC_LAMBDA, Y, L),
        uc("*", r"(^|-)Fargate-EphemeralStorage-GB-Hours$", "storage",
           "Fargate ephemeral storage beyond the included 20 GB (local SSD)", SRC_FARGATE, Y, L, media="ssd"),
        uc("*", r"(^|-)Fargate(-ARM|-Windows)?-vCPU-Hours:perCPU$", "fargate_vcpu",
           "Fargate vCPU-hours (ECS or EKS; '-ARM' = Graviton); billed in 'hours' per vCPU", SRC_FARGATE, Y, L),
        uc("*", r"(^|-)Fargate(-ARM|-Windows)?-GB-Hours$", "fargate_memory",
           "Fargate memory GB-hours (billed in 'GB-Hours' or 'hours' per GB)", SRC_FARGATE, Y, L),
        # -- data transfer (Boavizta coefficients; see factor_set.yaml for which transfers count)
        uc("*", r"(^|-)AWS-Out-A?Bytes(-T[12])?$", "network",
           "Data sent to another AWS Region (e.g. EUW3-USE1-AWS-Out-Bytes), counted once, on the sending side",
           SRC_NET, Y, L, scope="inter_region"),
        uc("*", r"(^|-)S3RTC-Out-Bytes$", "network", "S3 Replication Time Control transfer to another Region",
           SRC_NET, Y, L, scope="inter_region"),
        uc("*", r"(^|-)(AWS|S3RTC)-In-A?Bytes(-T[12])?$", NPM,
           "Data received from another AWS Region: the same bytes are billed (and counted) as AWS-Out-Bytes by the "
           "sending Region; inbound inter-region transfer is free, so the spend fallback adds nothing",
           SRC_NET, Y, L),
        uc("*", r"(^|-)DataTransfer-Out-Bytes$", "network",
           "Data sent to the internet (EC2, S3, CloudFront edge egress...)", SRC_NET, Y, L, scope="internet"),
        uc("*", r"(^|-)DataTransfer-In-Bytes$", "network",
           "Data received from the internet (Boavizta's internet coefficient covers in and out)", SRC_NET, Y, L,
           scope="internet"),
        uc("*", r"(^|-)DataTransfer-Regional-Bytes$", "network",
           "Data between Availability Zones / via public or elastic IPs within a Region. AWS bills both the sending "
           "(InterZone-Out) and the receiving (InterZone-In) side under this usage type, so traffic whose two ends are "
           "in the bill is counted twice (at 0.001 kWh/GB)", SRC_NET, Y, L, scope="intra_region"),
    ]
    # -- any other line billed per GB-month is stored data (media unknown: SSD, CCF's conservative choice for
    #    services of unknown media; replication unknown: 1)
    for unit in ("GB-Mo", "GB-Month", "GB-month", "GB-Months", "GB-Mp", "TB-Mo", "ByteHrs"):
        rows.append(uc("*", r".*", "storage",
                       f"Any other line billed in {unit} is stored data (CloudWatch Logs, AWS Backup, FSx, "
                       f"Lightsail snapshots...): SSD (conservative, as CCF does for services of unknown media), "
                       f"replication 1 (unknown)", SRC_CUR + "; " + SRC_CCF_TYPES, Y, LIC_DERIVED, unit=unit,
                       media="ssd"))
    rows.append(uc("*", r".*", NPM, CATCH_ALL_NOTE, SRC_CUR, Y, L))
    return number_rules(rows)


# units.csv -------------------------------------------------------------------------------------------

SRC_FOCUS_UNITS = ("FinOps Foundation FOCUS-Sample-Data (CC BY 4.0), focus_1.0_sample_1000.csv: AWS PricingUnit "
                   "values as exported in FOCUS 1.0 (GB-Months, Lambda-GB-Seconds, Seconds, Hours, GB)")
SRC_CCF_UNITS = _ccf_file_src("CostAndUsageTypes.ts KNOWN_USAGE_UNITS and packages/common/src/helpers/"
                              "unitConversion.ts", " (convertGigabyteMonthsToTerabyteHours: GB-Mo x 24 x days in the "
                              "usage month)")
THIRD = "0.000277777777777777777778"  # 1/3600, 24 significant digits (parses to the same double as 1/3600)
PER_GIB = "0.000000000931322574615478515625"  # 1/1073741824 = 2^-30, exact


def unit_row(unit, kind, canonical, multiplier, month_hours, note, source, year, licence):
    if kind not in ("time", "storage_time", "data", "memory_time", "vcpu_time"):
        raise ValueError(kind)
    return dict(unit=unit, quantity_kind=kind, canonical_unit=canonical, multiplier=multiplier,
                month_hours="true" if month_hours else "false", note=note, source=source, source_year=year,
                licence=licence)


def unit_rows_default() -> list[dict]:
    L = LIC_PIPELINE
    cur = SRC_CUR
    gbmo_note = ("GB-month -> GB-hours: x hours of the billing month (days in month x 24: 672 to 744), as AWS "
                 "computes GB-Months (S3 FAQ example: / 744 hours for March); the amount on an hourly or daily CUR "
                 "line is its share of a GB-month, so the billing month's hours apply whatever the line granularity")
    rows = [
        unit_row("Hrs", "time", "hours", "1", False, "EC2 / RDS instance hours", cur, 2024, L),
        unit_row("Hours", "time", "hours", "1", False, "Instance / resource hours (CUR and FOCUS spelling)",
                 cur + "; " + SRC_FOCUS_UNITS, 2024, L),
        unit_row("hours", "time", "hours", "1", False,
                 "Fargate vCPU (per vCPU) and memory (per GB) lines: the usage type carries the per-vCPU / per-GB "
                 "dimension", cur + "; " + SRC_FARGATE, 2024, L),
        unit_row("seconds", "time", "hours", THIRD, False,
                 "Seconds -> hours (/3600). Lambda duration (Lambda-GB-Second) is billed in 'seconds' in some CURs: "
                 "the usage type makes them GB-seconds", cur + "; " + SRC_LAMBDA, 2024, L),
        unit_row("Second", "time", "hours", THIRD, False, "Seconds -> hours (/3600)", cur, 2024, L),
        unit_row("Seconds", "time", "hours", THIRD, False, "Seconds -> hours (/3600), FOCUS spelling",
                 SRC_FOCUS_UNITS, 2024, L),
        unit_row("vCPU-Hours", "vcpu_time", "vCPU-hours", "1", False, "vCPU-hours", cur, 2024, L),
        unit_row("vCPU-hours", "vcpu_time", "vCPU-hours", "1", False, "vCPU-hours", cur, 2024, L),
        unit_row("GB-Hours", "memory_time", "GB-hours", "1", False,
                 "GB-hours (Fargate memory; also storage in some usage reports)", cur + "; " + SRC_FARGATE, 2024, L),
        unit_row("GB-hours", "memory_time", "GB-hours", "1", False, "GB-hours", cur, 2024, L),
        unit_row("GB-Hrs", "memory_time", "GB-hours", "1", False, "GB-hours", cur, 2024, L),
        unit_row("GB-Second", "memory_time", "GB-hours", THIRD, False, "GB-seconds -> GB-hours (/3600)",
                 cur + "; " + SRC_LAMBDA, 2024, L),
        unit_row("GB-Seconds", "memory_time", "GB-hours", THIRD, False, "GB-seconds -> GB-hours (/3600)",
                 cur + "; " + SRC_LAMBDA, 2024, L),
        unit_row("Lambda-GB-Second", "memory_time", "GB-hours", THIRD, False,
                 "Lambda GB-seconds -> GB-hours (/3600)", cur + "; " + SRC_LAMBDA, 2024, L),
        unit_row("Lambda-GB-Seconds", "memory_time", "GB-hours", THIRD, False,
                 "Lambda GB-seconds -> GB-hours (/3600), FOCUS spelling", SRC_FOCUS_UNITS + "; " + SRC_LAMBDA, 2024,
                 L),
        unit_row("GB-Mo", "storage_time", "GB-hours", "1", True, gbmo_note, cur + "; " + SRC_S3_FAQ, 2024, L),
        unit_row("GB-Month", "storage_time", "GB-hours", "1", True, gbmo_note, cur + "; " + SRC_S3_FAQ, 2024, L),
        unit_row("GB-month", "storage_time", "GB-hours", "1", True, gbmo_note, cur + "; " + SRC_S3_FAQ, 2024, L),
        unit_row("GB-Months", "storage_time", "GB-hours", "1", True, gbmo_note + " (FOCUS spelling)",
                 SRC_FOCUS_UNITS + "; " + SRC_S3_FAQ, 2024, L),
        unit_row("GB-Mp", "storage_time", "GB-hours", "1", True,
                 gbmo_note + " ('GB-Mp' is how some CURs spell GB-Mo; listed by CCF KNOWN_USAGE_UNITS)",
                 cur + "; " + SRC_CCF_UNITS, 2024, LIC_DERIVED),
        unit_row("TB-Mo", "storage_time", "GB-hours", "1024", True,
                 "TB-month -> GB-hours: x 1024 (AWS TB = 1024 GB of 2^30 bytes, e.g. S3 tiers '50 TB' = 51,200 GB) "
                 "x hours of the billing month", cur + "; " + SRC_S3_FAQ, 2024, L),
        unit_row("ByteHrs", "storage_time", "GB-hours", PER_GIB, False,
                 "Byte-hours (AWS usage reports) -> GB-hours: / 1,073,741,824 (AWS GB = GiB = 2^30 bytes). CUR "
                 "storage lines whose USAGE TYPE ends in ByteHrs are priced in GB-Mo: convert by pricing unit, never "
                 "by usage-type name (CCF's 10^12 S3 slip)", SRC_S3_FAQ + "; " + SRC_S3_USAGE, 2024, L),
        unit_row("GB", "data", "GB", "1", False, "Data transfer (AWS GB = 2^30 bytes)", cur + "; " + SRC_S3_FAQ,
                 2024, L),
        unit_row("GigaBytes", "data", "GB", "1", False, "Data transfer (spelling listed by CCF KNOWN_USAGE_UNITS)",
                 SRC_CCF_UNITS, 2024, LIC_DERIVED),
        unit_row("TB", "data", "GB", "1024", False, "TB -> GB: x 1024 (AWS TB = 1024 GB)", cur + "; " + SRC_S3_USAGE,
                 2024, L),
    ]
    return rows


# spend_rules.csv --------------------------------------------------------------------------------------

SRC_BILLING = ("carbon_pipeline shared/reference BILLING.md (CUR line item types and what they carry) and the AWS "
               "CUR data dictionary, line_item_line_item_type / bill_billing_entity, "
               "https://docs.aws.amazon.com/cur/latest/userguide/Lineitem-columns.html")
SRC_ADEME_CAT = ("ADEME Base Empreinte monetary ratios (kgCO2e per k€ excl. VAT), categories as listed in "
                 "carbon_pipeline FACTORS.md")
# Every CUR line item type listed in BILLING.md (stg_aws_cur.sql knows the same list).
CUR_LINE_ITEM_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation",
                       "SavingsPlanUpfrontFee", "SavingsPlanRecurringFee", "RIFee", "Fee", "Tax", "Credit", "Refund",
                       "EdpDiscount", "BundledDiscount", "PrivateRateDiscount", "DistributorDiscount")
RESERVABLE_SERVICES = ("AmazonEC2", "AmazonRDS", "AmazonElastiCache", "AmazonRedshift", "AmazonES",
                       "AmazonMemoryDB", "AmazonDynamoDB")


def spend_rule_rows() -> list[dict]:
    Y, L, S = 2024, LIC_PIPELINE_PLAIN, SRC_BILLING

    def sr(line_type, service, entity, category, reason, source=S):
        return dict(provider="aws", line_item_type=line_type, service_code=service, billing_entity=entity,
                    spend_category=category, reason=reason, source=source, source_year=Y, licence=L)
    rows = [
        sr("Tax", "*", "*", "",
           "Tax: not a purchase of goods or services (the ADEME ratios are per k€ excluding VAT)"),
        sr("Credit", "*", "*", "", "Credit: reduces cost, no physical effect (the credited usage keeps its own "
           "emissions)"),
        sr("Refund", "*", "*", "", "Refund: reduces cost, no physical effect"),
        sr("EdpDiscount", "*", "*", "", "Enterprise Discount Program discount: a price reduction, no physical effect"),
        sr("BundledDiscount", "*", "*", "", "Bundled discount: a price reduction, no physical effect"),
        sr("PrivateRateDiscount", "*", "*", "", "Private rate discount: a price reduction, no physical effect"),
        sr("DistributorDiscount", "*", "*", "", "Distributor discount: a price reduction, no physical effect"),
        sr("SavingsPlanNegation", "*", "*", "",
           "SavingsPlanNegation: cancels the on-demand cost of SavingsPlanCoveredUsage lines; the covered line is the "
           "usage"),
        sr("SavingsPlanRecurringFee", "*", "*", "",
           "SavingsPlanRecurringFee: commitment fee; the covered usage lines carry the energy — counting spend here "
           "would double count (its EffectiveCost is the unused commitment: nothing consumed)"),
        sr("SavingsPlanUpfrontFee", "*", "*", "",
           "SavingsPlanUpfrontFee: upfront payment of the commitment; the covered usage lines carry the energy — "
           "counting spend here would double count"),
        sr("RIFee", "*", "*", "",
           "RIFee: reservation fee; the DiscountedUsage lines carry the energy — counting spend here would double "
           "count (its EffectiveCost is the unused reservation: nothing consumed)"),
    ]
    for service in RESERVABLE_SERVICES:
        rows.append(sr("Fee", service, "*", "",
                       f"Fee on {service}: upfront payment of a reservation (RI, reserved nodes / capacity, "
                       f"Capacity Blocks); the covered usage lines carry the energy — counting spend here would "
                       f"double count"))
    rows += [
        sr("*", "*", "AWS Marketplace", "software_publishing",
           "Marketplace: software publishing (third-party software / SaaS sold through AWS Marketplace; the "
           "instances it runs on are billed by AWS and counted separately)", S + "; " + SRC_ADEME_CAT),
        sr("*", "AWSSupport%", "*", "it_services", "AWS Support: IT services (support plans)",
           S + "; " + SRC_ADEME_CAT),
        sr("*", "AWSDeveloperSupport", "*", "it_services", "AWS Support: IT services (Developer support plan)",
           S + "; " + SRC_ADEME_CAT),
        sr("*", "OCBPremiumSupport", "*", "it_services", "AWS Support: IT services (Enterprise On-Ramp / premium "
           "support product code)", S + "; " + SRC_ADEME_CAT),
        sr("*", "AWSDataTransfer", "*", "telecommunications",
           "Data transfer without a physical model (e.g. inbound inter-region, unlisted transfer types): paid to "
           "move data over the network, closest to telecommunications (ADEME NACE 61) rather than IT services",
           S + "; " + SRC_ADEME_CAT),
        sr("*", "AWSDirectConnect", "*", "telecommunications",
           "Direct Connect port hours and transfer: dedicated network connectivity, a telecommunications service",
           S + "; " + SRC_ADEME_CAT),
        sr("Usage", "*", "*", "it_services",
           "Usage with no physical model (or an unmapped one): IT services (cloud hosting / data processing, ADEME "
           "'services informatiques')", S + "; " + SRC_ADEME_CAT),
        sr("DiscountedUsage", "*", "*", "it_services",
           "RI-covered usage with no physical model: IT services", S + "; " + SRC_ADEME_CAT),
        sr("SavingsPlanCoveredUsage", "*", "*", "it_services",
           "Savings Plan covered usage with no physical model: IT services", S + "; " + SRC_ADEME_CAT),
        sr("Fee", "*", "*", "it_services",
           "Other fees (Route 53 domain registration, Shield Advanced subscription...): IT services",
           S + "; " + SRC_ADEME_CAT),
        sr("*", "*", "*", "it_services",
           "Catch-all: anything not matched above is a purchase from a cloud provider: IT services (unknown line "
           "item types are quarantined by staging before they reach this table)", S + "; " + SRC_ADEME_CAT),
    ]
    return number_rules(rows)


# spend_ratios.csv -------------------------------------------------------------------------------------

ADEME_RATIOS = [  # category, kgCO2e per k€ excl. VAT, ADEME label (FACTORS.md)
    ("it_services", "75", "IT services (services informatiques)"),
    ("telecommunications", "136", "telecommunications"),
    ("electronics", "216", "computer, electronic and optical products"),
    ("software_publishing", "96", "publishing / software"),
]


def spend_ratio_rows() -> list[dict]:
    rows = []
    for cat, value, label in ADEME_RATIOS:
        v = D(value)
        rows.append(dict(category=cat, kgco2e_per_keur=value, low=fmt(v * D("0.2")), high=fmt(v * D("1.8")),
                         unit="kgCO2e per k€ excl. VAT",
                         source=(f"ADEME, Base Empreinte (base-empreinte.ademe.fr), monetary ratios 2023, category "
                                 f"'{label}' (figure as listed in carbon_pipeline FACTORS.md); low/high = the "
                                 f"±80 % uncertainty ADEME gives for monetary ratios (0.2x and 1.8x)"),
                         source_year=2023, licence=LIC_ADEME))
    return rows


# exchange_rates.csv -----------------------------------------------------------------------------------

# ECB euro foreign exchange reference rates, currency units per 1 EUR, 4 decimals. RECALLED WITHOUT NETWORK
# ACCESS: every figure must be checked against the ECB series before it is relied on (see factor_set.yaml).
ECB_USD_MONTHLY = {  # EXR.M.USD.EUR.SP00.A, monthly average of the daily reference rates
    2023: ["1.0785", "1.0715", "1.0706", "1.0968", "1.0868", "1.0840", "1.1058", "1.0909", "1.0684", "1.0563",
           "1.0808", "1.0903"],
    2024: ["1.0905", "1.0795", "1.0872", "1.0728", "1.0812", "1.0759", "1.0844", "1.1012", "1.1106", "1.0904",
           "1.0630", "1.0479"],
    2025: ["1.0354", "1.0413", "1.0807", "1.1214", "1.1278", "1.1516", "1.1677", "1.1649", "1.1737", "1.1630",
           "1.1560", "1.1710"],
}
ECB_LOW_CONFIDENCE = {("USD", 2025, m) for m in (9, 10, 11, 12)} | {("USD", 2025, None)}
ECB_ANNUAL = {  # EXR.A.<CUR>.EUR.SP00.A, annual average of the daily reference rates
    "USD": {2022: "1.0530", 2023: "1.0813", 2024: "1.0824"},
    "GBP": {2022: "0.8528", 2023: "0.8698", 2024: "0.8466"},
    "CHF": {2022: "1.0047", 2023: "0.9718", 2024: "0.9526"},
}
ECB_VERIFY = ("recalled by the author of this seed without network access, 4 decimals: verify against the ECB "
              "Data Portal series before relying on it")


def exchange_rate_rows() -> list[dict]:
    rows = []

    def add(cur, year, month, rate, series, how):
        conf = " LOWER CONFIDENCE (late-2025 figure)" if (cur, year, month) in ECB_LOW_CONFIDENCE else ""
        rows.append(dict(currency=cur, year=year, month="" if month is None else month,
                         eur_per_unit=fmt(D(1) / D(rate), 6),
                         source=(f"European Central Bank, euro foreign exchange reference rates, series {series} "
                                 f"({how}, {cur} per 1 EUR) = {rate} -> eur_per_unit = 1 / {rate}; {ECB_VERIFY}."
                                 f"{conf}"),
                         source_year=year, licence=LIC_ECB))
    for year, rates in ECB_USD_MONTHLY.items():
        for m, rate in enumerate(rates, start=1):
            add("USD", year, m, rate, "EXR.M.USD.EUR.SP00.A", f"monthly average {year}-{m:02d}")
    for cur, years in ECB_ANNUAL.items():
        for year, rate in years.items():
            add(cur, year, None, rate, f"EXR.A.{cur}.EUR.SP00.A", f"annual average {year}")
    # 2025 USD annual: mean of the monthly averages above (the ECB annual figure averages daily rates)
    mean25 = mean([D(r) for r in ECB_USD_MONTHLY[2025]]).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    add("USD", 2025, None, fmt(mean25, 4), "EXR.M.USD.EUR.SP00.A (mean of the 12 monthly averages of 2025; the "
        "ECB annual series EXR.A.USD.EUR.SP00.A averages daily rates and may differ in the 4th decimal)",
        "annual average 2025")
    for year in range(2020, 2031):
        rows.append(dict(currency="EUR", year=year, month="", eur_per_unit="1",
                         source="Identity: 1 EUR = 1 EUR (billing already in euros)", source_year=year,
                         licence=LIC_PIPELINE_PLAIN))
    return rows


def write_billing_tables(out: Path, usage_rows: list[dict], unit_rows: list[dict]) -> dict[str, int]:
    """The five billing-line tables of a set (spend ratios and exchange rates are the same in every set)."""
    return {
        "usage_classes.csv": write_csv(out / "usage_classes.csv", USAGE_CLASS_COLUMNS, usage_rows,
                                       lambda r: (r["provider"], r["priority"])),
        "units.csv": write_csv(out / "units.csv", UNIT_COLUMNS, unit_rows, lambda r: r["unit"]),
        "spend_rules.csv": write_csv(out / "spend_rules.csv", SPEND_RULE_COLUMNS, spend_rule_rows(),
                                     lambda r: (r["provider"], r["priority"])),
        "spend_ratios.csv": write_csv(out / "spend_ratios.csv", SPEND_RATIO_COLUMNS, spend_ratio_rows(),
                                      lambda r: r["category"]),
        "exchange_rates.csv": write_csv(out / "exchange_rates.csv", EXCHANGE_RATE_COLUMNS, exchange_rate_rows(),
                                        lambda r: (r["currency"], int(r["year"]), int(r["month"] or 0))),
    }


# --------------------------------------------------------------------------------------------------
# factor_set.yaml
# --------------------------------------------------------------------------------------------------

DEFAULT_NOTES = [
    "All CSVs of this set are generated by carbon_pipeline/factors/build_seeds.py (python -m "
    "carbon_pipeline.factors.build_seeds --reference <shared/reference> --out factor_seeds/default); do not edit them "
    "by hand: hand-curated figures (PUE, Ember grid figures, constants, GPU watts) are literal rows in that script, "
    "each with its citation.",
    "Instance catalogue: every type of ccf-coefficients data/aws-instances.csv and data/aws-instances-latest-2026.csv "
    "(AWS), data/azure-instances.csv (Azure) and data/gcp-instances.csv + data/gcp-instances-latest-2026.csv (GCP). "
    "When a type is in both files, the original CCF file wins (its host data is what CCF's embodied totals were "
    "computed from); the 2026 file only adds types and fixes unit slips (see corrections).",
    "CPU name -> microarchitecture: CCF's approach (a CPU matches a model of data/intel-*.csv / amd-*.csv when its "
    "name ends with the model at a word boundary, case-insensitive; longest model wins), Graviton names directly, "
    "then an Intel codename in the text ('Intel Xeon Ice Lake'); unmatched CPUs (Apple M-series mac instances, "
    "NVIDIA Grace, 'Intel Xeon Family') get 'Unknown'. amd-neoverse-n1.csv is not used (it repeats EPYC models).",
    "Instance types deployed on several microarchitectures (Azure, GCP) point at a combined cpu_power row named "
    "'A / B / C' whose watts are the average of the components, or the median when Sandy Bridge or Ivy Bridge is "
    "among them (CCF core/src/FootprintEstimate.ts getWattsByAverageOrMedian); GB/chip is the plain average; host "
    "embodied is the mean of CCF's per-microarchitecture totals (ccfcoef embodied_coefficients_mean).",
    "cpu_power 'Unknown' rows: average of the provider's published coefficient rows; 'Graviton' (a1) = EPYC 2nd Gen "
    "as in ccfcoef/aws/coefficients.py; GCP Haswell / Ivy Bridge / Sandy Bridge use the AWS rows (no GCP row "
    "published); GCP Ampere Altra ('Quicksilver') and Google Axion use GCP EPYC 2nd Gen (analogy with CCF's Graviton "
    "rule).",
    "cpu_power low_factor/high_factor bound the power obtained from a row (P = min + u x (max - min)). 0.7 / 1.3 for "
    "families with a usable SPECpower sample: the 10th-90th percentile of watts per thread across the SPECpower "
    "servers of a family is about 0.8-1.2 x the family mean at 100 % load and 0.65-1.4 x at idle (computed on "
    "ccf-coefficients data/SPECpower-2026-03-09.csv), and SPEC's tuned servers are not cloud hosts. 0.5 / 1.5 for rows "
    "set by analogy (Graviton*, Quicksilver, Google Axion, GCP rows borrowed from AWS), for families with fewer than "
    "5 SPECpower results (Ivy Bridge, Emerald Rapids), for the recomputed EPYC 5th Gen and for 'Unknown'.",
    "Embodied: host_embodied_kgco2e is the whole host's manufacturing footprint TE (kgCO2e). AWS types of the "
    "original CCF file: CCF 'total' (output/coefficients-aws-embodied.csv); 2026-only AWS types: 'Platform Embedded "
    "Emissions (mtCo2eq)' x 1000, else the value of the other sizes of the family, else CCF's formula. GCP 2026-only "
    "types: CCF's formula, because the 2026 GCP 'Platform Embedded Emissions' are not plausible per-host figures "
    "(e2-highcpu 0.89 t but e2-standard 8 t, c4-highmem 1,000 t, x4-megamem-1920 470,000 t per host).",
    "host_vcpus is the CCF 'Platform' vCPU count (AWS: vCPUs of the whole host; Azure/GCP: the largest size of the "
    "series, CCF's proxy). For 2026-only AWS types: aws-instances-cpus.csv by CPU name, else the largest size of the "
    "family; host_memory_gb likewise from the largest size.",
    "Azure 'Constrained vCPUs capable' sizes (e.g. E8-2s v3): vcpus is the number of active vCPUs taken from the "
    "name (CCF's column holds the active share, 0.25); host_vcpus is CCF's parent size, so vcpus/host_vcpus follows "
    "CCF's reading of these sizes.",
    "Grid intensity: location-based, kgCO2e/kWh. FR, IE and DE regions of all three providers use Ember 2023 country "
    "figures (FACTORS.md) with low/high = spread of the CCF app, Boavizta, Ember and CCF-table figures; every other "
    "region the CCF table value (metric t/kWh x 1000) citing its upstream source. Market-based figures are left "
    "empty (no source). valid_from_year = data year (Ember) or the year CCF published the table; valid_to_year is "
    "open. The CCF tables do not state their data year (CCF methodology: averages of years before 2020).",
    "PUE: AWS per-year values by region and geography from the AWS sustainability site (FACTORS.md); eu-west-3 has "
    "only 2025, so 2022-2024 resolve to the Europe row. Azure 1.18 (Microsoft, 2022; low 1.125 newest designs, high "
    "1.185 as quoted by CCF) and GCP 1.10 (Google TTM PUE, 2021): the year column is the year of publication as far "
    "as known; the resolution rule carries a single row to every year.",
    "Lifetime: host_lifetime_years = 4 (CCF/Teads, Dell R740 LCA basis) with high = 6 (Boavizta for cloud). 4 is the "
    "conservative choice (larger embodied share) and keeps embodied results comparable with CCF and with the seed's "
    "6,930 kgCO2e embodied sanity figure; per-provider rows exist so that a provider can be moved to 6 with a trace.",
    "Years of hand-curated figures: FACTORS.md does not date the Azure, GCP, Boavizta and Tailpipe figures; "
    "source_year is the publication year as far as known (Azure fact sheets 2022, Google TTM PUE 1.10 as of 2021, "
    "Boavizta / Tailpipe pages 2024, AWS Lambda 1,769 MB since the December 2020 10 GB launch). Check before "
    "relying on the year itself.",
    "Uncertainty: low/high are filled only where a range can be defended (grid for FR/IE/DE, Azure PUE, lifetime, "
    "network, Lambda vCPU equivalence); empty otherwise, never zero.",
    "Fractional GPUs (AWS g6f / gr6f): gpu_count is 0 and gpu_model says 'NVIDIA L4 (partition 0.125 of one GPU)'; "
    "the pipeline must parse the partition if it estimates GPU energy for them.",
    "gpu_power.csv (an addition to the contract): min/max watts per GPU for the models CCF publishes; newer GPUs "
    "(H100, H200, L4, L40S, B200...) have no row, so GPU energy for them must be reported as not estimated.",
]


BILLING_RESOLUTION_NOTE = (
    "Billing lines (usage_classes.csv, units.csv, spend_rules.csv, spend_ratios.csv, exchange_rates.csv) decide how a "
    "billing line reaches a physical model or the spend-based fallback. usage_classes.csv: the rows whose "
    "service_code ('*' or exact), unit ('*' or exact pricing unit) and usage_type_regex (DuckDB regexp_matches, RE2, "
    "partial match, tested on coalesce(usage_type, '')) fit a usage line compete and the lowest priority wins "
    "(priorities are unique). A physical class then needs the line's unit in units.csv with a canonical unit the "
    "class accepts (instance: hours; storage: GB-hours; network: GB; lambda and fargate_memory: GB-hours or hours; "
    "fargate_vcpu: vCPU-hours or hours - a time unit on a per-GB / per-vCPU usage type such as Lambda-GB-Second "
    "billed in 'seconds' or Fargate-vCPU-Hours:perCPU billed in 'hours' carries that dimension); otherwise the line "
    "is reported unmapped (unit unknown, or unit does not fit the class), never zero. "
    "replication_constant (empty = 1) multiplies the energy of every class; instance_type_regex's single "
    "capture is the instance_types.csv key for managed services (EC2 rows leave it empty: product_instance_type). "
    "Reference SQL: carbon_pipeline_tests/test_factor_seeds.py USAGE_CLASS_RESOLVE_SQL and SPEND_RULE_RESOLVE_SQL.")
SPEND_NOTE = (
    "spend_rules.csv / spend_ratios.csv: lines with no physical model (or an unmapped one) and non-usage lines get "
    "the spend-based fallback of FACTORS.md: cost (k€ excl. VAT) x the ADEME Base Empreinte 2023 monetary ratio of "
    "the matched rule's category (it_services 75, telecommunications 136, electronics 216, software_publishing 96 "
    "kgCO2e per k€; ±80 % -> low 0.2x, high 1.8x); an empty category attributes nothing. The lowest matching "
    "priority wins (line_item_type and billing_entity exact or '*', service_code exact, '*' or a LIKE pattern). "
    "Tax, Credit, Refund, the four discount types, SavingsPlanNegation, Savings Plan fees, RIFee and upfront "
    "reservation fees (Fee on a reservable service) get nothing: no physical effect, or the covered usage lines "
    "already carry the energy. Usage / DiscountedUsage / SavingsPlanCoveredUsage without a physical model -> "
    "it_services; AWS Marketplace -> software_publishing; AWS Support -> it_services; AWSDataTransfer and "
    "AWSDirectConnect -> telecommunications (paying to move data over a network is closer to NACE 61 than to IT "
    "services); other fees and the final catch-all -> it_services. Recommended spend basis: the line's "
    "EffectiveCost (amortised, FOCUS) converted to EUR with exchange_rates.csv; 'electronics' is for hardware "
    "purchases (no AWS rule uses it).")
EXCHANGE_NOTE = (
    "exchange_rates.csv: ECB euro foreign exchange reference rates, eur_per_unit = 1 / (currency units per EUR). USD "
    "monthly averages 2023-2025 (series EXR.M.USD.EUR.SP00.A) and annual averages 2022-2024 (EXR.A.USD.EUR.SP00.A), "
    "2025 annual = mean of its twelve monthly averages; GBP and CHF annual averages 2022-2024; EUR = 1 for 2020-2030. "
    "CAVEAT: these figures were written from memory without network access (4 decimals of the ECB rate); the "
    "September-December 2025 USD values and the 2025 annual value are the least certain (flagged in their source). "
    "Verify every row against the ECB Data Portal before relying on it. A month without a row should fall back to "
    "the year's annual average; a year without any row must be flagged, not guessed.")
SWITCH_NOTE = (
    "Switch constants (flag 0/1) selecting CCF's method where it differs from the default set's and is not one of "
    "CCF's four known defects: memory_excess_per_chip (0 = host-level memory surplus max(0, host_memory_gb - chips x "
    "memory_gb_per_chip); 1 = CCF's per-chip surplus host_memory_gb / chips - memory_gb_per_chip, never multiplied "
    "back by chips) and burstable_memory_excluded (0 = t* types get memory energy; 1 = CCF gives them none). Both are "
    "0 in the default set and 1 in the ccf set; CCF's burstable vCPU scaling is carried by the "
    "ccf_burstable_baseline_utilisation_<type> rows, present only in the ccf set (no row = no scaling).")

DEFAULT_BILLING_NOTES = [
    BILLING_RESOLUTION_NOTE,
    "Network transfers counted by the default set (Boavizta coefficients, FACTORS.md): internet 0.059 kWh/GB for "
    "DataTransfer-Out-Bytes (incl. CloudFront edge egress) and DataTransfer-In-Bytes (Boavizta's internet figure "
    "covers in and out); inter-region 0.0015 kWh/GB for region1-region2-AWS-Out-Bytes and S3RTC-Out-Bytes, counted "
    "once on the sending side (AWS-In-Bytes is the same transfer seen by the receiving region, free: "
    "no_physical_model); intra-region 0.001 kWh/GB for DataTransfer-Regional-Bytes (AWS bills both AZ sides under "
    "that usage type, so traffic with both ends in the bill counts twice). NAT gateway processing, VPC endpoints, "
    "Transit Gateway, Direct Connect and other transfer types have no physical model (spend-based). "
    "network_kwh_per_gb (CCF's 0.001) is kept for comparison only.",
    "Classification choices of the default set that differ from CCF's: EarlyDelete-* (prorated charge for deleted "
    "objects), EBSOptimized, CPUCredits, HostBoxUsage, ECS / EMR-on-EKS split lines and ElasticMapReduce's "
    "per-instance fee have no physical model (CCF counts several of them a second time); Fargate memory is "
    "fargate_memory (CCF: SSD storage); RDS Multi-AZ magnetic storage is HDD (CCF: SSD); EFS One Zone ('-Z-' usage "
    "types) uses replication_efs_one_zone (CCF looks for 'ZIA'); S3 Intelligent-Tiering archive tiers are storage "
    "(CCF: no estimate); AmazonGlacier vaults use replication_s3 (CCF: 1); unused capacity reservations count as "
    "instance hours. Any other line billed per GB-month is SSD storage with replication 1 (CCF's conservative media "
    "choice); the catch-all is no_physical_model. Usage types not present in this project's sample CUR (OpenSearch "
    "ESInstance, EFS One Zone, Fargate Arm/Windows, Lambda@Edge) follow AWS price-list naming: check them on real "
    "data.",
    "units.csv: canonical = billed x multiplier (x hours of the billing month when month_hours is true). GB-Mo "
    "(GB-Month, GB-month, GB-Months, GB-Mp) -> GB-hours uses the real hours of the billing month (days x 24, 672 to "
    "744), as AWS computes GB-months (S3 FAQ: byte-hours / 2^30 / 744 h for March); a CUR line's GB-Mo amount is its "
    "share of the month whatever its granularity. ByteHrs -> GB-hours / 1,073,741,824 (AWS GB are GiB); TB and "
    "TB-Mo x 1024; seconds and GB-seconds / 3600. Requests and other counts are deliberately absent: a physical line "
    "in an unknown unit stays unmapped.",
    SPEND_NOTE,
    EXCHANGE_NOTE,
    SWITCH_NOTE,
]

CCF_BILLING_NOTES = [
    BILLING_RESOLUTION_NOTE,
    "usage_classes.csv reproduces CCF's classification, generated from packages/aws/src/lib/CostAndUsageTypes.ts "
    "(UNSUPPORTED and UNKNOWN usage types -> no_physical_model; SSD_USAGE_TYPES, and any storage line of "
    "SSD_SERVICES unless its usage type contains 'Backup' -> SSD storage; HDD_USAGE_TYPES -> HDD storage; "
    "NETWORKING_USAGE_TYPES -> network except AmazonCloudFront) and ReplicationFactors.ts (replication per service "
    "and usage type), plus literal rows for what CostAndUsageReports.ts decides from the pricing unit (instance "
    "hours, Lambda, Fargate, Glue DPU, Aurora Serverless ACU, CPU credits).",
    "CCF quirks reproduced (not among its four known defects): EBSOptimized lines and ElasticMapReduce's "
    "per-instance-hour fee lines counted as compute again; CPU credits, Glue DPU-hours (4 vCPU each), Aurora "
    "Serverless ACU-hours (0.25 vCPU each, x6 Aurora replication) and SimpleDB hours computed on the 'Unknown' "
    "processor (class fargate_vcpu; serverless_x86_kwh_per_vcpu_hour of this set = that processor at 50 %); "
    "DocumentDB's storage replication factor applied to its instance hours; EarlyDelete charges counted as stored "
    "data; Fargate memory read as SSD storage (class fargate_memory with serverless_memory_kwh_per_gb_hour = 1.2 Wh "
    "per TB-hour); Arm Fargate vCPU lines get 0 kWh (no_physical_model); EFS One Zone not recognised (CCF looks for "
    "'ZIA'); S3 Intelligent-Tiering archive tiers (INT-AA, INT-DAA) not classified (no estimate).",
    "Network: CCF's methodology says only data exchanged between regions counts, but its code applies "
    "NETWORKING_COEFFICIENT (0.001 kWh/GB) to every NETWORKING_USAGE_TYPES entry, i.e. also to DataTransfer-Out-Bytes "
    "(internet egress, except AmazonCloudFront) and DataTransfer-Regional-Bytes (between AZs). This set follows the "
    "code: network_inter_region_kwh_per_gb, network_internet_kwh_per_gb and network_intra_region_kwh_per_gb are all "
    "0.001; inbound transfer (DataTransfer-In-Bytes, AWS-In-Bytes) is not counted (no_physical_model).",
    "Not reproduced: CCF's UnknownEstimator (kWh extrapolated from cost for unknown usage types and units: "
    "no_physical_model here); hours lines whose instance type CCF cannot resolve (0 kWh in CCF: no_physical_model); "
    "OpenSearch instances (CCF finds neither processor nor embodied figure for 'r5.large.elasticsearch'; here the EC2 "
    "type r5.large is used); Redshift and MSK node hours (CCF's own tables, not in this set's catalogue).",
    "units.csv: CCF's KNOWN_USAGE_UNITS only (a unit CCF does not know is unmapped here). GB-Mo family -> GB-hours x "
    "the real hours of the usage month, as CCF's convertGigabyteMonthsToTerabyteHours (daysInMonth of the line's "
    "date; its 30.42-day fallback only applies to an invalid date): the same conversion as the default set. Known "
    "defect 1 (usage types ending in ByteHrs divided by 2^40 as if bytes) is fixed: conversion is by pricing unit; "
    "known defect 3 (Lambda GB-seconds read as vCPU-seconds) is fixed: Lambda-GB-Second -> GB-hours and "
    "lambda_mb_per_vcpu = 1792 (CCF's methodology figure). DPU-Hour x 4 and ACU-Hr x 0.25 vCPU-hours are CCF's "
    "conventions.",
    "CCF has no spend-based method: spend_rules.csv, spend_ratios.csv and exchange_rates.csv are the default set's "
    "(ADEME monetary ratios, ECB rates), kept so that a run with this set covers the same lines; compare with CCF's "
    "own totals on the physically modelled lines only. " + SPEND_NOTE,
    EXCHANGE_NOTE,
    SWITCH_NOTE,
]


def write_yaml(path: Path, name: str, description: str, notes: list[str]) -> None:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = [f"name: {name}", f'version: "{SET_VERSION}"', f"description: {q(description)}", "notes:"]
    lines += [f"  - {q(n)}" for n in notes]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Default set
# --------------------------------------------------------------------------------------------------

def build_default(ref: Path, out: Path, ec2_catalogue: Path | None) -> dict[str, int]:
    log = BuildLog()
    data = ref / "ccf_coefficients" / "data"
    matcher = CpuMatcher(data)
    power = build_cpu_power_default(ref, log)
    cat = load_ec2_catalogue(ec2_catalogue)

    inst = build_aws_instances(ref, matcher, cat, log)
    inst += build_azure_instances(ref, power["azure"], log)
    inst += build_gcp_instances(ref, power["gcp"], log)
    for r in inst:
        r.pop("_family", None)
        if r["microarchitecture"] not in power[r["provider"]]:
            raise ValueError(f"{r['provider']} {r['instance_type']}: no cpu_power row {r['microarchitecture']!r}")

    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    counts["instance_types.csv"] = write_csv(out / "instance_types.csv", INSTANCE_COLUMNS, inst,
                                             lambda r: (r["provider"], r["instance_type"]))
    counts["cpu_power.csv"] = write_csv(out / "cpu_power.csv", CPU_POWER_COLUMNS, cpu_power_rows(power),
                                        lambda r: (r["provider"], r["microarchitecture"]))
    counts["pue.csv"] = write_csv(out / "pue.csv", PUE_COLUMNS, pue_rows_default(),
                                  lambda r: (r["provider"], r["region_pattern"], int(r["year"])))
    counts["grid_intensity.csv"] = write_csv(out / "grid_intensity.csv", GRID_COLUMNS, grid_rows_default(ref, log),
                                             lambda r: (r["provider"], r["region_id"], int(r["valid_from_year"])))
    counts["constants.csv"] = write_csv(out / "constants.csv", CONSTANT_COLUMNS, constants_rows_default(),
                                        lambda r: r["name"])
    counts["gpu_power.csv"] = write_csv(out / "gpu_power.csv", GPU_COLUMNS, gpu_rows(), lambda r: r["gpu_model"])
    counts.update(write_billing_tables(out, usage_class_rows_default(), unit_rows_default()))

    notes = list(DEFAULT_NOTES) + DEFAULT_BILLING_NOTES
    notes += [f"Correction: {c}" for c in sorted(set(log.corrections))]
    if log.conflicts:
        notes.append("Source conflicts (CPU of the original CCF AWS file kept): " + "; ".join(sorted(log.conflicts)))
    derived_families = sorted({d for d in log.derivations if "family" in d})
    if derived_families:
        notes.append("Derived with CCF's embodied formula (no figure upstream): " + "; ".join(
            d.split("family ")[1].split(":")[0] for d in derived_families) + " (AWS families).")
    write_yaml(out / "factor_set.yaml", "default",
               "carbon_pipeline default factors: CCF coefficient tables (2026 refresh, corrected) for instances, "
               "CPU power and embodied emissions; AWS per-region per-year PUE; Ember 2023 grid intensity for FR/IE/DE "
               "and CCF grid tables elsewhere; CCF constants.", notes)
    return counts


# --------------------------------------------------------------------------------------------------
# CCF application set (factor_seeds/ccf): parsed from the TypeScript sources of a CCF checkout
# --------------------------------------------------------------------------------------------------

CCF_FILES = {
    "aws_const": "packages/aws/src/domain/AwsFootprintEstimationConstants.ts",
    "aws_types": "packages/aws/src/lib/AWSInstanceTypes.ts",
    "aws_regions": "packages/aws/src/lib/AWSRegions.ts",
    "azure_const": "packages/azure/src/domain/AzureFootprintEstimationConstants.ts",
    "azure_regions": "packages/azure/src/lib/AzureRegions.ts",
    "gcp_const": "packages/gcp/src/domain/GcpFootprintEstimationConstants.ts",
    "gcp_regions": "packages/gcp/src/lib/GCPRegions.ts",
    "core_const": "packages/core/src/FootprintEstimationConstants.ts",
    "core_proc": "packages/core/src/compute/ComputeProcessorTypes.ts",
    "aws_cur_types": "packages/aws/src/lib/CostAndUsageTypes.ts",
}


def _strip_ts_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"(?m)(?<!:)//.*$", "", text)


def ts_block(text: str, name: str) -> str:
    """Body of ``export const NAME[: type] = { ... }`` (or of ``export enum NAME { ... }``)."""
    m = re.search(rf"export\s+(?:const\s+{name}\b[^=]*=|enum\s+{name}\b)\s*\{{", text)
    if not m:
        raise ValueError(f"{name} not found")
    depth, i = 1, m.end()
    while depth:
        c = text[i]
        depth += (c == "{") - (c == "}")
        i += 1
    return text[m.end():i - 1]


KEY = r"(?:'([^']+)'|\"([^\"]+)\"|([A-Za-z_$][\w$]*))"


def ts_nested_numbers(body: str) -> dict[str, dict[str, list[str]]]:
    """{ family: { size: [n, n, n], ... }, ... } -> nested dict of number strings (source order kept)."""
    out: dict[str, dict[str, list[str]]] = {}
    for m in re.finditer(KEY + r"\s*:\s*\{([^{}]*)\}", body):
        fam = m.group(1) or m.group(2) or m.group(3)
        out[fam] = {}
        for e in re.finditer(KEY + r"\s*:\s*\[([^\]]*)\]", m.group(4)):
            size = e.group(1) or e.group(2) or e.group(3)
            out[fam][size] = [v.strip() for v in e.group(4).split(",") if v.strip()]
    return out


def ts_flat(body: str) -> dict[str, str]:
    """{ key: value, [ENUM.X]: value, ... } -> raw value strings (multi-line values joined)."""
    body = re.sub(r"\s+", " ", body)
    out = {}
    for m in re.finditer(r"(\[[^\]]+\]|" + KEY + r")\s*:\s*(\[[^\]]*\]|[^,\[\]]+?)\s*(?:,|$)", body):
        key = m.group(1)
        if key.startswith("["):
            key = key[1:-1].strip()
        else:
            key = m.group(2) or m.group(3) or m.group(4)
        out[key] = m.group(5).strip()
    return out


class CcfSources:
    def __init__(self, repo: Path):
        self.repo = repo
        self.text = {}
        for k, rel in CCF_FILES.items():
            path = repo / rel
            if not path.is_file():
                raise SystemExit(f"{path} not found: --ccf-repo must be a checkout of cloud-carbon-footprint")
            self.text[k] = _strip_ts_comments(path.read_text(encoding="utf-8"))
        proc = ts_flat(ts_block(self.text["core_proc"], "COMPUTE_PROCESSOR_TYPES").replace("=", ":"))
        self.processor = {k: v.strip("'\"") for k, v in proc.items()}  # CASCADE_LAKE -> 'Cascade Lake'
        self.processor_lists = {}
        for m in re.finditer(r"export const (\w+)\s*=\s*\[([^\]]*)\]", self.text["core_proc"]):
            self.processor_lists[m.group(1)] = [self.processor[x.split(".")[-1].strip()]
                                                for x in m.group(2).split(",") if x.strip()]
        self.nerc = {k: v for k, v in ts_flat(ts_block(self.text["core_const"],
                                                       "US_NERC_REGIONS_EMISSIONS_FACTORS")).items()}

    def proc_list(self, raw: str) -> list[str]:
        raw = raw.strip()
        if raw.startswith("["):
            return [self.processor[x.split(".")[-1].strip()] for x in raw[1:-1].split(",") if x.strip()]
        return list(self.processor_lists[raw])

    def number(self, raw: str) -> Decimal:
        raw = raw.strip()
        if raw.startswith("US_NERC_REGIONS_EMISSIONS_FACTORS."):
            return D(self.nerc[raw.split(".")[-1]])
        return D(raw)

    def const(self, provider: str, name: str) -> str:
        block = ts_block(self.text[f"{provider}_const"], f"{provider.upper()}_CLOUD_CONSTANTS")
        m = re.search(rf"\b{name}\s*:\s*([\d.]+)", block)
        if not m:
            raise ValueError(f"{provider} {name} not found")
        return m.group(1)

    def const_map(self, provider: str, name: str) -> dict[str, Decimal]:
        block = ts_block(self.text[f"{provider}_const"], f"{provider.upper()}_CLOUD_CONSTANTS")
        m = re.search(rf"\b{name}\s*:\s*\{{([^{{}}]*)\}}", block)
        if not m:
            return {}
        out = {}
        for k, v in ts_flat(m.group(1)).items():
            key = self.processor.get(k.split(".")[-1], k.split(".")[-1]) if k.startswith("COMPUTE_PROCESSOR_TYPES") \
                else k
            out[key] = D(v)
        return out


def ccf_src(file_key: str, what: str) -> str:
    return f"Cloud Carbon Footprint {CCF_APP_RELEASE}, {CCF_FILES[file_key]} {what}, {CCF_APP_URL}"


CPU_PROCESSOR_NAMES = {"Cascade Lake", "Skylake", "Haswell", "Broadwell", "Coffee Lake", "Sandy Bridge",
                       "Ivy Bridge", "Ice Lake", "AMD EPYC 1st Gen", "AMD EPYC 2nd Gen", "AMD EPYC 3rd Gen",
                       "AWS Graviton", "AWS Graviton2", "Unknown"}


def ccf_power_table(src: CcfSources, provider: str) -> tuple[dict, dict, dict, Power]:
    """Per-processor CPU coefficients of one provider, with CCF's fallbacks."""
    mins = {k: v for k, v in src.const_map(provider, "MIN_WATTS_BY_COMPUTE_PROCESSOR").items()
            if k in CPU_PROCESSOR_NAMES}
    maxs = {k: v for k, v in src.const_map(provider, "MAX_WATTS_BY_COMPUTE_PROCESSOR").items()
            if k in CPU_PROCESSOR_NAMES}
    mem = src.const_map(provider, "MEMORY_BY_COMPUTE_PROCESSOR")
    label = "AVG" if provider != "gcp" else "MEDIAN"
    fallback = Power(D(src.const(provider, f"MIN_WATTS_{label}")), D(src.const(provider, f"MAX_WATTS_{label}")),
                     D(src.const(provider, "MEMORY_AVG")) if provider != "gcp" else None,
                     "", CCF_APP_YEAR, LIC_CCF, ("", ""))
    return mins, maxs, mem, fallback


def ccf_power_for(src: CcfSources, provider: str, processors: list[str]) -> Power:
    """What CCF computes for a list of processors (getMinWatts / getMaxWatts / getMemory)."""
    mins, maxs, mem, fb = ccf_power_table(src, provider)
    const_file = f"{provider}_const"
    const_name = f"{provider.upper()}_CLOUD_CONSTANTS"
    lmin = [mins.get(p) for p in processors]
    lmax = [maxs.get(p) for p in processors]
    lmem = [mem.get(p) for p in processors]
    use_median = any(p in ("Sandy Bridge", "Ivy Bridge") for p in processors)
    notes = []
    if None in lmin or None in lmax:
        wmin, wmax = fb.min_w, fb.max_w
        missing = sorted({p for p in processors if p not in mins})
        notes.append(f"no entry for {', '.join(missing)} in MIN/MAX_WATTS_BY_COMPUTE_PROCESSOR, so CCF falls back "
                     f"to MIN_WATTS_{'AVG' if provider != 'gcp' else 'MEDIAN'} / MAX_WATTS_"
                     f"{'AVG' if provider != 'gcp' else 'MEDIAN'}")
    else:
        agg = median if use_median else mean
        wmin, wmax = agg(lmin), agg(lmax)
        if len(processors) > 1:
            notes.append(f"{'median' if use_median else 'average'} of {', '.join(processors)} "
                         f"(core/src/FootprintEstimate.ts getWattsByAverageOrMedian)")
    if provider == "gcp":
        gb = None
        notes.append("GCP: CCF has no GB/chip (memory comes from separate billing rows)")
    elif None in lmem:
        gb = fb.gb_chip
        notes.append("GB/chip falls back to MEMORY_AVG")
    else:
        gb = mean(lmem)
    source = ccf_src(const_file, f"{const_name} MIN/MAX_WATTS_BY_COMPUTE_PROCESSOR and MEMORY_BY_COMPUTE_PROCESSOR"
                     + ("; " + "; ".join(notes) if notes else ""))
    return Power(wmin, wmax, gb, source, CCF_APP_YEAR, LIC_CCF, ("", ""))


CCF_AWS_COUNTRY = {"us": "US", "af-south": "ZA", "ap-east": "HK", "ap-south": "IN", "ap-northeast-1": "JP",
                   "ap-northeast-2": "KR", "ap-northeast-3": "JP", "ap-southeast-1": "SG", "ap-southeast-2": "AU",
                   "ap-southeast-3": "ID", "ca-": "CA", "cn-": "CN", "eu-central-1": "DE", "eu-west-1": "IE",
                   "eu-west-2": "GB", "eu-west-3": "FR", "eu-south-1": "IT", "eu-north-1": "SE", "me-south": "BH",
                   "me-central": "AE", "sa-east": "BR"}
CCF_GCP_COUNTRY = {"us-": "US", "nam4": "US", "asia-east1": "TW", "asia-east2": "HK", "asia-northeast1": "JP",
                   "asia-northeast2": "JP", "asia1": "JP", "asia-northeast3": "KR", "asia-south": "IN",
                   "asia-southeast1": "SG", "asia-southeast2": "ID", "australia": "AU", "europe-central2": "PL",
                   "europe-north1": "FI", "europe-southwest1": "ES", "europe-west10": "DE", "europe-west12": "IT",
                   "europe-west1": "BE", "europe-west2": "GB", "europe-west3": "DE", "europe-west4": "NL",
                   "europe-west6": "CH", "europe-west8": "IT", "europe-west9": "FR", "northamerica": "CA",
                   "southamerica-east1": "BR", "southamerica-west1": "CL"}
CCF_AZURE_COUNTRY = [("southafrica", "ZA"), ("australia", "AU"), ("japan", "JP"), ("korea", "KR"), ("jio", "IN"),
                     ("india", "IN"), ("france", "FR"), ("germany", "DE"), ("norway", "NO"), ("switzerland", "CH"),
                     ("uk", "GB"), ("uae", "AE"), ("canada", "CA"), ("brazil", "BR"), ("sweden", "SE"),
                     ("northeurope", "IE"), ("westeurope", "NL"), ("southeastasia", "SG"), ("eastasia", "HK"),
                     ("apeast", "HK"), ("apsoutheast", "SG"), ("unitedstates", "US"), ("usnorth", "US"),
                     ("us", "US")]


def ccf_country(provider: str, region: str) -> str:
    if provider == "azure":
        r = region.lower()
        return next((c for k, c in CCF_AZURE_COUNTRY if k in r), "")
    table = CCF_AWS_COUNTRY if provider == "aws" else CCF_GCP_COUNTRY
    best = max((k for k in table if region.startswith(k)), key=len, default=None)
    return table[best] if best else ""


# ---- billing-line tables of the ccf set: CCF's own classification, parsed from CostAndUsageTypes.ts --------------

# packages/aws/src/lib/ReplicationFactors.ts (AWS_REPLICATION_FACTORS_FOR_SERVICES), re-expressed as data:
# service -> ordered rules (usage-type substrings, constants.csv name, word-boundary match as containsAny does);
# no substring = any usage type; first rule that matches wins, else DEFAULT (1, empty replication_constant).
CCF_REPLICATION = {
    "AmazonS3": [(("TimedStorage-ZIA", "EarlyDelete-ZIA", "TimedStorage-RRS"), "replication_s3_one_zone_or_rrs", True),
                 (("TimedStorage", "EarlyDelete"), "replication_s3", True)],
    "AmazonEC2": [(("VolumeUsage",), "replication_ebs", False),
                  (("SnapshotUsage",), "replication_ebs_snapshot", False)],
    "AmazonEFS": [(("ZIA",), "replication_efs_one_zone", False), ((), "replication_efs", False)],
    "AmazonRDS": [(("BackupUsage",), "replication_rds_backup", False), (("Aurora",), "replication_rds_aurora", False),
                  (("Multi-AZ",), "replication_rds_multi_az", False)],
    "AmazonDocDB": [(("BackupUsage",), "replication_documentdb_backup", False),
                    ((), "replication_documentdb_storage", False)],
    "AmazonDynamoDB": [((), "replication_dynamodb", False)],
    "AmazonECR": [(("TimedStorage",), "replication_ecr_storage", False)],
    "AmazonElastiCache": [(("BackupUsage",), "replication_elasticache_backup", False)],
    "AmazonSimpleDB": [(("TimedStorage",), "replication_simpledb", False)],
}
# CCF applies one coefficient to every NETWORKING_USAGE_TYPES entry; the scope below only says what the transfer is
# (all three network constants of the ccf set are NETWORKING_COEFFICIENT, so it does not change a number).
CCF_NETWORK_SCOPE = {"AWS-Out-Bytes": "inter_region", "DataTransfer-Out-Bytes": "internet",
                     "DataTransfer-Regional-Bytes": "intra_region", "TotalDataXfer-Out-Bytes": "internet",
                     "Egress-Bytes": "internet", "UploadBytes": "internet", "UPLOAD": "internet",
                     "DOWNLOAD": "internet", "ExportDataSize-Bytes": "internet", "Data-Bytes-Out": "internet",
                     "VpcEndpoint-Bytes": "intra_region", "TransitGateway-Bytes": "intra_region",
                     "Retrieval": "intra_region", "BilledBytes": "internet"}


def ts_string_array(text: str, name: str) -> list[str]:
    """Quoted strings of ``export const NAME: string[] = [ ... ]``."""
    m = re.search(rf"export\s+const\s+{name}\b[^=]*=\s*\[", text)
    if not m:
        raise ValueError(f"{name} not found")
    body = text[m.end():text.index("]", m.end())]
    return [a or b for a, b in re.findall(r"'([^']*)'|\"([^\"]*)\"", body)]


def _contains_rx(subs, word_boundary: bool) -> str:
    b = r"\b" if word_boundary else ""
    return "(?:" + "|".join(b + rx_escape(s) + b for s in subs) + ")"


def _ends_rx(entries) -> str:
    return "(?:" + "|".join(rx_escape(e) for e in entries) + ")$"


def _has(entry: str, subs, word_boundary: bool) -> bool:
    return any(re.search(rf"\b{re.escape(s)}\b", entry) if word_boundary else s in entry for s in subs)


def contains_and_endswith(subs, entries, word_boundary: bool, also=()) -> str:
    """Regex: the usage type contains one of `subs` (and one of each group in `also`, plain substrings) and ends
    with one of `entries` (CCF's endsWithAny). A group is found either before the matched entry or inside it."""
    groups = ([(tuple(subs), word_boundary)] if subs else []) + [(tuple(g), False) for g in also]
    if not groups:
        return _ends_rx(entries)
    parts = []
    for inside in itertools.product((False, True), repeat=len(groups)):
        alt = [e for e in entries if all(_has(e, g, wb) for (g, wb), i in zip(groups, inside) if i)]
        if not alt:
            continue
        before = [_contains_rx(g, wb) for (g, wb), i in zip(groups, inside) if not i]
        for perm in itertools.permutations(before):
            parts.append("".join(p + ".*" for p in perm) + _ends_rx(alt))
    return "|".join(parts)


def ccf_known_units(src: "CcfSources") -> dict[str, str]:
    body = ts_block(src.text["aws_cur_types"], "KNOWN_USAGE_UNITS").replace("=", ":")
    return {k: v.strip("'\"") for k, v in ts_flat(body).items()}


# KNOWN_USAGE_UNITS key -> (quantity_kind, canonical_unit, multiplier, month_hours, what CCF does with it)
CCF_UNIT_KINDS = {
    "HOURS_1": ("time", "hours", "1", False, "compute: usage amount = hours (x vCPUs)"),
    "HOURS_2": ("time", "hours", "1", False, "compute: usage amount = hours (x vCPUs)"),
    "HOURS_3": ("time", "hours", "1", False, "compute: usage amount = hours (x vCPUs); Fargate vCPU lines"),
    "VCPU_HOURS": ("vcpu_time", "vCPU-hours", "1", False, "compute: vCPU-hours (e.g. T-family CPU credits)"),
    "DPU_HOUR": ("vcpu_time", "vCPU-hours", "4", False,
                 "AWS Glue DPU-hours: CCF takes 4 vCPUs per DPU (CostAndUsageReportsRow.ts GLUE_VCPUS_PER_USAGE)"),
    "ACU_HOUR": ("vcpu_time", "vCPU-hours", "0.25", False,
                 "Aurora Serverless ACU-hours: CCF takes usageAmount / 4 vCPU-hours (CostAndUsageReportsRow.ts)"),
    "GB_HOURS": ("memory_time", "GB-hours", "1", False,
                 "storage: GB-hours / 1000 = TB-hours (convertGigabyteHoursToTerabyteHours); Fargate memory lines"),
    "GB_MONTH_1": ("storage_time", "GB-hours", "1", True, "storage"),
    "GB_MONTH_2": ("storage_time", "GB-hours", "1", True, "storage"),
    "GB_MONTH_3": ("storage_time", "GB-hours", "1", True, "storage (CUR spelling 'GB-Mp')"),
    "GB_MONTH_4": ("storage_time", "GB-hours", "1", True, "storage"),
    "GB_1": ("data", "GB", "1", False, "networking when the usage type is a NETWORKING_USAGE_TYPES entry"),
    "GB_2": ("data", "GB", "1", False, "networking when the usage type is a NETWORKING_USAGE_TYPES entry"),
    "SECONDS_1": ("time", "hours", THIRD, False,
                  "Lambda rule: CCF divides by 3600 and reads the result as vCPU-hours (known defect 3: the amount "
                  "of a Lambda-GB-Second line is GB-seconds; here it is time, and the usage type carries the GB)"),
    "SECONDS_2": ("time", "hours", THIRD, False, "Lambda rule, as 'seconds'"),
    "LAMBDA_SECONDS": ("memory_time", "GB-hours", THIRD, False,
                       "Lambda rule: CCF reads GB-seconds / 3600 as vCPU-hours (known defect 3, fixed here: "
                       "GB-seconds -> GB-hours)"),
}


def unit_rows_ccf(src: "CcfSources") -> list[dict]:
    rows = []
    for key, unit in ccf_known_units(src).items():
        if key not in CCF_UNIT_KINDS:
            raise ValueError(f"KNOWN_USAGE_UNITS.{key} = {unit!r}: no conversion defined (update CCF_UNIT_KINDS)")
        kind, canonical, mult, month_hours, what = CCF_UNIT_KINDS[key]
        note = f"CCF KNOWN_USAGE_UNITS.{key}: {what}"
        if month_hours:
            note += ("; GB-month -> GB-hours x 24 x days of the usage month, as CCF's "
                     "convertGigabyteMonthsToTerabyteHours (moment daysInMonth of the line's date; 30.42 days only "
                     "for an invalid date) - the same real month length as the default set. CCF's other S3 path "
                     "(usage types ending in ByteHrs divided by 2^40 as if they were bytes, known defect 1) is NOT "
                     "reproduced: conversion is by pricing unit")
        rows.append(unit_row(unit, kind, canonical, mult, month_hours, note, SRC_CCF_UNITS + "; " + SRC_CCF_REPORTS,
                             CCF_APP_YEAR, LIC_CCF))
    return rows


def ccf_literal_usage_rows() -> list[dict]:
    Y, L, S = CCF_APP_YEAR, LIC_CCF, SRC_CCF_REPORTS
    ec2, rds = "AmazonEC2", "AmazonRDS"
    compute = ("CCF: an hours line is compute + memory + embodied for the instance type named in the usage type")
    return [
        uc(ec2, r"(^|-)BoxUsage(:|$)", "instance", compute, S, Y, L),
        uc(ec2, r"(^|-)SpotUsage(:|$)", "instance", compute, S, Y, L),
        uc(ec2, r"(^|-)DedicatedUsage(:|$)", "instance", compute, S, Y, L),
        uc(ec2, r"(^|-)HostUsage(:|$)", "instance", compute + " (the host family for Dedicated Hosts)", S, Y, L),
        uc(ec2, r"(^|-)(UnusedBox|UnusedDed)(:|$)", "instance", compute + " (unused capacity reservations)", S, Y, L),
        uc(ec2, r"(^|-)EBSOptimized:", "instance",
           "CCF quirk, reproduced: EBSOptimized lines (unit Hrs) are computed as compute for their instance type, "
           "counting the instance a second time", S, Y, L),
        uc(ec2, r"(^|-)CPUCredits:", "fargate_vcpu",
           "CCF quirk, reproduced: T-family surplus CPU credits (vCPU-Hours) are vCPU-hours on the 'Unknown' processor "
           "(serverless_x86_kwh_per_vcpu_hour of this set is that processor's power at 50 %)", S, Y, L),
        uc("ElasticMapReduce", r"(^|-)(BoxUsage|SpotUsage):", "instance",
           "CCF quirk, reproduced: EMR's per-instance-hour fee lines are computed as compute again (the instance is "
           "billed under AmazonEC2 too)", S, Y, L, itr=r"(?:BoxUsage|SpotUsage):([a-z0-9-]+\.[a-z0-9]+)"),
        uc(rds, r"(^|-)Multi-AZ(Cluster)?Usage[A-Za-z]*:db\.", "instance",
           "RDS Multi-AZ instance hours; CCF drops 'db.' (parseInstanceTypeFromUsageType) and multiplies by the RDS "
           "'Multi-AZ' replication factor 2. CUR may abbreviate the size ('db.r5.12xl'): CCF appends 'arge'",
           S + "; " + SRC_CCF_REPL, Y, L, itr=r"Multi-AZ(?:Cluster)?Usage[A-Za-z]*:db\.([a-z0-9]+\.[a-z0-9]+)",
           rep="replication_rds_multi_az"),
        uc(rds, r"(^|-)InstanceUsage[A-Za-z]*:db\.", "instance",
           "RDS / Aurora instance hours; CCF drops 'db.' and uses the EC2 type", S, Y, L,
           itr=r"InstanceUsage[A-Za-z]*:db\.([a-z0-9]+\.[a-z0-9]+)"),
        uc(rds, r"(^|-)Aurora:ServerlessUsage$", "fargate_vcpu",
           "Aurora Serverless ACU-hours: CCF takes 1 ACU = 0.25 vCPU (units.csv ACU-Hr) on the 'Unknown' processor and "
           "multiplies by the RDS 'Aurora' replication factor 6", S + "; " + SRC_CCF_REPL, Y, L,
           rep="replication_rds_aurora"),
        uc(rds, r"ExtendedSupport", NPM,
           "CCF: a vCPU-Hours line with no known instance type and no vCPU column gives NaN, reported as 0 kWh", S, Y,
           L),
        uc("AmazonDocDB", r"(^|-)InstanceUsage[A-Za-z]*:db\.", "instance",
           "DocumentDB instance hours; CCF quirk, reproduced: DocumentDB's replication factor (2, meant for its "
           "storage) multiplies the instance's compute too", S + "; " + SRC_CCF_REPL, Y, L,
           itr=r"InstanceUsage[A-Za-z]*:db\.([a-z0-9]+\.[a-z0-9]+)", rep="replication_documentdb_storage"),
        uc("AmazonElastiCache", r"(^|-)NodeUsage:cache\.", "instance",
           "ElastiCache node hours; CCF drops 'cache.' and uses the EC2 type", S, Y, L,
           itr=r"NodeUsage:cache\.([a-z0-9]+\.[a-z0-9]+)"),
        uc("AmazonES", r"(^|-)ESInstance:", "instance",
           "OpenSearch instance hours. Not reproduced exactly: CCF looks the type up with its '.elasticsearch' suffix "
           "and finds no processor and no embodied figure (Unknown watts, vCPUs from the EC2 type); here the EC2 "
           "type's row is used", S, Y, L, itr=r"ESInstance:([a-z0-9]+\.[a-z0-9]+)"),
        uc("AmazonSimpleDB", r"(^|-)BoxUsage", "fargate_vcpu",
           "CCF: SimpleDB machine hours are 1 vCPU-hour each (SIMPLE_DB_VCPUS_PER_USAGE) on the 'Unknown' processor",
           S, Y, L),
        uc("AWSGlue", r"DPU-Hour", "fargate_vcpu",
           "CCF: Glue DPU-hours are 4 vCPU-hours each (units.csv DPU-Hour) on the 'Unknown' processor", S, Y, L),
        uc("AWSLambda", r"(^|-)Lambda-GB-Second$", "lambda",
           "Lambda duration, x86 ('Unknown' processor in CCF). CCF reads GB-seconds as vCPU-seconds (known defect 3, "
           "not reproduced: GB-seconds with lambda_mb_per_vcpu = 1792, CCF's methodology figure)", S, Y, L),
        uc("AWSLambda", r"(^|-)Lambda-GB-Second-ARM$", "lambda",
           "Lambda duration on Arm: CCF uses the AWS Graviton2 processor", S, Y, L),
        uc("*", r"(^|-)Lambda-Edge-GB-Second$", "lambda",
           "Lambda@Edge (billed under AmazonCloudFront, unit Lambda-GB-Second): CCF's Lambda rule, 'Unknown' processor",
           S, Y, L),
        uc("*", r"(^|-)Fargate-vCPU-Hours:perCPU$", "fargate_vcpu",
           "Fargate vCPU-hours: CCF computes them on the 'Unknown' processor at 50 % (serverless_x86_kwh_per_vcpu_hour "
           "of this set)", S, Y, L),
        uc("*", r"(^|-)Fargate-ARM-vCPU-Hours:perCPU$", NPM,
           "CCF quirk, reproduced: its Fargate rule matches the whole word 'Fargate-vCPU-Hours', so Arm vCPU lines get "
           "no vCPU count and 0 kWh", S, Y, L),
        uc("*", r"(^|-)Fargate(-ARM)?-GB-Hours$", "fargate_memory",
           "CCF reads Fargate memory GB-hours as SSD storage (SSD_USAGE_TYPES 'Fargate-GB-Hours', unit forced to "
           "GB-Hours, replication 1): serverless_memory_kwh_per_gb_hour of this set = ssd_wh_per_tb_hour / 10^6 "
           "reproduces that", S + "; " + SRC_CCF_TYPES, Y, L),
    ]


def usage_class_rows_ccf(src: "CcfSources") -> list[dict]:
    T = src.text["aws_cur_types"]
    lists = {n: ts_string_array(T, n) for n in ("SSD_SERVICES", "SSD_USAGE_TYPES", "HDD_USAGE_TYPES",
                                                "NETWORKING_USAGE_TYPES", "UNKNOWN_USAGE_TYPES",
                                                "UNSUPPORTED_USAGE_TYPES")}
    ssd, hdd, net = lists["SSD_USAGE_TYPES"], lists["HDD_USAGE_TYPES"], lists["NETWORKING_USAGE_TYPES"]
    known = ccf_known_units(src)
    storage_units = [u for k, u in known.items() if k.startswith("GB_MONTH") or k == "GB_HOURS"]
    Y, L = CCF_APP_YEAR, LIC_CCF
    S = SRC_CCF_TYPES
    SR = _ccf_file_src("CostAndUsageTypes.ts and ReplicationFactors.ts")
    rows = []
    for e in lists["UNSUPPORTED_USAGE_TYPES"]:
        rows.append(uc("*", rx_escape(e), NPM,
                       f"CCF ignores lines whose usage type contains '{e}' (UNSUPPORTED_USAGE_TYPES: counted by "
                       f"another line, or support)", S, Y, L))
    for e in lists["UNKNOWN_USAGE_TYPES"]:
        rows.append(uc("*", rx_escape(e), NPM,
                       f"CCF UNKNOWN_USAGE_TYPES '{e}': CCF extrapolates such lines from the kWh per cost of its "
                       f"classified lines (UnknownEstimator), not reproduced; no physical model here", S, Y, L))
    rows += ccf_literal_usage_rows()
    # CCF picks the estimator by pricing unit first: networking only for its data units, storage only for its
    # storage units. Network rows, then one guard per other known unit, come before the storage rows so that no
    # storage row ever sees a line CCF would not read as storage.
    rows.append(uc("AmazonCloudFront", _ends_rx(net), NPM,
                   "CCF excludes AmazonCloudFront from networking (usageTypeIsNetworking): CDN egress is not counted",
                   S, Y, L))
    data_units = [known[k] for k in known if CCF_UNIT_KINDS.get(k, ("",))[0] == "data"]
    for unit in data_units:
        for scope in ("inter_region", "internet", "intra_region"):
            entries = [e for e in net if CCF_NETWORK_SCOPE.get(e, "internet") == scope]
            if not entries:
                continue
            extra = ("" if entries == ["AWS-Out-Bytes"] else
                     "; CCF's methodology says only traffic between regions counts, but its code counts every "
                     "NETWORKING_USAGE_TYPES entry at NETWORKING_COEFFICIENT")
            rows.append(uc("*", _ends_rx(entries), "network",
                           f"CCF NETWORKING_USAGE_TYPES {', '.join(entries)} in {unit}: {scope.replace('_', '-')} "
                           f"transfer" + extra, S, Y, L, unit=unit, scope=scope))
    for key, unit in known.items():
        kind = CCF_UNIT_KINDS.get(key, ("",))[0]
        if key.startswith("GB_MONTH") or key == "GB_HOURS":
            continue
        what = ("not one of its networking usage types: no estimate" if kind == "data" else
                "compute / Lambda rule with no instance type it can resolve: NaN, reported as 0 kWh")
        rows.append(uc("*", r".*", NPM, f"Other line in {unit}: for CCF a {what}", SRC_CCF_REPORTS, Y, L, unit=unit))
    # Storage with a replication rule, services that are not SSD_SERVICES: the media comes from the usage-type lists.
    for service, rules in CCF_REPLICATION.items():
        if service in lists["SSD_SERVICES"]:
            continue
        for subs, const, wb in rules:
            for media, entries, lname in (("ssd", ssd, "SSD_USAGE_TYPES"), ("hdd", hdd, "HDD_USAGE_TYPES")):
                rows.append(uc(service, contains_and_endswith(subs, entries, wb), "storage",
                               f"{service} storage whose usage type contains {' or '.join(subs)} and ends with an "
                               f"entry of {lname}: {media.upper()}, {const}", SR, Y, L, media=media, rep=const))
    # SSD_SERVICES: SSD for any storage line of the service unless its usage type contains 'Backup' (then the lists).
    # Order (CCF: SSD suffix or SSD service without 'Backup' -> SSD; else HDD suffix -> HDD; else no estimate):
    # SSD-suffix rows of replicating SSD services, generic SSD-suffix rows, per-service backup / any-storage rows,
    # generic HDD-suffix rows.
    ssd_service_rules = {}
    for service in lists["SSD_SERVICES"]:
        rules = list(CCF_REPLICATION.get(service, []))
        if not rules or rules[-1][0]:
            rules.append(((), "", False))
        ssd_service_rules[service] = rules
        if len(rules) == 1 and not rules[0][1]:
            continue  # no replication rule: the generic SSD_USAGE_TYPES rows give the same result
        for subs, const, wb in rules:
            rows.append(uc(service, contains_and_endswith(subs, ssd, wb), "storage",
                           f"{service} usage type ending with an SSD_USAGE_TYPES entry"
                           + (f" and containing {' or '.join(subs)}" if subs else "") + ": SSD", SR, Y, L,
                           media="ssd", rep=const))
    for e in ssd:
        rows.append(uc("*", rx_escape(e) + "$", "storage", f"CCF SSD_USAGE_TYPES '{e}'", S, Y, L, media="ssd"))
    for service, rules in ssd_service_rules.items():
        backup_rules = [r for r in rules if r[0] and all("Backup" in s for s in r[0])]
        for subs, const, wb in rules:
            implied = bool(subs) and all("Backup" in x for x in subs)
            rows.append(uc(service, contains_and_endswith(subs, hdd, wb, () if implied else (("Backup",),)),
                           "storage", f"{service} backup (usage type contains Backup"
                           + (f" and {' or '.join(subs)}" if subs and not implied else "")
                           + ") ending with an HDD_USAGE_TYPES entry: HDD (CCF's SSD_SERVICES rule excludes "
                             "backups)", SR, Y, L, media="hdd", rep=const))
        rows.append(uc(service, "Backup", NPM,
                       f"{service} backup not in CCF's SSD / HDD lists: CCF has no storage type for it and gives no "
                       f"estimate", S, Y, L))
        other = [r for r in rules if r not in backup_rules]
        for unit in storage_units:
            for subs, const, wb in other:
                rows.append(uc(service, _contains_rx(subs, wb) if subs else ".*", "storage",
                               f"CCF SSD_SERVICES: any {unit} line of {service} is SSD storage (over-estimate when "
                               f"the media is unknown)" + (f", usage type containing {' or '.join(subs)}" if subs
                                                           else ""), SR, Y, L, unit=unit, media="ssd", rep=const))
    for e in hdd:
        rows.append(uc("*", rx_escape(e) + "$", "storage", f"CCF HDD_USAGE_TYPES '{e}'", S, Y, L, media="hdd"))
    rows.append(uc("*", r".*", NPM,
                   "Everything else: CCF sends unknown units to its UnknownEstimator (not reproduced) and gives other "
                   "lines no estimate (e.g. hours lines whose type it cannot resolve: 0 kWh; inbound transfer "
                   "DataTransfer-In-Bytes / AWS-In-Bytes: not counted); no physical model", S, Y, L))
    return number_rules(rows)


def build_ccf(repo: Path, out: Path) -> dict[str, int]:
    src = CcfSources(repo)
    types_text = src.text["aws_types"]
    ec2 = ts_nested_numbers(ts_block(types_text, "EC2_INSTANCE_TYPES"))
    fam_map = ts_nested_numbers(ts_block(types_text, "INSTANCE_FAMILY_TO_INSTANCE_TYPE_MAPPING"))
    burst = {k: D(v) for k, v in ts_flat(ts_block(types_text, "BURSTABLE_INSTANCE_BASELINE_UTILIZATION")).items()}
    proc_map = {k: src.proc_list(v) for k, v in
                ts_flat(ts_block(types_text, "INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING")).items()}
    gpu_count = {k: int(v) for k, v in ts_flat(ts_block(types_text, "GPU_INSTANCES_TYPES")).items()}
    gpu_proc = {k: src.proc_list(v) for k, v in
                ts_flat(ts_block(types_text, "INSTANCE_TYPE_GPU_PROCESSOR_MAPPING")).items()}
    notes = []

    # ---- instance types (AWS)
    power_aws: dict[str, Power] = {}
    inst = []
    for table_name, table in (("EC2_INSTANCE_TYPES", ec2), ("INSTANCE_FAMILY_TO_INSTANCE_TYPE_MAPPING", fam_map)):
        for fam, sizes in table.items():
            last = list(sizes.values())[-1]
            for raw_size, vals in sizes.items():
                size = raw_size.strip()
                t = f"{fam}.{size}"
                key_note = ""
                if size != raw_size:
                    key_note = (f"; CCF's key is {raw_size!r} (stray whitespace), so CCF itself never finds {t}: "
                                f"no embodied or memory estimate for it in CCF")
                    notes.append(f"{t}: key {raw_size!r} in {table_name} has stray whitespace; kept as {t}")
                if len(vals) < 3:
                    notes.append(f"{t}: no scope-3 figure in {table_name}; not included")
                    continue
                procs = proc_map.get(t, ["Unknown"])
                arch = procs[0] if len(procs) == 1 else combined_name(procs)
                if arch not in power_aws:
                    power_aws[arch] = ccf_power_for(src, "aws", procs)
                n_gpu = gpu_count.get(t, 0)
                g_model = ""
                if n_gpu:
                    g = gpu_proc.get(t, ["Unknown"])[0]
                    g_model = gpu_name(re.sub(r"^(Nvidia|AMD)\s+", "", g)) if g != "Unknown" else "Unknown GPU"
                inst.append(dict(
                    provider="aws", instance_type=t, vcpus=int(D(vals[0])), memory_gb=fmt(vals[1]),
                    gpu_count=n_gpu, gpu_model=g_model,
                    cpu_name="CCF processors: " + ", ".join(procs), microarchitecture=arch,
                    host_vcpus=int(D(last[0])), host_memory_gb=fmt(last[1]),
                    host_embodied_kgco2e=fmt(D(vals[2]) * 1000),
                    source=ccf_src("aws_types", f"{table_name}['{fam}']['{size}'] = [vCPUs, memory GB, scope-3 "
                                   f"t CO2e] (x 1000 kg); processors from INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING; "
                                   f"host_vcpus/host_memory_gb = CCF's 'largest instance' = LAST entry of the "
                                   f"family ({list(sizes)[-1].strip()})" + key_note),
                    source_year=CCF_APP_YEAR, licence=LIC_CCF))

    # ---- cpu_power for all three providers
    power = {"aws": power_aws, "azure": {}, "gcp": {}}
    for provider in ("aws", "azure", "gcp"):
        mins, maxs, mem, fb = ccf_power_table(src, provider)
        for p in sorted(set(mins) | {"Unknown"}):
            if p not in power[provider]:
                power[provider][p] = ccf_power_for(src, provider, [p])
    cpu_rows = []
    for provider, table in power.items():
        for arch, p in table.items():
            cpu_rows.append(dict(provider=provider, microarchitecture=arch, min_watts_per_vcpu=fmt(p.min_w),
                                 max_watts_per_vcpu=fmt(p.max_w), memory_gb_per_chip=fmt(p.gb_chip),
                                 unit="W per vCPU", valid_from_year=CPU_POWER_VALID_FROM, valid_to_year="",
                                 source=p.source, source_year=CCF_APP_YEAR, licence=LIC_CCF, low_factor="",
                                 high_factor=""))

    # ---- PUE
    pue_rows = []
    for provider, name in (("aws", "PUE_AVG"), ("azure", "PUE_AVG"), ("gcp", "PUE_AVG")):
        pue_rows.append(dict(provider=provider, scope="global", region_pattern="%", year=2020,
                             pue=src.const(provider, name), low="", high="", unit="ratio",
                             source=ccf_src(f"{provider}_const", f"{provider.upper()}_CLOUD_CONSTANTS.{name} "
                                            f"(applied by CCF to every region and year)"),
                             source_year=CCF_APP_YEAR, licence=LIC_CCF))
    gcp_block = ts_block(src.text["gcp_const"], "GCP_CLOUD_CONSTANTS")
    ttm = re.search(r"PUE_TRAILING_TWELVE_MONTH\s*:\s*\{([^{}]*)\}", gcp_block).group(1)
    gcp_regions = {k: v.strip("'\"") for k, v in
                   ts_flat(ts_block(src.text["gcp_regions"], "GCP_REGIONS").replace("=", ":")).items()}
    for k, v in ts_flat(ttm).items():
        region = gcp_regions[k.split(".")[-1]]
        pue_rows.append(dict(provider="gcp", scope="region", region_pattern=region, year=2020, pue=fmt(v), low="",
                             high="", unit="ratio",
                             source=ccf_src("gcp_const", "GCP_CLOUD_CONSTANTS.PUE_TRAILING_TWELVE_MONTH"),
                             source_year=CCF_APP_YEAR, licence=LIC_CCF))

    # ---- grid
    grid_rows = []
    aws_regions = {k: v.strip("'\"") for k, v in
                   ts_flat(ts_block(src.text["aws_regions"], "AWS_REGIONS").replace("=", ":")).items()}
    gcp_regions_full = {}
    for e in ("GCP_REGIONS", "GCP_DUAL_REGIONS", "GCP_MULTI_REGIONS"):
        for k, v in ts_flat(ts_block(src.text["gcp_regions"], e).replace("=", ":")).items():
            gcp_regions_full[f"{e}.{k}"] = v.strip("'\"")
    azure_names = dict(re.findall(r"(\w+)\s*:\s*\{\s*name\s*:\s*'([^']+)'",
                                  re.sub(r"\s+", " ", ts_block(src.text["azure_regions"], "AZURE_REGIONS"))))
    gcp_text = src.text["gcp_const"]
    gcp_default = gcp_text[gcp_text.index("getGCPEmissionsFactors"):]
    gcp_default = gcp_default[gcp_default.index("return {", gcp_default.index("return {") + 1):]
    gcp_body = gcp_default[len("return {"):gcp_default.index("}")]
    factor_tables = [
        ("aws", ts_flat(ts_block(src.text["aws_const"], "AWS_EMISSIONS_FACTORS_METRIC_TON_PER_KWH")),
         lambda k: aws_regions[k.split(".")[-1]], "aws_const", "AWS_EMISSIONS_FACTORS_METRIC_TON_PER_KWH"),
        ("azure", ts_flat(ts_block(src.text["azure_const"], "AZURE_EMISSIONS_FACTORS_METRIC_TON_PER_KWH")),
         lambda k: azure_names[k.split(".")[1]], "azure_const", "AZURE_EMISSIONS_FACTORS_METRIC_TON_PER_KWH"),
        ("gcp", ts_flat(gcp_body), lambda k: gcp_regions_full[k], "gcp_const",
         "getGCPEmissionsFactors() (default branch, GCP_USE_CARBON_FREE_ENERGY_PERCENTAGE unset)"),
    ]
    for provider, table, region_of, fkey, what in factor_tables:
        for k, v in table.items():
            region = region_of(k)
            value = src.number(v)
            note = ""
            if v.startswith("US_NERC"):
                note = (" = core/src/FootprintEstimationConstants.ts US_NERC_REGIONS_EMISSIONS_FACTORS."
                        + v.split(".")[-1])
            if region == "Unknown":
                note += " (CCF's fallback for any unlisted region: average of the table)"
            if provider == "gcp" and k.startswith(("GCP_DUAL", "GCP_MULTI")):
                note += " (CCF sums the member regions' factors here instead of averaging them: see ccf/README.md)"
            grid_rows.append(dict(provider=provider, region_id=region, country=ccf_country(provider, region),
                                  valid_from_year=2020, valid_to_year="", kgco2e_per_kwh=fmt(value * 1000),
                                  kgco2e_per_kwh_market="", low="", high="", unit="kgCO2e/kWh",
                                  source=ccf_src(fkey, f"{what}[{k}] = {v}{note} (metric t/kWh x 1000)"),
                                  source_year=CCF_APP_YEAR, licence=LIC_CCF))

    # ---- constants
    C = []

    def add(name, value, unit, what, file_key="aws_const"):
        C.append(dict(name=name, value=fmt(value), unit=unit, low="", high="", source=ccf_src(file_key, what),
                      source_year=CCF_APP_YEAR, licence=LIC_CCF))
    add("memory_kwh_per_gb_hour", src.const("aws", "MEMORY_COEFFICIENT"), "kWh per GB-hour",
        "AWS_CLOUD_CONSTANTS.MEMORY_COEFFICIENT")
    add("cpu_utilisation", D(src.const("aws", "AVG_CPU_UTILIZATION_2020")) / 100, "ratio",
        "AWS_CLOUD_CONSTANTS.AVG_CPU_UTILIZATION_2020 (50 %)")
    lifespan = D(src.const("aws", "SERVER_EXPECTED_LIFESPAN"))
    add("host_lifetime_years", lifespan / 8760, "years", f"AWS_CLOUD_CONSTANTS.SERVER_EXPECTED_LIFESPAN = "
        f"{fmt(lifespan)} h / 8760")
    for p in ("aws", "azure", "gcp"):
        add(f"host_lifetime_years_{p}", D(src.const(p, "SERVER_EXPECTED_LIFESPAN")) / 8760, "years",
            f"{p.upper()}_CLOUD_CONSTANTS.SERVER_EXPECTED_LIFESPAN / 8760 h", f"{p}_const")
    add("host_lifetime_hours", lifespan, "hours", "AWS_CLOUD_CONSTANTS.SERVER_EXPECTED_LIFESPAN")
    add("hours_per_year", 8760, "hours", "SERVER_EXPECTED_LIFESPAN comment: 35040 h = 4 years")
    add("ssd_wh_per_tb_hour", src.const("aws", "SSDCOEFFICIENT"), "Wh per TB-hour",
        "AWS_CLOUD_CONSTANTS.SSDCOEFFICIENT")
    add("hdd_wh_per_tb_hour", src.const("aws", "HDDCOEFFICIENT"), "Wh per TB-hour",
        "AWS_CLOUD_CONSTANTS.HDDCOEFFICIENT")
    add("network_kwh_per_gb", src.const("aws", "NETWORKING_COEFFICIENT"), "kWh per GB",
        "AWS_CLOUD_CONSTANTS.NETWORKING_COEFFICIENT")
    rep = src.const_map("aws", "REPLICATION_FACTORS")
    names = {"S3": "replication_s3", "S3_ONE_ZONE_REDUCED_REDUNDANCY": "replication_s3_one_zone_or_rrs",
             "EC2_EBS_VOLUME": "replication_ebs", "EC2_EBS_SNAPSHOT": "replication_ebs_snapshot",
             "EFS": "replication_efs", "EFS_ONE_ZONE": "replication_efs_one_zone",
             "RDS_BACKUP": "replication_rds_backup", "RDS_AURORA": "replication_rds_aurora",
             "RDS_MULTI_AZ": "replication_rds_multi_az", "DOCUMENT_DB_BACKUP": "replication_documentdb_backup",
             "DOCUMENT_DB_STORAGE": "replication_documentdb_storage", "DYNAMO_DB": "replication_dynamodb",
             "ECR_STORAGE": "replication_ecr_storage", "DOCUMENT_ELASTICACHE_BACKUP": "replication_elasticache_backup",
             "SIMPLE_DB": "replication_simpledb", "DEFAULT": "replication_default"}
    for k, v in rep.items():
        add(names.get(k, "replication_" + k.lower()), v, "copies", f"AWS_CLOUD_CONSTANTS.REPLICATION_FACTORS.{k}")
    for provider in ("azure", "gcp"):
        for k, v in src.const_map(provider, "REPLICATION_FACTORS").items():
            if k == "DEFAULT":
                continue
            add(f"replication_{provider}_{k.lower()}", v, "copies",
                f"{provider.upper()}_CLOUD_CONSTANTS.REPLICATION_FACTORS.{k}", f"{provider}_const")
    add("memory_vcpus_per_physical_chip", 96, "vCPUs per chip",
        "(packages/core/src/memory/helpers.ts getPhysicalChips: ceil(largest vCPUs / 96))")
    for fam in ("m5zn", "z1d"):
        add(f"memory_physical_chips_{fam}", 2, "chips",
            "(packages/aws/src/lib/AWSMemoryEstimatesBuilder.ts: m5zn and z1d always 2 chips)")
    for t, v in burst.items():
        add(f"ccf_burstable_baseline_utilisation_{t}", v / 100, "ratio",
            f"BURSTABLE_INSTANCE_BASELINE_UTILIZATION['{t}'] (vCPU-hours scaled by baseline / 50 %, no memory)",
            "aws_types")
    add("ccf_glue_vcpus_per_dpu", 4, "vCPUs", "(packages/aws/src/lib/CostAndUsageReportsRow.ts GLUE_VCPUS_PER_USAGE)")
    add("ccf_aurora_serverless_vcpus_per_acu", "0.25", "vCPUs",
        "(packages/aws/src/lib/CostAndUsageReportsRow.ts: Aurora:ServerlessUsage usageAmount / 4)")
    # network: CCF's one coefficient, applied by its code to every NETWORKING_USAGE_TYPES entry (usage_classes.csv)
    net = src.const("aws", "NETWORKING_COEFFICIENT")
    add("network_inter_region_kwh_per_gb", net, "kWh per GB",
        "AWS_CLOUD_CONSTANTS.NETWORKING_COEFFICIENT, applied to AWS-Out-Bytes (data sent to another region)")
    add("network_internet_kwh_per_gb", net, "kWh per GB",
        "AWS_CLOUD_CONSTANTS.NETWORKING_COEFFICIENT: CCF's methodology counts only traffic between regions, but its "
        "code (CostAndUsageTypes.ts NETWORKING_USAGE_TYPES) also counts DataTransfer-Out-Bytes (internet egress, "
        "except AmazonCloudFront) at this coefficient; inbound DataTransfer-In-Bytes is not counted")
    add("network_intra_region_kwh_per_gb", net, "kWh per GB",
        "AWS_CLOUD_CONSTANTS.NETWORKING_COEFFICIENT: CCF's code also counts DataTransfer-Regional-Bytes (between "
        "availability zones of a region) at this coefficient (NETWORKING_USAGE_TYPES)")
    # switches to CCF's method where it differs from the default set's and is not one of the known defects
    C.append(dict(name="memory_excess_per_chip", value="1", unit="flag", low="", high="",
                  source=("carbon_pipeline switch, 1 = CCF's reading: memory surplus per chip = largest-instance "
                          "memory / chips - GB/chip, never multiplied back by chips "
                          "(packages/core/src/memory/helpers.ts calculateGigabyteHours), " + CCF_APP_URL + " " +
                          CCF_APP_RELEASE),
                  source_year=CCF_APP_YEAR, licence=LIC_CCF))
    C.append(dict(name="burstable_memory_excluded", value="1", unit="flag", low="", high="",
                  source=("carbon_pipeline switch, 1 = CCF gives burstable instances (keys of "
                          "BURSTABLE_INSTANCE_BASELINE_UTILIZATION) no memory energy "
                          "(packages/aws/src/lib/AWSMemoryEstimatesBuilder.ts checkInstanceTypes), " + CCF_APP_URL +
                          " " + CCF_APP_RELEASE),
                  source_year=CCF_APP_YEAR, licence=LIC_CCF))
    C.append(dict(name="burstable_vcpu_scaling", value="1", unit="flag", low="", high="",
                  source=("carbon_pipeline switch, 1 = CCF's burstable rule: a burstable instance (keys of "
                          "BURSTABLE_INSTANCE_BASELINE_UTILIZATION) runs at the average utilisation on vCPU-hours "
                          "scaled by baseline / utilisation (packages/aws/src/lib/CostAndUsageReportsRow.ts "
                          "getBurstableInstanceVCPu); absent or 0 = it runs at its baseline utilisation on its "
                          "vCPUs, " + CCF_APP_URL + " " + CCF_APP_RELEASE),
                  source_year=CCF_APP_YEAR, licence=LIC_CCF))
    C.append(dict(name="lambda_mb_per_vcpu", value="1792", unit="MB of configured memory per vCPU", low="", high="",
                  source=("Cloud Carbon Footprint methodology ('A note on AWS Lambda Compute Estimates': estimated "
                          "vCPUs = memory allocated / 1,792 MB), microsite/docs/HowItWorks/Methodology.md, " +
                          CCF_APP_URL + " " + CCF_APP_RELEASE + "; CCF's code omits the division (known defect 3), "
                          "this set applies it"),
                  source_year=CCF_APP_YEAR, licence=LIC_CCF))
    u = D(src.const("aws", "AVG_CPU_UTILIZATION_2020")) / 100
    wmin, wmax = D(src.const("aws", "MIN_WATTS_AVG")), D(src.const("aws", "MAX_WATTS_AVG"))
    per_vcpu = (wmin + u * (wmax - wmin)) / 1000
    for arch in ("x86", "arm"):
        add(f"serverless_{arch}_kwh_per_vcpu_hour", per_vcpu, "kWh per vCPU-hour",
            f"CCF computes Fargate vCPU-hours (and CPU credits, Glue DPU, Aurora Serverless ACU, SimpleDB hours) on "
            f"the 'Unknown' processor: (MIN_WATTS_AVG {fmt(wmin)} + {fmt(u)} x (MAX_WATTS_AVG {fmt(wmax)} - "
            f"{fmt(wmin)})) / 1000"
            + ("; CCF has no Arm Fargate processor (its Arm Fargate vCPU lines get 0 kWh and are classified "
               "no_physical_model in usage_classes.csv)" if arch == "arm" else ""))
    # Lambda as CCF computes it, minus known defect 3 (the GB-seconds are divided by lambda_mb_per_vcpu): x86
    # functions on the 'Unknown' processor (serverless_x86_kwh_per_vcpu_hour), Arm ones on 'AWS Graviton2'
    # (CostAndUsageReportsRow.ts getComputeProcessors), and the configured memory at CCF's MEMORY_COEFFICIENT.
    g2 = power["aws"]["AWS Graviton2"]
    add("lambda_arm_kwh_per_vcpu_hour", (g2.min_w + u * (g2.max_w - g2.min_w)) / 1000, "kWh per vCPU-hour",
        f"carbon_pipeline switch for Arm Lambda (absent = serverless_arm_kwh_per_vcpu_hour): CCF computes "
        f"Lambda-GB-Second-ARM on the 'AWS Graviton2' processor (CostAndUsageReportsRow.ts getComputeProcessors): "
        f"(MIN_WATTS_BY_COMPUTE_PROCESSOR {fmt(g2.min_w)} + {fmt(u)} x (MAX {fmt(g2.max_w)} - {fmt(g2.min_w)})) "
        f"/ 1000")
    add("lambda_memory_kwh_per_gb_hour", D(src.const("aws", "MEMORY_COEFFICIENT")), "kWh per GB-hour",
        "carbon_pipeline switch for Lambda (absent = serverless_memory_kwh_per_gb_hour): CCF gives the memory of a "
        "function no energy (known defect 3, fixed in this set); the configured GB-hours get "
        "AWS_CLOUD_CONSTANTS.MEMORY_COEFFICIENT, as the methodology's note on Lambda says they should")
    ssd = D(src.const("aws", "SSDCOEFFICIENT"))
    add("serverless_memory_kwh_per_gb_hour", ssd / 1000000, "kWh per GB-hour",
        f"CCF reads Fargate memory GB-hours as SSD storage (CostAndUsageTypes.ts SSD_USAGE_TYPES 'Fargate-GB-Hours', "
        f"replication 1): SSDCOEFFICIENT {fmt(ssd)} Wh per TB-hour / 1000 GB per TB / 1000 Wh per kWh")
    gpu = [dict(r, source=ccf_src("aws_const", "AWS_CLOUD_CONSTANTS.MIN/MAX_WATTS_BY_COMPUTE_PROCESSOR (GPUs) and "
                                  "methodology Appendix III"), source_year=CCF_APP_YEAR) for r in gpu_rows()]

    for r in inst:
        if r["microarchitecture"] not in power[r["provider"]]:
            raise ValueError(f"ccf {r['instance_type']}: no cpu_power row")
    out.mkdir(parents=True, exist_ok=True)
    counts = {
        "instance_types.csv": write_csv(out / "instance_types.csv", INSTANCE_COLUMNS, inst,
                                        lambda r: (r["provider"], r["instance_type"])),
        "cpu_power.csv": write_csv(out / "cpu_power.csv", CPU_POWER_COLUMNS, cpu_rows,
                                   lambda r: (r["provider"], r["microarchitecture"])),
        "pue.csv": write_csv(out / "pue.csv", PUE_COLUMNS, pue_rows,
                             lambda r: (r["provider"], r["region_pattern"], int(r["year"]))),
        "grid_intensity.csv": write_csv(out / "grid_intensity.csv", GRID_COLUMNS, grid_rows,
                                        lambda r: (r["provider"], r["region_id"], int(r["valid_from_year"]))),
        "constants.csv": write_csv(out / "constants.csv", CONSTANT_COLUMNS, C, lambda r: r["name"]),
        "gpu_power.csv": write_csv(out / "gpu_power.csv", GPU_COLUMNS, gpu, lambda r: r["gpu_model"]),
    }
    counts.update(write_billing_tables(out, usage_class_rows_ccf(src), unit_rows_ccf(src)))
    ccf_notes = [
        "Reproduces Cloud Carbon Footprint's application as last released (tag release-2024-02-11; packages/ "
        "unchanged up to b7a049c, 2024-03-25), defects included, so that CCF's own test expectations can be "
        "reproduced and results compared with the default set. Do not use it for reporting: see "
        "factor_seeds/ccf/README.md for its known defects.",
        "Generated by python -m carbon_pipeline.factors.build_seeds --set ccf --ccf-repo <checkout> --out "
        "factor_seeds/ccf from packages/{aws,azure,gcp,core}/src (constants, AWSInstanceTypes.ts, region enums).",
        "instance_types: AWS only (EC2_INSTANCE_TYPES and INSTANCE_FAMILY_TO_INSTANCE_TYPE_MAPPING); Redshift "
        "(REDSHIFT_INSTANCE_TYPES, no scope-3 figure) and the Azure/GCP machine catalogues of the CCF app are not "
        "included. host_vcpus/host_memory_gb are CCF's 'largest instance', i.e. the LAST entry of the family in "
        "AWSInstanceTypes.ts (not necessarily the largest, never the physical host): that is what CCF divides by. "
        "Values are CCF's, typos included (t1.micro 613 GB).",
        "microarchitecture = CCF's processor name(s) (COMPUTE_PROCESSOR_TYPES); types absent from "
        "INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING are 'Unknown'. Processors without an entry in "
        "MIN/MAX_WATTS_BY_COMPUTE_PROCESSOR (AWS: Ice Lake, AMD EPYC 3rd Gen, AWS Graviton) get CCF's fallback "
        "MIN_WATTS_AVG / MAX_WATTS_AVG / MEMORY_AVG, as its getMinWatts/getMaxWatts/getMemory do; combined rows "
        "follow getWattsByAverageOrMedian. low_factor/high_factor are empty: CCF publishes point estimates.",
        "PUE: one global figure per provider (AWS 1.135, Azure 1.185, GCP 1.1) plus GCP's per-region trailing-"
        "twelve-month values; CCF applies them to every year, year = 2020 is nominal.",
        "Grid: CCF's tables (metric t/kWh x 1000), including its 'Unknown' fallback rows; GCP values are the "
        "default (non-CFE) branch. valid_from_year = 2020 is nominal: CCF applies them to every year.",
        "constants: CCF's constants under the default set's names, plus ccf_burstable_baseline_utilisation_<type> "
        "(BURSTABLE_INSTANCE_BASELINE_UTILIZATION / 100) and the Glue / Aurora Serverless vCPU conventions.",
    ] + CCF_BILLING_NOTES + [f"Data note: {n}" for n in notes]
    write_yaml(out / "factor_set.yaml", "ccf", "Cloud Carbon Footprint application (release-2024-02-11) factors, "
               "defects included, for reproduction and comparison only.", ccf_notes)
    return counts


# --------------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", choices=["default", "ccf"], default="default")
    ap.add_argument("--reference", type=Path, help="shared reference folder (contains ccf_coefficients/)")
    ap.add_argument("--ccf-repo", type=Path, help="checkout of cloud-carbon-footprint/cloud-carbon-footprint "
                                                   "(for --set ccf)")
    ap.add_argument("--ec2-catalogue", type=Path, default=None,
                    help="EC2 DescribeInstanceTypes JSON(.gz); default: the one bundled with moto")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.set == "default":
        if not args.reference:
            ap.error("--reference is required for the default set")
        counts = build_default(args.reference, args.out, args.ec2_catalogue)
    else:
        if not args.ccf_repo:
            ap.error("--ccf-repo is required for the ccf set")
        counts = build_ccf(args.ccf_repo, args.out)
    for name, n in counts.items():
        print(f"{args.out / name}: {n} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
