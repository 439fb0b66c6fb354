# Everyday commands. `make run` and `make test` work on a fresh machine (Python 3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs what running needs; `make test` adds the test tools (pytest, Playwright,
# linters) and axe-core from the npm registry for the accessibility checks.
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.installed-dev-stamp
AXE := node_modules/axe-core/axe.min.js
PORT ?= 8501
# Loopback only by default: the editor login must not be reachable from the whole LAN.
# `make run HOST=0.0.0.0` opens the app to the network (see README, "Opening to the network").
HOST ?= 127.0.0.1
SHARED ?= ../shared/data

.PHONY: install install-dev run serve stop test lint format typecheck bench data assets clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(DEV_STAMP)

# axe-core, pinned by package-lock.json; the browser tests inject it from this machine.
# Without npm (outside CI) the accessibility checks are skipped, as browser tests are without
# Chromium.
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else echo "npm not found: accessibility checks (axe-core) will be skipped"; fi

install: $(STAMP)

install-dev: $(DEV_STAMP) $(AXE)

# Map assets (Leaflet...) copied from the xstatic packages into static/ for offline maps.
assets: $(STAMP)
	$(BIN)/python -m geo.web.assets

# Regenerate the embedded default data in data/ from the full reference data.
data: $(STAMP)
	$(BIN)/python scripts/make_embedded_data.py --source $(SHARED) --out data --region 06

run: assets
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.address $(HOST)

# Production launch: WORKERS Streamlit processes (default: one per core) behind nginx, with the
# development features off; Ctrl-C or `make stop` ends it. Needs nginx (apt-get install nginx).
WORKERS ?= 0
serve: assets
	$(BIN)/python -m deploy.serve --workers $(WORKERS) --port $(PORT) --host $(HOST)

stop:
	$(BIN)/python -m deploy.serve --stop

test: assets install-dev
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check geo pages tests scripts benchmarks deploy app.py
	$(BIN)/ruff format --check geo pages tests scripts benchmarks deploy app.py
	$(BIN)/lint-imports

format: $(DEV_STAMP)
	$(BIN)/ruff format geo pages tests scripts benchmarks deploy app.py
	$(BIN)/ruff check --fix geo pages tests scripts benchmarks deploy app.py

typecheck: $(DEV_STAMP)
	$(BIN)/mypy geo

# Our figures beside a naive baseline, checked against the targets (see BENCHMARKS.md).
bench: assets install-dev
	$(BIN)/python benchmarks/bench.py

# 20 concurrent headless Chromium sessions against one local app server (loopback only).
# MODE=protocol: the protocol-level load test below instead.
.PHONY: loadtest loadtest-protocol
loadtest: assets install-dev
ifeq ($(MODE),protocol)
	$(BIN)/python benchmarks/loadtest_protocol.py --sessions $(SESSIONS) --browser
else
	$(BIN)/python benchmarks/loadtest.py --sessions 20
endif

# Virtual sessions over Streamlit's websocket protocol against `make serve` (loopback only),
# beside the naive page: p50/p95, server CPU and bytes per session, Chromium checks, targets.
SESSIONS ?= 20,50
loadtest-protocol: assets install-dev
	$(BIN)/python benchmarks/loadtest_protocol.py --sessions $(SESSIONS) --browser

clean:
	rm -rf $(VENV) static/vendor .pytest_cache node_modules
