# One-command entry points. `make demo` and `make test` work on a fresh Debian machine.
VENV ?= .venv
PY := $(VENV)/bin/python
# The CPU build of torch; override (e.g. TORCH=torch) on a GPU box.
TORCH ?= torch==2.13.0
STAMP := $(VENV)/.installed
# The torch build asked for, rewritten whenever TORCH changes: the install stamp depends on it, so
# `make setup TORCH=torch` on an existing environment runs the install again (and swaps torch).
TORCH_STAMP := $(VENV)/.torch-requested
ifneq ($(file < $(TORCH_STAMP)),$(TORCH))
$(shell mkdir -p $(VENV) && echo '$(TORCH)' > $(TORCH_STAMP))
endif

.PHONY: setup demo experiment test test-fast test-postgres postgres lint bench gpu-check clean

$(STAMP): pyproject.toml scripts/install.sh tests/ui/package-lock.json $(TORCH_STAMP)
	bash scripts/install.sh system
	bash scripts/install.sh system-dev
	bash scripts/install.sh console-tests
	TORCH="$(TORCH)" bash scripts/install.sh python $(VENV) dev,ray,offline-encoder -e
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/xstilts demo

# The real CPU experiment (trainer/configs/cpu_real.yaml, about 70 minutes on 2 cores): the report, run
# log and config land in docs/results-cpu/. SMOKE=1: the same recipe on a few examples (minutes), in runs/.
experiment: setup
	$(if $(SMOKE),$(VENV)/bin/xstilts experiment trainer/configs/cpu_real.yaml --smoke,\
	  mkdir -p docs/results-cpu && bash -o pipefail -c \
	  '$(VENV)/bin/xstilts experiment trainer/configs/cpu_real.yaml --publish docs/results-cpu 2>&1 | tee docs/results-cpu/run.log')

# Lint, then the whole suite with the coverage gate (fail_under in pyproject.toml, child processes measured).
test: lint
	$(VENV)/bin/pytest -q --cov --cov-report=term

test-fast: setup
	$(VENV)/bin/pytest -q -m "not slow"

# The tests of the job store and its migrations on PostgreSQL only (a server is started for them).
test-postgres: setup
	XSTILTS_REQUIRE_POSTGRES=1 $(VENV)/bin/pytest -q -k "postgresql or compose"

# A throwaway PostgreSQL server in the foreground (Ctrl-C stops and removes it); it prints the
# URLs to export: XSTILTS_TEST_POSTGRES_URL for the tests, XSTILTS_DATABASE_URL for the service.
postgres: setup
	$(PY) -m tests.postgres

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: setup
	$(PY) bench/run_all.py

# The GPU check (bench/gpu_check.py) from this checkout, installed or not; CPU=1: the reduced CPU mode.
GPU_CHECK_PY ?= $(if $(wildcard $(PY)),$(PY),python3)
gpu-check:
	PYTHONPATH=. $(GPU_CHECK_PY) bench/gpu_check.py --out bench/ $(if $(CPU),--cpu)

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
