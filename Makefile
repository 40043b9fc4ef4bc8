# Set-up and everyday tasks. Every target creates the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo.db

.PHONY: demo test lint bench clean

$(BIN)/benefit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(BIN)/benefit
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/benefit
	$(BIN)/benefit --db $(DEMO_DB) demo --replace

test: $(VENV)/.dev
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check benefit_cli tests bench
	$(BIN)/mypy benefit_cli

bench: $(BIN)/benefit
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) bench/out $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
