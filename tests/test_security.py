"""Security: checkov on every shipped config, the policy guard, and a scan for credentials."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from dualstack_aks.deploy.scan import run_checkov, scannable_copy
from dualstack_aks.model.config import Security
from dualstack_aks.model.loading import ConfigError, load_config, parse_config
from dualstack_aks.output.outdir import OWNER_CONTENT, OWNER_MARKER
from dualstack_aks.output.reader import read_stacks
from dualstack_aks.policy.guard import check_policy, find_violations
from dualstack_aks.policy.rules import (
    CLUSTER,
    KEY_VAULT,
    NODE_POOL,
    NSG_ASSOCIATION,
    REGISTRY,
    RULE_IDS,
    RULES,
    SUBNET,
)
from dualstack_aks.terraform_version import REQUIRED_VERSION
from tests.conftest import REPO, SHIPPED_CONFIGS, config_id, only

CHECKOV = Path(os.environ.get("CHECKOV", REPO / ".venv/checkov/bin/checkov"))
CHECKOV_CONFIG = REPO / ".checkov.yaml"


def test_checkov_passes_every_shipped_config(synthesize, tmp_path):
    assert CHECKOV.exists(), f"{CHECKOV} is missing: `make test` installs it (requirements-checkov.txt)"
    for config_path in SHIPPED_CONFIGS:
        outdir, stacks = synthesize(load_config(config_path))
        assert {stack["terraform"]["required_version"] for stack in stacks.values()} == {REQUIRED_VERSION}
        scannable_copy(outdir, tmp_path / config_id(config_path))
    result = run_checkov(str(CHECKOV), tmp_path, CHECKOV_CONFIG, "-o", "json")
    report = json.loads(result.stdout)
    assert report["summary"]["parsing_errors"] == 0, "checkov scanned nothing: see dualstack_aks/deploy/scan.py"
    summary = report["summary"]
    failed = [f"{check['check_id']} {check['resource']} ({check['file_path']})" for check in report["results"]["failed_checks"]]
    assert failed == [] and summary["failed"] == 0
    assert summary["passed"] > 100 * len(SHIPPED_CONFIGS) // 2, summary
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_checkov_skip_is_listed_once_with_its_reason():
    lines = CHECKOV_CONFIG.read_text().splitlines()
    skips = [(number, line.strip().removeprefix("- ")) for number, line in enumerate(lines) if re.match(r"^\s+- CKV", line)]
    assert skips, "expected the skip list in .checkov.yaml"
    assert len({check for _, check in skips}) == len(skips)
    for number, check in skips:
        assert lines[number - 1].strip().startswith("#"), f"{check} in .checkov.yaml has no reason above it"
    assert yaml.safe_load(CHECKOV_CONFIG.read_text())["skip-check"] == [check for _, check in skips]


def test_no_inline_checkov_skips_anywhere():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    files = [REPO / name for name in tracked if name != "tests/test_security.py" and (REPO / name).is_file()]
    offenders = [str(path.relative_to(REPO)) for path in files if "checkov:skip" in path.read_text(errors="ignore")]
    assert offenders == []


# --- the policy guard -------------------------------------------------------------------------

BASE = {
    "dns": {"zone": "guard.example.com"},
    "regions": [{"name": "eastus2", "index": 0}],
    "cluster": {"api_server": {"authorized_ip_ranges": ["198.51.100.0/24"]}},
}


def _with(**overrides) -> dict:
    config = json.loads(json.dumps(BASE))
    for dotted, value in overrides.items():
        node = config
        *parents, leaf = dotted.split("__")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return config


def _synth_problems(synthesize, raw: dict) -> list[str]:
    try:
        synthesize(parse_config(raw, "guard.yaml"), source="guard.yaml")
    except ConfigError as error:
        return error.problems
    return []


SWITCHES = [
    ("security__host_encryption", False, "HOST-ENCRYPTION", "security.host_encryption"),
    ("security__azure_policy", False, "AKS-AZURE-POLICY", "security.azure_policy"),
    ("security__defender", False, "AKS-DEFENDER", "security.defender"),
    ("security__registry_public_network_access", True, "ACR-PUBLIC-ACCESS", "security.registry_public_network_access"),
    ("security__key_vault_public_network_access", True, "KV-PUBLIC-ACCESS", "security.key_vault_public_network_access"),
    ("cluster__api_server", {"authorized_ip_ranges": []}, "AKS-API-ACCESS", "cluster.api_server"),
]


@pytest.mark.parametrize("switch, value, rule, path", SWITCHES, ids=[rule for *_, rule, _ in SWITCHES])
def test_turning_a_control_off_needs_an_acknowledgement(synthesize, switch, value, rule, path):
    problems = _synth_problems(synthesize, _with(**{switch: value}))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"guard.yaml: {path}: turns off security control {rule} (")
    assert problems[0].endswith(f"turn it back on, or add `security.acknowledgements.{rule}: <reason>`")
    acknowledged = _with(**{switch: value, "security__acknowledgements": {rule: "accepted for this test deployment"}})
    assert _synth_problems(synthesize, acknowledged) == []


def test_acknowledged_host_encryption_off_reaches_the_output(synthesize):
    raw = _with(security__host_encryption=False, security__acknowledgements={"HOST-ENCRYPTION": "EncryptionAtHost not registered yet"})
    _, stacks = synthesize(parse_config(raw, "guard.yaml"))
    region = stacks["region-eastus2"]
    assert only(region, "azurerm_kubernetes_cluster")["default_node_pool"]["host_encryption_enabled"] is False
    assert only(region, "azurerm_kubernetes_cluster_node_pool")["host_encryption_enabled"] is False


def test_registry_public_access_limited_to_ranges_passes_without_acknowledgement(synthesize):
    raw = _with(security__registry_public_network_access=True, security__registry_allowed_ip_ranges=["198.51.100.0/24"])
    _, stacks = synthesize(parse_config(raw, "guard.yaml"))
    registry = only(stacks["global"], "azurerm_container_registry")
    assert registry["public_network_access_enabled"] is True
    assert registry["network_rule_set"] == [{"default_action": "Deny", "ip_rule": [{"action": "Allow", "ip_range": "198.51.100.0/24"}]}]


@pytest.mark.parametrize(
    "acknowledgements, expected",
    [
        ({"KV-RBAC": "nothing breaks it"}, "guard.yaml: security.acknowledgements.KV-RBAC: acknowledges a control that is on; remove the entry"),
        ({"NO-SUCH-RULE": "a long enough reason"}, f"guard.yaml: security.acknowledgements.NO-SUCH-RULE: unknown rule id; known: {', '.join(RULE_IDS)}"),
    ],
)
def test_stale_or_unknown_acknowledgements_are_errors(synthesize, acknowledgements, expected):
    assert _synth_problems(synthesize, _with(security__acknowledgements=acknowledgements)) == [expected]


def test_acknowledgement_needs_a_real_reason(synthesize):
    raw = _with(security__defender=False, security__acknowledgements={"AKS-DEFENDER": "ok"})
    assert _synth_problems(synthesize, raw) == [
        "guard.yaml: security.acknowledgements.AKS-DEFENDER: give the reason in at least 10 visible characters, got 'ok'"
    ]


def test_guard_sees_resources_the_config_never_made(tmp_path, default_config):
    """A construct added outside the config path (a subnet without NSG, an open Key Vault) is caught in the JSON."""
    from dualstack_aks.engine.azurerm import KeyVault, Subnet
    from dualstack_aks.model.deployment import resolve
    from dualstack_aks.stacks.app import build_app

    built = build_app(resolve(default_config), str(tmp_path))
    stack = built.regions["eastus2"].infra
    Subnet(stack, "stray_subnet", name="snet-stray", resource_group_name="rg", virtual_network_name="vnet", address_prefixes=["10.0.9.0/24"])
    KeyVault(stack, "stray_vault", name="kv-stray", location="eastus2", resource_group_name="rg", sku_name="standard", tenant_id="t")
    built.app.synth()
    problems = check_policy(read_stacks(tmp_path), {})
    found = {(*re.search(r"control (\S+) \(.*; not met by ([^;]+)\);", message).groups(), path) for path, message in problems}
    assert found == {
        ("SUBNET-NSG", "region-eastus2/stray_subnet", "security.acknowledgements"),
        ("KV-RBAC", "region-eastus2/stray_vault", "security.acknowledgements"),
        ("KV-PURGE-PROTECTION", "region-eastus2/stray_vault", "security.acknowledgements"),
        ("KV-PUBLIC-ACCESS", "region-eastus2/stray_vault", "security.key_vault_public_network_access"),
    }
    assert len(problems) == len(found)


def test_cli_refuses_and_keeps_cdktf_out(tmp_path, monkeypatch, capsys):
    import main

    config = tmp_path / "open.yaml"
    config.write_text(yaml.safe_dump(_with(security__defender=False)))
    existing = tmp_path / "cdktf.out"
    existing.mkdir()
    (existing / "manifest.json").write_text('{"stacks": {}}')
    (existing / OWNER_MARKER).write_bytes(OWNER_CONTENT)  # an earlier synth of this app
    monkeypatch.chdir(tmp_path)
    assert main.main(["--config", str(config)]) == 2
    assert capsys.readouterr().err.startswith(f"{config}: security.defender: turns off security control AKS-DEFENDER")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cdktf.out", "open.yaml"]
    assert sorted(path.name for path in existing.iterdir()) == [OWNER_MARKER, "manifest.json"]
    assert (existing / "manifest.json").read_text() == '{"stacks": {}}'


def test_default_config_breaks_no_rule(default_stacks):
    assert find_violations(default_stacks) == []


def test_scoped_acknowledgement_leaves_the_other_region_reported(synthesize):
    regions = [{"name": "eastus2", "index": 0}, {"name": "westeurope", "index": 1}]
    accepted = {"AKS-DEFENDER": {"reason": "Defender trial in eastus2 only", "applies_to": ["region-eastus2"]}}
    assert _synth_problems(synthesize, _with(regions=regions, security__defender=False, security__acknowledgements=accepted)) == [
        (
            "guard.yaml: security.defender: turns off security control AKS-DEFENDER (Microsoft Defender for Containers is on; "
            "not met by region-westeurope/cluster/kubernetes_cluster); turn it back on, or add them to `security.acknowledgements.AKS-DEFENDER.applies_to`"
        )
    ]


# --- each rule on hand-written resource bodies (no jsii) --------------------------------------

# (rule id, Terraform type, a compliant body, a violating body)
RULE_CASES = [
    (
        "AKS-API-ACCESS",
        CLUSTER,
        {"api_server_access_profile": {"authorized_ip_ranges": ["198.51.100.0/24"]}},
        {"api_server_access_profile": {"authorized_ip_ranges": []}},
    ),
    ("AKS-API-ACCESS", CLUSTER, {"private_cluster_enabled": True}, {"private_cluster_enabled": False}),
    ("AKS-API-ACCESS", CLUSTER, {"api_server_access_profile": [{"authorized_ip_ranges": ["198.51.100.0/24"]}]}, {"api_server_access_profile": [{}]}),
    ("AKS-LOCAL-ACCOUNTS", CLUSTER, {"local_account_disabled": True}, {"local_account_disabled": False}),
    (
        "AKS-AZURE-RBAC",
        CLUSTER,
        {"azure_active_directory_role_based_access_control": {"azure_rbac_enabled": True}},
        {"azure_active_directory_role_based_access_control": {"tenant_id": "t"}},
    ),
    ("AKS-NETWORK-POLICY", CLUSTER, {"network_profile": {"network_policy": "cilium"}}, {"network_profile": {"network_plugin": "azure"}}),
    ("AKS-AZURE-POLICY", CLUSTER, {"azure_policy_enabled": True}, {"azure_policy_enabled": False}),
    (
        "AKS-DEFENDER",
        CLUSTER,
        {"microsoft_defender": {"log_analytics_workspace_id": "${azurerm_log_analytics_workspace.w.id}"}},
        {"azure_policy_enabled": True},
    ),
    ("HOST-ENCRYPTION", CLUSTER, {"default_node_pool": {"host_encryption_enabled": True}}, {"default_node_pool": {"host_encryption_enabled": False}}),
    ("HOST-ENCRYPTION", NODE_POOL, {"host_encryption_enabled": True}, {"mode": "User"}),
    ("ACR-ADMIN-USER", REGISTRY, {"admin_enabled": False}, {"admin_enabled": True}),
    ("ACR-PUBLIC-ACCESS", REGISTRY, {"public_network_access_enabled": False}, {"sku": "Premium"}),
    (
        "ACR-PUBLIC-ACCESS",
        REGISTRY,
        {"network_rule_set": [{"default_action": "Deny"}]},
        {"public_network_access_enabled": True, "network_rule_set": [{"default_action": "Allow"}]},
    ),
    ("KV-RBAC", KEY_VAULT, {"rbac_authorization_enabled": True}, {"rbac_authorization_enabled": "${var.rbac}"}),
    ("KV-PURGE-PROTECTION", KEY_VAULT, {"purge_protection_enabled": True}, {"purge_protection_enabled": False}),
    ("KV-PUBLIC-ACCESS", KEY_VAULT, {"public_network_access_enabled": False}, {"public_network_access_enabled": True}),
]
RULES_BY_ID = {rule.id: rule for rule in RULES}


@pytest.mark.parametrize("rule_id, kind, compliant, violating", RULE_CASES, ids=[f"{case[0]}-{position}" for position, case in enumerate(RULE_CASES)])
def test_rule_on_one_resource_body(rule_id, kind, compliant, violating):
    rule = RULES_BY_ID[rule_id]
    assert rule.violations({kind: {"compliant": compliant}}) == []
    assert rule.violations({kind: {"violating": violating}}) == [(kind, "violating")]


def test_every_rule_has_unit_cases_and_keeps_its_id():
    assert {case[0] for case in RULE_CASES} | {"SUBNET-NSG"} == set(RULE_IDS)
    assert len(RULE_IDS) == len(set(RULE_IDS)) == 13


def _subnets_and_associations(subnets: list[str], associated: list[str]) -> dict:
    return {
        SUBNET: {name: {"name": name} for name in subnets},
        NSG_ASSOCIATION: {
            f"{name}_nsg": {"subnet_id": f"${{azurerm_subnet.{name}.id}}", "network_security_group_id": "${azurerm_network_security_group.n.id}"}
            for name in associated
        },
    }


def test_subnet_nsg_pairs_subnets_with_associations_in_the_same_stack():
    rule = RULES_BY_ID["SUBNET-NSG"]
    assert rule.violations(_subnets_and_associations(["nodes", "ingress"], ["nodes", "ingress"])) == []
    assert rule.violations(_subnets_and_associations(["nodes", "ingress"], ["nodes"])) == [(SUBNET, "ingress")]
    other_stack_guards_it = {"a": {"resource": _subnets_and_associations(["nodes"], [])}, "b": {"resource": _subnets_and_associations([], ["nodes"])}}
    assert [violation.construct_path for violation in find_violations(other_stack_guards_it)] == ["a/azurerm_subnet.nodes"]


# --- scoped acknowledgements on hand-written stacks -------------------------------------------


def _open_vault(path: str) -> dict:
    return {"//": {"metadata": {"path": path}}, "rbac_authorization_enabled": True, "purge_protection_enabled": True, "public_network_access_enabled": True}


OPEN_VAULTS = {
    "region-eastus2": {
        "resource": {KEY_VAULT: {"kv": _open_vault("region-eastus2/cluster/key_vault"), "audit": _open_vault("region-eastus2/audit/key_vault")}}
    },
    "region-westeurope": {"resource": {KEY_VAULT: {"kv": _open_vault("region-westeurope/cluster/key_vault")}}},
}
KV_PUBLIC = "turns off security control KV-PUBLIC-ACCESS (Key Vault is reachable over private endpoints only; not met by {}); turn it back on, or {}"
SCOPED_REMEDY = "add them to `security.acknowledgements.KV-PUBLIC-ACCESS.applies_to`"


def _acknowledgements(applies_to: list[str] | None, reason: str = "vaults reached from the office network") -> dict:
    return Security.model_validate({"acknowledgements": {"KV-PUBLIC-ACCESS": {"reason": reason, "applies_to": applies_to}}}).acknowledgements


@pytest.mark.parametrize(
    "applies_to, still_reported",
    [
        (["region-eastus2/cluster/key_vault"], "region-eastus2/audit/key_vault, region-westeurope/cluster/key_vault"),
        (["region-eastus2"], "region-westeurope/cluster/key_vault"),
        (["region-eastus2/audit", "region-westeurope/cluster"], "region-eastus2/cluster/key_vault"),
    ],
)
def test_scoped_acknowledgement_accepts_only_what_it_names(applies_to, still_reported):
    assert check_policy(OPEN_VAULTS, _acknowledgements(applies_to)) == [
        ("security.key_vault_public_network_access", KV_PUBLIC.format(still_reported, SCOPED_REMEDY))
    ]


def test_scoped_acknowledgement_can_cover_everything_and_so_can_the_reason_alone():
    assert check_policy(OPEN_VAULTS, _acknowledgements(["region-eastus2", "region-westeurope"])) == []
    assert check_policy(OPEN_VAULTS, _acknowledgements(None)) == []
    assert (
        check_policy(OPEN_VAULTS, Security.model_validate({"acknowledgements": {"KV-PUBLIC-ACCESS": "vaults reached from the office"}}).acknowledgements) == []
    )


def test_stale_scope_is_an_error_naming_the_entry():
    # "region-eastus2/cluster/key" is a prefix of a path but no construct of it: scopes end at a "/".
    problems = check_policy(OPEN_VAULTS, _acknowledgements(["region-westeurope", "region-northeurope", "region-eastus2/cluster/key"]))
    broken = "region-eastus2/audit/key_vault, region-eastus2/cluster/key_vault, region-westeurope/cluster/key_vault"
    assert problems == [
        ("security.key_vault_public_network_access", KV_PUBLIC.format("region-eastus2/audit/key_vault, region-eastus2/cluster/key_vault", SCOPED_REMEDY)),
        (
            "security.acknowledgements.KV-PUBLIC-ACCESS.applies_to[1]",
            f"'region-northeurope' covers nothing that breaks KV-PUBLIC-ACCESS (only {broken}); remove it",
        ),
        (
            "security.acknowledgements.KV-PUBLIC-ACCESS.applies_to[2]",
            f"'region-eastus2/cluster/key' covers nothing that breaks KV-PUBLIC-ACCESS (only {broken}); remove it",
        ),
    ]


def test_scoped_acknowledgement_needs_a_real_reason_and_a_broken_rule():
    assert check_policy(OPEN_VAULTS, _acknowledgements(["region-eastus2", "region-westeurope"], reason="ok")) == [
        ("security.acknowledgements.KV-PUBLIC-ACCESS", "give the reason in at least 10 visible characters, got 'ok'")
    ]
    closed = {"region-eastus2": {"resource": {KEY_VAULT: {"kv": {**_open_vault("region-eastus2/cluster/key_vault"), "public_network_access_enabled": False}}}}}
    assert check_policy(closed, _acknowledgements(["region-eastus2"])) == [
        ("security.acknowledgements.KV-PUBLIC-ACCESS", "acknowledges a control that is on; remove the entry")
    ]


def test_resource_without_construct_metadata_is_named_by_its_address():
    """A resource added as a raw override carries no construct path."""
    raw = {"global": {"resource": {KEY_VAULT: {"raw": {"rbac_authorization_enabled": True, "purge_protection_enabled": True}}}}}
    assert check_policy(raw, {}) == [
        (
            "security.key_vault_public_network_access",
            KV_PUBLIC.format("global/azurerm_key_vault.raw", "add `security.acknowledgements.KV-PUBLIC-ACCESS: <reason>`"),
        )
    ]


@pytest.mark.parametrize(
    "acknowledgement, expected",
    [
        ({"applies_to": ["region-eastus2"]}, "security.acknowledgements.KV-RBAC.reason: is required"),
        ({"reason": "a long enough reason", "applies_to": []}, "security.acknowledgements.KV-RBAC.applies_to: must have at least 1 item(s), got 0"),
        (5, "security.acknowledgements.KV-RBAC: must be the reason as text, or a mapping with reason and applies_to, got 5"),
    ],
)
def test_acknowledgement_shape_is_checked_with_the_config(acknowledgement, expected):
    with pytest.raises(ConfigError) as error:
        parse_config(_with(security__acknowledgements={"KV-RBAC": acknowledgement}), "guard.yaml")
    assert error.value.problems == [f"guard.yaml: {expected}"]


# --- no credentials in the output -------------------------------------------------------------

SECRET_KEYS = re.compile(
    r"^(\w*_)?(password|secret|client_secret|client_key|client_certificate|token|access_key|primary_key|secondary_key|connection_string|sas|kube_config_raw|kube_admin_config)$",
    re.IGNORECASE,
)
SECRET_VALUES = [
    re.compile(r"-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),  # a JWT
    re.compile(r"AccountKey=|SharedAccessSignature=|sig=[A-Za-z0-9%]{20,}"),
    re.compile(r"\b[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/])"),  # an Azure storage or registry key
    re.compile(r"apiVersion:\s*v1\s+clusters:"),  # a kubeconfig
]
# Attributes whose values are expressions that read credentials from another resource.
CREDENTIAL_REFERENCES = re.compile(
    r"\.(kube_config|kube_admin_config)(\[0\])?\.(client_key|client_certificate|password|username)|\.(kube_config_raw|kube_admin_config_raw|admin_password|primary_access_key|secondary_access_key)\b"
)


def find_credentials(document, path="$") -> list[str]:
    """JSON paths that hold, or read, a credential."""
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            if SECRET_KEYS.search(key) and isinstance(value, str) and value:
                found.append(f"{path}.{key}")
            found += find_credentials(value, f"{path}.{key}")
    elif isinstance(document, list):
        for position, value in enumerate(document):
            found += find_credentials(value, f"{path}[{position}]")
    elif isinstance(document, str) and (any(pattern.search(document) for pattern in SECRET_VALUES) or CREDENTIAL_REFERENCES.search(document)):
        found.append(path)
    return found


@pytest.mark.parametrize("config_path", SHIPPED_CONFIGS, ids=config_id)
def test_no_credentials_in_any_stack_or_output(synthesize, config_path):
    _, stacks = synthesize(load_config(config_path))
    for name, stack in stacks.items():
        assert find_credentials(stack) == [], name
        for output_name, output in stack.get("output", {}).items():
            assert re.fullmatch(r"\$\{[a-z_]+\.[\w-]+\.id\}", output["value"]), f"{name} output {output_name} exports {output['value']}"


@pytest.mark.parametrize(
    "planted",
    [
        {"provider": {"kubernetes": [{"client_key": "abc"}]}},
        {"provider": {"helm": [{"kubernetes": {"token": "${var.t}"}}]}},
        {"output": {"kc": {"value": "${azurerm_kubernetes_cluster.c.kube_admin_config_raw}"}}},
        {"output": {"k": {"value": "${azurerm_kubernetes_cluster.c.kube_config[0].client_key}"}}},
        {"resource": {"x": {"y": {"values": ["-----BEGIN RSA PRIVATE KEY-----\nMII"]}}}},
        {"resource": {"x": {"y": {"setting": "DefaultEndpointsProtocol=https;AccountKey=abc"}}}},
    ],
)
def test_credential_scan_catches_planted_secrets(planted):
    assert find_credentials(planted) != []
