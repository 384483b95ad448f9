"""Checks what `make diff | deploy | destroy | bootstrap-state` need before cdktf starts.

python -m dualstack_aks preflight COMMAND [--config PATH] [--region REGION] [--require-remote-state]

Prints one line per missing prerequisite, saying what to install or set, and exits 1; a bad
config prints its problems and exits 2; exits 0 silently when everything is in place.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping

from dualstack_aks.model.config import Config
from dualstack_aks.terraform_version import REQUIRED_VERSION, TERRAFORM_VERSION, is_supported

# The kubelogin version CI installs (tests/test_workflows.py keeps the workflows in step with it).
KUBELOGIN_VERSION = "v0.2.19"
TERRAFORM_INSTALL = f"install Terraform {TERRAFORM_VERSION} (https://developer.hashicorp.com/terraform/install)"

EXIT_MISSING = 1
COMMANDS = ("diff", "deploy", "destroy", "bootstrap-state")
# The bootstrap stack has no ingress stack, so neither kubelogin nor a cluster login is needed.
COMMANDS_WITH_INGRESS = ("diff", "deploy", "destroy")
TRUE_VALUES = ("1", "true", "yes")
# The commands that may create a cluster, so its version must be one AKS offers today.
COMMANDS_CREATING = ("diff", "deploy")


def _tool_missing(name: str, env: Mapping[str, str]) -> bool:
    return shutil.which(name, path=env.get("PATH", "")) is None


def _azure_cli_logged_in(env: Mapping[str, str]) -> bool:
    az = shutil.which("az", path=env.get("PATH", ""))
    if az is None:
        return False
    try:
        result = subprocess.run([az, "account", "show", "--output", "none"], env=dict(env), capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def _has_environment_credentials(env: Mapping[str, str]) -> bool:
    """ARM_* variables Terraform can authenticate with on its own (OIDC in CI, a managed identity, a certificate)."""
    if env.get("ARM_USE_MSI", "").lower() in TRUE_VALUES:
        return True
    identity = env.get("ARM_CLIENT_ID") and env.get("ARM_TENANT_ID")
    proof = env.get("ARM_USE_OIDC", "").lower() in TRUE_VALUES or env.get("ARM_CLIENT_CERTIFICATE_PATH")
    return bool(identity and proof)


def _region_problems(command: str, region: str | None, config: Config, config_path: str) -> list[str]:
    names = [entry.name for entry in config.regions]
    if command == "destroy" and not region:
        return [f"needs REGION=<region>, one of: {', '.join(names)}"]
    if region and region not in names:
        return [f"REGION={region} is not a region in {config_path}; its regions are: {', '.join(names)}"]
    return []


def _backend_problems(command: str, require_remote_state: bool, config: Config, config_path: str) -> list[str]:
    if config.backend.type == "azurerm":
        return []
    if command == "bootstrap-state":
        return [
            f"{config_path} keeps state locally: set backend.type: azurerm with backend.resource_group_name and "
            "backend.storage_account_name, which bootstrap-state then creates"
        ]
    if require_remote_state:
        return [
            f"{config_path} keeps state locally, which a CI runner discards: set backend.type: azurerm "
            "(docs/deploy.md) or point DUALSTACK_CONFIG at a config that does"
        ]
    return []


def _installed_terraform_version(terraform: str, env: Mapping[str, str]) -> str | None:
    """`terraform version -json`'s version, or None when it does not answer with one."""
    try:
        result = subprocess.run([terraform, "version", "-json"], env=dict(env), capture_output=True, text=True, timeout=60, check=False)
        version = json.loads(result.stdout)["terraform_version"]
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, TypeError):
        return None
    return version if isinstance(version, str) else None


def _terraform_problems(env: Mapping[str, str]) -> list[str]:
    terraform = shutil.which("terraform", path=env.get("PATH", ""))
    if terraform is None:
        return [f"terraform is not on PATH: {TERRAFORM_INSTALL}"]
    version = _installed_terraform_version(terraform, env)
    if version is None:
        return [f"{terraform} did not tell its version (`terraform version -json`): {TERRAFORM_INSTALL}"]
    if not is_supported(version):
        return [f"Terraform {version} is outside the supported range {REQUIRED_VERSION}: {TERRAFORM_INSTALL}"]
    return []


def _tool_problems(command: str, env: Mapping[str, str]) -> list[str]:
    found = _terraform_problems(env)
    if command in COMMANDS_WITH_INGRESS and _tool_missing("kubelogin", env):
        found.append(
            f"kubelogin is not on PATH: the ingress stacks' Helm and Kubernetes providers run it; install {KUBELOGIN_VERSION} "
            "with `az aks install-cli` or from https://github.com/Azure/kubelogin/releases"
        )
    return found


