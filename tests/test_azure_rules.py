"""First apply succeeds: the output obeys Azure's and the providers' real rules. Each test names
the rule and where it comes from (provider file:line at azurerm v4.55.0, or a docs article)."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import yaml

from dualstack_aks.constructs.ingress import ACCESS_READY_ANNOTATION
from dualstack_aks.constructs.roles import PROPAGATION
from dualstack_aks.deploy.preflight import check
from dualstack_aks.model.config import ClusterSettings, Config
from dualstack_aks.model.deployment import ALL_ZONES, resolve
from dualstack_aks.model.health_probe import PROXY_PROBE_HOST
from dualstack_aks.model.kubernetes_versions import TABLE_CHECKED, lifecycle_problem
from dualstack_aks.model.loading import ConfigError, load_config, parse_config
from dualstack_aks.model.names import NAME_RULES, SYSTEM_POOL, USER_POOL
from dualstack_aks.model.regions import AZURE_REGION_CODES, REGIONS_WITH_ZONES
from dualstack_aks.model.validation import check_config
from dualstack_aks.policy.rules import CLUSTER, REGISTRY, api_server_restricted, registry_restricted
from tests.conftest import DEFAULT_CONFIG, REPO, only, resources

EXAMPLES = REPO / "config" / "examples"
THREE_REGIONS = EXAMPLES / "three-regions-remote-state.yaml"
EXISTING = EXAMPLES / "existing-cluster.yaml"
SUPPORTED = "supported on 2026-11-29: 1.34, 1.35, 1.36, 1.37"
CLUSTER_ADMIN = "Azure Kubernetes Service RBAC Cluster Admin"


def _raw(path=DEFAULT_CONFIG) -> dict:
    return yaml.safe_load(path.read_text())


def _parsed(raw: dict) -> Config:
    return parse_config(raw, "bad.yaml")


def _model(raw: dict) -> Config:
    """Field-level validation only, so check_config's cross-field problems can be asserted as (path, message)."""
    return Config.model_validate(raw)


def _problems(raw: dict) -> list[str]:
    """Field-level problems, as parse_config reports them (one line each)."""
    with pytest.raises(ConfigError) as error:
        _parsed(raw)
    return error.value.problems


def _with_cluster(**settings) -> dict:
    raw = _raw()
    raw["cluster"].update(settings)
    return raw


def _reference(expression: str) -> str:
    """`${type.name_ABCD1234.attr}` -> `type.name`."""
    return re.sub(r"_[0-9A-F]{8}$", "", ".".join(expression.removeprefix("${").removesuffix("}").split(".")[:2]))


# --- 1. Kubernetes version lifecycle (azure-aks-docs supported-kubernetes-versions.md:44-55, 64-74, FAQ :360-362) ---


def test_version_lifecycle_default_is_in_standard_support_on_the_checked_date():
    assert date(2026, 11, 29) == TABLE_CHECKED
    # "Nov 2026" is November 30 (note at line 44): 1.34 is in standard support on the checked date but
    # ends the day after, so the default is the next minor, which a new cluster can keep until March 2027.
    assert ClusterSettings().kubernetes_version == "1.35"
    assert lifecycle_problem("1.35") is None and lifecycle_problem("1.34.1") is None


def test_version_lifecycle_is_judged_on_the_checked_date_never_the_clock():
    assert lifecycle_problem("1.34", on=date(2026, 12, 1)) == (
        "1.34 left AKS standard support on 2026-11-30, so new clusters cannot use it; supported on 2026-12-01: 1.35, 1.36, 1.37"
    )
    assert lifecycle_problem("1.34") is None


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("1.33", f"1.33 left AKS standard support on 2026-07-31, so new clusters cannot use it; {SUPPORTED}"),
        ("1.31.4", f"1.31.4 left AKS standard support on 2025-11-01, so new clusters cannot use it; {SUPPORTED}"),
        ("1.40", f"1.40 is not in the AKS release calendar (supported-kubernetes-versions.md); {SUPPORTED}"),
    ],
)
def test_version_lifecycle_rejects_a_version_out_of_standard_support(version, message):
    config = _parsed(_raw())
    changed = config.model_copy(update={"cluster": config.cluster.model_copy(update={"kubernetes_version": version})})
    assert check_config(changed) == [("cluster.kubernetes_version", message)]


