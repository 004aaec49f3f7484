# The newsroom archive. `make run` serves it, `make test` tests it; both set everything up.
# With DATABASE_URL unset, an embedded PostgreSQL (data in .pgdata/) is started for the
# duration of the command and stopped afterwards, also on Ctrl-C.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
WITH_DB := $(PY) -m newsroom.embedded_db run --
PORT ?= 8000

# Schema, static files, the seed's missing objects (load_seed never overwrites an editor's
# changes to the demo, nor brings back what they deleted; `make reset-demo` does).
PREPARE := $(MANAGE) migrate --noinput -v1 && $(MANAGE) collectstatic --noinput -v0 && \
	$(MANAGE) load_seed && $(MANAGE) refresh_search_vocabulary

.PHONY: run reset-demo test lint typecheck format venv db-start db-stop db-status messages clean search-report screenshots \
	backup restore

$(VENV)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or set PYTHON=..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# The analyser in C for the embedded PostgreSQL (archive/search/native/): the same vectors as the SQL
# one, several times faster; built again when its source or rules change. Where it cannot be
# built (no C compiler), the SQL one is used.
$(VENV)/.analyser: $(VENV)/.installed archive/search/native/archive_analyser.c archive/search/native/build.py \
		archive/search/rules.py
	$(PY) archive/search/native/build.py || echo "[analyser] going on with the SQL analyser"
	touch $@

venv: $(VENV)/.installed $(VENV)/.analyser

# `make run` serves the archive as it is served in production (DJANGO_DEBUG false: real error
# pages, the statement timeout, the security headers), over plain HTTP on this machine only,
# with a secret key of this checkout's own (.secret_key). `DJANGO_DEBUG=true make run` gives
# Django's debug pages and static files read from static/ instead. The job worker (admin
# imports, upkeep) runs beside the server, with the same database; on Ctrl-C or SIGTERM the
# shell's traps stop both (a running import stops after its batch).
run: export DJANGO_DEBUG ?= false
run: export DJANGO_HTTPS ?= false
run: export DJANGO_ALLOWED_HOSTS ?= localhost,127.0.0.1,[::1]
run: export DJANGO_REQUEST_LOG ?= false
run: venv .secret_key
	@export DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat .secret_key)}"; \
	$(WITH_DB) sh -c '$(PREPARE) && $(MANAGE) create_demo_editor && \
		echo "Serving on http://127.0.0.1:$(PORT)/ and /admin/ (Ctrl-C stops the server, the job worker and the database)" && \
		{ $(MANAGE) procrastinate worker & worker=$$!; \
		  $(MANAGE) runserver 127.0.0.1:$(PORT) & server=$$!; \
		  trap "kill $$server $$worker 2>/dev/null; wait" EXIT; trap "exit 130" INT TERM HUP; \
		  wait $$server; }'

# The demo archive as shipped, on purpose: the seed loaded over what is there, so that the
# editors' changes to the demo articles, claims and tags are lost (other articles stay).
reset-demo: export DJANGO_DEBUG ?= true
reset-demo: venv
	$(WITH_DB) sh -c '$(MANAGE) migrate --noinput -v0 && $(MANAGE) load_seed --reset && \
		$(MANAGE) refresh_search_vocabulary'

# A secret key for `make run`, made once per checkout, readable by its owner only.
.secret_key:
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

test: export DJANGO_SECRET_KEY ?= test-only-secret-key-not-for-production
test: venv
	$(WITH_DB) sh -c '$(PREPARE) && $(MANAGE) create_demo_editor >/dev/null && $(PY) -m pytest $(PYTEST_ARGS)'

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The search package's type hints (archive/search/), checked by mypy with django-stubs as
# pyproject.toml configures it; the stubs' plugin loads the settings, which need a key.
typecheck: export DJANGO_SECRET_KEY ?= test-only-secret-key-not-for-production
typecheck: venv
	$(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Compile the Arabic interface strings (locale/ar/LC_MESSAGES/django.po) after editing them.
messages: venv
	$(MANAGE) compilemessages --locale ar --ignore .venv

# A backup of the database and the uploaded import files, as one tar in var/backups/ (or
# BACKUP_DIR); `make restore FILE=...` puts both back. Works on the embedded server and on
# DATABASE_URL alike. Stop the app and its worker before a restore.
BACKUP_DIR ?= var/backups
backup: export DJANGO_DEBUG ?= true
backup: venv
	$(WITH_DB) $(PY) -m newsroom.backup backup $(BACKUP_DIR)

restore: export DJANGO_DEBUG ?= true
restore: venv
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/newsroom-<date>.tar"; exit 2; }
	$(WITH_DB) $(PY) -m newsroom.backup restore "$(FILE)"

db-start: venv
	$(PY) -m newsroom.embedded_db start
db-stop: venv
	$(PY) -m newsroom.embedded_db stop
db-status: venv
	$(PY) -m newsroom.embedded_db status

clean: db-stop
	rm -rf $(VENV) .pgdata .pgdata.lock staticfiles

# docs/search.md: this search against PostgreSQL's stock 'arabic' configuration (needs
# ../shared/corpus; takes a few minutes).
search-report: venv
	$(WITH_DB) $(PY) bench/search_quality.py

# docs/screenshots/: the browser tests, saving what they see (needs Debian's chromium).
screenshots: export DJANGO_SECRET_KEY ?= test-only-secret-key-not-for-production
screenshots: venv
	$(WITH_DB) sh -c '$(PREPARE) && SAVE_SCREENSHOTS=docs/screenshots $(PY) -m pytest -q -m browser'
