"""Address plan: every region's VNet, subnet, pod and service ranges, in pure Python.

Each region index owns one fixed slot of each supernet, so adding or removing a region
never moves another region's ranges. Explicit ranges in the config win over the slot.

Slot layout (IPv4: one /13 per index; IPv6: one /48 per index):
  IPv4  /16 #0 VNet (nodes /22 at .0.0, ingress /24 at .4.0, Application Gateway /24 at .5.0), /16 #1 services, /14 #1 pods
  IPv6  /56 #0 VNet (nodes /64 #0, ingress /64 #1, Application Gateway /64 #2), /64 #256 pods, /108 #0 of /64 #512 services
The Application Gateway subnet is planned only with `edge.entry: application-gateway`; its slot is
fixed, so turning the gateway on or off never moves another range.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Network
from typing import TypeVar

from dualstack_aks.model.config import AddressSpace, DualStackCidrs, RegionSettings
from dualstack_aks.text import format_table

IPV4_SLOT_PREFIX = 13
IPV6_SLOT_PREFIX = 48
# The cluster DNS Service takes this address of the IPv4 service range unless the config names one.
DNS_SERVICE_IP_OFFSET = 10
INTERNAL_INGRESS_HOST = 10


class AllocationError(ValueError):
    """A range the config leaves out cannot be planned; `path` is the region field to fix."""

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
    gateway_subnet: FamilyPair | None = None  # only with the Application Gateway entry

    def named_ranges(self) -> dict[str, FamilyPair]:
        """The ranges by the config field that can set each of them."""
        return {
            "network.vnet": self.vnet,
            "network.nodes_subnet": self.nodes_subnet,
            "network.ingress_subnet": self.ingress_subnet,
            **({"network.gateway_subnet": self.gateway_subnet} if self.gateway_subnet else {}),
            "kubernetes.pod_cidrs": self.pod_cidrs,
            "kubernetes.service_cidrs": self.service_cidrs,
        }

    def subnet_fields(self) -> tuple[str, ...]:
        """The config fields of the VNet's subnets this plan holds."""
        return tuple(field for field in self.named_ranges() if field.startswith("network.") and field.endswith("_subnet"))

    def internal_ingress_ips(self) -> dict[str, str]:
        """Static private addresses of the internal load balancers, by family: a fixed host of the
        ingress subnet (Azure reserves the first four addresses of every subnet)."""
        if self.ingress_subnet.ipv4.num_addresses <= INTERNAL_INGRESS_HOST:
            raise AllocationError(
                "network.ingress_subnet.ipv4", f"is too small for the internal load balancer address (host #{INTERNAL_INGRESS_HOST}); use a /28 or larger"
            )
        return {
            "ipv4": str(self.ingress_subnet.ipv4[INTERNAL_INGRESS_HOST]),
            "ipv6": str(self.ingress_subnet.ipv6[INTERNAL_INGRESS_HOST]),
        }


def subnet_count(network: IPv4Network | IPv6Network, new_prefix: int) -> int:
    """How many /new_prefix subnets `network` holds (0 when it is smaller than one)."""
    return 1 << (new_prefix - network.prefixlen) if network.prefixlen <= new_prefix else 0


Network = TypeVar("Network", IPv4Network, IPv6Network)


def _nth(network: Network, new_prefix: int, index: int) -> Network:
    """The index-th subnet of `network` with `new_prefix`, without listing them all."""
    size = 1 << (network.max_prefixlen - new_prefix)
    return type(network)((int(network.network_address) + index * size, new_prefix))


def _slot(supernet: Network, slot_prefix: int, index: int, field: str) -> Network:
    slots = subnet_count(supernet, slot_prefix)
    if index >= slots:
        room = f"which has slots for index 0-{slots - 1}" if slots else f"which is smaller than the /{slot_prefix} a region needs"
        raise AllocationError("index", f"{index} has no slot in {field} {supernet}, {room}")
    return _nth(supernet, slot_prefix, index)


