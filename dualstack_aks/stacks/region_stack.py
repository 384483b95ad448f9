"""One region's infrastructure stack: network, cluster and edge layers (and the Application Gateway).

Brownfield, as the model decided it: an existing VNet is read instead of created, an existing
cluster (always in an existing VNet) replaces the cluster layer; the edge layer is always created.
The Application Gateway needs the new VNet's gateway subnet and the new cluster's Key Vault.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from constructs import Construct

from dualstack_aks.constructs.cluster import Cluster, ClusterProps
from dualstack_aks.constructs.edge import Edge, EdgeProps
from dualstack_aks.constructs.interfaces import ClusterAttachment, NetworkAttachment
from dualstack_aks.constructs.monitoring import log_analytics_workspace
from dualstack_aks.constructs.roles import wait_for
from dualstack_aks.engine.azurerm import (
    DataAzurermClientConfig,
    ResourceGroup,
)
from dualstack_aks.engine.core import TerraformStack
from dualstack_aks.engine.time_provider import TimeProvider
from dualstack_aks.model import deployment as model
from dualstack_aks.stacks.providers import add_azurerm_provider

# Constructs that not every layout builds are imported where they are built: a construct module loads its
# provider modules (the Application Gateway's: ~40 ms), which only a layout that has it should pay for.
if TYPE_CHECKING:
    from dualstack_aks.constructs.application_gateway import RegionApplicationGateway
    from dualstack_aks.constructs.existing import ExistingCluster, ExistingNetwork


@dataclass(frozen=True)
class GlobalAttachments:
    """What a region uses from the global stack."""

    container_registry_id: str
    traffic_manager_ids: dict[str, str]  # family -> profile id
    zone_name: str
    private_zone_name: str
    dns_resource_group_name: str
    ttl: int


class RegionStack(TerraformStack):
    """Exposes `network`, `cluster`, `edge`, `application_gateway` (or None) and `access_ready`, the wait the ingress stack starts after."""

    def __init__(self, scope: Construct, region: model.RegionDeployment, attachments: GlobalAttachments, subscription_id: str | None):
        super().__init__(scope, region.stack)
        add_azurerm_provider(self, subscription_id)
        TimeProvider(self, "time")
        self.network: NetworkAttachment | None = None
        self._log_analytics_workspace_id = ""  # set with a new cluster, whose workspace the gateway's logs go to
        if isinstance(region.network, model.ExistingNetwork):
            self.network = self._existing_network(region.network, region.addresses)
        self.cluster: ClusterAttachment
        if isinstance(region.cluster, model.ExistingCluster):
            assert self.network is not None, "validation requires existing_network with existing_cluster"
            self.cluster = self._existing_cluster(region.cluster, self.network, attachments)
        else:
            self.cluster = self._new_cluster(region, region.cluster.spec, attachments)
        assert self.network is not None  # _new_cluster creates one when none exists
        names = region.names
        self.edge = Edge(
            self,
            "edge",
            EdgeProps(
                location=region.name,
                resource_group_name=names.edge_resource_group,
                record_name=names.dns_record,
                public_ip_names=region.public_ip_names,
                traffic_manager_endpoint_name=region.name,
                private_zone_link_name=f"link-{names.virtual_network}",
                families=region.public_families,
                private_addresses=region.internal_addresses,
                zones=region.public_ip_zones,
                cluster_identity_principal_id=self.cluster.identity_principal_id,
                virtual_network_id=self.network.virtual_network_id,
                zone_name=attachments.zone_name,
                private_zone_name=attachments.private_zone_name,
                dns_resource_group_name=attachments.dns_resource_group_name,
                traffic_manager_ids=attachments.traffic_manager_ids,
                ttl=attachments.ttl,
                tags=region.tags,
                application_gateway=region.application_gateway is not None,
            ),
        )
        self.application_gateway = self._application_gateway(region, region.application_gateway) if region.application_gateway else None
        # The Helm and Kubernetes resources act as the deployer and create load balancers as the cluster identity.
        load_balancer_grants = [self.edge.load_balancer_grant] if self.edge.load_balancer_grant else []
        self.access_ready = wait_for(self, "access_propagation", [*self.cluster.access_grants, *load_balancer_grants])

    def _application_gateway(self, region: model.RegionDeployment, spec: model.ApplicationGatewaySpec) -> RegionApplicationGateway:
        """In front of the ingress: validation allows it with a new VNet and a new cluster only."""
        from dualstack_aks.constructs.application_gateway import ApplicationGatewayProps, RegionApplicationGateway
        from dualstack_aks.constructs.network import Network

        assert isinstance(self.cluster, Cluster) and isinstance(self.network, Network) and self.network.gateway_subnet_id is not None
        return RegionApplicationGateway(
            self,
            "application_gateway",
            ApplicationGatewayProps(
                spec=spec,
                location=region.name,
                resource_group_name=self.edge.resource_group_name,
                subnet_id=self.network.gateway_subnet_id,
                public_ip_ids={family: public_ip.id for family, public_ip in self.edge.public_ips.items()},
                key_vault_id=self.cluster.key_vault.id,
                key_vault_uri=self.cluster.key_vault.vault_uri,
                key_vault_private_endpoint=self.cluster.key_vault_private_endpoint,
                probe=region.health_probe,
                log_analytics_workspace_id=self._log_analytics_workspace_id,
                tags=region.tags,
            ),
        )

    def _existing_network(self, network: model.ExistingNetwork, addresses: model.RegionAddresses) -> ExistingNetwork:
        from dualstack_aks.constructs.existing import ExistingNetwork, ExistingNetworkProps

        return ExistingNetwork(
            self,
            "network",
            ExistingNetworkProps(
                resource_group=network.resource_group,
                virtual_network=network.virtual_network,
                nodes_subnet=network.nodes_subnet,
                ingress_subnet=network.ingress_subnet,
                vnet_ranges=addresses.vnet.as_list(),
                subnet_ranges={"nodes": addresses.nodes_subnet.as_list(), "ingress": addresses.ingress_subnet.as_list()},
            ),
        )

    def _existing_cluster(self, cluster: model.ExistingCluster, network: NetworkAttachment, attachments: GlobalAttachments) -> ExistingCluster:
        from dualstack_aks.constructs.existing import ExistingCluster, ExistingClusterProps

        return ExistingCluster(
            self,
            "cluster",
            ExistingClusterProps(
                name=cluster.name,
                resource_group=cluster.resource_group,
                control_plane_identity=cluster.control_plane_identity,
                load_balancer_subnet_ids=[network.ingress_subnet_id],
                container_registry_id=attachments.container_registry_id,
            ),
        )

    def _new_cluster(self, region: model.RegionDeployment, spec: model.ClusterSpec, attachments: GlobalAttachments) -> Cluster:
        """The region's own resource group, workspace and cluster, in a new or the existing VNet."""
        names = region.names
        # Each attribute read is a jsii round trip: read a reference once and reuse its token.
        resource_group_name = ResourceGroup(self, "resource_group", name=names.resource_group, location=region.name, tags=region.tags).name
        self._log_analytics_workspace_id = log_analytics_workspace(self, names.log_analytics, region.name, resource_group_name, region.tags).id
        client_config = DataAzurermClientConfig(self, "client_config")
        if self.network is None:
            from dualstack_aks.constructs.network import Network, NetworkProps

            self.network = Network(
                self,
                "network",
                NetworkProps(
                    location=region.name,
                    resource_group_name=resource_group_name,
                    virtual_network_name=names.virtual_network,
                    network_security_group_name=names.network_security_group,
                    nodes_subnet_name=names.nodes_subnet,
                    ingress_subnet_name=names.ingress_subnet,
                    addresses=region.addresses,
                    log_analytics_workspace_id=self._log_analytics_workspace_id,
                    tags=region.tags,
                    gateway_subnet_name=region.application_gateway.subnet_name if region.application_gateway else None,
                    gateway_network_security_group_name=region.application_gateway.network_security_group_name if region.application_gateway else None,
                ),
            )
        return Cluster(
            self,
            "cluster",
            ClusterProps(
                names=names,
                location=region.name,
                spec=spec,
                zones=region.zones,
                addresses=region.addresses,
                resource_group_name=resource_group_name,
                virtual_network_id=self.network.virtual_network_id,
                nodes_subnet_id=self.network.nodes_subnet_id,
                subnet_ids_for_load_balancers=[self.network.nodes_subnet_id, self.network.ingress_subnet_id],
                tenant_id=client_config.tenant_id,
                deployer_object_id=client_config.object_id,
                container_registry_id=attachments.container_registry_id,
                log_analytics_workspace_id=self._log_analytics_workspace_id,
                tags=region.tags,
            ),
        )
