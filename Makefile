# The two commands of the quick start: `make serve` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# A local site runs with DEBUG on unless the environment says otherwise.
export DEBUG ?= 1

.PHONY: setup serve test test-browser open-data-check lint format messages check schemathesis backup restore bench bench-small mutation soak audit

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (see README)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed
	$(MANAGE) migrate --noinput
	$(MANAGE) load_fixtures

# The server (`make serve PORT=8001` when 8000 is taken), and beside it a worker for each queue
# of background jobs (imports; the downloads readers wait for: PDFs, the province's workbook),
# stopped with it.
PORT ?= 8000
WORKER = $(MANAGE) db_worker --no-reload --interval 0.25 --queue-name
serve: setup
	$(MANAGE) ensure_admin
	$(WORKER) default & imports=$$!; \
	$(WORKER) downloads & downloads=$$!; \
	trap 'kill $$imports $$downloads 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed
	DEBUG=0 $(BIN)/pytest

# The browser tests alone; screenshots land in var/screenshots/.
test-browser: $(VENV)/.installed
	DEBUG=0 $(BIN)/pytest -m browser

# The open-data packages validate with frictionless, the DCAT catalogue reads as RDF (rdflib).
open-data-check: $(VENV)/.installed
	DEBUG=0 $(BIN)/pytest tests/reports/test_open_data.py -q -k "package or catalogue"

# Fuzz the API schema against a throwaway site: no server error, no response outside the schema.
schemathesis: $(VENV)/.installed
	BIN=$(BIN) .ci/schemathesis


# Performance figures on this machine (README, "Performance"): on SQLite, and on PostgreSQL too
# when DATABASE_URL names it. Load tests use wrk when it is installed (apt-get install wrk).
bench: $(VENV)/.installed
	$(BIN)/python -m bench.run

# Fewer rows and shorter load runs, as CI runs it; fails only on errors, not on missed targets.
bench-small: $(VENV)/.installed
	$(BIN)/python -m bench.run --small

# The site under mixed load with faults (Redis killed and hung, many and slow downloads, an
# import), gunicorn as deployed, on SQLite and on PostgreSQL (README "When a part fails").
# SOAK_ARGS=--short: 15 s a scenario.
soak: $(VENV)/.installed
	DEBUG=0 $(BIN)/python -m bench.soak $(SOAK_ARGS)

# Mutation testing (mutmut) of the core modules of tests/mutation/modules.txt, each against its own
# tests, one module at a time; prints the table of the README. Long (see README); not run by CI.
# MODULES="hotline/parsing.py ..." runs only those; CHILDREN=1 runs one mutmut child, not two.
# MUTATION_DATABASE_URL=postgres://.../name keeps a PostgreSQL test database between mutants
# (one child): several times faster for the checks.
CHILDREN ?= 2
mutation: $(VENV)/.installed
	DEBUG=0 $(BIN)/python -m tests.mutation.run --max-children $(CHILDREN) $(MODULES)

# Lighthouse 12 (mobile and desktop) and axe-core on the public pages, the site served as deployed
# (gunicorn, DEBUG off, whitenoise) from a scratch SQLite database on AUDIT_PORT; prints the
# table of README "Lighthouse and axe". Needs node and npm, and Chromium (CHROME_PATH, else
# /usr/bin/chromium). AUDIT_RUNS: Lighthouse runs of each page and form.
AUDIT_PORT ?= 8040
AUDIT_RUNS ?= 2
audit: $(VENV)/.installed
	cd tools/audit && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python tools/audit/run.py --port $(AUDIT_PORT) --runs $(AUDIT_RUNS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract and compile the Chinese translations (needs GNU gettext). The .mo files are
# committed so that a fresh clone needs no gettext.
messages: $(VENV)/.installed
	$(MANAGE) makemessages -l zh_Hans --no-obsolete --no-location --ignore=.venv --ignore=var --ignore=staticfiles --ignore=tests --ignore=bench --ignore=node_modules
	$(MANAGE) compilemessages -l zh_Hans --ignore=.venv

check: lint
	$(MANAGE) makemigrations --check --dry-run

# The whole database to one file (var/backups/ unless FILE=...), and back into an empty one.
backup: $(VENV)/.installed
	$(MANAGE) backup_database $(FILE)

restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/hotline-....dump"; exit 2; }
	$(MANAGE) restore_database "$(FILE)"
