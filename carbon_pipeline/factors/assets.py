"""Factor seed assets: the CSVs of ``factor_seeds/`` as ``seeds.*`` tables, one asset per table."""


from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from carbon_pipeline import progress
from carbon_pipeline.config import PipelineConfig
from carbon_pipeline.factors.seeds import load_seeds, seed_tables
from carbon_pipeline.warehouse.resources import DuckDBWarehouse


def seed_asset_key(table: str) -> AssetKey:
    return AssetKey(["seeds", table])


def build_seed_assets(config: PipelineConfig):
    tables = seed_tables(config.factor_seeds_dir, config.factor_set) + ["factor_sets"]
    csv_tables = [t for t in tables if t != "factor_sets"]

    @multi_asset(
        name="factor_seeds",
        group_name="factors",
        specs=[
            AssetSpec(
                seed_asset_key(t),
                kinds={"csv", "duckdb"},
                description=(
                    "Names and versions of the factor sets in factor_seeds/." if t == "factor_sets" else
                    f"factor_seeds/<set>/{t}.csv of every factor set, each row with its source, year and licence."
                ),
                skippable=False,
            )
            for t in tables
        ],
    )
    def _factor_seeds(context: AssetExecutionContext, warehouse: DuckDBWarehouse):
        with warehouse.connect() as con:
            counts = load_seeds(con, config.factor_seeds_dir, csv_tables)
            counts["factor_sets"] = con.execute("SELECT count(*) FROM seeds.factor_sets").fetchall()[0][0]
        for table in tables:
            progress.advance("factors", table)
            yield MaterializeResult(asset_key=seed_asset_key(table), metadata={"rows": counts[table]})

    return _factor_seeds
