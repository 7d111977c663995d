# The one place the project's commands live; the README quotes these targets.
# `make run` and `make test` work on a fresh machine with Python 3.11 and Node.js.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# DEBUG is off unless set (burden/settings.py). These are the developer's commands, so they
# run with it on unless the environment says otherwise: production exports DEBUG=False (and
# its SECRET_KEY) before `make install`, `make worker` and `make beat` (see the README).
export DEBUG ?= True
MAKEMESSAGES := $(MANAGE) makemessages -l zh_Hans --no-location --no-obsolete \
	--ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=bench --ignore=tests

.PHONY: install dev-env run test worker beat prod reliability lint security fmt messages check-translations bench-import bench-city clean

# Idempotent: each step re-runs only when its inputs changed.
install: $(VENV)/.installed node_modules/.installed staticfiles/.collected dev-env

# A developer's checkout runs on the embedded default with bare `manage.py` commands too
# (`python manage.py createsuperuser`, `evaluate_rules`): unless the environment says what
# DEBUG is, install leaves a .env with DEBUG=True, which settings read for what the
# environment leaves unset. A server exports DEBUG=False first and gets no such file.
dev-env:
ifeq ($(origin DEBUG),file)
	@test -e .env || { echo "DEBUG=True" > .env && echo "Wrote .env (DEBUG=True) for this development checkout."; }
endif

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

# The demo server: DEBUG on whatever the environment says (load_demo refuses it off).
run: export DEBUG = True
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

# Production on one host: gunicorn (gunicorn.conf.py), a worker and beat on DATABASE_URL and
# REDIS_URL (scripts/prod.sh). The environment says what DEBUG is (the README's Production).
prod: install
ifeq ($(origin DEBUG),file)
	$(error make prod serves production: export DEBUG=False, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL first (README, Production))
endif
	scripts/prod.sh

# The fault battery: each scenario of scripts/reliability/ starts its own processes on
# loopback (gunicorn, worker and beat through scripts/prod.sh, a Redis on a free port, a
# PostgreSQL database of its own at PG_URL) and prints one line of figures; a scenario that
# loses anything or answers a 5xx fails the target.
reliability: install
	@status=0; for scenario in scripts/reliability/*.py; do \
		$(PY) "$$scenario" || status=1; \
	done; exit $$status

# Backups of the configured database (scripts/backup.sh, docs/operations.md): PostgreSQL's
# pg_dump -Fc or SQLite's online backup, into BACKUP_DIR (backups/) as burden-<UTC time>.*,
# the newest BACKUP_KEEP (14) kept. `make restore FILE=…` refuses a database with tables
# unless FORCE=1.
.PHONY: backup restore
backup: $(VENV)/.installed
	scripts/backup.sh

restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "make restore FILE=backups/burden-<time>.dump (or .sqlite3)"; exit 2; }
	scripts/backup.sh restore "$(FILE)"

lint: install security
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

# bandit at medium severity and confidence and above; a finding that is not a flaw is
# explained where it is: `# nosec BXXX # why` (bandit would read words after a colon as
# test names). It warns "nosec encountered, but no failed test" for the other parts of
# such a line: a bandit quirk, not a finding.
security: install
	$(VENV)/bin/bandit --quiet -r burden meetings documents inspections secondments datarequests workapps scripts -ll -ii \
		-x '*/migrations/*,*/tests/*,.venv,node_modules'

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

# A city-shaped database (7,000 grassroots units) at two sizes, every page for every role
# and the sweeps, with the ratios and the targets (PostgreSQL at BENCH_POSTGRES_URL's server).
bench-city: install
	$(PY) bench/city_bench.py --units $(or $(UNITS),7000) --sizes $(or $(SIZES),20000,200000)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
