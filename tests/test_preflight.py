"""`make diff | deploy | destroy | bootstrap-state` stop with one line per missing prerequisite.

Tools are simulated by a PATH holding only stand-in executables; `az` exits 0 when logged in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dualstack_aks.deploy.preflight import KUBELOGIN_VERSION, TERRAFORM_VERSION, check
from dualstack_aks.engine import selected_engine
from dualstack_aks.model.loading import load_config
from dualstack_aks.terraform_version import REQUIRED_VERSION
from tests.conftest import DEFAULT_CONFIG, REPO, config_with

REMOTE_STATE_CONFIG = REPO / "config" / "examples" / "three-regions-remote-state.yaml"
SUBSCRIPTION = {"ARM_SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000000"}
OIDC = {"ARM_CLIENT_ID": "11111111-1111-1111-1111-111111111111", "ARM_TENANT_ID": "22222222-2222-2222-2222-222222222222", "ARM_USE_OIDC": "true"}


def tools(directory: Path, terraform_version: str = TERRAFORM_VERSION, **exit_codes: int) -> str:
    """A PATH of stand-ins: each named tool exits with its code; terraform also prints `terraform_version`."""
    directory.mkdir(exist_ok=True)
    for name, code in exit_codes.items():
        tool = directory / name
        says = f'echo \'{{"terraform_version": "{terraform_version}"}}\'\n' if name == "terraform" and terraform_version else ""
        tool.write_text(f"#!/bin/sh\n{says}exit {code}\n")
        tool.chmod(0o755)
    return str(directory)


@pytest.fixture
def everything(tmp_path) -> dict[str, str]:
    return {"PATH": tools(tmp_path / "bin", terraform=0, kubelogin=0, az=0), **SUBSCRIPTION}


@pytest.fixture(scope="module")
def config():
    return load_config(DEFAULT_CONFIG)


@pytest.fixture(scope="module")
def first_region(config) -> str:
    return config.regions[0].name


def preflight(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dualstack_aks", "preflight", *args], cwd=REPO, env=env, capture_output=True, text=True)


def test_silent_when_everything_is_in_place(everything, first_region):
    result = preflight("--region", first_region, "destroy", env=everything)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_missing_terraform_is_one_line_saying_what_to_install(tmp_path):
    env = {"PATH": tools(tmp_path / "bin", kubelogin=0, az=0), **SUBSCRIPTION}
    result = preflight("deploy", env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"make deploy: terraform is not on PATH: install Terraform {TERRAFORM_VERSION} (https://developer.hashicorp.com/terraform/install)"
    ]


@pytest.mark.parametrize("version", ["1.1.9", "2.0.0", "0.15.5"])
def test_a_terraform_outside_the_supported_range_is_named_with_the_version_to_install(tmp_path, config, version):
    env = {"PATH": tools(tmp_path / "bin", terraform_version=version, terraform=0, kubelogin=0, az=0), **SUBSCRIPTION}
    assert check("diff", config, "config/default.yaml", None, False, env) == [
        f"Terraform {version} is outside the supported range {REQUIRED_VERSION}: install Terraform {TERRAFORM_VERSION} "
        "(https://developer.hashicorp.com/terraform/install)"
    ]


@pytest.mark.parametrize("version", ["1.2.0", TERRAFORM_VERSION, "1.16.0-beta1"])
def test_a_supported_terraform_passes(tmp_path, config, version):
    env = {"PATH": tools(tmp_path / "bin", terraform_version=version, terraform=0, kubelogin=0, az=0), **SUBSCRIPTION}
    assert check("diff", config, "config/default.yaml", None, False, env) == []


def test_a_terraform_that_does_not_tell_its_version_is_reported(tmp_path, config):
    env = {"PATH": tools(tmp_path / "bin", terraform_version="", terraform=0, kubelogin=0, az=0), **SUBSCRIPTION}
    (problem,) = check("diff", config, "config/default.yaml", None, False, env)
    assert problem.endswith(
        f"did not tell its version (`terraform version -json`): install Terraform {TERRAFORM_VERSION} (https://developer.hashicorp.com/terraform/install)"
    )


def test_a_bad_config_is_reported_as_the_synth_reports_it(tmp_path, everything):
    broken = tmp_path / "broken.yaml"
    broken.write_text("dns:\n  zone: Not A Zone\nregions: []\n")
    result = preflight("--config", str(broken), "diff", env=everything)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert all(line.startswith(str(broken)) for line in result.stderr.splitlines())


@pytest.mark.parametrize(
    ("present", "extra_env", "expected"),
    [
        (
            {"terraform": 0, "az": 0},
            SUBSCRIPTION,
            f"kubelogin is not on PATH: the ingress stacks' Helm and Kubernetes providers run it; install {KUBELOGIN_VERSION}",
        ),
        ({"terraform": 0, "kubelogin": 0}, SUBSCRIPTION, "az (the Azure CLI) is not on PATH: install it"),
        ({"terraform": 0, "kubelogin": 0, "az": 1}, SUBSCRIPTION, "not logged in to Azure: run `az login`"),
        ({"terraform": 0, "kubelogin": 0, "az": 0}, {}, "no Azure subscription chosen: export ARM_SUBSCRIPTION_ID="),
        # OIDC variables satisfy Terraform, but kubelogin --login azurecli still needs the CLI session.
        ({"terraform": 0, "kubelogin": 0, "az": 1}, {**SUBSCRIPTION, **OIDC}, "not logged in to Azure: run `az login`"),
    ],
    ids=["no-kubelogin", "no-az", "az-logged-out", "no-subscription", "oidc-without-az-session"],
)
def test_each_missing_prerequisite_is_one_line(tmp_path, config, present, extra_env, expected):
    env = {"PATH": tools(tmp_path / "bin", **present), **extra_env}
    (problem,) = check("diff", config, "config/default.yaml", None, False, env)
    assert problem.startswith(expected)


def test_bootstrap_needs_no_kubelogin_and_takes_oidc_variables(tmp_path):
    env = {"PATH": tools(tmp_path / "bin", terraform=0), **SUBSCRIPTION, **OIDC}
    assert check("bootstrap-state", load_config(REMOTE_STATE_CONFIG), "remote.yaml", None, False, env) == []


def test_bootstrap_needs_an_azurerm_backend(everything, config):
    (problem,) = check("bootstrap-state", config, "config/default.yaml", None, False, everything)
    assert problem.startswith("config/default.yaml keeps state locally: set backend.type: azurerm")


def test_ci_refuses_local_state(everything, config):
    assert check("deploy", config, "config/default.yaml", None, False, everything) == []
    (problem,) = check("deploy", config, "config/default.yaml", None, True, everything)
    assert "which a CI runner discards" in problem


def test_destroy_needs_a_region_of_the_config(everything, config):
    names = ", ".join(region.name for region in config.regions)
    assert check("destroy", config, "config/default.yaml", None, False, everything) == [f"needs REGION=<region>, one of: {names}"]
    assert check("destroy", config, "config/default.yaml", "mars", False, everything) == [
        f"REGION=mars is not a region in config/default.yaml; its regions are: {names}"
    ]


def dry_run(*arguments: str) -> list[str]:
    """The engine CLI's command lines `make -n` would run (cdktf's words for either engine's CLI)."""
    cli = selected_engine().name
    result = subprocess.run(["make", "-n", f"ENGINE={cli}", *arguments], cwd=REPO, capture_output=True, text=True, check=True)
    lines = [line.split("node_modules/.bin/", 1)[1].strip() for line in result.stdout.splitlines() if f"node_modules/.bin/{cli} " in line]
    return [line.replace(cli, "cdktf", 1) for line in lines]


