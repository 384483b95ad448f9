"""The Envoy Gateway layout: the controller's Helm values, and per family the GatewayClass,
EnvoyProxy and Gateway objects (plus the echo app's HTTPRoutes) as values of the local chart
charts/dualstack-gateways, whose templates only render them whole.

The objects are built here, in pure Python, so tests validate them without Helm or a cluster.
Shared settings live in helm-values/envoy-gateway/*.yaml, merged with computed values like the
ingress-nginx values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dualstack_aks.contract import (
    CLIENT_TRAFFIC_POLICIES,
    ENVOY_PROXIES,
    ENVOY_SERVICE_FAMILIES,
    FAMILIES_LABEL,
    GATEWAY_CLASSES,
    GATEWAYS,
    HTTP_ROUTE_FILTERS,
    HTTP_ROUTES,
    INTERNAL_ANNOTATION,
    INTERNAL_SUBNET_ANNOTATION,
    ROLE_LABEL,
    address_annotation,
    deep_merge,
)
from dualstack_aks.model.health_probe import HEALTHY_STATUS, HealthProbe
from dualstack_aks.model.ingress import IP_FAMILY, VALUES_DIR, IngressRelease, load_values, public_pinning, service_families

GATEWAY_VALUES_DIR = VALUES_DIR / "envoy-gateway"
# envoyproxy/gateway v1.9.0: the chart (oci://docker.io/envoyproxy/gateway-helm) and its release tag.
CONTROLLER_CHART = "gateway-helm"
CONTROLLER_REPOSITORY = "oci://docker.io/envoyproxy"
CONTROLLER_VERSION = "v1.9.0"
CONTROLLER_RELEASE = "envoy-gateway"
# The local chart; each ingress stack copies it into its own folder of the output (a TerraformAsset), so the
# release's chart path resolves from the stack folder wherever the output directory is.
OBJECTS_CHART_SOURCE = Path(__file__).resolve().parents[2] / "charts" / "dualstack-gateways"
OBJECTS_CHART_ASSET = "dualstack-gateways"


def is_objects_chart(chart: str) -> bool:
    """A release's `chart` is the local chart's copy in the stack folder (assets/<asset>/<content hash>)."""
    return chart.startswith(f"assets/{OBJECTS_CHART_ASSET}/")


GATEWAY_API_GROUP = "gateway.networking.k8s.io"
ENVOY_GATEWAY_GROUP = "gateway.envoyproxy.io"
ENVOY_PROXY_API_VERSION = f"{ENVOY_GATEWAY_GROUP}/v1alpha1"
GATEWAY_API_VERSION = f"{GATEWAY_API_GROUP}/v1"
# A release's families -> EnvoyProxy spec.ipFamily.
ENVOY_IP_FAMILY = {tuple(family.lower() for family in families): ip_family for ip_family, families in ENVOY_SERVICE_FAMILIES.items()}
# KubernetesPatchSpec.type (api/v1alpha1/shared_types.go:559-583 at v1.9.0), applied by internal/utils/merge.go:18-56.
STRATEGIC_MERGE = "StrategicMerge"
# Pod labels Envoy Gateway puts on each Gateway's Envoy pods (internal/gatewayapi/translator.go).
OWNING_GATEWAY_NAME = "gateway.envoyproxy.io/owning-gateway-name"
OWNING_GATEWAY_NAMESPACE = "gateway.envoyproxy.io/owning-gateway-namespace"
# The plain HTTP listener of every Gateway (port 80): where the health probe arrives.
HTTP_LISTENER = "http"


def controller_values() -> dict[str, Any]:
    """Values of the Envoy Gateway controller release (the same in every region)."""
    return load_values("gateway-helm", GATEWAY_VALUES_DIR)


def envoy_proxy_image() -> str:
    """The Envoy image pinned for the chart's default proxy; each EnvoyProxy repeats it because a
    Gateway's own EnvoyProxy replaces that default whole (EnvoyProxy spec.mergeType unset)."""
    return str(controller_values()["global"]["images"]["envoyProxy"]["image"])


def _labels(release: IngressRelease) -> dict[str, str]:
    return {FAMILIES_LABEL: "-".join(release.families), ROLE_LABEL: release.role}


