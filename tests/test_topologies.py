"""Every layout by one switch: the translating ingress on and off, the mirror (NAT46), a single
dual-stack ingress, brownfield VNet and cluster, internal load balancers, the echo app."""

from __future__ import annotations

import ipaddress
import json
import re

import pytest
import yaml

from dualstack_aks.contract import INGRESS_CLASS_LABEL
from dualstack_aks.model.gateway import is_objects_chart
from dualstack_aks.model.loading import ConfigError, load_config, parse_config
from tests.conftest import (
    DEFAULT_CONFIG,
    REPO,
    addresses_by_region,
    config_with,
    helm_values,
    only,
    resources,
)

EXAMPLES = REPO / "config" / "examples"


def _config(path, **changes):
    """A shipped config with dotted-path changes (`ingress__translating_ingress=False`)."""
    raw = yaml.safe_load(path.read_text())
    for dotted, value in changes.items():
        node = raw
        *parents, leaf = dotted.split("__")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return parse_config(raw, str(path))


def _flatten(stacks: dict) -> dict[tuple, str]:
    """(stack, block, type, name) -> canonical JSON of that block, for every resource, data source,
    output, provider and backend."""
    flat = {}
    for stack_name, stack in stacks.items():
        for block in ("resource", "data"):
            for kind, items in stack.get(block, {}).items():
                for name, body in items.items():
                    flat[(stack_name, block, kind, name)] = json.dumps(body, sort_keys=True)
        for block in ("output", "provider", "terraform"):
            flat[(stack_name, block, "", "")] = json.dumps(stack.get(block), sort_keys=True)
    return flat


@pytest.mark.parametrize(
    "config_path, family, record, echo_kind, removed_releases",
    [
        (DEFAULT_CONFIG, "ipv6", "azurerm_dns_aaaa_record", None, {"ingress-nginx-ipv6"}),
        (EXAMPLES / "ipv6-primary.yaml", "ipv4", "azurerm_dns_a_record", "kubernetes_ingress_v1", {"ingress-nginx-ipv4"}),
        (EXAMPLES / "envoy-gateway.yaml", "ipv6", "azurerm_dns_aaaa_record", "helm_release", {"gateway-ipv6", "echo-eg-ipv6"}),
    ],
    ids=["nat64-ipv6-removed", "nat46-ipv4-removed", "envoy-gateway-ipv6-removed"],
)
def test_translating_family_comes_and_goes_alone(synthesize, config_path, family, record, echo_kind, removed_releases):
    """Turning the translating ingress off removes exactly its release (with Envoy Gateway: the
    family's Gateways release), public IP, DNS records and Traffic Manager endpoint (and, with the
    echo app, its Ingress object or HTTPRoute release for that class), and globally that family's
    profile, global record and the output the regions read the profile through; everything else is
    byte-identical."""
    _, stacks = synthesize(_config(config_path))
    with_translation = _flatten(stacks)
    without = _flatten(synthesize(_config(config_path, ingress__translating_ingress=False))[1])
    assert set(without) <= set(with_translation)
    assert [key for key in without if without[key] != with_translation[key]] == [("global", "output", "", "")]
    outputs = (json.loads(with_translation[("global", "output", "", "")]), json.loads(without[("global", "output", "", "")]))
    assert [name for name in outputs[0] if name not in outputs[1]] == [name for name in outputs[0] if f"traffic_manager_{family}" in name]
    removed = {key: json.loads(with_translation[key]) for key in set(with_translation) - set(without)}
    per_region = [("ingress", "helm_release"), ("region", "azurerm_public_ip"), ("region", record), ("region", record.replace("_dns_", "_private_dns_"))]
    per_region += [("region", "azurerm_traffic_manager_external_endpoint")]
    per_region += [("ingress", echo_kind)] if echo_kind else []
    regions = len([name for name in stacks if name.startswith("region-")])
    expected = per_region * regions + [("global", "azurerm_traffic_manager_profile"), ("global", record)]
    assert sorted((stack.split("-")[0], kind) for stack, _, kind, _ in removed) == sorted(expected)
    by_kind: dict[str, list[dict]] = {}
    for (_, _, kind, _), body in removed.items():
        by_kind.setdefault(kind, []).append(body)
    assert {release["name"] for release in by_kind["helm_release"]} == removed_releases
    assert {ip["ip_version"] for ip in by_kind["azurerm_public_ip"]} == {family.replace("ipv", "IPv")}