def test_destroy_removes_one_regions_two_stacks_only(first_region):
    assert dry_run("destroy", f"REGION={first_region}") == [f"cdktf destroy ingress-{first_region} region-{first_region} --skip-synth"]


def test_deploy_takes_every_stack_or_one_region_in_order(first_region):
    assert dry_run("deploy") == ["cdktf deploy '*' --skip-synth"]
    assert dry_run("deploy", f"REGION={first_region}", "CDKTF_FLAGS=--auto-approve") == [
        f"cdktf deploy region-{first_region} ingress-{first_region} --ignore-missing-stack-dependencies --parallelism 1 --skip-synth --auto-approve"
    ]


def test_local_state_and_the_bootstrap_output_stay_out_of_git():
    ignored = set((REPO / ".gitignore").read_text().splitlines())
    assert {"cdktf.state.out/", "terraform-state/"} <= ignored


FEATURE_SHOW = "feature show --namespace Microsoft.Compute --name EncryptionAtHost --query properties.state -o tsv"
REGISTER_STEPS = (
    "run `az feature register --namespace Microsoft.Compute --name EncryptionAtHost`, wait until "
    f"`az {FEATURE_SHOW}` says Registered, then `az provider register -n Microsoft.Compute`"
)


def feature_az(directory: Path, state: str) -> dict[str, str]:
    """Logged-in stand-ins whose `az` answers the EncryptionAtHost query, and only that exact query, with `state`."""
    path = tools(directory, terraform=0, kubelogin=0)
    az = directory / "az"
    az.write_text(f'#!/bin/sh\nif [ "$*" = "{FEATURE_SHOW}" ]; then echo {state}; fi\nexit 0\n')
    az.chmod(0o755)
    return {"PATH": path, **SUBSCRIPTION}


