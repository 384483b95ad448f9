"""Edge layer of one region: the ingress front doors' public IPv4 and IPv6 addresses and their DNS names."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.dns_a_record import DnsARecord
from cdktf_cdktf_provider_azurerm.dns_aaaa_record import DnsAaaaRecord
from cdktf_cdktf_provider_azurerm.private_dns_a_record import PrivateDnsARecord
from cdktf_cdktf_provider_azurerm.private_dns_aaaa_record import PrivateDnsAaaaRecord
from cdktf_cdktf_provider_azurerm.private_dns_zone_virtual_network_link import PrivateDnsZoneVirtualNetworkLink
from cdktf_cdktf_provider_azurerm.public_ip import PublicIp
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup
from cdktf_cdktf_provider_azurerm.role_assignment import RoleAssignment
from cdktf_cdktf_provider_azurerm.traffic_manager_external_endpoint import TrafficManagerExternalEndpoint
from constructs import Construct

from dualstack_aks.model.names import RegionNames

# family -> (public IP version, record kind, public record class, private record class)
_FAMILY_RECORDS = {
    "ipv4": ("IPv4", "a_record", DnsARecord, PrivateDnsARecord),
    "ipv6": ("IPv6", "aaaa_record", DnsAaaaRecord, PrivateDnsAaaaRecord),
}


@dataclass(frozen=True)
class EdgeProps:
    names: RegionNames
    location: str
    families: tuple[str, ...]  # the families with a front door in this region
    # family -> static private address of the internal load balancer; empty: private records use the public IPs
    private_addresses: dict[str, str]
    zones: list[str]
    cluster_identity_principal_id: str
    virtual_network_id: str
    zone_name: str
    private_zone_name: str
    dns_resource_group_name: str
    traffic_manager_id: str
    ttl: int
    tags: dict[str, str]


class Edge(Construct):
    """Exposes `fqdn` and `private_fqdn`, the regional names (the global name resolves to the first)."""

    def __init__(self, scope: Construct, id_: str, props: EdgeProps):
        super().__init__(scope, id_)
        names = props.names
        # Its own group, so the cluster identity's Network Contributor right covers only these addresses.
        self.resource_group = ResourceGroup(self, "resource_group", name=names.edge_resource_group, location=props.location, tags=props.tags)
        RoleAssignment(
            self,
            "cluster_identity_network_contributor",
            scope=self.resource_group.id,
            role_definition_name="Network Contributor",
            principal_id=props.cluster_identity_principal_id,
            principal_type="ServicePrincipal",
        )
        public = {"name": names.dns_record, "zone_name": props.zone_name, "resource_group_name": props.dns_resource_group_name, "ttl": props.ttl, "tags": props.tags}
        private = {**public, "zone_name": props.private_zone_name}
        names_by_family = {"ipv4": names.ingress_public_ipv4, "ipv6": names.ingress_public_ipv6}
        for family in props.families:
            version, record_kind, public_record, private_record = _FAMILY_RECORDS[family]
            public_ip = self._public_ip(f"ingress_public_{family}", names_by_family[family], version, props)
            public_record(self, f"dns_{record_kind}", target_resource_id=public_ip.id, **public)
            private_address = props.private_addresses.get(family) or public_ip.ip_address
            private_record(self, f"private_dns_{record_kind}", records=[private_address], **private)
        self.fqdn = f"{names.dns_record}.{props.zone_name}"
        self.private_fqdn = f"{names.dns_record}.{props.private_zone_name}"
        # Traffic Manager hands out the regional name, which resolves to every front-door family.
        TrafficManagerExternalEndpoint(
            self,
            "traffic_manager_endpoint",
            name=names.region,
            profile_id=props.traffic_manager_id,
            target=self.fqdn,
            endpoint_location=props.location,
            enabled=True,
        )
        PrivateDnsZoneVirtualNetworkLink(
            self,
            "private_dns_zone_link",
            name=f"link-{names.virtual_network}",
            private_dns_zone_name=props.private_zone_name,
            resource_group_name=props.dns_resource_group_name,
            virtual_network_id=props.virtual_network_id,
            registration_enabled=False,
            tags=props.tags,
        )

    def _public_ip(self, id_: str, name: str, version: str, props: EdgeProps) -> PublicIp:
        return PublicIp(
            self,
            id_,
            name=name,
            location=props.location,
            resource_group_name=self.resource_group.name,
            sku="Standard",
            allocation_method="Static",
            ip_version=version,
            zones=list(props.zones),
            tags=props.tags,
        )