def test_ipv6_primary_mirror_makes_ipv4_the_nat46_proxy(synthesize):
    _, stacks = synthesize(load_config(EXAMPLES / "ipv6-primary.yaml"))
    roles = {name: values["controller"]["podLabels"]["dualstack-aks/role"] for name, values in helm_values(stacks["ingress-swedencentral"]).items()}
    assert roles == {"ingress-nginx-ipv4": "nat46-proxy", "ingress-nginx-ipv6": "native"}
    echo = only(stacks["ingress-swedencentral"], "kubernetes_service_v1")
    assert (echo["spec"]["ip_families"], echo["spec"]["ip_family_policy"]) == (["IPv6"], "SingleStack")


def test_dual_stack_mode_is_one_release_pinned_to_both_addresses(synthesize):
    _, stacks = synthesize(load_config(EXAMPLES / "dual-stack-ingress.yaml"))
    ingress = stacks["ingress-centralus"]
    ((name, values),) = helm_values(ingress).items()
    service = values["controller"]["service"]
    assert name == "ingress-nginx-dual-stack"
    assert (service["ipFamilyPolicy"], service["ipFamilies"], service["externalTrafficPolicy"]) == ("RequireDualStack", ["IPv4", "IPv6"], "Local")
    annotations = service["annotations"]
    for family in ("ipv4", "ipv6"):
        pinned = annotations[f"service.beta.kubernetes.io/azure-load-balancer-{family}"]
        assert re.fullmatch(rf"\$\{{data\.azurerm_public_ip\.ingress_public_ip_{family}_\w+\.ip_address\}}", pinned), pinned
    assert "service.beta.kubernetes.io/azure-pip-name" not in annotations
    sources = {source["name"] for source in ingress["data"]["azurerm_public_ip"].values()}
    assert sources == {ip["name"] for ip in resources(stacks["region-centralus"], "azurerm_public_ip")}
    assert values["controller"]["podLabels"]["dualstack-aks/role"] == "dual-stack"
    assert {ip["ip_version"] for ip in resources(stacks["region-centralus"], "azurerm_public_ip")} == {"IPv4", "IPv6"}


def test_internal_load_balancers_have_static_addresses_named_by_the_private_zone(synthesize, default_config, default_stacks):
    addresses = addresses_by_region(default_config)["eastus2"]
    internal_ips = addresses.internal_ingress_ips()
    assert ipaddress.ip_address(internal_ips["ipv4"]) in addresses.ingress_subnet.ipv4
    assert ipaddress.ip_address(internal_ips["ipv6"]) in addresses.ingress_subnet.ipv6
    for family, values in (("ipv4", "ingress-nginx-ipv4"), ("ipv6", "ingress-nginx-ipv6")):
        internal = helm_values(default_stacks["ingress-eastus2"])[values]["controller"]["service"]["internal"]
        assert internal["enabled"] is True and internal["externalTrafficPolicy"] == "Local"
        assert internal["ipFamilies"] == [family.replace("ipv", "IPv")]
        assert internal["annotations"] == {
            "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
            "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "snet-ingress",
            f"service.beta.kubernetes.io/azure-load-balancer-{family}": internal_ips[family],
        }
    region = default_stacks["region-eastus2"]
    assert only(region, "azurerm_private_dns_a_record")["records"] == [internal_ips["ipv4"]]
    assert only(region, "azurerm_private_dns_aaaa_record")["records"] == [internal_ips["ipv6"]]


def test_without_internal_load_balancers_private_records_use_the_public_ips(synthesize):
    _, stacks = synthesize(_config(DEFAULT_CONFIG, ingress__internal_load_balancers=False))
    region = stacks["region-eastus2"]
    assert only(region, "azurerm_private_dns_aaaa_record")["records"][0].startswith("${azurerm_public_ip.edge_ingress_public_ipv6_")
    assert all("internal" not in values["controller"]["service"] for values in helm_values(stacks["ingress-eastus2"]).values())


