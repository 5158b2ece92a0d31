# Everything runs from a project-local virtualenv made with the machine's python3 (3.11+).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: run test lint lint-openapi openapi migrate bench bench-bulk bench-matching bench-reports bench-mixed mutate mutate-ci clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -e '.[test]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(PIP) install -e '.[test,bench]'
	touch $@

$(VENV)/.installed-mutation: pyproject.toml $(VENV)/.installed-test
	$(PIP) install -e '.[test,mutation]'
	touch $@

## Start the service on the embedded SQLite database (migrations and reference data on start).
run: $(VENV)/.installed
	$(BIN)/linkage serve

## Run the whole test suite (SQLite, or PostgreSQL when LINKAGE_TEST_DATABASE_URL is set);
## PYTEST_ARGS passes more (CI: --ignore=tests/browser on its PostgreSQL pass).
test: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_ARGS)

## Static checks: ruff and mypy --strict on service/.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check service tests bench scripts
	$(BIN)/ruff format --check service tests bench scripts
	$(BIN)/mypy

## Lint the committed contract with Spectral (spectral:oas) and Redocly (recommended-strict).
lint-openapi:
	cd tools/openapi-lint && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	cd tools/openapi-lint && npm run -s spectral && \
	  REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npm run -s redocly

## Regenerate the committed OpenAPI contract.
openapi: $(VENV)/.installed
	$(BIN)/linkage openapi --output openapi/openapi.json
	$(BIN)/linkage event-schemas --output openapi/events

migrate: $(VENV)/.installed
	$(BIN)/linkage migrate

## Load benchmark against a raw asyncpg ceiling (needs the local PostgreSQL; installs wrk).
bench: $(VENV)/.installed-test
	bench/run.sh

## Bulk upsert: 10,000 lines on SQLite and PostgreSQL (needs the local PostgreSQL for the second).
bench-bulk: $(VENV)/.installed-test
	bench/bulk.sh

## Matching and allocation at 10k-100k volunteers (needs the local PostgreSQL).
bench-matching: $(VENV)/.installed-test
	bench/matching.sh

## Mutation testing of the domain, the PII vault, page tokens and preconditions (6-30 min on 2
## cores, as busy as they are): scores and every surviving mutant in var/mutation-report.md.
mutate: $(VENV)/.installed-mutation
	$(BIN)/python scripts/mutation.py --output var/mutation-report.md

## The bounded CI job: identifiers, masking and capacity (a few minutes); fails below 90 %.
mutate-ci: $(VENV)/.installed-mutation
	$(BIN)/python scripts/mutation.py --fail-under 90 --output var/mutation-ci.md \
		'service.domain.identity.*' 'service.domain.fulfilment.*'

## The reports at city scale: 200 stations, 1,000,000 service records … (needs the local PostgreSQL).
bench-reports: $(VENV)/.installed-test
	bench/reports.sh

## A city's morning: a mixed workload with Locust through HAProxy on 1 and 2 replicas, its
## highest clean rate and a soak at 70 % of it (needs the local PostgreSQL; installs haproxy).
bench-mixed: $(VENV)/.installed-bench
	bench/mixed.sh $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var mutants .pytest_cache .mypy_cache .ruff_cache
