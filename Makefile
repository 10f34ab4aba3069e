# Everything runs inside .venv, made from pyproject.toml on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Jupyter writes its config, data and runtime files inside the checkout, never in $HOME.
JUPYTER_ENV := JUPYTER_CONFIG_DIR=$(CURDIR)/.jupyter/config JUPYTER_CONFIG_PATH=$(CURDIR)/etc/jupyter JUPYTER_DATA_DIR=$(CURDIR)/.jupyter/data \
	JUPYTER_RUNTIME_DIR=$(CURDIR)/.jupyter/runtime IPYTHONDIR=$(CURDIR)/.jupyter/ipython \
	MPLCONFIGDIR=$(CURDIR)/.jupyter/matplotlib JUPYTERLAB_SETTINGS_DIR=$(CURDIR)/.jupyter/lab-settings \
	JUPYTERLAB_WORKSPACES_DIR=$(CURDIR)/.jupyter/lab-workspaces PATH=$(CURDIR)/$(BIN):$(PATH)

.PHONY: install demo test test-quick release check-release lab bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(INSTALLED)

demo: $(INSTALLED)
	$(JUPYTER_ENV) $(BIN)/python -m autograder demo --out demo-output

test: $(INSTALLED)
	$(JUPYTER_ENV) $(BIN)/python -m pytest

# Everything but the suites that grade whole classes or drive a browser: a minute or two.
test-quick: $(INSTALLED)
	$(JUPYTER_ENV) $(BIN)/python -m pytest -m "not slow"

release: $(INSTALLED)
	$(JUPYTER_ENV) $(BIN)/python -m autograder release

check-release: $(INSTALLED)
	$(JUPYTER_ENV) $(BIN)/python -m autograder release --check

# `make lab` runs .venv's JupyterLab. `make lab JUPYTER=jupyter` runs the one on PATH instead
# (a conda environment's) and makes no .venv. LAB_ARGS passes options on, e.g. --port=8899.
# It serves the checkout, so a lesson's figures in assets/ show, and opens on work/: the student's
# own copies of lessons/ (ignored by git), made on first use and never overwritten.
# etc/jupyterlab/overrides.json is the course's JupyterLab defaults: no news or update prompts.
JUPYTER ?=
LAB_ARGS ?=
lab: $(if $(JUPYTER),,$(INSTALLED))
	mkdir -p .jupyter/runtime .jupyter/data .course/exchange
	$(JUPYTER_ENV) $(if $(JUPYTER),python3,$(BIN)/python) -m autograder workspace
	cd work && $(JUPYTER_ENV) $(if $(JUPYTER),PATH="$(PATH)" $(JUPYTER),$(CURDIR)/$(BIN)/jupyter) lab --no-browser \
		--ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/work \
		--LabApp.app_settings_dir=$(CURDIR)/etc/jupyterlab \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

bench: $(INSTALLED)
	$(JUPYTER_ENV) $(BIN)/python benchmarks/grade_class.py

clean:
	rm -rf demo-output .course .jupyter/runtime
