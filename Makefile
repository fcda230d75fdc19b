# hubcheck: `make run` and `make test` are the whole quick start.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DB     ?= var/hubcheck.sqlite
HUBCHECK := $(BIN)/hubcheck --db $(DB)

.PHONY: run test lint typecheck unit bench sample clean venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

HOST ?= 127.0.0.1
PORT ?= 8000

# Load the bundled sample data into the embedded store, print demo keys (one per role) and
# serve the API and the installer page on http://$(HOST):$(PORT).
run: venv
	mkdir -p var
	$(HUBCHECK) cpl import sample/sample-cpl.csv --history sample/sample-cpl-version-control.csv --no-warnings
	$(HUBCHECK) catalogue import sample/sample-catalogue.toml
	if [ -f sample/sample-fleet.csv ]; then $(HUBCHECK) inventory import sample/sample-fleet.csv; fi
	@echo "Demo API keys (revoked at the next make run):"
	@$(HUBCHECK) keys demo
	$(HUBCHECK) serve --host $(HOST) --port $(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

unit: venv
	$(BIN)/pytest -q

test: lint typecheck unit

bench: venv
	$(BIN)/python -m bench

# Regenerate the committed sample data from its generator (a test checks they agree).
sample: venv
	$(BIN)/hubcheck synth --sample-data sample

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache .hypothesis
