# TechBridge developer commands. `make run` and `make test` are the two a newcomer needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test bench setup clean

$(STAMP): requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

## Set up and run the service on its embedded defaults (SQLite, embedded search, demo data with its semantic vectors) at http://127.0.0.1:5000
run: $(STAMP)
	$(FLASK) db upgrade
	EMBED_AFTER_INDEX=0 $(FLASK) seed-demo
	$(FLASK) search reindex
	$(FLASK) match embed
	$(FLASK) run --host 127.0.0.1 --port 5000

## Run the whole test suite (PostgreSQL when TEST_DATABASE_URL is set, else SQLite)
test: $(STAMP)
	$(PY) -m pytest -q

## Run the benchmarks (search, matching, indexing) and print their report
bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache
