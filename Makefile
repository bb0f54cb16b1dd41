# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DJANGO_SETTINGS_MODULE ?= unison.settings.base
# The port `make run` serves on; absolute links to tenant hosts use the same one.
PORT ?= 8000
export UNISON_PORT ?= $(PORT)
# Where `make run` serves the local Stripe stand-in when no real Stripe key is configured.
export STRIPE_STANDIN_PORT ?= 12111
# Find or start PostgreSQL and Redis (and what $(1) asks for), then take the exports: see unison/devservices.py.
SERVICES = exports="$$($(PY) -m unison.devservices $(1))" || exit 1; eval "$$exports"

.PHONY: run test install services migrate seed serve lint attacks

run: install  ## install, start services, migrate, seed, then serve web, worker, beat (and a local Stripe) on http://localhost:8000
	@$(call SERVICES,--stripe-standin $(STRIPE_STANDIN_PORT) --shared-cache --xmlsec); $(MAKE) --no-print-directory migrate seed serve

# One pytest-xdist worker per core, each with its own test database (test_<name>_gw<N>);
# whole files go to one worker so module fixtures (browser, servers) start once. XDIST= runs serially.
XDIST ?= -n auto --dist loadfile
# pytest exits 5 when a selection (PYTEST_ARGS="-k ...") matches no test: not a failure.
test: install  ## install, start services (and install Chromium and PgBouncer if missing), run the whole test suite
	@$(call SERVICES,--chromium --pgbouncer --xmlsec); DJANGO_SETTINGS_MODULE=unison.settings.test $(VENV)/bin/pytest $(XDIST) $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests matched the selection (pytest exit 5); not a failure"; status=0; fi; \
	exit $$status

install: $(VENV)/.installed static/build/unison.css

# The design system's CSS: Tailwind CSS from the npm registry (versions pinned in package-lock.json),
# built from assets/unison.css and the classes the templates use. A build artefact, not committed.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

CSS_SOURCES := assets/unison.css $(shell find templates unison/templatetags subscriptions/templatetags -name '*.html' -o -name '*.py' 2>/dev/null)
static/build/unison.css: node_modules/.installed $(CSS_SOURCES)
	npm run --silent build

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	touch $@

services: install  ## find or start PostgreSQL and Redis
	@$(call SERVICES,)

# The public schema, then the template and every workspace: plain-SQL migrations computed once and applied
# in one transaction per schema (tenants/workspace_migrations.py); a schema that fails is named, and the next run retries it.
migrate: install
	$(PY) manage.py migrate_schemas --shared -v 1
	$(PY) manage.py migrate_workspaces

seed: install
	$(PY) manage.py seed_demo

# The Procfile's processes in one log stream; Ctrl-C stops them all. `stripe` runs when
# unison/devservices.py found no real Stripe key (STRIPE_STANDIN=1, set by `make run`).
# -e /dev/null: honcho would let .env override the environment; Django reads .env itself.
serve: install
	PYTHONUNBUFFERED=1 $(VENV)/bin/honcho start -e /dev/null web worker beat $${STRIPE_STANDIN:+stripe}; status=$$?; \
	if [ $$status -eq 130 ]; then echo "make run: stopped (Ctrl-C); everything it started has exited"; status=0; fi; \
	exit $$status

# The attack campaign (cross-tenant, fuzz, hostile filters, forged webhooks, credential guesses, kills
# mid-signup), then its figures: attempts, failures, leaks (tests/security/figures.py).
attacks: install
	@$(call SERVICES,); rm -f test-output/attacks.jsonl; DJANGO_SETTINGS_MODULE=unison.settings.test \
	$(VENV)/bin/pytest $(XDIST) -p no:randomly tests/security tests/accounts/test_credential_attacks.py; status=$$?; \
	$(PY) -m tests.security.figures || status=1; exit $$status

lint: install
	$(VENV)/bin/ruff check .
