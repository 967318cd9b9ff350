# Entry points. Every target creates .venv and installs on first use.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SEED    ?= 1

.PHONY: install test simulate bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev,cluster]'
	@touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -n auto

simulate: $(STAMP)
	$(BIN)/sim run scenarios --seed $(SEED) --junit build/junit.xml --json build/report.json --report build/report

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/sim asl validate asl/*.asl.json

clean:
	rm -rf $(VENV) build .pytest_cache
