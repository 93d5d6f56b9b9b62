"""Deterministic generator of realistic AWS *legacy* Cost and Usage Report (CUR) data.

Why
---
The pipeline ingests AWS billing exports and turns them into per-instance operational and
embodied emissions.  Real CUR files are confidential, huge and different for every customer, so
tests, demos and benchmarks need data that *looks and behaves* like a real export without being
one.  This module writes such an export to disk, laid out exactly like a legacy CUR in S3
(``<prefix>/<report>/<YYYYMMDD-YYYYMMDD>/[<assemblyId>/]...`` with manifests), in either of the
two formats AWS delivers: gzip CSV (``lineItem/UsageAmount`` headers) or Snappy Parquet (Athena
column names such as ``line_item_usage_amount``).

The company modelled is a "full cloud" insurer-like business running in eu-west-3 (Paris):
``n_instances`` EC2 instances of 19 common types plus exactly one instance of the fictitious type
``x9z.mega`` (unknown to the project's instance catalogue, so the "unmapped" report has a row),
their EBS volumes and snapshots, data transfer, ~20 S3 buckets, CloudWatch metrics, a Compute
Savings Plan, Business Support, one AWS Marketplace SaaS product, VAT, credits and a refund.

Everything is computed by DuckDB SQL (``range()``, cross joins and ``hash()`` seeded by ``seed``
as a pseudo-random source) and written with ``COPY ... TO``; Python only loops over months,
files and columns.  The same arguments give byte-identical files whatever the number of DuckDB
threads: each month's line items are first built as a narrow table of integer codes and amounts,
sorted on a total order (``CREATE TABLE ... ORDER BY``), and the ~120 text columns are then
derived row by row from those codes by order-preserving projections while ``COPY`` writes them.
Scale: the defaults (300 instances, 12 months, daily) give ~125k rows, ~1 MB of gzip CSV per
month, in ~5 s; ``granularity="hourly"``, 14,000 instances, one month give ~10.4 M rows
(~0.5 GB of Parquet) in ~80 s with < 3 GB of RAM on 2 cores (DuckDB ``memory_limit`` 3 GB,
spilling to a temporary directory if needed).

What is realistic
-----------------
* Layout, manifest JSON (``assemblyId``, ``reportKeys``, ``billingPeriod``...), file names,
  column names (CSV ``category/Name`` headers, Athena snake_case names via :func:`athena_name`),
  ~120 columns of which most product/pricing columns are empty or repeated, value formats
  (ISO ``2024-01-01T00:00:00Z`` timestamps, ``identity/TimeInterval`` ``start/end``, 52-char
  line item ids that stay the same for every interval of one resource/usage type/line type).
* Line item types: ``Usage``, ``SavingsPlanCoveredUsage`` (unblended = on-demand cost,
  ``savingsPlan/SavingsPlanEffectiveCost`` = 72 % of it), ``SavingsPlanNegation`` (minus the
  covered line's unblended cost, same resource/interval/usage type), a monthly
  ``SavingsPlanRecurringFee``, ``Fee`` (Business Support, tiered % of spend, min $100), ``Tax``
  (20 % VAT per product code and month), ``Credit`` and ``Refund``.
* Usage types with the ``EUW3-`` prefix (``BoxUsage:<type>``, ``SpotUsage:<type>``,
  ``EBSOptimized:<type>`` at $0, ``EBS:VolumeUsage.gp2/.gp3/.piops/.st1`` - ``.piops`` is what AWS
  writes for io1, ``product/volumeApiName`` says ``io1`` -, ``EBS:SnapshotUsage``,
  ``DataTransfer-Out-Bytes`` under ``AWSDataTransfer``, ``DataTransfer-Regional-Bytes`` under
  ``AmazonEC2``, ``TimedStorage-ByteHrs`` / ``TimedStorage-GlacierByteHrs`` in GB-Mo,
  ``Requests-Tier1``, ``CW:MetricMonitorUsage``), eu-west-3 on-demand prices close to the public
  price list, costs rounded to 8 decimals, vCPU/memory/instance family strings as AWS writes them
  (``"4"``, ``"16 GiB"``, ``"General purpose"``).
* Instance lifetimes: ~12 % live through the whole period, ~30 % for a quarter to three quarters
  of it, the rest (autoscaling / batch) for a few hours to a few weeks; partial first/last days.
  Types follow a weighted mix (m5/m6i most common), except that 19 "anchor" instances - one of
  each known type, on-demand, alive the whole period - come first, so that even a 20-instance
  test sample has every catalogue type in every month (fewer instances: the first types only).
* Tags ``user:application`` (12 applications, ~5 % of instances untagged), ``user:environment``
  and ``user:cost-center`` (derived from the application).

What is simplified
------------------
* One linked account, Linux only, shared tenancy, no Reserved Instances (reservation columns are
  present but empty), instance hours are whole hours, no per-second billing.
* Savings Plan coverage is drawn per line, not per hour of commitment: the hourly commitment
  is fixed for the whole period and sized so that ~40 % of on-demand instance hours are
  covered; each month the share of covered lines is set so that ~97 % of that month's
  commitment is used (more coverage when the fleet is small, less when it is large).  A covered
  daily line is covered for the whole day.  ``UsedCommitment`` is capped at the commitment, so
  in busy months the covered lines can add up to a little more than it.
* The Savings Plan recurring fee, Support, Marketplace, Tax, Credit and Refund lines are one line
  per month (``UsageStartDate`` = first of month 00:00, ``UsageEndDate`` = first of next month);
  AWS writes the recurring fee hourly.
* Credits: one promotional credit on AmazonEC2 (2 %) and one on AmazonS3 (5 %) per month, one
  refund on AmazonEC2 (0.5 %); VAT is 20 % of each product code's net monthly cost including them.
* Prices are Paris prices whatever ``region`` says (``region`` only changes the region code,
  location name and usage type prefix).
* Amounts, costs and rates are DOUBLE in Parquet (real exports keep the ``*_rate`` columns as
  strings); CSV amounts are written as plain decimals with 10 decimal places.

Deliveries (restatements)
-------------------------
AWS re-delivers a month's report several times while the month is open and after it closes.
``delivery=N`` simulates delivery number N of each month: a new ``assemblyId`` (uuid5 of
seed/report/month/delivery), new ``identity/LineItemId`` values for every line, and for
``delivery > 1`` about 1 % of the metered usage lines (``Usage`` and ``SavingsPlanCoveredUsage``
lines of EC2, EBS, data transfer, S3 and CloudWatch, but not the $0 EBSOptimized lines) get a
usage amount 0.2-3 % *lower* and the cost recomputed from it; which lines are restated depends
on the delivery number.  The matching Negation lines, the Savings Plan used commitment, the
Support fee, credits, refund and VAT follow.  Which lines are Savings Plan covered, resource ids,
tags, intervals and the number of rows do not change.  Writing a new delivery into an existing
``out_dir`` adds an assembly folder and overwrites the period-level manifest, like S3 does;
earlier deliveries stay on disk.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import duckdb

__all__ = ["CUR_COLUMNS", "CORE_COLUMN_NAMES", "INSTANCE_TYPES", "athena_name", "generate_cur", "main"]


# --------------------------------------------------------------------------------------------
# Naming
# --------------------------------------------------------------------------------------------
def athena_name(csv_header: str) -> str:
    """Map a legacy CUR CSV header to the column name AWS uses in Parquet/Athena.

    An underscore goes before every uppercase letter, everything is lower-cased, every
    non-alphanumeric character becomes ``_``, runs of ``_`` collapse and the ends are stripped:
    ``lineItem/UsageAmount`` -> ``line_item_usage_amount``,
    ``savingsPlan/SavingsPlanARN`` -> ``savings_plan_savings_plan_a_r_n``,
    ``resourceTags/user:cost-center`` -> ``resource_tags_user_cost_center``.
    """
    s = re.sub(r"([A-Z])", r"_\1", csv_header).lower()
    s = re.sub(r"[^a-z0-9]", "_", s)
    return re.sub(r"_+", "_", s).strip("_")


# --------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Type:
    name: str
    vcpu: int
    memory_gib: float
    od_rate: float  # eu-west-3 Linux on-demand USD/h
    weight: int  # relative frequency in the fleet
    family: str  # product/instanceFamily as AWS writes it
    processor: str
    clock: str
    network: str
    ecu: str
    ebs_mbps: str

    @property
    def intel(self) -> bool:
        return "Intel" in self.processor

    @property
    def size_factor(self) -> float:
        size = self.name.split(".")[1]
        return {"micro": 0.5, "small": 1, "medium": 2, "large": 4, "xlarge": 8, "2xlarge": 16}.get(size, 64)


_SKL = "Intel Skylake E5 2686 v5"
_M5P = "Intel Xeon Platinum 8175"
_ICE = "Intel Xeon 8375C (Ice Lake)"
_C5P = "Intel Xeon Platinum 8124M"
_G2 = "AWS Graviton2 Processor"
INSTANCE_TYPES: list[_Type] = [
    _Type("t3.micro", 2, 1, 0.0118, 8, "General purpose", _SKL, "3.1 GHz", "Up to 5 Gigabit", "Variable", "Up to 2085"),
    _Type("t3.medium", 2, 4, 0.0472, 8, "General purpose", _SKL, "3.1 GHz", "Up to 5 Gigabit", "Variable", "Up to 2085"),
    _Type("t3.large", 2, 8, 0.0944, 5, "General purpose", _SKL, "3.1 GHz", "Up to 5 Gigabit", "Variable", "Up to 2780"),
    _Type("m5.large", 2, 8, 0.112, 12, "General purpose", _M5P, "3.1 GHz", "Up to 10 Gigabit", "10", "Up to 4750"),
    _Type("m5.xlarge", 4, 16, 0.224, 10, "General purpose", _M5P, "3.1 GHz", "Up to 10 Gigabit", "16", "Up to 4750"),
    _Type("m5.2xlarge", 8, 32, 0.448, 5, "General purpose", _M5P, "3.1 GHz", "Up to 10 Gigabit", "37", "Up to 4750"),
    _Type("m6i.large", 2, 8, 0.112, 8, "General purpose", _ICE, "3.5 GHz", "Up to 12500 Megabit", "NA", "Up to 10000"),
    _Type("m6i.xlarge", 4, 16, 0.224, 7, "General purpose", _ICE, "3.5 GHz", "Up to 12500 Megabit", "NA", "Up to 10000"),
    _Type("m6i.2xlarge", 8, 32, 0.448, 3, "General purpose", _ICE, "3.5 GHz", "Up to 12500 Megabit", "NA", "Up to 10000"),
    _Type("c5.large", 2, 4, 0.101, 6, "Compute optimized", _C5P, "3.4 GHz", "Up to 10 Gigabit", "10", "Up to 4750"),
    _Type("c5.xlarge", 4, 8, 0.202, 6, "Compute optimized", _C5P, "3.4 GHz", "Up to 10 Gigabit", "20", "Up to 4750"),
    _Type("c5.2xlarge", 8, 16, 0.404, 3, "Compute optimized", _C5P, "3.4 GHz", "Up to 10 Gigabit", "39", "Up to 4750"),
    _Type("c6i.xlarge", 4, 8, 0.202, 4, "Compute optimized", _ICE, "3.5 GHz", "Up to 12500 Megabit", "NA", "Up to 10000"),
    _Type("r5.large", 2, 16, 0.148, 5, "Memory optimized", _M5P, "3.1 GHz", "Up to 10 Gigabit", "10", "Up to 4750"),
    _Type("r5.xlarge", 4, 32, 0.296, 4, "Memory optimized", _M5P, "3.1 GHz", "Up to 10 Gigabit", "19", "Up to 4750"),
    _Type("r5.2xlarge", 8, 64, 0.592, 2, "Memory optimized", _M5P, "3.1 GHz", "Up to 10 Gigabit", "38", "Up to 4750"),
    _Type("r6g.large", 2, 16, 0.1184, 2, "Memory optimized", _G2, "2.5 GHz", "Up to 10 Gigabit", "NA", "Up to 4750"),
    _Type("m6g.xlarge", 4, 16, 0.1792, 2, "General purpose", _G2, "2.5 GHz", "Up to 10 Gigabit", "NA", "Up to 4750"),
    _Type("c6g.xlarge", 4, 8, 0.1616, 2, "Compute optimized", _G2, "2.5 GHz", "Up to 10 Gigabit", "NA", "Up to 4750"),
    # Deliberately unknown to the instance catalogue: exactly one instance, whatever n_instances.
    _Type("x9z.mega", 32, 256, 2.35, 0, "Memory optimized", "Fictional Xeon Quantum", "4.2 GHz", "100 Gigabit", "NA", "40000"),
]
_X9Z = len(INSTANCE_TYPES) - 1
_SPOT_FACTOR = 0.35  # spot price / on-demand price
_SP_FACTOR = 0.72  # Compute Savings Plan rate / on-demand rate
_SP_COVERAGE = 0.40  # target share of on-demand instance hours covered by the Savings Plan
_SP_UTILISATION = 0.97  # target share of the monthly commitment actually used

# EBS volume types: api name, usage type suffix, operation, USD per GB-Mo, AWS volumeType, media,
# max IOPS, max throughput
_VOLUMES = [
    ("gp2", ".gp2", "CreateVolume-Gp2", 0.116, "General Purpose", "SSD-backed", "16000", "250 MiB/s"),
    ("gp3", ".gp3", "CreateVolume-Gp3", 0.0928, "General Purpose", "SSD-backed", "16000", "1000 MiB/s"),
    ("io1", ".piops", "CreateVolume-P-IOPS", 0.145, "Provisioned IOPS", "SSD-backed", "64000", "1000 MiB/s"),
    ("st1", ".st1", "CreateVolume-Throughput", 0.053, "Throughput Optimized HDD", "HDD-backed", "500", "500 MiB/s"),
]
_SNAP_RATE = 0.053
_DT_OUT_RATE = 0.09
_DT_REG_RATE = 0.01
_S3_RATE = 0.024
_GLACIER_RATE = 0.0045
_REQ_RATE = 0.0000053
_CW_RATE = 0.30

_APPS = ["claims-portal", "pricing-engine", "crm", "data-lake", "policy-admin", "billing",
         "fraud-detection", "customer-api", "document-mgmt", "reporting", "mobile-backend", "ml-platform"]
_APP_CC = ["CC-1010", "CC-1020", "CC-1030", "CC-1040", "CC-1010", "CC-1050",
           "CC-1020", "CC-1030", "CC-1060", "CC-1040", "CC-1030", "CC-1070"]
_ENVS = ["prod", "staging", "dev"]
_BUCKET_WORDS = ["documents", "backups", "logs", "exports", "artifacts", "raw", "curated", "static-assets"]
_N_BUCKETS = 20

_REGIONS = {  # region -> (usage type prefix, location)
    "eu-west-3": ("EUW3", "EU (Paris)"),
    "eu-west-1": ("EU", "EU (Ireland)"),
    "eu-west-2": ("EUW2", "EU (London)"),
    "eu-central-1": ("EUC1", "EU (Frankfurt)"),
    "eu-north-1": ("EUN1", "EU (Stockholm)"),
    "us-east-1": ("", "US East (N. Virginia)"),
    "us-west-2": ("USW2", "US West (Oregon)"),
}

# line item kinds (core column k)
K_BOX, K_SPOT, K_NEG, K_EBSOPT, K_VOL, K_SNAP, K_DTOUT, K_DTREG = 1, 2, 3, 4, 5, 6, 7, 8
K_S3, K_GLACIER, K_S3REQ, K_CW, K_SPFEE, K_SUPPORT, K_MKT, K_CREDIT, K_REFUND, K_TAX = range(9, 19)
_INST_K = (K_BOX, K_SPOT, K_NEG, K_EBSOPT)
_USAGE_K = tuple(range(1, 13))  # kinds that are metered AWS usage in the region
# line item types (core column lt)
_LINE_TYPES = ["Usage", "SavingsPlanCoveredUsage", "SavingsPlanNegation", "SavingsPlanRecurringFee",
               "Fee", "Tax", "Credit", "Refund"]
# product codes (core column pc); index 6 is the marketplace product, filled per seed
_PRODUCT_CODES = ["AmazonEC2", "AWSDataTransfer", "AmazonS3", "AmazonCloudWatch",
                  "ComputeSavingsPlans", "AWSSupportBusiness", None]
_PRODUCT_NAMES = ["Amazon Elastic Compute Cloud", "AWS Data Transfer", "Amazon Simple Storage Service",
                  "AmazonCloudWatch", "Savings Plans for AWS Compute usage", "AWS Support (Business)",
                  "Acme Observability Platform"]
_SERVICE_CODES = ["AmazonEC2", "AWSDataTransfer", "AmazonS3", "AmazonCloudWatch",
                  "ComputeSavingsPlans", "AWSSupportBusiness", ""]
_PC_MKT = 6

_TS_FMT = "%Y-%m-%dT%H:%M:%SZ"
_B32 = "abcdefghijklmnopqrstuvwxyz234567"


# --------------------------------------------------------------------------------------------
# SQL helpers
# --------------------------------------------------------------------------------------------
def _q(s: str) -> str:
    """SQL string literal."""
    return "'" + str(s).replace("'", "''") + "'"


def _slist(values) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _dlist(values) -> str:
    return "([" + ", ".join(repr(float(v)) for v in values) + "]::DOUBLE[])"


def _case(col: str, mapping: dict, default: str = "''") -> str:
    """CASE over integer codes; mapping keys are ints or tuples of ints, values SQL expressions."""
    parts = []
    for key, expr in mapping.items():
        keys = key if isinstance(key, tuple) else (key,)
        cond = _in(col, keys)
        parts.append(f"WHEN {cond} THEN {expr}")
    return f"(CASE {' '.join(parts)} ELSE {default} END)"


def _when(cond: str, expr: str, default: str = "''") -> str:
    return f"(CASE WHEN {cond} THEN {expr} ELSE {default} END)"


def _in(col: str, values) -> str:
    """Membership test written as comparisons.

    Not ``IN (...)``: DuckDB rewrites long IN lists into a join, and that join does not keep the
    rows in order, which the byte-for-byte reproducible output depends on.
    """
    values = sorted(set(values))
    if len(values) == 1:
        return f"{col} = {values[0]}"
    if values == list(range(values[0], values[-1] + 1)):
        return f"({col} BETWEEN {values[0]} AND {values[-1]})"
    return "(" + " OR ".join(f"{col} = {v}" for v in values) + ")"


def _kin(ks) -> str:
    return _in("k", ks)


def _sku(*parts) -> str:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(alphabet[b % len(alphabet)] for b in digest[:16])


def _money(x: float) -> str:
    s = f"{x:.4f}".rstrip("0")
    if len(s.split(".")[1]) < 2:
        s = f"{x:.2f}"
    return "$" + s


# --------------------------------------------------------------------------------------------
# Column definitions
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Col:
    header: str
    dtype: str  # VARCHAR | DOUBLE | TIMESTAMP
    expr: Callable[["_Ctx"], str]  # SQL expression over the inner query, Parquet-typed
    filler: bool = False
    manifest_type: str = ""

    @property
    def athena(self) -> str:
        return athena_name(self.header)


@dataclass
class _Ctx:
    """Per-generation and per-month constants the column expressions are built from."""

    seed: int
    delivery: int
    account: str
    payer: str
    region: str
    ut_prefix: str  # 'EUW3-' (or '' for us-east-1)
    location: str
    sp_arn: str
    mkt_code: str
    bucket_names: list
    hourly_commitment: float
    month_index: int = 0
    month_start: str = ""
    month_end: str = ""
    month_hours: int = 0
    interval_hours: int = 24
    invoice_aws: str = ""
    invoice_mkt: str = ""


def _V(header, fn, filler=False, mtype="OptionalString"):
    return _Col(header, "VARCHAR", fn, filler, mtype)


def _D(header, fn, filler=False, mtype="OptionalBigDecimal"):
    return _Col(header, "DOUBLE", fn, filler, mtype)


def _T(header, fn):
    return _Col(header, "TIMESTAMP", fn, False, "DateTime")


def _const(value: str):
    return lambda c: _q(value)


def _inst(expr_fn):
    """Column only filled on instance lines (BoxUsage/SpotUsage/Negation/EBSOptimized)."""
    return lambda c: _when(_kin(_INST_K), expr_fn(c))


def _inst_list(values):
    return _inst(lambda c: f"{_slist(values)}[t + 1]")


def _vol_list(values):
    return lambda c: _when(f"k = {K_VOL}", f"{_slist(values)}[t + 1]")


def _usage(expr_fn):
    return lambda c: _when(_kin(_USAGE_K), expr_fn(c))


_T_NAMES = [t.name for t in INSTANCE_TYPES]
_OD = [t.od_rate for t in INSTANCE_TYPES]
_SPOT = [round(t.od_rate * _SPOT_FACTOR, 4) for t in INSTANCE_TYPES]
_SPR = [round(t.od_rate * _SP_FACTOR, 6) for t in INSTANCE_TYPES]
_NF = [float(t.size_factor) for t in INSTANCE_TYPES]


def _line_item_description(c: _Ctx) -> str:
    box = [f"{_money(t.od_rate)} per On Demand Linux {t.name} Instance Hour" for t in INSTANCE_TYPES]
    cov = [f"{_money(r)} per hour for Compute Savings Plans, Linux {t.name} in {c.region}"
           for t, r in zip(INSTANCE_TYPES, _SPR)]
    spot = [f"Linux/UNIX (Amazon VPC), {t.name} Spot Instance-hour in {c.location}" for t in INSTANCE_TYPES]
    neg = [f"SavingsPlanNegation used by AccountId : {c.account} and UsageSku : {_sku('box', t.name, c.region)}"
           for t in INSTANCE_TYPES]
    eo = [f"$0.00 for {t.ebs_mbps} Mbps per {t.name} instance-hour (or partial hour)" for t in INSTANCE_TYPES]
    vol = [f"{_money(v[3])} per GB-month of {v[4]} ({v[0]}) provisioned storage - {c.location}" for v in _VOLUMES]
    return _case("k", {
        K_BOX: _case("lt", {1: f"{_slist(cov)}[t + 1]"}, f"{_slist(box)}[t + 1]"),
        K_SPOT: f"{_slist(spot)}[t + 1]",
        K_NEG: f"{_slist(neg)}[t + 1]",
        K_EBSOPT: f"{_slist(eo)}[t + 1]",
        K_VOL: f"{_slist(vol)}[t + 1]",
        K_SNAP: _q(f"{_money(_SNAP_RATE)} per GB-Month of snapshot data stored - {c.location}"),
        K_DTOUT: _q(f"{_money(_DT_OUT_RATE)} per GB - first 10 TB / month data transfer out beyond the global free tier"),
        K_DTREG: _q(f"{_money(_DT_REG_RATE)} per GB - regional data transfer - in/out/between EC2 AZs or using elastic IPs or ELB"),
        K_S3: _q(f"{_money(_S3_RATE)} per GB - first 50 TB / month of storage used"),
        K_GLACIER: _q(f"{_money(_GLACIER_RATE)} per GB-Month - S3 Glacier Flexible Retrieval storage - {c.location}"),
        K_S3REQ: _q("$0.0053 per 1,000 PUT, COPY, POST, or LIST requests"),
        K_CW: _q(f"{_money(_CW_RATE)} per metric-month - first 10,000 metrics - {c.location}"),
        K_SPFEE: _q(f"1 year No Upfront Compute Savings Plan with an hourly commitment of {_money(c.hourly_commitment)}"),
        K_SUPPORT: _q("AWS Support (Business)"),
        K_MKT: _q("Acme Observability Platform - monthly SaaS subscription"),
        K_CREDIT: _q("AWS Promotional Credit"),
        K_REFUND: _q("Refund: service credit for an EC2 SLA event"),
        K_TAX: "'Tax for product code ' || pcode",
    })


def _sp_cost(c):
    return f"round(q * {_dlist(_SPR)}[t + 1], 8)"


_COLUMN_DEFS: list[_Col] = [
    # identity
    _V("identity/LineItemId", lambda c: "b32", mtype="String"),
    _V("identity/TimeInterval", lambda c: f"strftime(ts0, '{_TS_FMT}') || '/' || strftime(ts1, '{_TS_FMT}')",
       mtype="Interval"),
    # bill
    _V("bill/InvoiceId", lambda c: _when(f"pc = {_PC_MKT}", _q(c.invoice_mkt), _q(c.invoice_aws))),
    _V("bill/InvoicingEntity", lambda c: _when(f"pc = {_PC_MKT}", "'AWS Marketplace'", "'Amazon Web Services EMEA SARL'"),
       filler=True),
    _V("bill/BillingEntity", lambda c: _when(f"pc = {_PC_MKT}", "'AWS Marketplace'", "'AWS'"), mtype="String"),
    _V("bill/BillType", _const("Anniversary"), mtype="String"),
    _V("bill/PayerAccountId", lambda c: _q(c.payer), mtype="String"),
    _T("bill/BillingPeriodStartDate", lambda c: f"TIMESTAMP '{c.month_start}'"),
    _T("bill/BillingPeriodEndDate", lambda c: f"TIMESTAMP '{c.month_end}'"),
    # lineItem
    _V("lineItem/UsageAccountId", lambda c: _q(c.account), mtype="String"),
    _V("lineItem/LineItemType", lambda c: f"{_slist(_LINE_TYPES)}[lt + 1]", mtype="String"),
    _T("lineItem/UsageStartDate", lambda c: "ts0"),
    _T("lineItem/UsageEndDate", lambda c: "ts1"),
    _V("lineItem/ProductCode", lambda c: "pcode", mtype="String"),
    _V("lineItem/UsageType", lambda c: "ut"),
    _V("lineItem/Operation", lambda c: "op"),
    _V("lineItem/AvailabilityZone", lambda c: _when(_kin(_INST_K + (K_VOL,)), f"'{c.region}' || ['a', 'b', 'c'][az + 1]")),
    _V("lineItem/ResourceId", lambda c: "rid"),
    _D("lineItem/UsageAmount", lambda c: "q", mtype="BigDecimal"),
    _D("lineItem/NormalizationFactor", lambda c: _when(_kin((K_BOX, K_SPOT)), f"{_dlist(_NF)}[t + 1]", "NULL")),
    _D("lineItem/NormalizedUsageAmount",
       lambda c: _when(_kin((K_BOX, K_SPOT)), f"round(q * {_dlist(_NF)}[t + 1], 10)", "NULL")),
    _V("lineItem/CurrencyCode", _const("USD"), mtype="String"),
    _D("lineItem/UnblendedRate", lambda c: "r"),
    _D("lineItem/UnblendedCost", lambda c: "c", mtype="BigDecimal"),
    _D("lineItem/BlendedRate", lambda c: "r"),
    _D("lineItem/BlendedCost", lambda c: "c", mtype="BigDecimal"),
    _V("lineItem/LineItemDescription", _line_item_description, mtype="String"),
    _V("lineItem/TaxType", lambda c: _when(f"k = {K_TAX}", "'VAT'")),
    _V("lineItem/LegalEntity",
       lambda c: _when(f"pc = {_PC_MKT}", "'Acme Observability Ltd'", "'Amazon Web Services EMEA SARL'"), mtype="String"),
    # product (core)
    _V("product/ProductName", lambda c: f"{_slist(_PRODUCT_NAMES)}[pc + 1]"),
    _V("product/servicecode", lambda c: f"{_slist(_SERVICE_CODES)}[pc + 1]"),
    _V("product/productFamily", lambda c: _case("k", {
        _INST_K: "'Compute Instance'", K_VOL: "'Storage'", K_SNAP: "'Storage Snapshot'",
        (K_DTOUT, K_DTREG): "'Data Transfer'", (K_S3, K_GLACIER): "'Storage'", K_S3REQ: "'API Request'",
        K_CW: "'Metric'"})),
    _V("product/instanceType", _inst_list(_T_NAMES)),
    _V("product/instanceFamily", _inst_list([t.family for t in INSTANCE_TYPES])),
    _V("product/vcpu", _inst_list([str(t.vcpu) for t in INSTANCE_TYPES])),
    _V("product/memory", _inst_list([f"{t.memory_gib:g} GiB" for t in INSTANCE_TYPES])),
    _V("product/region", _usage(lambda c: _q(c.region))),
    _V("product/location", _usage(lambda c: _q(c.location))),
    _V("product/operatingSystem", _inst(lambda c: "'Linux'")),
    _V("product/tenancy", _inst(lambda c: "'Shared'")),
    _V("product/volumeApiName", _vol_list([v[0] for v in _VOLUMES])),
    _V("product/storageClass", lambda c: _case("k", {K_S3: "'General Purpose'", K_GLACIER: "'Archive'"})),
    _V("product/fromLocation", lambda c: _when(_kin((K_DTOUT, K_DTREG)), _q(c.location))),
    _V("product/toLocation", lambda c: _case("k", {K_DTOUT: "'External'", K_DTREG: _q(c.location)})),
    _V("product/transferType", lambda c: _case("k", {K_DTOUT: "'AWS Outbound'", K_DTREG: "'IntraRegion'"})),
    # product (filler: realistic, mostly empty or repeated)
    _V("product/availability", lambda c: _when(_kin((K_S3, K_GLACIER)), "'99.99%'"), True),
    _V("product/capacitystatus", _inst(lambda c: "'Used'"), True),
    _V("product/classicnetworkingsupport", _inst(lambda c: "'false'"), True),
    _V("product/clockSpeed", _inst_list([t.clock for t in INSTANCE_TYPES]), True),
    _V("product/currentGeneration", _inst(lambda c: "'Yes'"), True),
    _V("product/dedicatedEbsThroughput", _inst_list([t.ebs_mbps + " Mbps" for t in INSTANCE_TYPES]), True),
    _V("product/durability", lambda c: _when(_kin((K_S3, K_GLACIER)), "'99.999999999%'"), True),
    _V("product/ecu", _inst_list([t.ecu for t in INSTANCE_TYPES]), True),
    _V("product/enhancedNetworkingSupported", _inst(lambda c: "'Yes'"), True),
    _V("product/fromLocationType", lambda c: _when(_kin((K_DTOUT, K_DTREG)), "'AWS Region'"), True),
    _V("product/fromRegionCode", lambda c: _when(_kin((K_DTOUT, K_DTREG)), _q(c.region)), True),
    _V("product/group", lambda c: _case("k", {K_S3REQ: "'S3-API-Tier1'", K_CW: "'Metric'",
                                              K_EBSOPT: "'EBS OptimizedHours'"}), True),
    _V("product/groupDescription", lambda c: _when(f"k = {K_S3REQ}", "'PUT/COPY/POST or LIST requests'"), True),
    _V("product/instanceTypeFamily", _inst_list([t.name.split(".")[0] for t in INSTANCE_TYPES]), True),
    _V("product/intelAvx2Available", _inst_list(["Yes" if t.intel else "No" for t in INSTANCE_TYPES]), True),
    _V("product/intelAvxAvailable", _inst_list(["Yes" if t.intel else "No" for t in INSTANCE_TYPES]), True),
    _V("product/intelTurboAvailable", _inst_list(["Yes" if t.intel else "No" for t in INSTANCE_TYPES]), True),
    _V("product/licenseModel", _inst(lambda c: "'No License required'"), True),
    _V("product/locationType", _usage(lambda c: "'AWS Region'"), True),
    _V("product/marketoption", _inst(lambda c: _when(f"k = {K_SPOT}", "'Spot'", "'OnDemand'")), True),
    _V("product/maxIopsBurstPerformance", lambda c: _when(f"k = {K_VOL} AND t = 0", "'3000 for volumes <= 1 TiB'"), True),
    _V("product/maxIopsvolume", _vol_list([v[6] for v in _VOLUMES]), True),
    _V("product/maxThroughputvolume", _vol_list([v[7] for v in _VOLUMES]), True),
    _V("product/maxVolumeSize", lambda c: _when(f"k = {K_VOL}", "'16 TiB'"), True),
    _V("product/networkPerformance", _inst_list([t.network for t in INSTANCE_TYPES]), True),
    _V("product/normalizationSizeFactor", _inst_list([f"{t.size_factor:g}" for t in INSTANCE_TYPES]), True),
    _V("product/operation", _usage(lambda c: "op"), True),
    _V("product/physicalProcessor", _inst_list([t.processor for t in INSTANCE_TYPES]), True),
    _V("product/preInstalledSw", _inst(lambda c: "'NA'"), True),
    _V("product/processorArchitecture", _inst(lambda c: "'64-bit'"), True),
    _V("product/processorFeatures", _inst_list(
        ["Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo" if t.intel else "" for t in INSTANCE_TYPES]), True),
    _V("product/regionCode", _usage(lambda c: _q(c.region)), True),
    _V("product/servicename", lambda c: f"{_slist(_PRODUCT_NAMES)}[pc + 1]", True),
    _V("product/sku", lambda c: "sku", True),
    _V("product/storage", _inst(lambda c: "'EBS only'"), True),
    _V("product/storageMedia", lambda c: _case("k", {K_VOL: f"{_slist([v[5] for v in _VOLUMES])}[t + 1]",
                                                     K_SNAP: "'Amazon S3'"}), True),
    _V("product/toLocationType", lambda c: _case("k", {K_DTOUT: "'Other'", K_DTREG: "'AWS Region'"}), True),
    _V("product/toRegionCode", lambda c: _when(f"k = {K_DTREG}", _q(c.region)), True),
    _V("product/usagetype", lambda c: _when(f"k <= {K_MKT}", "ut"), True),
    _V("product/volumeType", _vol_list([v[4] for v in _VOLUMES]), True),
    _V("product/vpcnetworkingsupport", _inst(lambda c: "'true'"), True),
    _V("product/provisioned", lambda c: _when(f"k = {K_VOL}", "'Yes'"), True),
    _V("product/gpuMemory", _inst(lambda c: "'NA'"), True),
    _V("product/abdInstanceClass", _const(""), True),
    _V("product/databaseEngine", _const(""), True),
    _V("product/deploymentOption", _const(""), True),
    _V("product/edition", _const(""), True),
    _V("product/engineCode", _const(""), True),
    _V("product/instancesku", _const(""), True),
    _V("product/messageDeliveryFrequency", _const(""), True),
    _V("product/queueType", _const(""), True),
    _V("product/subscriptionType", _const(""), True),
    # pricing
    _V("pricing/unit", lambda c: _case("k", {
        _INST_K: "'Hrs'", (K_VOL, K_SNAP, K_S3, K_GLACIER): "'GB-Mo'", (K_DTOUT, K_DTREG): "'GB'",
        K_S3REQ: "'Requests'", K_CW: "'Metrics'", K_SUPPORT: "'Dollar'", K_MKT: "'Units'"})),
    _V("pricing/term", lambda c: _when(f"{_kin(_USAGE_K)} AND k <> {K_SPOT}", "'OnDemand'")),
    _D("pricing/publicOnDemandCost", lambda c: _when(f"{_kin(_USAGE_K)} AND lt <= 1", "round(q * odr, 8)", "NULL")),
    _D("pricing/publicOnDemandRate", lambda c: _when(f"{_kin(_USAGE_K)} AND lt <= 1", "odr", "NULL")),
    _V("pricing/RateCode", lambda c: _when(f"{_kin(_USAGE_K)} AND k <> {K_SPOT}", "sku || '.JRTCKXETXF.6YS6EN2CT7'"), True),
    _V("pricing/RateId", lambda c: _when(f"{_kin(_USAGE_K)} AND k <> {K_SPOT}", "(hash(sku) % 10000000000)::VARCHAR"), True),
    _V("pricing/currency", _usage(lambda c: "'USD'"), True),
    _V("pricing/LeaseContractLength", _const(""), True),
    _V("pricing/OfferingClass", _const(""), True),
    _V("pricing/PurchaseOption", _const(""), True),
    # reservation (no RIs in this company)
    _V("reservation/ReservationARN", _const("")),
    _D("reservation/EffectiveCost", lambda c: "NULL"),
    _D("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", lambda c: "NULL"),
    _D("reservation/UnusedRecurringFee", lambda c: "NULL"),
    # savingsPlan
    _V("savingsPlan/SavingsPlanARN", lambda c: _when("(lt BETWEEN 1 AND 3)", _q(c.sp_arn))),
    _D("savingsPlan/SavingsPlanEffectiveCost", lambda c: _when("lt = 1", _sp_cost(c), "NULL")),
    _D("savingsPlan/SavingsPlanRate", lambda c: _when("lt = 1", f"{_dlist(_SPR)}[t + 1]", "NULL")),
    _D("savingsPlan/UsedCommitment", lambda c: _when("lt = 3", "x", "NULL")),
    _D("savingsPlan/TotalCommitmentToDate", lambda c: _when("lt = 3", "c", "NULL")),
    _D("savingsPlan/RecurringCommitmentForBillingPeriod", lambda c: _when("lt = 3", "c", "NULL")),
    _D("savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", lambda c: _when("lt = 3", "0.0", "NULL")),
    _V("savingsPlan/OfferingType", lambda c: _when("(lt BETWEEN 1 AND 3)", "'ComputeSavingsPlans'"), True),
    _V("savingsPlan/PaymentOption", lambda c: _when("(lt BETWEEN 1 AND 3)", "'No Upfront'"), True),
    _V("savingsPlan/PurchaseTerm", lambda c: _when("(lt BETWEEN 1 AND 3)", "'1yr'"), True),
    # resourceTags
    _V("resourceTags/user:application", lambda c: f"{_slist([''] + _APPS)}[app + 1]"),
    _V("resourceTags/user:cost-center", lambda c: f"{_slist([''] + _APP_CC)}[app + 1]"),
    _V("resourceTags/user:environment", lambda c: f"{_slist([''] + _ENVS)}[env + 1]"),
]

_CATEGORY_ORDER = ["identity", "bill", "lineItem", "product", "pricing", "reservation", "savingsPlan", "resourceTags"]


def _ordered(cols: list[_Col]) -> list[_Col]:
    """identity, bill and lineItem in the order AWS writes them; other categories sorted (ASCII)."""
    out = []
    for cat in _CATEGORY_ORDER:
        in_cat = [col for col in cols if col.header.split("/", 1)[0] == cat]
        if cat not in ("identity", "bill", "lineItem"):
            in_cat.sort(key=lambda col: col.header.split("/", 1)[1])
        out.extend(in_cat)
    assert len(out) == len(cols)
    return out


_COLUMNS: list[_Col] = _ordered(_COLUMN_DEFS)
assert len({c.athena for c in _COLUMNS}) == len(_COLUMNS), "athena names must be unique"

#: (csv_header, athena_name, duckdb_type) of every column written with filler_columns=True, in file
#: order.  With filler_columns=False the file holds the subset named in CORE_COLUMN_NAMES, same order.
CUR_COLUMNS: list[tuple[str, str, str]] = [(c.header, c.athena, c.dtype) for c in _COLUMNS]
#: athena names of the columns written even with filler_columns=False
CORE_COLUMN_NAMES: list[str] = [c.athena for c in _COLUMNS if not c.filler]


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------
class _Gen:
    def __init__(self, con, seed: int, n_instances: int, total_hours: int):
        self.con = con
        self.seed = int(seed)
        self.n = int(n_instances)
        self.P = int(total_hours)

    def u(self, tag: str, *cols) -> str:
        """Deterministic pseudo-random DOUBLE in [0, 1) from seed, a tag and integer columns.

        DuckDB's multi-argument ``hash()`` combines the argument hashes cheaply (values for two
        tags differ by little more than a constant XOR), so the combination is hashed again to
        get independent streams per tag.
        """
        args = ", ".join([f"{self.seed}::BIGINT", _q(tag)] + [f"({c})::BIGINT" for c in cols])
        return f"((hash(hash({args})) >> 11)::DOUBLE / 9007199254740992.0)"

    # ---- static tables --------------------------------------------------------------------
    def create_instances(self) -> None:
        u, P = self.u, self.P
        weights = [t.weight for t in INSTANCE_TYPES[:_X9Z]]
        total, acc, whens = sum(weights), 0, []
        for i, w in enumerate(weights[:-1]):
            acc += w
            whens.append(f"WHEN ut < {acc / total!r} THEN {i}")
        type_case = f"CASE {' '.join(whens)} ELSE {len(weights) - 1} END"
        x_idx = f"((hash(hash({self.seed}::BIGINT, 'x9z')) % {self.n})::INTEGER)"
        self.con.execute(f"""
        CREATE OR REPLACE TABLE inst AS
        WITH b AS (
            SELECT i::INTEGER AS idx, (i::INTEGER = {x_idx}) AS is_x,
                   -- anchors: one instance of each known type, alive all period (see docstring)
                   (i::INTEGER - (CASE WHEN i::INTEGER > {x_idx} THEN 1 ELSE 0 END)) AS arank,
                   (i::INTEGER <> {x_idx} AND i::INTEGER - (CASE WHEN i::INTEGER > {x_idx} THEN 1 ELSE 0 END) < {_X9Z}) AS is_anchor,
                   {u('type', 'i')} AS ut, {u('spot', 'i')} AS usp, {u('cls', 'i')} AS ucl,
                   {u('start', 'i')} AS ust, {u('dur', 'i')} AS udu, {u('app', 'i')} AS uapp,
                   {u('env', 'i')} AS uenv, {u('az', 'i')} AS uaz, {u('nvol', 'i')} AS unv,
                   {u('vt0', 'i')} AS uvt0, {u('vt1', 'i')} AS uvt1, {u('gb0', 'i')} AS ug0,
                   {u('gb1', 'i')} AS ug1, {u('snap', 'i')} AS usn, {u('snapgb', 'i')} AS usg,
                   {u('dto', 'i')} AS udo, {u('dtr', 'i')} AS udr, {u('dtgb', 'i')} AS udg,
                   {u('ebsopt', 'i')} AS ueo
            FROM range({self.n}) r(i)
        ), l AS (
            SELECT *,
                CASE WHEN is_x OR is_anchor OR ucl < 0.12 THEN 0
                     WHEN ucl < 0.42 THEN floor(ust * 0.5 * {P})
                     ELSE least(floor(ust * {P}), {P} - 2) END::INTEGER AS start_h,
                CASE WHEN is_x OR is_anchor OR ucl < 0.12 THEN {P}
                     WHEN ucl < 0.42 THEN floor((0.25 + 0.5 * udu) * {P})
                     ELSE greatest(4, floor((0.003 + 0.1 * udu) * {P})) END::INTEGER AS dur_h
            FROM b
        )
        SELECT idx,
            (CASE WHEN is_x THEN {_X9Z} WHEN is_anchor THEN arank ELSE {type_case} END)::TINYINT AS t,
            (NOT is_x AND NOT is_anchor AND usp < 0.08) AS spot,
            start_h, least({P}, start_h + dur_h)::INTEGER AS end_h,
            (CASE WHEN uapp < 0.05 AND NOT is_x THEN 0
                  ELSE 1 + least(11, greatest(0, floor((uapp - 0.05) / 0.95 * 12))) END)::TINYINT AS app,
            (CASE WHEN uenv < 0.45 THEN 1 WHEN uenv < 0.65 THEN 2 ELSE 3 END)::TINYINT AS env,
            least(2, floor(uaz * 3))::TINYINT AS az,
            (CASE WHEN unv < 0.2 THEN 2 ELSE 1 END)::TINYINT AS nvol,
            (CASE WHEN uvt0 < 0.6 THEN 0 ELSE 1 END)::TINYINT AS vt0,
            (CASE WHEN uvt1 < 0.45 THEN 0 WHEN uvt1 < 0.8 THEN 1 WHEN uvt1 < 0.9 THEN 2 ELSE 3 END)::TINYINT AS vt1,
            ([8, 16, 30, 50, 100])[least(4, floor(ug0 * 5))::INTEGER + 1]::DOUBLE AS gb0,
            (CASE WHEN uvt1 >= 0.9 THEN ([500, 500, 500, 1000, 2000])[least(4, floor(ug1 * 5))::INTEGER + 1]
                  ELSE ([100, 200, 500, 1000, 2000])[least(4, floor(ug1 * 5))::INTEGER + 1] END)::DOUBLE AS gb1,
            (usn < 0.12) AS has_snap,
            round(10 + usg * 490)::DOUBLE AS snap_gb,
            (CASE WHEN udo < 0.3 THEN round(exp(ln(0.5) + udg * ln(100)), 3) ELSE 0 END)::DOUBLE AS dto_gb,
            (CASE WHEN udr < 0.12 THEN round(1 + udg * 99, 3) ELSE 0 END)::DOUBLE AS dtr_gb,
            (ueo < 0.2) AS ebsopt
        FROM l
        """)

    def create_buckets(self) -> list[str]:
        u = self.u
        self.con.execute(f"""
        CREATE OR REPLACE TABLE buckets AS
        WITH b AS (
            SELECT i::INTEGER AS idx, {u('bapp', 'i')} AS ua, {u('benv', 'i')} AS ue, {u('bgb', 'i')} AS ug,
                   {u('bgl', 'i')} AS ugl, {u('breq', 'i')} AS urq, {u('bword', 'i')} AS uw
            FROM range({_N_BUCKETS}) r(i)
        )
        SELECT idx,
            (1 + least(11, floor(ua * 12)))::TINYINT AS app,
            (CASE WHEN ue < 0.6 THEN 1 WHEN ue < 0.75 THEN 2 ELSE 3 END)::TINYINT AS env,
            round(exp(ln(5) + ug * ln(4000)), 3) AS gb,
            (ugl < 0.15 OR idx = 0) AS glacier,
            round(exp(ln(5) + ug * ln(4000)) * (2 + 8 * ugl), 3) AS glacier_gb,
            round(exp(ln(500) + urq * ln(400))) AS req_day,
            {_slist(_APPS)}[1 + least(11, floor(ua * 12))::INTEGER] || '-' ||
                ['prod', 'staging', 'dev'][CASE WHEN ue < 0.6 THEN 1 WHEN ue < 0.75 THEN 2 ELSE 3 END] || '-' ||
                {_slist(_BUCKET_WORDS)}[1 + least({len(_BUCKET_WORDS) - 1}, floor(uw * {len(_BUCKET_WORDS)}))::INTEGER] || '-' ||
                printf('%06x', hash(hash({self.seed}::BIGINT, 'bname', idx::BIGINT)) % 16777216) AS name
        FROM b
        """)
        # 20 names, inlined as a lookup list in the projection
        return [r[0] for r in self.con.execute("SELECT name FROM buckets ORDER BY idx").fetchall()]

    def savings_plan(self, month_hours: list[tuple[int, int]]) -> tuple[float, list[float]]:
        """Size the Compute Savings Plan and its monthly coverage.

        The hourly commitment is fixed for the whole period and sized so that ~40 % of the
        on-demand instance hours are covered; the share of lines covered in a month is then
        whatever uses ~97 % of that month's commitment given the month's expected usage (capped
        at 95 %), like a real Savings Plan covering a fleet that grows and shrinks.
        """
        months = " UNION ALL ".join(f"SELECT {i} AS m, {a} AS a, {b} AS b" for i, (a, b) in enumerate(month_hours))
        rows = self.con.execute(f"""
            WITH m AS ({months})
            SELECT m.m, coalesce(sum(greatest(0, least(m.b, i.end_h) - greatest(m.a, i.start_h))
                                     * {_dlist(_SPR)}[i.t + 1]) FILTER (WHERE NOT i.spot), 0)
            FROM m CROSS JOIN inst i GROUP BY m.m ORDER BY m.m""").fetchall()
        expected = [float(v) for _, v in rows]
        hourly = max(round(_SP_COVERAGE / _SP_UTILISATION * sum(expected) / self.P, 3), 0.001)
        shares = [min(0.95, round(_SP_UTILISATION * hourly * (b - a) / e, 6)) if e > 0 else 0.0
                  for e, (a, b) in zip(expected, month_hours)]
        return hourly, shares

    # ---- per month ------------------------------------------------------------------------
    def build_month(self, ctx: _Ctx, h0: int, n_iv: int, sp_share: float, mkt_fee: float, cw_metrics: int) -> int:
        """Create table ``core`` holding the month's line items, sorted; returns its row count."""
        con, u, L, mh, mi, P = self.con, self.u, ctx.interval_hours, ctx.month_hours, ctx.month_index, self.P
        con.execute(f"""
        CREATE OR REPLACE TABLE ivs AS
        SELECT i::INTEGER AS iv, ({h0} + i * {L})::INTEGER AS h0, ({h0} + (i + 1) * {L})::INTEGER AS h1
        FROM range({n_iv}) r(i)""")
        con.execute("""
        CREATE OR REPLACE TABLE alive AS
        SELECT i.*, v.iv, v.h0, (least(v.h1, i.end_h) - greatest(v.h0, i.start_h))::INTEGER AS hrs
        FROM inst i CROSS JOIN ivs v
        WHERE i.start_h < v.h1 AND i.end_h > v.h0""")

        def row(k, e, s, iv, lt, t, pc, q, r, app, env, az):
            return (f"({k})::SMALLINT AS k, ({e})::INTEGER AS e, ({s})::SMALLINT AS s, ({iv})::INTEGER AS iv, "
                    f"({lt})::TINYINT AS lt, ({t})::TINYINT AS t, ({pc})::TINYINT AS pc, ({q})::DOUBLE AS q_raw, "
                    f"({r})::DOUBLE AS r, ({app})::TINYINT AS app, ({env})::TINYINT AS env, ({az})::TINYINT AS az")

        covered = f"(NOT spot AND {u('sp', mi, 'idx', 'iv')} < {sp_share!r})"
        u_dto, u_dtr = u("dto", mi, "idx", "iv"), u("dtr", mi, "idx", "iv")
        u_req = u("req", mi, "b.idx", "v.iv")
        raw = [
            # EC2 instance hours (on-demand, Savings Plan covered or Spot)
            f"SELECT {row(f'CASE WHEN spot THEN {K_SPOT} ELSE {K_BOX} END', 'idx', 0, 'iv', f'CASE WHEN {covered} THEN 1 ELSE 0 END', 't', 0, 'hrs', f'CASE WHEN spot THEN {_dlist(_SPOT)}[t + 1] ELSE {_dlist(_OD)}[t + 1] END', 'app', 'env', 'az')} FROM alive",
            # $0 EBS-optimized hours
            f"SELECT {row(K_EBSOPT, 'idx', 0, 'iv', 0, 't', 0, 'hrs', 0, 'app', 'env', 'az')} FROM alive WHERE ebsopt",
            # EBS volumes (GB-Mo pro rata of the month)
            f"SELECT {row(K_VOL, 'idx', 'vs.s', 'iv', 0, 'CASE WHEN vs.s = 0 THEN vt0 ELSE vt1 END', 0, f'round((CASE WHEN vs.s = 0 THEN gb0 ELSE gb1 END) * hrs / {mh}, 10)', f'{_dlist([v[3] for v in _VOLUMES])}[(CASE WHEN vs.s = 0 THEN vt0 ELSE vt1 END) + 1]', 'app', 'env', 'az')} "
            f"FROM alive CROSS JOIN (VALUES (0), (1)) vs(s) WHERE vs.s < nvol",
            # EBS snapshots
            f"SELECT {row(K_SNAP, 'idx', 0, 'iv', 0, 0, 0, f'round(snap_gb * hrs / {mh}, 10)', _SNAP_RATE, 'app', 'env', 'az')} FROM alive WHERE has_snap",
            # data transfer out to the internet (AWSDataTransfer) and between AZs (AmazonEC2)
            f"SELECT {row(K_DTOUT, 'idx', 0, 'iv', 0, 0, 1, f'round(dto_gb * hrs / 24 * (0.4 + 1.2 * {u_dto}), 10)', _DT_OUT_RATE, 'app', 'env', 'az')} FROM alive WHERE dto_gb > 0",
            f"SELECT {row(K_DTREG, 'idx', 0, 'iv', 0, 0, 0, f'round(dtr_gb * hrs / 24 * (0.4 + 1.2 * {u_dtr}), 10)', _DT_REG_RATE, 'app', 'env', 'az')} FROM alive WHERE dtr_gb > 0",
            # S3 storage (GB-Mo; buckets grow 30 % over the generated period), Glacier and requests
            f"SELECT {row(K_S3, 'b.idx', 0, 'v.iv', 0, 0, 2, f'round(gb * (1 + 0.3 * v.h0 / {P}) * {L} / {mh}, 10)', _S3_RATE, 'app', 'env', 0)} FROM buckets b CROSS JOIN ivs v",
            f"SELECT {row(K_GLACIER, 'b.idx', 0, 'v.iv', 0, 0, 2, f'round(glacier_gb * (1 + 0.3 * v.h0 / {P}) * {L} / {mh}, 10)', _GLACIER_RATE, 'app', 'env', 0)} FROM buckets b CROSS JOIN ivs v WHERE glacier",
            f"SELECT {row(K_S3REQ, 'b.idx', 0, 'v.iv', 0, 0, 2, f'round(req_day * {L} / 24 * (0.5 + {u_req}))', _REQ_RATE, 'app', 'env', 0)} FROM buckets b CROSS JOIN ivs v",
            # CloudWatch metrics
            f"SELECT {row(K_CW, 0, 0, 'iv', 0, 0, 3, f'round({cw_metrics} * {L} / {mh}, 10)', _CW_RATE, 0, 0, 0)} FROM ivs",
        ]
        if ctx.delivery > 1:
            d = ctx.delivery
            restated = f"(k <> {K_EBSOPT} AND {u('restate', d, mi, 'k', 'e', 's', 'iv')} < 0.01)"
            factor = f"(1 - (0.002 + 0.028 * {u('restate_f', d, mi, 'k', 'e', 's', 'iv')}))"
            q_expr = (f"CASE WHEN {restated} THEN (CASE WHEN k = {K_S3REQ} THEN round(q_raw * {factor}) "
                      f"ELSE round(q_raw * {factor}, 10) END) ELSE q_raw END")
        else:
            q_expr = "q_raw"
        con.execute(f"""
        CREATE OR REPLACE TABLE u AS
        SELECT k, e, s, iv, lt, t, pc, q, r, round(q * r, 8) AS c, NULL::DOUBLE AS x, app, env, az
        FROM (SELECT *, {q_expr} AS q FROM ({' UNION ALL '.join(raw)}))""")
        con.execute("DROP TABLE alive")

        H = ctx.hourly_commitment
        commitment = round(H * mh, 8)

        def mrow(k, e, lt, pc, q, r, c, x="NULL"):
            return (f"({k})::SMALLINT AS k, ({e})::INTEGER AS e, 0::SMALLINT AS s, -1 AS iv, ({lt})::TINYINT AS lt, "
                    f"0::TINYINT AS t, ({pc})::TINYINT AS pc, ({q})::DOUBLE AS q, ({r})::DOUBLE AS r, "
                    f"({c})::DOUBLE AS c, ({x})::DOUBLE AS x, 0::TINYINT AS app, 0::TINYINT AS env, 0::TINYINT AS az")

        aws_usage = f"((SELECT coalesce(sum(cu), 0) FROM tot WHERE pc IN (0, 1, 2, 3)) / 1e8 + {commitment!r})"
        support = ("greatest(100, 0.10 * least(X, 10000) + 0.07 * greatest(least(X, 80000) - 10000, 0)"
                   " + 0.05 * greatest(least(X, 250000) - 80000, 0) + 0.03 * greatest(X - 250000, 0))")
        con.execute(f"""
        CREATE OR REPLACE TABLE core AS
        WITH neg AS (
            SELECT {K_NEG}::SMALLINT AS k, e, s, iv, 2::TINYINT AS lt, t, pc, q, 0 - r AS r, 0 - c AS c, x, app, env, az
            FROM u WHERE lt = 1
        ), base AS (
            SELECT * FROM u UNION ALL SELECT * FROM neg
        ), tot AS (
            SELECT pc, sum(round(c * 1e8)::BIGINT) AS cu FROM base GROUP BY pc
        ), used AS (
            SELECT coalesce(sum(round(round(q * {_dlist(_SPR)}[t + 1], 8) * 1e8)::BIGINT), 0) / 1e8 AS used
            FROM u WHERE lt = 1
        ), fees AS (
            SELECT {mrow(K_SPFEE, 0, 3, 4, mh, H, commitment, f'least(used, {commitment!r})')} FROM used
            UNION ALL
            SELECT {mrow(K_SUPPORT, 0, 4, 5, 1, 'fee', 'fee')} FROM (SELECT round({support}, 2) AS fee FROM (SELECT {aws_usage} AS X))
            UNION ALL
            SELECT {mrow(K_MKT, 0, 0, _PC_MKT, 1, mkt_fee, mkt_fee)}
        ), credits AS (
            SELECT {mrow(K_CREDIT, 'pc', 6, 'pc', 0, 'NULL', '0 - round(cu / 1e8 * (CASE WHEN pc = 0 THEN 0.02 ELSE 0.05 END), 2)')}
            FROM tot WHERE pc IN (0, 2) AND cu > 0
            UNION ALL
            SELECT {mrow(K_REFUND, 0, 7, 0, 0, 'NULL', '0 - round(cu / 1e8 * 0.005, 2)')} FROM tot WHERE pc = 0 AND cu > 0
        ), pre AS (
            SELECT * FROM base UNION ALL SELECT * FROM fees UNION ALL SELECT * FROM credits
        ), tax AS (
            SELECT {mrow(K_TAX, 'pc', 5, 'pc', 0, 'NULL', 'round(sum(round(c * 1e8)::BIGINT) / 1e8 * 0.2, 2)')}
            FROM pre GROUP BY pc
        )
        SELECT * FROM (SELECT * FROM pre UNION ALL SELECT * FROM tax)
        ORDER BY (iv < 0), iv, k, e, s, lt
        """)
        con.execute("DROP TABLE u")
        return con.execute("SELECT count(*) FROM core").fetchall()[0][0]

    # ---- projection -----------------------------------------------------------------------
    def select_sql(self, ctx: _Ctx, cols: list[_Col], fmt: str, where: str) -> str:
        up = ctx.ut_prefix
        tn = _slist(_T_NAMES)
        vol = _VOLUMES
        pcodes = [p if p is not None else ctx.mkt_code for p in _PRODUCT_CODES]
        ut = _case("k", {
            (K_BOX, K_NEG): f"'{up}BoxUsage:' || {tn}[t + 1]",
            K_SPOT: f"'{up}SpotUsage:' || {tn}[t + 1]",
            K_EBSOPT: f"'{up}EBSOptimized:' || {tn}[t + 1]",
            K_VOL: f"'{up}EBS:VolumeUsage' || {_slist([v[1] for v in vol])}[t + 1]",
            K_SNAP: f"'{up}EBS:SnapshotUsage'",
            K_DTOUT: f"'{up}DataTransfer-Out-Bytes'",
            K_DTREG: f"'{up}DataTransfer-Regional-Bytes'",
            K_S3: f"'{up}TimedStorage-ByteHrs'",
            K_GLACIER: f"'{up}TimedStorage-GlacierByteHrs'",
            K_S3REQ: f"'{up}Requests-Tier1'",
            K_CW: f"'{up}CW:MetricMonitorUsage'",
            K_SPFEE: "'ComputeSP:1yrNoUpfront'",
            K_SUPPORT: "'Dollar'",
            K_MKT: f"'{up}MP:SaaSMonthlySubscription'",
        })
        op = _case("k", {
            _INST_K + (K_DTOUT,): "'RunInstances'",
            K_VOL: f"{_slist([v[2] for v in vol])}[t + 1]",
            K_SNAP: "'CreateSnapshot'",
            K_DTREG: "'InterZone-Out'",
            K_S3: "'StandardStorage'",
            K_GLACIER: "'GlacierStorage'",
            K_S3REQ: "'PutObject'",
            K_CW: "'MetricStorage'",
        })
        iid = f"'i-0' || printf('%016x', hash(hash({self.seed}::BIGINT, 'inst', e::BIGINT)))"
        rid = _case("k", {
            _INST_K + (K_DTOUT, K_DTREG): iid,
            K_VOL: f"'vol-0' || printf('%016x', hash(hash({self.seed}::BIGINT, 'vol', e::BIGINT, s::BIGINT)))",
            K_SNAP: f"'arn:aws:ec2:{ctx.region}:{ctx.account}:snapshot/snap-0' || printf('%016x', hash(hash({self.seed}::BIGINT, 'snap', e::BIGINT)))",
            (K_S3, K_GLACIER, K_S3REQ): f"{_slist(ctx.bucket_names)}[e + 1]",
            K_SPFEE: _q(ctx.sp_arn),
        })
        reg = ctx.region
        sku = _case("k", {
            (K_BOX, K_NEG): f"{_slist([_sku('box', n, reg) for n in _T_NAMES])}[t + 1]",
            K_SPOT: f"{_slist([_sku('spot', n, reg) for n in _T_NAMES])}[t + 1]",
            K_EBSOPT: f"{_slist([_sku('ebsopt', n, reg) for n in _T_NAMES])}[t + 1]",
            K_VOL: f"{_slist([_sku('vol', v[0], reg) for v in vol])}[t + 1]",
            **{k: _q(_sku('k', k, reg)) for k in range(K_SNAP, K_CW + 1)},
        })
        odr = _when(f"k = {K_SPOT}", f"{_dlist(_OD)}[t + 1]", "r")
        # 52-char base32 line item id: same for every interval of (resource, usage, line type),
        # different for every month and delivery
        key = f"{self.seed}::BIGINT, {ctx.delivery}::BIGINT, {ctx.month_index}::BIGINT, k, e, s, lt"
        hashes = ", ".join(f"hash(hash({key}, {j}::BIGINT)) AS h{j}" for j in range(5))
        chunks = [f"b32p(((h{j} >> {10 * p}) & 1023)::INTEGER)" for j in range(5) for p in range(6 if j < 4 else 2)]
        b32 = f"concat({', '.join(chunks)})"
        L, mh, ms = ctx.interval_hours, ctx.month_hours, ctx.month_start
        inner = f"""
            SELECT *, {ut} AS ut, {op} AS op, {rid} AS rid, {sku} AS sku, {odr} AS odr,
                   {_slist(pcodes)}[pc + 1] AS pcode, {b32} AS b32,
                   TIMESTAMP '{ms}' + to_hours((CASE WHEN iv < 0 THEN 0 ELSE iv * {L} END)::BIGINT) AS ts0,
                   TIMESTAMP '{ms}' + to_hours((CASE WHEN iv < 0 THEN {mh} ELSE (iv + 1) * {L} END)::BIGINT) AS ts1
            FROM (SELECT *, {hashes} FROM core {where})"""
        outs = []
        for col in cols:
            expr = col.expr(ctx)
            if fmt == "csv":
                if col.dtype == "VARCHAR":
                    expr = f"nullif({expr}, '')"
                elif col.dtype == "DOUBLE":
                    expr = f"printf('%.10f', {expr})"
                else:
                    expr = f"strftime({expr}, '{_TS_FMT}')"
                name = col.header
            else:
                expr = f"({expr})::{col.dtype}"
                name = col.athena
            outs.append(f"{expr} AS \"{name}\"")
        return f"SELECT {', '.join(outs)} FROM ({inner})"


