# ЭМК-бот — two commands for an operator: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint bench install clean check backup restore

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

## Validate .env, the policy and clinics files, the database and the keys without starting the bot.
check: $(STAMP)
	@$(PY) -m bot check

## A consistent copy of the live database, the stored files and (in DEST/keys: store apart!) the keys.
backup: $(STAMP)
	@test -n "$(DEST)" || { echo "usage: make backup DEST=/path/to/new/folder" >&2; exit 2; }
	@$(PY) -m bot backup "$(DEST)"

## Restore a backup into an EMPTY data folder; WITH_KEYS=1 restores the keys from SRC/keys too.
restore: $(STAMP)
	@test -n "$(SRC)" || { echo "usage: make restore SRC=/path/to/backup [WITH_KEYS=1]" >&2; exit 2; }
	@$(PY) -m bot restore "$(SRC)" $(if $(WITH_KEYS),--with-keys)

## Install what the tests need and run them all, with the linters.
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy
	@# With PYTHONDONTWRITEBYTECODE set (some shells and containers set it) every xdist worker and every
	@# `python -m bot` a test starts compiled the project again and re-rewrote the asserts of all 150 test
	@# modules: ~5 s of each worker's start. Python's own cache (__pycache__, git-ignored) is kept for tests.
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q -p no:cacheprovider -n auto --dist worksteal

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
