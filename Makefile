# auditlens — `make demo` and `make test` work on a fresh machine (they create .venv and install first).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
export DO_NOT_TRACK := 1
export UNSTRUCTURED_DISABLE_NOTICE := 1
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1
export LANGCHAIN_TRACING_V2 := false

.PHONY: install demo test lint typecheck fmt bench cassettes clean

$(STAMP): pyproject.toml constraints.txt requirements/no-deps.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements/no-deps.txt
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/auditlens demo

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/batch.py

cassettes: install
	$(BIN)/python tests/cassettes/record.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .auditlens
