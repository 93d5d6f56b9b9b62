# Two commands for a fresh machine: `make demo` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
SAMPLE  = sample_data
BENCH_ROWS ?= 10000000

.PHONY: demo test bench sample dagster clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

## Generate the sample CUR (deterministic) and run the whole pipeline on it.
demo: $(STAMP) $(SAMPLE)/.generated
	$(BIN)/carbon-pipeline run --config carbon_pipeline.yaml

$(SAMPLE)/.generated: $(STAMP) carbon_pipeline/sample_data/cur_generator.py
	rm -rf $(SAMPLE)
	$(BIN)/python -m carbon_pipeline.sample_data.cur_generator $(SAMPLE)
	touch $@

sample: $(SAMPLE)/.generated

## Lint for real mistakes (pyflakes rules), then the test suite (real DuckDB files, in-process Dagster,
## Great Expectations, a moto S3 server).
test: $(STAMP)
	$(BIN)/ruff check --select F,E9 --quiet carbon_pipeline carbon_pipeline_tests
	$(BIN)/python -m pytest -q

## Benchmark the pipeline against a bare DuckDB query on the same generated data.
bench: $(STAMP)
	$(BIN)/python -m carbon_pipeline.bench --rows $(BENCH_ROWS)

## The Dagster UI on the sample configuration.
dagster: $(STAMP) $(SAMPLE)/.generated
	$(BIN)/dagster dev

clean:
	rm -rf $(VENV) $(SAMPLE) warehouse bench_data .pytest_cache
