"""`edge.entry: application-gateway`: per region a WAF_v2 gateway with one public frontend per family
in front of internal-only ingress Services, and the switch changing only what it must."""

from __future__ import annotations

import json
import re
from ipaddress import IPv4Network
from xml.etree import ElementTree

import pytest

from dualstack_aks.model.config import Config
from dualstack_aks.model.deployment import resolve
from dualstack_aks.model.health_probe import PROXY_PROBE_HOST
from dualstack_aks.model.validation import check_config
from dualstack_aks.output.diagram import render, to_dot
from dualstack_aks.output.reader import read_topology
from dualstack_aks.output.summary import format_summary
from tests.conftest import DEFAULT_CONFIG, EXAMPLES, addresses_by_region, config_with, helm_values, mutate, only, resources
from tests.test_diagram import _edges, _strokes, _texts
from tests.test_topologies import _config, _flatten

EXAMPLE = EXAMPLES / "application-gateway.yaml"
_REFERENCE = re.compile(r"^\$\{([a-z_]+)\.([A-Za-z0-9_]+)\.([a-z_]+)\}$")


@pytest.fixture(scope="module")
def example(synthesize):
    config = _config(EXAMPLE)
    return config, synthesize(config)[1]


def _regions(stacks: dict) -> dict[str, dict]:
    return {name.removeprefix("region-"): stack for name, stack in stacks.items() if name.startswith("region-")}


def _referenced(stack: dict, expression: str) -> tuple[dict, str]:
    """The resource body an interpolation `${type.name.attribute}` points at, and the attribute."""
    kind, name, attribute = _REFERENCE.match(expression).groups()
    return stack["resource"][kind][name], attribute


def test_each_region_has_a_waf_v2_gateway_with_one_public_frontend_per_family(example):
    for stack in _regions(example[1]).values():
        gateway = only(stack, "azurerm_application_gateway")
        assert gateway["sku"] == {"name": "WAF_v2", "tier": "WAF_v2"}
        assert gateway["zones"] == ["1", "2", "3"]
        assert gateway["autoscale_configuration"] == {"min_capacity": 2, "max_capacity": 10}
        frontends = {frontend["name"]: _referenced(stack, frontend["public_ip_address_id"]) for frontend in gateway["frontend_ip_configuration"]}
        assert sorted(frontends) == ["public-ipv4", "public-ipv6"]
        for family, (public_ip, attribute) in ((name.removeprefix("public-"), value) for name, value in frontends.items()):
            assert attribute == "id"
            assert (public_ip["ip_version"], public_ip["sku"], public_ip["allocation_method"]) == (family.replace("ip", "IP"), "Standard", "Static")
            assert public_ip["zones"] == gateway["zones"]


def test_waf_policy_is_in_prevention_mode_with_the_default_and_bot_manager_rule_sets(example):
    for stack in _regions(example[1]).values():
        gateway, policy = only(stack, "azurerm_application_gateway"), only(stack, "azurerm_web_application_firewall_policy")
        assert _referenced(stack, gateway["firewall_policy_id"])[0] is policy
        assert policy["policy_settings"] == {"enabled": True, "mode": "Prevention", "request_body_check": True}
        rule_sets = policy["managed_rules"]["managed_rule_set"]
        assert [(rule_set["type"], rule_set["version"]) for rule_set in rule_sets] == [
            ("Microsoft_DefaultRuleSet", "2.1"),
            ("Microsoft_BotManagerRuleSet", "1.1"),
        ]
        # .checkov.yaml skips CKV_AZURE_135 because nothing here disables DRS rules (944240 blocks Log4j lookups).
        assert not any("rule_group_override" in rule_set for rule_set in rule_sets)


