# The kit's two commands: `make lab` and `make test`. Each does all set-up on a fresh machine.
# Run `make help` for the rest.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
# The installer's version (the packages' are in requirements.txt).
UV_VERSION := 0.13.10
# The folder JupyterLab serves; the browser tests point it at a temporary copy of the notebooks.
LAB_ROOT ?= .
# `make test NB=notebooks/03_x.ipynb`: that notebook and the unit tests of what it uses; `make notebook NB=...`.
NB     ?=
# Test workers: one per core this process may use (so `taskset -c 0 make test` runs one).
WORKERS ?= $(shell $(PYTHON) -c "import os; print(len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count())")
# loadscope: a notebook (one module to pytest) runs in order on one worker, in one kernel, as nbval needs.
PYTEST = $(BIN)/python -m pytest -n $(WORKERS) --dist loadscope
# A fresh random token per `make lab`, unless you give one: `make lab TOKEN=...`.
ifndef TOKEN
TOKEN := $(shell $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(24))")
endif

.PHONY: help install lab test test-unit test-notebooks test-browser chromium site notebooks notebook lint clean reset

help:
	@echo "make lab             install (first time) and open the kit in JupyterLab (PORT=8888)"
	@echo "make test            install (first time) and run every test: unit tests and all notebooks (nbval)"
	@echo "make test NB=...     one notebook under nbval and the unit tests of the helpers it uses (quick)"
	@echo "make test-browser    run every notebook and the lab panel in JupyterLab in headless chromium"
	@echo "make site            the course as a static website in site/ (open site/index.html); runs nothing"
	@echo "make notebook NB=... re-execute one notebook and store its outputs"
	@echo "make notebooks       re-execute every notebook and store its outputs"
	@echo "make reset NB=...    put a notebook a learner has broken back as it ships (their changes are lost)"
	@echo "make lint            ruff over helpers, tests, tools and notebooks; mypy over helpers and tools"
	@echo "make clean           remove .venv and the generated-data cache"

# Installs only when requirements.txt or pyproject.toml changed since the last install.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 'The kit needs Python 3.10 to 3.13 (TensorFlow 2.21); found ' + sys.version.split()[0] + '. Run: make PYTHON=python3.11 ...')"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv, from PyPI, installs the pinned packages, downloading and unpacking in parallel: 11 s here, pip 51 s.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.txt -e .
	@# Bytecode compiled on every core: Python may not write it at import (PYTHONDONTWRITEBYTECODE).
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null
	@# JupyterLab's news pop-up would ask to fetch news from the internet; the kit runs offline.
	$(BIN)/jupyter labextension disable --level=sys_prefix "@jupyterlab/apputils-extension:announcements" >/dev/null 2>&1
	@touch $@

install: $(STAMP)

# Loopback and a token only. No news, update checks or extension installs: the kit needs no network at run time.
LAB_ARGS := --ServerApp.root_dir=$(LAB_ROOT) --ip=127.0.0.1 --port=$(PORT) --IdentityProvider.token=$(TOKEN) --ServerApp.port_retries=0 \
	--LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	--LabApp.extension_manager=readonly $(if $(filter 0,$(shell id -u)),--allow-root)

lab: install
	@echo "Open: http://127.0.0.1:$(PORT)/lab/tree/notebooks/00_start_here.ipynb?token=$(TOKEN)"
	$(BIN)/jupyter lab $(LAB_ROOT)/notebooks/00_start_here.ipynb $(LAB_ARGS)

test: install
ifeq ($(NB),)
	$(PYTEST) tests notebooks --ignore=tests/browser
else
	$(PYTEST) $(NB) $$($(BIN)/python tools/tests_for_notebook.py $(NB))
endif

test-unit: install
	$(PYTEST) tests --ignore=tests/browser

test-notebooks: install
	$(PYTEST) notebooks

# Browser tests drive Debian's chromium (Playwright's own browser download needs the internet). Each worker
# runs its own JupyterLab and browser; `load` spreads the notebooks, which are one module, over the workers.
test-browser: install chromium
	$(BIN)/python -m pytest -n $(WORKERS) --dist load tests/browser

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; \
		fi; }

# The stored notebooks as they are, never re-executed; Sphinx with MyST-NB, configured in docs/.
site: install
	$(BIN)/python tools/build_site.py

notebooks: install
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb notebooks/optional/*.ipynb

notebook: install
	@test -n "$(NB)" || { echo "Say which notebook: make notebook NB=notebooks/02_image_pipeline.ipynb"; exit 1; }
	$(BIN)/python tools/run_notebooks.py $(NB)

# No install, no network: git restores the notebook as committed.
reset:
	@test -n "$(NB)" || { echo "Say which notebook: make reset NB=notebooks/02_image_pipeline.ipynb"; exit 1; }
	git checkout -- $(NB)

lint: install
	$(BIN)/ruff check helpers tests tools notebooks docs
	$(BIN)/ruff format --check helpers tests tools docs
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) .cache