def test_existing_cluster_gets_only_edge_and_ingress(synthesize):
    _, stacks = synthesize(load_config(EXAMPLES / "existing-cluster.yaml"))
    region = stacks["region-eastus"]
    created = set(region["resource"])
    assert not created & {"azurerm_kubernetes_cluster", "azurerm_virtual_network", "azurerm_subnet", "azurerm_key_vault", "azurerm_network_security_group"}
    assert {"azurerm_public_ip", "azurerm_dns_a_record", "azurerm_dns_aaaa_record", "azurerm_traffic_manager_external_endpoint"} <= created
    cluster = region["data"]["azurerm_kubernetes_cluster"]
    assert [(c["name"], c["resource_group_name"]) for c in cluster.values()] == [("aks-platform-eastus", "rg-platform-eastus")]

    # The existing cluster's identities get what the new entries and the shared registry need.
    def referenced(expression: str) -> str:
        """`${data.type.name_ABCD1234.attr}` -> `name`."""
        return re.match(r"^\$\{(?:data\.)?[a-z_]+\.([\w-]+?)(?:_[0-9A-F]{8})?\.", expression).group(1)

    roles = sorted(
        (role["role_definition_name"], referenced(role["scope"]), referenced(role["principal_id"])) for role in resources(region, "azurerm_role_assignment")
    )
    assert roles == [
        ("AcrPull", "cross-stack-reference-input-global", "cluster_kubernetes_cluster"),
        ("Network Contributor", "edge_resource_group", "cluster_control_plane_identity"),
        ("Network Contributor", "network_ingress_subnet", "cluster_control_plane_identity"),
    ]
    assert [identity["name"] for identity in region["data"]["azurerm_user_assigned_identity"].values()] == ["id-aks-platform-eastus"]
    (link,) = resources(region, "azurerm_private_dns_zone_virtual_network_link")
    assert link["virtual_network_id"].startswith("${data.azurerm_virtual_network.network_virtual_network")
    ingress_cluster = only({"resource": stacks["ingress-eastus"]["data"]}, "azurerm_kubernetes_cluster")
    assert (ingress_cluster["name"], ingress_cluster["resource_group_name"]) == ("aks-platform-eastus", "rg-platform-eastus")


def test_existing_vnet_must_match_the_config_at_plan_time(synthesize):
    """What the config says exists is checked against Azure by postconditions on the data sources."""
    _, stacks = synthesize(load_config(EXAMPLES / "existing-cluster.yaml"))
    data = stacks["region-westus3"]["data"]
    (vnet,) = data["azurerm_virtual_network"].values()
    (condition,) = vnet["lifecycle"]["postcondition"]
    assert condition["condition"] == '${alltrue([for cidr in ["10.30.0.0/16", "fd00:db8:cafe::/48"] : contains(self.address_space, cidr)])}'
    subnets = {subnet["name"]: subnet["lifecycle"]["postcondition"][0]["condition"] for subnet in data["azurerm_subnet"].values()}
    assert subnets == {
        "snet-aks": '${toset(self.address_prefixes) == toset(["10.30.0.0/22", "fd00:db8:cafe:1::/64"])}',
        "snet-ingress": '${toset(self.address_prefixes) == toset(["10.30.8.0/24", "fd00:db8:cafe:2::/64"])}',
    }


def test_existing_vnet_hosts_a_new_cluster(synthesize):
    _, stacks = synthesize(load_config(EXAMPLES / "existing-cluster.yaml"))
    region = stacks["region-westus3"]
    assert "azurerm_virtual_network" not in region["resource"] and "azurerm_subnet" not in region["resource"]
    subnets = {body["name"]: body for body in region["data"]["azurerm_subnet"].values()}
    assert sorted(subnets) == ["snet-aks", "snet-ingress"]
    cluster = only(region, "azurerm_kubernetes_cluster")
    assert cluster["default_node_pool"]["vnet_subnet_id"].startswith("${data.azurerm_subnet.network_nodes_subnet_")
    assert cluster["network_profile"]["pod_cidrs"][0] != "10.30.0.0/16"


@pytest.mark.parametrize(
    "pod_cidrs, message",
    [
        (["10.244.0.0/16"], "got IPv4 only (10.244.0.0/16)"),
        (["fd12:3456:789a::/64", "10.244.0.0/16"], "got IPv6 then IPv4 (fd12:3456:789a::/64, 10.244.0.0/16)"),
    ],
)
def test_existing_cluster_must_be_dual_stack(pod_cidrs, message):
    path = EXAMPLES / "existing-cluster.yaml"
    raw = yaml.safe_load(path.read_text())
    raw["regions"][0]["existing_cluster"]["pod_cidrs"] = pod_cidrs
    with pytest.raises(ConfigError) as error:
        parse_config(raw, "brown.yaml")
    assert error.value.problems == [
        f"brown.yaml: regions[0].existing_cluster.pod_cidrs: the cluster must be dual-stack: one IPv4 and one IPv6 range, IPv4 first; {message}"
    ]


