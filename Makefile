# motcua: `make run` starts the whole system, `make test` runs the tests. Nothing else to install by hand:
# the first call makes a private copy of uv (.cache/uv) and the project environment (.venv) from uv.lock.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV_HOME := .cache/uv
UV := $(UV_HOME)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
RUN := $(UV) run --frozen --no-sync
PYTEST_WORKERS ?= 2

.PHONY: run test test-fast fuzz token api-key lint fmt typecheck check migrate revision env-example bench openapi clean help

help:
	@echo "make run                      start the system on SQLite (gateway http://127.0.0.1:8000, docs /docs)"
	@echo "make test                     run the test suite (also on PostgreSQL when POSTGRES_URL is set)"
	@echo "make fuzz                     fuzz every API from its OpenAPI document, 500 examples per operation"
	@echo "make token ROLE=<role>        print a development bearer token"
	@echo "make api-key CLIENT=<name> ROLES=<roles>   print an API key for a system client"
	@echo "make lint | fmt | typecheck   ruff, ruff format, mypy --strict"
	@echo "make migrate                  migrate the local SQLite databases"
	@echo "make revision SERVICE=<pkg> MSG=<text>   write a migration for a service"
	@echo "make bench                    run the benchmarks and write docs/benchmarks.md"
	@echo "make env-example              regenerate .env.example and the configuration reference in docs/operations.md"
	@echo "make openapi                  regenerate the committed OpenAPI documents in contracts/openapi/"

$(UV):
	@$(PYTHON) -m venv $(UV_HOME)
	@$(UV_HOME)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	@$(UV) sync --frozen --quiet
	@touch $@

run: .venv/.synced
	@$(RUN) python -m motcua_tools.run

test: .venv/.synced
	@$(RUN) pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The fuzzing tests with many more examples than `make test` gives them, on a new seed each run.
FUZZ_MAX_EXAMPLES ?= 500
fuzz: .venv/.synced
	@seed=$${FUZZ_SEED:-$$RANDOM$$RANDOM}; echo "fuzzing with FUZZ_SEED=$$seed"; \
	FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) FUZZ_SEED=$$seed $(RUN) pytest -n $(PYTEST_WORKERS) --dist loadfile tests/fuzz $(PYTEST_ARGS)

test-fast: .venv/.synced
	@$(RUN) pytest -x $(PYTEST_ARGS)

token: .venv/.synced
	@test -n "$(ROLE)" || { echo "usage: make token ROLE=<role>"; exit 2; }
	@$(RUN) python -m motcua_tools.token --role "$(ROLE)"

api-key: .venv/.synced
	@test -n "$(CLIENT)" -a -n "$(ROLES)" || { echo "usage: make api-key CLIENT=<name> ROLES=<roles>"; exit 2; }
	@$(RUN) python -m motcua_tools.apikey --client "$(CLIENT)" --roles "$(ROLES)"

lint: .venv/.synced
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .
	@$(RUN) lint-imports

fmt: .venv/.synced
	@$(RUN) ruff check --fix .
	@$(RUN) ruff format .

typecheck: .venv/.synced
	@$(RUN) mypy

check: lint typecheck test

migrate: .venv/.synced
	@for pkg in procedure_catalog dossier_api satisfaction_survey; do $(RUN) python -m $$pkg migrate || exit 1; done

revision: .venv/.synced
	@test -n "$(SERVICE)" -a -n "$(MSG)" || { echo "usage: make revision SERVICE=<package> MSG=<text>"; exit 2; }
	@$(RUN) python -m $(SERVICE) revision -m "$(MSG)"

bench: .venv/.synced
	@$(RUN) python -m bench $(BENCH_ARGS)

openapi: .venv/.synced
	@$(RUN) python -m motcua_tools.contracts dump

env-example: .venv/.synced
	@$(RUN) python -m motcua_tools.envdoc > .env.example
	@$(RUN) python -m motcua_tools.opsdoc

clean:
	rm -rf .venv $(UV_HOME) .pytest_cache .mypy_cache .ruff_cache
