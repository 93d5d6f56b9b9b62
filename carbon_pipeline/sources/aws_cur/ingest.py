"""Pull one month of an AWS CUR source into the raw ledger: manifests → download → Parquet cache.

Only file-level work happens here (listing, downloading, converting, checking columns); rows are
never touched in Python. The month's file list replaces the previous one, which is what makes a
restated bill replace, never add to, the month.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from carbon_pipeline.config import PipelineConfig, SourceConfig
from carbon_pipeline.sources import raw_files
from carbon_pipeline.sources.aws_cur.columns import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    TAG_PREFIX,
    athena_name,
    tag_key,
)
from carbon_pipeline.sources.aws_cur.manifests import CurDelivery, discover_deliveries
from carbon_pipeline.sources.parquet_cache import ensure_parquet
from carbon_pipeline.sources.storage import ObjectStore, SourceFileError, StoredObject, open_store
from carbon_pipeline.warehouse.sql import quote_literal

KIND = "aws_cur"


def _row_month_sql(columns: set[str]) -> str:
    """Hand-copied files: the billing period if the report has it, else the usage start date."""
    usage = "TRY_CAST(CAST(line_item_usage_start_date AS VARCHAR) AS TIMESTAMP)"
    if "bill_billing_period_start_date" in columns:
        period = "TRY_CAST(CAST(nullif(CAST(bill_billing_period_start_date AS VARCHAR), '') AS VARCHAR) AS TIMESTAMP)"
        return f"strftime(coalesce({period}, {usage}), '%Y-%m')"
    return f"strftime({usage}, '%Y-%m')"


COLUMNS = raw_files.KindColumns(
    kind=KIND,
    required=REQUIRED_COLUMNS,
    optional=OPTIONAL_COLUMNS,
    tag_prefix=TAG_PREFIX,
    tag_key=tag_key,
    row_month_sql=_row_month_sql,
)


@dataclass(frozen=True)
class MonthIngest:
    source_name: str
    billing_month: str
    files: list[raw_files.SourceFile]

    @property
    def delivery_ids(self) -> list[str]:
        return sorted({f.delivery_id for f in self.files})


class AwsCurSource:
    """One configured CUR source: discovery is done once per instance and reused across months."""

    def __init__(self, source: SourceConfig, config: PipelineConfig, store: ObjectStore | None = None):
        self.source = source
        self.cache_dir = config.cache_dir / source.name
        self.store = store or open_store(source.location, self.cache_dir, region=source.region)
        self._deliveries: list[CurDelivery] | None = None

    @property
    def deliveries(self) -> list[CurDelivery]:
        if self._deliveries is None:
            self._deliveries = discover_deliveries(self.store)
        return self._deliveries

    def months(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        if not self.deliveries:
            raise SourceFileError(
                f"source {self.source.name}: no CUR manifest or data file (*.csv.gz, *.csv, *.parquet) under {self.store.location}"
            )
        months = {d.billing_month for d in self.deliveries if d.billing_month}
        for delivery in self.deliveries:
            if delivery.billing_month is None:
                for obj in delivery.files:
                    months.update(self._row_months(con, obj))
        return sorted(months)

    def ingest_month(self, con: duckdb.DuckDBPyConnection, month: str) -> MonthIngest:
        """Fetch and convert this month's files and record them; caller owns the transaction."""
        files: list[raw_files.SourceFile] = []
        for delivery in self.deliveries:
            if delivery.billing_month is not None and delivery.billing_month != month:
                continue
            for obj in delivery.files:
                if delivery.billing_month is None and month not in self._row_months(con, obj):
                    continue
                # Required columns are checked once, for every file of the kind, by raw_files.rebuild_view,
                # which the caller runs in the same transaction.
                parquet = self._parquet(con, obj)
                files.append(
                    raw_files.SourceFile(
                        source_name=self.source.name,
                        kind=KIND,
                        billing_month=month,
                        delivery_id=delivery.delivery_id,
                        manifest_uri=delivery.manifest_uri,
                        file_uri=obj.uri,
                        file_version=obj.version,
                        local_path=parquet,
                        months_from_rows=delivery.billing_month is None,
                        size_bytes=obj.size,
                    )
                )
        raw_files.replace_month(con, self.source.name, month, files)
        return MonthIngest(self.source.name, month, files)

    def _parquet(self, con: duckdb.DuckDBPyConnection, obj: StoredObject) -> Path:
        return ensure_parquet(con, obj, self.store.local_path(obj), self.cache_dir, athena_name)

    def _row_months(self, con: duckdb.DuckDBPyConnection, obj: StoredObject) -> list[str]:
        """Months present in a manifest-less file, remembered per file version."""
        memo = self.cache_dir / "months" / f"{obj.cache_key}.json"
        if memo.is_file():
            return json.loads(memo.read_text())
        parquet = self._parquet(con, obj)
        columns = raw_files.file_columns(con, parquet, obj.uri)
        raw_files.check_required(columns, COLUMNS, obj.uri)
        rows = con.execute(
            f"SELECT DISTINCT {_row_month_sql(set(columns))} AS m FROM read_parquet({quote_literal(str(parquet))}) "
            "WHERE m IS NOT NULL ORDER BY m"
        ).fetchall()
        months = [r[0] for r in rows]
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(json.dumps(months))
        return months


def open_source(source: SourceConfig, config: PipelineConfig) -> AwsCurSource:
    if source.kind != KIND:
        raise SourceFileError(f"source {source.name}: kind {source.kind} is not {KIND}")
    return AwsCurSource(source, config)
