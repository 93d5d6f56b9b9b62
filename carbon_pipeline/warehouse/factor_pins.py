"""A published month keeps the factor set it was computed with, until someone asks to recompute it.

The pin is not stored separately: it is the factor set recorded on the month's published
reconciliation row, so it cannot drift from what was published. Every factor-set version ever
loaded stays in ``seeds.*``, which is what makes the old figures available to a pinned month.
"""

from __future__ import annotations

import duckdb

PIN_TABLE = "marts.fct_cost_reconciliation"


class FactorSetPinError(RuntimeError):
    """A pinned month whose factor-set version is no longer in the warehouse."""


def published_factor_set(con: duckdb.DuckDBPyConnection, month: str) -> str | None:
    exists = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'marts' "
        "AND table_name = 'fct_cost_reconciliation' AND column_name = 'factor_set'"
    ).fetchall()[0][0]
    if not exists:
        return None
    rows = con.execute(f"SELECT DISTINCT factor_set FROM {PIN_TABLE} WHERE billing_month = ?", [month]).fetchall()
    return rows[0][0] if rows else None


def factor_set_for_month(con: duckdb.DuckDBPyConnection, month: str, configured: str, recompute: bool) -> str:
    """The configured set for new months or on recompute; otherwise the one the month was published with."""
    published = published_factor_set(con, month)
    if published is None or published == configured or recompute:
        return configured
    known = con.execute("SELECT count(*) FROM seeds.factor_sets WHERE label = ?", [published]).fetchall()[0][0]
    if not known:
        raise FactorSetPinError(
            f"month {month} was published with factor set {published}, which is no longer in the warehouse; "
            f"recompute it with the configured {configured} (carbon-pipeline run --months {month} --recompute)"
        )
    return published
