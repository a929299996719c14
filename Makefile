# ideaflow: `make run` serves the app, `make test` runs the checks and tests, `make bench` benchmarks,
# `make soak` checks reliability under faults.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
# make run DEMO=0: start with an empty database, no demo
DEMO ?= 1

.PHONY: run test test-fast lint lock bench soak translations screenshots browser-deps clean

# The venv installs exactly the locked versions (checked against their hashes), then the project
# itself without dependencies. `make lock` regenerates the locks from pyproject.toml (UPGRADE=1:
# the newest versions it allows); requirements/runtime.txt is what the Docker image installs.
RUNTIME_LOCK := requirements/runtime.txt
DEV_LOCK := requirements/dev.txt
COMPILE = $(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes \
	--no-header --quiet $(if $(UPGRADE),--upgrade)

$(STAMP): pyproject.toml $(RUNTIME_LOCK) $(DEV_LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lock: $(STAMP)
	$(COMPILE) -o $(RUNTIME_LOCK)
	$(COMPILE) --extra dev -c $(RUNTIME_LOCK) -o $(DEV_LOCK)

run: $(STAMP)
	$(BIN)/python -c "from pathlib import Path; from workflow.settings import write_secret_key; write_secret_key(Path('instance'))"
	$(BIN)/ideaflow db upgrade
ifeq ($(DEMO),0)
	@echo "DEMO=0: no demo; create the first administrator with 'ideaflow users create' (see README)."
else
	$(BIN)/ideaflow demo --if-empty samples/interessentmoede-2025-06-12.txt
endif
	$(BIN)/ideaflow serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Tests run in parallel (one process per core; PYTEST_WORKERS=0 runs them in this process); the
# ones that restart servers and time deliveries (tests/worker, tests/soak) run one after another.
PYTEST_WORKERS ?= auto

test: lint browser-deps
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

# The quick loop while changing code: the domain, the importer and the services on SQLite, with
# no servers, no workers and no browser (the marker of each test folder is set in tests/conftest.py).
test-fast: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "(unit or importer or integration) and not postgres and not slow" \
		tests/unit tests/importer tests/integration

# Ratios measured within one run against floors measured in the same run; bench/results.json
# holds every metric. PostgreSQL: IDEAFLOW_BENCH_DATABASE_URL (the bench creates and drops its own
# databases on that server). QUICK=1: small data, the same gates, under three minutes.
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
bench: $(STAMP)
	IDEAFLOW_BENCH_DATABASE_URL=$${IDEAFLOW_BENCH_DATABASE_URL:-$(BENCH_DATABASE_URL)} \
		$(BIN)/python -m bench $(if $(filter 1,$(QUICK)),--quick)

# The reliability soak: real processes (server, workers, beat, SMTP sink) against the PostgreSQL
# and Redis named by IDEAFLOW_TEST_DATABASE_URL and IDEAFLOW_TEST_REDIS_URL, under faults. Writes
# reports/reliability.json; exits non-zero when a scenario fails. QUICK=1: small sizes and short
# delivery timings (reports/reliability-quick.json; `make test` runs the same in tests/soak).
soak: $(STAMP)
	$(BIN)/python -m soak $(if $(QUICK),--quick)

# Extract the English message ids and merge them into the Danish catalogue; then translate the
# new entries in workflow/translations/da/LC_MESSAGES/messages.po and run `make translations` again.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l --no-location --sort-output --omit-header \
		-o workflow/translations/messages.pot .
	$(BIN)/pybabel update -i workflow/translations/messages.pot -d workflow/translations -l da \
		--no-fuzzy-matching --width 100
	$(BIN)/pybabel compile -d workflow/translations --statistics

# axe-core and the OpenID Provider for the browser tests in tests/browser (npm; without it they skip).
browser-deps:
	@if [ ! -d tests/browser/node_modules/oidc-provider ] && command -v npm >/dev/null; then \
		cd tests/browser && npm ci --no-audit --no-fund --loglevel=error; fi

# PNGs of the board, an idea, the dashboard and a gate form (desktop and phone) in docs/screenshots.
screenshots: $(STAMP)
	$(BIN)/python -m tests.browser.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis bench/results reports
