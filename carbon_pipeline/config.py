"""Pipeline configuration: one YAML file, validated up front.

Why a hand-written validator rather than a schema library: the only consumer is this file, and a
user who mistypes a key must get one sentence naming that key (``sources[0].kind: ...``), not a
traceback. Everything downstream receives a frozen, already-checked ``PipelineConfig``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from carbon_pipeline.paths import FACTOR_SEEDS_DIR, REPO_ROOT

CONFIG_ENV_VAR = "CARBON_PIPELINE_CONFIG"
DEFAULT_CONFIG_NAME = "carbon_pipeline.yaml"

#: Source kinds this version can read. Later kinds add a staging model and an ingest module.
SOURCE_KINDS = ("aws_cur",)

_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class ConfigError(ValueError):
    """A configuration problem, phrased for the person who wrote the file."""


PHASES = ("learning", "industrialised")


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str
    location: str
    region: str | None = None
    # learning: runs by hand, each month validated with Great Expectations for a person to approve;
    # industrialised: approved, scheduled nightly, SQL audits only.
    phase: str = "learning"

    @property
    def is_s3(self) -> bool:
        return self.location.startswith("s3://")


OVERRIDABLE_FACTORS = ("pue", "grid_intensity", "host_lifetime_years", "cpu_utilisation")
_OVERRIDE_KEYS = {"factor", "provider", "region", "value", "reason"}


@dataclass(frozen=True)
class Override:
    """A figure the organisation knows better than the factor set (e.g. a contract PUE)."""

    factor: str
    provider: str
    value: float
    reason: str
    region: str | None = None

    def as_dict(self) -> dict:
        return {"factor": self.factor, "provider": self.provider, "region": self.region,
                "value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class PipelineConfig:
    warehouse: Path
    factor_set: str
    sources: tuple[SourceConfig, ...]
    application_tag: str = "user:application"
    aws_region: str | None = None
    first_month: str = "2020-01"
    memory_limit: str = "3GB"
    threads: int = 2
    config_path: Path | None = None
    factor_seeds_dir: Path = field(default=FACTOR_SEEDS_DIR)
    overrides: tuple[Override, ...] = ()

    @property
    def duckdb_path(self) -> Path:
        return self.warehouse / "carbon.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse / "parquet"

    @property
    def cache_dir(self) -> Path:
        return self.warehouse / "cache"

    @property
    def validations_dir(self) -> Path:
        return self.warehouse / "validations"


_TOP_KEYS = {
    "warehouse", "factor_set", "application_tag", "sources", "aws_region", "first_month",
    "memory_limit", "threads", "factor_seeds_dir", "overrides",
}
_SOURCE_KEYS = {"name", "kind", "location", "region", "phase"}


def resolve_config_path(explicit: str | os.PathLike | None = None) -> Path:
    """--config wins, then $CARBON_PIPELINE_CONFIG, then ./carbon_pipeline.yaml, then the repo's."""
    for candidate in (explicit, os.environ.get(CONFIG_ENV_VAR)):
        if candidate:
            path = Path(candidate).expanduser()
            if not path.is_file():
                raise ConfigError(f"config file not found: {path}")
            return path.resolve()
    for path in (Path.cwd() / DEFAULT_CONFIG_NAME, REPO_ROOT / DEFAULT_CONFIG_NAME):
        if path.is_file():
            return path.resolve()
    raise ConfigError(
        f"no configuration: pass --config FILE, set {CONFIG_ENV_VAR}, or create {DEFAULT_CONFIG_NAME}"
    )


def load_config(explicit: str | os.PathLike | None = None) -> PipelineConfig:
    path = resolve_config_path(explicit)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    return parse_config(raw, base_dir=path.parent, config_path=path)


