"""Ingress layer of one region: the namespace and the ingress controller's Helm release(s):
ingress-nginx twins, or the Envoy Gateway controller and, per family, a release of the local
chart charts/dualstack-gateways holding that family's GatewayClass, EnvoyProxies and Gateways."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from constructs import Construct

from dualstack_aks.engine import azurerm
from dualstack_aks.engine.core import ITerraformDependable
from dualstack_aks.engine.helm import Release
from dualstack_aks.engine.kubernetes import (
    NamespaceV1,
    NamespaceV1Metadata,
)
from dualstack_aks.model.gateway import CONTROLLER_RELEASE, controller_values, gateway_objects
from dualstack_aks.model.health_probe import HealthProbe
from dualstack_aks.model.ingress import IngressRelease, release_values, render_values
from dualstack_aks.model.names import ENVOY_GATEWAY

# Every release: rolled back whole on failure, and Terraform waits until its workloads are ready.


def helm_release(
    scope: Construct,
    id_: str,
    *,
    name: str,
    namespace: str,
    chart: str,
    values: str,
    repository: str | None = None,
    version: str | None = None,
    depends_on: Sequence[ITerraformDependable] | None = None,
) -> Release:
    """A Helm release as every release here is installed: atomic, waited for, rolled back on failure."""
    return Release(
        scope,
        id_,
        name=name,
        namespace=namespace,
        repository=repository,
        chart=chart,
        version=version,
        values=[values],
        depends_on=list(depends_on) if depends_on else None,
        atomic=True,
        cleanup_on_fail=True,
        wait=True,
        timeout=900,
        max_history=10,
    )


ACCESS_READY_ANNOTATION = "dualstack-aks/access-ready-at"


@dataclass(frozen=True)
class IngressProps:
    controller: str
    namespace: str
    chart_repository: str
    chart: str
    chart_version: str
    releases: tuple[IngressRelease, ...]
    health_probe: HealthProbe  # each public entry answers it (model/health_probe.py)
    objects_chart: str | None  # envoy-gateway: the local chart's path as seen from the stack folder (a TerraformAsset)
    access_ready_at: str  # the region stack's wait for role propagation (its time_sleep id, a timestamp)


def objects_chart_path(objects_chart: str | None) -> str:
    """The local chart's path for a release of Gateway API objects; only the Envoy Gateway layout has one."""
    if objects_chart is None:
        raise ValueError("Gateway API objects need the local chart charts/dualstack-gateways: pass its asset path (objects_chart)")
    return objects_chart


class Ingress(Construct):
    """Exposes the namespace, the per-family Helm releases by variant (`releases["ipv6"]`) and,
    per IngressClass or GatewayClass, the releases its routes wait for (`serving["eg-ipv6"]`)."""

    def __init__(self, scope: Construct, id_: str, props: IngressProps):
        super().__init__(scope, id_)
        self.namespace = NamespaceV1(
            self,
            "namespace",
            metadata=NamespaceV1Metadata(
                name=props.namespace,
                # ingress-nginx runs as non-root with only NET_BIND_SERVICE added; Envoy Gateway's pods need less.
                labels={"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted"},
                # Referencing the wait puts the namespace, and the releases in it, after the grants have taken effect.
                annotations={ACCESS_READY_ANNOTATION: props.access_ready_at},
            ),
        )
        namespace = self.namespace.metadata.name
        self.releases: dict[str, Release] = {}
        # The Envoy Gateway controller release installs the CRDs the per-family objects need.
        controller: list[ITerraformDependable] = []
        if props.controller == ENVOY_GATEWAY:
            controller.append(
                helm_release(
                    self,
                    "release_envoy_gateway",
                    name=CONTROLLER_RELEASE,
                    namespace=namespace,
                    repository=props.chart_repository,
                    chart=props.chart,
                    version=props.chart_version,
                    values=render_values(controller_values()),
                )
            )
        for release in props.releases:
            addresses = self._public_ip_addresses(release)
            if props.controller == ENVOY_GATEWAY:
                self.releases[release.variant] = helm_release(
                    self,
                    f"release_{release.variant.replace('-', '_')}",
                    name=release.names.release,
                    namespace=namespace,
                    chart=objects_chart_path(props.objects_chart),
                    values=render_values(gateway_objects(release, props.namespace, addresses, props.health_probe)),
                    depends_on=controller,
                )
            else:
                self.releases[release.variant] = helm_release(
                    self,
                    f"release_{release.variant.replace('-', '_')}",
                    name=release.names.release,
                    namespace=namespace,
                    repository=props.chart_repository,
                    chart=props.chart,
                    version=props.chart_version,
                    values=render_values(release_values(release, addresses)),
                )

        self.serving: dict[str, list[ITerraformDependable]] = {
            release.names.ingress_class: [*controller, self.releases[release.variant]] for release in props.releases
        }

    def _public_ip_addresses(self, release: IngressRelease) -> dict[str, str]:
        """A dual-stack Service is pinned by address: read them from the edge's public IPs at plan time."""
        if len(release.families) == 1:
            return {}
        return {
            # Through the module: its provider module loads on first use, so only a dual-stack release pays for it.
            family: azurerm.DataAzurermPublicIp(
                self, f"public_ip_{family}", name=release.public_ip_names[family], resource_group_name=release.public_ip_resource_group
            ).ip_address
            for family in release.families
        }
