# The two commands of the README:
#   make demo  — install, import the real demo data and run the shop on the embedded default
#   make test  — install and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The full Online Retail data set, shipped in the repository (CC BY 4.0, see its README); DATA=file overrides.
DATA ?= data/online-retail/online_retail.csv.xz
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2
# Beside the web server, on the embedded default (no REDIS_URL), the beat schedule's jobs run, each
# when due (looked for every SCHEDULE_EVERY seconds; when each last ran is kept in SCHEDULE_STATE).
SCHEDULE_EVERY ?= 60
SCHEDULE_STATE ?= var/scheduled-jobs.json

# `make demo` with a DATA file that is not there stops at once, before installing anything.
ifneq ($(filter demo,$(MAKECMDGOALS)),)
ifneq ($(shell test -f '$(DATA)' && echo found),found)
$(error No data file at $(DATA): pass DATA=path/to/file, or leave DATA out for the shipped data set)
endif
endif

# Links in e-mails point where the demo is served (HOST and PORT) unless SHOP_BASE_URL is given.
demo serve: export SHOP_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: install install-app demo serve test browser check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

# The shop alone (what `make demo` needs) ...
install-app: $(VENV)/.installed-app

# ... and with the test tools. Each installs again only when pyproject.toml changed: a reinstall
# rewrites the installed project, which restarts a running demo's server.
install: $(VENV)/.installed-test

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	touch $@ $(VENV)/.installed-app

demo: install-app
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_online_retail $(DATA) --end-today
	$(BIN)/python manage.py train_recommenders
	$(BIN)/python manage.py create_demo_demand_rule
	$(BIN)/python manage.py run_scheduled_jobs --already-run train-recommenders --state $(SCHEDULE_STATE)
	$(BIN)/python manage.py create_merchant
	$(BIN)/python manage.py create_demo_shopper
	@echo "Starting the shop at http://$(HOST):$(PORT)/ ..."
	$(BIN)/python scripts/announce_when_serving.py --host $(HOST) --port $(PORT) --stop-with $$$$ & \
	$(serve_with_scheduled_jobs)

serve:
	$(serve_with_scheduled_jobs)

# The server in the foreground; the scheduled jobs in the background, stopped when the server stops
# (the trap), or when this shell is gone however it went (--stop-with). With REDIS_URL, beat runs them.
define serve_with_scheduled_jobs
if [ -z "$$REDIS_URL" ]; then \
	$(BIN)/python manage.py run_scheduled_jobs --every $(SCHEDULE_EVERY) --state $(SCHEDULE_STATE) --stop-with $$$$ & \
	jobs_pid=$$!; \
	trap 'kill $$jobs_pid 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
fi; \
$(BIN)/python manage.py runserver $(HOST):$(PORT)
endef

browser:
	bash scripts/install-chromium

check: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/python scripts/package_cycles.py

# On PYTEST_WORKERS pytest-xdist workers (0: one process). The browser journeys and the tests of a real
# Celery worker run one after another on one of them (the "serial" group, see tests/conftest.py).
test: install browser
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)
