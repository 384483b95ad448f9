"""The security rules, one small unit each, over the synthesized Terraform JSON of one stack.

A rule names the control it enforces and the config switch that can turn it off, and finds the
resources of one stack that break it. Most rules judge each resource of their Terraform types by
its own body; SUBNET-NSG pairs two resource types. A value that is a Terraform expression
(`${...}`) never proves a control is on: only the literal the rule asks for does.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CLUSTER = "azurerm_kubernetes_cluster"
NODE_POOL = "azurerm_kubernetes_cluster_node_pool"
REGISTRY = "azurerm_container_registry"
KEY_VAULT = "azurerm_key_vault"
SUBNET = "azurerm_subnet"
NSG_ASSOCIATION = "azurerm_subnet_network_security_group_association"

Resources = dict[str, dict[str, dict]]  # one stack's `resource` block: Terraform type -> resource name -> body
Address = tuple[str, str]  # (Terraform type, resource name) within one stack
Complies = Callable[[dict], bool]
FindViolations = Callable[[Resources], list[Address]]


@dataclass(frozen=True)
class Rule:
    id: str
    control: str
    switch: str  # the config field that turns the control off, or "" when nothing in the config can
    violations: FindViolations  # the resources of one stack that break the rule


RULES: list[Rule] = []


def per_resource(rule_id: str, control: str, *resource_types: str, switch: str = "") -> Callable[[Complies], Complies]:
    """Register a rule that judges each resource of `resource_types` by its own body alone."""

    def register(complies: Complies) -> Complies:
        def violations(resources: Resources) -> list[Address]:
            return [(kind, name) for kind in resource_types for name, body in resources.get(kind, {}).items() if not complies(body)]

        RULES.append(Rule(rule_id, control, switch, violations))
        return complies

    return register


def _blocks(body: dict, key: str) -> list[dict]:
    """A nested block's items: cdktf writes a single block as an object, Terraform JSON also allows a list."""
    value = body.get(key)
    if isinstance(value, dict):
        return [value]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# Spellings Azure (NSG service tags, firewall rules) and people use for "every address".
_WILDCARDS = {"*", "any", "internet"}
# The address space nobody reaches from the Internet (RFC 6890's special-purpose registries): what is left is public.
_NOT_PUBLIC: dict[int, tuple[Any, ...]] = {
    4: tuple(
        ipaddress.IPv4Network(block)
        for block in (
            "0.0.0.0/8",
            "10.0.0.0/8",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "172.16.0.0/12",
            "192.0.0.0/24",
            "192.0.2.0/24",
            "192.168.0.0/16",
            "198.18.0.0/15",
            "198.51.100.0/24",
            "203.0.113.0/24",
            "224.0.0.0/4",
            "240.0.0.0/4",
        )
    ),
    # Outside 2000::/3 (global unicast) nothing is routed on the Internet; 2001:db8::/32 is documentation.
    6: tuple(ipaddress.IPv6Network(block) for block in ("::/3", "4000::/2", "8000::/1", "2001:db8::/32")),
}
# An allow list is open when it admits at least this many public addresses. IPv4: a /8, the largest block ever
# assigned to one organisation (IANA's legacy class A allocations), so no list of "your CI runners and admins"
# reaches it, while 0.0.0.0/1 (half the Internet) is 128 times more. IPv6: a /32, the usual allocation to a
# whole ISP or LIR (RIR IPv6 policies, e.g. RIPE-738 section 5.1.2).
OPEN_THRESHOLD = {4: 2**24, 6: 2**96}


def public_addresses(networks: list[Any], version: int) -> int:
    """How many public addresses the networks of one family (`version`) cover together, overlaps counted once."""
    collapsed = list(ipaddress.collapse_addresses(networks))
    total = sum(network.num_addresses for network in collapsed)
    for reserved in _NOT_PUBLIC[version]:
        for network in collapsed:
            if network.overlaps(reserved):
                total -= min(network.num_addresses, reserved.num_addresses)  # CIDR blocks that overlap: one contains the other
    return total


def _open_to_everyone(ranges: object) -> bool:
    """Whether an allow list admits so much of the public address space (OPEN_THRESHOLD) that it
    restricts nothing, however it is spelled: a wildcard, a /0, or pieces that together cover it
    (0.0.0.0/1 alone; 0/1 + 128/2 + 192/3, every unicast address). An entry that is not a literal
    range (a `${...}` expression) could be anything, so it counts as open."""
    if not isinstance(ranges, list):
        return True
    networks: dict[int, list[Any]] = {4: [], 6: []}
    for entry in ranges:
        text = str(entry).strip()
        if text.lower() in _WILDCARDS:
            return True
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            return True
        networks[network.version].append(network)
    return any(public_addresses(found, version) >= OPEN_THRESHOLD[version] for version, found in networks.items())


@per_resource("AKS-API-ACCESS", "the API server is private or limited to authorized IP ranges", CLUSTER, switch="cluster.api_server")
def api_server_restricted(cluster: dict) -> bool:
    """An API server open to every address leaves the cluster's control plane one stolen token away from the Internet."""
    return cluster.get("private_cluster_enabled") is True or any(
        profile.get("authorized_ip_ranges") and not _open_to_everyone(profile["authorized_ip_ranges"])
        for profile in _blocks(cluster, "api_server_access_profile")
    )