def test_gateway_subnet_is_dual_stack_with_the_v2_nsg_rules(example):
    config, stacks = example
    plans = addresses_by_region(config)
    for region, stack in _regions(stacks).items():
        gateway = only(stack, "azurerm_application_gateway")
        subnet, _ = _referenced(stack, gateway["gateway_ip_configuration"][0]["subnet_id"])
        plan = plans[region].gateway_subnet
        assert subnet["address_prefixes"] == [str(plan.ipv4), str(plan.ipv6)]
        assert (plan.ipv4.prefixlen, plan.ipv6.prefixlen) == (24, 64)
        subnet_id = gateway["gateway_ip_configuration"][0]["subnet_id"]
        (association,) = [item for item in resources(stack, "azurerm_subnet_network_security_group_association") if item["subnet_id"] == subnet_id]
        security_group, _ = _referenced(stack, association["network_security_group_id"])
        assert security_group["name"].endswith("-appgw")
        rules = {
            rule["name"]: rule
            for rule in resources(stack, "azurerm_network_security_rule")
            if rule["network_security_group_name"].startswith("${azurerm_network_security_group.network_gateway_")
        }
        manager = rules["allow-gateway-manager"]
        assert (manager["access"], manager["protocol"], manager["source_address_prefix"], manager["destination_port_ranges"]) == (
            "Allow",
            "Tcp",
            "GatewayManager",
            ["65200-65535"],
        )
        assert (rules["allow-azure-load-balancer"]["access"], rules["allow-azure-load-balancer"]["source_address_prefix"]) == ("Allow", "AzureLoadBalancer")
        assert {rules[name]["source_address_prefix"] for name in ("allow-http-https-ipv4", "allow-http-https-ipv6")} == {"0.0.0.0/0", "::/0"}
        assert all(rule["priority"] < rules["deny-internet-other"]["priority"] for name, rule in rules.items() if rule["access"] == "Allow")


def test_ingress_has_internal_services_only_and_trusts_forwarded_for_from_the_gateway_subnet(example):
    config, stacks = example
    plans = addresses_by_region(config)
    for region in _regions(stacks):
        releases = {name: values for name, values in helm_values(stacks[f"ingress-{region}"]).items() if name.startswith("ingress-nginx")}
        assert sorted(releases) == ["ingress-nginx-ipv4", "ingress-nginx-ipv6"]
        for values in releases.values():
            service = values["controller"]["service"]
            assert service["external"] == {"enabled": False}
            assert "annotations" not in service  # no public IP pinned
            assert service["internal"]["enabled"] is True and service["internal"]["externalTrafficPolicy"] == "Local"
            assert values["controller"]["config"]["use-forwarded-headers"] == "true"
            assert values["controller"]["config"]["proxy-real-ip-cidr"] == str(plans[region].gateway_subnet.ipv4)


def test_the_gateway_forwards_to_the_ingress_internal_ipv4_address(example):
    config, stacks = example
    deployed = {region.name: region for region in resolve(config).regions}
    for region, stack in _regions(stacks).items():
        gateway = only(stack, "azurerm_application_gateway")
        internal_ipv4 = deployed[region].internal_addresses["ipv4"]
        assert gateway["backend_address_pool"] == [{"name": "ingress", "ip_addresses": [internal_ipv4]}]
        assert IPv4Network(f"{internal_ipv4}/32").subnet_of(addresses_by_region(config)[region].ingress_subnet.ipv4)


def test_traffic_manager_endpoints_of_each_family_target_the_gateway_frontend_of_that_family(example):
    for stack in _regions(example[1]).values():
        gateway = only(stack, "azurerm_application_gateway")
        frontend_ips = {f["name"].removeprefix("public-"): f["public_ip_address_id"].removesuffix(".id}") for f in gateway["frontend_ip_configuration"]}
        endpoints = resources(stack, "azurerm_traffic_manager_external_endpoint")
        assert len(endpoints) == 2
        for endpoint in endpoints:
            family = "ipv4" if "traffic_manager_ipv4" in endpoint["profile_id"] else "ipv6"
            assert endpoint["target"] == f"{frontend_ips[family]}.ip_address}}"


def test_http_listeners_redirect_to_https_or_answer_only_the_traffic_manager_probe(example):
    """The reason CKV_AZURE_217 is skipped: no HTTP listener serves the application."""
    for stack in _regions(example[1]).values():
        gateway = only(stack, "azurerm_application_gateway")
        listeners = {listener["name"]: listener for listener in gateway["http_listener"]}
        redirects = {redirect["name"]: redirect for redirect in gateway["redirect_configuration"]}
        rules = {rule["http_listener_name"]: rule for rule in gateway["request_routing_rule"]}
        assert set(rules) == set(listeners)
        for name, listener in listeners.items():
            if listener["protocol"] == "Https":
                assert listener["ssl_certificate_name"] and listener["require_sni"] is True
                continue
            rule = rules[name]
            if "redirect_configuration_name" in rule:
                target = listeners[redirects[rule["redirect_configuration_name"]]["target_listener_name"]]
                assert (target["protocol"], target["host_names"], target["frontend_ip_configuration_name"]) == (
                    "Https",
                    listener["host_names"],
                    listener["frontend_ip_configuration_name"],
                )
            else:
                assert listener["host_names"] == [PROXY_PROBE_HOST]
                # Matched before the frontend's other rules (rules are evaluated in priority order).
                frontend = listener["frontend_ip_configuration_name"]
                others = [r["priority"] for n, r in rules.items() if n != name and listeners[n]["frontend_ip_configuration_name"] == frontend]
                assert rule["priority"] < min(others)


