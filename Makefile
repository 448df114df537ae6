# The course's front doors. Each target builds .venv on its own from the pinned
# environment, so a fresh machine needs only Python >= 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt
# Stamp file: reinstall only when the project or the pins change. uv installs the pins
# (in a fresh clone: 37 s against pip's 100-150 s, the same packages) and compiles their
# bytecode, as grading kernels import from a read-only venv; pip takes over if uv fails.
# The kernel spec turns MLflow's usage telemetry off in every kernel (JupyterLab, papermill,
# nbval, grading): the course runs offline, and MLflow 3's telemetry threads wait for the
# network at exit.
INSTALLED := $(VENV)/.installed
# Packages a dependency asks for that the course leaves out, each with its reason: uv skips
# them, and they are uninstalled after either installer, so a .venv made before they were
# left out loses them too.
EXCLUDED := requirements/excluded.txt
JOBS ?= 2
# The student bundle (`mlops-course release`) ships no tests/: there `make test` checks
# that every walkthrough still reproduces its stored outputs.
TEST_PATHS := $(wildcard tests) notebooks
# What a student sees first in JupyterLab.
LANDING := course/start-here.md
# JupyterLab settings for everyone using this .venv: Markdown opens rendered (the landing
# page, the syllabus), not as source text.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: course test check lab lint lock bench clean help

help:
	@echo "make course  - set up .venv and run every written lesson (papermill, $(JOBS) workers)"
	@echo "make test    - set up .venv and run all tests (unit, notebooks via nbval, lint)"
	@echo "make check   - for an author at work: lint, sync checks, fast tests, changed lessons"
	@echo "make lab     - set up .venv and open JupyterLab on the course at $(LANDING)"
	@echo "make bench   - run the benchmarks in benchmarks/"
	@echo "make lock    - re-pin requirements/constraints.txt from the current .venv"

$(INSTALLED): pyproject.toml $(CONSTRAINTS) $(EXCLUDED)
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "mlops-course needs Python >= 3.11; set PYTHON=python3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(CONSTRAINTS) uv
	{ $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c $(CONSTRAINTS) \
		--excludes $(EXCLUDED) -e '.[dev]' \
		&& $(BIN)/uv pip uninstall --quiet --python $(BIN)/python -r $(EXCLUDED); } \
		|| { $(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(CONSTRAINTS) -e '.[dev]' \
			&& $(BIN)/python -m pip uninstall --quiet --yes -r $(EXCLUDED); }
	$(BIN)/python -m ipykernel install --sys-prefix --name mlops-course --display-name "Python (mlops-course)" \
		--env MLFLOW_DISABLE_TELEMETRY true >/dev/null
	touch $@

course: $(INSTALLED)
	$(BIN)/mlops-course run --all -j $(JOBS)

$(LAB_OVERRIDES): $(INSTALLED)
	mkdir -p $(@D)
	echo '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}}}' > $@

# Static widgets for nbval; one numerical thread per kernel, as notebooks run side by side
# on few cores; no MLflow telemetry, as the course runs offline; CI=true everywhere, so a
# laptop's run sees what a CI runner's does (pytest and hypothesis print differently under
# CI, and lesson 06 runs both inside a notebook).
TEST_ENV := MLOPS_COURSE_STATIC=1 OMP_NUM_THREADS=1 MLFLOW_DISABLE_TELEMETRY=true CI=true
NBVAL := --nbval --nbval-sanitize-with course/nbval_sanitize.cfg
test: $(INSTALLED) $(LAB_OVERRIDES)
	$(BIN)/ruff check .
	$(BIN)/mlops-course assign --check
	$(BIN)/mlops-course store --check
	$(TEST_ENV) $(BIN)/pytest -n $(JOBS) --dist loadscope $(TEST_PATHS) $(NBVAL)

# An author's quick loop: the static checks, the tests not marked slow, and the round trip
# and walkthrough of each lesson changed against $(BASE) (tests/changed_lessons.py), in one
# pytest run, so that one worker grinds through a round trip while the other runs the rest.
BASE ?= main
check: $(INSTALLED) $(LAB_OVERRIDES)
	$(BIN)/ruff check .
	$(BIN)/mlops-course assign --check
	$(BIN)/mlops-course store --check
	changed="$$(cd tests && ../$(BIN)/python changed_lessons.py $(BASE))"; \
	[ -n "$$changed" ] || echo "no lesson changed against $(BASE)"; \
	keep="$$(for path in $$changed; do case $$path in tests/*) printf -- '--keep-slow=%s ' $$path;; esac; done)"; \
	$(TEST_ENV) $(BIN)/pytest -q -n $(JOBS) --dist loadscope -m "not slow" $$keep tests $$changed $(NBVAL)

# Widgets must be live in JupyterLab, whatever the shell says about static runs.
lab: $(INSTALLED) $(LAB_OVERRIDES)
	env -u MLOPS_COURSE_STATIC $(BIN)/jupyter lab --notebook-dir=. $(LANDING)

bench: $(INSTALLED)
	$(BIN)/python benchmarks/run_all.py

lock: $(INSTALLED)
	{ head -2 $(CONSTRAINTS); $(BIN)/python -m pip freeze --exclude-editable | grep -iv '^mlops.course'; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
