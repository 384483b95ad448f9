"""The GitHub Actions workflows: offline linters (zizmor, the GitHub workflow JSON schema) and the
properties the deploy depends on: OIDC without secrets, the approval environment, one deploy at a
time, actions pinned to commits, and the tool versions local preflight asks for."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dualstack_aks.deploy.preflight import KUBELOGIN_VERSION, TERRAFORM_VERSION
from dualstack_aks.terraform_version import TERRAFORM_LINUX_AMD64_SHA256
from tests.conftest import DEFAULT_CONFIG, EXAMPLE_CONFIGS, REPO, USER_CONFIG

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
    return [(path.name, step) for path in WORKFLOWS for job in load(path.name)["jobs"].values() for step in job.get("steps", [])]


@pytest.fixture(scope="module")
def deploy_job() -> dict:
    """The one job that deploys or destroys: stacks.yml, which deploy.yml calls once per wave member."""
    return load("stacks.yml")["jobs"]["stacks"]


def test_every_workflow_exists():
    assert {path.name for path in WORKFLOWS} == {"deploy.yml", "drift.yml", "pull-request.yml", "stacks.yml"}


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
                if reference.startswith("./"):  # a workflow of this repository, at the caller's commit
                    assert (REPO / reference.split()[0]).is_file(), f"{path.name}: {reference}"
                    continue
                assert PINNED_USES.match(reference), f"{path.name}: pin to a 40-hex commit and name its version: {reference}"


def test_no_secrets_but_the_github_token():
    for path in WORKFLOWS:
        used = set(re.findall(r"secrets\.(\w+)", path.read_text()))
        assert used <= {"GITHUB_TOKEN"}, f"{path.name} uses {used}"
        assert "client-secret" not in path.read_text() and "ARM_CLIENT_SECRET" not in path.read_text()


# The only write permissions besides OIDC, each on the one job that needs it.
WRITE_PERMISSIONS = {("pull-request.yml", "comment"): {"pull-requests"}, ("drift.yml", "publish"): {"issues"}}


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
    job = workflow["jobs"]["drift"]
    (plan,) = [step for step in job["steps"] if "make diff" in step.get("run", "")]
    assert plan["env"]["TF_CLI_ARGS_plan"] == "-lock=false", "a state lease would need write access to the state blob"
    assert job["environment"] == "drift"
    (upload,) = steps_using(job, "actions/upload-artifact")
    assert upload["if"] == "${{ !cancelled() }}", "a failed plan still reaches the issue"
    assert (upload["with"]["name"], upload["with"]["path"]) == ("drift-${{ matrix.member }}", "cdktf.out/diff-summary.json")


def test_drift_plans_each_region_on_its_own_runner_then_one_job_publishes():
    jobs = load("drift.yml")["jobs"]
    assert {name: job.get("needs") for name, job in jobs.items()} == {"plan": None, "drift": "plan", "publish": ["plan", "drift"]}
    strategy = jobs["drift"]["strategy"]
    assert strategy == {
        "fail-fast": False,
        "max-parallel": "${{ fromJSON(needs.plan.outputs.max_parallel) }}",
        "matrix": {"member": "${{ fromJSON(needs.plan.outputs.members) }}"},
    }
    (diff,) = [step for step in jobs["drift"]["steps"] if "make diff" in step.get("run", "")]
    assert 'make diff STACK="$MEMBER"' in diff["run"] and 'make diff REGION="$MEMBER"' in diff["run"]
    publish = jobs["publish"]
    assert publish["if"] == "${{ !cancelled() && needs.plan.result == 'success' }}", "failed plans are published too"
    assert "id-token" not in publish["permissions"], "the job that writes issues holds no Azure token"
    (download,) = steps_using(publish, "actions/download-artifact")
    assert download["with"] == {"pattern": "drift-*", "path": "drift-summaries"}
    runs = [step.get("run", "") for step in publish["steps"]]
    assert "make synth" in runs, "every stack of main, so that a missing summary is named"
    assert runs[-1].splitlines()[1:] == [
        'make -s run ARGS="merge-diffs drift-summaries"',
        'make -s run ARGS="publish drift --repo $GITHUB_REPOSITORY --run-url $RUN_URL"',
    ]


def test_checkout_keeps_no_credentials():
    checkouts = [(name, step) for name, step in every_step() if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for name, step in checkouts:
        assert step["with"]["persist-credentials"] is False, name


def test_deploy_logs_in_with_oidc(deploy_job):
    assert deploy_job["permissions"]["id-token"] == "write"
    logins = steps_using(deploy_job, "azure/login")
    assert len(logins) == 2, "before the deploy, and again, with a fresh token, before the health gate"
    for login in logins:
        assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}
        assert all(value.startswith("${{ vars.") for value in login["with"].values())
    assert deploy_job["env"]["ARM_USE_OIDC"] == "true"


def test_deploy_waits_for_the_production_environment_on_main_only(deploy_job):
    jobs = load("deploy.yml")["jobs"]
    plan = jobs["plan"]
    assert plan["environment"] == "production", "the run's one approval"
    assert plan["if"] == "github.ref == 'refs/heads/main'"
    assert set(plan["permissions"]) == {"contents"}, "the approval job reaches nothing"
    assert all("plan" in (job["needs"] if isinstance(job["needs"], list) else [job["needs"]]) for name, job in jobs.items() if name != "plan")
    assert deploy_job["environment"] == "production-deploy", "the deploy identity, limited to main, after the approval"
    assert triggers(load("deploy.yml"))["push"]["branches"] == ["main"]


def test_two_runs_never_touch_one_region_at_once(deploy_job):
    assert "concurrency" not in load("deploy.yml"), "runs may overlap on different regions"
    assert deploy_job["concurrency"] == {"group": "deploy-${{ inputs.region || inputs.stack }}", "cancel-in-progress": False}
    assert load("deploy.yml")["jobs"]["plan"]["concurrency"] == {"group": "deploy-plan", "cancel-in-progress": False}


def test_manual_run_deploys_or_destroys_one_region(deploy_job):
    inputs = triggers(load("deploy.yml"))["workflow_dispatch"]["inputs"]
    assert inputs["action"]["options"] == ["deploy", "destroy"]
    assert inputs["region"]["type"] == "string"
    jobs = load("deploy.yml")["jobs"]
    assert 'make waves REGION="$REGION"' in jobs["plan"]["steps"][-1]["run"], "the plan holds that region alone"
    assert jobs["global"]["if"] == "needs.plan.outputs.action == 'deploy' && !inputs.region"
    assert jobs["destroy"]["if"] == "needs.plan.outputs.action == 'destroy'"
    assert jobs["destroy"]["strategy"]["matrix"]["region"] == "${{ fromJSON(needs.plan.outputs.plan).canary }}"
    assert jobs["destroy"]["with"] == {"action": "destroy", "region": "${{ matrix.region }}"}
    (deploy,) = [step for step in deploy_job["steps"] if step.get("name", "").startswith("cdktf ")]
    assert deploy["run"] == 'make "$ACTION" REGION="$REGION" STACK="$STACK" REQUIRE_REMOTE_STATE=1 CDKTF_FLAGS=--auto-approve'


@pytest.mark.parametrize("workflow", ["drift.yml", "pull-request.yml", "stacks.yml"])
def test_tool_versions_match_what_preflight_asks_for(workflow):
    jobs = load(workflow)["jobs"].values()
    terraform = [step["with"]["terraform_version"] for job in jobs for step in steps_using(job, "hashicorp/setup-terraform")]
    kubelogin = [step["with"]["kubelogin-version"] for job in jobs for step in steps_using(job, "azure/use-kubelogin")]
    assert terraform and set(terraform) == {TERRAFORM_VERSION}
    assert kubelogin == [KUBELOGIN_VERSION]


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


@pytest.mark.parametrize("workflow", ["stacks.yml", "drift.yml", "pull-request.yml"])
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


CALLER_PERMISSIONS = {"contents": "read", "id-token": "write"}


def test_the_waves_go_global_then_canary_then_the_rest():
    jobs = load("deploy.yml")["jobs"]
    assert set(jobs) == {"plan", "global", "canary", "rest", "destroy"}
    assert {name: job.get("needs") for name, job in jobs.items()} == {
        "plan": None,
        "global": "plan",
        "canary": ["plan", "global"],
        "rest": ["plan", "canary"],
        "destroy": "plan",
    }
    for name in ("global", "canary", "rest", "destroy"):
        assert jobs[name]["uses"] == "./.github/workflows/stacks.yml", name
        assert jobs[name]["permissions"] == CALLER_PERMISSIONS, name
    assert jobs["global"]["with"] == {"action": "deploy", "stack": "${{ fromJSON(needs.plan.outputs.plan).global }}"}
    for name, wave in (("canary", "canary"), ("rest", "rest")):
        strategy = jobs[name]["strategy"]
        assert strategy["matrix"] == {"region": f"${{{{ fromJSON(needs.plan.outputs.plan).{wave} }}}}"}, name
        assert strategy["fail-fast"] is False, f"{name}: one region's failure does not cancel the others"
        assert jobs[name]["with"] == {"action": "deploy", "region": "${{ matrix.region }}"}
    assert jobs["rest"]["strategy"]["max-parallel"] == "${{ fromJSON(needs.plan.outputs.plan).max_parallel }}"
    assert "max-parallel" not in jobs["canary"]["strategy"]
    # The canary follows the global stack (or its skip on a manual run); the rest only a canary that passed its gate.
    assert 'contains(fromJSON(\'["success", "skipped"]\'), needs.global.result)' in jobs["canary"]["if"]
    assert "needs.canary.result == 'success'" in jobs["rest"]["if"]
    assert "join(fromJSON(needs.plan.outputs.plan).rest) != ''" in jobs["rest"]["if"], "GitHub refuses an empty matrix"


def test_every_plan_field_the_workflow_reads_is_in_the_plan(capsys):
    from dualstack_aks.cli import main as cli_main

    assert cli_main(["waves", "--config", str(DEFAULT_CONFIG), "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    read = set(re.findall(r"fromJSON\(needs\.plan\.outputs\.plan\)\.(\w+)", (WORKFLOWS_DIR / "deploy.yml").read_text()))
    assert read == set(plan), "every field read, and read by its name"


def run_plan_step(tmp_path: Path, region: str, workflow: str = "deploy.yml") -> tuple[subprocess.CompletedProcess, Path, Path]:
    """The plan job's `waves` step, run by bash in the repository as the runner would, with the fixture config."""
    (step,) = [step for step in load(workflow)["jobs"]["plan"]["steps"] if step.get("id") == "waves"]
    outputs, summary = tmp_path / "github-output", tmp_path / "step-summary"
    environment = {**os.environ, "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary), "DUALSTACK_CONFIG": str(DEFAULT_CONFIG)}
    environment.update(REGION=region, ACTION="deploy", RUNNER_TEMP=str(tmp_path))
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=REPO, env=environment, capture_output=True, text=True)
    return result, outputs, summary


