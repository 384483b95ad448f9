"""Shared container registry: Premium, admin user off, geo-replicated to every configured region,
reached over private endpoints unless the config opens public access."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from dualstack_aks.constructs.monitoring import send_diagnostics
from dualstack_aks.engine.azurerm import (
    ContainerRegistry,
    ContainerRegistryGeoreplications,
    ContainerRegistryNetworkRuleSet,
    ContainerRegistryNetworkRuleSetIpRule,
)


@dataclass(frozen=True)
class RegistryProps:
    name: str
    home_region: str
    replica_regions: tuple[str, ...]
    resource_group_name: str
    zone_redundant_regions: tuple[str, ...]
    public_network_access: bool
    allowed_ip_ranges: tuple[str, ...]
    log_analytics_workspace_id: str
    tags: dict[str, str]


class Registry(Construct):
    """Exposes `registry_id`, the scope of each cluster's AcrPull role and private endpoint."""

    def __init__(self, scope: Construct, id_: str, props: RegistryProps):
        super().__init__(scope, id_)
        restricted = props.public_network_access and props.allowed_ip_ranges
        self.container_registry = ContainerRegistry(
            self,
            "container_registry",
            name=props.name,
            location=props.home_region,
            resource_group_name=props.resource_group_name,
            sku="Premium",
            admin_enabled=False,
            anonymous_pull_enabled=False,
            public_network_access_enabled=props.public_network_access,
            network_rule_bypass_option="AzureServices",
            network_rule_set=[
                ContainerRegistryNetworkRuleSet(
                    default_action="Deny",
                    ip_rule=[ContainerRegistryNetworkRuleSetIpRule(action="Allow", ip_range=cidr) for cidr in props.allowed_ip_ranges],
                )
            ]
            if restricted
            else None,
            # Dedicated data endpoints let firewalls allow this registry's blobs only.
            data_endpoint_enabled=True,
            export_policy_enabled=props.public_network_access,
            retention_policy_in_days=7,
            zone_redundancy_enabled=props.home_region in props.zone_redundant_regions,
            georeplications=[
                ContainerRegistryGeoreplications(location=region, zone_redundancy_enabled=region in props.zone_redundant_regions, tags=props.tags)
                for region in props.replica_regions
            ]
            or None,
            tags=props.tags,
        )
        self.registry_id = self.container_registry.id
        send_diagnostics(self, "container_registry_diagnostics", self.registry_id, props.log_analytics_workspace_id, log_category_groups=("allLogs",))
