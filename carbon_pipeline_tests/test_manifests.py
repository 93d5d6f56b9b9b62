"""Which files make a month: the latest delivery per billing period, or every file if no manifest."""

from __future__ import annotations

import json
import os

import pytest

from carbon_pipeline.sources.aws_cur.manifests import discover_deliveries
from carbon_pipeline.sources.storage import LocalStore, SourceFileError


def _manifest(path, assembly, keys, start="20240101T000000.000Z"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"assemblyId": assembly, "reportName": "r",
                                "billingPeriod": {"start": start, "end": "20240201T000000.000Z"},
                                "reportKeys": keys}))


def _data(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")


def test_period_manifest_wins_over_older_assembly_manifests(tmp_path):
    period = tmp_path / "cur" / "r" / "20240101-20240201"
    for asm in ("a1", "a2"):
        _data(period / asm / "r-1.csv.gz")
        _manifest(period / asm / "r-Manifest.json", asm, [f"cur/r/20240101-20240201/{asm}/r-1.csv.gz"])
    # The period-level manifest was rewritten by the latest delivery, a2 ...
    _manifest(period / "r-Manifest.json", "a2", ["cur/r/20240101-20240201/a2/r-1.csv.gz"])
    # ... even if a copy made a1's assembly manifest look newer on disk.
    os.utime(period / "a1" / "r-Manifest.json", (4e9, 4e9))
    (delivery,) = discover_deliveries(LocalStore(tmp_path / "cur"))
    assert delivery.billing_month == "2024-01"
    assert delivery.delivery_id == "a2"
    assert [f.key for f in delivery.files] == ["r/20240101-20240201/a2/r-1.csv.gz"]


def test_without_period_manifest_the_newest_assembly_wins(tmp_path):
    period = tmp_path / "r" / "20240101-20240201"
    for i, asm in enumerate(("old", "new")):
        _data(period / asm / "r-1.csv.gz")
        _manifest(period / asm / "r-Manifest.json", asm, [f"r/20240101-20240201/{asm}/r-1.csv.gz"])
        os.utime(period / asm / "r-Manifest.json", (1e9 + i, 1e9 + i))
    (delivery,) = discover_deliveries(LocalStore(tmp_path))
    assert delivery.delivery_id == "new"


def test_folder_without_manifest_is_read_as_it_is(tmp_path):
    _data(tmp_path / "jan.csv.gz")
    _data(tmp_path / "sub" / "feb.parquet")
    (tmp_path / "notes.txt").write_text("ignored")
    (delivery,) = discover_deliveries(LocalStore(tmp_path))
    assert delivery.billing_month is None
    assert sorted(f.key for f in delivery.files) == ["jan.csv.gz", "sub/feb.parquet"]


def test_manifest_listing_a_missing_file_is_an_error_naming_both(tmp_path):
    _manifest(tmp_path / "r" / "20240101-20240201" / "r-Manifest.json", "a1", ["r/20240101-20240201/a1/gone.csv.gz"])
    with pytest.raises(SourceFileError, match=r"r-Manifest.json: lists report key .*gone.csv.gz"):
        discover_deliveries(LocalStore(tmp_path))


def test_unreadable_manifest_names_the_file(tmp_path):
    path = tmp_path / "r" / "20240101-20240201" / "r-Manifest.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(SourceFileError, match="r-Manifest.json: not a valid CUR manifest"):
        discover_deliveries(LocalStore(tmp_path))


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(SourceFileError, match="does not exist"):
        discover_deliveries(LocalStore(tmp_path / "nope"))
