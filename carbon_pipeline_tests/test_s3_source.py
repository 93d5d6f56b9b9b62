"""S3 through boto3 against a moto server: latest delivery only, ETag cache, no secret leaks."""

from __future__ import annotations

import re
import shutil
import socket

import boto3
import duckdb
import pytest
from moto.server import ThreadedMotoServer

from carbon_pipeline.orchestrate import run_pipeline
from carbon_pipeline.sample_data.cur_generator import generate_cur
from carbon_pipeline_tests.helpers import _stable, table

FAKE_KEY_ID = "AKIAFAKEKEYID0000042"
FAKE_SECRET = "fake-secret-value-never-logged-42"


@pytest.fixture(scope="module")
def s3_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_env(s3_server, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return s3_server


@pytest.fixture(scope="module")
def two_deliveries(tmp_path_factory):
    """One month delivered twice; the second restates some amounts and gets new line item ids."""
    root = tmp_path_factory.mktemp("deliveries")
    generate_cur(root, start_month="2024-03", months=1, n_instances=15, seed=3, fmt="csv", delivery=1)
    first_only = tmp_path_factory.mktemp("first_only")
    shutil.copytree(root / "cur", first_only / "cur")
    generate_cur(root, start_month="2024-03", months=1, n_instances=15, seed=3, fmt="csv", delivery=2)
    return root / "cur", first_only / "cur"


def _upload(folder, bucket, prefix):
    s3 = boto3.client("s3", region_name="eu-west-3")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            s3.upload_file(str(path), bucket, f"{prefix}/{path.relative_to(folder).as_posix()}")


def _latest_only(folder, tmp_path):
    """A local copy holding only what the period manifest points at (the second delivery)."""
    import json

    target = tmp_path / "latest_only"
    shutil.copytree(folder, target)
    (manifest,) = [p for p in target.rglob("*-Manifest.json") if re.fullmatch(r"\d{8}-\d{8}", p.parent.name)]
    keep = json.loads(manifest.read_text())["assemblyId"]
    for assembly in manifest.parent.iterdir():
        if assembly.is_dir() and assembly.name != keep:
            shutil.rmtree(assembly)
    return target


def _totals(config):
    con = duckdb.connect(str(config.duckdb_path), read_only=True)
    rec = con.execute("SELECT lines_in, billed_cost_in, effective_cost_in, it_energy_kwh, operational_kgco2e, embodied_kgco2e FROM marts.fct_cost_reconciliation").fetchall()
    facts = con.execute("SELECT resource_id, usage_date, instance_hours, total_kgco2e, effective_cost FROM marts.fct_instance_emissions").fetchall()
    stable = lambda rows: sorted(tuple(_stable(v) for v in r) for r in rows)  # noqa: E731
    return stable(rec), stable(facts)


def test_s3_month_equals_its_latest_delivery_only(aws_env, two_deliveries, tmp_path, make_config, capfd):
    both, first_only = two_deliveries
    _upload(both, "cur-bucket", "exports")
    s3_config = make_config("s3://cur-bucket/exports/", aws_region="eu-west-3")
    run_pipeline(s3_config)
    s3_totals = _totals(s3_config)

    latest_dir = tmp_path / "l"
    latest_dir.mkdir()
    from carbon_pipeline.config import load_config
    from carbon_pipeline_tests.conftest import write_config

    latest = load_config(write_config(latest_dir, str(_latest_only(both, tmp_path))))
    run_pipeline(latest)
    first_dir = tmp_path / "f"
    first_dir.mkdir()
    first = load_config(write_config(first_dir, str(first_only)))
    run_pipeline(first)

    assert s3_totals == _totals(latest)
    assert s3_totals != _totals(first), "the restated delivery must differ, or this test proves nothing"
    con = duckdb.connect(str(s3_config.duckdb_path), read_only=True)
    files = table(con, "SELECT DISTINCT delivery_id, file_uri FROM raw.source_files")
    assert len({f["delivery_id"] for f in files}) == 1
    assert all(f["file_uri"].startswith("s3://cur-bucket/exports/") for f in files)

    # Secrets stay secret: not in the warehouse, the cache, the Parquet, nor anything printed.
    out, err = capfd.readouterr()
    for path in s3_config.warehouse.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert FAKE_SECRET.encode() not in data and FAKE_KEY_ID.encode() not in data, path
    assert FAKE_SECRET not in out + err and FAKE_KEY_ID not in out + err


def test_unchanged_objects_are_not_downloaded_twice(aws_env, two_deliveries, make_config):
    both, _ = two_deliveries
    _upload(both, "cache-bucket", "p")
    config = make_config("s3://cache-bucket/p/", aws_region="eu-west-3")
    run_pipeline(config)
    cached = {p: p.stat().st_mtime_ns for p in (config.cache_dir).rglob("*") if p.is_file()}
    assert any("/s3/cache-bucket/" in str(p) for p in cached)
    run_pipeline(config)
    again = {p: p.stat().st_mtime_ns for p in (config.cache_dir).rglob("*") if p.is_file()}
    assert again == cached


def test_unreachable_bucket_is_a_clear_error(aws_env, make_config):
    from carbon_pipeline.orchestrate import PipelineFailed

    config = make_config("s3://no-such-bucket/cur/", aws_region="eu-west-3")
    with pytest.raises(PipelineFailed, match=r"s3://no-such-bucket/cur/: cannot list objects: NoSuchBucket"):
        run_pipeline(config)