def _fake_az(directory, offered: list[str]):
    """A stand-in `az`: `aks get-versions` prints the GA minors `offered` (and a preview 1.38), anything else succeeds silently."""
    directory.mkdir(exist_ok=True)
    values = [{"version": minor, "isPreview": False, "patchVersions": {f"{minor}.1": {}}} for minor in offered]
    values.append({"version": "1.38", "isPreview": True, "patchVersions": {"1.38.0": {}}})
    az = directory / "az"
    az.write_text(f'#!/bin/sh\nif [ "$1 $2" = "aks get-versions" ]; then echo \'{json.dumps({"values": values})}\'; fi\nexit 0\n')
    az.chmod(0o755)
    (directory / "terraform").write_text('#!/bin/sh\necho \'{"terraform_version": "1.15.9"}\'\n')
    (directory / "kubelogin").write_text("#!/bin/sh\nexit 0\n")
    for tool in ("terraform", "kubelogin"):
        (directory / tool).chmod(0o755)
    return {"PATH": str(directory), "ARM_SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000000"}


def test_version_lifecycle_preflight_asks_azure_what_the_first_region_offers(tmp_path):
    config = load_config(DEFAULT_CONFIG)
    assert check("deploy", config, "config/default.yaml", None, False, _fake_az(tmp_path / "offers", ["1.35", "1.36"])) == []
    assert check("deploy", config, "config/default.yaml", None, False, _fake_az(tmp_path / "gone", ["1.36", "1.37"])) == [
        "cluster.kubernetes_version 1.35 is not offered in eastus2 today (az aks get-versions); offered: 1.36, 1.37"
    ]
    # destroy creates no cluster, so it does not ask.
    assert check("destroy", config, "config/default.yaml", "eastus2", False, _fake_az(tmp_path / "gone", ["1.36", "1.37"])) == []


# --- 2. The deployer can reach the cluster (entra-id-authorization.md:36 and "AKS built-in roles"; azurerm issue 24064) ---


def test_deployer_access_cluster_admin_for_the_deployer_and_admin_groups(synthesize):
    _, stacks = synthesize(load_config(THREE_REGIONS))
    region = stacks["region-eastus2"]
    admins = {
        _reference(role["principal_id"]) if role["principal_id"].startswith("${") else role["principal_id"]: role
        for role in resources(region, "azurerm_role_assignment")
        if role["role_definition_name"] == CLUSTER_ADMIN
    }
    assert sorted(admins) == ["00000000-0000-4000-8000-000000000001", "data.azurerm_client_config"]
    assert all(_reference(role["scope"]) == "azurerm_kubernetes_cluster.cluster_kubernetes_cluster" for role in admins.values())
    # Whoever deploys may be a user or a service principal; a group is declared as one.
    assert "principal_type" not in admins["data.azurerm_client_config"]
    assert admins["00000000-0000-4000-8000-000000000001"]["principal_type"] == "Group"


def test_deployer_access_ingress_waits_for_the_grants_to_propagate(default_stacks):
    region, ingress = default_stacks["region-eastus2"], default_stacks["ingress-eastus2"]
    wait = region["resource"]["time_sleep"]["access_propagation"]
    assert wait["create_duration"] == PROPAGATION
    assert PROPAGATION == "300s"
    waited = {_reference(f"${{{dependency}}}") for dependency in wait["depends_on"]}
    assert waited == {"azurerm_role_assignment.cluster_deployer_cluster_admin", "azurerm_role_assignment.edge_cluster_identity_network_contributor"}
    # A replaced grant replaces the wait, so it happens again.
    assert sorted(_reference(trigger) for trigger in wait["triggers"].values()) == sorted(waited)
    output = next(name for name, body in region["output"].items() if body["value"] == "${time_sleep.access_propagation.id}")
    namespace = only(ingress, "kubernetes_namespace_v1")
    assert namespace["metadata"]["annotations"][ACCESS_READY_ANNOTATION].endswith(f".outputs.{output}}}")
    # Everything Helm installs sits in that namespace, so it comes after the wait.
    assert all(release["namespace"].startswith("${kubernetes_namespace_v1.ingress_namespace") for release in resources(ingress, "helm_release"))


