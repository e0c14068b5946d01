# innograph — `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NEO4J_LIB := tools/neo4j/lib
APT_STAMP := .venv/.apt-chromium
RETRY := tools/retry.sh

.PHONY: help setup venv lock neo4j-jars browser run test lint typecheck unit bench-load bench-extract bench-api bench-analytics bench-abuse fuzz bench-bulk clean

help:
	@echo "make run    - start Neo4j, ingest data/corpus, serve API + explorer on http://127.0.0.1:8000"
	@echo "make test   - set up, then ruff, mypy and pytest (against a real Neo4j it starts)"
	@echo "make bench-load | bench-extract | bench-api | bench-analytics | bench-abuse | bench-bulk"

# requirements.lock pins the exact versions the tests last passed with, so a new release upstream
# cannot break a fresh clone; `make lock` re-resolves them within pyproject.toml's ranges.
venv: $(BIN)/.installed
$(BIN)/.installed: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is needed: install python3 and python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(RETRY) $(BIN)/pip install -q --upgrade pip
	$(RETRY) $(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	@touch $@

lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q -e '.[dev]'
	{ echo "# Exact versions \`make test\` last passed with (pip constraints; \`make lock\` refreshes them within pyproject.toml's ranges)."; \
	  .venv-lock/bin/pip freeze --exclude-editable; } > requirements.lock
	rm -rf .venv-lock
	@echo "requirements.lock refreshed: run make clean test before committing it"

# Neo4j 5.26 Community and its Browser as jars from Maven Central (no Docker needed).
neo4j-jars: $(NEO4J_LIB)/.fetched
$(NEO4J_LIB)/.fetched: tools/neo4j/pom.xml
	@command -v mvn >/dev/null || { echo "Maven is needed to fetch Neo4j: apt-get install -y maven"; exit 1; }
	@command -v java >/dev/null || { echo "Java 17+ is needed to run Neo4j: apt-get install -y openjdk-17-jre-headless"; exit 1; }
	rm -rf $(NEO4J_LIB)
	$(RETRY) mvn -q -B -f tools/neo4j/pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=lib
	@touch $@

# Headless Chromium and CJK fonts for the browser tests (Debian packages; needs root).
browser: $(APT_STAMP)
$(APT_STAMP): | venv
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	  else echo "Run as root or: sudo apt-get install -y chromium fonts-noto-cjk"; exit 1; fi; \
	  $(RETRY) $$sudo apt-get update -qq || echo "apt-get update failed: installing from the package lists already here"; \
	  $(RETRY) $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi
	@touch $@

setup: venv neo4j-jars

run: setup
	$(BIN)/innograph run

lint: venv
	$(BIN)/ruff check app graph ingest tests bench
	$(BIN)/ruff format --check app graph ingest tests bench

typecheck: venv
	$(BIN)/mypy app graph ingest

# The second pass reaches the same kind of local server through neo4j:// (the routing driver a cluster or
# Aura needs): the store and API modules must hold there too.
test: setup browser lint typecheck
	$(BIN)/pytest
	INNOGRAPH_TEST_NEO4J_SCHEME=neo4j $(BIN)/pytest -q tests/graph/test_store.py tests/app/test_api.py

bench-load: setup
	$(BIN)/python -m bench.bench_load

bench-extract: setup
	$(BIN)/python -m bench.bench_extract

bench-api: setup
	$(BIN)/python -m bench.bench_api

bench-analytics: setup
	$(BIN)/python -m bench.bench_analytics

# Schemathesis at length: ≥ 10,000 generated requests over the corpus (make test runs 100 per case).
FUZZ_EXAMPLES ?= 320
fuzz: setup
	INNOGRAPH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -s -q tests/app/test_fuzz.py -k test_no_server_errors

# The red-team's load cases (nested and slow queries, concurrent exports) with /health latency during each.
bench-abuse: setup
	$(BIN)/python -m bench.bench_abuse

bench-bulk: setup
	$(BIN)/python -m bench.bench_bulk

clean:
	rm -rf $(VENV) $(NEO4J_LIB) .neo4j .pytest_cache .mypy_cache .ruff_cache test-artifacts
