"""One region's infrastructure stack: network, cluster and edge layers."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformStack
from cdktf_cdktf_provider_azurerm.data_azurerm_client_config import DataAzurermClientConfig
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup
from constructs import Construct

from dualstack_aks.config import Cluster as ClusterSettings
from dualstack_aks.config import Security
from dualstack_aks.constructs.cluster import Cluster, ClusterProps
from dualstack_aks.constructs.edge import Edge, EdgeProps
from dualstack_aks.constructs.monitoring import log_analytics_workspace
from dualstack_aks.constructs.network import Network, NetworkProps
from dualstack_aks.naming import RegionNames
from dualstack_aks.plan import RegionAddresses
from dualstack_aks.stacks.providers import add_azurerm_provider


@dataclass(frozen=True)
class GlobalAttachments:
    """What a region uses from the global stack."""

    container_registry_id: str
    traffic_manager_id: str
    zone_name: str
    private_zone_name: str
    # private-link sub-resource ("registry", "vault") -> (zone name, zone id)
    private_link_zones: dict[str, tuple[str, str]]
    dns_resource_group_name: str


@dataclass(frozen=True)
class RegionStackProps:
    names: RegionNames
    addresses: RegionAddresses
    cluster: ClusterSettings
    security: Security
    attachments: GlobalAttachments
    ttl: int
    subscription_id: str | None
    tags: dict[str, str]


class RegionStack(TerraformStack):
    """Exposes `network`, `cluster` and `edge` for the region's ingress stack and summary."""

    def __init__(self, scope: Construct, id_: str, props: RegionStackProps):
        super().__init__(scope, id_)
        add_azurerm_provider(self, props.subscription_id)
        names, attachments, security = props.names, props.attachments, props.security
        location = names.region
        tags = {**props.tags, "region": location}
        client = DataAzurermClientConfig(self, "client_config")
        self.resource_group = ResourceGroup(self, "resource_group", name=names.resource_group, location=location, tags=tags)
        self.log_analytics = log_analytics_workspace(self, names.log_analytics, location, self.resource_group.name, tags)

        self.network = Network(
            self,
            "network",
            NetworkProps(
                names=names,
                location=location,
                resource_group_name=self.resource_group.name,
                addresses=props.addresses,
                log_analytics_workspace_id=self.log_analytics.id,
                private_link_zones={zone: attachments.dns_resource_group_name for zone, _ in attachments.private_link_zones.values()},
                tags=tags,
            ),
        )
        self.cluster = Cluster(
            self,
            "cluster",
            ClusterProps(
                names=names,
                location=location,
                settings=props.cluster,
                addresses=props.addresses,
                resource_group_name=self.resource_group.name,
                nodes_subnet_id=self.network.nodes_subnet.id,
                subnet_ids_for_load_balancers=[self.network.nodes_subnet.id, self.network.ingress_subnet.id],
                tenant_id=client.tenant_id,
                container_registry_id=attachments.container_registry_id,
                log_analytics_workspace_id=self.log_analytics.id,
                private_link_zone_ids={subresource: zone_id for subresource, (_, zone_id) in attachments.private_link_zones.items()},
                host_encryption=security.host_encryption,
                azure_policy=security.azure_policy,
                defender=security.defender,
                key_vault_public_network_access=security.key_vault_public_network_access,
                tags=tags,
            ),
        )
        self.edge = Edge(
            self,
            "edge",
            EdgeProps(
                names=names,
                location=location,
                zones=list(props.cluster.zones),
                cluster_identity_principal_id=self.cluster.identity.principal_id,
                virtual_network_id=self.network.virtual_network.id,
                zone_name=attachments.zone_name,
                private_zone_name=attachments.private_zone_name,
                dns_resource_group_name=attachments.dns_resource_group_name,
                traffic_manager_id=attachments.traffic_manager_id,
                ttl=props.ttl,
                tags=tags,
            ),
        )