def test_deployer_access_cluster_is_created_after_its_subnet_grants_propagate(default_stacks):
    region = default_stacks["region-eastus2"]
    (dependency,) = only(region, "azurerm_kubernetes_cluster")["depends_on"]
    wait = region["resource"]["time_sleep"][dependency.split(".")[1]]
    assert wait["create_duration"] == PROPAGATION
    assert sorted(_reference(f"${{{grant}}}") for grant in wait["depends_on"]) == [
        "azurerm_role_assignment.cluster_identity_network_contributor_0",
        "azurerm_role_assignment.cluster_identity_network_contributor_1",
    ]


def test_deployer_access_existing_cluster_ingress_waits_for_its_load_balancer_grants(synthesize):
    _, stacks = synthesize(load_config(EXISTING))
    wait = stacks["region-eastus"]["resource"]["time_sleep"]["access_propagation"]
    assert sorted(_reference(f"${{{grant}}}") for grant in wait["depends_on"]) == [
        "azurerm_role_assignment.cluster_identity_network_contributor_0",
        "azurerm_role_assignment.edge_cluster_identity_network_contributor",
    ]


# --- 3. Upgrade channels (kubernetes_cluster_resource.go:196-205; node-image check :1848 create, :2378 update) ---


def test_upgrade_channel_none_leaves_the_argument_out(synthesize):
    raw = _with_cluster(automatic_upgrade_channel="none")
    raw["regions"] = raw["regions"][:1]
    _, stacks = synthesize(_parsed(raw))
    cluster = only(stacks["region-eastus2"], "azurerm_kubernetes_cluster")
    assert "automatic_upgrade_channel" not in cluster and cluster["node_os_upgrade_channel"] == "NodeImage"


def test_upgrade_channel_node_image_needs_node_os_channel_node_image():
    config = _model(_with_cluster(automatic_upgrade_channel="node-image", node_os_upgrade_channel="SecurityPatch"))
    assert check_config(config) == [
        (
            "cluster.node_os_upgrade_channel",
            "must be NodeImage with automatic_upgrade_channel: node-image, got SecurityPatch (azurerm's check in kubernetes_cluster_resource.go, create :1848 and update :2378)",
        )
    ]
    assert check_config(_parsed(_with_cluster(automatic_upgrade_channel="node-image"))) == []


# --- 4. Zones that do not churn (public_ip_resource.go:176 ForceNew; issues 16470, 18741; reliability-docs regions-list.md:33-94) ---


def test_zones_catalogue_covers_the_regions_list():
    assert set(AZURE_REGION_CODES) >= REGIONS_WITH_ZONES and len(REGIONS_WITH_ZONES) == 38
    assert {"northcentralus", "westus", "swedensouth"}.isdisjoint(REGIONS_WITH_ZONES) and "eastus2" in REGIONS_WITH_ZONES


def test_zones_region_without_zones_is_non_zonal_without_being_told():
    raw = _raw(THREE_REGIONS)
    assert "zones" not in raw["regions"][2]  # northcentralus: implied by the catalogue
    deployment = resolve(_parsed(raw))
    northcentralus = deployment.regions[2]
    assert (northcentralus.name, northcentralus.zones, northcentralus.public_ip_zones) == ("northcentralus", (), ())
    assert "northcentralus" not in deployment.global_.registry_zone_redundant_regions


def test_zones_explicit_zones_in_a_region_without_zones_are_refused():
    raw = _raw(THREE_REGIONS)
    raw["regions"][2]["zones"] = ["1"]
    assert check_config(_model(raw)) == [
        ("regions[2].zones", "northcentralus has no availability zones (Azure regions list); leave zones out, its pools and IPs are non-zonal")
    ]


def test_zones_public_ips_ask_for_all_three_zones_whatever_the_pools_use(synthesize):
    raw = _with_cluster(zones=["1", "2"])
    raw["regions"] = raw["regions"][:1]
    config = _parsed(raw)
    (region,) = resolve(config).regions
    assert (region.zones, region.public_ip_zones) == (("1", "2"), ALL_ZONES)
    _, stacks = synthesize(config)
    stack = stacks["region-eastus2"]
    assert [ip["zones"] for ip in resources(stack, "azurerm_public_ip")] == [list(ALL_ZONES)] * 2
    assert only(stack, "azurerm_kubernetes_cluster")["default_node_pool"]["zones"] == ["1", "2"]


