# Loa — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

FONT   := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

.PHONY: setup font nginx demo test lint wheel-check format bench eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Loa needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) font ## create .venv and install Loa with its development tools

# The village leaflets (`loa leaflet`) embed DejaVu Sans, which covers Vietnamese: Debian's
# fonts-dejavu-core, installed here when missing.
font:
	@test -f $(FONT) || { echo "installing fonts-dejavu-core (DejaVu Sans, for the leaflets)"; \
	  $$(test "$$(id -u)" = 0 || echo sudo) apt-get install -y --no-install-recommends fonts-dejavu-core; }
	@test -f $(FONT) || { echo "$(FONT) is missing: install fonts-dejavu-core"; exit 1; }

# The README's reverse-proxy example is tested with a real nginx (tests/e2e/test_nginx_example.py):
# installed here when missing and possible; where it cannot be, that one test is skipped.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { echo "installing nginx (for the README's reverse-proxy example test)"; \
	  DEBIAN_FRONTEND=noninteractive $$(test "$$(id -u)" = 0 || echo sudo -E) apt-get install -y --no-install-recommends nginx >/dev/null; } \
	  || echo "nginx could not be installed: tests/e2e/test_nginx_example.py will be skipped"

demo: setup ## chat with Loa in this terminal, offline, as a resident
	$(BIN)/loa demo

test: setup nginx ## run every test (real SQLite files, a fake Telegram server on 127.0.0.1)
	$(BIN)/pytest -q

lint: setup ## ruff and mypy (strict on bot/)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot scheduler

wheel-check: setup ## build the wheel, install it into a fresh venv and use `loa` outside the checkout
	$(BIN)/python .ci/wheel-check

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup ## measure speed; figures go to bench/README.md
	$(BIN)/python bench/bench_core.py

eval: setup ## topic matching on both sets, and whole answers on the blind fact set
	$(BIN)/python bench/eval_topics.py tests/eval/questions.tsv
	$(BIN)/python bench/eval_topics.py tests/eval/holdout.tsv
	$(BIN)/python bench/eval_facts.py tests/eval/facts_blind.tsv

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
