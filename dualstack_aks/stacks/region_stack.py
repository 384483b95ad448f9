"""One region's infrastructure stack: network, cluster and edge layers.

Brownfield: an existing VNet replaces the network layer, an existing cluster replaces the
network and cluster layers; the edge layer is always created.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformStack
from cdktf_cdktf_provider_azurerm.data_azurerm_client_config import DataAzurermClientConfig
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup
from constructs import Construct

from dualstack_aks.model.config import ClusterSettings, ExistingClusterSettings, ExistingNetworkSettings, Security
from dualstack_aks.constructs.cluster import Cluster, ClusterProps
from dualstack_aks.constructs.edge import Edge, EdgeProps
from dualstack_aks.constructs.existing import ExistingCluster, ExistingClusterProps, ExistingNetwork, ExistingNetworkProps
from dualstack_aks.constructs.monitoring import log_analytics_workspace
from dualstack_aks.constructs.network import Network, NetworkProps
from dualstack_aks.model.names import RegionNames
from dualstack_aks.model.addresses import RegionAddresses
from dualstack_aks.stacks.providers import add_azurerm_provider


@dataclass(frozen=True)
class GlobalAttachments:
    """What a region uses from the global stack."""

    container_registry_id: str
    traffic_manager_id: str
    zone_name: str
    private_zone_name: str
    dns_resource_group_name: str


@dataclass(frozen=True)
class RegionStackProps:
    names: RegionNames
    addresses: RegionAddresses
    cluster: ClusterSettings
    zones: list[str]
    security: Security
    attachments: GlobalAttachments
    front_door_families: tuple[str, ...]
    internal_load_balancers: bool
    existing_network: ExistingNetworkSettings | None
    existing_cluster: ExistingClusterSettings | None
    ttl: int
    subscription_id: str | None
    tags: dict[str, str]


class RegionStack(TerraformStack):
    """Exposes `network` (None with an existing cluster), `cluster` (a Cluster or ExistingCluster) and `edge`."""

    def __init__(self, scope: Construct, id_: str, props: RegionStackProps):
        super().__init__(scope, id_)
        add_azurerm_provider(self, props.subscription_id)
        names, attachments = props.names, props.attachments
        self.location = names.region
        self.tags = {**props.tags, "region": self.location}

        self.network: Network | ExistingNetwork | None = None
        if props.existing_network:
            existing = props.existing_network
            self.network = ExistingNetwork(
                self,
                "network",
                ExistingNetworkProps(
                    resource_group=existing.resource_group,
                    virtual_network=existing.virtual_network,
                    nodes_subnet=existing.nodes_subnet,
                    ingress_subnet=existing.ingress_subnet,
                    vnet_ranges=props.addresses.vnet.as_list(),
                    subnet_ranges={"nodes": props.addresses.nodes_subnet.as_list(), "ingress": props.addresses.ingress_subnet.as_list()},
                ),
            )
        if props.existing_cluster:
            existing = props.existing_cluster
            identity = existing.control_plane_identity
            self.cluster: Cluster | ExistingCluster = ExistingCluster(
                self,
                "cluster",
                ExistingClusterProps(
                    name=existing.name,
                    resource_group=existing.resource_group,
                    control_plane_identity=(identity.resource_group, identity.name) if identity else None,
                    virtual_network_id=self.network.virtual_network_id if self.network else None,
                    load_balancer_subnet_ids=[self.network.ingress_subnet_id] if self.network else [],
                    container_registry_id=attachments.container_registry_id,
                ),
            )
        else:
            self.cluster = self._new_cluster(props)
        virtual_network_id = self.network.virtual_network_id if self.network else self.cluster.virtual_network_id

        self.edge = Edge(
            self,
            "edge",
            EdgeProps(
                names=names,
                location=self.location,
                families=props.front_door_families,
                private_addresses=props.addresses.internal_ingress_ips() if props.internal_load_balancers else {},
                zones=props.zones,
                cluster_identity_principal_id=self.cluster.identity_principal_id,
                virtual_network_id=virtual_network_id,
                zone_name=attachments.zone_name,
                private_zone_name=attachments.private_zone_name,
                dns_resource_group_name=attachments.dns_resource_group_name,
                traffic_manager_id=attachments.traffic_manager_id,
                ttl=props.ttl,
                tags=self.tags,
            ),
        )

    def _new_cluster(self, props: RegionStackProps) -> Cluster:
        """The region's own resource group, workspace and cluster, in a new or the existing VNet."""
        names, security, attachments = props.names, props.security, props.attachments
        resource_group = ResourceGroup(self, "resource_group", name=names.resource_group, location=self.location, tags=self.tags)
        workspace = log_analytics_workspace(self, names.log_analytics, self.location, resource_group.name, self.tags)
        if self.network is None:
            self.network = Network(
                self,
                "network",
                NetworkProps(
                    names=names,
                    location=self.location,
                    resource_group_name=resource_group.name,
                    addresses=props.addresses,
                    log_analytics_workspace_id=workspace.id,
                    tags=self.tags,
                ),
            )
        return Cluster(
            self,
            "cluster",
            ClusterProps(
                names=names,
                location=self.location,
                settings=props.cluster,
                zones=props.zones,
                addresses=props.addresses,
                resource_group_name=resource_group.name,
                virtual_network_id=self.network.virtual_network_id,
                nodes_subnet_id=self.network.nodes_subnet_id,
                subnet_ids_for_load_balancers=[self.network.nodes_subnet_id, self.network.ingress_subnet_id],
                tenant_id=DataAzurermClientConfig(self, "client_config").tenant_id,
                container_registry_id=attachments.container_registry_id,
                log_analytics_workspace_id=workspace.id,
                host_encryption=security.host_encryption,
                azure_policy=security.azure_policy,
                defender=security.defender,
                key_vault_public_network_access=security.key_vault_public_network_access,
                tags=self.tags,
            ),
        )