def _credential_problems(command: str, env: Mapping[str, str], config: Config, config_path: str) -> list[str]:
    found = []
    if not (env.get("ARM_SUBSCRIPTION_ID") or config.azure.subscription_id):
        found.append(
            "no Azure subscription chosen: export ARM_SUBSCRIPTION_ID=$(az account show --query id --output tsv), "
            f"or set azure.subscription_id in {config_path}"
        )
    # kubelogin --login azurecli borrows the Azure CLI session, whatever Terraform itself uses.
    needs_cli_login = command in COMMANDS_WITH_INGRESS and config.azure.kubelogin_mode == "azurecli"
    if needs_cli_login or not _has_environment_credentials(env):
        if _tool_missing("az", env):
            found.append("az (the Azure CLI) is not on PATH: install it (https://learn.microsoft.com/cli/azure/install-azure-cli), then run `az login`")
        elif not _azure_cli_logged_in(env):
            hint = "" if needs_cli_login else ", or set ARM_CLIENT_ID and ARM_TENANT_ID with ARM_USE_OIDC=true"
            found.append(f"not logged in to Azure: run `az login`{hint}")
    return found


def _offered_versions(location: str, env: Mapping[str, str]) -> set[str] | None:
    """GA minor and patch versions AKS offers in `location` today, or None when the Azure CLI cannot tell."""
    az = shutil.which("az", path=env.get("PATH", ""))
    if az is None:
        return None
    try:
        result = subprocess.run(
            [az, "aks", "get-versions", "--location", location, "--output", "json"], env=dict(env), capture_output=True, text=True, timeout=120, check=False
        )
        values = json.loads(result.stdout)["values"] if result.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, TypeError):
        return None
    if not isinstance(values, list):
        return None
    # `values` lists each minor with its patches (`az aks get-versions`, API 2024-01-01 and later); previews cannot carry a production cluster.
    ga = [entry for entry in values if isinstance(entry, dict) and not entry.get("isPreview")]
    return {str(entry.get("version")) for entry in ga} | {patch for entry in ga for patch in entry.get("patchVersions") or {}}


def _creates_clusters(command: str, config: Config) -> bool:
    return command in COMMANDS_CREATING and not all(region.existing_cluster for region in config.regions)


def _version_problems(command: str, config: Config, env: Mapping[str, str]) -> list[str]:
    """The synth judges the version against the calendar as last checked; here Azure says what it offers today."""
    if not _creates_clusters(command, config):
        return []
    location = config.regions[0].name
    offered = _offered_versions(location, env)
    version = config.cluster.kubernetes_version
    if offered is None or version in offered:
        return []
    minors = sorted({entry for entry in offered if entry.count(".") == 1}, key=lambda entry: int(entry.split(".")[1]))
    return [f"cluster.kubernetes_version {version} is not offered in {location} today (az aks get-versions); offered: {', '.join(minors) or 'none'}"]


# Encryption at host needs this subscription feature registered (azure-aks-docs articles/aks/enable-host-encryption.md:38-48).
HOST_ENCRYPTION_FEATURE = ("Microsoft.Compute", "EncryptionAtHost")
REGISTERED = "Registered"


def _feature_state(namespace: str, feature: str, env: Mapping[str, str]) -> str | None:
    """The subscription feature's state (Registered, NotRegistered, Registering...), or None when the Azure CLI cannot tell."""
    az = shutil.which("az", path=env.get("PATH", ""))
    if az is None:
        return None
    arguments = [az, "feature", "show", "--namespace", namespace, "--name", feature, "--query", "properties.state", "-o", "tsv"]
    try:
        result = subprocess.run(arguments, env=dict(env), capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (result.stdout.strip() or None) if result.returncode == 0 else None


def _feature_problems(command: str, config: Config, env: Mapping[str, str]) -> list[str]:
    """New node pools with host encryption fail to create until the subscription has the feature."""
    if not (config.security.host_encryption and _creates_clusters(command, config)):
        return []
    namespace, feature = HOST_ENCRYPTION_FEATURE
    state = _feature_state(namespace, feature, env)
    if state is None or state == REGISTERED:
        return []
    return [
        f"security.host_encryption needs the subscription feature {namespace}/{feature}, which is {state}: run "
        f"`az feature register --namespace {namespace} --name {feature}`, wait until "
        f"`az feature show --namespace {namespace} --name {feature} --query properties.state -o tsv` says {REGISTERED}, "
        f"then `az provider register -n {namespace}` (or set security.host_encryption: false)"
    ]


def check(command: str, config: Config, config_path: str, region: str | None, require_remote_state: bool, env: Mapping[str, str]) -> list[str]:
    """Every problem that would stop `command`, one line each; empty when it can run."""
    return [
        *_region_problems(command, region, config, config_path),
        *_backend_problems(command, require_remote_state, config, config_path),
        *_tool_problems(command, env),
        *_credential_problems(command, env, config, config_path),
        *_version_problems(command, config, env),
        *_feature_problems(command, config, env),
    ]
