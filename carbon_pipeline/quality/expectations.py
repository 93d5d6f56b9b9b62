"""Great Expectations validation of a learning-phase source's month, on the canonical ledger.

A new source is validated by hand, month by month, before anyone approves it for nightly runs.
The SQL audits guard the accounting (nothing lost, nothing doubled); these expectations describe
what a healthy export looks like once normalised (known charge categories and currencies, usage
dates inside the billing month, regions and units on usage lines, few quarantined lines) and report
every deviation with counts and examples. They are evidence for the person who approves the
source, so they warn rather than fail the run. The suite runs on the month's ledger rows of that
source (``intermediate.int_billing_usage_daily``), a compact table, not on the raw export.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

FOCUS_CHARGE_CATEGORIES = ["Usage", "Purchase", "Tax", "Credit", "Adjustment"]
SUITE_NAME = "billing_ledger_learning_phase"


@dataclass(frozen=True)
class ValidationOutcome:
    source_name: str
    month: str
    success: bool
    rows: int
    failed: list[dict]
    report_path: Path


def _suite(gx, month: str):
    from great_expectations.expectations.row_conditions import Column

    E = gx.expectations
    usage = {"row_condition": Column("is_usage") == True}  # noqa: E712  (valid lines carrying usage)
    return [
        E.ExpectColumnValuesToBeInSet(column="charge_category", value_set=FOCUS_CHARGE_CATEGORIES),
        E.ExpectColumnValuesToMatchRegex(column="billing_currency", regex=r"^[A-Z]{3}$"),
        E.ExpectColumnValuesToNotBeNull(column="usage_date"),
        E.ExpectColumnValuesToBeInSet(column="usage_month", value_set=[month]),
        E.ExpectColumnValuesToNotBeNull(column="effective_cost"),
        E.ExpectColumnValuesToBeBetween(column="line_count", min_value=1),
        E.ExpectColumnValuesToNotBeNull(column="region_id", mostly=0.95, **usage),
        E.ExpectColumnValuesToNotBeNull(column="consumed_unit", **usage),
        E.ExpectColumnValuesToBeBetween(column="consumed_quantity", min_value=0, **usage),
        # A learning-phase export should quarantine very little: at most 1 % of its lines.
        E.ExpectColumnValuesToBeNull(column="quarantine_reason", mostly=0.99),
    ]


def validate_source_month(con: duckdb.DuckDBPyConnection, source_name: str, month: str, report_dir: Path) -> ValidationOutcome:
    # Imported here: Great Expectations takes seconds to import, and only learning-phase runs need it.
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    frame = con.execute(
        """
        SELECT charge_category, billing_currency, usage_date, strftime(usage_date, '%Y-%m') AS usage_month,
               effective_cost::DOUBLE AS effective_cost, line_count, region_id, consumed_unit, consumed_quantity,
               quarantine_reason, coalesce(carries_usage AND quarantine_reason IS NULL, false) AS is_usage
        FROM intermediate.int_billing_usage_daily
        WHERE billing_month = ? AND source_name = ?
        """,
        [month, source_name],
    ).df()
    report_path = report_dir / source_name / f"{month}.json"
    report_path.parent.mkdir(parents=True, exist_ok=True)
    if frame.empty:
        report_path.write_text(json.dumps({"source": source_name, "month": month, "rows": 0, "success": True}))
        return ValidationOutcome(source_name, month, True, 0, [], report_path)

    context = gx.get_context(mode="ephemeral")
    batch = context.data_sources.add_pandas("ledger").add_dataframe_asset("month").add_batch_definition_whole_dataframe("whole")
    suite = context.suites.add(gx.ExpectationSuite(name=SUITE_NAME))
    for expectation in _suite(gx, month):
        suite.add_expectation(expectation)
    definition = context.validation_definitions.add(gx.ValidationDefinition(data=batch, suite=suite, name=f"{source_name}-{month}"))
    result = definition.run(batch_parameters={"dataframe": frame})

    failed = []
    for r in result.results:
        if not r.success:
            failed.append({
                "expectation": r.expectation_config.type,
                "column": r.expectation_config.kwargs.get("column"),
                "unexpected_count": r.result.get("unexpected_count"),
                "unexpected_percent": r.result.get("unexpected_percent"),
                "examples": [str(v) for v in (r.result.get("partial_unexpected_list") or [])[:5]],
            })
    report_path.write_text(json.dumps(
        {"source": source_name, "month": month, "suite": SUITE_NAME, "rows": len(frame), "success": result.success,
         "failed": failed, "great_expectations": result.to_json_dict()},
        default=str, indent=1,
    ))
    return ValidationOutcome(source_name, month, bool(result.success), len(frame), failed, report_path)