def test_probe_keeps_the_provider_rules_and_the_traffic_manager_contract(example):
    """azurerm v4.81.0 applicationGatewayCustomizeDiff (application_gateway_resource.go:5373): a probe sets exactly
    one of host and pick_host_name_from_backend_http_settings, an HTTP probe has a path, timeout <= interval;
    v2 needs capacity or autoscale_configuration (also v4.55.0 :4764)."""
    _, stacks = example
    monitor = resources(stacks["global"], "azurerm_traffic_manager_profile")[0]["monitor_config"]
    for stack in _regions(stacks).values():
        gateway = only(stack, "azurerm_application_gateway")
        assert "capacity" in gateway["sku"] or "autoscale_configuration" in gateway
        for probe in gateway["probe"]:
            assert bool(probe.get("host")) != bool(probe.get("pick_host_name_from_backend_http_settings"))
            assert probe["protocol"] != "Http" or probe.get("path")
            assert probe["timeout"] <= probe["interval"]
            # The gateway asks the ingress what Traffic Manager asks the gateway.
            assert (probe["protocol"].upper(), probe["port"], probe["path"], probe["host"]) == (
                monitor["protocol"],
                monitor["port"],
                monitor["path"],
                monitor["custom_header"][0]["value"],
            )
        probe_listeners = [listener for listener in gateway["http_listener"] if listener["host_names"] == [PROXY_PROBE_HOST]]
        ports = {port["name"]: port["port"] for port in gateway["frontend_port"]}
        assert len(probe_listeners) == 2 and {ports[listener["frontend_port_name"]] for listener in probe_listeners} == {monitor["port"]}


def test_certificate_comes_from_the_region_key_vault_through_a_user_assigned_identity_granted_first(example):
    for stack in _regions(example[1]).values():
        gateway = only(stack, "azurerm_application_gateway")
        identity_id = gateway["identity"]["identity_ids"][0]
        assert gateway["identity"]["type"] == "UserAssigned"
        (certificate,) = gateway["ssl_certificate"]
        assert set(certificate) == {"name", "key_vault_secret_id"}  # no data, no password in the output
        vault = only(stack, "azurerm_key_vault")
        vault_name = next(name for name, body in stack["resource"]["azurerm_key_vault"].items() if body is vault)
        # Versionless, so a renewed certificate is picked up.
        assert certificate["key_vault_secret_id"] == f"${{azurerm_key_vault.{vault_name}.vault_uri}}secrets/{certificate['name']}"
        grant = next(g for g in resources(stack, "azurerm_role_assignment") if g["role_definition_name"] == "Key Vault Secrets User")
        assert grant["scope"] == f"${{azurerm_key_vault.{vault_name}.id}}"
        assert grant["principal_id"] == identity_id.replace(".id}", ".principal_id}")
        wait, endpoint = gateway["depends_on"]
        kind, name = wait.split(".")
        assert kind == "time_sleep" and stack["resource"]["time_sleep"][name]["depends_on"] == [f"azurerm_role_assignment.{_name_of(stack, grant)}"]
        # The vault is private: the gateway also waits for its private endpoint in the VNet.
        kind, name = endpoint.split(".")
        target = stack["resource"][kind][name]["private_service_connection"]["private_connection_resource_id"]
        assert kind == "azurerm_private_endpoint" and target == f"${{azurerm_key_vault.{vault_name}.id}}"


def _name_of(stack: dict, body: dict) -> str:
    return next(name for name, item in stack["resource"]["azurerm_role_assignment"].items() if item is body)


