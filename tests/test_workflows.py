"""The GitHub Actions workflows: offline linters (zizmor, the GitHub workflow JSON schema) and the
properties the deploy depends on: OIDC without secrets, the approval environment, one deploy at a
time, actions pinned to commits, and the tool versions local preflight asks for."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dualstack_aks.deploy.preflight import KUBELOGIN_VERSION, TERRAFORM_VERSION
from dualstack_aks.terraform_version import TERRAFORM_LINUX_AMD64_SHA256
from tests.conftest import EXAMPLE_CONFIGS, REPO, USER_CONFIG

WORKFLOWS_DIR = REPO / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOWS_DIR.glob("*.yml"))
BIN = Path(sys.executable).parent
PINNED_USES = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS_DIR / name).read_text())


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    return workflow.get("on") or workflow[True]


def steps_using(job: dict, action: str) -> list[dict]:
    return [step for step in job["steps"] if step.get("uses", "").startswith(f"{action}@")]


def every_step() -> list[tuple[str, dict]]:
    return [(path.name, step) for path in WORKFLOWS for job in load(path.name)["jobs"].values() for step in job["steps"]]


@pytest.fixture(scope="module")
def deploy_job() -> dict:
    return load("deploy.yml")["jobs"]["deploy"]


def test_every_workflow_exists():
    assert {path.name for path in WORKFLOWS} == {"deploy.yml", "drift.yml", "pull-request.yml"}


def test_zizmor_finds_nothing_offline():
    result = subprocess.run(
        [BIN / "zizmor", "--offline", "--persona", "auditor", "--format", "json", "--no-progress", str(WORKFLOWS_DIR)],
        capture_output=True,
        text=True,
    )
    findings = [finding for finding in json.loads(result.stdout) if not finding["ignored"]]
    assert findings == [], "\n".join(f"{finding['ident']}: {finding['desc']}" for finding in findings)
    assert result.returncode == 0, result.stderr


def test_inline_zizmor_suppressions_give_a_reason():
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            if "zizmor: ignore[" in line:
                assert re.search(r"zizmor: ignore\[[\w,-]+\]\s*\S", line), f"{path.name}: say why: {line.strip()}"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_matches_the_github_workflow_schema(workflow: Path):
    # The schema ships inside check-jsonschema, so this needs no network.
    result = subprocess.run([BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(workflow)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_action_is_pinned_to_a_commit_with_its_version():
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            if line.strip().startswith(("uses:", "- uses:")):
                reference = line.split("uses:", 1)[1].strip()
                assert PINNED_USES.match(reference), f"{path.name}: pin to a 40-hex commit and name its version: {reference}"


def test_no_secrets_but_the_github_token():
    for path in WORKFLOWS:
        used = set(re.findall(r"secrets\.(\w+)", path.read_text()))
        assert used <= {"GITHUB_TOKEN"}, f"{path.name} uses {used}"
        assert "client-secret" not in path.read_text() and "ARM_CLIENT_SECRET" not in path.read_text()


# The only write permissions besides OIDC, each on the one job that needs it.
WRITE_PERMISSIONS = {("pull-request.yml", "comment"): {"pull-requests"}, ("drift.yml", "drift"): {"issues"}}


def test_least_privilege_by_default():
    for path in WORKFLOWS:
        workflow = load(path.name)
        assert workflow["permissions"] == {"contents": "read"}, path.name
        for name, job in workflow["jobs"].items():
            writes = {scope for scope, level in job["permissions"].items() if level == "write" and scope != "id-token"}
            assert writes == WRITE_PERMISSIONS.get((path.name, name), set()), (path.name, name)
            assert set(job["permissions"]) <= {"contents", "id-token", *writes}
            assert job["permissions"]["contents"] == "read"


def test_the_job_that_writes_to_the_pull_request_runs_no_test_code():
    comment = load("pull-request.yml")["jobs"]["comment"]
    assert "id-token" not in comment["permissions"]
    runs = [step.get("run", "") for step in comment["steps"]]
    assert not any("make test" in run or "make diff" in run or "make synth" in run for run in runs)
    assert "--body-file review-summary.md" in runs[-1]
    assert "!github.event.pull_request.head.repo.fork" in comment["if"], "a fork's token cannot write"


def test_drift_plans_read_only_weekly_and_on_demand():
    workflow = load("drift.yml")
    assert set(triggers(workflow)) == {"schedule", "workflow_dispatch"}
    (job,) = workflow["jobs"].values()
    (plan,) = [step for step in job["steps"] if step.get("run", "").startswith("make diff")]
    assert plan["env"]["TF_CLI_ARGS_plan"] == "-lock=false", "a state lease would need write access to the state blob"
    assert job["steps"][-1]["if"] == "${{ !cancelled() }}", "a failed plan still reaches the issue"
    assert "publish drift" in job["steps"][-1]["run"]


def test_checkout_keeps_no_credentials():
    checkouts = [(name, step) for name, step in every_step() if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for name, step in checkouts:
        assert step["with"]["persist-credentials"] is False, name


def test_deploy_logs_in_with_oidc(deploy_job):
    assert deploy_job["permissions"]["id-token"] == "write"
    (login,) = steps_using(deploy_job, "azure/login")
    assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}
    assert all(value.startswith("${{ vars.") for value in login["with"].values())
    assert deploy_job["env"]["ARM_USE_OIDC"] == "true"


def test_deploy_waits_for_the_production_environment_on_main_only(deploy_job):
    assert deploy_job["environment"] == "production"
    assert deploy_job["if"] == "github.ref == 'refs/heads/main'"
    assert triggers(load("deploy.yml"))["push"]["branches"] == ["main"]


def test_deploys_never_overlap():
    concurrency = load("deploy.yml")["concurrency"]
    assert "${{" not in concurrency["group"], "one fixed group, so every run waits for the one before"
    assert concurrency["cancel-in-progress"] is False


def test_manual_run_deploys_or_destroys_one_region(deploy_job):
    inputs = triggers(load("deploy.yml"))["workflow_dispatch"]["inputs"]
    assert inputs["action"]["options"] == ["deploy", "destroy"]
    assert inputs["region"]["type"] == "string"
    assert deploy_job["steps"][-1]["run"] == 'make "$ACTION" REGION="$REGION" REQUIRE_REMOTE_STATE=1 CDKTF_FLAGS=--auto-approve'


def test_tool_versions_match_what_preflight_asks_for():
    for path in WORKFLOWS:
        jobs = load(path.name)["jobs"].values()
        terraform = [step["with"]["terraform_version"] for job in jobs for step in steps_using(job, "hashicorp/setup-terraform")]
        kubelogin = [step["with"]["kubelogin-version"] for job in jobs for step in steps_using(job, "azure/use-kubelogin")]
        assert terraform and set(terraform) == {TERRAFORM_VERSION}, path.name
        assert kubelogin == [KUBELOGIN_VERSION], path.name


def test_pull_request_tests_scans_diffs_and_uploads_the_synth():
    job = load("pull-request.yml")["jobs"]["review"]
    runs = [step.get("run", "") for step in job["steps"]]
    for command in ("make test", "make synth", "make scan", "make diff REQUIRE_REMOTE_STATE=1"):
        assert command in runs, command
    (upload,) = steps_using(job, "actions/upload-artifact")
    assert upload["with"]["path"] == "cdktf.out/"
    assert any('>> "$GITHUB_STEP_SUMMARY"' in run for run in runs)


def test_pull_request_diffs_only_with_credentials_and_says_so_otherwise():
    job = load("pull-request.yml")["jobs"]["review"]
    credential_check = next(step for step in job["steps"] if step.get("id") == "azure")
    assert "::notice" in credential_check["run"]
    run = [step.get("run", "") for step in job["steps"]]
    needs_azure = [
        step
        for step, command in zip(job["steps"], run, strict=True)
        if not step.get("uses", "actions/").startswith("actions/") or command.startswith(("az ", "make diff"))
    ]
    assert len(needs_azure) == 5
    for step in needs_azure:
        assert "steps.azure.outputs.configured == 'true'" in step["if"], step.get("name")


@pytest.mark.parametrize("workflow", ["deploy.yml", "drift.yml", "pull-request.yml"])
def test_the_api_server_token_is_taken_while_the_oidc_login_is_fresh(workflow):
    from dualstack_aks.stacks.providers import AKS_AAD_SERVER_ID

    (job,) = [job for job in load(workflow)["jobs"].values() if steps_using(job, "azure/login")]
    names = [step.get("name", step.get("uses", "")) for step in job["steps"]]
    token = names.index("Token for the AKS API servers")
    assert names[token - 1] == "Azure login (OIDC)"
    assert job["steps"][token]["run"] == f"az account get-access-token --resource {AKS_AAD_SERVER_ID} --output none"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_engine_comes_from_one_repository_variable(workflow: Path):
    assert load(workflow.name)["env"]["DUALSTACK_ENGINE"] == "${{ vars.DUALSTACK_ENGINE || 'cdktf' }}"


def test_pull_request_validates_every_stack_of_every_shipped_config_with_terraform():
    job = load("pull-request.yml")["jobs"]["validate"]
    (setup,) = steps_using(job, "hashicorp/setup-terraform")
    assert setup["with"]["terraform_wrapper"] is False, "the wrapper mixes its own output into the JSON"
    (checksum,) = [step for step in job["steps"] if "sha256sum --check" in step.get("run", "")]
    assert checksum["env"] == {"TERRAFORM_VERSION": TERRAFORM_VERSION, "TERRAFORM_SHA256": TERRAFORM_LINUX_AMD64_SHA256}
    assert 'cmp "$RUNNER_TEMP/terraform-checked/terraform" "$(command -v terraform)"' in checksum["run"]
    names = [step.get("name", step.get("uses", "")) for step in job["steps"]]
    (validate,) = [step for step in job["steps"] if "make validate" in step.get("run", "")]
    assert names.index(validate["name"]) > names.index(checksum["name"]) > names.index(setup["name"])
    run = validate["run"]
    assert "for config in config/default.yaml config/examples/*.yaml; do" in run
    assert sorted(REPO.glob("config/examples/*.yaml")) == EXAMPLE_CONFIGS and USER_CONFIG == REPO / "config/default.yaml"
    assert 'make validate CONFIG="$config" REQUIRE_VALIDATION=1' in run, "validating nothing fails in CI"
    assert "cat cdktf.out/validate-summary.md" in run and '>> "$GITHUB_STEP_SUMMARY"' in run
    assert run.rstrip().endswith('exit "$status"'), "every config is validated, then any failure fails the job"