# --- 5. Per-family health at the global name (dns-alias.md "Capabilities"; traffic_manager_external_endpoint_resource.go:65-69) ---


def test_per_family_health_each_family_of_each_region_has_its_own_probed_endpoint(default_stacks):
    glob = default_stacks["global"]
    profiles = glob["resource"]["azurerm_traffic_manager_profile"]
    assert sorted(profile["name"] for profile in profiles.values()) == ["traf-dsaks-ipv4", "traf-dsaks-ipv6"]
    for profile in profiles.values():
        monitor = profile["monitor_config"]
        assert (profile["traffic_routing_method"], monitor["protocol"], monitor["path"]) == ("Performance", "HTTP", "/healthz")
        assert monitor["custom_header"] == [{"name": "host", "value": PROXY_PROBE_HOST}]
    a_record, aaaa_record = only(glob, "azurerm_dns_a_record"), only(glob, "azurerm_dns_aaaa_record")
    assert "azurerm_dns_cname_record" not in glob["resource"]
    assert (a_record["name"], aaaa_record["name"]) == ("app", "app")
    assert _reference(a_record["target_resource_id"]).endswith("dns_traffic_manager_ipv4")
    assert _reference(aaaa_record["target_resource_id"]).endswith("dns_traffic_manager_ipv6")
    outputs = {body["value"]: name for name, body in glob["output"].items()}
    for region_name in ("eastus2", "westeurope"):
        stack = default_stacks[f"region-{region_name}"]
        endpoints = resources(stack, "azurerm_traffic_manager_external_endpoint")
        assert len(endpoints) == 2
        for endpoint in endpoints:
            public_ip = _reference(endpoint["target"])
            family = public_ip.rsplit("_", 1)[1]
            # The endpoint is the family's own public IP address, in the family's own profile.
            assert public_ip == f"azurerm_public_ip.edge_ingress_public_{family}" and endpoint["target"].endswith(".ip_address}")
            profile_output = outputs[f"${{azurerm_traffic_manager_profile.dns_traffic_manager_{family}_{_hash(glob, family)}.id}}"]
            assert endpoint["profile_id"].endswith(f".outputs.{profile_output}}}")
            assert (endpoint["name"], endpoint["endpoint_location"]) == (region_name, region_name)


def _hash(stack: dict, family: str) -> str:
    (name,) = [name for name in stack["resource"]["azurerm_traffic_manager_profile"] if f"_{family}_" in name]
    return name.rsplit("_", 1)[1]


def test_per_family_health_a_family_absent_everywhere_has_no_profile_and_no_record(synthesize):
    raw = _raw()
    raw.setdefault("ingress", {})["translating_ingress"] = False
    _, stacks = synthesize(_parsed(raw))
    glob = stacks["global"]
    assert [profile["name"] for profile in resources(glob, "azurerm_traffic_manager_profile")] == ["traf-dsaks-ipv4"]
    assert "azurerm_dns_aaaa_record" not in glob["resource"] and only(glob, "azurerm_dns_a_record")["name"] == "app"
    for region_name in ("eastus2", "westeurope"):
        (endpoint,) = resources(stacks[f"region-{region_name}"], "azurerm_traffic_manager_external_endpoint")
        assert _reference(endpoint["target"]) == "azurerm_public_ip.edge_ingress_public_ipv4"


# --- 6. Brownfield edges: an existing cluster needs its VNet named ---


def test_brownfield_existing_cluster_needs_existing_network():
    raw = _raw(EXISTING)
    del raw["regions"][0]["existing_network"]
    raw["regions"][0]["network"] = {}
    assert check_config(_model(raw)) == [
        ("regions[0].existing_cluster", "needs existing_network: the VNet and subnets the cluster runs in (an AKS-managed VNet is not supported)")
    ]


# --- 7. The security guard sees through spelling (policy/rules.py) ---


