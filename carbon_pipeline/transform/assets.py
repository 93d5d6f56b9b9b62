"""One Dagster asset per SQL model in ``dbt_like_sql/``; dependencies come from the SQL itself.

Partitioned models run delete-and-insert per month (several months in one run for a backfill),
their audits run inside the month's transaction and become the asset's checks, and marts are then
published to Parquet. Views (staging) are created once and read whatever month the session sets.
"""


from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from carbon_pipeline import progress
from carbon_pipeline.config import PipelineConfig
from carbon_pipeline.factors.assets import seed_asset_key
from carbon_pipeline.partitions import monthly_partitions, months_of
from carbon_pipeline.sources.assets import raw_asset_key
from carbon_pipeline.warehouse.models import ModelError, SqlAudit, SqlModel, load_audits, load_models
from carbon_pipeline.warehouse.publish import publish
from carbon_pipeline.warehouse.resources import DuckDBWarehouse
from carbon_pipeline.quality.expectations import validate_source_month
from carbon_pipeline.warehouse.factor_pins import factor_set_for_month
from carbon_pipeline.warehouse.runner import AuditFailed, run_model, set_variables


GX_CHECK = "great_expectations_learning_phase"


def model_key(model: SqlModel) -> AssetKey:
    return AssetKey([model.layer, model.name])


def _upstream_keys(model: SqlModel, models: dict[str, SqlModel], config: PipelineConfig, seed_tables: set[str]) -> list[AssetKey]:
    keys = []
    for schema, table in model.reads:
        if schema == "raw":
            keys += [raw_asset_key(s) for s in config.sources if s.kind == table]
        elif schema == "seeds":
            if table not in seed_tables:
                raise ModelError(f"{model.path}: reads seeds.{table}, but factor set '{config.factor_set}' has no {table}.csv")
            keys.append(seed_asset_key(table))
        elif f"{schema}.{table}" in models:
            keys.append(model_key(models[f"{schema}.{table}"]))
        else:
            raise ModelError(f"{model.path}: reads {schema}.{table}, which is neither a model, a seed nor a raw view")
    return keys


def build_model_asset(model: SqlModel, deps: list[AssetKey], audits: list[SqlAudit], config: PipelineConfig):
    check_specs = [
        AssetCheckSpec(a.name, asset=model_key(model), blocking=a.blocking,
                       description=a.header.get("purpose", ""))
        for a in audits
    ]
    validates = model.header.get("validate") == "great_expectations"
    if validates:
        check_specs.append(AssetCheckSpec(
            GX_CHECK, asset=model_key(model), blocking=False,
            description="Great Expectations suite on the month's rows of each learning-phase source (evidence for approval)."))

    @asset(
        key=model_key(model),
        deps=deps,
        group_name=model.layer,
        # Every model is monthly, views included, so that one month's run orders every step after
        # the month's ingest; a view is simply (re)created once per run.
        partitions_def=monthly_partitions(config.first_month),
        backfill_policy=BackfillPolicy.single_run(),
        check_specs=check_specs or None,
        kinds={"duckdb", "sql"} | ({"parquet"} if model.publish else set()),
        description=model.description,
        metadata={"sql": MetadataValue.path(str(model.path)), "table": model.table,
                  "grain": model.header.get("grain", ""), "materialized": model.materialized},
    )
    def _model(context: AssetExecutionContext, warehouse: DuckDBWarehouse):
        months = months_of(context) if model.partitioned else [None]
        rows, failures, published, validations = {}, {a.name: {} for a in audits}, [], []
        with warehouse.connect() as con:
            for month in months:
                if month is not None:
                    label = factor_set_for_month(con, month, warehouse.factor_set_label, warehouse.recompute)
                    set_variables(con, {"factor_set_label": label})
                    if label != warehouse.factor_set_label:
                        context.log.info(f"{month} keeps factor set {label} (published with it; --recompute to restate)")
                try:
                    run, results = run_model(con, model, month, tuple(audits))
                except AuditFailed as exc:
                    raise Failure(
                        description=str(exc),
                        metadata={"audit": exc.audit.name, "month": exc.month or "",
                                  "offending_rows": exc.count, "sample": MetadataValue.json(_jsonable(exc.sample))},
                    ) from None
                rows[month or "all"] = run.rows
                for result in results:
                    if not result.passed:
                        failures[result.audit.name][month] = {"rows": result.count, "sample": _jsonable(result.sample[:5])}
                if model.publish:
                    published.append(str(publish(con, model, month, config.parquet_dir)))
                if validates and month is not None:
                    for source_name in warehouse.learning_sources:
                        validations.append(validate_source_month(con, source_name, month, Path(warehouse.validations_dir)))
                for done in (months_of(context) if month is None else [month]):
                    progress.advance(model.layer, model.name, done)
        yield MaterializeResult(metadata={
            "rows": MetadataValue.json(rows),
            **({"parquet": MetadataValue.json(published)} if published else {}),
        })
        if validates:
            yield AssetCheckResult(
                check_name=GX_CHECK,
                asset_key=model_key(model),
                passed=all(v.success for v in validations),
                severity=AssetCheckSeverity.WARN,
                metadata={
                    "validated": MetadataValue.json([f"{v.source_name} {v.month}: {v.rows} rows" for v in validations]
                                                    or ["no source in its learning phase"]),
                    "failed_expectations": MetadataValue.json(
                        {f"{v.source_name} {v.month}": v.failed for v in validations if not v.success}),
                    "reports": MetadataValue.json([str(v.report_path) for v in validations]),
                },
            )
        for audit in audits:
            failed = failures[audit.name]
            yield AssetCheckResult(
                check_name=audit.name,
                asset_key=model_key(model),
                passed=not failed,
                severity=AssetCheckSeverity.ERROR if audit.blocking else AssetCheckSeverity.WARN,
                metadata={"failing_months": MetadataValue.json(failed), "sql": MetadataValue.path(str(audit.path))},
            )

    return _model


def build_model_assets(config: PipelineConfig, seed_tables: set[str]) -> list:
    models = {m.table: m for m in load_models()}
    audits = load_audits()
    for audit in audits:
        if audit.target not in models:
            raise ModelError(f"{audit.path}: audits {audit.target}, which is not a model")
    return [
        build_model_asset(
            model,
            _upstream_keys(model, models, config, seed_tables),
            [a for a in audits if a.target == model.table],
            config,
        )
        for model in models.values()
    ]


def _jsonable(rows: list[dict]) -> list[dict]:
    return [{k: (v if isinstance(v, (int, float, str, bool)) or v is None else str(v)) for k, v in r.items()} for r in rows]
