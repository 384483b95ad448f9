"""Ingress layer of one region: the namespace and the ingress-nginx Helm release(s)."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from dualstack_aks.engine.azurerm import DataAzurermPublicIp
from dualstack_aks.engine.helm import Release
from dualstack_aks.engine.kubernetes import (
    NamespaceV1,
    NamespaceV1Metadata,
)
from dualstack_aks.model.ingress import IngressRelease, release_values, render_values


@dataclass(frozen=True)
class IngressProps:
    namespace: str
    chart_repository: str
    chart_version: str
    releases: tuple[IngressRelease, ...]


class Ingress(Construct):
    """Exposes the namespace and the Helm releases by variant (`releases["ipv6"]`)."""

    def __init__(self, scope: Construct, id_: str, props: IngressProps):
        super().__init__(scope, id_)
        self.namespace = NamespaceV1(
            self,
            "namespace",
            metadata=NamespaceV1Metadata(
                name=props.namespace,
                # The controller runs as non-root with only NET_BIND_SERVICE added.
                labels={"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted"},
            ),
        )
        self.releases: dict[str, Release] = {}
        for release in props.releases:
            self.releases[release.variant] = Release(
                self,
                f"release_{release.variant.replace('-', '_')}",
                name=release.names.release,
                namespace=self.namespace.metadata.name,
                repository=props.chart_repository,
                chart="ingress-nginx",
                version=props.chart_version,
                values=[render_values(release_values(release, self._public_ip_addresses(release)))],
                atomic=True,
                cleanup_on_fail=True,
                wait=True,
                timeout=900,
                max_history=10,
            )

    def _public_ip_addresses(self, release: IngressRelease) -> dict[str, str]:
        """A dual-stack Service is pinned by address: read them from the edge's public IPs at plan time."""
        if len(release.families) == 1:
            return {}
        return {
            family: DataAzurermPublicIp(
                self, f"public_ip_{family}", name=release.public_ip_names[family], resource_group_name=release.public_ip_resource_group
            ).ip_address
            for family in release.families
        }
