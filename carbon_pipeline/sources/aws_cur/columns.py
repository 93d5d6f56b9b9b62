"""The AWS CUR columns staging reads, and the CSV-header → Athena-name rule.

Legacy CUR comes as gzip CSV with headers like ``lineItem/UsageAmount`` or as Parquet with Athena
names like ``line_item_usage_amount``. The CSV is converted once to Parquet with Athena names, so
everything after the cache sees one naming. Only the columns listed here are ever read: real
exports carry 100–300 columns and reading them all is what makes naive pipelines slow.
"""

from __future__ import annotations

import re

#: A file without one of these cannot be interpreted at all: ingest stops with file + column.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_amount",
    "line_item_unblended_cost",
    "line_item_usage_type",
    "line_item_product_code",
)

#: Read when present, NULL when a report was configured without them.
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "identity_line_item_id",
    "identity_time_interval",
    "bill_payer_account_id",
    "bill_billing_period_start_date",
    "bill_billing_entity",
    "line_item_usage_account_id",
    "line_item_usage_end_date",
    "line_item_operation",
    "line_item_availability_zone",
    "line_item_resource_id",
    "line_item_currency_code",
    "line_item_line_item_description",
    "line_item_unblended_rate",
    "product_product_name",
    "product_region",
    "product_region_code",
    "product_instance_type",
    "pricing_unit",
    "pricing_public_on_demand_cost",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
    "reservation_effective_cost",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee",
)

TAG_PREFIX = "resource_tags_"


def athena_name(csv_header: str) -> str:
    """``lineItem/UsageAmount`` → ``line_item_usage_amount``, as AWS names CUR columns in Athena."""
    if "/" not in csv_header:
        return _snake(csv_header)
    category, name = csv_header.split("/", 1)
    if category == "resourceTags":
        return TAG_PREFIX + re.sub(r"[^a-z0-9]", "_", name.lower())
    return f"{_snake(category)}_{_snake(name)}"


def _snake(text: str) -> str:
    text = re.sub(r"(?<!^)(?=[A-Z])", "_", text).lower()
    return re.sub(r"[^a-z0-9_]", "_", text)


def tag_key(column: str) -> str:
    """``resource_tags_user_cost_center`` → ``user:cost_center`` (Athena loses the original punctuation)."""
    rest = column[len(TAG_PREFIX):]
    scope, _, key = rest.partition("_")
    return f"{scope}:{key}" if key else scope


def normalise_tag_key(key: str) -> str:
    """Normalise a configured tag key (``user:cost-center``) the way CUR column names are."""
    scope, sep, name = key.partition(":")
    clean = lambda s: re.sub(r"[^a-z0-9]", "_", s.lower())  # noqa: E731
    return f"{clean(scope)}:{clean(name)}" if sep else clean(scope)