def test_echo_app_sits_behind_every_ingress_class(synthesize):
    _, stacks = synthesize(load_config(EXAMPLES / "ipv6-primary.yaml"))
    ingress = stacks["ingress-northeurope"]
    classes = {values["controller"]["ingressClassResource"]["name"] for values in helm_values(ingress).values()}
    objects = resources(ingress, "kubernetes_ingress_v1")
    assert {obj["spec"]["ingress_class_name"] for obj in objects} == classes == {"nginx-ipv4", "nginx-ipv6"}
    for obj in objects:
        hosts = ["app.v6first.example.com", "northeurope.v6first.example.com", "northeurope.internal.v6first.example.com"]
        assert [rule["host"] for rule in obj["spec"]["rule"]] == hosts
    deployment = only(ingress, "kubernetes_deployment_v1")
    container = deployment["spec"]["template"]["spec"]["container"][0]
    assert container["security_context"]["run_as_non_root"] is True
    assert "kubernetes_deployment_v1" not in synthesize(load_config(DEFAULT_CONFIG))[1]["ingress-eastus2"].get("resource", {})


def test_region_without_availability_zones(synthesize):
    """A region's own `zones: []` makes its node pools, public IPs and registry replica non-zonal."""
    _, stacks = synthesize(load_config(EXAMPLES / "three-regions-remote-state.yaml"))
    region = stacks["region-northcentralus"]
    cluster = only(region, "azurerm_kubernetes_cluster")
    assert cluster["default_node_pool"]["zones"] == [] and only(region, "azurerm_kubernetes_cluster_node_pool")["zones"] == []
    assert [ip["zones"] for ip in resources(region, "azurerm_public_ip")] == [[], []]
    assert only(stacks["region-eastus2"], "azurerm_kubernetes_cluster")["default_node_pool"]["zones"] == ["1", "2", "3"]
    registry = only(stacks["global"], "azurerm_container_registry")
    replicas = {replica["location"]: replica["zone_redundancy_enabled"] for replica in registry["georeplications"]}
    assert (registry["location"], registry["zone_redundancy_enabled"], replicas) == ("westeurope", True, {"eastus2": True, "northcentralus": False})


def test_envoy_gateway_installs_the_controller_then_each_familys_gateways(synthesize):
    """The controller chart (pinned, from its OCI registry) brings the CRDs; the local chart's
    releases, copied into the stack's folder (tests/test_contracts.py checks the path), wait for it."""
    _, stacks = synthesize(load_config(EXAMPLES / "envoy-gateway.yaml"))
    for name in ("ingress-eastus2", "ingress-uksouth"):
        releases = {body["name"]: (address, body) for address, body in stacks[name]["resource"]["helm_release"].items()}
        assert sorted(releases) == ["echo-eg-ipv4", "echo-eg-ipv6", "envoy-gateway", "gateway-ipv4", "gateway-ipv6"]
        address, controller = releases["envoy-gateway"]
        assert (controller["repository"], controller["chart"], controller["version"]) == ("oci://docker.io/envoyproxy", "gateway-helm", "v1.9.0")
        assert sorted(namespace["metadata"]["name"] for namespace in resources(stacks[name], "kubernetes_namespace_v1")) == ["echo", "envoy-gateway-system"]
        for release in ("gateway-ipv4", "gateway-ipv6"):
            body = releases[release][1]
            assert is_objects_chart(body["chart"]) and body["depends_on"] == [f"helm_release.{address}"]
            assert "repository" not in body and "version" not in body
        # The echo app's HTTPRoutes wait for the CRDs and their family's Gateways.
        for family in ("ipv4", "ipv6"):
            assert releases[f"echo-eg-{family}"][1]["depends_on"] == [f"helm_release.{address}", f"helm_release.{releases[f'gateway-{family}'][0]}"]
    assert (REPO / "charts" / "dualstack-gateways" / "Chart.yaml").is_file()


def test_each_echo_ingress_waits_for_the_controller_that_validates_it(synthesize):
    """The controller's admission webhook validates an Ingress of its class: applied before the
    release is up, the Ingress fails on a first deploy."""
    _, stacks = synthesize(load_config(EXAMPLES / "ipv6-primary.yaml"))
    ingress = stacks["ingress-swedencentral"]
    release_by_class = {
        yaml.safe_load(body["values"][0])["controller"]["ingressClassResource"]["name"]: f"helm_release.{address}"
        for address, body in ingress["resource"]["helm_release"].items()
    }
    objects = ingress["resource"]["kubernetes_ingress_v1"].values()
    assert {body["spec"]["ingress_class_name"]: body["depends_on"] for body in objects} == {name: [release] for name, release in release_by_class.items()}


