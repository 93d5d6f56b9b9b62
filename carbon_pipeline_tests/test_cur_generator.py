"""The sample CUR generator: layout, naming contract, determinism, deliveries, content."""

from __future__ import annotations

import filecmp
import gzip
import json
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.sample_data.cur_generator import CORE_COLUMN_NAMES, CUR_COLUMNS, athena_name, generate_cur

SMALL = dict(start_month="2024-01", months=2, n_instances=20, seed=7)


def _gen(root: Path, fmt: str, **kw) -> dict:
    return generate_cur(root, fmt=fmt, **{**SMALL, **kw})


@pytest.fixture(scope="module", params=["csv", "parquet"])
def sample(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"cur_{request.param}")
    return request.param, root, _gen(root, request.param)


def _read(files: list[str], fmt: str):
    """All rows of the files, in file order, as Python tuples."""
    con = duckdb.connect()
    rows = []
    for f in files:
        src = f"read_csv('{f}', header = true, all_varchar = true)" if fmt == "csv" else f"read_parquet('{f}')"
        rows += con.execute(f"SELECT * FROM {src}").fetchall()
    return rows


def _view(con, files: list[str], fmt: str) -> None:
    listing = ", ".join(f"'{f}'" for f in files)
    if fmt == "csv":
        # CSV headers -> Athena names, so the same queries work for both formats
        cols = ", ".join(f"'{h}': 'VARCHAR'" for h, _, _ in CUR_COLUMNS)
        select = ", ".join(
            f"TRY_CAST(\"{h}\" AS DOUBLE) AS {a}" if t == "DOUBLE" else f"coalesce(\"{h}\", '') AS {a}"
            for h, a, t in CUR_COLUMNS if t != "TIMESTAMP")
        con.execute(f"CREATE VIEW cur AS SELECT {select} FROM read_csv([{listing}], header = true, columns = {{{cols}}})")
    else:
        con.execute(f"CREATE VIEW cur AS SELECT * FROM read_parquet([{listing}])")


def test_athena_name_rule():
    assert athena_name("lineItem/UsageAmount") == "line_item_usage_amount"
    assert athena_name("savingsPlan/SavingsPlanARN") == "savings_plan_savings_plan_a_r_n"
    assert athena_name("resourceTags/user:cost-center") == "resource_tags_user_cost_center"
    assert athena_name("product/servicecode") == "product_servicecode"
    assert athena_name("identity/LineItemId") == "identity_line_item_id"


def test_cur_columns_contract():
    assert len(CUR_COLUMNS) >= 100
    for header, athena, dtype in CUR_COLUMNS:
        assert athena_name(header) == athena
        assert dtype in ("VARCHAR", "DOUBLE", "TIMESTAMP")
    names = [a for _, a, _ in CUR_COLUMNS]
    assert len(set(names)) == len(names)
    types = {a: t for _, a, t in CUR_COLUMNS}
    for required in ("identity_line_item_id", "identity_time_interval", "bill_bill_type", "line_item_resource_id",
                     "product_vcpu", "product_memory", "savings_plan_savings_plan_a_r_n",
                     "resource_tags_user_application", "resource_tags_user_environment", "resource_tags_user_cost_center",
                     "reservation_unused_recurring_fee", "pricing_public_on_demand_rate"):
        assert required in CORE_COLUMN_NAMES
    assert types["line_item_usage_start_date"] == "TIMESTAMP"
    assert types["line_item_unblended_cost"] == "DOUBLE"
    assert types["product_vcpu"] == "VARCHAR"


def test_file_columns_and_names(sample):
    fmt, root, summary = sample
    assert summary["months"] == ["2024-01", "2024-02"]
    assert len(summary["files"]) == 2 and summary["rows"] > 1000
    f = summary["files"][0]
    if fmt == "csv":
        assert f.endswith(".csv.gz")
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            header = fh.readline().rstrip("\n").split(",")
        assert header == [h for h, _, _ in CUR_COLUMNS]
        assert all(athena_name(h) == a for h, (_, a, _) in zip(header, CUR_COLUMNS))
    else:
        assert f.endswith(".snappy.parquet")
        desc = duckdb.connect().execute(f"DESCRIBE SELECT * FROM read_parquet('{f}')").fetchall()
        assert [(d[0], d[1]) for d in desc] == [(a, t) for _, a, t in CUR_COLUMNS]
    assert len(CUR_COLUMNS) >= 100


