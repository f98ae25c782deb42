# The two commands of the README:
#   make report   build the store if stale, then run every report into outputs/
#   make test     run every test
# Both set up a local .venv first, unless the conda environment from environment.yml is active.

PYTHON ?= python3
VENV := .venv

ifeq ($(CONDA_DEFAULT_ENV),needs-assessment)
  BIN :=
  ENV_READY :=
else
  BIN := $(VENV)/bin/
  ENV_READY := $(VENV)/.installed
endif

.PHONY: report build run test chromium lint lab bench lock clean help
.DEFAULT_GOAL := help

help:
	@echo "make report   build the data store (if stale) and the HTML reports in outputs/"
	@echo "make test     run every test"
	@echo "make lab      open the notebooks in JupyterLab"
	@echo "make bench    run the benchmarks"
	@echo "make lint     check style with ruff"

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -c requirements.lock -e '.[test]'
	@touch $@

report: $(ENV_READY)
	$(BIN)needs build
	$(BIN)needs run

build: $(ENV_READY)
	$(BIN)needs build

run: $(ENV_READY)
	$(BIN)needs run

# chromium first: a missing browser stops `make test` at once (installed if root on Debian)
test: chromium $(ENV_READY)
	$(BIN)python -m pytest

chromium:
	@bash scripts/ensure-chromium

lint: $(ENV_READY)
	$(BIN)ruff check helpers tests benchmarks
	$(BIN)ruff format --check helpers tests benchmarks

lab: $(ENV_READY)
	$(BIN)jupyter lab notebooks

# The benchmarks' own venv: the project plus what only the benchmarks compare against
# (benchmarks/requirements-bench.txt, e.g. PHStatsMethods), never a project dependency.
BENCH_VENV := .venv-bench

$(BENCH_VENV)/.installed: pyproject.toml requirements.lock benchmarks/requirements-bench.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -c requirements.lock -e . -r benchmarks/requirements-bench.txt
	@touch $@

bench: $(ENV_READY) $(BENCH_VENV)/.installed
	$(BIN)python benchmarks/bench_stats.py
	$(BIN)needs build
	$(BIN)python benchmarks/bench_run.py
	$(BIN)python benchmarks/bench_dask.py
	$(BIN)python benchmarks/bench_disclosure.py
	$(BIN)python benchmarks/bench_build.py
	$(BENCH_VENV)/bin/python benchmarks/bench_peer.py

# Refresh the pinned versions after changing pyproject.toml (run in a fresh .venv).
lock: $(ENV_READY)
	$(BIN)python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf data/processed outputs
