"""What the next layer needs from a network or a cluster, new or existing: the region stack holds
either kind behind these, so both kinds must expose the same attributes."""

from __future__ import annotations

from typing import Protocol

from dualstack_aks.engine.azurerm import RoleAssignment


class NetworkAttachment(Protocol):
    """A dual-stack VNet with a nodes subnet and an ingress subnet (Network, ExistingNetwork)."""

    virtual_network_id: str
    nodes_subnet_id: str
    ingress_subnet_id: str


class ClusterAttachment(Protocol):
    """A dual-stack AKS cluster (Cluster, ExistingCluster)."""

    # The control-plane identity, which creates the load balancers and so needs Network Contributor on their addresses.
    identity_principal_id: str
    # Grants the ingress stack relies on, which it must wait for (they take minutes to take effect).
    access_grants: list[RoleAssignment]
