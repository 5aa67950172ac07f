# Everything runs in the project's own virtual environment, .venv (scripts/make-venv makes it from
# the first Python 3.11+ on PATH), never in the system Python.
VENV := .venv
PYTHON := $(VENV)/bin/python

.PHONY: install system-deps test run serve-prod docs bench lint bundle

install: system-deps $(VENV)/installed

system-deps:
	./scripts/install-system-deps

# Installed again only when the dependencies change.
$(VENV)/installed: pyproject.toml scripts/make-venv | system-deps
	./scripts/make-venv $(VENV)
	$(PYTHON) -m pip install -q --disable-pip-version-check -e ".[dev]"
	touch $@

# The whole test suite, with the slowest tests listed; pytest-xvfb starts a virtual X server for
# the real pynput/mss tests.
test: install
	$(PYTHON) -m pytest --durations=15

# The desktop app (tray and window) on its local database, signed in to a local contract service
# with demo data (started here, stopped when the app quits).
run: install
	$(PYTHON) scripts/run_demo.py

# The service's production layout on this machine (docs/deploy.md): PostgreSQL, an S3 server,
# the migrations, WORKERS service workers and nginx with TLS in front, until Ctrl-C.
WORKERS ?= 2
serve-prod: install
	$(PYTHON) scripts/serve_prod.py --workers $(WORKERS)

# Renders each window of the app, and the web workroom's main pages, to docs/*.png on a demo week.
docs: install
	$(PYTHON) scripts/render_docs.py
	$(PYTHON) scripts/render_web_docs.py

bench: install
	$(PYTHON) -m benchmarks

# The one-folder app bundle, dist/workdiary/ (PyInstaller, build_installer.spec).
bundle: install
	$(PYTHON) -m installer

# ruff, then mypy on the packages pyproject.toml's [tool.mypy] lists.
lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy
