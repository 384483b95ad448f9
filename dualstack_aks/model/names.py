"""Every Azure and Kubernetes name the app derives, in one place, with Azure's naming rules.

Names follow the Cloud Adoption Framework abbreviations (rg-, vnet-, aks-, kv-, pip-, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dualstack_aks.model.regions import AZURE_REGION_CODES

# resource kind -> (rule, what is allowed); checked on the derived names by validation.
NAME_RULES: dict[str, tuple[re.Pattern, str]] = {
    "resource_group": (re.compile(r"^[-\w.()]{1,89}[-\w()]$"), "1-90 letters, digits, -_.() not ending in a period"),
    "key_vault": (re.compile(r"^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$"), "3-24 letters, digits and single hyphens, starting with a letter"),
    "container_registry": (re.compile(r"^[a-zA-Z0-9]{5,50}$"), "5-50 letters and digits"),
    "dns_prefix": (re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,52}[a-zA-Z0-9]$"), "1-54 letters, digits and hyphens, starting and ending alphanumeric"),
    "kubernetes_cluster": (re.compile(r"^[a-zA-Z0-9][-\w]{0,61}[a-zA-Z0-9]$"), "1-63 letters, digits, - and _"),
    "traffic_manager_dns": (re.compile(r"^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$"), "1-63 lowercase letters, digits and hyphens"),
    # azurerm's KubernetesAgentPoolName (containers/validate/kubernetes.go:34 at v4.55.0), also on temporary_name_for_rotation.
    "node_pool": (re.compile(r"^[a-z][a-z\d]{0,11}$"), "1-12 lowercase letters and digits, starting with a letter"),
    # Names of existing resources the config points at; Azure resource naming rules (azure-resource-manager/management/resource-name-rules).
    "virtual_network": (re.compile(r"^[a-zA-Z0-9][-\w.]{0,62}\w$", re.ASCII), "2-64 letters, digits, -_. starting alphanumeric, ending alphanumeric or _"),
    "subnet": (re.compile(r"^[a-zA-Z0-9]([-\w.]{0,78}\w)?$", re.ASCII), "1-80 letters, digits, -_. starting alphanumeric, ending alphanumeric or _"),
    "user_assigned_identity": (re.compile(r"^[a-zA-Z0-9][-\w]{2,127}$", re.ASCII), "3-128 letters, digits, - and _, starting alphanumeric"),
    # Storage naming rules (naming-and-referencing-containers--blobs--and-metadata): no two dashes in a row.
    "blob_container": (
        re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"),
        "3-63 lowercase letters, digits and single dashes, starting and ending alphanumeric",
    ),
}
# Storage naming rules: a blob name is at most 1,024 characters.
MAX_BLOB_NAME = 1024


@dataclass(frozen=True)
class NodePoolNames:
    """A node pool's name and the temporary pool's name the provider rotates through when a
    change needs new nodes (kubernetes_cluster_node_pool_resource.go:959-999 at v4.55.0)."""

    name: str
    temporary_name_for_rotation: str


SYSTEM_POOL = NodePoolNames("system", "systemtmp")
USER_POOL = NodePoolNames("user", "usertmp")


# Azure's fixed private DNS zone per private-link sub-resource (Azure Private Endpoint DNS configuration).
PRIVATE_LINK_ZONES = {
    "registry": "privatelink.azurecr.io",
    "vault": "privatelink.vaultcore.azure.net",
}


@dataclass(frozen=True)
class GlobalNames:
    resource_group: str
    container_registry: str
    log_analytics: str
    # family -> Traffic Manager profile name, and its label under trafficmanager.net: one profile per family
    traffic_managers: dict[str, str]
    traffic_manager_dns: dict[str, str]

    @classmethod
    def derive(cls, prefix: str) -> GlobalNames:
        families = ("ipv4", "ipv6")
        return cls(
            resource_group=f"rg-{prefix}-global",
            container_registry=f"cr{prefix}global",
            log_analytics=f"log-{prefix}-global",
            traffic_managers={family: f"traf-{prefix}-{family}" for family in families},
            traffic_manager_dns={family: f"{prefix}-dualstack-aks-{family}" for family in families},
        )

    def checked(self) -> dict[str, tuple[str, str]]:
        """field -> (rule kind, name) for validation."""
        return {
            "resource_group": ("resource_group", self.resource_group),
            "container_registry": ("container_registry", self.container_registry),
            **{f"traffic_manager_dns_{family}": ("traffic_manager_dns", name) for family, name in self.traffic_manager_dns.items()},
        }


@dataclass(frozen=True)
class RegionNames:
    region: str
    code: str
    resource_group: str
    edge_resource_group: str
    node_resource_group: str
    virtual_network: str
    nodes_subnet: str
    ingress_subnet: str
    network_security_group: str
    cluster: str
    dns_prefix: str
    cluster_identity: str
    log_analytics: str
    key_vault: str
    ingress_public_ipv4: str
    ingress_public_ipv6: str
    dns_record: str
    # edge.entry application-gateway: the gateway, its subnet and NSG, identity, WAF policy and frontend addresses
    application_gateway: str
    gateway_subnet: str
    gateway_network_security_group: str
    gateway_identity: str
    waf_policy: str
    gateway_public_ipv4: str
    gateway_public_ipv6: str

    @classmethod
    def derive(cls, prefix: str, region: str) -> RegionNames:
        code = AZURE_REGION_CODES[region]
        base = f"{prefix}-{code}"
        return cls(
            region=region,
            code=code,
            resource_group=f"rg-{base}",
            edge_resource_group=f"rg-{base}-edge",
            node_resource_group=f"rg-{base}-nodes",
            virtual_network=f"vnet-{base}",
            nodes_subnet="snet-nodes",
            ingress_subnet="snet-ingress",
            network_security_group=f"nsg-{base}",
            cluster=f"aks-{base}",
            dns_prefix=base,
            cluster_identity=f"id-{base}-aks",
            log_analytics=f"log-{base}",
            key_vault=f"kv-{base}",
            ingress_public_ipv4=f"pip-{base}-ingress-ipv4",
            ingress_public_ipv6=f"pip-{base}-ingress-ipv6",
            dns_record=region,
            application_gateway=f"agw-{base}",
            gateway_subnet="snet-appgw",
            gateway_network_security_group=f"nsg-{base}-appgw",
            gateway_identity=f"id-{base}-agw",
            waf_policy=f"waf-{base}",
            gateway_public_ipv4=f"pip-{base}-agw-ipv4",
            gateway_public_ipv6=f"pip-{base}-agw-ipv6",
        )

    def checked(self) -> dict[str, tuple[str, str]]:
        return {
            "resource_group": ("resource_group", self.resource_group),
            "node_resource_group": ("resource_group", self.node_resource_group),
            "cluster": ("kubernetes_cluster", self.cluster),
            "dns_prefix": ("dns_prefix", self.dns_prefix),
            "key_vault": ("key_vault", self.key_vault),
        }


# The two ingress controllers the config chooses between (`ingress.controller`).
INGRESS_NGINX = "ingress-nginx"
ENVOY_GATEWAY = "envoy-gateway"
# Envoy Gateway's default controllerName (gateway-helm values `config.envoyGateway.gateway.controllerName`).
ENVOY_GATEWAY_CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller"


@dataclass(frozen=True)
class IngressNames:
    """Kubernetes names of one ingress release; distinct per family so two coexist. With Envoy
    Gateway, `release` also names the family's Gateway and EnvoyProxy, `ingress_class` its GatewayClass."""

    release: str
    ingress_class: str
    controller_value: str

    @classmethod
    def derive(cls, family: str, controller: str = INGRESS_NGINX) -> IngressNames:
        if controller == ENVOY_GATEWAY:
            return cls(release=f"gateway-{family}", ingress_class=f"eg-{family}", controller_value=ENVOY_GATEWAY_CONTROLLER_NAME)
        return cls(
            release=f"ingress-nginx-{family}",
            ingress_class=f"nginx-{family}",
            controller_value=f"k8s.io/ingress-nginx-{family}",
        )

    @property
    def internal_gateway(self) -> str:
        """The Envoy Gateway layout's second Gateway of the family, behind the internal load balancer."""
        return f"{self.release}-internal"
