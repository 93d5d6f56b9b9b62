"""Learning-phase sources are validated with Great Expectations, month by month, as evidence for
the person who approves them; industrialised sources are not (their SQL audits still run)."""

from __future__ import annotations

import json

from dagster import DagsterInstance

from carbon_pipeline.config import load_config
from carbon_pipeline.orchestrate import run_pipeline
from carbon_pipeline.pipeline import build_definitions
from carbon_pipeline_tests.conftest import write_config
from carbon_pipeline_tests.helpers import write_cur_csv

HEALTHY = dict(product="AmazonEC2", usage_type="EUW3-BoxUsage:m5.large", resource="i-1", instance_type="m5.large",
               amount="24", cost="2.69", unit="Hrs", start="2024-03-05T00:00:00Z", end="2024-03-06T00:00:00Z")


def _lines(bad: bool) -> list[dict]:
    lines = [dict(HEALTHY, resource=f"i-{i}") for i in range(40)]
    if bad:
        lines += [
            *[dict(HEALTHY, resource=f"i-no-region-{i}", region="") for i in range(3)],  # > 5 % of usage without region
            dict(HEALTHY, resource="i-late", start="2024-04-02T00:00:00Z",
                 billing_period="2024-03-01T00:00:00Z"),                          # usage dated outside its bill
            dict(HEALTHY, resource="i-bad", amount="n/a"),                          # quarantined
        ]
    return lines


def _source(tmp_path, bad: bool, phase: str):
    write_cur_csv(tmp_path / "cur" / "2024-03.csv.gz", _lines(bad))
    doc_extra = {}
    path = write_config(tmp_path, str(tmp_path / "cur"), **doc_extra)
    text = path.read_text().replace("kind: aws_cur", f"kind: aws_cur\n  phase: {phase}")
    path.write_text(text)
    return load_config(path)


def test_a_learning_phase_month_gets_a_great_expectations_report(tmp_path):
    config = _source(tmp_path, bad=True, phase="learning")
    defs = build_definitions(config)
    result = defs.resolve_job_def("monthly_emissions").execute_in_process(partition_key="2024-03-01", instance=DagsterInstance.ephemeral())
    assert result.success  # evidence for a person, not a failed run
    (check,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "great_expectations_learning_phase"]
    assert check.passed is False and check.severity.value == "WARN"

    report = json.loads((config.validations_dir / "aws_main" / "2024-03.json").read_text())
    assert report["success"] is False and report["rows"] > 0
    failed = {(f["expectation"], f["column"]): f for f in report["failed"]}
    assert failed[("expect_column_values_to_not_be_null", "region_id")]["unexpected_count"] == 3
    assert failed[("expect_column_values_to_be_in_set", "usage_month")]["examples"] == ["2024-04"]
    assert ("expect_column_values_to_be_null", "quarantine_reason") in failed  # 1 in 45 lines > 1 %
    assert report["great_expectations"]["statistics"]["evaluated_expectations"] >= 10


def test_a_healthy_learning_month_passes_and_the_summary_says_so(tmp_path):
    config = _source(tmp_path, bad=False, phase="learning")
    summary = run_pipeline(config, ["2024-03"])
    report = json.loads((config.validations_dir / "aws_main" / "2024-03.json").read_text())
    assert report["success"] is True and report["failed"] == []
    assert "1 source-month(s) validated with Great Expectations, 0 with failed expectations" in summary.render()


def test_industrialised_sources_skip_the_validation(tmp_path):
    config = _source(tmp_path, bad=True, phase="industrialised")
    summary = run_pipeline(config, ["2024-03"])
    assert not (config.validations_dir / "aws_main").exists()
    assert "no source in its learning phase" in summary.render()
