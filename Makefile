# Vouch: `make demo` serves a generated data set, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export VOUCH_DATA_DIR ?= var

.PHONY: demo test lint schema bench clean browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vouch db upgrade
	$(BIN)/vouch demo-data --partners 500 --seed 1 --if-empty
	$(BIN)/vouch index build
	$(BIN)/vouch site build
	$(BIN)/vouch serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The site's browser tests drive Debian's Chromium (never a downloaded browser: no
# `playwright install`) with Playwright from the dev extras; npm installs axe-core for them.
browser: $(STAMP)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
		|| echo "could not install chromium: the browser tests will be skipped (failed under CI=true)"
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq npm >/dev/null) \
		|| echo "could not install npm: the axe and graphql-http tests will be skipped (failed under CI=true)"

test: lint browser
	$(BIN)/pytest -q

schema: $(STAMP)
	$(BIN)/python -c "from api.schema import schema; print(schema)" > schema.graphql

bench: $(STAMP)
	$(BIN)/python bench/bench_demo_data.py --partners 10000
	$(BIN)/python bench/bench_graphql_list.py
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/bench_peers.py
	$(BIN)/python bench/bench_ranked_list.py --partners 100000
	$(BIN)/python bench/bench_submit.py
	$(BIN)/python bench/bench_rebuild.py
	$(BIN)/python bench/bench_validation.py
	$(BIN)/python bench/bench_site.py --partners 1000 --partners 10000
	$(BIN)/python bench/bench_site_incremental.py --partners 2000
	$(BIN)/python bench/bench_search_box.py --partners 2000 --partners 10000
	$(BIN)/python bench/bench_dump.py --partners 10000
	$(BIN)/python bench/bench_import.py --rows 40000
	$(BIN)/python bench/bench_match.py
	$(BIN)/python bench/bench_search.py --docs 10000 --docs 100000 --demo-partners 10000
	$(BIN)/python bench/eval_matching.py
	$(BIN)/python bench/eval_independent.py
	$(BIN)/python bench/bench_load.py --clients 50 --seconds 60
	$(BIN)/python bench/bench_observability.py
	$(BIN)/python bench/bench_cache_parts.py
	$(BIN)/python bench/bench_scale.py --partners 10000 --partners 100000

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
