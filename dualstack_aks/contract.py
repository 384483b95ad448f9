"""What the synthesized output and its readers agree on: the Service annotations and pod labels
the ingress releases carry, their roles, and how Helm merges values. The model writes these and
output/reader.py reads them back; neither reaches into the other."""

from __future__ import annotations

from typing import Any

import yaml

# The Helm values the model writes and the reader parses: libyaml's C parser (in the pinned PyYAML wheel) reads them as the pure-Python one does, faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# cloud-provider-azure's Service annotations (kubernetes-sigs/cloud-provider-azure, docs topics/loadbalancer.md).
AZURE_ANNOTATION = "service.beta.kubernetes.io/azure-"
RESOURCE_GROUP_ANNOTATION = f"{AZURE_ANNOTATION}load-balancer-resource-group"
PIP_NAME_ANNOTATION = f"{AZURE_ANNOTATION}pip-name"
PIP_NAME_IPV6_ANNOTATION = f"{AZURE_ANNOTATION}pip-name-ipv6"
INTERNAL_ANNOTATION = f"{AZURE_ANNOTATION}load-balancer-internal"
INTERNAL_SUBNET_ANNOTATION = f"{AZURE_ANNOTATION}load-balancer-internal-subnet"


def address_annotation(family: str) -> str:
    """The annotation pinning a Service's frontend of one family ("ipv4" or "ipv6") to an address."""
    return f"{AZURE_ANNOTATION}load-balancer-{family}"


# Pod labels every ingress controller carries, so the output says which family it serves and how.
FAMILIES_LABEL = "dualstack-aks/families"
ROLE_LABEL = "dualstack-aks/role"
# The label an Ingress carries with its IngressClass name: the one ingress-nginx admission webhook it reaches selects it.
INGRESS_CLASS_LABEL = "dualstack-aks/ingress-class"
NATIVE = "native"
NAT64_PROXY = "nat64-proxy"
NAT46_PROXY = "nat46-proxy"
DUAL_STACK = "dual-stack"
# A translating role -> the backends' family it implies.
TRANSLATING_ROLES = {NAT64_PROXY: "IPv4", NAT46_PROXY: "IPv6"}

# The retired controller's chart (final release 4.15.1): the summary says so wherever a release uses it.
INGRESS_NGINX_CHART = "ingress-nginx"

# Values of the local chart charts/dualstack-gateways: lists of Kubernetes objects it renders whole.
GATEWAY_CLASSES = "gatewayClasses"
ENVOY_PROXIES = "envoyProxies"
GATEWAYS = "gateways"
HTTP_ROUTES = "httpRoutes"
HTTP_ROUTE_FILTERS = "httpRouteFilters"
CLIENT_TRAFFIC_POLICIES = "clientTrafficPolicies"
# EnvoyProxy spec.ipFamily -> the families of its Service (envoyproxy/gateway v1.9.0, proxy/resource_provider.go).
ENVOY_SERVICE_FAMILIES = {"IPv4": ("IPv4",), "IPv6": ("IPv6",), "DualStack": ("IPv4", "IPv6")}


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's rule for values files: maps merge key by key; anything else in `override` replaces what `base` has."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
