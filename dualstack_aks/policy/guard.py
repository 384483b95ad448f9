"""Security policy guard: one pass over every construct of the app, before synth.

Each rule names the control it enforces and the config switch that can turn it off. A resource
that breaks a rule stops the synth unless `security.acknowledgements` holds the rule id with a
reason (the cdk-nag pattern: explicit, reasoned suppressions). Acknowledging a rule that nothing
breaks is an error too, so stale exceptions do not pile up.

It is cdk-nag's Aspect without the Aspect machinery: cdktf would call back from Node into Python
once per construct during synth (about 55 ms per region), while `app.node.find_all()` hands over
every construct in one call, and the check then runs before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cdktf import App, DefaultTokenResolver, StringConcat, Tokenization
from cdktf_cdktf_provider_azurerm.container_registry import ContainerRegistry
from cdktf_cdktf_provider_azurerm.key_vault import KeyVault
from cdktf_cdktf_provider_azurerm.kubernetes_cluster import KubernetesCluster
from cdktf_cdktf_provider_azurerm.kubernetes_cluster_node_pool import KubernetesClusterNodePool
from cdktf_cdktf_provider_azurerm.subnet import Subnet
from cdktf_cdktf_provider_azurerm.subnet_network_security_group_association import SubnetNetworkSecurityGroupAssociation
from constructs import IConstruct

MIN_REASON_LENGTH = 10


@dataclass(frozen=True)
class Rule:
    id: str
    control: str
    switch: str  # the config field that turns the control off, or "" when nothing in the config can
    resource_type: type | tuple[type, ...]
    complies: Callable[[Any], bool] | None  # None: checked across resources, in PolicyGuard.all_violations


def _api_server_restricted(cluster: KubernetesCluster) -> bool:
    profile = cluster.api_server_access_profile_input
    return bool(cluster.private_cluster_enabled_input) or bool(profile and profile.authorized_ip_ranges)


def _host_encrypted(node: KubernetesCluster | KubernetesClusterNodePool) -> bool:
    if isinstance(node, KubernetesCluster):
        return node.default_node_pool_input.host_encryption_enabled is True
    return node.host_encryption_enabled_input is True


def _registry_restricted(registry: ContainerRegistry) -> bool:
    rule_sets = registry.network_rule_set_input or []
    return registry.public_network_access_enabled_input is False or any(rule_set.default_action == "Deny" for rule_set in rule_sets)


RULES: tuple[Rule, ...] = (
    Rule("AKS-API-ACCESS", "the API server is private or limited to authorized IP ranges", "cluster.api_server", KubernetesCluster, _api_server_restricted),
    Rule("AKS-LOCAL-ACCOUNTS", "local Kubernetes accounts are disabled (Entra ID only)", "", KubernetesCluster, lambda c: c.local_account_disabled_input is True),
    Rule(
        "AKS-AZURE-RBAC",
        "Kubernetes authorization goes through Azure RBAC",
        "",
        KubernetesCluster,
        lambda c: bool(c.azure_active_directory_role_based_access_control_input and c.azure_active_directory_role_based_access_control_input.azure_rbac_enabled),
    ),
    Rule("AKS-NETWORK-POLICY", "a network policy engine is enforced", "", KubernetesCluster, lambda c: bool(c.network_profile_input.network_policy)),
    Rule("AKS-AZURE-POLICY", "the Azure Policy add-on is on", "security.azure_policy", KubernetesCluster, lambda c: c.azure_policy_enabled_input is True),
    Rule("AKS-DEFENDER", "Microsoft Defender for Containers is on", "security.defender", KubernetesCluster, lambda c: c.microsoft_defender_input is not None),
    Rule(
        "HOST-ENCRYPTION",
        "node disks and caches are encrypted at host",
        "security.host_encryption",
        (KubernetesCluster, KubernetesClusterNodePool),
        _host_encrypted,
    ),
    Rule("ACR-ADMIN-USER", "the registry's admin user is off", "", ContainerRegistry, lambda r: r.admin_enabled_input is not True),
    Rule(
        "ACR-PUBLIC-ACCESS",
        "the registry is private or limited to allowed IP ranges",
        "security.registry_public_network_access",
        ContainerRegistry,
        _registry_restricted,
    ),
    Rule("KV-RBAC", "Key Vault uses Azure RBAC", "", KeyVault, lambda v: v.rbac_authorization_enabled_input is True),
    Rule("KV-PURGE-PROTECTION", "Key Vault purge protection is on", "", KeyVault, lambda v: v.purge_protection_enabled_input is True),
    Rule(
        "KV-PUBLIC-ACCESS",
        "Key Vault is reachable over private endpoints only",
        "security.key_vault_public_network_access",
        KeyVault,
        lambda v: v.public_network_access_enabled_input is False,
    ),
)
SUBNET_NSG = Rule("SUBNET-NSG", "every subnet has a network security group", "", Subnet, None)
RULE_IDS = tuple(rule.id for rule in RULES) + (SUBNET_NSG.id,)


@dataclass
class Violation:
    rule: Rule
    construct_path: str


def _resolved(node: IConstruct, reference: str) -> str:
    """A token as the Terraform expression it synthesizes to, e.g. `${azurerm_subnet.x.id}`."""
    return Tokenization.resolve(reference, scope=node, resolver=DefaultTokenResolver(StringConcat()))


class PolicyGuard:
    """Collects the violations of every construct it is shown."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self._subnets: dict[str, str] = {}  # resolved id expression -> construct path
        self._subnets_with_nsg: set[str] = set()

    def visit(self, node: IConstruct) -> None:
        for rule in RULES:
            if isinstance(node, rule.resource_type) and not rule.complies(node):
                self.violations.append(Violation(rule, node.node.path))
        # Subnets and their NSG associations are separate resources: pair them by resolved reference.
        if isinstance(node, Subnet):
            self._subnets[_resolved(node, node.id)] = node.node.path
        elif isinstance(node, SubnetNetworkSecurityGroupAssociation):
            self._subnets_with_nsg.add(_resolved(node, node.subnet_id_input))

    def inspect(self, app: App) -> list[Violation]:
        """Visit every construct of the app; return all violations."""
        for node in app.node.find_all():
            self.visit(node)
        return self.all_violations()

    def all_violations(self) -> list[Violation]:
        unguarded = [Violation(SUBNET_NSG, path) for reference, path in self._subnets.items() if reference not in self._subnets_with_nsg]
        return self.violations + unguarded


