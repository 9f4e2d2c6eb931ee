# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
QUICK ?=
# Two processes, each with its own test database; the services tests (real workers, real
# brokers, timings) run one after another in one of them and the browser tests in the other
# (tests/conftest.py).
TEST_PROCESSES ?= 2

# The first interpreter that is Python 3.12 or newer (Django 6 needs it).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 $(HOME)/.pyenv/versions/3.13*/bin/python3 $(HOME)/.pyenv/versions/3.12*/bin/python3 python3; do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; \
	done)

.PHONY: run test fuzz setup system-deps demo messages lint format check bench clean

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Python 3.12 or newer is needed (Django 6.1). Install it, e.g. 'apt-get install python3.12 python3.12-venv' or 'pyenv install 3.13', then run make again (or: make PYTHON=/path/to/python3.12 ...)." >&2; \
	  exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

system-deps:
	@bash scripts/system-deps.sh

setup: system-deps $(VENV)/.installed

## Runs the app with demo data: web server, three Celery workers and beat, all on the embedded
## defaults. A first run writes .env (debug on, a development secret key) for manage.py commands.
run: setup
	$(PY) scripts/dev_env.py
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py createcachetable
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py seed_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py demo_api_token
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} PORT=$(PORT) $(PY) scripts/run.py

## Runs the whole test suite (DATABASE_URL / CELERY_BROKER_URL choose PostgreSQL and Redis).
test: setup
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadgroup --durations=15 $(PYTEST_ARGS)

## The API driven from its OpenAPI schema with a larger budget than `make test` gives it
## (schemathesis; API_FUZZ_EXAMPLES examples per operation).
fuzz: setup
	API_FUZZ_EXAMPLES=$${API_FUZZ_EXAMPLES:-200} $(PY) -m pytest -q -p no:cacheprovider tests/api/test_schema_fuzz.py $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: setup
	DJANGO_DEBUG=true $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=static/vendor --ignore=bench --ignore=var
	DJANGO_DEBUG=true $(PY) manage.py compilemessages --ignore=.venv

## Benchmarks against PostgreSQL and Redis (started if down, as .ci/run does), each ending with a
## RESULT line; QUICK=1 runs them at a tenth of the size. Not part of `make test`.
bench: setup
	@$(PY) bench/common.py
	@status=0; run() { echo "--- bench/$$*"; QUICK=$(QUICK) $(PY) bench/"$$@" || status=1; }; \
	run engine.py $(if $(QUICK),--rows 100000); \
	run rescore.py; \
	run robustness.py $(if $(QUICK),--rows 10000); \
	run submit.py; \
	run pages.py; \
	run pdf.py $(if $(QUICK),--repeat 3); \
	run programme_import.py; \
	exit $$status

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
