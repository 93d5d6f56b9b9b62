"""Publishing to Parquet swaps whole files: a failed write leaves the previous month readable."""

from __future__ import annotations

import duckdb
import pytest

from carbon_pipeline.warehouse.models import load_models
from carbon_pipeline.warehouse.publish import publish


def _model(name):
    (m,) = [m for m in load_models() if m.name == name]
    return m


def test_failed_publication_keeps_the_previous_file(tmp_path):
    model = _model("fct_quarantined_lines")
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.fct_quarantined_lines AS SELECT '2024-01' AS billing_month, 1 AS source_row")
    target = publish(con, model, "2024-01", tmp_path)
    assert target == tmp_path / "fct_quarantined_lines" / "billing_month=2024-01" / "data.parquet"
    before = target.read_bytes()

    con.execute("DROP TABLE marts.fct_quarantined_lines")  # the next write fails half-way
    with pytest.raises(duckdb.Error):
        publish(con, model, "2024-01", tmp_path)
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir()] == ["data.parquet"]  # no partial file left behind
    assert duckdb.connect().execute(f"SELECT source_row FROM read_parquet('{target}')").fetchall() == [(1,)]