def parse_config(raw: Any, *, base_dir: Path, config_path: Path | None = None) -> PipelineConfig:
    """Validate a parsed YAML document. Relative paths are relative to the config file."""
    where = str(config_path) if config_path else "config"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with keys warehouse, factor_set, sources")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' (known: {', '.join(sorted(_TOP_KEYS))})")

    def required_str(mapping: dict, key: str, label: str) -> str:
        value = mapping.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: '{label}' is required and must be a non-empty string")
        return value.strip()

    warehouse = _resolve_path(required_str(raw, "warehouse", "warehouse"), base_dir)
    factor_set = required_str(raw, "factor_set", "factor_set")
    seeds_dir = FACTOR_SEEDS_DIR
    if "factor_seeds_dir" in raw:
        seeds_dir = _resolve_path(required_str(raw, "factor_seeds_dir", "factor_seeds_dir"), base_dir)
    if not (seeds_dir / factor_set / "factor_set.yaml").is_file():
        known = sorted(p.parent.name for p in seeds_dir.glob("*/factor_set.yaml"))
        raise ConfigError(
            f"{where}: 'factor_set': no factor set named '{factor_set}' in {seeds_dir} (known: {', '.join(known) or 'none'})"
        )

    application_tag = raw.get("application_tag", "user:application")
    if not isinstance(application_tag, str) or not application_tag:
        raise ConfigError(f"{where}: 'application_tag' must be a tag key such as user:application")

    first_month = str(raw.get("first_month", "2020-01"))
    if not _MONTH_RE.match(first_month):
        raise ConfigError(f"{where}: 'first_month' must look like 2024-01, got {first_month!r}")

    threads = raw.get("threads", 2)
    if not isinstance(threads, int) or threads < 1:
        raise ConfigError(f"{where}: 'threads' must be a positive integer")
    memory_limit = str(raw.get("memory_limit", "3GB"))
    aws_region = raw.get("aws_region")
    if aws_region is not None and not isinstance(aws_region, str):
        raise ConfigError(f"{where}: 'aws_region' must be a string such as eu-west-3")

    sources_raw = raw.get("sources")
    if not isinstance(sources_raw, list) or not sources_raw:
        raise ConfigError(f"{where}: 'sources' must be a non-empty list of {{name, kind, location}}")
    sources: list[SourceConfig] = []
    for i, item in enumerate(sources_raw):
        label = f"sources[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: '{label}' must be a mapping with name, kind, location")
        unknown = sorted(set(item) - _SOURCE_KEYS)
        if unknown:
            raise ConfigError(f"{where}: '{label}.{unknown[0]}' is not a source key (known: {', '.join(sorted(_SOURCE_KEYS))})")
        name = required_str(item, "name", f"{label}.name")
        if not _NAME_RE.match(name):
            raise ConfigError(f"{where}: '{label}.name' must be lower_snake_case, got {name!r}")
        kind = required_str(item, "kind", f"{label}.kind")
        if kind not in SOURCE_KINDS:
            raise ConfigError(f"{where}: '{label}.kind' must be one of {', '.join(SOURCE_KINDS)}, got {kind!r}")
        location = required_str(item, "location", f"{label}.location")
        if not location.startswith("s3://"):
            location = str(_resolve_path(location, base_dir))
        elif not re.match(r"^s3://[a-z0-9][a-z0-9.\-]{1,62}(/.*)?$", location):
            raise ConfigError(f"{where}: '{label}.location' is not a valid s3://bucket/prefix: {location!r}")
        region = item.get("region", aws_region)
        phase = item.get("phase", "learning")
        if phase not in PHASES:
            raise ConfigError(f"{where}: '{label}.phase' must be one of {', '.join(PHASES)}, got {phase!r}")
        sources.append(SourceConfig(name=name, kind=kind, location=location, region=region, phase=phase))
    names = [s.name for s in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{where}: 'sources': duplicate source name '{duplicates[0]}'")

    overrides = _parse_overrides(raw.get("overrides", []), where)

    return PipelineConfig(
        warehouse=warehouse,
        factor_set=factor_set,
        sources=tuple(sources),
        application_tag=application_tag,
        aws_region=aws_region,
        first_month=first_month,
        memory_limit=memory_limit,
        threads=threads,
        config_path=config_path,
        factor_seeds_dir=seeds_dir,
        overrides=overrides,
    )


def _parse_overrides(items: Any, where: str) -> tuple[Override, ...]:
    if not isinstance(items, list):
        raise ConfigError(f"{where}: 'overrides' must be a list of {{factor, provider, region, value, reason}}")
    result = []
    for i, item in enumerate(items):
        label = f"overrides[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: '{label}' must be a mapping")
        unknown = sorted(set(item) - _OVERRIDE_KEYS)
        if unknown:
            raise ConfigError(f"{where}: '{label}.{unknown[0]}' is not an override key (known: {', '.join(sorted(_OVERRIDE_KEYS))})")
        factor = item.get("factor")
        if factor not in OVERRIDABLE_FACTORS:
            raise ConfigError(f"{where}: '{label}.factor' must be one of {', '.join(OVERRIDABLE_FACTORS)}, got {factor!r}")
        provider = item.get("provider")
        if provider not in ("aws", "azure", "gcp"):
            raise ConfigError(f"{where}: '{label}.provider' must be aws, azure or gcp, got {provider!r}")
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ConfigError(f"{where}: '{label}.value' must be a positive number, got {value!r}")
        if factor == "pue" and value < 1:
            raise ConfigError(f"{where}: '{label}.value': a PUE is at least 1, got {value}")
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{where}: '{label}.reason' is required: say where the figure comes from")
        region = item.get("region")
        if region is not None and (not isinstance(region, str) or not region):
            raise ConfigError(f"{where}: '{label}.region' must be a region id such as eu-west-3")
        if factor in ("host_lifetime_years", "cpu_utilisation") and region is not None:
            raise ConfigError(f"{where}: '{label}.region': {factor} is set per provider, not per region")
        if factor == "cpu_utilisation" and value > 1:
            raise ConfigError(f"{where}: '{label}.value': a utilisation is a ratio between 0 and 1, got {value}")
        result.append(Override(factor, provider, float(value), reason.strip(), region))
    return tuple(result)


def _resolve_path(value: str, base_dir: Path) -> Path:
    path = Path(os.path.expandvars(value)).expanduser()
    return (path if path.is_absolute() else base_dir / path).resolve()