def test_switching_the_entry_changes_only_the_edge_network_and_ingress_resources_it_must(synthesize):
    """On: the gateway, its WAF policy, identity, Key Vault grant and wait, logs, subnet and NSG are added; the
    ingress load balancers' public IPs and the cluster identity's right on them give way to the gateway's
    frontends, which the public records and Traffic Manager endpoints now target; the ingress releases lose
    their public Services. Everything else, the global stack included, is byte-identical."""
    load_balancer = _flatten(synthesize(_config(DEFAULT_CONFIG))[1])
    gateway = _flatten(synthesize(_config(DEFAULT_CONFIG, edge__entry="application-gateway"))[1])
    changed = sorted(
        {
            (stack.split("-")[0], kind)
            for stack, block, kind, _ in set(load_balancer) & set(gateway)
            if load_balancer[(stack, block, kind, _)] != gateway[(stack, block, kind, _)]
        }
    )
    added = sorted({(stack.split("-")[0], kind) for stack, _, kind, _ in set(gateway) - set(load_balancer)})
    removed = sorted({(stack.split("-")[0], kind) for stack, _, kind, _ in set(load_balancer) - set(gateway)})
    assert changed == [
        ("ingress", "helm_release"),
        ("region", "azurerm_dns_a_record"),
        ("region", "azurerm_dns_aaaa_record"),
        ("region", "azurerm_traffic_manager_external_endpoint"),
        ("region", "time_sleep"),  # the ingress's wait no longer counts the load balancer grant
    ]
    assert added == [
        ("region", "azurerm_application_gateway"),
        ("region", "azurerm_monitor_diagnostic_setting"),
        ("region", "azurerm_network_security_group"),
        ("region", "azurerm_network_security_rule"),
        ("region", "azurerm_public_ip"),
        ("region", "azurerm_role_assignment"),
        ("region", "azurerm_subnet"),
        ("region", "azurerm_subnet_network_security_group_association"),
        ("region", "azurerm_user_assigned_identity"),
        ("region", "azurerm_web_application_firewall_policy"),
        ("region", "time_sleep"),
    ]
    assert removed == [("region", "azurerm_public_ip"), ("region", "azurerm_role_assignment")]
    helm = [key for key in set(load_balancer) & set(gateway) if key[2] == "helm_release" and load_balancer[key] != gateway[key]]
    assert sorted(json.loads(gateway[key])["name"] for key in helm) == sorted(["ingress-nginx-ipv4", "ingress-nginx-ipv6"] * 2)


def test_gateway_subnet_has_a_fixed_slot_and_moves_nothing(default_config):
    before = addresses_by_region(default_config)
    after = addresses_by_region(config_with(default_config, edge={"entry": "application-gateway"}))
    for region, plan in after.items():
        assert before[region].gateway_subnet is None
        assert {field: pair for field, pair in plan.named_ranges().items() if field != "network.gateway_subnet"} == before[region].named_ranges()
        assert plan.gateway_subnet.ipv4 == list(plan.vnet.ipv4.subnets(new_prefix=24))[5]
        assert plan.gateway_subnet.ipv6 == list(plan.vnet.ipv6.subnets(new_prefix=64))[2]


def _problems(config: Config, **changes: object) -> list[tuple[str, str]]:
    return check_config(Config.model_validate(mutate(config.model_dump(mode="json"), changes)))


@pytest.mark.parametrize(
    "changes, path, message",
    [
        ({"ingress.internal_load_balancers": False}, "ingress.internal_load_balancers", "the gateway's backend is the ingress's internal IPv4 load balancer"),
        ({"primary_family": "ipv6", "ingress.translating_ingress": False}, "ingress.translating_ingress", "the gateway's backend is the IPv4 ingress"),
        ({"edge.application_gateway.min_capacity": 12}, "edge.application_gateway.min_capacity", "12 is above max_capacity 10"),
        (
            {"regions[0].network.gateway_subnet": {"ipv4": "10.0.5.0/29", "ipv6": "fd5a:1c00:d000:2::/64"}},
            "regions[0].network.gateway_subnet.ipv4",
            "has 3 usable addresses, but the gateway can scale to 10 instances",
        ),
        (
            {"regions[0].network.gateway_subnet": {"ipv4": "10.0.4.0/24", "ipv6": "fd5a:1c00:d000:2::/64"}},
            "regions[0].network.gateway_subnet.ipv4",
            "10.0.4.0/24 overlaps network.ingress_subnet 10.0.4.0/24",
        ),
        (
            {"regions[0].network.gateway_subnet": {"ipv4": "10.0.5.0/24", "ipv6": "fd5a:1c00:d000:2::/65"}},
            "regions[0].network.gateway_subnet.ipv6",
            "must be a /64",
        ),
    ],
    ids=["no-internal-load-balancers", "no-ipv4-ingress", "min-above-max", "subnet-too-small", "subnet-overlaps", "ipv6-not-64"],
)
def test_application_gateway_layout_rules(changes, path, message):
    problems = _problems(_config(EXAMPLE), **changes)
    assert any(found_path == path and message in found_message for found_path, found_message in problems), problems


