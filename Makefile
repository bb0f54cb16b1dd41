# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DJANGO_SETTINGS_MODULE ?= unison.settings.base
# The port `make run` serves on; absolute links to tenant hosts use the same one.
PORT ?= 8000
export UNISON_PORT ?= $(PORT)
# Set when PostgreSQL or Redis had to be found or started: see unison/devservices.py.
SERVICES = exports="$$($(PY) -m unison.devservices $(1))" || exit 1; eval "$$exports"

.PHONY: run test install services migrate seed serve lint

run: install  ## install, start services, migrate, seed and serve on http://localhost:8000
	@$(call SERVICES,--eager-without-redis); $(MAKE) --no-print-directory migrate seed serve

# One pytest-xdist worker per core, each with its own test database (test_<name>_gw<N>);
# whole files go to one worker so module fixtures (browser, servers) start once. XDIST= runs serially.
XDIST ?= -n auto --dist loadfile
# pytest exits 5 when a selection (PYTEST_ARGS="-k ...") matches no test: not a failure.
test: install  ## run the whole test suite
	@$(call SERVICES,); DJANGO_SETTINGS_MODULE=unison.settings.test $(VENV)/bin/pytest $(XDIST) $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests matched the selection (pytest exit 5); not a failure"; status=0; fi; \
	exit $$status

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	touch $@

services: install  ## start PostgreSQL (or a project-local one) and check Redis
	@$(call SERVICES,--eager-without-redis)

migrate: install
	$(PY) manage.py migrate_schemas --shared -v 1
	$(PY) manage.py migrate_template
	$(PY) manage.py migrate_schemas --tenant --executor=multiprocessing -v 1

seed: install
	$(PY) manage.py seed_demo

serve: install
	$(PY) manage.py runserver localhost:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
