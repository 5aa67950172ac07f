PYTHON ?= python3

.PHONY: install test run bench lint

install:
	./scripts/install-system-deps
	$(PYTHON) -m pip install -q -e ".[dev]"

# The whole test suite; pytest-xvfb starts a virtual X server for the real pynput/mss tests.
test: install
	$(PYTHON) -m pytest

# Tracks on your only local contract (made on first run) until Ctrl-C.
run: install
	@$(PYTHON) -m tracker contract list --json | grep -q '"id"' || $(PYTHON) -m tracker contract add --title "My work" >/dev/null
	$(PYTHON) -m tracker track --memo "Trying Workdiary"

bench: install
	$(PYTHON) -m benchmarks

lint:
	ruff check . && ruff format --check .