@pytest.mark.parametrize(("region", "canary", "rest"), [("", ["eastus2"], ["westeurope"]), ("westeurope", ["westeurope"], [])], ids=["push", "manual"])
def test_the_plan_step_writes_the_plan_for_the_matrices(tmp_path, region, canary, rest):
    result, outputs, summary = run_plan_step(tmp_path, region)
    assert result.returncode == 0, result.stderr
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert written["action"] == "deploy"
    assert json.loads(written["plan"]) == {"global": "global", "canary": canary, "rest": rest, "max_parallel": 8}
    assert f"2. canary: {canary[0]}" in summary.read_text()


def test_the_plan_step_stops_a_manual_run_for_a_region_outside_the_config(tmp_path):
    result, outputs, _ = run_plan_step(tmp_path, "uksouth")
    assert result.returncode != 0
    assert "waves: --region 'uksouth' is not a region of" in result.stderr
    assert not outputs.exists() or "plan=" not in outputs.read_text()


def test_each_region_passes_its_health_gate_before_its_job_ends(deploy_job):
    names = [step.get("name", "") for step in deploy_job["steps"]]
    relogin, gate = deploy_job["steps"][-2:]
    assert names.index(gate["name"]) == names.index("cdktf ${{ inputs.action }}") + 2
    assert relogin["uses"].startswith("azure/login@"), "a fresh Azure token for the gate's az calls"
    assert gate["if"] == relogin["if"] == "inputs.action == 'deploy' && inputs.region != ''"
    assert gate["run"] == 'make health-gate REGION="$REGION"'
    shown = subprocess.run(["make", "-s", "-n", "health-gate", "REGION=eastus2"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert shown.rstrip().endswith("-m dualstack_aks health-gate --region eastus2")


def test_the_drift_plan_lists_the_global_stack_then_every_region(tmp_path):
    result, outputs, _ = run_plan_step(tmp_path, "", workflow="drift.yml")
    assert result.returncode == 0, result.stderr
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert written == {"global": "global", "members": '["global", "eastus2", "westeurope"]', "max_parallel": "8"}
    read = set(re.findall(r"needs\.plan\.outputs\.(\w+)", (WORKFLOWS_DIR / "drift.yml").read_text()))
    assert read == set(written), "every output read, and read by its name"


def test_no_step_names_one_engines_venv():
    """`vars.DUALSTACK_ENGINE` picks the engine, and each engine has its own venv: a step reaches the app through make
    (`make run ARGS=...` for any command), never through a venv path that only one engine has."""
    runs = [(name, step["run"]) for name, step in every_step() if "run" in step]
    assert runs
    assert [name for name, run in runs if re.search(r"\.venv(-cdktn)?/bin/", run)] == []
