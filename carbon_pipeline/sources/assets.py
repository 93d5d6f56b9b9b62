"""Raw source assets: one per configured source, pulling that source's billing exports per month."""


from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, MaterializeResult, MetadataValue, asset

from carbon_pipeline import progress
from carbon_pipeline.config import PipelineConfig, SourceConfig
from carbon_pipeline.partitions import monthly_partitions, months_of
from carbon_pipeline.sources import raw_files
from carbon_pipeline.sources.registry import KIND_COLUMNS, open_source
from carbon_pipeline.warehouse.resources import DuckDBWarehouse


def raw_asset_key(source: SourceConfig) -> AssetKey:
    return AssetKey(["raw", source.name])


def build_source_asset(source: SourceConfig, config: PipelineConfig):
    @asset(
        key=raw_asset_key(source),
        group_name="sources",
        partitions_def=monthly_partitions(config.first_month),
        backfill_policy=BackfillPolicy.single_run(),
        kinds={"s3" if source.is_s3 else "file", "duckdb"},
        description=(
            f"Billing export files of source '{source.name}' ({source.kind}) at {source.location}: "
            "the latest delivery of each month, downloaded once per ETag, gzip CSV converted once to "
            "Parquet, recorded in raw.source_files and exposed through the raw view of its kind."
        ),
        metadata={"source_kind": source.kind, "location": source.location},
    )
    def _raw_source(context: AssetExecutionContext, warehouse: DuckDBWarehouse) -> MaterializeResult:
        reader = open_source(source, config)
        summary = {}
        with warehouse.connect() as con:
            for month in months_of(context):
                con.execute("BEGIN TRANSACTION")
                try:
                    result = reader.ingest_month(con, month)
                    raw_files.rebuild_view(con, KIND_COLUMNS[source.kind])
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                summary[month] = {
                    "files": len(result.files),
                    "bytes": sum(f.size_bytes for f in result.files),
                    "deliveries": result.delivery_ids,
                }
                context.log.info(
                    f"{source.name} {month}: {len(result.files)} file(s) from deliveries {result.delivery_ids or '-'}"
                )
                progress.advance("sources", source.name, month)
        return MaterializeResult(
            metadata={
                "months": MetadataValue.json(summary),
                "files": sum(v["files"] for v in summary.values()),
                "bytes": sum(v["bytes"] for v in summary.values()),
            }
        )

    return _raw_source


def build_source_assets(config: PipelineConfig) -> list:
    return [build_source_asset(source, config) for source in config.sources]
