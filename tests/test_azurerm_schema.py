"""Every azurerm block of every shipped config against the provider's own schema rules, at both pinned
azurerm versions (4.55.0 for cdktf, 4.81.0 for cdktn: each synth is checked against both), and faults
planted in a real synth that each must be reported naming the stack, block and attribute."""

from __future__ import annotations

import copy
import gzip
import json
import shutil
from pathlib import Path

import pytest

from dualstack_aks.azurerm_schema.check import RULES_DIR, Rules, RulesUnavailable, available_versions, check_stacks, pinned_azurerm_version
from dualstack_aks.cli import main as cli_main
from dualstack_aks.model.loading import load_config
from tests.conftest import REPO, SHIPPED_CONFIGS, config_id, config_with

# The provider tags the rules were derived from (docs/azurerm-schema.md): version -> commit of the tag.
RULES_TAGS = {"4.55.0": "37bf7f03b661b804a59fd62fd6f6e6b8ee4a69df", "4.81.0": "5782a75422c68a0d0804ac16d97dcaf3df5ee2fa"}


@pytest.fixture(scope="module")
def rules() -> dict[str, Rules]:
    return {version: Rules.for_version(version) for version in RULES_TAGS}


@pytest.mark.parametrize("version", sorted(RULES_TAGS))
@pytest.mark.parametrize("config_path", SHIPPED_CONFIGS, ids=config_id)
def test_every_shipped_config_keeps_the_provider_rules(synthesize, config_path: Path, version: str):
    _, stacks = synthesize(load_config(config_path), source=str(config_path))
    report = check_stacks(stacks, version)
    assert [str(violation) for violation in report.violations] == []
    assert report.not_parsed == set(), "every rule of the types used was read from the provider source"
    with_azurerm = {stack for stack, document in stacks.items() if any(name.startswith("azurerm_") for name in document.get("resource", {}))}
    assert with_azurerm <= set(report.versions), "every stack with azurerm resources was checked"
    assert report.blocks >= len(with_azurerm) and report.attributes > report.blocks and report.values > 0 and report.references > 0


# Switches that change azurerm blocks and that no shipped config turns.
VARIANTS = {
    "private-cluster": {"cluster.api_server.private_cluster": True, "cluster.api_server.authorized_ip_ranges": []},
    "no-internal-load-balancers": {"ingress.internal_load_balancers": False},
    "public-registry-and-vaults": {
        "security.registry_public_network_access": True,
        "security.key_vault_public_network_access": True,
        "security.acknowledgements": {
            "ACR-PUBLIC-ACCESS": "the build agents push from the Internet",
            "KV-PUBLIC-ACCESS": "the build agents read from the Internet",
        },
    },
}


@pytest.mark.parametrize("version", sorted(RULES_TAGS))
@pytest.mark.parametrize("variant", VARIANTS)
def test_layout_variants_keep_the_provider_rules(synthesize, default_config, variant: str, version: str):
    _, stacks = synthesize(config_with(default_config, **VARIANTS[variant]))
    report = check_stacks(stacks, version)
    assert [str(violation) for violation in report.violations] == []
    assert report.blocks > 0


def test_each_stack_is_checked_by_default_with_the_rules_of_the_version_it_pins(default_stacks):
    report = check_stacks(default_stacks)
    pins = {stack: pinned_azurerm_version(document) for stack, document in default_stacks.items()}
    assert set(pins.values()) <= set(RULES_TAGS), "the engine's pinned azurerm has rules"
    assert report.versions == {stack: pin for stack, pin in pins.items() if pin}


def test_the_rules_files_are_the_ones_the_docs_name():
    assert available_versions() == sorted(RULES_TAGS, key=lambda version: tuple(map(int, version.split("."))))
    for version, commit in RULES_TAGS.items():
        with gzip.open(RULES_DIR / f"rules-azurerm-{version}.json.gz", "rt") as stream:
            document = json.load(stream)
        assert (document["tag"], document["commit"]) == (f"v{version}", commit)
        assert document["selftest"]["not_parsed"] == [], "every type was read"
        assert f"`v{version}` | `{commit}`" in (REPO / "docs" / "azurerm-schema.md").read_text(encoding="utf-8")


def stack_with(stacks: dict[str, dict], resource_type: str) -> tuple[str, str, dict]:
    """A copy of the first stack with a resource of `resource_type`: (stack, resource name, the copy)."""
    for stack, document in stacks.items():
        names = sorted(document.get("resource", {}).get(resource_type, {}))
        if names:
            return stack, names[0], copy.deepcopy(document)
    raise AssertionError(f"no {resource_type} in the synth")


