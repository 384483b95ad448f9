"""Address plan: every region's VNet, subnet, pod and service ranges, in pure Python.

Each region index owns one fixed slot of each supernet, so adding or removing a region
never moves another region's ranges. Explicit ranges in the config win over the slot.

Slot layout (IPv4: one /13 per index; IPv6: one /48 per index):
  IPv4  /16 #0 VNet (nodes /22 at .0.0, ingress /24 at .4.0), /16 #1 services, /14 #1 pods
  IPv6  /56 #0 VNet (nodes /64 #0, ingress /64 #1), /64 #256 pods, /108 #0 of /64 #512 services
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Network

from dualstack_aks.config import AddressSpace, Config, DualStackCidrs, Region

IPV4_SLOT_PREFIX = 13
IPV6_SLOT_PREFIX = 48


class PlanError(ValueError):
    """A region's index has no slot in a supernet."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class FamilyPair:
    """One range per family; Azure wants them IPv4 first."""

    ipv4: IPv4Network
    ipv6: IPv6Network

    def as_list(self) -> list[str]:
        return [str(self.ipv4), str(self.ipv6)]


@dataclass(frozen=True)
class RegionAddresses:
    region: str
    vnet: FamilyPair
    nodes_subnet: FamilyPair
    ingress_subnet: FamilyPair
    pod_cidrs: FamilyPair
    service_cidrs: FamilyPair
    dns_service_ip: IPv4Address

    def named_ranges(self) -> dict[str, FamilyPair]:
        """The ranges by the config field that can set each of them."""
        return {
            "network.vnet": self.vnet,
            "network.nodes_subnet": self.nodes_subnet,
            "network.ingress_subnet": self.ingress_subnet,
            "kubernetes.pod_cidrs": self.pod_cidrs,
            "kubernetes.service_cidrs": self.service_cidrs,
        }


def _nth(network, new_prefix: int, index: int):
    """The index-th subnet of `network` with `new_prefix`, without listing them all."""
    size = 1 << (network.max_prefixlen - new_prefix)
    return ipaddress.ip_network((int(network.network_address) + index * size, new_prefix))


def _slot(supernet, slot_prefix: int, index: int, path: str):
    if supernet.prefixlen > slot_prefix:
        raise PlanError(path, f"is {supernet}; planning needs a /{slot_prefix} per region, so use a /{slot_prefix} or larger")
    slots = 1 << (slot_prefix - supernet.prefixlen)
    if index >= slots:
        raise PlanError(path, f"{supernet} has {slots} region slots (index 0-{slots - 1}); a region uses index {index}")
    return _nth(supernet, slot_prefix, index)


def _pair(explicit: DualStackCidrs | None, planned) -> FamilyPair:
    if explicit is not None:
        return FamilyPair(IPv4Network(explicit.ipv4), IPv6Network(explicit.ipv6))
    return planned()


def plan_region(region: Region, space: AddressSpace) -> RegionAddresses:
    """Ranges of one region; raises PlanError when a planned range has no slot."""

    def v4_slot() -> IPv4Network:
        return _slot(IPv4Network(space.ipv4), IPV4_SLOT_PREFIX, region.index, "address_space.ipv4")

    def v6_slot() -> IPv6Network:
        return _slot(IPv6Network(space.ipv6), IPV6_SLOT_PREFIX, region.index, "address_space.ipv6")

    def planned(v4_prefix: int, v4_index: int, v6_prefix: int, v6_index: int, v6_inner: int | None = None):
        def build() -> FamilyPair:
            ipv6 = _nth(v6_slot(), v6_prefix, v6_index)
            if v6_inner is not None:
                ipv6 = _nth(ipv6, v6_inner, 0)
            return FamilyPair(_nth(v4_slot(), v4_prefix, v4_index), ipv6)

        return build

    network, kubernetes = region.network, region.kubernetes
    vnet = _pair(network.vnet, planned(16, 0, 56, 0))
    service_cidrs = _pair(kubernetes.service_cidrs, planned(16, 1, 64, 512, v6_inner=108))
    return RegionAddresses(
        region=region.name,
        vnet=vnet,
        nodes_subnet=_pair(network.nodes_subnet, lambda: FamilyPair(_nth(vnet.ipv4, 22, 0), _nth(vnet.ipv6, 64, 0))),
        ingress_subnet=_pair(network.ingress_subnet, lambda: FamilyPair(_nth(vnet.ipv4, 24, 4), _nth(vnet.ipv6, 64, 1))),
        pod_cidrs=_pair(kubernetes.pod_cidrs, planned(14, 1, 64, 256)),
        service_cidrs=service_cidrs,
        dns_service_ip=IPv4Address(kubernetes.dns_service_ip) if kubernetes.dns_service_ip else service_cidrs.ipv4[10],
    )


def plan_addresses(config: Config) -> dict[str, RegionAddresses]:
    """Ranges of every region, keyed by region name (config must be validated)."""
    return {region.name: plan_region(region, config.address_space) for region in config.regions}


def format_plan(plan: dict[str, RegionAddresses]) -> str:
    """The plan as a fixed-width table, one row per region and range."""
    rows = [("region", "range", "IPv4", "IPv6")]
    for name, addresses in plan.items():
        for label, pair in addresses.named_ranges().items():
            rows.append((name, label.split(".")[1], str(pair.ipv4), str(pair.ipv6)))
        rows.append((name, "dns_service_ip", str(addresses.dns_service_ip), ""))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)
