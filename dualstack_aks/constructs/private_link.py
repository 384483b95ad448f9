"""Private endpoints: how nodes reach the registry and Key Vault without a public endpoint."""

from __future__ import annotations

from cdktf_cdktf_provider_azurerm.private_endpoint import (
    PrivateEndpoint,
    PrivateEndpointPrivateDnsZoneGroup,
    PrivateEndpointPrivateServiceConnection,
)
from constructs import Construct

# Azure's fixed private DNS zone per private-link sub-resource.
PRIVATE_LINK_ZONES = {
    "registry": "privatelink.azurecr.io",
    "vault": "privatelink.vaultcore.azure.net",
}


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
