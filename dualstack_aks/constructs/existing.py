"""Brownfield: an existing VNet or cluster, read with data sources, standing in for the network
or cluster layer with the same attributes the next layers use."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from dualstack_aks.constructs.roles import grant
from dualstack_aks.engine.azurerm import (
    DataAzurermKubernetesCluster,
    DataAzurermSubnet,
    DataAzurermUserAssignedIdentity,
    DataAzurermVirtualNetwork,
)
from dualstack_aks.engine.core import Postcondition, TerraformResourceLifecycle


def _hcl_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


def _holds(condition: str, message: str) -> TerraformResourceLifecycle:
    """A postcondition: `terraform plan` stops with `message` when Azure disagrees with the config."""
    return TerraformResourceLifecycle(postcondition=[Postcondition(condition=f"${{{condition}}}", error_message=message)])


@dataclass(frozen=True)
class ExistingNetworkProps:
    resource_group: str
    virtual_network: str
    nodes_subnet: str
    ingress_subnet: str
    # What the config says exists (validated and planned around); checked against Azure at plan time.
    vnet_ranges: list[str]
    subnet_ranges: dict[str, list[str]]  # "nodes" / "ingress" -> [IPv4, IPv6]


class ExistingNetwork(Construct):
    """Same attributes as Network: virtual_network_id, nodes_subnet_id, ingress_subnet_id."""

    def __init__(self, scope: Construct, id_: str, props: ExistingNetworkProps):
        super().__init__(scope, id_)
        virtual_network = DataAzurermVirtualNetwork(
            self,
            "virtual_network",
            name=props.virtual_network,
            resource_group_name=props.resource_group,
            lifecycle=_holds(
                f"alltrue([for cidr in {_hcl_list(props.vnet_ranges)} : contains(self.address_space, cidr)])",
                f"VNet {props.virtual_network} must hold the config's network.vnet ranges {', '.join(props.vnet_ranges)} (dual-stack)",
            ),
        )
        subnets = {
            role: DataAzurermSubnet(
                self,
                f"{role}_subnet",
                name=name,
                virtual_network_name=props.virtual_network,
                resource_group_name=props.resource_group,
                lifecycle=_holds(
                    f"toset(self.address_prefixes) == toset({_hcl_list(props.subnet_ranges[role])})",
                    f"subnet {name} must have exactly the config's network.{role}_subnet prefixes {', '.join(props.subnet_ranges[role])}",
                ),
            )
            for role, name in (("nodes", props.nodes_subnet), ("ingress", props.ingress_subnet))
        }
        self.virtual_network_id = virtual_network.id
        self.nodes_subnet_id = subnets["nodes"].id
        self.ingress_subnet_id = subnets["ingress"].id


@dataclass(frozen=True)
class ExistingClusterProps:
    name: str
    resource_group: str
    # (resource group, name) of a user-assigned control-plane identity; None: the cluster's system-assigned one
    control_plane_identity: tuple[str, str] | None
    load_balancer_subnet_ids: list[str]
    container_registry_id: str


class ExistingCluster(Construct):
    """Exposes the control-plane identity of an existing cluster, for the edge layer, and
    grants it what this app's ingress and registry need: Network Contributor on the subnets its
    internal load balancers use, and AcrPull for its kubelet."""

    def __init__(self, scope: Construct, id_: str, props: ExistingClusterProps):
        super().__init__(scope, id_)
        cluster = DataAzurermKubernetesCluster(self, "kubernetes_cluster", name=props.name, resource_group_name=props.resource_group)
        if props.control_plane_identity:
            identity_resource_group, identity_name = props.control_plane_identity
            identity = DataAzurermUserAssignedIdentity(self, "control_plane_identity", name=identity_name, resource_group_name=identity_resource_group)
            self.identity_principal_id = identity.principal_id
        else:
            # Only a system-assigned identity has its principal on the cluster itself.
            self.identity_principal_id = cluster.identity.get(0).principal_id
        # The ingress stack's internal load balancers need these in place (ClusterAttachment.access_grants).
        self.access_grants = [
            grant(self, f"identity_network_contributor_{position}", role="Network Contributor", on=subnet_id, to=self.identity_principal_id)
            for position, subnet_id in enumerate(props.load_balancer_subnet_ids)
        ]
        grant(self, "kubelet_acr_pull", role="AcrPull", on=props.container_registry_id, to=cluster.kubelet_identity.get(0).object_id)
