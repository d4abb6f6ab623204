# The alliance kernel. `make help` lists the targets; each documents itself with a `## ` comment.
# `make run` and `make test` work on a fresh checkout (or after `git clean -xdf`): they create
# .venv with the first Python >= 3.11 found and install the project into it when needed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Newer than pyproject.toml once `pip install -e .[dev]` has run for its current content.
STAMP := $(VENV)/.installed
PYTHONS ?= python3.13 python3.12 python3.11 python3
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# pytest-xdist processes: the suite waits on databases and subprocesses, so three beat two
# even on two cores. 0 runs in one process.
TEST_WORKERS ?= 3

.PHONY: help setup run test test-deep lint bench schema clean

help: ## list the targets
	@echo "Targets (make TARGET):"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-7s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(PY):
	@found=""; \
	for candidate in $(PYTHONS); do \
	  version=$$($$candidate -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue; \
	  found="$$found $$candidate($$version)"; \
	  if $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
	    echo "Creating $(VENV) with $$candidate (Python $$version) ..."; \
	    $$candidate -m venv $(VENV); \
	    exit 0; \
	  fi; \
	done; \
	echo "error: Python >= 3.11 is required; found:$${found:- no Python at all} (tried $(PYTHONS))" >&2; \
	exit 1

$(STAMP): pyproject.toml | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "error: $(VENV) has Python $$($(PY) -V 2>&1); 3.11+ is required: run 'make clean' first" >&2; \
	  exit 1; }
	@echo "Installing the project and its dev tools into $(VENV) (pyproject.toml changed) ..."
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## create .venv and install the project (only when pyproject.toml changed)

run: setup ## migrate, load the demo alliance, serve on http://127.0.0.1:8000 (GraphiQL: /graphql)
	$(BIN)/alliance migrate
	$(BIN)/alliance demo
	exec $(BIN)/alliance serve --host $(HOST) --port $(PORT)

test: setup ## run the whole test suite, in parallel (make test PYTEST_ARGS='-k cli -x' TEST_WORKERS=0)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

test-deep: setup ## nightly-style: the property tests with many more examples (slow)
	REVENUE_SHARE_EXAMPLES=20000 $(BIN)/pytest plugins/revenue_share/tests/test_state_machine.py $(PYTEST_ARGS)

lint: setup ## ruff check, ruff format --check and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup ## run the benchmarks (python -m benchmarks)
	@if [ -f benchmarks/__main__.py ]; then \
	  $(PY) -m benchmarks; \
	else \
	  echo "No benchmarks yet: benchmarks/__main__.py does not exist."; \
	fi

schema: setup ## rewrite schema.graphql from the code (review the diff, then commit it)
	$(PY) -m kernel.gateway.snapshot

clean: ## remove .venv, caches and build output (keeps var/: the local database and dev secret)
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
