# make run   : install into .venv, migrate, seed the demo login (DEBUG), serve on 127.0.0.1:8000
# make test  : install and run the whole test suite, on two pytest-xdist workers
#              (one test, in this process: make test PYTEST_ARGS="tests/lib/test_clock.py -k now")
# make check : ruff (lint, format), mypy (strict) and the layers (import-linter)
# make bench : the authentication benchmark (docs/benchmarks.md)
# make screenshots : the browser tests, rewriting docs/screenshots/*.png
# make openapi : rewrite docs/openapi.json, the /v1 description (GET /v1/openapi.json)
# make serve : production-style gunicorn (needs DJANGO_SECRET_KEY; see README)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Two workers: -n auto gives the same on a 2-core machine and one Chromium, live server and
# test database per core on bigger ones; PYTEST_ARGS replaces it (a single test runs faster
# without the workers' start-up).
PYTEST_ARGS ?= -n 2

.PHONY: run test check bench serve screenshots openapi clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
		{ echo "Python 3.11 or newer is required; $(PYTHON) is $$($(PYTHON) --version 2>&1). Try: make PYTHON=python3.12 run"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# uv resolves and installs the dependencies in parallel: a fresh clone's install takes a
# few seconds instead of pip's 25-40, most of a newcomer's wait before the first test.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	DJANGO_DEBUG=true $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=true $(PY) manage.py seeddemo
	DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

# Exit 5 is pytest's "no tests ran" (a -k or path that matches nothing): a failure too.
test: $(STAMP)
	@$(PY) -m pytest $(PYTEST_ARGS) || { status=$$?; \
		[ $$status -ne 5 ] || echo "make test: no tests ran (pytest exit 5)" >&2; exit $$status; }

screenshots: $(STAMP)
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest -m browser -q

openapi: $(STAMP)
	DJANGO_DEBUG=true $(PY) manage.py spectacular --format openapi-json --validate --fail-on-warn \
		--file docs/openapi.json

check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) bench/run.py

serve: $(STAMP)
	$(PY) manage.py collectstatic --no-input
	$(PY) manage.py migrate --no-input
	$(VENV)/bin/gunicorn clipia_console.wsgi:application --bind $${BIND:-127.0.0.1:8000} \
		--workers $${WEB_CONCURRENCY:-4} --access-logfile -

clean:
	rm -rf $(VENV) staticfiles
