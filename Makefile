# numerai-gitops: the template's own tasks. Everything installs itself into .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export UV_PYTHON_DOWNLOADS := never

.PHONY: demo test lint bench clean

$(STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements-dev.txt
	touch $@

demo: $(STAMP)  ## bake with defaults, build and check the example model on synthetic data, dry-run a deploy
	$(BIN)/python scripts/demo.py

test: $(STAMP)  ## bake over many answer sets, lint and run every baked repo's own tests
	$(BIN)/python -m pytest tests

lint: $(STAMP)
	$(BIN)/ruff check hooks scripts tests

bench: $(STAMP)  ## build and predict figures against the naive path
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) .work