@per_resource("AKS-LOCAL-ACCOUNTS", "local Kubernetes accounts are disabled (Entra ID only)", CLUSTER)
def local_accounts_disabled(cluster: dict) -> bool:
    """Local accounts hand out a static admin credential that bypasses Entra ID, conditional access and its audit log."""
    return cluster.get("local_account_disabled") is True


@per_resource("AKS-AZURE-RBAC", "Kubernetes authorization goes through Azure RBAC", CLUSTER)
def azure_rbac(cluster: dict) -> bool:
    """With Azure RBAC, who may do what in the cluster is granted, reviewed and revoked in one place, Azure role assignments."""
    return any(block.get("azure_rbac_enabled") is True for block in _blocks(cluster, "azure_active_directory_role_based_access_control"))


@per_resource("AKS-NETWORK-POLICY", "a network policy engine is enforced", CLUSTER)
def network_policy(cluster: dict) -> bool:
    """Without a policy engine, NetworkPolicy objects are silently ignored and every pod can reach every other pod."""
    return any(profile.get("network_policy") for profile in _blocks(cluster, "network_profile"))


@per_resource("AKS-AZURE-POLICY", "the Azure Policy add-on is on", CLUSTER, switch="security.azure_policy")
def azure_policy(cluster: dict) -> bool:
    """The add-on enforces the pod security baseline (no privileged pods, no host paths) at admission."""
    return cluster.get("azure_policy_enabled") is True


@per_resource("AKS-DEFENDER", "Microsoft Defender for Containers is on", CLUSTER, switch="security.defender")
def defender(cluster: dict) -> bool:
    """Defender's sensor is the runtime threat detection on the nodes; without it an intrusion goes unseen."""
    return bool(_blocks(cluster, "microsoft_defender"))


@per_resource("HOST-ENCRYPTION", "node disks and caches are encrypted at host", CLUSTER, NODE_POOL, switch="security.host_encryption")
def host_encrypted(cluster_or_node_pool: dict) -> bool:
    """Without encryption at host, temporary disks and OS disk caches on the VM host hold workload data unencrypted."""
    # A cluster's own pool is its default_node_pool block; a node pool resource is the pool itself.
    pools = _blocks(cluster_or_node_pool, "default_node_pool") or [cluster_or_node_pool]
    return all(pool.get("host_encryption_enabled") is True for pool in pools)


@per_resource("ACR-ADMIN-USER", "the registry's admin user is off", REGISTRY)
def registry_admin_off(registry: dict) -> bool:
    """The admin user is a shared, long-lived password with push rights; identities and AcrPull grants replace it."""
    return registry.get("admin_enabled") is not True


@per_resource("ACR-PUBLIC-ACCESS", "the registry is private or limited to allowed IP ranges", REGISTRY, switch="security.registry_public_network_access")
def registry_restricted(registry: dict) -> bool:
    """A registry open to the Internet lets anyone who learns its name try credentials against it, and pull what a leaked one reads."""
    rule_sets = _blocks(registry, "network_rule_set")
    return registry.get("public_network_access_enabled") is False or any(
        rule_set.get("default_action") == "Deny" and not _open_to_everyone([rule.get("ip_range") for rule in _blocks(rule_set, "ip_rule")])
        for rule_set in rule_sets
    )


@per_resource("KV-RBAC", "Key Vault uses Azure RBAC", KEY_VAULT)
def key_vault_rbac(vault: dict) -> bool:
    """Access policies grant whole secret classes per vault; Azure RBAC grants per role and shows up in the same reviews as the rest."""
    return vault.get("rbac_authorization_enabled") is True


@per_resource("KV-PURGE-PROTECTION", "Key Vault purge protection is on", KEY_VAULT)
def key_vault_purge_protection(vault: dict) -> bool:
    """Without purge protection a deleted vault and its keys can be destroyed for good, by mistake or by an attacker."""
    return vault.get("purge_protection_enabled") is True


@per_resource("KV-PUBLIC-ACCESS", "Key Vault is reachable over private endpoints only", KEY_VAULT, switch="security.key_vault_public_network_access")
def key_vault_private(vault: dict) -> bool:
    """A vault reachable from the Internet is one leaked credential away from giving its secrets to anyone."""
    return vault.get("public_network_access_enabled") is False


_SUBNET_REFERENCE = re.compile(rf"^\$\{{{SUBNET}\.([^.}}]+)\.id\}}$")


def subnets_without_nsg(resources: Resources) -> list[Address]:
    """SUBNET-NSG: a subnet without a network security group lets every port of every node through to
    whatever the load balancer or a peering brings in. Subnets and NSG associations are separate
    resources, paired by the association's `${azurerm_subnet.<name>.id}` reference in the same stack."""
    guarded = {
        match.group(1) for association in resources.get(NSG_ASSOCIATION, {}).values() if (match := _SUBNET_REFERENCE.match(str(association.get("subnet_id"))))
    }
    return [(SUBNET, name) for name in resources.get(SUBNET, {}) if name not in guarded]


RULES.append(Rule("SUBNET-NSG", "every subnet has a network security group", "", subnets_without_nsg))
RULE_IDS = tuple(rule.id for rule in RULES)