def check_acknowledgements(violations: list[Violation], acknowledgements: dict[str, str]) -> list[tuple[str, str]]:
    """(config path, message) for each unacknowledged violation and each bad acknowledgement."""
    problems: list[tuple[str, str]] = []
    by_rule: dict[str, list[Violation]] = {}
    for violation in violations:
        by_rule.setdefault(violation.rule.id, []).append(violation)
    for rule_id, found in by_rule.items():
        rule, paths = found[0].rule, sorted({violation.construct_path for violation in found})
        if rule_id not in acknowledgements:
            problems.append(
                (
                    rule.switch or "security.acknowledgements",
                    f"turns off security control {rule_id} ({rule.control}; not met by {', '.join(paths)}); "
                    f"turn it back on, or add `security.acknowledgements.{rule_id}: <reason>`",
                )
            )
    for rule_id, reason in acknowledgements.items():
        path = f"security.acknowledgements.{rule_id}"
        if rule_id not in RULE_IDS:
            problems.append((path, f"unknown rule id; known: {', '.join(RULE_IDS)}"))
        elif rule_id not in by_rule:
            problems.append((path, "acknowledges a control that is on; remove the entry"))
        elif len(reason.strip()) < MIN_REASON_LENGTH:
            problems.append((path, f"give the reason in at least {MIN_REASON_LENGTH} characters, got {reason!r}"))
    return problems