def plant_unknown_attribute(body: dict) -> str:
    body["ip_verison"] = body["ip_version"]  # misspelled, beside the real one
    return "ip_verison"


def plant_value_outside_the_allowed_ones(body: dict) -> str:
    body["ip_version"] = "IPv7"
    return "ip_version"


def plant_conflicting_pair(body: dict) -> str:
    # A reference defers ConflictsWith until it is known (as the SDK does), so the alias target is a literal here.
    body["target_resource_id"] = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip"
    body["records"] = ["192.0.2.10"]
    return "records"


def plant_second_node_pool(body: dict) -> str:
    body["default_node_pool"] = [body["default_node_pool"], body["default_node_pool"]]
    return "default_node_pool"


PLANTED = {
    "unknown attribute": (
        "azurerm_public_ip",
        plant_unknown_attribute,
        "unknown attribute (not in the schema)",
        "internal/services/network/public_ip_resource.go",
    ),
    "StringInSlice": (
        "azurerm_public_ip",
        plant_value_outside_the_allowed_ones,
        "'IPv7' not one of ['IPv4', 'IPv6']",
        "internal/services/network/public_ip_resource.go",
    ),
    "ConflictsWith": (
        "azurerm_dns_a_record",
        plant_conflicting_pair,
        "conflicts with target_resource_id (ConflictsWith)",
        "internal/services/dns/dns_a_record_resource.go",
    ),
    "MaxItems": (
        "azurerm_kubernetes_cluster",
        plant_second_node_pool,
        "2 items, at most 1 allowed (MaxItems)",
        "internal/services/containers/kubernetes_nodepool.go",
    ),
}


@pytest.mark.parametrize("version", sorted(RULES_TAGS))
@pytest.mark.parametrize("fault", PLANTED)
def test_a_planted_fault_is_reported_with_its_stack_block_attribute_and_provider_source(default_stacks, fault: str, version: str):
    resource_type, plant, rule, source = PLANTED[fault]
    stack, name, document = stack_with(default_stacks, resource_type)
    attribute = plant(document["resource"][resource_type][name])
    assert check_stacks({stack: default_stacks[stack]}, version).violations == [], "the unplanted stack is clean"
    violations = check_stacks({stack: document}, version).violations
    assert {(violation.stack, violation.block) for violation in violations} == {(stack, f"{resource_type}.{name}")}
    (violation,) = [violation for violation in violations if violation.attribute == attribute]
    assert (violation.stack, violation.block, violation.attribute) == (stack, f"{resource_type}.{name}", attribute)
    assert rule in violation.rule
    assert violation.source.startswith(f"{source}:")
    assert str(violation).startswith(f"{stack} {resource_type}.{name} {attribute}: ")


def test_the_command_checks_an_outdir_against_each_version_and_fails_on_a_fault(synthesize, default_config, tmp_path, capsys):
    outdir, stacks = synthesize(default_config)
    assert cli_main(["schema-check", "--outdir", str(outdir), "--provider-version", "4.55.0", "--provider-version", "4.81.0"]) == 0
    summaries = [line for line in capsys.readouterr().out.splitlines() if line.startswith("azurerm schema: ")]
    assert len(summaries) == 2 and all(", 0 violations," in line for line in summaries)

    planted = tmp_path / "cdktf.out"
    shutil.copytree(outdir, planted)
    stack, name, document = stack_with(stacks, "azurerm_public_ip")
    plant_value_outside_the_allowed_ones(document["resource"]["azurerm_public_ip"][name])
    (planted / "stacks" / stack / "cdk.tf.json").write_text(json.dumps(document))
    assert cli_main(["schema-check", "--outdir", str(planted)]) == 1
    assert f"FAIL {stack} azurerm_public_ip.{name} ip_version: 'IPv7' not one of" in capsys.readouterr().out


def test_the_command_refuses_a_version_without_rules(synthesize, default_config, capsys):
    outdir, _ = synthesize(default_config)
    assert cli_main(["schema-check", "--outdir", str(outdir), "--provider-version", "4.1.0"]) == 2
    assert "no rules for azurerm 4.1.0; rules available for: 4.55.0, 4.81.0" in capsys.readouterr().err


def test_a_version_range_instead_of_a_pin_is_refused():
    with pytest.raises(RulesUnavailable, match="not one exact version"):
        check_stacks({"global": {"terraform": {"required_providers": {"azurerm": {"source": "azurerm", "version": "~> 4.0"}}}}})
