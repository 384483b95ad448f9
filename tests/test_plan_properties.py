"""Properties of the address plan over generated valid configs of 1 to 20 regions (random region
names, random distinct indexes inside the supernets' slots), and the `--plan` table."""

from __future__ import annotations

import tempfile
from ipaddress import IPv4Network, IPv6Network
from itertools import combinations

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dualstack_aks.cli import main as cli_main
from dualstack_aks.model.addresses import (
    IPV4_SLOT_PREFIX,
    IPV6_SLOT_PREFIX,
    subnet_count,
)
from dualstack_aks.model.config import Config
from dualstack_aks.model.loading import parse_config
from dualstack_aks.model.regions import AZURE_REGION_CODES
from dualstack_aks.model.validation import check_config
from tests.conftest import DEFAULT_CONFIG, addresses_by_region, only

REGION_NAMES = sorted(AZURE_REGION_CODES)
MAX_REGIONS = 20
# 32, 8 and 2 region slots of /13: the plan must hold for small supernets as well as large ones.
# (172.16.0.0/12 is out: its second slot holds 172.30.0.0/16 and 172.31.0.0/16, which AKS reserves.)
IPV4_SUPERNETS = ["10.0.0.0/8", "10.64.0.0/10", "10.16.0.0/12"]
# No deadline: these machines are shared, and a slow example is not a wrong one.
DETERMINISTIC = settings(derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def ula_supernets(draw) -> str:
    """A random unique-local (fd00::/8) supernet of 256 or 16 region slots."""
    prefix = draw(st.sampled_from([40, 44]))
    global_id = draw(st.integers(0, 2 ** (prefix - 8) - 1))
    return str(IPv6Network(((0xFD << 120) | (global_id << (128 - prefix)), prefix)))


def region_slots(space: dict[str, str]) -> int:
    """How many region indexes both supernets have a slot for."""
    return min(subnet_count(IPv4Network(space["ipv4"]), IPV4_SLOT_PREFIX), subnet_count(IPv6Network(space["ipv6"]), IPV6_SLOT_PREFIX))


@st.composite
def config_data(draw, max_regions: int = MAX_REGIONS, spare_slots: int = 0) -> dict:
    """config/default.yaml with random supernets, primary family and regions, leaving `spare_slots` indexes free."""
    space = {"ipv4": draw(st.sampled_from(IPV4_SUPERNETS)), "ipv6": draw(ula_supernets())}
    slots = region_slots(space)
    # Drawing the count first reaches long region lists far more often than drawing a list of any length.
    count = draw(st.integers(1, min(max_regions, slots - spare_slots)))
    names = draw(st.lists(st.sampled_from(REGION_NAMES), min_size=count, max_size=count, unique=True))
    indexes = draw(st.lists(st.integers(0, slots - 1), min_size=count, max_size=count, unique=True))
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["address_space"] = space
    data["primary_family"] = draw(st.sampled_from(["ipv4", "ipv6"]))
    data["regions"] = [{"name": name, "index": index} for name, index in zip(names, indexes, strict=True)]
    return data


def configs() -> st.SearchStrategy[Config]:
    return config_data().map(lambda data: parse_config(data, "(generated)"))


def _twenty_regions() -> Config:
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["regions"] = [{"name": name, "index": 31 - position} for position, name in enumerate(REGION_NAMES[::3][:MAX_REGIONS])]
    return parse_config(data, "(twenty regions)")


# Small supernets cap the region count, so the largest case is always checked explicitly.
TWENTY_REGIONS = _twenty_regions()


@DETERMINISTIC
@given(configs())
@example(TWENTY_REGIONS)
def test_generated_configs_pass_validation(config):
    assert check_config(config) == []


@DETERMINISTIC
@given(configs())
@example(TWENTY_REGIONS)
def test_no_range_overlaps_another_anywhere(config):
    plan = addresses_by_region(config).values()
    for family in ("ipv4", "ipv6"):
        # VNets, pod and service ranges of every region are pairwise disjoint...
        ranges = [getattr(getattr(region, field), family) for region in plan for field in ("vnet", "pod_cidrs", "service_cidrs")]
        assert [(a, b) for a, b in combinations(ranges, 2) if a.overlaps(b)] == []
        # ...and each region's subnets lie inside its VNet without touching each other.
        for region in plan:
            vnet, nodes, ingress = (getattr(getattr(region, field), family) for field in ("vnet", "nodes_subnet", "ingress_subnet"))
            assert nodes.subnet_of(vnet) and ingress.subnet_of(vnet) and not nodes.overlaps(ingress)


@DETERMINISTIC
@given(configs())
@example(TWENTY_REGIONS)
def test_every_ipv6_subnet_is_a_64(config):
    for region in addresses_by_region(config).values():
        assert (region.nodes_subnet.ipv6.prefixlen, region.ingress_subnet.ipv6.prefixlen) == (64, 64)


@DETERMINISTIC
@given(data=config_data(max_regions=MAX_REGIONS - 1, spare_slots=1), choice=st.data())
def test_adding_or_removing_a_region_moves_no_other_region(data, choice):
    before = addresses_by_region(parse_config(data, "(generated)"))
    removed = choice.draw(st.sampled_from(data["regions"]))
    free_index = choice.draw(st.sampled_from(sorted(set(range(region_slots(data["address_space"]))) - {region["index"] for region in data["regions"]})))
    added = {"name": choice.draw(st.sampled_from(sorted(set(REGION_NAMES) - set(before)))), "index": free_index}
    after_adding = addresses_by_region(parse_config({**data, "regions": [*data["regions"], added]}, "(generated)"))
    # Removing one region while adding another keeps at least one region in the config.
    after_swapping = addresses_by_region(
        parse_config({**data, "regions": [region for region in data["regions"] if region is not removed] + [added]}, "(generated)")
    )
    kept = [name for name in before if name != removed["name"]]
    assert {name: after_adding[name] for name in before} == before
    assert {name: after_swapping[name] for name in kept} == {name: before[name] for name in kept}


@settings(DETERMINISTIC, max_examples=8, deadline=None)
@given(configs())
@example(TWENTY_REGIONS)
def test_every_generated_config_synthesizes(config):
    from dualstack_aks.output.summary import read_stacks
    from dualstack_aks.synth import synthesize

    plan = addresses_by_region(config)
    with tempfile.TemporaryDirectory() as outdir:
        synthesize(config, outdir, source="(generated)")
        stacks = read_stacks(outdir)
    assert set(stacks) == {"global"} | {f"{kind}-{name}" for name in plan for kind in ("region", "ingress")}
    for name, addresses in plan.items():
        assert only(stacks[f"region-{name}"], "azurerm_virtual_network")["address_space"] == addresses.vnet.as_list()


def test_plan_table_has_every_region_and_both_families(capsys):
    assert cli_main(["addresses", "--config", str(DEFAULT_CONFIG)]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows[0] == ["region", "range", "IPv4", "IPv6"]
    expected = [["region", "range", "IPv4", "IPv6"]]
    for name, addresses in addresses_by_region(parse_config(yaml.safe_load(DEFAULT_CONFIG.read_text()), "x")).items():
        expected += [[name, field.split(".")[1], str(pair.ipv4), str(pair.ipv6)] for field, pair in addresses.named_ranges().items()]
        expected.append([name, "dns_service_ip", str(addresses.dns_service_ip)])
    assert rows == expected
    assert {row[0] for row in rows[1:]} == {"eastus2", "westeurope"}
    assert all(IPv4Network(row[2]) and IPv6Network(row[3]) for row in rows[1:] if row[1] != "dns_service_ip")
