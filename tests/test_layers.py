"""Targeted assertions per layer on the default config: what each snapshot must keep saying."""

from __future__ import annotations

import ipaddress
import re

import pytest

from tests.conftest import addresses_by_region, helm_values, only, resources

REGIONS = ["eastus2", "westeurope"]


def region(stacks, name):
    return stacks[f"region-{name}"]


def ingress(stacks, name):
    return stacks[f"ingress-{name}"]


def test_stacks_and_order(default_stacks):
    assert sorted(default_stacks) == ["global"] + [f"{kind}-{name}" for kind in ("ingress", "region") for name in REGIONS]


@pytest.mark.parametrize("name", REGIONS)
def test_network_is_dual_stack_ipv4_first(default_stacks, name):
    stack = region(default_stacks, name)
    space = only(stack, "azurerm_virtual_network")["address_space"]
    assert [ipaddress.ip_network(cidr).version for cidr in space] == [4, 6]
    subnets = resources(stack, "azurerm_subnet")
    assert {subnet["name"] for subnet in subnets} == {"snet-nodes", "snet-ingress"}
    for subnet in subnets:
        v4, v6 = (ipaddress.ip_network(cidr) for cidr in subnet["address_prefixes"])
        assert (v4.version, v6.version, v6.prefixlen) == (4, 6, 64)
    associations = resources(stack, "azurerm_subnet_network_security_group_association")
    assert len(associations) == len(subnets)


@pytest.mark.parametrize("name", REGIONS)
def test_nsg_opens_only_http_https_per_family_and_probes(default_stacks, name):
    rules = {rule["name"]: rule for rule in resources(region(default_stacks, name), "azurerm_network_security_rule")}
    for family, source in (("ipv4", "0.0.0.0/0"), ("ipv6", "::/0")):
        rule = rules[f"allow-http-https-{family}"]
        assert (rule["access"], rule["direction"], rule["protocol"], rule["source_address_prefix"]) == ("Allow", "Inbound", "Tcp", source)
        assert rule["destination_port_ranges"] == ["80", "443"]
    assert rules["allow-azure-load-balancer-probes"]["source_address_prefix"] == "AzureLoadBalancer"
    deny = rules["deny-internet-other"]
    assert (deny["access"], deny["source_address_prefix"], deny["destination_port_range"]) == ("Deny", "Internet", "*")
    assert deny["priority"] > max(rule["priority"] for rule in rules.values() if rule["access"] == "Allow")


@pytest.mark.parametrize("name", REGIONS)
def test_cluster_network_profile_is_dual_stack_overlay(default_stacks, default_config, name):
    cluster = only(region(default_stacks, name), "azurerm_kubernetes_cluster")
    profile = cluster["network_profile"]
    assert (profile["network_plugin"], profile["network_plugin_mode"]) == ("azure", "overlay")
    assert profile["ip_versions"] == ["IPv4", "IPv6"]
    assert (profile["network_data_plane"], profile["network_policy"]) == ("cilium", "cilium")
    assert (profile["load_balancer_sku"], profile["outbound_type"]) == ("standard", "loadBalancer")
    assert profile["load_balancer_profile"] == {"managed_outbound_ip_count": 1, "managed_outbound_ipv6_count": 1}
    pods = [ipaddress.ip_network(cidr) for cidr in profile["pod_cidrs"]]
    services = [ipaddress.ip_network(cidr) for cidr in profile["service_cidrs"]]
    assert [net.version for net in pods] == [4, 6] and [net.version for net in services] == [4, 6]
    assert services[1].prefixlen >= 108 and services[0].prefixlen > 12
    assert ipaddress.ip_address(profile["dns_service_ip"]) in services[0]
    vnet = addresses_by_region(default_config)[name].vnet
    for cluster_range in pods + services:
        assert not cluster_range.overlaps(getattr(vnet, f"ipv{cluster_range.version}"))