def _months(start_month: str, months: int) -> list[date]:
    y, m = (int(x) for x in start_month.split("-")[:2])
    out = []
    for i in range(months + 1):
        yy, mm = divmod(m - 1 + i, 12)
        out.append(date(y + yy, mm + 1, 1))
    return out


def _manifest(assembly_id, report_name, period, keys, fmt, payer, cols, report_id) -> dict:
    """The manifest JSON AWS writes next to (and above) each delivery of a legacy CUR."""
    return {
        "assemblyId": assembly_id,
        "account": payer,
        "columns": [{"category": c.header.split("/", 1)[0], "name": c.header.split("/", 1)[1], "type": c.manifest_type}
                    for c in cols],
        "charset": "UTF-8",
        "compression": "GZIP" if fmt == "csv" else "Parquet",
        "contentType": "text/csv" if fmt == "csv" else "Parquet",
        "reportId": report_id,
        "reportName": report_name,
        "billingPeriod": {"start": f"{period[0]:%Y%m%d}T000000.000Z", "end": f"{period[1]:%Y%m%d}T000000.000Z"},
        "bucket": "sample-cur-bucket",
        "reportKeys": keys,
        "additionalArtifactKeys": [],
    }


def generate_cur(out_dir, *, start_month="2024-01", months=12, n_instances=300, seed=42,
                 fmt="csv", granularity="daily", report_name="carbon-sample", prefix="cur",
                 with_manifests=True, delivery=1, region="eu-west-3", account_id="123456789012",
                 payer_account_id="999999999999", rows_per_file=None, filler_columns=True,
                 _memory_limit="3GB") -> dict:
    """Write a legacy CUR export under ``out_dir``; see the module docstring.

    With ``with_manifests`` the data goes to
    ``out_dir/<prefix>/<report_name>/<YYYYMMDD-YYYYMMDD>/<assemblyId>/<report_name>-<n>.<ext>``
    with a manifest in the assembly folder and one (the latest delivery's) in the period folder;
    without, to ``out_dir/<YYYYMMDD-YYYYMMDD>/<report_name>-<n>.<ext>``.  ``rows_per_file``
    splits a month into numbered files.  ``_memory_limit`` is DuckDB's memory limit (it spills
    to a temporary directory beyond it).

    Returns ``{"months": ["2024-01", ...], "files": [data file paths], "rows": total rows,
    "manifests": [manifest paths]}``.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError("fmt must be 'csv' or 'parquet'")
    if granularity not in ("daily", "hourly"):
        raise ValueError("granularity must be 'daily' or 'hourly'")
    if months < 1 or n_instances < 1 or delivery < 1:
        raise ValueError("months, n_instances and delivery must be >= 1")
    if rows_per_file is not None and rows_per_file < 1:
        raise ValueError("rows_per_file must be >= 1")
    ut_code, location = _REGIONS.get(region, (region.upper().replace("-", "")[:4], region))
    out_dir = Path(out_dir)
    bounds = _months(start_month, months)
    total_hours = int((bounds[-1] - bounds[0]).days * 24)
    cols = [c for c in _COLUMNS if filler_columns or not c.filler]
    ext = ".csv.gz" if fmt == "csv" else ".snappy.parquet"
    prefix_parts = [p for p in str(prefix).split("/") if p]
    report_id = hashlib.sha256(f"{payer_account_id}/{'/'.join(prefix_parts)}/{report_name}".encode()).hexdigest()
    mkt_code = "".join(_B32[b % 32] for b in hashlib.sha256(f"mkt/{seed}".encode()).digest()[:25])
    sp_arn = f"arn:aws:savingsplans::{payer_account_id}:savingsplan/{uuid.uuid5(uuid.NAMESPACE_URL, f'sp/{seed}/{payer_account_id}')}"

    tmp = tempfile.mkdtemp(prefix="cur_gen_")
    con = duckdb.connect()
    summary = {"months": [], "files": [], "rows": 0, "manifests": []}
    try:
        con.execute(f"SET temp_directory = {_q(tmp)}")
        if _memory_limit:
            con.execute(f"SET memory_limit = {_q(_memory_limit)}")
        con.execute("SET preserve_insertion_order = true")
        pairs = [a + b for a in _B32 for b in _B32]
        con.execute(f"CREATE MACRO b32p(i) AS ({_slist(pairs)})[i + 1]")
        gen = _Gen(con, seed, n_instances, total_hours)
        gen.create_instances()
        bucket_names = gen.create_buckets()
        month_hours = [((bounds[i] - bounds[0]).days * 24, (bounds[i + 1] - bounds[0]).days * 24) for i in range(months)]
        hourly_commitment, sp_shares = gen.savings_plan(month_hours)
        ctx = _Ctx(seed=int(seed), delivery=int(delivery), account=account_id, payer=payer_account_id,
                   region=region, ut_prefix=f"{ut_code}-" if ut_code else "", location=location,
                   sp_arn=sp_arn, mkt_code=mkt_code, bucket_names=bucket_names,
                   hourly_commitment=hourly_commitment)
        mkt_fee = round(1200 + 1.5 * n_instances, 2)
        cw_metrics = 300 + 7 * n_instances

        for mi in range(months):
            ms, me = bounds[mi], bounds[mi + 1]
            mh = (me - ms).days * 24
            L = 24 if granularity == "daily" else 1
            ctx.month_index, ctx.month_start, ctx.month_end, ctx.month_hours, ctx.interval_hours = (
                mi, f"{ms:%Y-%m-%d}", f"{me:%Y-%m-%d}", mh, L)
            inv = int(hashlib.sha256(f"inv/{seed}/{payer_account_id}/{ms:%Y%m}".encode()).hexdigest()[:12], 16)
            ctx.invoice_aws = str(1_000_000_000 + inv % 999_999_999)
            ctx.invoice_mkt = f"EUINFR{(inv // 7) % 10**8:08d}"
            h0 = (ms - bounds[0]).days * 24
            n_rows = gen.build_month(ctx, h0, mh // L, sp_shares[mi], mkt_fee, cw_metrics)

            period = f"{ms:%Y%m%d}-{me:%Y%m%d}"
            assembly_id = str(uuid.uuid5(uuid.NAMESPACE_URL,
                                         f"cur/{payer_account_id}/{'/'.join(prefix_parts)}/{report_name}/{ms:%Y%m}/{seed}/{delivery}"))
            if with_manifests:
                period_dir = out_dir.joinpath(*prefix_parts, report_name, period)
                data_dir = period_dir / assembly_id
                key_base = "/".join(prefix_parts + [report_name, period, assembly_id])
            else:
                period_dir = data_dir = out_dir / period
                key_base = None
            data_dir.mkdir(parents=True, exist_ok=True)
            for old in data_dir.glob(f"{report_name}-*"):  # stale files of a previous run of this delivery
                if old.is_file() and (old.name.endswith(ext) or old.name.endswith("-Manifest.json")):
                    old.unlink()

            per_file = rows_per_file or max(n_rows, 1)
            n_files = max(1, -(-n_rows // per_file))
            keys = []
            for fi in range(n_files):
                where = "" if n_files == 1 else f"WHERE rowid >= {fi * per_file} AND rowid < {(fi + 1) * per_file}"
                path = data_dir / f"{report_name}-{fi + 1}{ext}"
                opts = "FORMAT csv, HEADER true, COMPRESSION gzip" if fmt == "csv" else \
                    "FORMAT parquet, COMPRESSION snappy"
                res = con.execute(f"COPY ({gen.select_sql(ctx, cols, fmt, where)}) TO {_q(str(path))} ({opts})").fetchall()
                summary["rows"] += int(res[0][0]) if res and res[0] and res[0][0] is not None else 0
                summary["files"].append(str(path))
                if key_base:
                    keys.append(f"{key_base}/{path.name}")
            con.execute("DROP TABLE core")
            summary["months"].append(f"{ms:%Y-%m}")

            if with_manifests:
                manifest = _manifest(assembly_id, report_name, (ms, me), keys, fmt, payer_account_id, cols,
                                     report_id)
                text = json.dumps(manifest, indent=2) + "\n"
                for target in (data_dir / f"{report_name}-Manifest.json", period_dir / f"{report_name}-Manifest.json"):
                    target.write_text(text, encoding="utf-8")
                    summary["manifests"].append(str(target))
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return summary


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m carbon_pipeline.sample_data.cur_generator",
                                description="Write a deterministic, realistic AWS legacy CUR sample.")
    p.add_argument("out_dir")
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--start-month", default="2024-01")
    p.add_argument("--instances", type=int, default=300)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--format", choices=["csv", "parquet"], default="csv")
    p.add_argument("--granularity", choices=["daily", "hourly"], default="daily")
    p.add_argument("--delivery", type=int, default=1)
    p.add_argument("--report-name", default="carbon-sample")
    p.add_argument("--prefix", default="cur")
    p.add_argument("--region", default="eu-west-3")
    p.add_argument("--rows-per-file", type=int, default=None)
    p.add_argument("--no-manifests", action="store_true", help="plain data files, no S3 layout or manifest")
    p.add_argument("--no-filler", action="store_true", help="only the core columns")
    a = p.parse_args(argv)
    summary = generate_cur(a.out_dir, start_month=a.start_month, months=a.months, n_instances=a.instances,
                           seed=a.seed, fmt=a.format, granularity=a.granularity, report_name=a.report_name,
                           prefix=a.prefix, with_manifests=not a.no_manifests, delivery=a.delivery,
                           region=a.region, rows_per_file=a.rows_per_file, filler_columns=not a.no_filler)
    print(json.dumps({"months": summary["months"], "rows": summary["rows"], "files": len(summary["files"]),
                      "manifests": len(summary["manifests"])}))
    return summary


if __name__ == "__main__":
    main()
