"""Each layer construct built alone in a bare test stack, from its typed props: what it creates
does not depend on the stacks around it."""

from __future__ import annotations

import json

import pytest

from dualstack_aks.model.deployment import resolve
from tests.conftest import config_with, resources


def _synth(build) -> dict:
    """Synthesize one construct, made by `build(stack)`, in a stack of its own."""
    from dualstack_aks.engine.core import TerraformStack, Testing
    from dualstack_aks.stacks.providers import add_azurerm_provider

    stack = TerraformStack(Testing.app(), "test")
    add_azurerm_provider(stack, None)
    build(stack)
    return json.loads(Testing.synth(stack))


@pytest.fixture(scope="module")
def region(default_config):
    return resolve(default_config).regions[0]


def _edge_props(region, families, private_addresses):
    from dualstack_aks.constructs.edge import EdgeProps

    names = region.names
    return EdgeProps(
        location=region.name,
        resource_group_name=names.edge_resource_group,
        record_name=names.dns_record,
        public_ip_names={"ipv4": names.ingress_public_ipv4, "ipv6": names.ingress_public_ipv6},
        traffic_manager_endpoint_name=region.name,
        private_zone_link_name="link-test",
        families=families,
        private_addresses=private_addresses,
        zones=("1", "2", "3"),
        cluster_identity_principal_id="00000000-0000-0000-0000-000000000001",
        virtual_network_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
        zone_name="dualstack.example.com",
        private_zone_name="internal.dualstack.example.com",
        dns_resource_group_name="rg-dns",
        traffic_manager_ids={
            family: f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/trafficManagerProfiles/t-{family}" for family in families
        },
        ttl=300,
        tags={"t": "v"},
    )


@pytest.mark.parametrize("families", [("ipv4", "ipv6"), ("ipv4",), ("ipv6",)])
def test_edge_creates_an_entry_for_exactly_its_families(region, families):
    from dualstack_aks.constructs.edge import Edge

    stack = _synth(lambda scope: Edge(scope, "edge", _edge_props(region, families, {})))
    versions = sorted(ip["ip_version"] for ip in resources(stack, "azurerm_public_ip"))
    assert versions == sorted({"ipv4": "IPv4", "ipv6": "IPv6"}[family] for family in families)
    assert len(resources(stack, "azurerm_dns_a_record")) == ("ipv4" in families)
    assert len(resources(stack, "azurerm_dns_aaaa_record")) == ("ipv6" in families)
    # Without internal load balancers the private names lead to the public addresses.
    for kind in ("azurerm_private_dns_a_record", "azurerm_private_dns_aaaa_record"):
        for record in resources(stack, kind):
            assert record["records"][0].startswith("${azurerm_public_ip.")


def test_edge_private_records_use_the_internal_addresses(region):
    from dualstack_aks.constructs.edge import Edge

    stack = _synth(lambda scope: Edge(scope, "edge", _edge_props(region, ("ipv4", "ipv6"), region.internal_addresses)))
    (a_record,) = resources(stack, "azurerm_private_dns_a_record")
    (aaaa_record,) = resources(stack, "azurerm_private_dns_aaaa_record")
    assert (a_record["records"], aaaa_record["records"]) == ([region.internal_addresses["ipv4"]], [region.internal_addresses["ipv6"]])


def test_network_guards_every_subnet_and_opens_only_http_https(region):
    from dualstack_aks.constructs.network import Network, NetworkProps

    names = region.names
    props = NetworkProps(
        location=region.name,
        resource_group_name="rg",
        virtual_network_name=names.virtual_network,
        network_security_group_name=names.network_security_group,
        nodes_subnet_name=names.nodes_subnet,
        ingress_subnet_name=names.ingress_subnet,
        addresses=region.addresses,
        log_analytics_workspace_id="/workspace",
        tags={},
    )
    stack = _synth(lambda scope: Network(scope, "network", props))
    subnets = resources(stack, "azurerm_subnet")
    assert [subnet["address_prefixes"] for subnet in subnets] == [region.addresses.ingress_subnet.as_list(), region.addresses.nodes_subnet.as_list()]
    assert all(subnet["default_outbound_access_enabled"] is False for subnet in subnets)
    assert len(resources(stack, "azurerm_subnet_network_security_group_association")) == len(subnets)
    allowed_from_internet = [
        rule for rule in resources(stack, "azurerm_network_security_rule") if rule["access"] == "Allow" and "/" in rule["source_address_prefix"]
    ]
    assert [(rule["source_address_prefix"], rule["destination_port_ranges"]) for rule in allowed_from_internet] == [
        ("0.0.0.0/0", ["80", "443"]),
        ("::/0", ["80", "443"]),
    ]


@pytest.mark.parametrize(
    ("controller", "expected"),
    [
        ("ingress-nginx", {"twin": ["ingress-nginx-ipv4", "ingress-nginx-ipv6"], "dual-stack": ["ingress-nginx-dual-stack"]}),
        ("envoy-gateway", {"twin": ["envoy-gateway", "gateway-ipv4", "gateway-ipv6"], "dual-stack": ["envoy-gateway", "gateway-dual-stack"]}),
    ],
)
def test_ingress_installs_one_release_per_planned_release(default_config, controller, expected):
    from dualstack_aks.constructs.ingress import Ingress, IngressProps

    for mode, names in expected.items():
        deployment = resolve(config_with(default_config, ingress={"mode": mode, "controller": controller}))
        chart = deployment.ingress_chart
        props = IngressProps(
            chart.controller,
            chart.namespace,
            chart.repository,
            chart.chart,
            chart.version,
            deployment.regions[0].releases,
            health_probe=deployment.regions[0].health_probe,
            objects_chart="assets/dualstack-gateways/HASH" if controller == "envoy-gateway" else None,
            access_ready_at="2026-11-29T00:00:00Z",
        )
        stack = _synth(lambda scope, props=props: Ingress(scope, "ingress", props))
        releases = resources(stack, "helm_release")
        assert sorted(release["name"] for release in releases) == names
        # Only a dual-stack Service is pinned by address, read from the edge's public IPs at plan time.
        assert len(stack.get("data", {}).get("azurerm_public_ip", {})) == (2 if mode == "dual-stack" else 0)
        # The Gateway objects' release waits for the controller release and its CRDs.
        controller_release = [address for address, body in stack["resource"]["helm_release"].items() if body["name"] == "envoy-gateway"]
        dependent = [release["depends_on"] for release in releases if release["name"] != "envoy-gateway" and "depends_on" in release]
        assert dependent == [[f"helm_release.{controller_release[0]}"]] * (len(names) - 1) if controller_release else dependent == []


def test_grant_leaves_the_principal_type_out_when_unknown():
    from dualstack_aks.constructs.roles import grant

    def build(scope):
        grant(scope, "known", role="AcrPull", on="/registry", to="p1")
        grant(scope, "unknown", role="AcrPull", on="/registry", to="p2", principal_type=None)

    known, unknown = resources(_synth(build), "azurerm_role_assignment")
    assert (known["principal_type"], "principal_type" in unknown) == ("ServicePrincipal", False)
