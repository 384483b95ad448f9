"""Rules that span fields: the address plan, overlaps, AKS limits and derived Azure names.

Field syntax (CIDR family, region names, patterns) is checked by the models in config.py;
what is here needs more than one field. Each rule yields (dotted path, message).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import combinations

from dualstack_aks.config import Config
from dualstack_aks.naming import NAME_RULES, GlobalNames, RegionNames
from dualstack_aks.plan import PlanError, RegionAddresses, plan_region

Problem = tuple[str, str]
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def check_config(config: Config) -> list[Problem]:
    """Every cross-field problem of an otherwise well-formed config, in file order."""
    problems = list(_check_regions_unique(config))
    problems += _check_settings(config)
    plans: dict[int, RegionAddresses] = {}
    for position, region in enumerate(config.regions):
        path = f"regions[{position}]"
        try:
            plans[position] = plan_region(region, config.address_space)
        except PlanError as error:
            problems.append((f"{error.path}", f"{error} ({path}.index)"))
            continue
        problems += _check_region_ranges(path, plans[position])
    problems += _check_between_regions(plans)
    problems += _check_names(config)
    return problems


def _check_regions_unique(config: Config) -> Iterator[Problem]:
    seen_names: dict[str, int] = {}
    seen_indexes: dict[int, int] = {}
    for position, region in enumerate(config.regions):
        if region.name in seen_names:
            yield f"regions[{position}].name", f"{region.name!r} is already regions[{seen_names[region.name]}]; each region once"
        seen_names.setdefault(region.name, position)
        if region.index in seen_indexes:
            yield f"regions[{position}].index", f"{region.index} is already used by regions[{seen_indexes[region.index]}]; each region needs its own index"
        seen_indexes.setdefault(region.index, position)
    if config.registry_region is not None and config.registry_region not in seen_names:
        yield "registry_region", f"{config.registry_region!r} is not one of the configured regions ({', '.join(seen_names)})"


def _check_settings(config: Config) -> Iterator[Problem]:
    for pool in ("system_pool", "user_pool"):
        sizes = getattr(config.cluster, pool)
        if sizes.min_count > sizes.max_count:
            yield f"cluster.{pool}.min_count", f"{sizes.min_count} is above max_count {sizes.max_count}"
    if len(set(config.cluster.zones)) != len(config.cluster.zones):
        yield "cluster.zones", f"lists a zone twice: {config.cluster.zones}"
    for position, group in enumerate(config.cluster.admin_group_object_ids):
        if not _UUID.match(group):
            yield f"cluster.admin_group_object_ids[{position}]", f"must be an Entra ID object id (a UUID), got {group!r}"
    if config.private_zone == config.dns.zone:
        yield "dns.private_zone", "must differ from dns.zone, or names missing from it would stop resolving inside the VNets"
    backend = config.backend
    if backend.type == "azurerm":
        for field in ("resource_group_name", "storage_account_name"):
            if not getattr(backend, field):
                yield f"backend.{field}", "required when backend.type is azurerm"


def _check_region_ranges(path: str, plan: RegionAddresses) -> Iterator[Problem]:
    for field in ("network.nodes_subnet", "network.ingress_subnet"):
        subnet = plan.named_ranges()[field]
        if subnet.ipv6.prefixlen != 64:
            yield f"{path}.{field}.ipv6", f"must be a /64, got /{subnet.ipv6.prefixlen}"
        for family in ("ipv4", "ipv6"):
            if not getattr(subnet, family).subnet_of(getattr(plan.vnet, family)):
                yield f"{path}.{field}.{family}", f"{getattr(subnet, family)} is outside the VNet range {getattr(plan.vnet, family)}"
    for family in ("ipv4", "ipv6"):
        nodes, ingress = getattr(plan.nodes_subnet, family), getattr(plan.ingress_subnet, family)
        if nodes.overlaps(ingress):
            yield f"{path}.network.ingress_subnet.{family}", f"{ingress} overlaps network.nodes_subnet {nodes}"
        vnet = getattr(plan.vnet, family)
        pods, services = getattr(plan.pod_cidrs, family), getattr(plan.service_cidrs, family)
        for field, cluster_range in (("pod_cidrs", pods), ("service_cidrs", services)):
            if cluster_range.overlaps(vnet):
                yield f"{path}.kubernetes.{field}.{family}", f"{cluster_range} overlaps the VNet range {vnet}; pod and service ranges must be outside the VNet"
        if pods.overlaps(services):
            yield f"{path}.kubernetes.service_cidrs.{family}", f"{services} overlaps kubernetes.pod_cidrs {pods}"
    services = plan.service_cidrs
    if services.ipv6.prefixlen < 108:
        yield f"{path}.kubernetes.service_cidrs.ipv6", f"must be /108 or smaller (AKS limit), got /{services.ipv6.prefixlen}"
    if services.ipv4.prefixlen <= 12:
        yield f"{path}.kubernetes.service_cidrs.ipv4", f"must be smaller than /12 (AKS limit), got /{services.ipv4.prefixlen}"
    dns_ip = plan.dns_service_ip
    if dns_ip not in services.ipv4:
        yield f"{path}.kubernetes.dns_service_ip", f"{dns_ip} is outside the IPv4 service range {services.ipv4}"
    elif dns_ip in (services.ipv4.network_address, services.ipv4.network_address + 1, services.ipv4.broadcast_address):
        yield f"{path}.kubernetes.dns_service_ip", f"{dns_ip} is reserved in {services.ipv4} (network, first or last address); pick another"


def _check_between_regions(plans: dict[int, RegionAddresses]) -> Iterator[Problem]:
    for (first, a), (second, b) in combinations(sorted(plans.items()), 2):
        for family in ("ipv4", "ipv6"):
            if getattr(a.vnet, family).overlaps(getattr(b.vnet, family)):
                yield f"regions[{second}].network.vnet.{family}", f"{getattr(b.vnet, family)} overlaps regions[{first}]'s VNet {getattr(a.vnet, family)}"


def _check_names(config: Config) -> Iterator[Problem]:
    named = [("(derived global name)", GlobalNames.derive(config.name_prefix))]
    named += [(f"regions[{i}].name", RegionNames.derive(config.name_prefix, r.name)) for i, r in enumerate(config.regions)]
    for path, names in named:
        for field, (kind, name) in names.checked().items():
            rule, allowed = NAME_RULES[kind]
            if not rule.match(name):
                source = "name_prefix" if path.startswith("(") else path
                yield source, f"derived {field} name {name!r} breaks Azure's rule: {allowed}"
