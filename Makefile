# factdesk — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test check check-static lint types bench clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[embed]'
	touch $(STAMP)

$(TESTSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[embed,test,pg,redis]'
	touch $(STAMP) $(TESTSTAMP)

## install: set up .venv with the `factdesk` command
install: $(STAMP)

## demo: load the bundled sample data into the configured database (SQLite by default) and start the desk
demo: $(STAMP)
	$(BIN)/factdesk demo --serve --host $(HOST) --port $(PORT)

## test: the whole default suite (set FACTDESK_TEST_DATABASE_URL for PostgreSQL)
test: $(TESTSTAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

## check: format, lint, types and tests — everything CI checks, in one command
check: check-static test

check-static: $(TESTSTAMP)
	$(BIN)/ruff check factdesk tests bench
	$(BIN)/mypy factdesk

lint: $(TESTSTAMP)
	$(BIN)/ruff format factdesk tests bench
	$(BIN)/ruff check --fix factdesk tests bench

types: $(TESTSTAMP)
	$(BIN)/mypy factdesk

## docs: regenerate docs/cli.md and docs/settings.md from the code
docs: $(STAMP)
	$(BIN)/python -m factdesk.cli.docs

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