def _subnet_in_vnet(vnet: Network, new_prefix: int, index: int, field: str) -> Network:
    if index >= subnet_count(vnet, new_prefix):
        # The index-th /new_prefix needs 2**bit_length(index) subnets of room.
        needed = new_prefix - index.bit_length()
        raise AllocationError(field, f"not set, and the VNet {vnet} has no room for the planned /{new_prefix}; set it, or make the VNet a /{needed} or larger")
    return _nth(vnet, new_prefix, index)


def _pair(explicit: DualStackCidrs | None, planned: Callable[[], FamilyPair]) -> FamilyPair:
    if explicit is not None:
        return FamilyPair(IPv4Network(explicit.ipv4), IPv6Network(explicit.ipv6))
    return planned()


def _dns_service_ip(explicit: str | None, services: IPv4Network) -> IPv4Address:
    if explicit is not None:
        return IPv4Address(explicit)
    if services.num_addresses <= DNS_SERVICE_IP_OFFSET:
        raise AllocationError(
            "kubernetes.dns_service_ip",
            f"not set, and the IPv4 service range {services} has no address #{DNS_SERVICE_IP_OFFSET} to use; set it, or use a larger range",
        )
    return services[DNS_SERVICE_IP_OFFSET]


def allocate_region(region: RegionSettings, space: AddressSpace, *, gateway_subnet: bool = False) -> RegionAddresses:
    """Ranges of one region (with `gateway_subnet`, the Application Gateway's too); raises
    AllocationError when a range left out cannot be planned."""

    def v4_slot() -> IPv4Network:
        return _slot(IPv4Network(space.ipv4), IPV4_SLOT_PREFIX, region.index, "address_space.ipv4")

    def v6_slot() -> IPv6Network:
        return _slot(IPv6Network(space.ipv6), IPV6_SLOT_PREFIX, region.index, "address_space.ipv6")

    def planned(v4_prefix: int, v4_index: int, v6_prefix: int, v6_index: int, v6_inner: int | None = None) -> Callable[[], FamilyPair]:
        def build() -> FamilyPair:
            ipv6 = _nth(v6_slot(), v6_prefix, v6_index)
            if v6_inner is not None:
                ipv6 = _nth(ipv6, v6_inner, 0)
            return FamilyPair(_nth(v4_slot(), v4_prefix, v4_index), ipv6)

        return build

    def in_vnet(field: str, v4_prefix: int, v4_index: int, v6_index: int) -> Callable[[], FamilyPair]:
        def build() -> FamilyPair:
            return FamilyPair(
                _subnet_in_vnet(vnet.ipv4, v4_prefix, v4_index, f"{field}.ipv4"),
                _subnet_in_vnet(vnet.ipv6, 64, v6_index, f"{field}.ipv6"),
            )

        return build

    network, kubernetes = region.network, region.kubernetes
    vnet = _pair(network.vnet, planned(16, 0, 56, 0))
    service_cidrs = _pair(kubernetes.service_cidrs, planned(16, 1, 64, 512, v6_inner=108))
    return RegionAddresses(
        region=region.name,
        vnet=vnet,
        nodes_subnet=_pair(network.nodes_subnet, in_vnet("network.nodes_subnet", 22, 0, 0)),
        ingress_subnet=_pair(network.ingress_subnet, in_vnet("network.ingress_subnet", 24, 4, 1)),
        pod_cidrs=_pair(kubernetes.pod_cidrs, planned(14, 1, 64, 256)),
        service_cidrs=service_cidrs,
        dns_service_ip=_dns_service_ip(kubernetes.dns_service_ip, service_cidrs.ipv4),
        gateway_subnet=_pair(network.gateway_subnet, in_vnet("network.gateway_subnet", 24, 5, 2)) if gateway_subnet else None,
    )


def format_addresses(plan: list[RegionAddresses]) -> str:
    """The plan as a fixed-width table, one row per region and range."""
    rows = [("region", "range", "IPv4", "IPv6")]
    for addresses in plan:
        name = addresses.region
        for label, pair in addresses.named_ranges().items():
            rows.append((name, label.split(".")[1], str(pair.ipv4), str(pair.ipv6)))
        rows.append((name, "dns_service_ip", str(addresses.dns_service_ip), ""))
    return "\n".join(format_table(rows))