def _envoy_proxy(release: IngressRelease, name: str, namespace: str, service_annotations: dict[str, str]) -> dict[str, Any]:
    """The data plane of one Gateway: Envoy pods spread over zones and nodes, one LoadBalancer Service."""
    selector = {OWNING_GATEWAY_NAME: name, OWNING_GATEWAY_NAMESPACE: namespace}
    computed = {
        "apiVersion": ENVOY_PROXY_API_VERSION,
        "kind": "EnvoyProxy",
        "metadata": {"name": name, "namespace": namespace, "labels": _labels(release)},
        "spec": {
            "ipFamily": ENVOY_IP_FAMILY[release.families],
            "provider": {
                "kubernetes": {
                    "envoyDeployment": {
                        "replicas": release.replicas,
                        "container": {"image": envoy_proxy_image()},
                        "pod": {
                            "labels": _labels(release),
                            "topologySpreadConstraints": [
                                {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": selector}}
                                for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
                            ],
                        },
                    },
                    "envoyService": {
                        "annotations": service_annotations,
                        # For ipFamily IPv4 Envoy Gateway leaves ipFamilies unset (proxy/resource_provider.go:271-283 at v1.9.0): say it.
                        "patch": {"type": STRATEGIC_MERGE, "value": {"spec": service_families(release)}},
                    },
                }
            },
        },
    }
    return deep_merge(load_values("envoy-proxy", GATEWAY_VALUES_DIR), computed)


def _gateway(release: IngressRelease, name: str, namespace: str) -> dict[str, Any]:
    """HTTP and HTTPS listeners open to routes of every namespace, like an IngressClass; the data
    plane is the Gateway's own EnvoyProxy of the same name. HTTPS serves the certificate in the
    Secret `<gateway>-tls` of the Gateway's namespace, which the team provides."""
    every_namespace = {"namespaces": {"from": "All"}}
    return {
        "apiVersion": GATEWAY_API_VERSION,
        "kind": "Gateway",
        "metadata": {"name": name, "namespace": namespace, "labels": _labels(release)},
        "spec": {
            "gatewayClassName": release.names.ingress_class,
            "infrastructure": {"parametersRef": {"group": ENVOY_GATEWAY_GROUP, "kind": "EnvoyProxy", "name": name}},
            "listeners": [
                {"name": HTTP_LISTENER, "protocol": "HTTP", "port": 80, "allowedRoutes": every_namespace},
                {
                    "name": "https",
                    "protocol": "HTTPS",
                    "port": 443,
                    "allowedRoutes": every_namespace,
                    "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": f"{name}-tls"}]},
                },
            ],
        },
    }


def _health_probe_answer(gateway: str, namespace: str, release: IngressRelease, probe: HealthProbe) -> dict[str, list[dict[str, Any]]]:
    """The public Gateway answers Traffic Manager's probe itself: Envoy Gateway builds virtual hosts only
    from route hostnames (internal/xds/translator/translator.go around 594 at v1.9.0), so without this
    route every probe gets 404, every endpoint is Degraded and Traffic Manager fails open. The answer
    is Envoy Gateway's direct response filter (api/v1alpha1/httproutefilter_types.go at v1.9.0), which
    must live in the route's namespace (internal/gatewayapi/filters.go:827-830)."""
    name = f"{gateway}-health-probe"
    route_filter = {
        "apiVersion": ENVOY_PROXY_API_VERSION,
        "kind": "HTTPRouteFilter",
        "metadata": {"name": name, "namespace": namespace, "labels": _labels(release)},
        "spec": {"directResponse": {"statusCode": HEALTHY_STATUS, "contentType": "text/plain", "body": {"type": "Inline", "inline": "ok"}}},
    }
    route = {
        "apiVersion": GATEWAY_API_VERSION,
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": namespace, "labels": _labels(release)},
        "spec": {
            "parentRefs": [{"group": GATEWAY_API_GROUP, "kind": "Gateway", "namespace": namespace, "name": gateway, "sectionName": HTTP_LISTENER}],
            "hostnames": [probe.host],
            "rules": [
                {
                    "matches": [{"path": {"type": "Exact", "value": probe.path}}],
                    "filters": [{"type": "ExtensionRef", "extensionRef": {"group": ENVOY_GATEWAY_GROUP, "kind": "HTTPRouteFilter", "name": name}}],
                }
            ],
        },
    }
    return {HTTP_ROUTE_FILTERS: [route_filter], HTTP_ROUTES: [route]}