def test_deterministic(sample, tmp_path):
    fmt, root, first = sample
    second = _gen(tmp_path, fmt)
    assert second["rows"] == first["rows"]
    assert _read(first["files"], fmt) == _read(second["files"], fmt)
    assert all(filecmp.cmp(a, b, shallow=False) for a, b in zip(first["files"], second["files"]))
    other_seed = _gen(tmp_path / "other", fmt, seed=8)
    assert _read(other_seed["files"], fmt) != _read(first["files"], fmt)


def test_manifests(sample):
    fmt, root, summary = sample
    assert len(summary["manifests"]) == 4  # period-level + assembly copy, per month
    for path in summary["manifests"]:
        m = json.loads(Path(path).read_text())
        assert m["reportName"] == "carbon-sample" and m["bucket"] == "sample-cur-bucket"
        assert m["compression"] == ("GZIP" if fmt == "csv" else "Parquet")
        assert m["contentType"] == ("text/csv" if fmt == "csv" else "Parquet")
        assert m["billingPeriod"]["start"] in ("20240101T000000.000Z", "20240201T000000.000Z")
        assert len(m["columns"]) == len(CUR_COLUMNS)
        assert m["reportKeys"]
        for key in m["reportKeys"]:
            assert key.startswith("cur/carbon-sample/")
            assert m["assemblyId"] in key
            assert (root / key).is_file()
    period = root / "cur" / "carbon-sample" / "20240101-20240201"
    assert (period / "carbon-sample-Manifest.json").is_file()


def test_content(sample):
    fmt, root, summary = sample
    con = duckdb.connect()
    _view(con, summary["files"], fmt)
    one = lambda sql: con.execute(sql).fetchall()[0]  # noqa: E731
    n, distinct = one("SELECT count(*), count(DISTINCT (identity_line_item_id, identity_time_interval)) FROM cur")
    assert n == distinct == summary["rows"]
    assert one("SELECT min(length(identity_line_item_id)), max(length(identity_line_item_id)) FROM cur") == (52, 52)
    # exactly one instance of the type the catalogue does not know
    assert one("SELECT count(DISTINCT line_item_resource_id) FROM cur WHERE product_instance_type = 'x9z.mega'") == (1,)
    assert one("SELECT count(*) FROM cur WHERE line_item_usage_type = 'EUW3-BoxUsage:x9z.mega'")[0] > 0
    # every Savings Plan covered line has its negation
    covered, negated = one("""
        SELECT count(*), count(n.line_item_unblended_cost)
        FROM cur c LEFT JOIN cur n
          ON n.line_item_line_item_type = 'SavingsPlanNegation' AND n.line_item_resource_id = c.line_item_resource_id
         AND n.identity_time_interval = c.identity_time_interval AND n.line_item_usage_type = c.line_item_usage_type
         AND n.line_item_unblended_cost = -c.line_item_unblended_cost
        WHERE c.line_item_line_item_type = 'SavingsPlanCoveredUsage'""")
    assert covered > 0 and negated == covered
    types = {r[0] for r in con.execute("SELECT DISTINCT line_item_line_item_type FROM cur").fetchall()}
    assert {"Usage", "SavingsPlanCoveredUsage", "SavingsPlanNegation", "SavingsPlanRecurringFee", "Fee", "Tax",
            "Credit", "Refund"} <= types
    assert one("SELECT count(*) FROM cur WHERE line_item_line_item_type = 'Tax' AND line_item_tax_type <> 'VAT'") == (0,)
    assert one("SELECT count(*) FROM cur WHERE bill_billing_entity = 'AWS Marketplace'")[0] > 0
    assert one("SELECT count(*) FROM cur WHERE product_region <> '' AND product_region <> 'eu-west-3'") == (0,)
    if fmt == "parquet":  # missing strings are '' in real Parquet CUR, not NULL
        varchar = [a for _, a, t in CUR_COLUMNS if t == "VARCHAR"]
        assert one(f"SELECT {' + '.join(f'count(*) - count({c})' for c in varchar)} FROM cur") == (0,)


