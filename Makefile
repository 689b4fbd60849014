# Every target sets itself up: a fresh clone needs only python3.11 (or python3 >= 3.11) and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PM     := $(BIN)/policymatch
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run demo test test-all lint bench eval clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

demo: $(BIN)/.installed  ## Ingest the sample corpus and sample enterprises, build the index
	$(PM) ingest data/policies
	$(PM) enterprises load data/enterprises/sample_enterprises.jsonl
	$(PM) index

run: demo  ## Set up, build on the sample corpus and serve http://127.0.0.1:8000
	$(PM) serve --host $(HOST) --port $(PORT)

# Test extras: torch only as the machine's CPU wheel (--no-index: never the multi-GB CUDA build from
# the registry; its small dependencies come after, from the index); without it the sentence-transformers tests skip and say why. Ray for the push engine,
# Debian's chromium for the console's browser tests (root only; skipped with a reason otherwise).
$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/python -m pip install -q --no-index --no-deps torch==2.13.0 \
	  && $(BIN)/python -m pip install -q torch==2.13.0 \
	  && $(BIN)/python -m pip install -q -e ".[dev,st,st-test]" \
	  || echo "note: no local CPU torch wheel; sentence-transformers tests will be skipped"
	$(BIN)/python -m pip install -q -e ".[dev,ray]"
	command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
	  || echo "note: chromium not installed; browser tests will be skipped"
	touch $@

test: $(BIN)/.installed-test  ## Run the test suite (slow quality checks included)
	$(BIN)/pytest -q

lint: $(BIN)/.installed  ## ruff check and format check
	$(BIN)/ruff check policymatch api tests bench
	$(BIN)/ruff format --check policymatch api tests bench

bench: $(BIN)/.installed  ## Run the benchmarks under bench/ and print their figures
	$(BIN)/python -m bench.corpus
	$(BIN)/python -m bench.match
	$(BIN)/python -m bench.api
	$(BIN)/python -m bench.push --rows 100000 --policies 20

eval: $(BIN)/.installed  ## Evaluate every method on the three dev sets (reports under runs/)
	$(PM) eval --dataset items --out runs/eval-items
	$(PM) eval --dataset dev --out runs/eval-dev
	$(PM) eval --dataset dev_items --out runs/eval-dev-items

clean:  ## Remove the virtualenv and working data
	rm -rf $(VENV) var runs
