# The two commands of the README: `make run` and `make test`. Everything they need is
# installed here, so they work on a fresh machine with Python and node/npm.
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python
DEV_ENV := WATTELT_DEBUG=1
CHROMIUM := /usr/bin/chromium

.PHONY: demo-code install run test test-sqlite test-sqlite-figures test-sqlite-rest test-sqlite-browser test-postgres test-postgres-figures test-postgres-rest lint openapi bench browser messages clean

$(UV):
	python3 -m pip install --quiet --user "uv==$(UV_VERSION)" || python3 -m pip install --quiet "uv==$(UV_VERSION)"

# Bytecode compiled once here: where the environment sets PYTHONDONTWRITEBYTECODE (as
# CI's does), every Python process would otherwise compile Django, scipy and the rest
# again on import (~4 CPU-s per pytest process; make test starts dozens of processes).
.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# The one small stylesheet of NL Design System CSS the templates use (bin/build-css.mjs).
NLDS_CSS := var/css/nlds.css
$(NLDS_CSS): node_modules/.installed bin/build-css.mjs $(shell find src/wattelt -name '*.html' -o -name '*.py' -o -name '*.js' 2>/dev/null)
	node bin/build-css.mjs $@

install: .venv/.synced node_modules/.installed $(NLDS_CSS)

var:
	mkdir -p var

run: install var
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	@echo "Wat telt runs on http://127.0.0.1:8000 (stop with Ctrl-C)"
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# Production mode without containers (docs/operations.md): migrations, collectstatic,
# gunicorn with deploy/gunicorn.conf.py, debug off. Needs WATTELT_SECRET_KEY (or
# WATTELT_SECRET_KEY_FILE), DATABASE_URL and WATTELT_ALLOWED_HOSTS in the environment.
.PHONY: serve restore-drill
serve: install var
	deploy/serve.sh

# Back up, erase a resident, restore into a fresh cluster, compare every table, search
# for the erased resident, open a trajectory: at RESTORE_DRILL_RESIDENTS (bench/restore_drill.py).
RESTORE_DRILL_RESIDENTS ?= 100000
restore-drill: install
	bin/with-postgres bash -c 'RESTORE_DATABASE_URL="$$DATABASE_URL" bin/with-postgres \
	  env $(DEV_ENV) $(PY) -m bench.restore_drill --residents $(RESTORE_DRILL_RESIDENTS)'

# The current two-step login code of a demo account: make demo-code USER=professional1a
demo-code: install
	@$(DEV_ENV) $(PY) manage.py demo_code $(USER)

# Debian's chromium for the browser tests (Playwright never downloads its own),
# poppler-utils (pdftotext) to read the PDFs the tests make, and the fonts for the
# residents' scripts on screen and in PDFs: Noto (Arabic, Ge'ez and more), Abyssinica (Ge'ez).
FONTS := /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf \
  /usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf
browser:
	@test -x $(CHROMIUM) && command -v pdftotext >/dev/null && ls $(FONTS) >/dev/null 2>&1 || \
	  { (apt-get update -qq && \
	  apt-get install -y -qq chromium poppler-utils fonts-noto-core fonts-sil-abyssinica >/dev/null) \
	  || { echo "!!! chromium/poppler-utils/fonts missing and not installable: tests will fail" >&2; exit 1; }; }

lint: install var
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(PY) bin/check-door
	$(DEV_ENV) .venv/bin/mypy src tests bench tools
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(PY) -m tools.check_imports
	$(PY) -m tools.settings_doc --check
	$(DEV_ENV) $(PY) manage.py spectacular --format openapi --file var/openapi.yaml --validate --fail-on-warn
	diff -u openapi.yaml var/openapi.yaml || { echo "openapi.yaml is stale: make openapi" >&2; exit 1; }
	node_modules/.bin/spectral lint openapi.yaml --ruleset tools/nl-api-linter.yaml --fail-severity=warn

# The committed OpenAPI document of /api/v1/ (served at /api/v1/openapi.json; make lint checks both).
openapi: install
	$(DEV_ENV) $(PY) manage.py spectacular --format openapi --file openapi.yaml --validate --fail-on-warn

