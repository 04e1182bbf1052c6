# Two entry points for a fresh machine: `make run` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench install clean browser

# The headless-browser test of the report needs Debian's chromium and a CJK font (so its screenshot
# shows the Chinese labels). `make test` installs both when they are missing and it can (root with
# apt-get; three tries, so a mirror's hiccup does not fail the run), and otherwise says that the
# browser test is skipped and how to enable it.
CHROMIUM ?= $(shell command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null)
CJK_FONT ?= $(shell fc-list :lang=zh family 2>/dev/null | head -n 1)
BROWSER_PACKAGES := chromium fonts-wqy-zenhei

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	# Bytecode now, as a non-editable install would: where PYTHONDONTWRITEBYTECODE is set, every run
	# would otherwise compile planner from source (0.1 s). A module edited later is recompiled in memory.
	$(BIN)/python -m compileall -q planner
	touch $(STAMP)

install: $(STAMP)

## Solve the default Guiyang/Gui'an model; results and report go to results/guiyang/
run: $(STAMP)
	$(BIN)/planner run models/guiyang.toml
	$(BIN)/planner report results/guiyang

## Run the test suite (installs the report test's browser first when it can)
test: $(STAMP) browser
	$(BIN)/python -m pytest

## Debian's chromium and a CJK font for the report's browser test, when missing and possible
browser:
	@if [ -n "$(CHROMIUM)" ] && [ -n "$(CJK_FONT)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing $(BROWSER_PACKAGES) for the report's browser test (apt-get)"; \
	  for attempt in 1 2 3; do \
	    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; then \
	      exit 0; \
	    fi; \
	    echo "apt-get failed (attempt $$attempt of 3); retrying" >&2; \
	    [ $$attempt = 3 ] || sleep 10; \
	  done; \
	  echo "could not install $(BROWSER_PACKAGES)." >&2; \
	fi; \
	if [ -z "$(CHROMIUM)" ]; then \
	  echo "NOTE: chromium is not installed, so the browser test of the report (tests/test_report.py) is SKIPPED." >&2; \
	  echo "      To run it: sudo apt-get install $(BROWSER_PACKAGES)   (or run make test as root on Debian/Ubuntu)" >&2; \
	else \
	  echo "NOTE: no CJK font found (fc-list :lang=zh), so the report screenshot will not show Chinese labels." >&2; \
	  echo "      To fix: sudo apt-get install fonts-wqy-zenhei" >&2; \
	fi

## Performance benchmark against raw HiGHS (writes bench/results.md)
bench: $(STAMP)
	$(BIN)/python bench/run_bench.py

clean:
	rm -rf $(VENV) results .pytest_cache
