"""The global stack: shared registry, public and private DNS zones, and the global name."""

from __future__ import annotations

from constructs import Construct

from dualstack_aks.constructs.global_dns import GlobalDns, GlobalDnsProps
from dualstack_aks.constructs.monitoring import log_analytics_workspace
from dualstack_aks.constructs.registry import Registry, RegistryProps
from dualstack_aks.engine.azurerm import ResourceGroup
from dualstack_aks.engine.core import TerraformStack
from dualstack_aks.model.deployment import GlobalDeployment
from dualstack_aks.stacks.providers import add_azurerm_provider


class GlobalStack(TerraformStack):
    """Exposes `registry` and `dns`, which every region stack attaches to."""

    def __init__(self, scope: Construct, deployment: GlobalDeployment, subscription_id: str | None):
        super().__init__(scope, deployment.stack)
        add_azurerm_provider(self, subscription_id)
        names, tags = deployment.names, deployment.tags
        self.resource_group = ResourceGroup(self, "resource_group", name=names.resource_group, location=deployment.home_region, tags=tags)
        # Each attribute read is a jsii round trip: read a reference once and reuse its token.
        resource_group_name = self.resource_group.name
        self.log_analytics = log_analytics_workspace(self, names.log_analytics, deployment.home_region, resource_group_name, tags)
        self.registry = Registry(
            self,
            "registry",
            RegistryProps(
                name=names.container_registry,
                home_region=deployment.home_region,
                replica_regions=deployment.replica_regions,
                resource_group_name=resource_group_name,
                zone_redundant_regions=deployment.registry_zone_redundant_regions,
                public_network_access=deployment.registry_public_network_access,
                allowed_ip_ranges=deployment.registry_allowed_ip_ranges,
                log_analytics_workspace_id=self.log_analytics.id,
                tags=tags,
            ),
        )
        self.dns = GlobalDns(
            self,
            "dns",
            GlobalDnsProps(
                zone=deployment.zone,
                private_zone=deployment.private_zone,
                global_record=deployment.global_record,
                ttl=deployment.ttl,
                families=deployment.families,
                health_probe=deployment.health_probe,
                traffic_manager_names=names.traffic_managers,
                traffic_manager_dns_names=names.traffic_manager_dns,
                resource_group_name=resource_group_name,
                tags=tags,
            ),
        )
