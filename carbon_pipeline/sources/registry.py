"""Source kinds: how each is opened and which raw view it feeds. Adding a kind starts here."""

from __future__ import annotations

import duckdb

from carbon_pipeline.config import PipelineConfig, SourceConfig
from carbon_pipeline.sources import raw_files
from carbon_pipeline.sources.aws_cur import ingest as aws_cur

KIND_COLUMNS: dict[str, raw_files.KindColumns] = {aws_cur.KIND: aws_cur.COLUMNS}
_OPENERS = {aws_cur.KIND: aws_cur.AwsCurSource}


def open_source(source: SourceConfig, config: PipelineConfig):
    return _OPENERS[source.kind](source, config)


def ensure_raw_views(con: duckdb.DuckDBPyConnection) -> None:
    """Every kind has its raw view and the ledger exists, so staging views always bind."""
    con.execute(raw_files.SOURCE_FILES_DDL)
    existing = {r[0] for r in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'raw'").fetchall()}
    for kind, spec in KIND_COLUMNS.items():
        if kind not in existing:
            raw_files.rebuild_view(con, spec)
