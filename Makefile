# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DJANGO_SETTINGS_MODULE ?= unison.settings.base

.PHONY: run test install services migrate seed serve lint

run: install services migrate seed serve  ## install, migrate, seed and serve on http://localhost:8000

test: install services  ## run the whole test suite
	$(VENV)/bin/pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	touch $@

services: install  ## start PostgreSQL (or a project-local one) and check Redis
	$(PY) -m unison.devservices

migrate: install
	$(PY) manage.py migrate_schemas --shared -v 1
	$(PY) manage.py migrate_template
	$(PY) manage.py migrate_schemas --tenant --executor=multiprocessing -v 1

seed: install
	$(PY) manage.py seed_demo

serve: install
	$(PY) manage.py runserver localhost:8000

lint: install
	$(VENV)/bin/ruff check .