@pytest.mark.parametrize("name", REGIONS)
def test_cluster_identity_security_and_addons(default_stacks, name):
    cluster = only(region(default_stacks, name), "azurerm_kubernetes_cluster")
    assert cluster["azure_active_directory_role_based_access_control"]["azure_rbac_enabled"] is True
    assert cluster["local_account_disabled"] is True
    assert cluster["oidc_issuer_enabled"] is True and cluster["workload_identity_enabled"] is True
    assert cluster["key_vault_secrets_provider"]["secret_rotation_enabled"] is True
    assert cluster["oms_agent"]["msi_auth_for_monitoring_enabled"] is True
    assert cluster["identity"]["type"] == "UserAssigned"
    # The cluster waits for its identity's rights on the subnets its load balancers use to take effect.
    (wait,) = cluster["depends_on"]
    waited = region(default_stacks, name)["resource"]["time_sleep"][wait.removeprefix("time_sleep.")]["depends_on"]
    assert sorted(dependency.rsplit("_", 1)[0] for dependency in waited) == [
        "azurerm_role_assignment.cluster_identity_network_contributor_0",
        "azurerm_role_assignment.cluster_identity_network_contributor_1",
    ]


@pytest.mark.parametrize("name", REGIONS)
def test_container_insights_collects_into_the_workspace(default_stacks, name):
    """With managed-identity auth the monitoring agent only sends what a data collection rule routes."""
    stack = region(default_stacks, name)
    rule = only(stack, "azurerm_monitor_data_collection_rule")
    assert rule["data_flow"] == [{"destinations": ["workspace"], "streams": ["Microsoft-ContainerInsights-Group-Default"]}]
    assert rule["destinations"]["log_analytics"][0]["workspace_resource_id"] == "${azurerm_log_analytics_workspace.log_analytics.id}"
    assert rule["data_sources"]["extension"][0]["extension_name"] == "ContainerInsights"
    association = only(stack, "azurerm_monitor_data_collection_rule_association")
    assert association["target_resource_id"].startswith("${azurerm_kubernetes_cluster.")
    assert association["data_collection_rule_id"].startswith("${azurerm_monitor_data_collection_rule.")
    assert (
        only(stack, "azurerm_kubernetes_cluster")["oms_agent"]["log_analytics_workspace_id"]
        == rule["destinations"]["log_analytics"][0]["workspace_resource_id"]
    )


@pytest.mark.parametrize("name", REGIONS)
def test_node_pools_span_three_zones(default_stacks, name):
    stack = region(default_stacks, name)
    system = only(stack, "azurerm_kubernetes_cluster")["default_node_pool"]
    user = only(stack, "azurerm_kubernetes_cluster_node_pool")
    assert system["only_critical_addons_enabled"] is True and user["mode"] == "User"
    for pool in (system, user):
        assert pool["zones"] == ["1", "2", "3"]
        assert pool["auto_scaling_enabled"] is True and pool["min_count"] >= 3


def _role_assignments(stack) -> dict[str, list[dict]]:
    by_role: dict[str, list[dict]] = {}
    for assignment in resources(stack, "azurerm_role_assignment"):
        by_role.setdefault(assignment["role_definition_name"], []).append(assignment)
    return by_role


@pytest.mark.parametrize("name", REGIONS)
def test_role_assignments(default_stacks, name):
    roles = _role_assignments(region(default_stacks, name))
    (acr_pull,) = roles["AcrPull"]
    assert "kubelet_identity[0].object_id" in acr_pull["principal_id"]
    assert "terraform_remote_state.cross-stack-reference-input-global" in acr_pull["scope"]
    (secrets_user,) = roles["Key Vault Secrets User"]
    assert "key_vault_secrets_provider[0].secret_identity[0].object_id" in secrets_user["principal_id"]
    assert "azurerm_key_vault." in secrets_user["scope"]
    scopes = sorted(assignment["scope"] for assignment in roles["Network Contributor"])
    assert [scope.split(".")[0] for scope in scopes] == ["${azurerm_resource_group", "${azurerm_subnet", "${azurerm_subnet"]
    assert all("azurerm_user_assigned_identity" in assignment["principal_id"] for assignment in roles["Network Contributor"])


@pytest.mark.parametrize("name", REGIONS)
def test_key_vault_rbac_purge_protected(default_stacks, name):
    vault = only(region(default_stacks, name), "azurerm_key_vault")
    assert vault["rbac_authorization_enabled"] is True and vault["purge_protection_enabled"] is True
    assert vault["network_acls"]["default_action"] == "Deny"
    assert len(vault["name"]) <= 24


