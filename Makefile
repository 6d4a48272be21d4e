# TechBridge developer commands. `make run` and `make test` are the two a newcomer needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test lint bench load setup clean

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

## Set up and run the service on its embedded defaults (SQLite, embedded search, demo data with its semantic vectors) at http://127.0.0.1:5000
run: $(STAMP)
	$(FLASK) db upgrade
	EMBED_AFTER_INDEX=0 $(FLASK) seed-demo
	$(FLASK) analytics rebuild-figures
	$(FLASK) search reindex
	$(FLASK) match embed
	$(FLASK) run --host 127.0.0.1 --port 5000

## Run the whole test suite (PostgreSQL when TEST_DATABASE_URL is set, else SQLite), after the linters:
## ruff (ruff.toml) and the layer contracts (.importlinter: core imports no domain, no cycles between domains).
## TEST_WORKERS pytest-xdist processes share the test files (each has its own database: `<name>_gw0`, …).
TEST_WORKERS ?= 2
test: $(STAMP) lint
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	PYTHONPATH=. $(VENV)/bin/lint-imports

## Run the benchmarks (search, matching, indexing) and print their report
bench: $(STAMP)
	$(PY) -m bench

## Load test of the real server (gunicorn on 127.0.0.1, 2 workers, ~2 minutes): SQLite by default,
## PostgreSQL with LOAD_DATABASE_URL=postgresql+psycopg://… (that database's public schema is rebuilt)
load: $(STAMP)
	$(PY) -m bench.load $(if $(LOAD_DATABASE_URL),--database-url $(LOAD_DATABASE_URL))

clean:
	rm -rf $(VENV) instance .pytest_cache
