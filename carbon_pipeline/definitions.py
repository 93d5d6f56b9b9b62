"""The Dagster code location (``dagster dev`` via workspace.yaml): definitions for the configuration
named by $CARBON_PIPELINE_CONFIG, else ./carbon_pipeline.yaml."""

from carbon_pipeline.config import load_config
from carbon_pipeline.pipeline import build_definitions

defs = build_definitions(load_config())
