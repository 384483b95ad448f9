"""The resolved deployment model: every decision is taken once, in pure Python (no jsii)."""

from __future__ import annotations

import pytest

from dualstack_aks.model import deployment as model
from dualstack_aks.model.addresses import AllocationError
from dualstack_aks.model.config import Config
from dualstack_aks.model.deployment import MAX_SURGE_PERCENT, UnallocatedRanges, resolve
from dualstack_aks.model.loading import load_config
from dualstack_aks.model.validation import check_config
from tests.conftest import EXAMPLES, config_with, mutate


@pytest.fixture(scope="module")
def default(default_config) -> model.Deployment:
    return resolve(default_config)


def test_stacks_are_named_once_per_region_in_config_order(default, default_config):
    assert default.global_.stack == "global"
    assert [(region.stack, region.ingress_stack) for region in default.regions] == [
        (f"region-{settings.name}", f"ingress-{settings.name}") for settings in default_config.regions
    ]


def test_new_network_and_cluster_by_default(default):
    for region in default.regions:
        assert region.network == model.NewNetwork()
        assert isinstance(region.cluster, model.NewCluster) and region.cluster.spec is default.cluster_spec
        assert (region.cluster_name, region.cluster_resource_group) == (region.names.cluster, region.names.resource_group)


def test_brownfield_is_decided_in_the_model():
    deployment = resolve(load_config(EXAMPLES / "existing-cluster.yaml"))
    kinds = {region.name: (region.network.kind, region.cluster.kind) for region in deployment.regions}
    assert sorted(kinds.values()) == [("existing", "existing"), ("existing", "new")]
    for region in deployment.regions:
        if isinstance(region.cluster, model.ExistingCluster):
            # The ingress stack reaches the existing cluster, not a derived name.
            assert (region.cluster_name, region.cluster_resource_group) == (region.cluster.name, region.cluster.resource_group)
        if isinstance(region.network, model.ExistingNetwork) and region.internal_addresses:
            # Internal load balancers go into the existing VNet's own ingress subnet.
            assert {release.internal_subnet for release in region.releases} == {region.network.ingress_subnet}


def test_twin_releases_follow_the_primary_family(default_config):
    for primary, translating in (("ipv4", ("ipv6", "nat64-proxy")), ("ipv6", ("ipv4", "nat46-proxy"))):
        region = resolve(config_with(default_config, primary_family=primary)).regions[0]
        assert [(release.variant, release.role) for release in region.releases] == sorted([(primary, "native"), translating])
        assert region.public_families == ("ipv4", "ipv6")
        assert region.sample_app is None


def test_translating_ingress_off_leaves_one_family_everywhere(default_config):
    region = resolve(config_with(default_config, ingress={"translating_ingress": False})).regions[0]
    assert [release.variant for release in region.releases] == ["ipv4"]
    assert region.public_families == ("ipv4",)


def test_internal_addresses_only_with_internal_load_balancers(default_config):
    on = resolve(default_config).regions[0]
    assert on.internal_addresses == {"ipv4": str(on.addresses.ingress_subnet.ipv4[10]), "ipv6": str(on.addresses.ingress_subnet.ipv6[10])}
    off = resolve(config_with(default_config, ingress={"internal_load_balancers": False})).regions[0]
    assert off.internal_addresses == {}
    assert all(release.internal_subnet is None for release in off.releases)


def test_sample_app_serves_the_global_regional_and_private_names(default_config):
    region = resolve(config_with(default_config, sample_app={"enabled": True})).regions[0]
    assert region.sample_app is not None
    assert region.sample_app.hosts == ("app.dualstack.example.com", region.fqdn, region.private_fqdn)
    assert region.sample_app.ingress_classes == tuple(release.names.ingress_class for release in region.releases)
    assert region.sample_app.backend_family == "IPv4"


def test_tags_add_the_region_to_the_shared_tags(default_config):
    deployment = resolve(config_with(default_config, tags={"team": "edge"}))
    assert deployment.global_.tags == {"managed-by": "cdktf", "app": "dualstack-aks", "team": "edge"}
    assert deployment.regions[1].tags == {**deployment.global_.tags, "region": deployment.regions[1].name}


def test_upgrade_surge_is_one_fact(default):
    """Validation sizes the subnets with the same surge the node pools are given."""
    assert default.cluster_spec.max_surge == f"{MAX_SURGE_PERCENT}%"


def test_surge_reaches_both_node_pools(default_stacks, default):
    region = default_stacks[default.regions[0].stack]
    (cluster,) = region["resource"]["azurerm_kubernetes_cluster"].values()
    (pool,) = region["resource"]["azurerm_kubernetes_cluster_node_pool"].values()
    assert cluster["default_node_pool"]["upgrade_settings"]["max_surge"] == pool["upgrade_settings"]["max_surge"] == default.cluster_spec.max_surge


def test_a_tiny_ingress_subnet_cannot_hold_the_internal_load_balancer_address(default_config):
    changes = {"regions[0].network.ingress_subnet": {"ipv4": "10.0.4.0/29", "ipv6": "fd5a:1c00:d000:1::/64"}}
    small = Config.model_validate(mutate(default_config.model_dump(mode="json"), changes))  # schema-valid, not cross-checked
    with pytest.raises(UnallocatedRanges) as raised:
        resolve(small)
    assert raised.value.problems == [
        ("regions[0].network.ingress_subnet.ipv4", "is too small for the internal load balancer address (host #10); use a /28 or larger")
    ]
    assert ("regions[0].network.ingress_subnet.ipv4", raised.value.problems[0][1]) in check_config(small)


def test_allocation_errors_name_the_field():
    error = AllocationError("network.vnet", "why")
    assert (error.path, str(error)) == ("network.vnet", "why")
