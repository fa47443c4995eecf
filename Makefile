# Two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/brandwatch demo

# The browser tests drive Debian's chromium; CJK fonts so that screenshots show Chinese.
browser:
	@if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium and fonts-noto-cjk for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "the browser tests need chromium and fonts-noto-cjk: sudo apt-get install chromium fonts-noto-cjk" >&2; \
		exit 1; fi

test: $(DEVSTAMP) browser
	$(BIN)/ruff check brandwatch tests benchmarks scripts
	$(BIN)/python -m pytest -q -n auto --dist loadfile

lint: $(DEVSTAMP)
	$(BIN)/ruff check brandwatch tests benchmarks scripts

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_screen.py

clean:
	rm -rf $(VENV) build *.egg-info
