"""Application Gateway layer of one region (`edge.entry: application-gateway`): a WAF_v2 gateway with
a public IPv4 and a public IPv6 frontend, its WAF policy, and the identity it reads its certificate with.

The gateway is the layer-7 NAT64 proxy: its backends are IPv4 only (application-gateway/
ipv6-application-gateway-portal.md, Limitations), so both families reach the ingress's internal IPv4
load balancer. Per frontend: the Traffic Manager probe's listener, forwarded as it came; HTTP for the
served names, redirected to HTTPS; HTTPS with the Key Vault certificate. azurerm expresses the IPv6
frontend at both pinned versions (docs/application-gateway.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from dualstack_aks.constructs.monitoring import send_diagnostics
from dualstack_aks.constructs.roles import grant, wait_for
from dualstack_aks.engine.azurerm import (
    ApplicationGateway,
    ApplicationGatewayAutoscaleConfiguration,
    ApplicationGatewayBackendAddressPool,
    ApplicationGatewayBackendHttpSettings,
    ApplicationGatewayFrontendIpConfiguration,
    ApplicationGatewayFrontendPort,
    ApplicationGatewayGatewayIpConfiguration,
    ApplicationGatewayHttpListener,
    ApplicationGatewayIdentity,
    ApplicationGatewayProbe,
    ApplicationGatewayRedirectConfiguration,
    ApplicationGatewayRequestRoutingRule,
    ApplicationGatewayRewriteRuleSet,
    ApplicationGatewayRewriteRuleSetRewriteRule,
    ApplicationGatewayRewriteRuleSetRewriteRuleRequestHeaderConfiguration,
    ApplicationGatewaySku,
    ApplicationGatewaySslCertificate,
    ApplicationGatewaySslPolicy,
    UserAssignedIdentity,
    WebApplicationFirewallPolicy,
    WebApplicationFirewallPolicyManagedRules,
    WebApplicationFirewallPolicyManagedRulesManagedRuleSet,
    WebApplicationFirewallPolicyPolicySettings,
)
from dualstack_aks.engine.core import ITerraformDependable
from dualstack_aks.model.deployment import ApplicationGatewaySpec
from dualstack_aks.model.health_probe import HealthProbe
from dualstack_aks.model.ingress import FAMILIES

SKU = "WAF_v2"
# Accepted by azurerm at both pinned tags (validate/web_application_firewall_policy.go:60-75 at v4.55.0; DRS 2.2 only from v4.81.0).
MANAGED_RULE_SETS = (("Microsoft_DefaultRuleSet", "2.1"), ("Microsoft_BotManagerRuleSet", "1.1"))
# TLS 1.2 and later with strong ciphers only (application-gateway/application-gateway-ssl-policy-overview.md).
SSL_POLICY = "AppGwSslPolicy20220101S"
BACKEND_POOL = "ingress"
BACKEND_SETTINGS = "ingress-http"
BACKEND_PROBE = "ingress-healthz"
CLIENT_ADDRESS_REWRITE = "client-address"
# Seconds; a probe's timeout may not exceed its interval (applicationGatewayCustomizeDiff, application_gateway_resource.go:5373 at v4.81.0).
PROBE_INTERVAL = 30
PROBE_TIMEOUT = 30


@dataclass(frozen=True)
class ApplicationGatewayProps:
    spec: ApplicationGatewaySpec
    location: str
    resource_group_name: str  # the edge's group, which holds the frontends' public IPs
    subnet_id: str
    public_ip_ids: dict[str, str]  # family -> the frontend's static public IP
    key_vault_id: str
    key_vault_uri: str  # ends with "/"
    key_vault_private_endpoint: ITerraformDependable  # the gateway reads the vault through it
    probe: HealthProbe  # Traffic Manager's request, which the gateway forwards to the ingress and asks it itself
    log_analytics_workspace_id: str
    tags: dict[str, str]


class RegionApplicationGateway(Construct):
    """Exposes `gateway` and `waf_policy`."""

    def __init__(self, scope: Construct, id_: str, props: ApplicationGatewayProps):
        super().__init__(scope, id_)
        spec = props.spec
        # Application Gateway reads Key Vault only through a user-assigned identity (application-gateway/key-vault-certs.md).
        identity = UserAssignedIdentity(
            self, "identity", name=spec.identity_name, location=props.location, resource_group_name=props.resource_group_name, tags=props.tags
        )
        # The certificate is read as a secret: Key Vault Secrets User, not a certificates role (key-vault-certs.md).
        secrets_grant = grant(self, "identity_key_vault_secrets_user", role="Key Vault Secrets User", on=props.key_vault_id, to=identity.principal_id)
        # A gateway created before the grant works would disable its HTTPS listeners (application-gateway/disabled-listeners.md).
        secrets_readable = wait_for(self, "key_vault_access_propagation", [secrets_grant])
        self.waf_policy = WebApplicationFirewallPolicy(
            self,
            "waf_policy",
            name=spec.waf_policy_name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            policy_settings=WebApplicationFirewallPolicyPolicySettings(enabled=True, mode="Prevention", request_body_check=True),
            managed_rules=WebApplicationFirewallPolicyManagedRules(
                managed_rule_set=[WebApplicationFirewallPolicyManagedRulesManagedRuleSet(type=kind, version=version) for kind, version in MANAGED_RULE_SETS]
            ),
            tags=props.tags,
        )
        probe = props.probe
        ports = {"http": 80, "https": 443, "probe": probe.port}
        self.gateway = ApplicationGateway(
            self,
            "application_gateway",
            name=spec.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            sku=ApplicationGatewaySku(name=SKU, tier=SKU),
            autoscale_configuration=ApplicationGatewayAutoscaleConfiguration(min_capacity=spec.min_capacity, max_capacity=spec.max_capacity),
            zones=list(spec.zones),
            identity=ApplicationGatewayIdentity(type="UserAssigned", identity_ids=[identity.id]),
            firewall_policy_id=self.waf_policy.id,
            force_firewall_policy_association=True,
            enable_http2=True,
            ssl_policy=ApplicationGatewaySslPolicy(policy_type="Predefined", policy_name=SSL_POLICY),
            gateway_ip_configuration=[ApplicationGatewayGatewayIpConfiguration(name="gateway", subnet_id=props.subnet_id)],
            frontend_ip_configuration=[
                ApplicationGatewayFrontendIpConfiguration(name=f"public-{family}", public_ip_address_id=props.public_ip_ids[family]) for family in FAMILIES
            ],
            frontend_port=[ApplicationGatewayFrontendPort(name=f"port-{port}", port=port) for port in sorted(set(ports.values()))],
            ssl_certificate=[
                # Versionless: the gateway picks up a renewed certificate within four hours (key-vault-certs.md).
                ApplicationGatewaySslCertificate(name=spec.certificate_name, key_vault_secret_id=f"{props.key_vault_uri}secrets/{spec.certificate_name}")
            ],
            backend_address_pool=[ApplicationGatewayBackendAddressPool(name=BACKEND_POOL, ip_addresses=[spec.backend_address])],
            # The request's own Host goes to the ingress, which routes on it.
            backend_http_settings=[
                ApplicationGatewayBackendHttpSettings(
                    name=BACKEND_SETTINGS,
                    port=80,
                    protocol="Http",
                    cookie_based_affinity="Disabled",
                    request_timeout=60,
                    probe_name=BACKEND_PROBE,
                    pick_host_name_from_backend_address=False,
                )
            ],
            probe=[
                ApplicationGatewayProbe(
                    name=BACKEND_PROBE,
                    protocol=probe.protocol.capitalize(),
                    host=probe.host,
                    path=probe.path,
                    port=probe.port,
                    interval=PROBE_INTERVAL,
                    timeout=PROBE_TIMEOUT,
                    unhealthy_threshold=3,
                    pick_host_name_from_backend_http_settings=False,
                )
            ],
            http_listener=[listener for family in FAMILIES for listener in self._listeners(family, spec, probe, ports)],
            redirect_configuration=[
                ApplicationGatewayRedirectConfiguration(
                    name=f"http-to-https-{family}",
                    redirect_type="Permanent",
                    target_listener_name=f"https-{family}",
                    include_path=True,
                    include_query_string=True,
                )
                for family in FAMILIES
            ],
            rewrite_rule_set=[
                # The gateway writes X-Forwarded-For as address:port, which nginx's real_ip cannot parse; this is the address alone
                # (application-gateway/rewrite-http-headers-url.md, "Remove port information from the X-Forwarded-For header").
                ApplicationGatewayRewriteRuleSet(
                    name=CLIENT_ADDRESS_REWRITE,
                    rewrite_rule=[
                        ApplicationGatewayRewriteRuleSetRewriteRule(
                            name="x-forwarded-for-without-port",
                            rule_sequence=100,
                            request_header_configuration=[
                                ApplicationGatewayRewriteRuleSetRewriteRuleRequestHeaderConfiguration(
                                    header_name="X-Forwarded-For", header_value="{var_add_x_forwarded_for_proxy}"
                                )
                            ],
                        )
                    ],
                )
            ],
            request_routing_rule=[rule for position, family in enumerate(FAMILIES) for rule in self._routing_rules(family, position)],
            tags=props.tags,
            depends_on=[secrets_readable, props.key_vault_private_endpoint],
        )
        send_diagnostics(self, "application_gateway_diagnostics", self.gateway.id, props.log_analytics_workspace_id, log_category_groups=("allLogs",))

    @staticmethod
    def _listeners(family: str, spec: ApplicationGatewaySpec, probe: HealthProbe, ports: dict[str, int]) -> list[ApplicationGatewayHttpListener]:
        """One frontend's listeners: Traffic Manager's probe, and HTTP and HTTPS for the served names."""
        frontend = f"public-{family}"
        return [
            ApplicationGatewayHttpListener(
                name=f"probe-{family}",
                frontend_ip_configuration_name=frontend,
                frontend_port_name=f"port-{ports['probe']}",
                protocol="Http",
                host_names=[probe.host],
            ),
            ApplicationGatewayHttpListener(
                name=f"http-{family}",
                frontend_ip_configuration_name=frontend,
                frontend_port_name=f"port-{ports['http']}",
                protocol="Http",
                host_names=list(spec.host_names),
            ),
            ApplicationGatewayHttpListener(
                name=f"https-{family}",
                frontend_ip_configuration_name=frontend,
                frontend_port_name=f"port-{ports['https']}",
                protocol="Https",
                host_names=list(spec.host_names),
                require_sni=True,
                ssl_certificate_name=spec.certificate_name,
            ),
        ]

    @staticmethod
    def _routing_rules(family: str, position: int) -> list[ApplicationGatewayRequestRoutingRule]:
        """The probe's rule first: its listener names one host, and rules are matched in priority order."""
        return [
            _forwarding_rule(f"probe-{family}", priority=10 + position),
            _forwarding_rule(f"https-{family}", priority=20 + position),
            ApplicationGatewayRequestRoutingRule(
                name=f"http-{family}",
                rule_type="Basic",
                http_listener_name=f"http-{family}",
                priority=30 + position,
                redirect_configuration_name=f"http-to-https-{family}",
            ),
        ]


def _forwarding_rule(listener: str, priority: int) -> ApplicationGatewayRequestRoutingRule:
    """A listener's rule that forwards to the ingress, the client address rewritten."""
    return ApplicationGatewayRequestRoutingRule(
        name=listener,
        rule_type="Basic",
        http_listener_name=listener,
        priority=priority,
        backend_address_pool_name=BACKEND_POOL,
        backend_http_settings_name=BACKEND_SETTINGS,
        rewrite_rule_set_name=CLIENT_ADDRESS_REWRITE,
    )
