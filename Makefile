PYTHON ?= python3

.PHONY: install test run docs bench lint bundle

install:
	./scripts/install-system-deps
	$(PYTHON) -m pip install -q -e ".[dev]"

# The whole test suite; pytest-xvfb starts a virtual X server for the real pynput/mss tests.
test: install
	$(PYTHON) -m pytest

# The desktop app (tray and window) on its local database, signed in to a local contract service
# with demo data (started here, stopped when the app quits).
run: install
	$(PYTHON) scripts/run_demo.py

# Renders each window of the app to docs/*.png on a demo week.
docs: install
	$(PYTHON) scripts/render_docs.py

bench: install
	$(PYTHON) -m benchmarks

# The one-folder app bundle, dist/workdiary/ (PyInstaller, build_installer.spec).
bundle: install
	$(PYTHON) -m installer

lint:
	ruff check . && ruff format --check .
