# ossgrowth's entry points. Each target creates the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The venv is rebuilt when pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: venv run demo test lint bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,postgres]'
	rm -f $(VENV)/.installed-*
	touch $@

## run: serve the API on http://127.0.0.1:8000 (docs at /docs) over the embedded default store
run: venv
	$(BIN)/ossgrowth db upgrade
	$(BIN)/ossgrowth serve

## demo: the whole product offline: the API on :8000 over a simulated world (served on :9010)
demo: venv
	$(BIN)/ossgrowth demo --port 8000 --simulator-port 9010 --repos 20

## lint: formatting, lint rules and strict typing
lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

## test: lint, then every test (PostgreSQL tests need the server at 127.0.0.1:5432)
test: lint
	$(BIN)/pytest

## bench: the benchmarks in bench/; figures go to docs/benchmarks.md
bench: venv
	$(BIN)/python bench/store_ingest.py
	$(BIN)/python bench/api_cost.py --repos 1000
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/backfill.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
