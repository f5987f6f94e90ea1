# The project's only entry points. Everything sets itself up from nothing but
# Python 3.11, pip, git, make (and Node/npm for the contract tools).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
PACKAGE := binance_coinm_futures
GENERATED := generated/$(PACKAGE)
# The generator reads openapi.yaml through templates/generator_spec.py, which gives its JSON query
# parameters (`content: application/json`) a schema the generator understands.
GENERATOR_SPEC := $(VENV)/generator-openapi.yaml
GENERATE = $(BIN)/python templates/generator_spec.py openapi.yaml $(GENERATOR_SPEC) && \
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/openapi-python-client generate --path $(GENERATOR_SPEC) \
	--config generator-config.yaml --custom-template-path templates --meta none --fail-on-warning

.PHONY: help setup demo test generate check-generated lint typecheck pytest clean build api-check api-update arch bench \
	bench-smoke leak \
	lint-spec fuzz

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip  # 25.1 or later reads --group
	$(BIN)/python -m pip install --quiet -e '.[keys,testing]' --group dev
	touch $@

setup: $(STAMP) ## create .venv and install the package with its dev tools

# Spectral and Prism, at the versions package-lock.json pins.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

lint-spec: $(NPM_STAMP) ## Spectral over openapi.yaml (rules in .spectral.yaml): no error, no warning
	node_modules/.bin/spectral lint --fail-severity=warn openapi.yaml

demo: setup ## cancel two orders and a stop-loss on a local exchange, show a -2011
	$(BIN)/python examples/with_local_exchange.py -- $(BIN)/python examples/cancel_order.py

generate: setup ## regenerate generated/ from openapi.yaml
	rm -rf $(GENERATED)
	$(GENERATE) --output-path $(GENERATED) >/dev/null
	@echo "generated $(GENERATED) from openapi.yaml"

check-generated: setup ## fail if generated/ is not exactly what the generator makes
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GENERATE) --output-path "$$tmp/$(PACKAGE)" >/dev/null; \
	if ! diff -r --no-dereference -x __pycache__ "$$tmp/$(PACKAGE)" $(GENERATED) >"$$tmp/diff"; then \
		head -n 40 "$$tmp/diff"; \
		echo "generated/ differs from what openapi.yaml generates. Fix: make generate"; \
		exit 1; \
	fi; \
	echo "generated/ is byte-identical to a fresh generation"

lint: setup ## ruff over hand-written code, pyproject.toml validation
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/validate-pyproject pyproject.toml

arch: setup ## import contracts: generated never imports hand-written code, and so on
	$(BIN)/lint-imports

api-check: setup ## fail on a breaking change to the public API since the committed report
	$(BIN)/python api-report/api_report.py check

api-update: setup ## record the public API in api-report/ (on purpose: a release, a new name)
	$(BIN)/python api-report/api_report.py update

bench: ## CPU, latency and import time against the peers: bench/results.md and .png (~10 min)
	bash bench/run.sh

leak: setup ## the bounded leak run on every backend: fds, connections and memory back to baseline (~10 min)
	$(BIN)/python bench/leak.py

bench-smoke: setup ## every benchmark path of ours and the floors at N=20, never timed
	$(BIN)/python bench/run.py --smoke

build: setup ## wheel and sdist into dist/, wheel contents checked
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/check-wheel-contents dist/*.whl

typecheck: setup ## mypy --strict over hand-written, generated and test code
	$(BIN)/mypy

pytest: setup $(NPM_STAMP)
	$(BIN)/pytest -q

fuzz: setup ## the signature property test at 5,000 examples per key kind; prints the counts
	SIGNATURE_FUZZ_PROFILE=fuzz $(BIN)/pytest -q --timeout=900 tests/contract/test_signature_property.py

# What `make test` runs, in order. Each step's output goes to $(TEST_LOGS)/<step>.log; the
# terminal gets one line per step, a failed step's log in full and pytest's closing line.
TEST_STEPS := check-generated lint lint-spec arch api-check typecheck bench-smoke pytest
TEST_LOGS := .test-logs

test: ## everything CI runs: one line per step here, each step's output in .test-logs/
	@rm -rf $(TEST_LOGS) && mkdir -p $(TEST_LOGS)
	@$(MAKE) --no-print-directory -s setup $(NPM_STAMP) >$(TEST_LOGS)/setup.log 2>&1 \
		|| { cat $(TEST_LOGS)/setup.log; echo "make test: setup FAILED"; exit 1; }
	@bash tests/steps.sh $(TEST_LOGS) "$(MAKE)" $(TEST_STEPS)

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build dist
