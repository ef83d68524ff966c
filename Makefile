# exitkit developer tasks. `make test` is what CI runs (via .ci/run) and what the README shows.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The oldest and newest Python that pyproject.toml admits: `make test` runs the suite on both
# (the oldest with the lowest dependency versions allowed), besides $(PYTHON).
OLDEST_PYTHON := 3.10
NEWEST_PYTHON := 3.13
export BATS_LIB_PATH := $(CURDIR)/.tools/node_modules:/usr/lib/bats:/usr/local/lib:/opt/homebrew/lib:/usr/lib:$(BATS_LIB_PATH)
export PATH := $(CURDIR)/$(BIN):$(CURDIR)/.tools/node_modules/.bin:$(PATH)

.PHONY: all test pytest bats lint generate generate-check bench deps clean test-pythons \
	test-oldest test-newest mutation

all: test

$(STAMP): pyproject.toml
	@sh tools/check-python.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## Install what the shell tests need (bats, bats-assert, bats-support, zsh, fish, dash, busybox,
## shellcheck) where this machine lets us; tests of a shell that is still missing are skipped,
## or fail when EXITKIT_REQUIRE_SHELLS names it (CI).
deps:
	@sh tools/ensure-test-deps.sh

test: $(STAMP) deps generate-check lint pytest bats test-pythons

pytest: $(STAMP)
	$(BIN)/pytest

bats: $(STAMP)
	@if ls tests_bats/*.bats >/dev/null 2>&1; then bats tests_bats; else echo "no bats tests"; fi

## The suite on the oldest Python with the lowest dependency versions, and on the newest Python.
test-pythons: test-oldest test-newest

test-oldest:
	@sh tools/test-python.sh $(OLDEST_PYTHON) lowest

test-newest:
	@sh tools/test-python.sh $(NEWEST_PYTHON) newest

## Mutation scores of the modules that guard statuses and escapes (slow; not part of `make test`).
MUTMUT := mutmut==3.8.1
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet '$(MUTMUT)'
	$(BIN)/python tools/mutation.py

lint: $(STAMP)
	$(BIN)/ruff check src tests tools
	$(BIN)/mypy
	@# macOS is a first-class platform: what CPython lacks there must not be used unguarded
	$(BIN)/mypy --platform darwin

generate: $(STAMP)
	$(BIN)/python tools/generate.py

generate-check: $(STAMP)
	$(BIN)/python tools/generate.py --check

bench: $(STAMP)
	@# an installed package has bytecode; this editable checkout may not (PYTHONDONTWRITEBYTECODE)
	$(BIN)/python -m compileall -q src/exitkit
	$(BIN)/python tools/bench.py

clean:
	rm -rf $(VENV) $(VENV)-py* .tools .pytest_cache .mypy_cache .ruff_cache .hypothesis build \
		dist src/*.egg-info mutants .mutation
