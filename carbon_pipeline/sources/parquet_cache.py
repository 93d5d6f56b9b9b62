"""Gzip CSV exports become Parquet once, in a cache keyed by the object's version.

Staging then reads a handful of columns straight from Parquet instead of re-parsing a 120-column CSV
on every run. The conversion itself is one DuckDB ``COPY``; a file that cannot be parsed (truncated
gzip, a row with the wrong number of fields) raises an error naming the file and DuckDB's row.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import duckdb

from carbon_pipeline.sources.storage import SourceFileError, StoredObject
from carbon_pipeline.warehouse.sql import quote_ident, quote_literal


def ensure_parquet(
    con: duckdb.DuckDBPyConnection,
    obj: StoredObject,
    local_path: Path,
    cache_dir: Path,
    rename: Callable[[str], str],
) -> Path:
    if local_path.name.lower().endswith(".parquet"):
        return local_path
    target = cache_dir / "parquet" / f"{obj.cache_key}.parquet"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    reader = (
        f"read_csv({quote_literal(str(local_path))}, header = true, all_varchar = true, delim = ',', "
        f"quote = '\"', escape = '\"', strict_mode = true, null_padding = false)"
    )
    try:
        headers = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    except duckdb.Error as exc:
        raise SourceFileError(f"{obj.uri}: cannot read as CSV: {_first_line(exc)}") from None
    seen: dict[str, int] = {}
    projections = []
    for header in headers:
        name = rename(header)
        if name in seen:  # two headers that collapse to one Athena name: keep both, suffixed
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        projections.append(f"{quote_ident(header)} AS {quote_ident(name)}")
    partial = target.with_name(target.name + ".part")
    try:
        con.execute("SET preserve_insertion_order = true")  # Parquet row n must be CSV data row n
        con.execute(
            f"COPY (SELECT {', '.join(projections)} FROM {reader}) TO {quote_literal(str(partial))} "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
    except duckdb.Error as exc:
        partial.unlink(missing_ok=True)
        raise SourceFileError(f"{obj.uri}: cannot read as CSV: {_first_line(exc)}") from None
    finally:
        con.execute("SET preserve_insertion_order = false")
    os.replace(partial, target)
    return target


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return " ".join(text.splitlines()[:3])
