"""The global stack: shared registry, public and private DNS zones, and the global name."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformStack
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup
from constructs import Construct

from dualstack_aks.constructs.global_dns import GlobalDns, GlobalDnsProps
from dualstack_aks.constructs.monitoring import log_analytics_workspace
from dualstack_aks.constructs.registry import Registry, RegistryProps
from dualstack_aks.model.names import GlobalNames
from dualstack_aks.stacks.providers import add_azurerm_provider


@dataclass(frozen=True)
class GlobalStackProps:
    names: GlobalNames
    home_region: str
    replica_regions: list[str]
    zone: str
    private_zone: str
    global_record: str
    ttl: int
    registry_zone_redundant_regions: list[str]
    registry_public_network_access: bool
    registry_allowed_ip_ranges: list[str]
    subscription_id: str | None
    tags: dict[str, str]


class GlobalStack(TerraformStack):
    """Exposes `registry` and `dns`, which every region stack attaches to."""

    def __init__(self, scope: Construct, id_: str, props: GlobalStackProps):
        super().__init__(scope, id_)
        add_azurerm_provider(self, props.subscription_id)
        names = props.names
        self.resource_group = ResourceGroup(self, "resource_group", name=names.resource_group, location=props.home_region, tags=props.tags)
        self.log_analytics = log_analytics_workspace(self, names.log_analytics, props.home_region, self.resource_group.name, props.tags)
        self.registry = Registry(
            self,
            "registry",
            RegistryProps(
                name=names.container_registry,
                home_region=props.home_region,
                replica_regions=props.replica_regions,
                resource_group_name=self.resource_group.name,
                zone_redundant_regions=props.registry_zone_redundant_regions,
                public_network_access=props.registry_public_network_access,
                allowed_ip_ranges=props.registry_allowed_ip_ranges,
                log_analytics_workspace_id=self.log_analytics.id,
                tags=props.tags,
            ),
        )
        self.dns = GlobalDns(
            self,
            "dns",
            GlobalDnsProps(
                zone=props.zone,
                private_zone=props.private_zone,
                global_record=props.global_record,
                ttl=props.ttl,
                traffic_manager_name=names.traffic_manager,
                traffic_manager_dns_name=names.traffic_manager_dns,
                resource_group_name=self.resource_group.name,
                tags=props.tags,
            ),
        )
