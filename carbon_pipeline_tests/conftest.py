"""Shared fixtures: real generated CUR files, real DuckDB warehouses in temporary folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from carbon_pipeline.config import load_config
from carbon_pipeline.sample_data.cur_generator import generate_cur


@pytest.fixture(scope="session")
def small_cur(tmp_path_factory) -> Path:
    """Two months, 20 instances, gzip CSV with manifests: the shape AWS delivers to S3."""
    root = tmp_path_factory.mktemp("small_cur")
    generate_cur(root, start_month="2024-01", months=2, n_instances=20, seed=7, fmt="csv")
    return root / "cur"


@pytest.fixture
def cur_copy(small_cur, tmp_path) -> Path:
    """A private copy a test may damage."""
    target = tmp_path / "cur"
    shutil.copytree(small_cur, target)
    return target


def write_config(folder: Path, location: str, **extra) -> Path:
    doc = {
        "warehouse": str(folder / "warehouse"),
        "factor_set": "default",
        "first_month": "2023-01",
        "sources": [{"name": "aws_main", "kind": "aws_cur", "location": location}],
        **extra,
    }
    path = folder / "carbon_pipeline.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.fixture
def make_config(tmp_path):
    def _make(location, **extra):
        return load_config(write_config(tmp_path, str(location), **extra))
    return _make


def pytest_configure(config):
    # Dagster's beta/deprecation notices are not ours to fix in a test run.
    config.addinivalue_line("filterwarnings", "ignore::Warning:dagster.*")