def _client_address(gateway: str, namespace: str, release: IngressRelease, trusted: str) -> dict[str, list[dict[str, Any]]]:
    """Behind the Application Gateway the client's address arrives in X-Forwarded-For: trusted from the gateway's
    subnet only (ClientTrafficPolicy clientIPDetection.xForwardedFor.trustedCIDRs, api/v1alpha1/clienttrafficpolicy_types.go:326-352 at v1.9.0)."""
    policy = {
        "apiVersion": ENVOY_PROXY_API_VERSION,
        "kind": "ClientTrafficPolicy",
        "metadata": {"name": f"{gateway}-client-address", "namespace": namespace, "labels": _labels(release)},
        "spec": {
            "targetRefs": [{"group": GATEWAY_API_GROUP, "kind": "Gateway", "name": gateway}],
            "clientIPDetection": {"xForwardedFor": {"trustedCIDRs": [trusted]}},
        },
    }
    return {CLIENT_TRAFFIC_POLICIES: [policy]}


def gateway_objects(release: IngressRelease, namespace: str, public_ip_addresses: dict[str, str], health_probe: HealthProbe) -> dict[str, list[dict[str, Any]]]:
    """One family's (or the dual-stack) GatewayClass, and a Gateway with its EnvoyProxy per load
    balancer: the public one pinned to the static public IP(s), the internal one to the static
    private address(es), as the ingress-nginx Services are. `public_ip_addresses` (family ->
    address) is needed only by a dual-stack release. Behind the Application Gateway there is no
    public one: the internal Gateway is the entry, and trusts X-Forwarded-For from the gateway's subnet.
    When the proxy answers the health probe, the entry Gateway gets the route that answers it
    (model/health_probe.py)."""
    names = release.names
    pinned = {} if release.gateway_subnet else {names.release: public_pinning(release, public_ip_addresses)}
    if release.internal_subnet:
        pinned[names.internal_gateway] = {
            INTERNAL_ANNOTATION: "true",
            INTERNAL_SUBNET_ANNOTATION: release.internal_subnet,
            **{address_annotation(family): address for family, address in release.internal_ips.items()},
        }
    gateway_class = {
        "apiVersion": GATEWAY_API_VERSION,
        "kind": "GatewayClass",
        "metadata": {"name": names.ingress_class, "labels": _labels(release)},
        "spec": {
            "controllerName": names.controller_value,
            "description": f"Envoy Gateway, {' + '.join(IP_FAMILY[f] for f in release.families)} ({release.role})",
        },
    }
    objects = {
        GATEWAY_CLASSES: [gateway_class],
        ENVOY_PROXIES: [_envoy_proxy(release, name, namespace, annotations) for name, annotations in pinned.items()],
        GATEWAYS: [_gateway(release, name, namespace) for name in pinned],
    }
    entry = names.internal_gateway if release.gateway_subnet else names.release
    if release.gateway_subnet:
        objects.update(_client_address(entry, namespace, release, release.gateway_subnet))
    if health_probe.answered_by_proxy:
        objects.update(_health_probe_answer(entry, namespace, release, health_probe))
    return objects


def echo_route(
    *, name: str, namespace: str, parents: tuple[str, ...], parent_namespace: str, hosts: tuple[str, ...], service: str
) -> dict[str, list[dict[str, Any]]]:
    """The echo app's HTTPRoute on one family's Gateways (public and internal), as local chart values."""
    route = {
        "apiVersion": GATEWAY_API_VERSION,
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/name": service}},
        "spec": {
            "parentRefs": [{"group": GATEWAY_API_GROUP, "kind": "Gateway", "namespace": parent_namespace, "name": parent} for parent in parents],
            "hostnames": list(hosts),
            "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}], "backendRefs": [{"name": service, "port": 80}]}],
        },
    }
    return {HTTP_ROUTES: [route]}
