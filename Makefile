# The one place the project's commands live; the README quotes these targets.
# `make run` and `make test` work on a fresh machine with Python 3.11 and Node.js.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
MAKEMESSAGES := $(MANAGE) makemessages -l zh_Hans --no-location --no-obsolete \
	--ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=bench --ignore=tests

.PHONY: install run test worker beat lint fmt messages check-translations bench-import clean

# Idempotent: each step re-runs only when its inputs changed.
install: $(VENV)/.installed node_modules/.installed staticfiles/.collected

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

staticfiles/.collected: $(VENV)/.installed node_modules/.installed $(shell find static -type f 2>/dev/null)
	$(MANAGE) collectstatic --noinput --verbosity 0
	touch $@

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	@echo "Serving http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(MANAGE) runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest

worker: install
	$(VENV)/bin/celery -A burden worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A burden beat --loglevel=INFO

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Finding messages in the sources needs GNU gettext (apt-get install gettext);
# compiling them does not.
messages: install
	$(MAKEMESSAGES)
	$(MANAGE) translations compile

check-translations: install
	$(MAKEMESSAGES)
	$(MANAGE) translations check

# Ledger import of 100,000 documents on SQLite and PostgreSQL, against django-import-export
# and raw COPY (PostgreSQL at BENCH_POSTGRES_URL, default the local server).
bench-import: install
	$(PY) -m pip install --quiet -r bench/requirements.txt
	$(PY) bench/import_bench.py run --rows $(or $(ROWS),100000)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