# Each database in parts that run side by side (the suite is CPU-bound; on a 2-core
# machine no part should be left running alone at the end): the figures (monitoring,
# imports, adoption), the rest, and on SQLite the browser tests. On SQLite the demo
# (seeded and published as `make run` does, ~2.5 CPU-minutes) goes with the figures,
# so the two halves end together.
FIGURES := tests/monitoring tests/imports tests/implementation
DEMO := tests/test_demo.py
test-sqlite: test-sqlite-figures test-sqlite-rest test-sqlite-browser

test-sqlite-figures: install var
	$(DEV_ENV) .venv/bin/pytest -q -p no:cacheprovider $(FIGURES) $(DEMO)

# Hostile input runs on PostgreSQL only: the production database, and the stricter one
# (NUL characters, integer ranges and text lengths are refused there, not in SQLite), so
# what breaks SQLite's side breaks it too; on both it took ~3 CPU-minutes.
HOSTILE := tests/test_hostile_input.py
test-sqlite-rest: install var
	$(DEV_ENV) .venv/bin/pytest -q -p no:cacheprovider --ignore=tests/browser \
	  $(addprefix --ignore=,$(FIGURES) $(DEMO) $(HOSTILE))

test-sqlite-browser: install browser var
	$(DEV_ENV) .venv/bin/pytest -q -p no:cacheprovider tests/browser

# Browser tests drive the screens, which are the same on both databases: SQLite only.
# PostgreSQL's two parts each on a throwaway cluster of their own.
test-postgres: test-postgres-figures test-postgres-rest

test-postgres-figures: install
	bin/with-postgres env $(DEV_ENV) .venv/bin/pytest -q -p no:cacheprovider $(FIGURES)

# The demo runs on SQLite only: it is what `make run` loads, on SQLite (README); the
# services it goes through run on PostgreSQL in their own tests.
test-postgres-rest: install
	bin/with-postgres env $(DEV_ENV) .venv/bin/pytest -q -p no:cacheprovider --ignore=tests/browser \
	  $(addprefix --ignore=,$(FIGURES) $(DEMO))

# Two clusters: the primary and a streaming standby made with pg_basebackup (wattelt/replica.py).
.PHONY: test-replica failover-drill
test-replica: install
	bin/with-postgres bin/with-replica env $(DEV_ENV) .venv/bin/pytest -q -p no:cacheprovider tests/replica

# Promote the standby while the app runs with a multi-host DATABASE_URL (not in make test).
failover-drill: install
	bin/with-postgres bin/with-replica bash -c 'unset DATABASE_REPLICA_URL; \
	  DATABASE_URL="postgres://wattelt@127.0.0.1:$$WATTELT_PG_PORT,127.0.0.1:$$WATTELT_PG_REPLICA_PORT/postgres?target_session_attrs=read-write" \
	  $(DEV_ENV) $(PY) -m bench.failover_drill'

# Load from 10 to 100 users (not in make test): locust (bench/locustfile.py) against gunicorn
# in production mode on PostgreSQL at LOAD_RESIDENTS; the curve goes to bench/RESULTS.md.
# LOAD_SCENARIO=floor (the lightest page behind the login) or http (/health/live) measure
# what the stack carries before a page's own work, beside the mix. Here and in request-cpu
# the viewers' figures are first published without the interval audit: it would only make
# that publish slow (over 15 minutes at 10k); the pages serve stored figures either way,
# and bench.monitoring times publishing with the audit.
NO_AUDIT := WATTELT_MONITORING_AUDIT_WIDTH=0
LOAD_RESIDENTS ?= 100000
LOAD_USERS ?= 10 25 50 75 100
LOAD_SECONDS ?= 40
LOAD_SCENARIO ?= mix
.PHONY: load
load: install
	bin/with-postgres env $(DEV_ENV) $(NO_AUDIT) WATTELT_SECRET_KEY=load-only $(PY) -m bench.load \
	  --residents $(LOAD_RESIDENTS) --users $(LOAD_USERS) --seconds $(LOAD_SECONDS) \
	  --scenario $(LOAD_SCENARIO)

