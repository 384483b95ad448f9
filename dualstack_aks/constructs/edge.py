"""Edge layer of one region: the public IPv4 and IPv6 addresses of the entry (the ingress load
balancers, or the Application Gateway's frontends), their DNS names and their Traffic Manager
endpoints (one per family, in that family's profile)."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from dualstack_aks.constructs.roles import grant
from dualstack_aks.engine.azurerm import (
    DnsAaaaRecord,
    DnsARecord,
    PrivateDnsAaaaRecord,
    PrivateDnsARecord,
    PrivateDnsZoneVirtualNetworkLink,
    PublicIp,
    ResourceGroup,
    TrafficManagerExternalEndpoint,
)

# family -> (public IP version, record kind, public record class, private record class)
_FAMILY_RECORDS = {
    "ipv4": ("IPv4", "a_record", DnsARecord, PrivateDnsARecord),
    "ipv6": ("IPv6", "aaaa_record", DnsAaaaRecord, PrivateDnsAaaaRecord),
}


@dataclass(frozen=True)
class EdgeProps:
    location: str
    resource_group_name: str  # the edge's own group, holding the public IPs
    record_name: str  # the regional label in the public and private zones
    public_ip_names: dict[str, str]  # family -> public IP name
    traffic_manager_endpoint_name: str
    private_zone_link_name: str
    families: tuple[str, ...]  # the families with a public entry (IP and records) in this region
    # family -> static private address of the internal load balancer; empty: private records use the public IPs
    private_addresses: dict[str, str]
    zones: tuple[str, ...]  # of the public IPs: all three or none (ForceNew; see deployment.ALL_ZONES)
    cluster_identity_principal_id: str
    virtual_network_id: str
    zone_name: str
    private_zone_name: str
    dns_resource_group_name: str
    traffic_manager_ids: dict[str, str]  # family -> the family's Traffic Manager profile
    ttl: int
    tags: dict[str, str]
    application_gateway: bool = False  # the addresses are the gateway's frontends: the cluster never takes them


class Edge(Construct):
    """Exposes `public_ips` (family -> address), `resource_group_name` (their group's name, a reference) and
    `load_balancer_grant`, the cluster identity's right on them (None when the Application Gateway holds them)."""

    def __init__(self, scope: Construct, id_: str, props: EdgeProps):
        super().__init__(scope, id_)
        # Its own group, so the cluster identity's Network Contributor right covers only these addresses.
        self.resource_group = ResourceGroup(self, "resource_group", name=props.resource_group_name, location=props.location, tags=props.tags)
        # Each attribute read is a jsii round trip: read a reference once and reuse its token.
        self.resource_group_name = self.resource_group.name
        # The ingress Services' load balancers take these addresses, so the ingress stack waits for this grant.
        self.load_balancer_grant = (
            None
            if props.application_gateway
            else grant(
                self, "cluster_identity_network_contributor", role="Network Contributor", on=self.resource_group.id, to=props.cluster_identity_principal_id
            )
        )
        self.public_ips: dict[str, PublicIp] = {}
        for family in props.families:
            version, record_kind, public_record, private_record = _FAMILY_RECORDS[family]
            holder = "gateway" if props.application_gateway else "ingress"
            public_ip = self._public_ip(f"{holder}_public_{family}", props.public_ip_names[family], version, props)
            self.public_ips[family] = public_ip
            public_record(
                self,
                f"dns_{record_kind}",
                name=props.record_name,
                zone_name=props.zone_name,
                resource_group_name=props.dns_resource_group_name,
                ttl=props.ttl,
                target_resource_id=public_ip.id,
                tags=props.tags,
            )
            private_record(
                self,
                f"private_dns_{record_kind}",
                name=props.record_name,
                zone_name=props.private_zone_name,
                resource_group_name=props.dns_resource_group_name,
                ttl=props.ttl,
                records=[props.private_addresses.get(family) or public_ip.ip_address],
                tags=props.tags,
            )
            # The family's own profile probes this address, so one family failing takes only that family's answer away.
            # An IP literal, not a name: a DNS alias to a profile needs external endpoints given as addresses (azure-docs articles/dns/dns-alias.md).
            TrafficManagerExternalEndpoint(
                self,
                f"traffic_manager_endpoint_{family}",
                name=props.traffic_manager_endpoint_name,
                profile_id=props.traffic_manager_ids[family],
                target=public_ip.ip_address,
                # Required for Performance routing (website/docs/r/traffic_manager_external_endpoint.html.markdown:66 at v4.55.0).
                endpoint_location=props.location,
                enabled=True,
            )
        PrivateDnsZoneVirtualNetworkLink(
            self,
            "private_dns_zone_link",
            name=props.private_zone_link_name,
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
            resource_group_name=self.resource_group_name,
            sku="Standard",
            allocation_method="Static",
            ip_version=version,
            zones=list(props.zones),
            tags=props.tags,
        )
