# The two commands of the quick start: `make serve` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# A local site runs with DEBUG on unless the environment says otherwise.
export DEBUG ?= 1

.PHONY: setup serve test test-browser lint format messages check schemathesis backup restore bench bench-small

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

serve: setup
	$(MANAGE) ensure_admin
	$(MANAGE) runserver 127.0.0.1:8000

test: $(VENV)/.installed
	DEBUG=0 $(BIN)/pytest

# The browser tests alone; screenshots land in var/screenshots/.
test-browser: $(VENV)/.installed
	DEBUG=0 $(BIN)/pytest -m browser

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

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract and compile the Chinese translations (needs GNU gettext). The .mo files are
# committed so that a fresh clone needs no gettext.
messages: $(VENV)/.installed
	$(MANAGE) makemessages -l zh_Hans --no-obsolete --no-location --ignore=.venv --ignore=var --ignore=staticfiles --ignore=tests --ignore=bench
	$(MANAGE) compilemessages -l zh_Hans --ignore=.venv

check: lint
	$(MANAGE) makemigrations --check --dry-run

# The whole database to one file (var/backups/ unless FILE=...), and back into an empty one.
backup: $(VENV)/.installed
	$(MANAGE) backup_database $(FILE)

restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/hotline-....dump"; exit 2; }
	$(MANAGE) restore_database "$(FILE)"
