# The two commands: `make demo` renders the example agreements, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint golden bench fuzz clean

# constraints.txt pins every runtime dependency exactly, so the rendered bytes are reproducible
$(BIN)/dpagen: setup.cfg pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/dpagen
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

demo: $(BIN)/dpagen
	$(BIN)/dpagen validate
	for client in $$(ls agreements); do $(BIN)/dpagen render $$client --out out || exit 1; done

lint: $(VENV)/.test-extras
	$(BIN)/ruff check dpagen tests bench scripts
	$(BIN)/ruff format --check dpagen tests bench scripts
	$(BIN)/mypy dpagen

# the suite in TEST_WORKERS processes (pytest-xdist); an idle one takes tests queued for a busy one
TEST_WORKERS ?= 2
test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

golden: $(VENV)/.test-extras
	$(BIN)/python -m pytest tests/test_render.py --update-golden

# fuzz the loaders, validation, assembly and text rendering for FUZZ_SECONDS (scripts/fuzz.py)
FUZZ_SECONDS ?= 600
fuzz: $(VENV)/.test-extras
	$(BIN)/python scripts/fuzz.py --seconds $(FUZZ_SECONDS)

bench: $(BIN)/dpagen
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/render.py
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/diff.py
	$(BIN)/python bench/pathological.py

clean:
	rm -rf $(VENV) out build dist *.egg-info
