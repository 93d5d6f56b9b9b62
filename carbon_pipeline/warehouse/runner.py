"""Building a model for one month: delete-and-insert in one transaction, then publish to Parquet.

Re-running a month replaces exactly that month, and a failure anywhere rolls the month back to
what it was: DuckDB readers see the previous month or the new one, never a mix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from carbon_pipeline.warehouse.models import SqlAudit, SqlModel
from carbon_pipeline.warehouse.sql import quote_literal

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ModelRunError(RuntimeError):
    """A model that failed to build; the message names the model file."""


@dataclass(frozen=True)
class ModelRun:
    model: str
    month: str | None
    rows: int


def set_variables(con: duckdb.DuckDBPyConnection, variables: dict[str, str | None]) -> None:
    for name, value in variables.items():
        if value is None:
            con.execute(f"RESET VARIABLE {name}")
        else:
            con.execute(f"SET VARIABLE {name} = {quote_literal(str(value))}")


class AuditFailed(RuntimeError):
    """An error-severity audit returned rows; the month was rolled back."""

    def __init__(self, audit: SqlAudit, month: str | None, count: int, sample: list[dict]):
        self.audit, self.month, self.count, self.sample = audit, month, count, sample
        super().__init__(
            f"audit {audit.name} ({audit.path.name}) failed for {audit.target}"
            f"{' month ' + month if month else ''}: {count} offending row(s); first: {sample[:1]}"
        )


@dataclass(frozen=True)
class AuditResult:
    audit: SqlAudit
    month: str | None
    count: int
    sample: list[dict]

    @property
    def passed(self) -> bool:
        return self.count == 0


def run_model(
    con: duckdb.DuckDBPyConnection, model: SqlModel, month: str | None, audits: tuple[SqlAudit, ...] = ()
) -> tuple[ModelRun, list[AuditResult]]:
    """Build the model, then run its audits inside the same transaction.

    An error-severity audit that returns rows rolls the month back (raising AuditFailed): a month
    that does not reconcile is never committed or published, and the previous one stays.
    """
    if model.partitioned and not (month and MONTH_RE.match(month)):
        raise ModelRunError(f"{model.path}: partitioned model needs a month like 2024-01, got {month!r}")
    if model.partitioned:
        con.execute(f"SET VARIABLE billing_month = {quote_literal(month)}")
    try:
        con.execute("BEGIN TRANSACTION")
        # A model whose materialisation changed (table <-> view) replaces the old object.
        kind = existing_kind(con, model)
        if kind and (kind == "VIEW") != (model.materialized == "view"):
            con.execute(f"DROP {kind} {model.table}")
        if model.materialized == "view":
            con.execute(f"CREATE OR REPLACE VIEW {model.table} AS\n{model.sql}")
            rows = -1
        elif model.materialized == "table":
            con.execute(f"CREATE OR REPLACE TABLE {model.table} AS\n{model.sql}")
            rows = con.execute(f"SELECT count(*) FROM {model.table}").fetchall()[0][0]
        else:
            _ensure_partitioned_table(con, model)
            con.execute(f"DELETE FROM {model.table} WHERE billing_month = ?", [month])
            inserted = con.execute(f"INSERT INTO {model.table} BY NAME SELECT * FROM (\n{model.sql}\n)").fetchall()[0][0]
            rows = con.execute(f"SELECT count(*) FROM {model.table} WHERE billing_month = ?", [month]).fetchall()[0][0]
            if inserted != rows:
                raise ModelRunError(
                    f"{model.path}: returned {inserted - rows} rows outside billing_month {month}; "
                    "a partitioned model must filter its inputs on getvariable('billing_month')"
                )
        results = []
        for audit in audits:
            count, sample = run_audit(con, audit, month)
            if count and audit.blocking:
                raise AuditFailed(audit, month, count, sample)
            results.append(AuditResult(audit, month, count, sample))
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise ModelRunError(f"{model.path}: {exc}") from None
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return ModelRun(model.table, month, rows), results


def _ensure_partitioned_table(con: duckdb.DuckDBPyConnection, model: SqlModel) -> None:
    """Create on first run; refuse a silent schema change on a table that holds other months."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {model.table} AS SELECT * FROM (\n{model.sql}\n) WHERE false")
    wanted = _columns(con, f"SELECT * FROM (\n{model.sql}\n)")
    have = _columns(con, f"SELECT * FROM {model.table}")
    if sorted(wanted) == sorted(have):  # INSERT ... BY NAME: column order does not matter
        return
    populated = con.execute(f"SELECT count(*) FROM {model.table}").fetchall()[0][0]
    if populated:
        added = sorted(set(wanted) - set(have))
        removed = sorted(set(have) - set(wanted))
        raise ModelRunError(
            f"{model.path}: the model's columns changed (added: {', '.join(added) or '-'}; removed: "
            f"{', '.join(removed) or '-'}; or types changed) and {model.table} already holds data; "
            "rebuild it with `carbon-pipeline run --full-refresh`"
        )
    con.execute(f"DROP TABLE {model.table}")
    con.execute(f"CREATE TABLE {model.table} AS SELECT * FROM (\n{model.sql}\n) WHERE false")


def _columns(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"DESCRIBE {query}").fetchall()]


def run_audit(con: duckdb.DuckDBPyConnection, audit: SqlAudit, month: str | None, limit: int = 20) -> tuple[int, list[dict]]:
    """Return (number of failing rows, a sample of them)."""
    if month:
        con.execute(f"SET VARIABLE billing_month = {quote_literal(month)}")
    try:
        count = con.execute(f"SELECT count(*) FROM (\n{audit.sql}\n)").fetchall()[0][0]
        cursor = con.execute(f"SELECT * FROM (\n{audit.sql}\n) LIMIT {int(limit)}")
        names = [d[0] for d in cursor.description]
        sample = [dict(zip(names, row)) for row in cursor.fetchall()]
    except duckdb.Error as exc:
        raise ModelRunError(f"{audit.path}: {exc}") from None
    return count, sample


def existing_kind(con: duckdb.DuckDBPyConnection, model: SqlModel) -> str | None:
    """'VIEW', 'TABLE' or None: what the warehouse holds under the model's name."""
    rows = con.execute(
        "SELECT 'VIEW' FROM duckdb_views() WHERE schema_name = ? AND view_name = ? "
        "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
        [model.layer, model.name, model.layer, model.name],
    ).fetchall()
    return rows[0][0] if rows else None


def drop_model(con: duckdb.DuckDBPyConnection, model: SqlModel) -> None:
    kind = existing_kind(con, model)
    if kind:
        con.execute(f"DROP {kind} {model.table}")