def test_brownfield_and_a_stray_gateway_subnet_are_refused():
    existing = _problems(_config(EXAMPLES / "existing-cluster.yaml"), **{"edge.entry": "application-gateway"})
    assert ("regions[0].existing_network", "not supported with edge.entry application-gateway") in [(path, message.split(":")[0]) for path, message in existing]
    stray = _problems(_config(DEFAULT_CONFIG), **{"regions[0].network.gateway_subnet": {"ipv4": "10.0.5.0/24", "ipv6": "fd5a:1c00:d000:2::/64"}})
    assert ("regions[0].network.gateway_subnet", "applies to edge.entry application-gateway only") in stray


def test_summary_names_the_gateway_in_front_of_each_regions_addresses(synthesize):
    config = _config(EXAMPLE)
    outdir, _ = synthesize(config)
    summary = format_summary(outdir)
    for region in resolve(config).regions:
        gateway = region.application_gateway
        assert f"{gateway.name} WAF_v2 (Prevention) -> {gateway.backend_address}: IPv4 native, IPv6 NAT64 -> IPv4" in summary
        for family in ("ipv4", "ipv6"):
            assert f"{region.public_ip_names[family]} -> {gateway.name}" in summary
    assert "ingress-nginx-ipv4 (internal): IPv4 native" in summary


def test_diagram_draws_each_frontend_into_the_gateway_and_its_nat64_to_the_internal_ingress(example):
    config, stacks = example
    svg = ElementTree.fromstring(render(to_dot(read_topology(stacks)), "svg"))
    edges = [(title.split("->"), edge) for title, edge in _edges(svg)]
    for region in resolve(config).regions:
        gateway = f"{region.name}/agw/{region.application_gateway.name}"
        into = {tail.split("/pip/")[1].strip('"'): _strokes(edge) for (tail, head), edge in edges if gateway in head}
        assert into == {region.public_ip_names["ipv4"]: ["black"], region.public_ip_names["ipv6"]: ["darkorange"]}
        out = [(head, _strokes(edge), _texts(edge)) for (tail, head), edge in edges if gateway in tail]
        assert sorted((strokes, "NAT64" in texts) for head, strokes, texts in out) == [(["black"], False), (["darkorange", "black"], True)]
        assert all(head.strip('"').endswith("/release/ingress-nginx-ipv4") for head, _, _ in out)


def test_in_the_mirror_layout_the_gateway_forwards_to_the_nat46_ingress():
    """primary_family ipv6: the gateway's IPv4-only backend is the IPv4 ingress, which proxies on to the IPv6 backends."""
    for region in resolve(_config(EXAMPLE, primary_family="ipv6")).regions:
        (ipv4_release,) = [release for release in region.releases if release.families == ("ipv4",)]
        assert ipv4_release.role == "nat46-proxy" and ipv4_release.gateway_subnet == str(region.application_gateway.subnet.ipv4)
        assert region.application_gateway.backend_address == ipv4_release.internal_ips["ipv4"]
        assert region.public_families == ("ipv4", "ipv6")


def test_envoy_gateway_behind_the_gateway_has_internal_gateways_only_and_trusts_its_subnet(synthesize):
    """Envoy Gateway as the backend: no public Gateway, and the internal one takes the client's address from
    X-Forwarded-For only when the connection comes from the gateway's subnet."""
    config = config_with(_config(EXAMPLE), **{"ingress.controller": "envoy-gateway"})
    assert check_config(config) == []
    stacks = synthesize(config)[1]
    for region, plan in addresses_by_region(config).items():
        objects = [obj for values in helm_values(stacks[f"ingress-{region}"]).values() for items in values.values() if isinstance(items, list) for obj in items]
        proxies = [obj for obj in objects if obj["kind"] == "EnvoyProxy"]
        assert proxies and all(
            proxy["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"]["service.beta.kubernetes.io/azure-load-balancer-internal"] == "true"
            for proxy in proxies
        )
        gateways = {obj["metadata"]["name"] for obj in objects if obj["kind"] == "Gateway"}
        assert gateways == {"gateway-ipv4-internal", "gateway-ipv6-internal"}
        policies = [obj for obj in objects if obj["kind"] == "ClientTrafficPolicy"]
        assert {policy["spec"]["targetRefs"][0]["name"] for policy in policies} == gateways
        assert {cidr for policy in policies for cidr in policy["spec"]["clientIPDetection"]["xForwardedFor"]["trustedCIDRs"]} == {str(plan.gateway_subnet.ipv4)}
        probe_routes = [obj for obj in objects if obj["kind"] == "HTTPRoute" and obj["metadata"]["name"].endswith("health-probe")]
        assert {ref["name"] for route in probe_routes for ref in route["spec"]["parentRefs"]} == gateways
