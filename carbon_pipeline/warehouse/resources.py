"""The DuckDB warehouse as a Dagster resource: one file, short-lived connections, waits for the lock.

DuckDB allows one writing process per file. Assets open a connection for the duration of their
work and close it, and a second process (a concurrent run, a BI refresh through the CLI) waits for
the lock instead of failing, up to ``lock_timeout_s``.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
from dagster import ConfigurableResource

from carbon_pipeline.warehouse.runner import set_variables

SCHEMAS = ("raw", "seeds", "staging", "intermediate", "marts", "audit")


class DuckDBWarehouse(ConfigurableResource):
    path: str
    memory_limit: str = "3GB"
    threads: int = 2
    lock_timeout_s: float = 600.0
    factor_set: str = "default"
    factor_set_label: str = "default"
    application_tag: str = "user:application"
    # Months already published keep the factor set they were computed with unless this is set
    # (`carbon-pipeline run --recompute`, or the resource config of a Dagster launch).
    recompute: bool = False
    # Sources still in their learning phase: their months are validated with Great Expectations.
    learning_sources: list[str] = []
    validations_dir: str = ""

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection with the session variables every model reads (factor set, application tag)."""
        from carbon_pipeline.sources.registry import ensure_raw_views
        from carbon_pipeline.sources.aws_cur.columns import normalise_tag_key

        con = connect(Path(self.path), self.memory_limit, self.threads, self.lock_timeout_s)
        try:
            set_variables(con, {"factor_set": self.factor_set, "factor_set_label": self.factor_set_label,
                                "application_tag": normalise_tag_key(self.application_tag)})
            ensure_raw_views(con)
            yield con
        finally:
            con.close()


def connect(path: Path, memory_limit: str = "3GB", threads: int = 2, lock_timeout_s: float = 600.0) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout_s
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET threads = {int(threads)}")
    # Row order of model tables carries no meaning; not preserving it lets inserts run in parallel.
    # (The CSV -> Parquet cache turns it back on for its own COPY: there, order is the row number.)
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET temp_directory = '{(path.parent / '.duckdb_tmp').as_posix()}'")
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    return con
