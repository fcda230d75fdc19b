# hubcheck: `make run` and `make test` are the whole quick start.
#
#   make run     [PORT=8000] [HOST=127.0.0.1]   sample data into var/hubcheck.sqlite, demo keys, serve
#   make test                                    lint, type check, the whole suite (installs Chromium)
#   make docs                                    regenerate docs/reference/ (CLI and HTTP references)
#   make screenshots                             regenerate docs/img/ in the tests' Chromium
#   make bench | sample | clean
#
# Any Python from 3.11 to 3.13: PYTHON=python3.12 picks one; VENV=.venv-3.12 keeps a second venv.

# The first Python that runs and is 3.11 or later (a pyenv shim of a version not enabled does not run).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { command -v $$p; break; }; done)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DB     ?= var/hubcheck.sqlite
HUBCHECK := $(BIN)/hubcheck --db $(DB)
CHROMIUM := /usr/bin/chromium

.PHONY: run data test lint typecheck unit browser docs screenshots bench sample clean venv

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "hubcheck needs Python 3.11 to 3.13: install one, or give PYTHON=/path/to/python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

HOST ?= 127.0.0.1
PORT ?= 8000

DEMO_ENV ?= var/demo.env

# Load the bundled sample data into the embedded store, print demo keys (one per role; also in
# var/demo.env for another shell) and serve the API and the installer page on http://$(HOST):$(PORT).
run: data
	$(HUBCHECK) serve --host $(HOST) --port $(PORT)

# What make run serves (the docs' examples run against it: tests/test_docs_examples.py).
data: venv
	mkdir -p $(dir $(DB)) $(dir $(DEMO_ENV))
	$(HUBCHECK) cpl import sample/sample-cpl.csv --history sample/sample-cpl-version-control.csv --no-warnings
	$(HUBCHECK) catalogue import sample/sample-catalogue.toml
	if [ -f sample/sample-fleet.csv ]; then $(HUBCHECK) inventory import sample/sample-fleet.csv; fi
	@echo "Demo API keys (revoked at the next make run); in another shell, . $(DEMO_ENV) sets them:"
	@$(HUBCHECK) keys demo --env $(DEMO_ENV) --url http://$(HOST):$(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

# $(call need,PROGRAM,PACKAGE,WHO): when PROGRAM (a name on PATH or a path) is missing, install the
# distribution's PACKAGE if this user can (root with apt-get), else stop at once saying how.
define need
	@if ! command -v $(1) >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing $(2) for $(3)..."; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
		else \
			echo "$(1) is missing, and $(3) cannot run without it. Run:  sudo apt-get install -y $(2)"; \
			exit 1; \
		fi; \
	fi
endef

# The installer page and the risk report are tested in the distribution's Chromium (never skipped).
browser:
	$(call need,$(CHROMIUM),chromium,the browser tests)

unit: venv browser
	$(BIN)/pytest -q $(PYTEST_ARGS)

test: browser lint typecheck unit

# The CLI and HTTP references, from the Typer app and the OpenAPI document (a test checks them).
docs: venv
	$(BIN)/python -m api.cli._reference docs

# The installer page at 360 px and the risk report, taken in the tests' Chromium.
screenshots: venv browser
	$(BIN)/python -m tests.screenshots docs/img

# Every benchmark in turn, then issue 11's table beside its targets. The service's load comes from
# wrk (the distribution's package).
bench: venv
	$(call need,wrk,wrk,the service benchmark)
	$(BIN)/python -m bench

# Regenerate the committed sample data from its generator (a test checks they agree).
sample: venv
	$(BIN)/hubcheck synth --sample-data sample

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache .hypothesis
