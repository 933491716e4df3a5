# Two entry points for newcomers (see README): `make plan` and `make test`.
# Both create .venv on first use and install the pinned dependency set (requirements.lock).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ENV    ?= local

.PHONY: plan test lint lock bench clean

$(BIN)/kfstack: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $@

plan: $(BIN)/kfstack  ## offline plan of the embedded default environment (local)
	$(BIN)/kfstack plan $(ENV)

lint: $(BIN)/kfstack
	$(BIN)/ruff check .
	$(BIN)/mypy kfstack stacks modules pipelines policies

test: lint  ## ruff + mypy + the whole test suite
	$(BIN)/pytest || [ $$? -eq 5 ]

# Medians of several runs; exits 1 on a missed target only when checking: `make bench BENCH_CHECK=1`.
bench: $(BIN)/kfstack  ## plan wall time per environment (benchmarks/plan.py)
	BENCH_CHECK=$(BENCH_CHECK) $(BIN)/python benchmarks/plan.py

lock:  ## re-pin every dependency after changing pyproject.toml
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
