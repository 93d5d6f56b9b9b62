"""Builds the Dagster ``Definitions`` for a configuration: sources, factor seeds, SQL models, jobs."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job

from carbon_pipeline.config import PipelineConfig
from carbon_pipeline.factors.assets import build_seed_assets
from carbon_pipeline.factors.seeds import factor_set_label, seed_tables
from carbon_pipeline.schedules import build_schedules
from carbon_pipeline.sources.assets import build_source_assets
from carbon_pipeline.transform.assets import build_model_assets
from carbon_pipeline.warehouse.resources import DuckDBWarehouse


def warehouse_resource(config: PipelineConfig, recompute: bool = False) -> DuckDBWarehouse:
    return DuckDBWarehouse(
        path=str(config.duckdb_path),
        memory_limit=config.memory_limit,
        threads=config.threads,
        factor_set=config.factor_set,
        factor_set_label=factor_set_label(config.factor_seeds_dir, config.factor_set),
        application_tag=config.application_tag,
        recompute=recompute,
        learning_sources=[s.name for s in config.sources if s.phase == "learning"],
        validations_dir=str(config.validations_dir),
    )


def build_assets(config: PipelineConfig) -> list:
    tables = set(seed_tables(config.factor_seeds_dir, config.factor_set)) | {"factor_sets", "config_overrides"}
    return [
        build_seed_assets(config),
        *build_source_assets(config),
        *build_model_assets(config, tables),
    ]


def build_definitions(config: PipelineConfig) -> Definitions:
    assets = build_assets(config)
    monthly_job = define_asset_job(
        "monthly_emissions",
        selection=AssetSelection.all(),
        description="One billing month end to end: factor seeds, ingest, staging, emissions, audits, Parquet publication.",
    )
    return Definitions(
        assets=assets,
        jobs=[monthly_job],
        schedules=build_schedules(monthly_job),
        resources={"warehouse": warehouse_resource(config)},
    )