# Host encryption needs the subscription feature (azure-aks-docs articles/aks/enable-host-encryption.md:38-48).
@pytest.mark.parametrize("state", ["NotRegistered", "Registering"])
def test_host_encryption_names_the_unregistered_feature_and_how_to_register_it(tmp_path, config, state):
    assert config.security.host_encryption
    assert check("deploy", config, "config/default.yaml", None, False, feature_az(tmp_path / "bin", state)) == [
        f"security.host_encryption needs the subscription feature Microsoft.Compute/EncryptionAtHost, which is {state}: {REGISTER_STEPS} "
        "(or set security.host_encryption: false)"
    ]


def test_host_encryption_feature_registered_or_not_needed_passes(tmp_path, config):
    assert check("diff", config, "config/default.yaml", None, False, feature_az(tmp_path / "registered", "Registered")) == []
    unregistered = feature_az(tmp_path / "unregistered", "NotRegistered")
    without = config_with(config, **{"security.host_encryption": False})
    assert check("deploy", without, "config/default.yaml", None, False, unregistered) == []
    # destroy creates no node pool, and an existing cluster's pools are not ours to create.
    assert check("destroy", config, "config/default.yaml", config.regions[0].name, False, unregistered) == []
    brownfield = load_config(REPO / "config" / "examples" / "existing-cluster.yaml")
    existing_only = config_with(brownfield, regions=[region for region in brownfield.model_dump(mode="json")["regions"] if region["existing_cluster"]])
    assert existing_only.security.host_encryption and existing_only.regions
    assert check("deploy", existing_only, "existing.yaml", None, False, unregistered) == []
    # One new cluster beside the existing one is enough to ask.
    assert len(check("deploy", brownfield, "existing.yaml", None, False, unregistered)) == 1


def test_host_encryption_is_not_asked_without_the_azure_cli(tmp_path, config):
    env = {"PATH": tools(tmp_path / "bin", terraform=0, kubelogin=0), **SUBSCRIPTION}
    problems = check("deploy", config, "config/default.yaml", None, False, env)
    assert problems and not any("EncryptionAtHost" in problem for problem in problems)


def test_make_deploy_prints_the_feature_line(tmp_path):
    result = preflight("deploy", env=feature_az(tmp_path / "bin", "NotRegistered"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "make deploy: security.host_encryption needs the subscription feature Microsoft.Compute/EncryptionAtHost, which is NotRegistered: "
        f"{REGISTER_STEPS} (or set security.host_encryption: false)"
    ]
