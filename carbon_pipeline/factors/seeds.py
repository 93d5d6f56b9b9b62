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


def load_seeds(
    con: duckdb.DuckDBPyConnection, seeds_dir: Path, tables: list[str], overrides: list[dict] | None = None
) -> dict[str, int]:
    """Load the factor sets found in ``seeds_dir`` into seeds.*, in one transaction.

    Rows of a (set, version) are replaced when that same version is loaded again; rows of versions
    no longer in ``factor_seeds/`` are kept, so a month published with an older version can still
    be recomputed, or explained, with exactly the figures it used. Configuration overrides go to
    ``seeds.config_overrides`` and are re-read on every run.
    """
    sets = discover_factor_sets(seeds_dir)
    labels = [fs.label for fs in sets]
    counts = {}
    con.execute("BEGIN TRANSACTION")
    try:
        _drop_unversioned(con, tables + ["factor_sets"])
        con.execute(
            "CREATE TABLE IF NOT EXISTS seeds.factor_sets (name VARCHAR, version VARCHAR, label VARCHAR, "
            "description VARCHAR, loaded_at TIMESTAMP)"
        )
        con.execute(f"DELETE FROM seeds.factor_sets WHERE label IN ({', '.join('?' for _ in labels)})", labels)
        for fs in sets:
            con.execute("INSERT INTO seeds.factor_sets VALUES (?, ?, ?, ?, now()::TIMESTAMP)",
                        [fs.name, fs.version, fs.label, fs.description])
        for table in tables:
            branches = []
            for fs in sets:
                path = fs.folder / f"{table}.csv"
                if not path.is_file():
                    continue
                branches.append(
                    f"SELECT {quote_literal(fs.name)} AS factor_set, {quote_literal(fs.version)} AS factor_set_version, "
                    f"{quote_literal(fs.label)} AS factor_set_label, * "
                    f"FROM read_csv({quote_literal(str(path))}, header = true, all_varchar = true)"
                )
            if not branches:
                raise FactorSetError(f"no factor set has {table}.csv")
            name = f"seeds.{quote_ident(table)}"
            exists = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'seeds' AND table_name = ?", [table]
            ).fetchall()[0][0]
            if exists:
                keep = ", ".join(quote_literal(label) for label in labels)
                branches.insert(0, f"SELECT * FROM {name} WHERE factor_set_label NOT IN ({keep})")
            try:
                con.execute(f"CREATE OR REPLACE TABLE {name} AS " + " UNION ALL BY NAME ".join(branches))
            except duckdb.Error as exc:
                raise FactorSetError(f"{table}.csv: {str(exc).splitlines()[0]}") from None
            counts[table] = con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
        con.execute(
            "CREATE OR REPLACE TABLE seeds.config_overrides (factor VARCHAR, provider VARCHAR, region_id VARCHAR, "
            "value DOUBLE, reason VARCHAR)"
        )
        for o in overrides or []:
            con.execute("INSERT INTO seeds.config_overrides VALUES (?, ?, ?, ?, ?)",
                        [o["factor"], o["provider"], o.get("region") or "*", float(o["value"]), o["reason"]])
        counts["config_overrides"] = len(overrides or [])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def _drop_unversioned(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Seed tables written before factor sets were versioned cannot hold a version: start them afresh."""
    for table in tables:
        column = "label" if table == "factor_sets" else "factor_set_label"
        columns = {r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'seeds' AND table_name = ?", [table]).fetchall()}
        if columns and column not in columns:
            con.execute(f"DROP TABLE seeds.{quote_ident(table)}")


def factor_set_label(seeds_dir: Path, name: str) -> str:
    for fs in discover_factor_sets(seeds_dir):
        if fs.name == name:
            return fs.label
    raise FactorSetError(f"no factor set named {name!r} in {seeds_dir}")