# ingress-nginx layouts with the echo app: the twin, its mirror, one dual-stack release, the translating family off.
WEBHOOK_LAYOUTS = {
    "twin": (DEFAULT_CONFIG, {"sample_app.enabled": True}),
    "mirror": (EXAMPLES / "ipv6-primary.yaml", {}),
    "dual-stack": (EXAMPLES / "dual-stack-ingress.yaml", {}),
    "translating-off": (DEFAULT_CONFIG, {"sample_app.enabled": True, "ingress.translating_ingress": False}),
}


def _admission_webhook(values: dict) -> dict:
    """The one webhook of a release's ValidatingWebhookConfiguration as chart 4.15.1 renders it
    (templates/admission-webhooks/validating-webhook.yaml:1, 22-53 at helm-chart-4.15.1): CREATE and UPDATE of
    networking.k8s.io/v1 ingresses, failurePolicy Fail by default, and the objectSelector only when the values set one."""
    webhooks = values["controller"].get("admissionWebhooks", {})
    assert webhooks.get("enabled") is True
    rendered = {"operations": ["CREATE", "UPDATE"], "failurePolicy": webhooks.get("failurePolicy") or "Fail"}
    if webhooks.get("objectSelector"):
        rendered["objectSelector"] = webhooks["objectSelector"]
    return rendered


def _selects(webhook: dict, labels: dict[str, str]) -> bool:
    """Whether the API server sends an object with `labels` to `webhook` (no objectSelector: every object; matchLabels: a subset)."""
    selector = webhook.get("objectSelector")
    if selector is None:
        return True
    assert set(selector) == {"matchLabels"}, f"this check reads matchLabels only: {selector}"
    return selector["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize("layout", WEBHOOK_LAYOUTS)
def test_each_admission_webhook_gates_only_ingresses_of_its_own_class(synthesize, layout):
    """failurePolicy Fail and no selector: one controller down blocks every class's Ingress writes (issue 19, item 6)."""
    path, changes = WEBHOOK_LAYOUTS[layout]
    _, stacks = synthesize(config_with(load_config(path), **changes))
    ingress_stacks = {name: stack for name, stack in stacks.items() if name.startswith("ingress-")}
    assert ingress_stacks
    for name, stack in ingress_stacks.items():
        webhook_by_class = {values["controller"]["ingressClassResource"]["name"]: _admission_webhook(values) for values in helm_values(stack).values()}
        expected_classes = {"twin": 2, "mirror": 2, "dual-stack": 1, "translating-off": 1}[layout]
        assert len(webhook_by_class) == expected_classes, name
        for ingress_class, webhook in webhook_by_class.items():
            assert webhook["failurePolicy"] == "Fail"
            assert webhook.get("objectSelector") == {"matchLabels": {INGRESS_CLASS_LABEL: ingress_class}}, name
        objects = resources(stack, "kubernetes_ingress_v1")
        assert {obj["spec"]["ingress_class_name"] for obj in objects} == set(webhook_by_class), name
        for obj in objects:
            gating = {ingress_class for ingress_class, webhook in webhook_by_class.items() if _selects(webhook, obj["metadata"]["labels"])}
            assert gating == {obj["spec"]["ingress_class_name"]}, f"{name}: {obj['metadata']['name']} is gated by {sorted(gating)}"
        # An Ingress of another team without the label reaches no webhook: no controller's outage blocks its writes.
        assert not any(_selects(webhook, {"app.kubernetes.io/name": "other"}) for webhook in webhook_by_class.values())


def test_admission_webhook_match_conditions_are_no_value_of_chart_4_15_1():
    """The chart reads objectSelector and namespaceSelector only (validating-webhook.yaml:48-53): a matchConditions key would be dropped silently."""
    keys = (REPO / "helm-values" / "chart-keys" / "ingress-nginx-4.15.1.txt").read_text(encoding="utf-8").splitlines()
    assert {"controller.admissionWebhooks.namespaceSelector.*", "controller.admissionWebhooks.objectSelector.*"} <= set(keys)
    assert not any("matchConditions" in key for key in keys)
