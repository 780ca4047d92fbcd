# Set-up:  make run   (environment, migrations, demo data, server on :8000)
#          make test  (lint, types, migration check, test suite on SQLite and PostgreSQL)
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := env
# `make test` runs its steps in the order listed, stopping at the first failure.
.NOTPARALLEL:

UV_VERSION := 0.13.9
UV := .tools/bin/uv
BIN := .venv/bin
STAMP := .venv/.synced
LINT_DIRS := $(wildcard src tests bench tools)

.PHONY: env run test lint typecheck migrations-check chromium test-sqlite test-pg clean

env: $(STAMP)

# uv comes from PyPI through pip, so nothing is downloaded from elsewhere; uv itself
# then installs exactly uv.lock with the system python3 (never a downloaded one).
$(UV):
	python3 -m venv .tools
	.tools/bin/pip install -q uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock | $(UV)
	UV_PYTHON_DOWNLOADS=never $(UV) sync --frozen --python python3
	touch $@

run: env
	$(BIN)/yima migrate
	$(BIN)/yima demo
	$(BIN)/yima serve --host 127.0.0.1 --port 8000

test: env lint typecheck migrations-check chromium test-sqlite test-pg

lint: env
	$(BIN)/ruff check $(LINT_DIRS)

typecheck: env
	$(BIN)/mypy src

# The models must match the migrations: migrate a fresh database, then autogenerate
# must find nothing to do.
migrations-check: env
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	export YIMA_DATABASE_URL="sqlite:///$$tmp/check.db"; \
	$(BIN)/yima migrate; \
	$(BIN)/alembic check

chromium:
	tools/ensure-chromium.sh

test-sqlite: env
	env -u YIMA_TEST_DATABASE_URL $(BIN)/pytest -p no:cacheprovider

test-pg: env
	$(BIN)/python tools/pgtest.py -- $(BIN)/pytest -p no:cacheprovider

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache .hypothesis test-artifacts
	find src tests tools -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true
