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

# The classroom hub's proxy, configurable-http-proxy, from npm into node_modules/ (package-lock.json).
PROXY := node_modules/.bin/configurable-http-proxy

.PHONY: install demo test test-quick release check-release lab classroom bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(INSTALLED)

demo: $(INSTALLED)
	$(JUPYTER_ENV) $(BIN)/python -m autograder demo --out demo-output

test: $(INSTALLED) $(PROXY)
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
# etc/jupyterlab/ is the course's JupyterLab: overrides.json its defaults (no news or update prompts),
# custom.css its look (Validate's progress and verdict, figures in the dark theme; JupyterLab reads
# it only from the config folder, hence the copy), labextensions/ its layout rules for narrow windows;
# overrides.d/language.json keeps its menus in English whatever the computer's locale.
# `make lab LAB_LANGUAGE=zh_CN` is the Chinese edition: the menus in Chinese (the language pack pinned in
# pyproject.toml, chosen by the `locale` setting of etc/jupyterlab/zh_CN/labconfig/, which JupyterLab layers
# over the course's defaults), opened on work/zh_CN/, the student's copies of lessons/zh_CN/. Not LANG=:
# make would hand that to every command it runs as their locale (and a bare zh_CN is GB2312 to the C library).
JUPYTER ?=
LAB_ARGS ?=
LAB_LANGUAGE ?=
LAB_WORK = work$(if $(LAB_LANGUAGE),/$(LAB_LANGUAGE))
LAB_WORKSPACE = -m autograder workspace $(if $(LAB_LANGUAGE),--language $(LAB_LANGUAGE))
lab: $(if $(JUPYTER),,$(INSTALLED))
	mkdir -p .jupyter/runtime .jupyter/data .course/exchange
	install -D -m 644 etc/jupyterlab/custom.css .jupyter/config/custom/custom.css
	$(JUPYTER_ENV) $(if $(JUPYTER),python3,$(BIN)/python) $(LAB_WORKSPACE)
	cd work && $(JUPYTER_ENV) $(if $(LAB_LANGUAGE),JUPYTER_CONFIG_PATH=$(CURDIR)/etc/jupyter:$(CURDIR)/etc/jupyterlab/$(LAB_LANGUAGE)) \
		$(if $(JUPYTER),PATH="$(PATH)" $(JUPYTER),$(CURDIR)/$(BIN)/jupyter) lab --no-browser \
		--ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/$(LAB_WORK) \
		--LabApp.app_settings_dir=$(CURDIR)/etc/jupyterlab --LabApp.custom_css=True \
		--LabApp.extra_labextensions_path=$(CURDIR)/etc/jupyterlab/labextensions \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

$(PROXY): package.json package-lock.json
	@command -v npm >/dev/null || { echo "the classroom needs Node.js and npm: apt-get install nodejs npm" >&2; exit 1; }
	npm ci --no-audit --no-fund
	touch $@

# The local classroom: JupyterHub on 127.0.0.1:8000 with nbgrader's exchange, the instructor and the
# students of etc/classroom/ (settings: etc/classroom/classroom.toml; state: .classroom/, ignored by git).
classroom: $(INSTALLED) $(PROXY)
	$(JUPYTER_ENV) $(BIN)/python -m autograder classroom

bench: $(INSTALLED)
	$(JUPYTER_ENV) $(BIN)/python benchmarks/grade_class.py

clean:
	rm -rf demo-output .course .classroom .jupyter/runtime
