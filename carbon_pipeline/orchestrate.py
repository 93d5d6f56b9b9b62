"""Running the asset graph in-process for a list of months: what the CLI, the demo and the tests use.

Each month is one Dagster run of the whole graph for that partition (factor seeds are reloaded in
each, which costs well under a second), exactly what ``dagster dev`` launches for a partition.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from dagster import DagsterInstance, materialize

from carbon_pipeline import progress
from carbon_pipeline.config import PipelineConfig
from carbon_pipeline.partitions import partition_key_of
from carbon_pipeline.pipeline import build_assets, warehouse_resource
from carbon_pipeline.sources.registry import open_source
from carbon_pipeline.warehouse.models import load_models
from carbon_pipeline.warehouse.runner import drop_model

STAGES = ("factors", "sources", "staging", "intermediate", "marts")
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


class PipelineFailed(RuntimeError):
    """A run that did not complete; the message is the root cause, meant for a person."""


@dataclass
class RunSummary:
    months: list[str]
    duckdb_path: Path
    parquet_dir: Path
    totals: dict = field(default_factory=dict)
    validations: str = ""

    def render(self) -> str:
        t = self.totals
        rows = [
            ("months processed", f"{len(self.months)} ({self.months[0]} .. {self.months[-1]})" if self.months else "0"),
            ("factor set", t.get("factor_sets") or "-"),
            ("billing lines in", f"{t.get('lines_in', 0):,}"),
            ("lines, physical model", f"{t.get('lines_physical', 0):,}"),
            ("lines, spend-based", f"{t.get('lines_spend_based', 0):,}  (ADEME monetary ratios; see marts.fct_unmapped_usage)"),
            ("lines, no emissions", f"{t.get('lines_without_emissions', 0):,}  (taxes, credits, commitment fees)"),
            ("lines, unattributed", f"{t.get('lines_unattributed', 0):,}"),
            ("lines quarantined", f"{t.get('lines_quarantined', 0):,}  (see marts.fct_quarantined_lines)"),
            ("cost reconciled", f"{'yes' if t.get('balanced') else 'NO'} (effective cost in {t.get('effective_cost_in', 0):,.2f})"),
            ("operational kgCO2e", f"{t.get('operational_kgco2e', 0):,.3f}"),
            ("embodied kgCO2e", f"{t.get('embodied_kgco2e', 0):,.3f}"),
            ("spend-based kgCO2e", f"{t.get('spend_based_kgco2e', 0):,.3f}"),
            ("total kgCO2e", f"{t.get('total_kgco2e', 0):,.3f}  (bounds {t.get('total_kgco2e_low', 0):,.0f} .. {t.get('total_kgco2e_high', 0):,.0f})"),
            ("learning phase", self.validations or "no source in its learning phase"),
            ("DuckDB", str(self.duckdb_path)),
            ("Parquet", str(self.parquet_dir)),
        ]
        return "\n".join(f"{label:<22}: {value}" for label, value in rows)


def discover_months(config: PipelineConfig) -> list[str]:
    months: set[str] = set()
    resource = warehouse_resource(config)
    with resource.connect() as con:
        for source in config.sources:
            months.update(open_source(source, config).months(con))
    return sorted(months)


def run_pipeline(
    config: PipelineConfig,
    months: list[str] | None = None,
    *,
    progress_bars: bool = False,
    full_refresh: bool = False,
    recompute: bool = False,
    instance: DagsterInstance | None = None,
) -> RunSummary:
    try:
        if months is None:
            months = discover_months(config)
        assets = build_assets(config)
    except Exception as exc:  # config-time problems: unreadable source, bad model file
        raise PipelineFailed(str(exc)) from None
    resources = {"warehouse": warehouse_resource(config, recompute=recompute)}
    if full_refresh:
        with resources["warehouse"].connect() as con:
            for model in reversed(load_models()):
                drop_model(con, model)

    bars = _Bars(assets, months) if progress_bars else None
    progress.install(bars.advance if bars else None)
    instance = instance or DagsterInstance.ephemeral()
    try:
        for month in months:
            _materialize(assets, partition_key_of(month), resources, instance)
    finally:
        progress.install(None)
        if bars:
            bars.close()
    return RunSummary(months, config.duckdb_path, config.parquet_dir, _totals(resources["warehouse"], months),
                      _validations(config, months))


def _validations(config: PipelineConfig, months: list[str]) -> str:
    """One line on the Great Expectations reports of learning-phase sources for these months."""
    reports = [config.validations_dir / s.name / f"{m}.json" for s in config.sources if s.phase == "learning" for m in months]
    reports = [r for r in reports if r.is_file()]
    if not reports:
        return ""
    failing = [r for r in reports if not json.loads(r.read_text()).get("success")]
    return (f"{len(reports)} source-month(s) validated with Great Expectations, {len(failing)} with failed "
            f"expectations (reports: {config.validations_dir})")


def _materialize(assets, partition_key, resources, instance) -> None:
    logging.getLogger("dagster").setLevel(logging.ERROR)
    try:
        result = materialize(
            assets, partition_key=partition_key, resources=resources,
            instance=instance, run_config=QUIET, raise_on_error=True,
        )
    except Exception as exc:
        raise PipelineFailed(_root_cause(exc, partition_key)) from None
    if not result.success:
        raise PipelineFailed(f"run for {partition_key[:7]} did not succeed")


def _root_cause(exc: BaseException, partition_key: str) -> str:
    seen = exc
    while True:
        inner = getattr(seen, "user_exception", None) or seen.__cause__
        if inner is None or inner is seen:
            break
        seen = inner
    where = f"month {partition_key[:7]}: "
    description = getattr(seen, "description", None)
    return where + (description or str(seen) or type(seen).__name__)


def _totals(resource, months: list[str]) -> dict:
    if not months:
        return {}
    names = ["lines_in", "lines_physical", "lines_spend_based", "lines_without_emissions", "lines_unattributed",
             "lines_quarantined", "effective_cost_in", "operational_kgco2e", "embodied_kgco2e",
             "spend_based_kgco2e", "total_kgco2e", "total_kgco2e_low", "total_kgco2e_high"]
    with resource.connect() as con:
        placeholders = ", ".join("?" for _ in months)
        row = con.execute(
            f"SELECT {', '.join(f'sum({n})' for n in names)}, bool_and(balanced), string_agg(DISTINCT factor_set, ', ') "
            f"FROM marts.fct_cost_reconciliation WHERE billing_month IN ({placeholders})",
            months,
        ).fetchall()[0]
    totals = {n: (v if v is not None else 0) for n, v in zip(names, row)}
    totals["balanced"], totals["factor_sets"] = row[-2], row[-1]
    return totals


class _Bars:
    """One tqdm bar per stage; totals count (asset, month) steps."""

    def __init__(self, assets, months: list[str]):
        from tqdm import tqdm

        totals = {stage: 0 for stage in STAGES}
        for a in assets:
            for key in a.keys:
                stage = "factors" if key.path[0] == "seeds" else "sources" if key.path[0] == "raw" else key.path[0]
                totals[stage] += len(months)
        self.bars = {
            stage: tqdm(total=total, desc=f"{stage:<12}", unit="step", position=i, leave=True)
            for i, (stage, total) in enumerate(totals.items()) if total
        }

    def advance(self, stage: str, name: str, month: str | None) -> None:
        bar = self.bars.get(stage)
        if bar is not None:
            bar.set_postfix_str(f"{name} {month or ''}".strip(), refresh=False)
            bar.update(1)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()

