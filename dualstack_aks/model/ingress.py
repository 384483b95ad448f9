"""Which ingress releases a region gets (one per family, or one dual-stack), and the
ingress-nginx Helm values (model/gateway.py has the Envoy Gateway objects).

Values are the files in helm-values/ merged with computed values; pure Python (no jsii), the
ingress construct receives the finished values.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from dualstack_aks.contract import (
    DUAL_STACK,
    FAMILIES_LABEL,
    INGRESS_CLASS_LABEL,
    INTERNAL_ANNOTATION,
    INTERNAL_SUBNET_ANNOTATION,
    NAT46_PROXY,
    NAT64_PROXY,
    NATIVE,
    PIP_NAME_ANNOTATION,
    RESOURCE_GROUP_ANNOTATION,
    ROLE_LABEL,
    SAFE_LOADER,
    address_annotation,
    deep_merge,
)
from dualstack_aks.model.names import IngressNames

VALUES_DIR = Path(__file__).resolve().parents[2] / "helm-values"
FAMILIES = ("ipv4", "ipv6")
# controller.service keys that only the chart's public Service reads.
PUBLIC_SERVICE_ONLY = ("externalTrafficPolicy", "ipFamilies", "ipFamilyPolicy")
IP_FAMILY = {"ipv4": "IPv4", "ipv6": "IPv6"}
# libyaml's C emitter (in the pinned PyYAML wheel) produces the same YAML, faster.
if TYPE_CHECKING:
    _SafeDumper = yaml.SafeDumper
else:
    _SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class IngressRelease:
    """One ingress-nginx release: the families its Services carry and how they are pinned."""

    variant: str  # "ipv4", "ipv6" or "dual-stack": names the values file and the Kubernetes names
    families: tuple[str, ...]
    role: str  # native | nat64-proxy | nat46-proxy | dual-stack
    names: IngressNames
    public_ip_names: dict[str, str]  # family -> public IP resource name
    public_ip_resource_group: str
    replicas: int
    internal_subnet: str | None = None  # set: also a private load balancer in this subnet
    internal_ips: dict[str, str] = field(default_factory=dict)  # family -> static private address
    # set: behind the Application Gateway, whose IPv4 subnet this is: internal Services only, X-Forwarded-For trusted from it alone
    gateway_subnet: str | None = None


def plan_releases(
    *,
    controller: str,
    mode: str,
    primary_family: str,
    translating_ingress: bool,
    public_ip_names: dict[str, str],
    public_ip_resource_group: str,
    replicas: int,
    internal_subnet: str | None,
    internal_ips: dict[str, str],
    gateway_subnet: str | None = None,
) -> list[IngressRelease]:
    """The releases of one region: twin (one per family, the non-primary one translating at L7)
    or a single dual-stack release."""

    def release(variant: str, families: tuple[str, ...], role: str) -> IngressRelease:
        return IngressRelease(
            variant=variant,
            families=families,
            role=role,
            names=IngressNames.derive(variant, controller),
            public_ip_names={family: public_ip_names[family] for family in families},
            public_ip_resource_group=public_ip_resource_group,
            replicas=replicas,
            internal_subnet=internal_subnet,
            internal_ips={family: internal_ips[family] for family in families} if internal_subnet else {},
            gateway_subnet=gateway_subnet,
        )

    if mode == DUAL_STACK:
        return [release(DUAL_STACK, FAMILIES, DUAL_STACK)]
    releases = []
    for family in FAMILIES:
        if family == primary_family:
            releases.append(release(family, (family,), NATIVE))
        elif translating_ingress:
            releases.append(release(family, (family,), NAT64_PROXY if family == "ipv6" else NAT46_PROXY))
    return releases


def public_families(releases: list[IngressRelease]) -> tuple[str, ...]:
    """Families that get a public IP and DNS records: exactly those some release serves."""
    return tuple(family for family in FAMILIES if any(family in release.families for release in releases))


@functools.cache
def load_values(name: str, values_dir: Path) -> dict[str, Any]:
    """A values file, parsed once per process (callers never mutate it: deep_merge copies)."""
    return yaml.load((values_dir / f"{name}.yaml").read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}


def service_families(release: IngressRelease) -> dict[str, Any]:
    """The Service's ipFamilyPolicy and ipFamilies, said explicitly so none follows the cluster's primary family."""
    dual = len(release.families) > 1
    return {"ipFamilyPolicy": "RequireDualStack" if dual else "SingleStack", "ipFamilies": [IP_FAMILY[f] for f in release.families]}


def public_pinning(release: IngressRelease, public_ip_addresses: dict[str, str]) -> dict[str, str]:
    """A single-family Service names its public IP; a dual-stack one gives both addresses."""
    annotations = {RESOURCE_GROUP_ANNOTATION: release.public_ip_resource_group}
    if len(release.families) == 1:
        annotations[PIP_NAME_ANNOTATION] = release.public_ip_names[release.families[0]]
    else:
        annotations.update({address_annotation(family): public_ip_addresses[family] for family in release.families})
    return annotations


def ingress_class_labels(ingress_class: str) -> dict[str, str]:
    """The labels an Ingress of `ingress_class` carries so that its class's admission webhook, and no other, validates it."""
    return {INGRESS_CLASS_LABEL: ingress_class}


