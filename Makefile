# Forum Archive: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
ENV_FILE := var/local.env
FIXTURES := $(sort $(wildcard fixtures/*/*.json))

.PHONY: run setup install install-dev test test-fast lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres,redis]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres,redis,dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

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

# The benchmark (docs/performance.md): BENCH_ARGS='--sizes S,M,L --engines sqlite,postgres --http'
bench: install-dev $(ENV_FILE)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf var/static var/forumarchive.sqlite3*
