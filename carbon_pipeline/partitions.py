"""Monthly partitions: a billing month is the unit of ingest, recomputation and publication."""

from __future__ import annotations

from dagster import MonthlyPartitionsDefinition


def monthly_partitions(first_month: str) -> MonthlyPartitionsDefinition:
    # end_offset=1 includes the current month: CUR delivers the running month several times a day.
    return MonthlyPartitionsDefinition(start_date=f"{first_month}-01", end_offset=1)


def month_of(partition_key: str) -> str:
    """'2024-03-01' (Dagster's key) → '2024-03' (the billing_month column)."""
    return partition_key[:7]


def partition_key_of(month: str) -> str:
    return f"{month}-01"


def months_of(context) -> list[str]:
    """The months a (possibly multi-partition, single-run backfill) materialisation covers."""
    return [month_of(key) for key in context.partition_keys]
