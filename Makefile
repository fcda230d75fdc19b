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

# Load the bundled sample data into the embedded store and show what it holds.
run: venv
	mkdir -p var
	$(HUBCHECK) cpl import sample/sample-cpl.csv --history sample/sample-cpl-version-control.csv
	$(HUBCHECK) catalogue import sample/sample-catalogue.toml
	$(HUBCHECK) cpl versions --manufacturer F0A1 --model A1010100

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
