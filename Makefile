# The kit's two commands: `make lab` and `make test`. Each does all set-up on a fresh machine.
# Run `make help` for the rest.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
NB     ?= notebooks/*.ipynb
# A fresh random token per `make lab`, unless you give one: `make lab TOKEN=...`.
ifndef TOKEN
TOKEN := $(shell $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(24))")
endif

.PHONY: help install lab test test-unit test-notebooks notebooks notebook lint clean

help:
	@echo "make lab             install (first time) and open the kit in JupyterLab (PORT=8888)"
	@echo "make test            install (first time) and run every test: unit tests and all notebooks (nbval)"
	@echo "make notebook NB=... re-execute one notebook and store its outputs"
	@echo "make notebooks       re-execute every notebook and store its outputs"
	@echo "make lint            ruff over helpers, tests, tools and notebooks"
	@echo "make clean           remove .venv and the generated-data cache"

# Installs only when requirements.txt or pyproject.toml changed since the last install.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 'The kit needs Python 3.10 to 3.13 (TensorFlow 2.21); found ' + sys.version.split()[0] + '. Run: make PYTHON=python3.11 ...')"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -e .
	@touch $@

install: $(STAMP)

# Loopback and a token only. No news, update checks or extension installs: the kit needs no network at run time.
LAB_ARGS := --ip=127.0.0.1 --port=$(PORT) --IdentityProvider.token=$(TOKEN) --ServerApp.port_retries=0 \
	--LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	--LabApp.extension_manager=readonly $(if $(filter 0,$(shell id -u)),--allow-root)

lab: install
	@echo "Open: http://127.0.0.1:$(PORT)/lab/tree/notebooks/00_start_here.ipynb?token=$(TOKEN)"
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb $(LAB_ARGS)

test: install
	$(BIN)/python -m pytest tests notebooks

test-unit: install
	$(BIN)/python -m pytest tests

test-notebooks: install
	$(BIN)/python -m pytest notebooks

notebooks: install
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb

notebook: install
	$(BIN)/python tools/run_notebooks.py $(NB)

lint: install
	$(BIN)/ruff check helpers tests tools notebooks
	$(BIN)/ruff format --check helpers tests tools

clean:
	rm -rf $(VENV) .cache
