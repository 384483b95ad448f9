"""Brownfield: an existing VNet or cluster, read with data sources, standing in for the network
or cluster layer with the same attributes the next layers use."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn
from cdktf_cdktf_provider_azurerm.data_azurerm_kubernetes_cluster import DataAzurermKubernetesCluster
from cdktf_cdktf_provider_azurerm.data_azurerm_subnet import DataAzurermSubnet
from cdktf_cdktf_provider_azurerm.data_azurerm_virtual_network import DataAzurermVirtualNetwork
from constructs import Construct


@dataclass(frozen=True)
class ExistingNetworkProps:
    resource_group: str
    virtual_network: str
    nodes_subnet: str
    ingress_subnet: str
    tags: dict[str, str]


class ExistingNetwork(Construct):
    """Same attributes as Network: virtual_network_id, nodes_subnet_id, ingress_subnet_id."""

    def __init__(self, scope: Construct, id_: str, props: ExistingNetworkProps):
        super().__init__(scope, id_)
        virtual_network = DataAzurermVirtualNetwork(self, "virtual_network", name=props.virtual_network, resource_group_name=props.resource_group)
        subnets = {
            role: DataAzurermSubnet(self, f"{role}_subnet", name=name, virtual_network_name=props.virtual_network, resource_group_name=props.resource_group)
            for role, name in (("nodes", props.nodes_subnet), ("ingress", props.ingress_subnet))
        }
        self.virtual_network_id = virtual_network.id
        self.nodes_subnet_id = subnets["nodes"].id
        self.ingress_subnet_id = subnets["ingress"].id


class ExistingCluster(Construct):
    """Exposes the control-plane identity and the VNet of an existing cluster, for the edge layer."""

    def __init__(self, scope: Construct, id_: str, *, name: str, resource_group: str, virtual_network_id: str | None):
        super().__init__(scope, id_)
        cluster = DataAzurermKubernetesCluster(self, "kubernetes_cluster", name=name, resource_group_name=resource_group)
        self.identity_principal_id = cluster.identity.get(0).principal_id
        # Without a named VNet, take the one holding the first node pool's subnet.
        self.virtual_network_id = virtual_network_id or Fn.element(Fn.split("/subnets/", cluster.agent_pool_profile.get(0).vnet_subnet_id), 0)