def test_delivery_2_restates(tmp_path):
    first = _gen(tmp_path, "parquet")
    second = _gen(tmp_path, "parquet", delivery=2)
    assert first["rows"] == second["rows"]
    period = tmp_path / "cur" / "carbon-sample" / "20240101-20240201"
    assemblies = sorted(p.name for p in period.iterdir() if p.is_dir())
    assert len(assemblies) == 2
    m1 = json.loads(Path(first["manifests"][0]).read_text())
    m2 = json.loads((period / "carbon-sample-Manifest.json").read_text())
    assert m1["assemblyId"] != m2["assemblyId"] and set(assemblies) == {m1["assemblyId"], m2["assemblyId"]}
    assert all(m2["assemblyId"] in k and (tmp_path / k).is_file() for k in m2["reportKeys"])
    assert Path(first["files"][0]).is_file()  # the old delivery stays, as on S3
    con = duckdb.connect()
    con.execute(f"CREATE VIEW a AS SELECT * FROM read_parquet('{first['files'][0]}')")
    con.execute(f"CREATE VIEW b AS SELECT * FROM read_parquet('{second['files'][0]}')")
    assert con.execute("SELECT count(*) FROM a JOIN b USING (identity_line_item_id)").fetchall() == [(0,)]
    key = "line_item_resource_id, line_item_usage_type, line_item_line_item_type, line_item_product_code, identity_time_interval"
    matched, changed = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE a.line_item_unblended_cost <> b.line_item_unblended_cost)
        FROM a JOIN b USING ({key})""").fetchall()[0]
    assert matched == con.execute("SELECT count(*) FROM a").fetchall()[0][0]
    assert 0 < changed < matched * 0.1


def test_plain_export_and_split_files(tmp_path):
    whole = generate_cur(tmp_path / "whole", fmt="csv", with_manifests=False, **SMALL)
    split = generate_cur(tmp_path / "split", fmt="csv", with_manifests=False, rows_per_file=1000, **SMALL)
    assert whole["manifests"] == [] and not list((tmp_path / "whole").rglob("*Manifest.json"))
    assert Path(whole["files"][0]) == tmp_path / "whole" / "20240101-20240201" / "carbon-sample-1.csv.gz"
    assert len(split["files"]) > len(whole["files"])
    assert split["rows"] == whole["rows"]
    assert _read(split["files"], "csv") == _read(whole["files"], "csv")


def test_filler_columns_off(tmp_path):
    s = generate_cur(tmp_path, fmt="parquet", months=1, n_instances=5, filler_columns=False)
    desc = duckdb.connect().execute(f"DESCRIBE SELECT * FROM read_parquet('{s['files'][0]}')").fetchall()
    assert [d[0] for d in desc] == CORE_COLUMN_NAMES


def test_hourly_lines(tmp_path):
    s = generate_cur(tmp_path, fmt="parquet", months=1, n_instances=5, granularity="hourly")
    con = duckdb.connect()
    con.execute(f"CREATE VIEW cur AS SELECT * FROM read_parquet('{s['files'][0]}')")
    assert con.execute("""
        SELECT max(line_item_usage_amount), max(line_item_usage_end_date - line_item_usage_start_date)
        FROM cur WHERE line_item_usage_type LIKE '%BoxUsage%'""").fetchall()[0][0] == 1.0


def test_row_order_survives_parallel_writes(tmp_path, monkeypatch):
    """Several row groups, 4 threads: rows must still come out in the generator's order."""
    connect = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: connect(config={"threads": 4}))
    s = generate_cur(tmp_path, fmt="parquet", months=1, n_instances=400, granularity="hourly", rows_per_file=150_000)
    monkeypatch.undo()
    assert s["rows"] > 250_000 and len(s["files"]) >= 2
    con = duckdb.connect()
    listing = ", ".join(f"'{f}'" for f in s["files"])
    # file order, then row order inside each file; monthly lines (fees, tax...) come last
    bad = con.execute(f"""
        SELECT count(*) FROM (
            SELECT line_item_usage_start_date AS t,
                   lag(line_item_usage_start_date) OVER (ORDER BY f, file_row_number) AS prev
            FROM (SELECT *, list_position([{listing}], filename) AS f
                  FROM read_parquet([{listing}], filename = true, file_row_number = true))
            WHERE line_item_usage_end_date - line_item_usage_start_date < INTERVAL 2 DAY)
        WHERE prev > t""").fetchall()[0][0]
    assert bad == 0
