"""Independent re-computations for the tests: plain Python over the raw files and the seed CSVs.

Nothing here imports the pipeline's SQL; the point is to check its numbers another way.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import duckdb

from carbon_pipeline.paths import FACTOR_SEEDS_DIR

INSTANCE_USAGE = ("BoxUsage", "SpotUsage", "DedicatedUsage", "HostUsage")
PHYSICAL_LINE_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage")


def seed_rows(table: str, factor_set: str = "default") -> list[dict]:
    with open(FACTOR_SEEDS_DIR / factor_set / f"{table}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def latest_delivery_files(cur_root: Path, month: str) -> list[Path]:
    """The files listed by the month's period-level manifest (what AWS says the month is)."""
    period = f"{month.replace('-', '')}01-"
    (manifest,) = [p for p in cur_root.rglob("*-Manifest.json") if p.parent.name.startswith(period)]
    keys = json.loads(manifest.read_text())["reportKeys"]
    return [next(cur_root.rglob(Path(k).name)) for k in keys if list(cur_root.rglob(Path(k).name))]


def csv_lines(path: Path) -> list[dict]:
    with gzip.open(path, "rt", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def instance_hours_by_hand(files: list[Path], resource_id: str, day: str) -> float:
    hours = 0.0
    for path in files:
        for line in csv_lines(path):
            if (line["lineItem/ResourceId"] == resource_id
                    and line["lineItem/UsageStartDate"].startswith(day)
                    and line["lineItem/LineItemType"] in PHYSICAL_LINE_TYPES
                    and any(k in line["lineItem/UsageType"] for k in INSTANCE_USAGE)):
                hours += float(line["lineItem/UsageAmount"])
    return hours


def table(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _stable(value):
    """Doubles summed by parallel threads may differ in the last bits between runs; 12 significant
    digits is far below any reported precision and far above that noise."""
    return float(f"{value:.12g}") if isinstance(value, float) else value


def snapshot(db_path: Path, tables: list[str]) -> dict[str, list[tuple]]:
    """Every row of the given tables, sorted, for equality comparisons between runs."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {
            t: sorted((tuple(_stable(v) for v in row) for row in con.execute(f"SELECT * FROM {t}").fetchall()), key=repr)
            for t in tables
        }
    finally:
        con.close()


MART_TABLES = [
    "marts.fct_instance_emissions",
    "marts.fct_unmapped_usage",
    "marts.fct_quarantined_lines",
    "marts.fct_cost_reconciliation",
    "intermediate.int_billing_usage_daily",
]


CUR_HEADERS = [
    "identity/LineItemId", "identity/TimeInterval", "bill/BillingEntity", "bill/PayerAccountId",
    "bill/BillingPeriodStartDate", "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate",
    "lineItem/UsageEndDate", "lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation",
    "lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/CurrencyCode", "lineItem/UnblendedCost",
    "product/region", "product/instanceType", "pricing/unit", "resourceTags/user:application",
]


def write_cur_csv(path: Path, lines: list[dict]) -> Path:
    """A hand-made, manifest-less CUR file: each line gives the columns it needs, the rest stay empty."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CUR_HEADERS, lineterminator="\n")
        writer.writeheader()
        for i, line in enumerate(lines):
            start = line.get("start", "2024-01-10T00:00:00Z")
            row = {
                "identity/LineItemId": f"id{i:04d}",
                "identity/TimeInterval": f"{start}/{line.get('end', start)}",
                "bill/BillingEntity": line.get("entity", "AWS"),
                "bill/PayerAccountId": "999999999999",
                "bill/BillingPeriodStartDate": line.get("billing_period", start[:8] + "01T00:00:00Z"),
                "lineItem/UsageAccountId": "123456789012",
                "lineItem/LineItemType": line.get("type", "Usage"),
                "lineItem/UsageStartDate": start,
                "lineItem/UsageEndDate": line.get("end", start),
                "lineItem/ProductCode": line["product"],
                "lineItem/UsageType": line["usage_type"],
                "lineItem/Operation": line.get("operation", ""),
                "lineItem/ResourceId": line.get("resource", ""),
                "lineItem/UsageAmount": line["amount"],
                "lineItem/CurrencyCode": "USD",
                "lineItem/UnblendedCost": line["cost"],
                "product/region": line.get("region", "eu-west-3"),
                "product/instanceType": line.get("instance_type", ""),
                "pricing/unit": line["unit"],
                "resourceTags/user:application": line.get("app", "crm"),
            }
            writer.writerow(row)
    return path
