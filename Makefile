# dryport: `make run` serves the app with demo data, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := FLASK_DEBUG=1 $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
PO     := $(wildcard dryport/translations/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)

.PHONY: run test lint audit format install install-test translations extract clean bench

run: install translations
	$(FLASK) db upgrade
	$(FLASK) dryport demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)/"
	$(FLASK) run --host $(HOST) --port $(PORT) --no-debugger

# With TEST_DATABASE_URL set, the suite runs on SQLite and on PostgreSQL at the same time.
test: install-test translations
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== SQLite and PostgreSQL ($$TEST_DATABASE_URL) at once"; \
	  scripts/test_both.sh; \
	else env -u TEST_DATABASE_URL $(BIN)/pytest && \
	  echo "TEST_DATABASE_URL not set: PostgreSQL run skipped."; fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r dryport -ll

# Every benchmark (bench/run.py) on SQLite and on PostgreSQL: BENCH_DATABASE_URL, else the
# local server as CI uses it (scripts/local_postgres.sh, database BENCH_PG_DB, default
# dryport_bench); exits 1 when PostgreSQL cannot be reached. Writes bench/results.json. Not
# part of `make test`. BENCH_ARGS=--quick for a short try.
bench: install translations
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Known vulnerabilities in the installed dependencies (pip-audit); says so when it cannot ask.
audit: install-test
	$(BIN)/python scripts/audit.py

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `install`: what the app needs to run; `install-test`: that and the test toolchain
# (pytest, ruff, bandit, playwright...), for test, lint, format and audit only.
install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: setup.cfg pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

translations: install $(MO)

%.mo: %.po
	$(BIN)/pybabel compile --statistics -i $< -o $@

# Refresh the catalogs after changing user-facing strings, then translate what is new.
extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o dryport/translations/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i dryport/translations/messages.pot -d dryport/translations --no-fuzzy-matching --no-wrap
	$(BIN)/python scripts/catalogs.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache *.egg-info
