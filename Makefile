# The two commands: `make demo` renders the example agreements, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint golden bench clean

$(BIN)/dpagen: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/dpagen
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/dpagen
	$(BIN)/dpagen validate
	for client in $$(ls agreements); do $(BIN)/dpagen render $$client --out out || exit 1; done

lint: $(VENV)/.test-extras
	$(BIN)/ruff check dpagen tests bench scripts
	$(BIN)/ruff format --check dpagen tests bench scripts
	$(BIN)/mypy dpagen

test: lint
	$(BIN)/python -m pytest

golden: $(VENV)/.test-extras
	$(BIN)/python -m pytest tests/test_render.py --update-golden

bench: $(BIN)/dpagen
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/render.py
	$(BIN)/python bench/diff.py

clean:
	rm -rf $(VENV) out build dist *.egg-info
