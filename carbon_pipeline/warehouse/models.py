"""SQL models and audits found in ``dbt_like_sql/``: one file per table, dependencies read by sqlglot.

A model is ``<layer>/<name>.sql`` and builds table ``<layer>.<name>``; its header comment says its
grain and purpose and how it is materialised. Nobody lists dependencies by hand: the tables a
model's SELECT reads are its upstream assets, so the Dagster graph cannot drift from the SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp

from carbon_pipeline.paths import SQL_DIR

LAYERS = ("staging", "intermediate", "marts")
MATERIALIZATIONS = ("partitioned", "table", "view")
_HEADER = re.compile(r"^--\s*([a-z_]+)\s*:\s*(.*?)\s*$")


class ModelError(ValueError):
    """A model file that breaks the conventions; the message names the file."""


@dataclass(frozen=True)
class SqlModel:
    name: str
    layer: str
    path: Path
    sql: str
    header: dict[str, str]
    reads: tuple[tuple[str, str], ...]  # (schema, table) pairs read by the query

    @property
    def table(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def materialized(self) -> str:
        return self.header.get("materialized", "partitioned")

    @property
    def partitioned(self) -> bool:
        return self.materialized == "partitioned"

    @property
    def publish(self) -> bool:
        return self.layer == "marts" and self.materialized != "view"

    @property
    def description(self) -> str:
        return f"{self.header.get('purpose', '')}\n\nGrain: {self.header.get('grain', '?')}".strip()


@dataclass(frozen=True)
class SqlAudit:
    """A query returning the rows that break a rule; any row is a failure."""

    name: str
    path: Path
    sql: str
    header: dict[str, str]
    target: str  # schema.table of the model audited

    @property
    def blocking(self) -> bool:
        return self.header.get("severity", "error") == "error"


def _parse(path: Path) -> tuple[str, dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        match = _HEADER.match(line)
        if match:
            header[match.group(1)] = match.group(2)
    sql = text.strip().rstrip(";").strip()
    return sql, header


def tables_read(sql: str, where: Path) -> tuple[tuple[str, str], ...]:
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise ModelError(f"{where}: SQL does not parse: {str(exc).splitlines()[0]}") from None
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    found = set()
    for table in tree.find_all(exp.Table):
        if not table.name or (not table.db and table.name in ctes):
            continue
        if isinstance(table.this, exp.Anonymous) or table.find(exp.Func):
            continue  # table functions such as read_parquet(...)
        found.add((table.db or "main", table.name))
    return tuple(sorted(found))


def load_models(sql_dir: Path = SQL_DIR) -> list[SqlModel]:
    models = []
    for layer in LAYERS:
        for path in sorted((sql_dir / layer).glob("*.sql")):
            sql, header = _parse(path)
            name = path.stem
            prefix = {"staging": ("stg_",), "intermediate": ("int_",), "marts": ("fct_", "dim_")}[layer]
            if not name.startswith(prefix):
                raise ModelError(f"{path}: a {layer} model's name starts with {' or '.join(prefix)}")
            for key in ("grain", "purpose"):
                if key not in header:
                    raise ModelError(f"{path}: header comment must say '-- {key}: ...'")
            if header.get("materialized", "partitioned") not in MATERIALIZATIONS:
                raise ModelError(f"{path}: materialized must be one of {', '.join(MATERIALIZATIONS)}")
            models.append(SqlModel(name, layer, path, sql, header, tables_read(sql, path)))
    return models


def load_audits(sql_dir: Path = SQL_DIR) -> list[SqlAudit]:
    audits = []
    for path in sorted((sql_dir / "audits").glob("*.sql")):
        sql, header = _parse(path)
        if "audits" not in header:
            raise ModelError(f"{path}: header comment must say '-- audits: <schema>.<model>'")
        audits.append(SqlAudit(path.stem, path, sql, header, header["audits"]))
    return audits
