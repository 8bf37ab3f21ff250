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

.PHONY: install install-app demo serve test browser check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

# The shop alone (what `make demo` needs) ...
install-app: $(BIN)/python
	$(BIN)/python -m pip install -e .

# ... and with the test tools.
install: $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'

demo: install-app
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_online_retail $(DATA) --end-today
	$(BIN)/python manage.py train_recommenders
	$(BIN)/python manage.py create_demo_demand_rule
	$(BIN)/python manage.py run_scheduled_jobs --skip train-recommenders
	$(BIN)/python manage.py create_merchant
	$(BIN)/python manage.py create_demo_shopper
	@echo "The shop is at http://$(HOST):$(PORT)/ — stop it with Ctrl-C."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

serve:
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

browser:
	bash scripts/install-chromium

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)