@pytest.mark.parametrize(
    "ranges",
    [
        ["0.0.0.0/0"],
        ["0.0.0.0/1", "128.0.0.0/1"],
        ["0/0"],
        ["*"],
        ["::/0"],
        ["10.0.0.0/8", "0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"],
        ["${var.ranges}"],
        ["0.0.0.0/1", "128.0.0.0/2"],  # three quarters of the Internet: open by coverage (issue 23), not only a whole /0
    ],
    ids=["slash-0", "two-halves", "0/0", "star", "ipv6-all", "quarters", "expression", "three-quarters"],
)
def test_open_range_however_spelled_needs_an_acknowledgement(ranges):
    assert api_server_restricted({"api_server_access_profile": {"authorized_ip_ranges": ranges}}) is False
    rules = [{"action": "Allow", "ip_range": cidr} for cidr in ranges]
    assert registry_restricted({"public_network_access_enabled": True, "network_rule_set": [{"default_action": "Deny", "ip_rule": rules}]}) is False


def test_open_range_a_real_allow_list_is_restricted(default_stacks):
    assert api_server_restricted(only(default_stacks["region-eastus2"], CLUSTER))
    assert api_server_restricted({"api_server_access_profile": {"authorized_ip_ranges": ["198.51.100.0/24", "203.0.113.0/24"]}})
    assert registry_restricted(
        {"public_network_access_enabled": True, "network_rule_set": [{"default_action": "Deny", "ip_rule": [{"ip_range": "203.0.113.0/24"}]}]}
    )
    assert registry_restricted(only(default_stacks["global"], REGISTRY))


def test_open_range_in_the_config_is_refused_without_acknowledgement(synthesize):
    raw = _raw()
    raw["cluster"]["api_server"]["authorized_ip_ranges"] = ["0.0.0.0/1", "128.0.0.0/1"]
    with pytest.raises(ConfigError) as error:
        synthesize(_parsed(raw), source="open.yaml")
    assert error.value.problems == [
        "open.yaml: cluster.api_server: turns off security control AKS-API-ACCESS (the API server is private or limited to authorized IP ranges; "
        "not met by region-eastus2/cluster/kubernetes_cluster, region-westeurope/cluster/kubernetes_cluster); "
        "turn it back on, or add `security.acknowledgements.AKS-API-ACCESS: <reason>`"
    ]


# --- 8. Ranges Azure and AKS refuse (virtual-networks-faq.md; concepts-network-cni-overview.md:104-113) ---


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("address_space.ipv4", "127.0.0.0/8", "127.0.0.0/8 is a loopback range, which Azure does not route; use a unicast range like 10.1.0.0/16"),
        ("address_space.ipv4", "224.0.0.0/4", "224.0.0.0/4 is a multicast range, which Azure does not route; use a unicast range like 10.1.0.0/16"),
        ("address_space.ipv6", "fe80::/10", "fe80::/10 is a link-local range, which Azure does not route; use a unicast range like fd00:db8:deca::/48"),
        ("address_space.ipv6", "fe80::%eth0/64", "fe80::%eth0/64 has a zone id (%eth0): Azure takes plain ranges, like fd00:db8:deca::/48"),
        (
            "cluster.api_server.authorized_ip_ranges",
            ["0.0.0.0/32"],
            "0.0.0.0/32 is a unspecified range, which Azure does not route; use a unicast range like 10.1.0.0/16",
        ),
        (
            "regions[0].kubernetes.dns_service_ip",
            "127.0.0.10",
            "127.0.0.10 is a loopback address, which Azure does not route; use a unicast address like 10.0.0.10",
        ),
    ],
)
def test_special_ranges_are_refused_with_one_line(field, value, message):
    raw = _raw()
    *parents, leaf = field.replace("[0]", ".0").split(".")
    node = raw
    for key in parents:
        node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
    node[leaf] = value
    path = field + ("[0]" if isinstance(value, list) else "")
    assert _problems(raw) == [f"bad.yaml: {path}: {message}"]


