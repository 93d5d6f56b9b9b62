"""Factor seed assets: the CSVs of ``factor_seeds/`` as ``seeds.*`` tables, one asset per table."""


from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from carbon_pipeline import progress
from carbon_pipeline.config import PipelineConfig
from carbon_pipeline.factors.seeds import load_seeds, seed_tables
from carbon_pipeline.warehouse.resources import DuckDBWarehouse


def seed_asset_key(table: str) -> AssetKey:
    return AssetKey(["seeds", table])


def build_seed_assets(config: PipelineConfig):
    csv_tables = seed_tables(config.factor_seeds_dir, config.factor_set)
    tables = csv_tables + ["factor_sets", "config_overrides"]
    descriptions = {
        "factor_sets": "Names, versions and labels (name@version) of every factor set ever loaded.",
        "config_overrides": "PUE, grid-intensity and lifetime overrides from the configuration, with their reason.",
    }

    @multi_asset(
        name="factor_seeds",
        group_name="factors",
        specs=[
            AssetSpec(
                seed_asset_key(t),
                kinds={"csv", "duckdb"},
                description=descriptions.get(
                    t, f"factor_seeds/<set>/{t}.csv of every factor set and version, each row with its source, year and licence."
                ),
                skippable=False,
            )
            for t in tables
        ],
    )
    def _factor_seeds(context: AssetExecutionContext, warehouse: DuckDBWarehouse):
        with warehouse.connect() as con:
            counts = load_seeds(con, config.factor_seeds_dir, csv_tables, [o.as_dict() for o in config.overrides])
            counts["factor_sets"] = con.execute("SELECT count(*) FROM seeds.factor_sets").fetchall()[0][0]
        for table in tables:
            progress.advance("factors", table)
            yield MaterializeResult(asset_key=seed_asset_key(table), metadata={"rows": counts[table]})

    return _factor_seeds
