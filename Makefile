# Forum Archive: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
ENV_FILE := var/local.env
FIXTURES := $(sort $(wildcard fixtures/*/*.json))

.PHONY: run setup install install-dev lock test test-fast lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the lock files (every package pinned with its hashes: docs/reliability.md,
# "Reproducible builds and advisories"), then the project itself without touching them. Its
# build backend (setuptools) is in the lock too, hence --no-build-isolation.
LOCK := requirements/lock.txt
LOCK_DEV := requirements/lock-dev.txt
PIP_INSTALL := $(BIN)/pip install --quiet
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links --build-deps-for editable

$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP_INSTALL) --require-hashes -r $(LOCK)
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(LOCK_DEV) | $(BIN)/python
	$(PIP_INSTALL) --require-hashes -r $(LOCK_DEV)
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Re-resolve both lock files from pyproject.toml (newest versions its bounds allow), for the
# Python running this (3.11 on Linux x86_64 in production and CI). The dev lock is constrained
# by the runtime one, so the two never disagree on a version. Commit both.
lock: | $(BIN)/python
	$(PIP_INSTALL) pip-tools
	$(PIP_COMPILE) --upgrade --extra postgres --extra redis -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) --upgrade --extra postgres --extra redis --extra dev -c $(LOCK) -o $(LOCK_DEV) pyproject.toml

# Local settings, generated once and never committed: a random SECRET_KEY and the local hosts.
# Readable by its owner only (umask 077: 0600 from the start, never briefly world-readable).
$(ENV_FILE):
	mkdir -p var
	umask 077 && printf 'SECRET_KEY=%s\nALLOWED_HOSTS=127.0.0.1,localhost,[::1]\nSERVE_MEDIA=1\n' \
		"$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@

# The shipped fixtures seed an empty database; afterwards only what is missing is created and no
# existing record is ever changed, so an editor's work survives every `make run` (docs/editors.md).
setup: install $(ENV_FILE)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_edition --missing-only $(FIXTURES)
	$(BIN)/python manage.py history_baseline
	$(BIN)/python manage.py build_data_package
	$(BIN)/python manage.py collectstatic --noinput -v 0

run: setup
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py forumarchive.wsgi

# npm dev tools for tests/test_browser.py (axe-core, the Nu HTML checker); without npm those tests skip.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund && touch $@; \
	else echo "npm not found: skipping axe-core and vnu-jar (the browser checks will skip)"; fi

test: install-dev $(ENV_FILE) node_modules/.installed
	$(BIN)/python -m pytest -n auto

# The fast suite while working: no browser, no servers or subprocesses (docs/testing.md).
test-fast: install-dev $(ENV_FILE)
	$(BIN)/python -m pytest -n auto -m "not browser and not slow"

# The benchmark (docs/performance.md): every target of issue 21 is for S and L on both engines,
# over HTTP too (~40 min on 2 cores); BENCH_ARGS='--sizes S,M' is the quick in-process run.
BENCH_ARGS ?= --sizes S,L --engines sqlite,postgres --http
# wrk (HTTP load) is installed with apt-get where that can be done (root on Debian); without it
# the report still gets written, its HTTP rows marked as not measured.
bench: install-dev $(ENV_FILE)
	@command -v wrk >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } \
		|| echo "wrk could not be installed: HTTP rows will be marked as not measured"
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf var/static var/forumarchive.sqlite3*