def test_registry_premium_geo_replicated_to_every_other_region(default_stacks):
    registry = only(default_stacks["global"], "azurerm_container_registry")
    assert (registry["sku"], registry["admin_enabled"], registry["location"]) == ("Premium", False, "eastus2")
    assert [replica["location"] for replica in registry["georeplications"]] == ["westeurope"]


@pytest.mark.parametrize("name", REGIONS)
def test_edge_public_ips_standard_static_zonal(default_stacks, name):
    stack = region(default_stacks, name)
    ips = {ip["ip_version"]: ip for ip in resources(stack, "azurerm_public_ip")}
    assert sorted(ips) == ["IPv4", "IPv6"]
    for ip in ips.values():
        assert (ip["sku"], ip["allocation_method"], ip["zones"]) == ("Standard", "Static", ["1", "2", "3"])
        assert ip["resource_group_name"].startswith("${azurerm_resource_group.edge_")
    a_record, aaaa_record = only(stack, "azurerm_dns_a_record"), only(stack, "azurerm_dns_aaaa_record")
    assert a_record["name"] == aaaa_record["name"] == name
    assert "public_ip.edge_ingress_public_ipv4" in a_record["target_resource_id"] and "records" not in a_record
    assert "public_ip.edge_ingress_public_ipv6" in aaaa_record["target_resource_id"] and "records" not in aaaa_record
    # Each family's profile probes that family's address (test_azure_rules.py has the per-family detail).
    endpoints = resources(stack, "azurerm_traffic_manager_external_endpoint")
    assert sorted(endpoint["target"].split(".")[1].rsplit("_", 1)[0] for endpoint in endpoints) == ["edge_ingress_public_ipv4", "edge_ingress_public_ipv6"]
    assert {endpoint["endpoint_location"] for endpoint in endpoints} == {name}


@pytest.mark.parametrize("name", REGIONS)
def test_private_zone_linked_with_both_families(default_stacks, name):
    stack = region(default_stacks, name)
    links = {link["private_dns_zone_name"]: link for link in resources(stack, "azurerm_private_dns_zone_virtual_network_link")}
    linked_zones = sorted(re.sub(r"_[0-9A-F]{8}\.name\}$", "}", zone) for zone in links)
    assert linked_zones == [
        "${azurerm_private_dns_zone.cluster_private_link_zones_zone_registry}",
        "${azurerm_private_dns_zone.cluster_private_link_zones_zone_vault}",
        "internal.dualstack.example.com",
    ]
    assert all(link["virtual_network_id"].startswith("${azurerm_virtual_network.") for link in links.values())
    # Clients inside Azure reach the internal load balancers (static addresses; see test_topologies.py).
    (private_v4,) = only(stack, "azurerm_private_dns_a_record")["records"]
    (private_v6,) = only(stack, "azurerm_private_dns_aaaa_record")["records"]
    assert (ipaddress.ip_address(private_v4).version, ipaddress.ip_address(private_v6).version) == (4, 6)


@pytest.mark.parametrize("name", REGIONS)
def test_private_endpoints_resolve_in_the_regions_own_privatelink_zones(default_stacks, name):
    """Unpeered VNets must not share a privatelink zone: every region's registry endpoint would
    write the same A record for the registry's login name."""
    stack = region(default_stacks, name)
    zones = {zone["name"]: zone for zone in resources(stack, "azurerm_private_dns_zone")}
    assert sorted(zones) == ["privatelink.azurecr.io", "privatelink.vaultcore.azure.net"]
    assert all(zone["resource_group_name"] == "${azurerm_resource_group.resource_group.name}" for zone in zones.values())
    endpoints = {endpoint["private_service_connection"]["subresource_names"][0]: endpoint for endpoint in resources(stack, "azurerm_private_endpoint")}
    assert sorted(endpoints) == ["registry", "vault"]
    for subresource, endpoint in endpoints.items():
        (zone_id,) = endpoint["private_dns_zone_group"]["private_dns_zone_ids"]
        assert zone_id.startswith(f"${{azurerm_private_dns_zone.cluster_private_link_zones_zone_{subresource}_")
    assert endpoints["registry"]["private_service_connection"]["private_connection_resource_id"].startswith(
        "${data.terraform_remote_state.cross-stack-reference-input-global."
    )


