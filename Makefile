# Entry points. Every target creates .venv and installs on first use.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SEED    ?= 1
PORT    ?= 4566
CLOCK   ?= real

.PHONY: install test simulate bench bench-storm bench-instructions bench-100k lint serve clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev,cluster]'
	@touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -n auto

simulate: $(STAMP)
	$(BIN)/sim run scenarios --seed $(SEED) --enforce-iam --junit build/junit.xml --json build/report.json --report build/report

bench: $(STAMP)
	$(BIN)/python -m bench

serve: $(STAMP)
	$(BIN)/sim serve --port $(PORT) --seed $(SEED) --clock $(CLOCK)

bench-storm: $(STAMP)  # issue 11's memory slope: storms of 100 and 400 bookings (tens of minutes)
	BENCH_STORM_MEMORY=100,400 $(BIN)/python -m bench storm

bench-instructions: $(STAMP)  # issue 11's ratios counted in instructions (valgrind; steady under load, a few minutes)
	BENCH_STORM_INSTRUCTIONS=1 $(BIN)/python -m bench storm

bench-100k: $(STAMP)  # sim storm --deliveries 100000 (~45 min of one core, peak ~1.7 GiB) after the memory slope
	BENCH_STORM_MEMORY=100,400 BENCH_STORM_100K=1 $(BIN)/python -m bench storm

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/sim asl validate asl/*.asl.json

clean:
	rm -rf $(VENV) build .pytest_cache
