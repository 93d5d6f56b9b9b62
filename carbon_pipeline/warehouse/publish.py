"""Publishing marts to Parquet for Power BI and analysts, one file per month, swapped atomically.

Each month is written to a temporary file beside its target and moved over it with ``os.replace``
(atomic on POSIX and Windows): a reader listing ``billing_month=2024-01/`` sees the old file or the
new one, never half of one. The month column is the hive partition key, not a column in the file.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb

from carbon_pipeline.warehouse.models import SqlModel
from carbon_pipeline.warehouse.sql import quote_literal

DATA_FILE = "data.parquet"


def publish(con: duckdb.DuckDBPyConnection, model: SqlModel, month: str | None, parquet_dir: Path) -> Path:
    if model.partitioned:
        folder = parquet_dir / model.name / f"billing_month={month}"
        query = f"SELECT * EXCLUDE (billing_month) FROM {model.table} WHERE billing_month = {quote_literal(month)}"
    else:
        folder = parquet_dir / model.name
        query = f"SELECT * FROM {model.table}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / DATA_FILE
    partial = folder / f".{DATA_FILE}.{uuid.uuid4().hex}.tmp"
    try:
        con.execute(f"COPY ({query}) TO {quote_literal(str(partial))} (FORMAT parquet, COMPRESSION zstd)")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target
