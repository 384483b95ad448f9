"""Shared container registry: Premium, admin user off, geo-replicated to every configured region."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.container_registry import ContainerRegistry, ContainerRegistryGeoreplications
from constructs import Construct


@dataclass(frozen=True)
class RegistryProps:
    name: str
    home_region: str
    replica_regions: list[str]
    resource_group_name: str
    tags: dict[str, str]


class Registry(Construct):
    """Exposes `registry_id`, the scope of each cluster's AcrPull role assignment."""

    def __init__(self, scope: Construct, id_: str, props: RegistryProps):
        super().__init__(scope, id_)
        self.container_registry = ContainerRegistry(
            self,
            "container_registry",
            name=props.name,
            location=props.home_region,
            resource_group_name=props.resource_group_name,
            sku="Premium",
            admin_enabled=False,
            anonymous_pull_enabled=False,
            georeplications=[
                ContainerRegistryGeoreplications(location=region, tags=props.tags)
                for region in props.replica_regions
            ]
            or None,
            tags=props.tags,
        )
        self.registry_id = self.container_registry.id
