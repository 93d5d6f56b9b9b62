"""The ``raw`` schema: which export files each source month is made of, and one view per kind.

``raw.source_files`` is the ledger (source, month, delivery, file, version): it makes a month's
input explicit and replaceable, so a restated month swaps its file list instead of adding to it.
``raw.<kind>`` is a view over those files that projects only the columns staging reads, adds the
lineage columns (``x_source_name``, ``x_source_file``, ``x_source_row``, ``x_billing_month``) and
fills optional columns a report lacks with NULL. Filtering the view on a constant month lets DuckDB
skip every other month's files entirely.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from pathlib import Path

import duckdb

from carbon_pipeline.sources.storage import SourceFileError
from carbon_pipeline.warehouse.sql import quote_ident, quote_literal

SOURCE_FILES_DDL = """
CREATE TABLE IF NOT EXISTS raw.source_files (
    source_name      VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,
    billing_month    VARCHAR NOT NULL,
    delivery_id      VARCHAR NOT NULL,
    manifest_uri     VARCHAR,
    file_uri         VARCHAR NOT NULL,
    file_version     VARCHAR NOT NULL,
    local_path       VARCHAR NOT NULL,
    months_from_rows BOOLEAN NOT NULL,
    size_bytes       BIGINT,
    ingested_at      TIMESTAMP NOT NULL
)
"""


@dataclass(frozen=True)
class SourceFile:
    source_name: str
    kind: str
    billing_month: str
    delivery_id: str
    manifest_uri: str | None
    file_uri: str
    file_version: str
    local_path: Path
    months_from_rows: bool
    size_bytes: int


@dataclass(frozen=True)
class KindColumns:
    """What a source kind's raw view exposes: typed columns, tag columns, and the row-month rule."""

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    tag_prefix: str | None
    tag_key: Callable[[str], str]  # column name -> tag key
    row_month_sql: Callable[[set[str]], str]  # columns present -> SQL expression for 'YYYY-MM'


def replace_month(con: duckdb.DuckDBPyConnection, source_name: str, month: str, files: list[SourceFile]) -> None:
    """Within the caller's transaction: this source month is exactly ``files`` from now on."""
    con.execute("DELETE FROM raw.source_files WHERE source_name = ? AND billing_month = ?", [source_name, month])
    for f in files:
        con.execute(
            "INSERT INTO raw.source_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
            [f.source_name, f.kind, f.billing_month, f.delivery_id, f.manifest_uri, f.file_uri,
             f.file_version, str(f.local_path), f.months_from_rows, f.size_bytes],
        )


def file_columns(con: duckdb.DuckDBPyConnection, local_path: Path, file_uri: str) -> dict[str, str]:
    try:
        rows = con.execute(
            f"DESCRIBE SELECT * FROM read_parquet({quote_literal(str(local_path))})"
        ).fetchall()
    except duckdb.Error as exc:
        raise SourceFileError(f"{file_uri}: cannot read Parquet: {str(exc).splitlines()[0]}") from None
    return {row[0]: row[1] for row in rows}


def check_required(columns: dict[str, str], spec: KindColumns, file_uri: str) -> None:
    missing = [c for c in spec.required if c not in columns]
    if missing:
        raise SourceFileError(
            f"{file_uri}: missing required column {missing[0]}"
            + (f" (and {len(missing) - 1} more: {', '.join(missing[1:])})" if len(missing) > 1 else "")
        )


def rebuild_view(con: duckdb.DuckDBPyConnection, spec: KindColumns) -> None:
    """Re-create ``raw.<kind>`` over every file the ledger holds for this kind."""
    files = con.execute(
        """
        SELECT source_name, file_uri, local_path, any_value(months_from_rows),
               CASE WHEN any_value(months_from_rows) THEN NULL ELSE min(billing_month) END
        FROM raw.source_files WHERE kind = ?
        GROUP BY source_name, file_uri, local_path ORDER BY source_name, file_uri
        """,
        [spec.kind],
    ).fetchall()
    application_tag = con.execute("SELECT getvariable('application_tag')").fetchall()[0][0]
    branches = []
    for source_name, file_uri, local_path, from_rows, month in files:
        columns = file_columns(con, Path(local_path), file_uri)
        check_required(columns, spec, file_uri)
        branches.append(_branch_sql(spec, columns, source_name, file_uri, local_path,
                                    None if from_rows else month, application_tag))
    body = "\nUNION ALL BY NAME\n".join(branches) if branches else _empty_sql(spec)
    con.execute(f"CREATE OR REPLACE VIEW raw.{quote_ident(spec.kind)} AS\n{body}")


def _branch_sql(spec: KindColumns, columns: dict[str, str], source_name: str, file_uri: str,
                local_path: str, month: str | None, application_tag: str | None) -> str:
    select = [
        f"{quote_literal(source_name)} AS x_source_name",
        f"{quote_literal(file_uri)} AS x_source_file",
        "file_row_number + 1 AS x_source_row",
        f"{quote_literal(month) if month else spec.row_month_sql(set(columns))} AS x_billing_month",
    ]
    for name in spec.required + spec.optional:
        select.append(quote_ident(name) if name in columns else f"NULL::VARCHAR AS {quote_ident(name)}")
    tags = sorted(c for c in columns if spec.tag_prefix and c.startswith(spec.tag_prefix))
    # The application tag as a plain column: building a map per row only to read one key back
    # costs seconds per 10 million lines.
    app = [c for c in tags if spec.tag_key(c) == application_tag]
    select.append(f"nullif(CAST({quote_ident(app[0])} AS VARCHAR), '') AS x_application" if app else "NULL::VARCHAR AS x_application")
    if tags:
        keys = ", ".join(quote_literal(spec.tag_key(c)) for c in tags)
        values = ", ".join(f"nullif(CAST({quote_ident(c)} AS VARCHAR), '')" for c in tags)
        select.append(f"map_from_entries(list_filter(list_zip([{keys}], [{values}]), lambda e: e[2] IS NOT NULL)) AS x_tags")
    else:
        select.append("MAP {}::MAP(VARCHAR, VARCHAR) AS x_tags")
    return (
        f"SELECT {', '.join(select)}\n"
        f"FROM read_parquet({quote_literal(local_path)}, file_row_number = true)"
    )


def _empty_sql(spec: KindColumns) -> str:
    cols = ["NULL::VARCHAR AS x_source_name", "NULL::VARCHAR AS x_source_file", "NULL::BIGINT AS x_source_row",
            "NULL::VARCHAR AS x_billing_month"]
    cols += [f"NULL::VARCHAR AS {quote_ident(c)}" for c in spec.required + spec.optional]
    cols.append("NULL::VARCHAR AS x_application")
    cols.append("MAP {}::MAP(VARCHAR, VARCHAR) AS x_tags")
    return f"SELECT {', '.join(cols)} WHERE false"
