# Set-up and everyday tasks. Every target creates the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo.db

.PHONY: demo test lint bench bench-quick clean

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

# The measures of the issues' speed targets, each against a baseline of the same run
# (about 15-20 minutes); bench-quick runs every measure smaller, once, for development.
bench: $(BIN)/benefit
	$(BIN)/python bench/run.py

bench-quick: $(BIN)/benefit
	$(BIN)/python bench/run.py --quick

clean:
	rm -rf $(VENV) bench/out $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