def test_global_name_aliases_traffic_manager(default_stacks):
    stack = default_stacks["global"]
    for kind, family in (("azurerm_dns_a_record", "ipv4"), ("azurerm_dns_aaaa_record", "ipv6")):
        record = only(stack, kind)
        assert record["name"] == "app" and f"azurerm_traffic_manager_profile.dns_traffic_manager_{family}_" in record["target_resource_id"]
    for profile in resources(stack, "azurerm_traffic_manager_profile"):
        assert profile["traffic_routing_method"] == "Performance"
        # The probe must reach ingress-nginx's catch-all server, whose /healthz answers 200.
        monitor = profile["monitor_config"]
        assert (monitor["path"], monitor["port"], monitor["custom_header"]) == ("/healthz", 80, [{"name": "host", "value": "traffic-manager-probe.invalid"}])
    assert only(stack, "azurerm_private_dns_zone")["name"] == "internal.dualstack.example.com"


@pytest.mark.parametrize("name", REGIONS)
def test_twin_ingress_releases(default_stacks, name):
    stack = ingress(default_stacks, name)
    releases = resources(stack, "helm_release")
    assert {release["version"] for release in releases} == {"4.15.1"}
    values = helm_values(stack)
    assert sorted(values) == ["ingress-nginx-ipv4", "ingress-nginx-ipv6"]
    classes, controllers = set(), set()
    public_ips = {ip["ip_version"].lower(): ip["name"] for ip in resources(region(default_stacks, name), "azurerm_public_ip")}
    for family in ("ipv4", "ipv6"):
        controller = values[f"ingress-nginx-{family}"]["controller"]
        service = controller["service"]
        assert service["ipFamilies"] == [family.replace("ipv", "IPv")] and service["ipFamilyPolicy"] == "SingleStack"
        assert service["externalTrafficPolicy"] == "Local"
        assert service["annotations"]["service.beta.kubernetes.io/azure-pip-name"] == public_ips[family]
        assert service["annotations"]["service.beta.kubernetes.io/azure-load-balancer-resource-group"].endswith("-edge")
        assert controller["replicaCount"] >= 2 and controller["minAvailable"] >= 1
        assert controller["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"
        assert controller["ingressClassResource"]["default"] is False
        classes.add(controller["ingressClassResource"]["name"])
        controllers.add(controller["ingressClassResource"]["controllerValue"])
    assert len(classes) == len(controllers) == 2
    roles = {release: value["controller"]["podLabels"]["dualstack-aks/role"] for release, value in values.items()}
    assert roles == {"ingress-nginx-ipv4": "native", "ingress-nginx-ipv6": "nat64-proxy"}


@pytest.mark.parametrize("name", REGIONS)
def test_ingress_providers_authenticate_with_kubelogin_only(default_stacks, name):
    providers = ingress(default_stacks, name)["provider"]
    kubernetes = providers["kubernetes"][0]
    helm = providers["helm"][0]["kubernetes"]
    for config, exec_block in ((kubernetes, kubernetes["exec"][0]), (helm, helm["exec"])):
        assert exec_block["command"] == "kubelogin" and exec_block["args"][:2] == ["get-token", "--login"]
        assert not {"token", "client_key", "client_certificate", "password", "config_path"} & set(config)
    namespace = only(ingress(default_stacks, name), "kubernetes_namespace_v1")
    assert namespace["metadata"]["name"] == "ingress-nginx"


def test_stack_dependencies(synthesize, default_config):
    import json

    outdir, _ = synthesize(default_config)
    manifest = json.loads((outdir / "manifest.json").read_text())["stacks"]
    assert manifest["global"]["dependencies"] == []
    for name in REGIONS:
        assert manifest[f"region-{name}"]["dependencies"] == ["global"]
        assert manifest[f"ingress-{name}"]["dependencies"] == [f"region-{name}"]


def test_local_backend_paths_are_relative(default_stacks):
    for name, stack in default_stacks.items():
        path = stack["terraform"]["backend"]["local"]["path"]
        assert path == f"../../../terraform-state/{name}.tfstate"
