"""Loading factor sets from ``factor_seeds/<set>/*.csv`` into ``seeds.<table>``.

Every set is loaded side by side (a ``factor_set`` column tells them apart), so a month published
with one set can be compared with, or kept on, another. Each row keeps its source and licence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from carbon_pipeline.warehouse.sql import quote_ident, quote_literal


class FactorSetError(ValueError):
    """A factor set folder that cannot be loaded; the message names the file."""


@dataclass(frozen=True)
class FactorSet:
    name: str
    version: str
    description: str
    folder: Path

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"


def discover_factor_sets(seeds_dir: Path) -> list[FactorSet]:
    sets = []
    for manifest in sorted(seeds_dir.glob("*/factor_set.yaml")):
        doc = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
        for key in ("name", "version"):
            if not doc.get(key):
                raise FactorSetError(f"{manifest}: '{key}' is required")
        if doc["name"] != manifest.parent.name:
            raise FactorSetError(f"{manifest}: name {doc['name']!r} differs from its folder {manifest.parent.name!r}")
        sets.append(FactorSet(str(doc["name"]), str(doc["version"]), str(doc.get("description", "")), manifest.parent))
    return sets


def seed_tables(seeds_dir: Path, factor_set: str) -> list[str]:
    """Seed tables are the CSV files of the configured set (every set ships the same files)."""
    return sorted(p.stem for p in (seeds_dir / factor_set).glob("*.csv"))


def load_seeds(con: duckdb.DuckDBPyConnection, seeds_dir: Path, tables: list[str]) -> dict[str, int]:
    """Replace seeds.* in one transaction; returns row counts."""
    sets = discover_factor_sets(seeds_dir)
    counts = {}
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE OR REPLACE TABLE seeds.factor_sets (name VARCHAR, version VARCHAR, description VARCHAR)")
        for fs in sets:
            con.execute("INSERT INTO seeds.factor_sets VALUES (?, ?, ?)", [fs.name, fs.version, fs.description])
        for table in tables:
            branches = []
            for fs in sets:
                path = fs.folder / f"{table}.csv"
                if not path.is_file():
                    continue
                branches.append(
                    f"SELECT {quote_literal(fs.name)} AS factor_set, {quote_literal(fs.version)} AS factor_set_version, * "
                    f"FROM read_csv({quote_literal(str(path))}, header = true, all_varchar = true)"
                )
            if not branches:
                raise FactorSetError(f"no factor set has {table}.csv")
            try:
                con.execute(f"CREATE OR REPLACE TABLE seeds.{quote_ident(table)} AS " + " UNION ALL BY NAME ".join(branches))
            except duckdb.Error as exc:
                raise FactorSetError(f"{table}.csv: {str(exc).splitlines()[0]}") from None
            counts[table] = con.execute(f"SELECT count(*) FROM seeds.{quote_ident(table)}").fetchall()[0][0]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts
