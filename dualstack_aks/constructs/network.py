"""Network layer: dual-stack VNet, node and ingress subnets, and their NSG."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from dualstack_aks.constructs.monitoring import send_diagnostics
from dualstack_aks.engine.azurerm import (
    NetworkSecurityGroup,
    NetworkSecurityRule,
    Subnet,
    SubnetNetworkSecurityGroupAssociation,
    VirtualNetwork,
)
from dualstack_aks.model.addresses import RegionAddresses

# Only the ingress entries are reachable from outside: HTTP(S) per family, then the
# load balancer's health probes (kube-proxy's healthCheckNodePort with externalTrafficPolicy
# Local), and nothing else from the Internet.
_INBOUND_RULES = (
    # name, priority, access, protocol, source, destination ports (None: all)
    ("allow-http-https-ipv4", 100, "Allow", "Tcp", "0.0.0.0/0", ["80", "443"]),
    ("allow-http-https-ipv6", 110, "Allow", "Tcp", "::/0", ["80", "443"]),
    ("allow-azure-load-balancer-probes", 120, "Allow", "*", "AzureLoadBalancer", None),
    ("deny-internet-other", 4000, "Deny", "*", "Internet", None),
)
# The Application Gateway v2 subnet: GatewayManager's infrastructure ports and the Azure load balancer must be allowed in
# (application-gateway/configuration-infrastructure.md, "Network security groups"), then the listeners per family.
_GATEWAY_INBOUND_RULES = (
    ("allow-gateway-manager", 100, "Allow", "Tcp", "GatewayManager", ["65200-65535"]),
    ("allow-azure-load-balancer", 110, "Allow", "*", "AzureLoadBalancer", None),
    ("allow-http-https-ipv4", 120, "Allow", "Tcp", "0.0.0.0/0", ["80", "443"]),
    ("allow-http-https-ipv6", 130, "Allow", "Tcp", "::/0", ["80", "443"]),
    ("deny-internet-other", 4000, "Deny", "*", "Internet", None),
)


@dataclass(frozen=True)
class NetworkProps:
    location: str
    resource_group_name: str
    virtual_network_name: str
    network_security_group_name: str
    nodes_subnet_name: str
    ingress_subnet_name: str
    addresses: RegionAddresses
    log_analytics_workspace_id: str
    tags: dict[str, str]
    # Both set: the Application Gateway's subnet (addresses.gateway_subnet) with its own NSG.
    gateway_subnet_name: str | None = None
    gateway_network_security_group_name: str | None = None


class Network(Construct):
    """Exposes the VNet and subnet ids the cluster and edge layers build on (as ExistingNetwork does),
    and `gateway_subnet_id` (None without the Application Gateway)."""

    def __init__(self, scope: Construct, id_: str, props: NetworkProps):
        super().__init__(scope, id_)
        addresses = props.addresses
        self._resource_group_name = props.resource_group_name

        self.virtual_network = VirtualNetwork(
            self,
            "virtual_network",
            name=props.virtual_network_name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            address_space=addresses.vnet.as_list(),
            tags=props.tags,
        )
        # Each attribute read is a jsii round trip: read a reference once and reuse its token.
        self.virtual_network_id = self.virtual_network.id
        self._virtual_network_name = self.virtual_network.name
        self.network_security_group, network_security_group_id = self._security_group("", props.network_security_group_name, _INBOUND_RULES, props)
        self.nodes_subnet_id = self._subnet("nodes_subnet", props.nodes_subnet_name, addresses.nodes_subnet.as_list(), network_security_group_id)
        self.ingress_subnet_id = self._subnet("ingress_subnet", props.ingress_subnet_name, addresses.ingress_subnet.as_list(), network_security_group_id)
        self.gateway_subnet_id: str | None = None
        if props.gateway_subnet_name and props.gateway_network_security_group_name and addresses.gateway_subnet:
            _, gateway_security_group_id = self._security_group("gateway_", props.gateway_network_security_group_name, _GATEWAY_INBOUND_RULES, props)
            self.gateway_subnet_id = self._subnet("gateway_subnet", props.gateway_subnet_name, addresses.gateway_subnet.as_list(), gateway_security_group_id)

    def _security_group(
        self, id_prefix: str, name: str, rules: tuple[tuple[str, int, str, str, str, list[str] | None], ...], props: NetworkProps
    ) -> tuple[NetworkSecurityGroup, str]:
        """An NSG with its inbound `rules` and its flow of logs to the workspace; the NSG and its id."""
        security_group = NetworkSecurityGroup(
            self,
            f"{id_prefix}network_security_group",
            name=name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            tags=props.tags,
        )
        security_group_id, security_group_name = security_group.id, security_group.name
        for rule, priority, access, protocol, source, ports in rules:
            NetworkSecurityRule(
                self,
                f"{id_prefix}rule_{rule.replace('-', '_')}",
                name=rule,
                priority=priority,
                direction="Inbound",
                access=access,
                protocol=protocol,
                source_address_prefix=source,
                source_port_range="*",
                destination_address_prefix="*",
                destination_port_range=None if ports else "*",
                destination_port_ranges=ports,
                resource_group_name=props.resource_group_name,
                network_security_group_name=security_group_name,
            )
        send_diagnostics(
            self,
            f"{id_prefix}network_security_group_diagnostics",
            security_group_id,
            props.log_analytics_workspace_id,
            log_category_groups=("allLogs",),
            metrics=False,
        )
        return security_group, security_group_id

    def _subnet(self, id_: str, name: str, prefixes: list[str], network_security_group_id: str) -> str:
        """The subnet with its NSG association; its id."""
        subnet_id = Subnet(
            self,
            id_,
            name=name,
            resource_group_name=self._resource_group_name,
            virtual_network_name=self._virtual_network_name,
            address_prefixes=prefixes,
            # Egress goes through the cluster's load balancer, never Azure's implicit default.
            default_outbound_access_enabled=False,
        ).id
        SubnetNetworkSecurityGroupAssociation(self, f"{id_}_network_security_group", subnet_id=subnet_id, network_security_group_id=network_security_group_id)
        return subnet_id
