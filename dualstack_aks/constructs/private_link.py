"""Private endpoints: how nodes reach the registry and Key Vault without a public endpoint.

Each region gets its own privatelink zones, linked to its own VNet only. The regions' VNets are
not peered, and one zone shared by all of them would hold a single A record for the registry's
login name: every region's endpoint would overwrite it with an address other regions cannot reach.
"""

from __future__ import annotations

from constructs import Construct

from dualstack_aks.engine.azurerm import (
    PrivateDnsZone,
    PrivateDnsZoneVirtualNetworkLink,
    PrivateEndpoint,
    PrivateEndpointPrivateDnsZoneGroup,
    PrivateEndpointPrivateServiceConnection,
)
from dualstack_aks.model.names import PRIVATE_LINK_ZONES


class PrivateLinkZones(Construct):
    """Exposes `zone_ids`: sub-resource ("registry", "vault") -> the id of its privatelink zone."""

    def __init__(self, scope: Construct, id_: str, *, resource_group_name: str, virtual_network_id: str, link_name: str, tags: dict[str, str]):
        super().__init__(scope, id_)
        self.zone_ids: dict[str, str] = {}
        for subresource, zone_name in sorted(PRIVATE_LINK_ZONES.items()):
            zone = PrivateDnsZone(self, f"zone_{subresource}", name=zone_name, resource_group_name=resource_group_name, tags=tags)
            PrivateDnsZoneVirtualNetworkLink(
                self,
                f"link_{subresource}",
                name=link_name,
                private_dns_zone_name=zone.name,
                resource_group_name=resource_group_name,
                virtual_network_id=virtual_network_id,
                registration_enabled=False,
                tags=tags,
            )
            self.zone_ids[subresource] = zone.id


def private_endpoint(
    scope: Construct,
    id_: str,
    *,
    name: str,
    location: str,
    resource_group_name: str,
    subnet_id: str,
    target_resource_id: str,
    subresource: str,
    private_dns_zone_id: str,
    tags: dict[str, str],
) -> PrivateEndpoint:
    """A private endpoint whose A records Azure maintains in the matching privatelink zone."""
    return PrivateEndpoint(
        scope,
        id_,
        name=name,
        location=location,
        resource_group_name=resource_group_name,
        subnet_id=subnet_id,
        private_service_connection=PrivateEndpointPrivateServiceConnection(
            name=name, is_manual_connection=False, private_connection_resource_id=target_resource_id, subresource_names=[subresource]
        ),
        private_dns_zone_group=PrivateEndpointPrivateDnsZoneGroup(name="default", private_dns_zone_ids=[private_dns_zone_id]),
        tags=tags,
    )
