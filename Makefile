# ЭМК-бот — two commands for an operator: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint bench install clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

## Start the bot (long polling). Needs BOT_TOKEN in .env (copy .env.example to .env).
run: $(STAMP)
	@$(PY) -m bot

## Install what the tests need and run them all, with the linters.
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -q -p no:cacheprovider -n auto --dist worksteal

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

## Benchmarks print their figures (see README "Benchmarks").
bench: $(STAMP)
	$(PY) bench/updates.py
	$(PY) bench/photo.py
	$(PY) bench/reminders.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