def computed_values(release: IngressRelease, public_ip_addresses: dict[str, str]) -> dict[str, Any]:
    """Per-region values: names, replicas, spreading, and the Services pinned to their addresses."""
    names = release.names
    selector = {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": names.release, "app.kubernetes.io/component": "controller"}
    # The public Service's families come from the variant's values file; the internal one mirrors them.
    service: dict[str, Any] = {"annotations": public_pinning(release, public_ip_addresses)}
    config: dict[str, str] = {}
    if release.gateway_subnet:
        # The Application Gateway is the public entry: no public Service, and the client address comes from the
        # gateway's X-Forwarded-For, trusted only from its subnet (ingress-nginx's real_ip from proxy-real-ip-cidr).
        service = {"external": {"enabled": False}}
        config = {"use-forwarded-headers": "true", "proxy-real-ip-cidr": release.gateway_subnet}
    if release.internal_subnet:
        service["internal"] = {
            "enabled": True,
            **service_families(release),
            "externalTrafficPolicy": "Local",
            "annotations": {
                INTERNAL_ANNOTATION: "true",
                INTERNAL_SUBNET_ANNOTATION: release.internal_subnet,
                **{address_annotation(family): address for family, address in release.internal_ips.items()},
            },
        }
    return {
        "controller": {
            "replicaCount": release.replicas,
            "electionID": f"{names.release}-leader",
            "ingressClass": names.ingress_class,
            "ingressClassResource": {"name": names.ingress_class, "controllerValue": names.controller_value},
            # With failurePolicy Fail, a webhook without a selector lets one controller down block every class's Ingress writes; chart 4.15.1
            # offers objectSelector, not matchConditions (templates/admission-webhooks/validating-webhook.yaml:22-53 at helm-chart-4.15.1).
            "admissionWebhooks": {"objectSelector": {"matchLabels": ingress_class_labels(names.ingress_class)}},
            "podLabels": {FAMILIES_LABEL: "-".join(release.families), ROLE_LABEL: release.role},
            "service": service,
            **({"config": config} if config else {}),
            "topologySpreadConstraints": [
                {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": selector}}
                for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
            ],
        }
    }


def release_values(release: IngressRelease, public_ip_addresses: dict[str, str] | None = None, values_dir: Path = VALUES_DIR) -> dict[str, Any]:
    """common.yaml < <variant>.yaml < computed values. `public_ip_addresses` (family -> address)
    is needed only by a dual-stack release."""
    files = deep_merge(load_values("common", values_dir), load_values(release.variant, values_dir))
    values = deep_merge(files, computed_values(release, public_ip_addresses or {}))
    if release.gateway_subnet:
        # Behind the Application Gateway there is no public Service, and only it reads these keys (the internal one has
        # its own: templates/controller-service-internal.yaml at helm-chart-4.15.1); left in, they would be dead values.
        for key in PUBLIC_SERVICE_ONLY:
            values["controller"]["service"].pop(key, None)
    return values


class _PlainDumper(_SafeDumper):
    """Writes repeated maps out in full instead of as &anchors, so reviewers read plain values."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render_values(values: dict[str, Any]) -> str:
    """Stable YAML text for the helm_release `values` list."""
    return yaml.dump(values, Dumper=_PlainDumper, sort_keys=True, default_flow_style=False)
