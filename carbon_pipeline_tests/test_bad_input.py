"""Bad input: a clear error naming file and column (previous data intact), or a quarantine row."""

from __future__ import annotations

import csv
import gzip
import io
import math
import os

import duckdb
import pytest

from carbon_pipeline.orchestrate import PipelineFailed, run_pipeline
from carbon_pipeline_tests.helpers import MART_TABLES, latest_delivery_files, snapshot, table


def _rewrite_csv(path, edit):
    with gzip.open(path, "rt", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows = edit(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())
    os.utime(path, None)


def test_truncated_gzip_names_the_file_and_keeps_the_previous_month(cur_copy, make_config):
    config = make_config(cur_copy)
    run_pipeline(config, ["2024-01"])
    before = snapshot(config.duckdb_path, MART_TABLES)
    (victim, *_) = latest_delivery_files(cur_copy, "2024-01")
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    with pytest.raises(PipelineFailed) as err:
        run_pipeline(config, ["2024-01"])
    assert str(victim) in str(err.value) and "2024-01" in str(err.value)
    assert snapshot(config.duckdb_path, MART_TABLES) == before


def test_missing_required_column_names_file_and_column(cur_copy, make_config):
    config = make_config(cur_copy)
    run_pipeline(config, ["2024-01"])
    before = snapshot(config.duckdb_path, MART_TABLES)
    (victim, *_) = latest_delivery_files(cur_copy, "2024-01")

    def drop_usage_amount(rows):
        i = rows[0].index("lineItem/UsageAmount")
        return [r[:i] + r[i + 1:] for r in rows]

    _rewrite_csv(victim, drop_usage_amount)
    with pytest.raises(PipelineFailed, match=r"missing required column line_item_usage_amount") as err:
        run_pipeline(config, ["2024-01"])
    assert str(victim) in str(err.value)
    assert snapshot(config.duckdb_path, MART_TABLES) == before


def test_non_numeric_usage_amount_is_quarantined_with_file_row_and_column(cur_copy, make_config):
    config = make_config(cur_copy)
    (victim, *_) = latest_delivery_files(cur_copy, "2024-01")
    state = {}

    def corrupt(rows):
        header = rows[0]
        amount, kind = header.index("lineItem/UsageAmount"), header.index("lineItem/UsageType")
        cost = header.index("lineItem/UnblendedCost")
        row_number = next(n for n, r in enumerate(rows[1:], start=1) if "BoxUsage" in r[kind])
        rows[row_number][amount] = "twelve"
        state.update(row=row_number, cost=float(rows[row_number][cost]))
        return rows

    _rewrite_csv(victim, corrupt)
    run_pipeline(config, ["2024-01"])
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    (q,) = table(con, "SELECT * FROM marts.fct_quarantined_lines")
    assert q["source_file"] == str(victim)
    assert q["source_row"] == state["row"]  # 1-based data row (the CSV header is not counted)
    assert "line_item_usage_amount 'twelve' is not a number" in q["quarantine_reason"]
    assert math.isclose(float(q["billed_cost"]), state["cost"], abs_tol=1e-9)
    (rec,) = table(con, "SELECT * FROM marts.fct_cost_reconciliation")
    assert rec["balanced"] and rec["lines_quarantined"] == 1
    assert abs(rec["effective_cost_difference"]) < 0.005


def test_a_lost_line_fails_the_reconciliation_check(small_cur, make_config, monkeypatch):
    """Crafted loss: a mart model that silently drops one instance-day must fail the run."""
    from carbon_pipeline.warehouse import models as model_module

    original = model_module.load_models

    def lossy_models(*args, **kwargs):
        out = []
        for m in original(*args, **kwargs):
            if m.name == "fct_emissions":  # drop the costliest row: a join that loses a line
                sql = f"SELECT * FROM (\n{m.sql}\n) QUALIFY row_number() OVER (ORDER BY effective_cost DESC) > 1"
                m = model_module.SqlModel(m.name, m.layer, m.path, sql, m.header, m.reads)
            out.append(m)
        return out

    monkeypatch.setattr("carbon_pipeline.transform.assets.load_models", lossy_models)
    config = make_config(small_cur)
    with pytest.raises(PipelineFailed, match="audit_cost_reconciliation_balanced"):
        run_pipeline(config, ["2024-01"])
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    # The failing month was rolled back: nothing unbalanced was committed or published.
    exists = table(con, "SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'fct_cost_reconciliation'")
    if exists[0]["n"]:
        assert table(con, "SELECT count(*) AS n FROM marts.fct_cost_reconciliation")[0]["n"] == 0
    assert not (config.parquet_dir / "fct_cost_reconciliation" / "billing_month=2024-01").exists()
