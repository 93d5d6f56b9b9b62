"""Bad configuration gives one sentence naming the key, never a traceback."""

from __future__ import annotations

import pytest
import yaml

from carbon_pipeline.cli import main, parse_months
from carbon_pipeline.config import ConfigError, load_config


def _write(tmp_path, doc) -> str:
    path = tmp_path / "c.yaml"
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
    return str(path)


GOOD = {"warehouse": "wh/", "factor_set": "default",
        "sources": [{"name": "aws_main", "kind": "aws_cur", "location": "cur/"}]}


def test_good_config_resolves_paths_relative_to_the_file(tmp_path):
    config = load_config(_write(tmp_path, GOOD))
    assert config.warehouse == (tmp_path / "wh").resolve()
    assert config.duckdb_path.name == "carbon.duckdb"
    assert config.sources[0].location == str((tmp_path / "cur").resolve())
    assert config.application_tag == "user:application"


@pytest.mark.parametrize(
    "mutate, key",
    [
        (lambda d: d.pop("warehouse"), "'warehouse'"),
        (lambda d: d.update(factor_set="nope"), "'factor_set'"),
        (lambda d: d.update(colour="red"), "'colour'"),
        (lambda d: d["sources"][0].update(kind="oracle"), "'sources[0].kind'"),
        (lambda d: d["sources"][0].pop("location"), "'sources[0].location'"),
        (lambda d: d["sources"][0].update(location="s3://UPPER/x"), "'sources[0].location'"),
        (lambda d: d["sources"].append(dict(d["sources"][0])), "duplicate source name 'aws_main'"),
        (lambda d: d.update(first_month="2024-13"), "'first_month'"),
        (lambda d: d.update(sources=[]), "'sources'"),
    ],
)
def test_bad_config_names_the_key(tmp_path, mutate, key):
    doc = yaml.safe_load(yaml.safe_dump(GOOD))
    mutate(doc)
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, doc))
    assert key in str(err.value)


def test_cli_prints_one_line_for_bad_config(tmp_path, capsys):
    doc = dict(GOOD, factor_set="missing_set")
    code = main(["run", "--config", _write(tmp_path, doc)])
    err = capsys.readouterr().err
    assert code == 2
    assert "'factor_set'" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_config_from_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("CARBON_PIPELINE_CONFIG", _write(tmp_path, GOOD))
    assert load_config().config_path == (tmp_path / "c.yaml").resolve()


def test_invalid_yaml_is_reported_with_the_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(_write(tmp_path, "warehouse: [unclosed"))


@pytest.mark.parametrize(
    "text, months",
    [
        ("2024-01:2024-03", ["2024-01", "2024-02", "2024-03"]),
        ("2023-11:2024-02", ["2023-11", "2023-12", "2024-01", "2024-02"]),
        ("2024-05,2024-01", ["2024-01", "2024-05"]),
        ("2024-02", ["2024-02"]),
    ],
)
def test_month_ranges(text, months):
    assert parse_months(text) == months


@pytest.mark.parametrize("text", ["2024-3", "2024-03:2024-01", "24-01", ""])
def test_bad_month_ranges(text):
    with pytest.raises(ValueError, match="--months"):
        parse_months(text)
