# Two entry points for a fresh machine: `make run` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Solve the default Guiyang/Gui'an model; results and report go to results/guiyang/
run: $(STAMP)
	$(BIN)/planner run models/guiyang.toml
	$(BIN)/planner report results/guiyang

## Run the test suite
test: $(STAMP)
	$(BIN)/python -m pytest

## Performance benchmark against raw HiGHS (writes bench/results.md)
bench: $(STAMP)
	$(BIN)/python bench/run_bench.py

clean:
	rm -rf $(VENV) results .pytest_cache