# Server CPU per request of the load mix, per endpoint (not in make test): production
# settings through the test Client on PostgreSQL at CPU_RESIDENTS; CPU_ARGS="--profile NAME".
CPU_RESIDENTS ?= 10000
.PHONY: request-cpu
request-cpu: install
	bin/with-postgres env WATTELT_DEBUG=0 $(NO_AUDIT) WATTELT_SECRET_KEY=cpu-only \
	  WATTELT_ALLOWED_HOSTS=testserver WATTELT_SSL_REDIRECT=0 WATTELT_SECURE_COOKIES=0 \
	  WATTELT_STATIC_ROOT=$$(mktemp -d) sh -c '$(PY) manage.py collectstatic --noinput -v0 && \
	  $(PY) -m bench.request_cpu --residents $(CPU_RESIDENTS) $(CPU_ARGS)'

# Faults under load (not in make test): a worker SIGKILLed, the master killed and started
# again, PostgreSQL restarted, while professionals confirm measurements (bench/fault_drill.py).
DRILL_RESIDENTS ?= 2000
.PHONY: drill
drill: install
	bin/with-postgres env $(DEV_ENV) WATTELT_SECRET_KEY=fault-drill-only $(PY) -m bench.fault_drill --residents $(DRILL_RESIDENTS)

# Lint, the five legs and the replica tests side by side, the longest first (two cores;
# each target's output printed whole when it ends): lint (mypy) and the replica tests
# each keep one core busy, so run alone before or after the legs they left the other
# core idle. A lint failure is printed when lint ends; the run fails when all end.
test:
	$(MAKE) --no-print-directory -j7 --output-sync=target test-sqlite-rest test-postgres-rest \
	  test-sqlite-browser test-sqlite-figures test-postgres-figures lint test-replica

# `make bench`: page timings at 100k (bench.pages), then monitoring at BENCH_RESIDENTS on
# PostgreSQL (generation, summary rebuild, publishing, dashboards, indicators, DuckDB
# ratio) and at 100k on SQLite. The 1M run takes the better part of an hour.
BENCH_IMPORT_ROWS ?= 1000000
# The import bench loads as an organisation's first history load would (docs/import-format.md).
BENCH_IMPORT_EXCLUSIVE_ROWS ?= 100000
BENCH_RESIDENTS ?= 1000000
BENCH_PAGE_REQUESTS ?= 50
# schemathesis against the API (bench.api_fuzz): generated requests, about 15 minutes per 5,000.
BENCH_API_REQUESTS ?= 10000
BENCH_PG_OPTS := -c shared_buffers=2GB -c work_mem=64MB -c effective_cache_size=8GB \
  -c maintenance_work_mem=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min -c jit=off
bench: install
	$(DEV_ENV) $(PY) -m bench.page_weight
	$(DEV_ENV) $(PY) -m bench.api_fuzz --requests $(BENCH_API_REQUESTS)
	bin/with-postgres env $(DEV_ENV) sh -c '$(PY) -m bench.pages && $(PY) -m bench.role_pages --reuse && $(PY) -m bench.adoption --reuse'
	PG_EXTRA_OPTS="$(BENCH_PG_OPTS)" bin/with-postgres env $(DEV_ENV) \
	  WATTELT_IMPORT_EXCLUSIVE_ROWS=$(BENCH_IMPORT_EXCLUSIVE_ROWS) $(PY) -m bench.imports --rows $(BENCH_IMPORT_ROWS) --runs 3
	PG_EXTRA_OPTS="$(BENCH_PG_OPTS)" bin/with-postgres env $(DEV_ENV) $(PY) -m bench.changelog \
	  --residents 100000
	PG_EXTRA_OPTS="$(BENCH_PG_OPTS)" bin/with-postgres env $(DEV_ENV) $(PY) -m bench.monitoring \
	  --residents $(BENCH_RESIDENTS) --requests $(BENCH_PAGE_REQUESTS) --cold 5 --runs 3
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && DATABASE_URL="sqlite:///$$tmp/bench.sqlite3" \
	  $(DEV_ENV) $(PY) -m bench.monitoring --residents 100000 --requests $(BENCH_PAGE_REQUESTS) \
	  --cold 5 --runs 3
	$(MAKE) restore-drill RESTORE_DRILL_RESIDENTS=$(BENCH_RESIDENTS)

messages: install
	cd src/wattelt && $(DEV_ENV) ../../$(PY) ../../manage.py makemessages -l nl --no-obsolete && $(DEV_ENV) ../../$(PY) ../../manage.py compilemessages -l nl

clean:
	rm -rf .venv node_modules var
