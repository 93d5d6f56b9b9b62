"""``carbon-pipeline``: run the Dagster assets in-process for chosen months, and report.

The CLI and ``dagster dev`` execute the same asset definitions; the CLI only chooses the months,
draws a progress bar per stage and prints a summary. Errors are printed as one sentence (file,
column, row where known), never as a traceback, and the exit code says what happened.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def parse_months(text: str) -> list[str]:
    """'2024-01:2024-03' (inclusive range) or '2024-01,2024-05' or '2024-02'."""
    month = r"\d{4}-(0[1-9]|1[0-2])"
    if re.fullmatch(f"{month}:{month}", text):
        start, end = text.split(":")
        if start > end:
            raise ValueError(f"--months: range start {start} is after its end {end}")
        months, (y, m) = [], map(int, start.split("-"))
        while f"{y:04d}-{m:02d}" <= end:
            months.append(f"{y:04d}-{m:02d}")
            y, m = (y, m + 1) if m < 12 else (y + 1, 1)
        return months
    parts = [p.strip() for p in text.split(",") if p.strip()]
    bad = [p for p in parts if not re.fullmatch(month, p)]
    if not parts or bad:
        raise ValueError(f"--months: expected 2024-01:2024-03 or 2024-01,2024-02, got {text!r}")
    return sorted(set(parts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="carbon-pipeline", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="materialise every asset for the given months")
    run_p.add_argument("--config", help="YAML config (default: $CARBON_PIPELINE_CONFIG or ./carbon_pipeline.yaml)")
    run_p.add_argument("--months", help="2024-01:2024-03 or 2024-01,2024-02 (default: every month in the sources)")
    run_p.add_argument("--full-refresh", action="store_true", help="drop the pipeline's tables first (after a model's columns changed)")
    run_p.add_argument("--recompute", action="store_true",
                       help="recompute already published months with the configured factor set (otherwise they keep theirs)")
    run_p.add_argument("--no-progress", action="store_true", help="no progress bars (logs and CI)")
    months_p = sub.add_parser("months", help="list the billing months present in the sources")
    months_p.add_argument("--config")
    explain_p = sub.add_parser("explain", help="every factor and step from usage to kgCO2e for one resource")
    explain_p.add_argument("resource_id")
    explain_p.add_argument("--date", help="one usage day, YYYY-MM-DD (default: every day published)")
    explain_p.add_argument("--config")
    args = parser.parse_args(argv)

    from carbon_pipeline.config import ConfigError, load_config

    try:
        config = load_config(args.config)
        if args.command == "explain":
            from carbon_pipeline.explain import NothingToExplain, explain

            try:
                print(explain(config.duckdb_path, args.resource_id, args.date))
            except NothingToExplain as exc:
                print(f"carbon-pipeline: {exc}", file=sys.stderr)
                return EXIT_FAILED
            return EXIT_OK
        if args.command == "months":
            from carbon_pipeline.orchestrate import discover_months

            print("\n".join(discover_months(config)))
            return EXIT_OK
        months = parse_months(args.months) if args.months else None
    except (ConfigError, ValueError) as exc:
        print(f"carbon-pipeline: {exc}", file=sys.stderr)
        return EXIT_USAGE

    from carbon_pipeline.orchestrate import PipelineFailed, run_pipeline

    warnings.filterwarnings("ignore", module="dagster")
    try:
        summary = run_pipeline(config, months, progress_bars=not args.no_progress,
                               full_refresh=args.full_refresh, recompute=args.recompute)
    except PipelineFailed as exc:
        print(f"carbon-pipeline: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(summary.render())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
