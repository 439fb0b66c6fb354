# Everyday commands. `make run` and `make test` work on a fresh machine (Python 3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501
SHARED ?= ../shared/data

.PHONY: install run serve stop test lint format typecheck bench data assets clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Map assets (Leaflet...) copied from the xstatic packages into static/ for offline maps.
assets: $(STAMP)
	$(BIN)/python -m geo.web.assets

# Regenerate the embedded default data in data/ from the full reference data.
data: $(STAMP)
	$(BIN)/python scripts/make_embedded_data.py --source $(SHARED) --out data --region 06

run: assets
	$(BIN)/streamlit run app.py --server.port $(PORT)

# Production launch: WORKERS Streamlit processes (default: one per core) behind nginx, with the
# development features off; Ctrl-C or `make stop` ends it. Needs nginx (apt-get install nginx).
WORKERS ?= 0
serve: assets
	$(BIN)/python -m deploy.serve --workers $(WORKERS) --port $(PORT) --host $(HOST)

stop:
	$(BIN)/python -m deploy.serve --stop

test: assets
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check geo pages tests scripts benchmarks deploy app.py
	$(BIN)/ruff format --check geo pages tests scripts benchmarks deploy app.py
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format geo pages tests scripts benchmarks deploy app.py
	$(BIN)/ruff check --fix geo pages tests scripts benchmarks deploy app.py

typecheck: $(STAMP)
	$(BIN)/mypy geo

# Our figures beside a naive baseline, checked against the targets (see BENCHMARKS.md).
bench: assets
	$(BIN)/python benchmarks/bench.py

# 20 concurrent headless Chromium sessions against one local app server (loopback only).
# MODE=protocol: the protocol-level load test below instead.
.PHONY: loadtest loadtest-protocol
loadtest: assets
ifeq ($(MODE),protocol)
	$(BIN)/python benchmarks/loadtest_protocol.py --sessions $(SESSIONS) --browser
else
	$(BIN)/python benchmarks/loadtest.py --sessions 20
endif

# Virtual sessions over Streamlit's websocket protocol against `make serve` (loopback only),
# beside the naive page: p50/p95, server CPU and bytes per session, Chromium checks, targets.
SESSIONS ?= 20,50
loadtest-protocol: assets
	$(BIN)/python benchmarks/loadtest_protocol.py --sessions $(SESSIONS) --browser

clean:
	rm -rf $(VENV) static/vendor .pytest_cache
