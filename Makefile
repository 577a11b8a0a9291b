# Set-up and entry points. `make run` and `make test` work on a fresh machine.
VENV   ?= .venv
PY     := $(VENV)/bin/python
CORES  ?= 4
# torch is installed first, from the exact pin in pyproject.toml (the `train` extra), so
# that Lightning does not pull a (multi-GB, CUDA) torch of its own.
TORCH  := $(shell grep -o '"torch==[^"]*"' pyproject.toml | tr -d '"')
STAMP  := $(VENV)/.installed

.PHONY: install run test test-fast lint report check-pages bench bench-sweeps bench-numerics bench-verdicts bench-design clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "$(TORCH)"
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[train,dev,slurm]"
	touch $(STAMP)

install: $(STAMP)

run: install  ## run the whole workflow on config.yaml
	$(VENV)/bin/snakemake --cores $(CORES)

report: run  ## self-contained HTML report of the last run
	$(VENV)/bin/snakemake --report results/report.html

# The SLURM tests mostly wait on the cluster: they run in a pytest process of their own,
# beside the others on 2 workers, and their report follows.
test: install  ## the test suite (unit + end-to-end on a tiny config), on 2 workers
	@slurm_log=$$(mktemp); \
	$(VENV)/bin/pytest -q -p no:cacheprovider -m slurm > $$slurm_log 2>&1 & slurm=$$!; \
	$(VENV)/bin/pytest -q -n 2 --dist loadgroup -m "not slurm"; main=$$?; \
	wait $$slurm; slurm_status=$$?; \
	echo "--- the SLURM tests (pytest -m slurm), run beside the others:"; \
	cat $$slurm_log; rm -f $$slurm_log; \
	test $$main -eq 0 && test $$slurm_status -eq 0

test-fast: install  ## unit tests only
	$(VENV)/bin/pytest -q -n 2 -m "not workflow and not slurm"

lint: install  ## ruff, snakefmt --check (line length 100) and snakemake --lint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/snakefmt --check Snakefile workflow/rules
	$(VENV)/bin/snakemake --lint

check-pages: install  ## the summary pages fit 1280 px (headless Chromium; screenshots beside them)
	$(PY) -m aeflow.core.pagecheck results/summary.html results/playground/summary.html

bench: install  ## the workflow against the notebook way and a plain loop; writes docs/generated/compare.md
	$(PY) benchmarks/compare.py

bench-sweeps: install  ## sweep-scale targets; add throughput for the 1,000-trial run (5,000 trainings: long)
	$(PY) benchmarks/sweeps.py planning scaling default --cores 2

bench-numerics: install  ## cost of portable numerics; writes docs/generated/numerics.md
	$(PY) benchmarks/numerics.py

bench-verdicts: install  ## verdicts and wall time of the default run, this checkout against 4cf915a
	$(PY) benchmarks/verdicts.py --cores 2

bench-design: install  ## the seeds design on and off: verdicts, replicas, wall time; writes docs/generated/design.md
	$(PY) benchmarks/design.py --cores 2

clean:
	rm -rf results .snakemake