@pytest.mark.parametrize(
    ("ranges", "path", "message"),
    [
        (
            {"service_cidrs": {"ipv4": "172.30.0.0/16", "ipv6": "fd5a:1c00:d000:f00::/108"}},
            "kubernetes.service_cidrs.ipv4",
            "172.30.0.0/16 overlaps 172.30.0.0/16",
        ),
        (
            {"service_cidrs": {"ipv4": "192.0.0.0/22", "ipv6": "fd5a:1c00:d000:f00::/108"}},
            "kubernetes.service_cidrs.ipv4",
            "192.0.0.0/22 overlaps 192.0.2.0/24",
        ),
        (
            {"pod_cidrs": {"ipv4": "172.16.0.0/12", "ipv6": "fd5a:1c00:d000:e000::/64"}},
            "kubernetes.pod_cidrs.ipv4",
            "172.16.0.0/12 overlaps 172.30.0.0/16 and 172.31.0.0/16",
        ),
    ],
    ids=["service-equal", "service-overlap", "pods-overlap-two"],
)
def test_aks_reserved_ranges_are_refused_on_overlap(ranges, path, message):
    raw = _raw()
    raw["regions"][0]["kubernetes"] = ranges
    reason = "which AKS reserves (concepts-network-cni-overview.md, AKS CNI networking prerequisites)"
    assert check_config(_model(raw)) == [(f"regions[0].{path}", f"{message}, {reason}")]


def test_aks_reserved_ranges_are_refused_where_the_plan_puts_them():
    """A 172.16.0.0/12 supernet's second /13 slot (index 1) holds 172.30.0.0/16 and 172.31.0.0/16."""
    raw = _raw()
    raw["address_space"] = {"ipv4": "172.16.0.0/12"}
    reason = "which AKS reserves (concepts-network-cni-overview.md, AKS CNI networking prerequisites)"
    assert check_config(_model(raw)) == [("regions[1].kubernetes.pod_cidrs.ipv4", f"172.28.0.0/14 overlaps 172.30.0.0/16 and 172.31.0.0/16, {reason}")]


# --- 9. A second apply changes nothing it need not (kubernetes_cluster_node_pool_resource.go:959-999, container_registry_resource.go:90, 925-930) ---


def test_rotation_node_pool_rule_is_the_providers():
    """KubernetesAgentPoolName (containers/validate/kubernetes.go:34 at v4.55.0): `^[a-z]{1}[a-z\\d]{0,11}$`."""
    rule, _ = NAME_RULES["node_pool"]
    assert [bool(rule.match(name)) for name in ("usertmp", "a" * 12, "a" * 13, "user-tmp", "User", "1user")] == [True, True, False, False, False, False]


def test_rotation_every_node_pool_rotates_through_a_valid_temporary_pool(default_stacks):
    """A pool without temporary_name_for_rotation fails the update of vm_size, OS disk, max_pods, zones or host encryption
    (kubernetes_cluster_node_pool_resource.go:959-976 lists them, :998-999 refuses)."""
    region = default_stacks["region-eastus2"]
    system = only(region, "azurerm_kubernetes_cluster")["default_node_pool"]
    user = only(region, "azurerm_kubernetes_cluster_node_pool")
    names = [system["name"], system["temporary_name_for_rotation"], user["name"], user["temporary_name_for_rotation"]]
    assert names == [SYSTEM_POOL.name, SYSTEM_POOL.temporary_name_for_rotation, USER_POOL.name, USER_POOL.temporary_name_for_rotation]
    assert all(NAME_RULES["node_pool"][0].match(name) for name in names), names
    # The temporary pool sits beside both pools while one rotates, so no two names may meet.
    assert len(set(names)) == len(names)


def test_registry_replicas_are_sorted_by_location_whatever_the_region_order(synthesize):
    """The provider sorts what it reads back (container_registry_resource.go:925-930) into a TypeList (:90-93): order is compared."""
    raw = _raw(THREE_REGIONS)
    del raw["registry_region"]  # home is then the first region: the replicas come in config order, westeurope before northcentralus
    assert [region["name"] for region in raw["regions"]] == ["eastus2", "westeurope", "northcentralus"]
    config = _parsed(raw)
    assert resolve(config).global_.replica_regions == ("northcentralus", "westeurope")
    _, stacks = synthesize(config)
    registry = only(stacks["global"], "azurerm_container_registry")
    assert registry["location"] == "eastus2"
    assert [replica["location"] for replica in registry["georeplications"]] == ["northcentralus", "westeurope"]
