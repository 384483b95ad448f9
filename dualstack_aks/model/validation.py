"""Rules that span fields: settings, DNS names and brownfield layout on the config, then the
address ranges, node capacity and derived Azure names on the resolved deployment.

Field syntax (CIDR family, region names, patterns) is checked by the models in config.py;
what is here needs more than one field. Each rule yields (dotted path, message).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from ipaddress import IPv4Address, IPv4Network, IPv6Network, ip_network
from itertools import combinations

from dualstack_aks.errors import shown
from dualstack_aks.model.addresses import (
    IPV4_SLOT_PREFIX,
    IPV6_SLOT_PREFIX,
    RegionAddresses,
    subnet_count,
)
from dualstack_aks.model.config import AddressSpace, Config, DualStackCidrs
from dualstack_aks.model.deployment import (
    APPLICATION_GATEWAY,
    BASE_TAGS,
    MAX_SURGE_PERCENT,
    ClusterSpec,
    Deployment,
    RegionDeployment,
    UnallocatedRanges,
    ingress_namespace,
    private_zone,
    resolve,
)
from dualstack_aks.model.health_probe import INGRESS_NGINX_HEALTH_PATH
from dualstack_aks.model.kubernetes_versions import lifecycle_problem
from dualstack_aks.model.names import INGRESS_NGINX, MAX_BLOB_NAME, NAME_RULES, PRIVATE_LINK_ZONES
from dualstack_aks.model.regions import REGIONS_WITH_ZONES

Problem = tuple[str, str]
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Dual-stack with Cilium network policy needs Kubernetes 1.29 or later (AKS dual-stack docs).
MIN_KUBERNETES_MINOR = 29
# Azure keeps five addresses of every subnet; Azure's smallest IPv4 subnet is a /29.
AZURE_RESERVED_ADDRESSES = 5
SMALLEST_IPV4_SUBNET = 29
# Azure CNI Overlay gives every node a /24 of the IPv4 pod range.
OVERLAY_NODE_PREFIX = 24
MAX_DNS_NAME = 253
# AKS refuses service, pod and VNet ranges overlapping these: azure-aks-docs articles/aks/concepts-network-cni-overview.md:104-113.
# Azure's virtual public IP (DNS, health probes, DHCP) answers every VNet; virtual-networks-faq refuses a VNet containing it.
AZURE_PLATFORM_ADDRESS = IPv4Address("168.63.129.16")
AKS_RESERVED_RANGES = tuple(IPv4Network(cidr) for cidr in ("169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"))


def check_config(config: Config) -> list[Problem]:
    """Every cross-field problem of an otherwise well-formed config."""
    problems = list(_check_regions_unique(config))
    problems += _check_settings(config)
    problems += _check_dns_names(config)
    problems += _check_dns_shadowing(config)
    problems += _check_tags(config)
    problems += _check_namespaces(config)
    problems += _check_topology(config)
    problems += _check_health_probe(config)
    problems += _check_existing_names(config)
    problems += _check_azure_limits(config)
    space_problems = list(_check_address_space(config.address_space))
    if space_problems:
        return problems + space_problems  # without slots no region can be planned
    try:
        deployment = resolve(config)
    except UnallocatedRanges as error:
        return problems + error.problems
    return problems + check_deployment(deployment)


def check_deployment(deployment: Deployment) -> list[Problem]:
    """Problems of the resolved deployment: derived names, ranges and node capacity per region."""
    problems = list(_check_names(deployment))
    for position, region in enumerate(deployment.regions):
        path = f"regions[{position}]"
        problems += _check_region_ranges(path, region.addresses)
        problems += _check_node_capacity(path, region.addresses, deployment.cluster_spec)
        problems += _check_gateway_subnet(path, region)
    problems += _check_between_regions(deployment)
    return problems


def _check_regions_unique(config: Config) -> Iterator[Problem]:
    seen_names: dict[str, int] = {}
    seen_indexes: dict[int, int] = {}
    for position, region in enumerate(config.regions):
        if region.name in seen_names:
            yield f"regions[{position}].name", f"{shown(region.name)} is already regions[{seen_names[region.name]}]; each region once"
        seen_names.setdefault(region.name, position)
        if region.index in seen_indexes:
            yield f"regions[{position}].index", f"{region.index} is already used by regions[{seen_indexes[region.index]}]; each region needs its own index"
        seen_indexes.setdefault(region.index, position)
    if config.registry_region is not None and config.registry_region not in seen_names:
        yield "registry_region", f"{shown(config.registry_region)} is not one of the configured regions ({', '.join(seen_names)})"
    if config.deploy.canary is not None and config.deploy.canary not in seen_names:
        yield "deploy.canary", f"{config.deploy.canary!r} is not one of the configured regions ({', '.join(seen_names)})"


def _check_settings(config: Config) -> Iterator[Problem]:
    minor = int(config.cluster.kubernetes_version.split(".")[1])
    if minor < MIN_KUBERNETES_MINOR:
        yield "cluster.kubernetes_version", f"dual-stack with Cilium needs 1.{MIN_KUBERNETES_MINOR} or later, got {config.cluster.kubernetes_version}"
    elif lifecycle := lifecycle_problem(config.cluster.kubernetes_version):
        yield "cluster.kubernetes_version", lifecycle
    yield from _check_upgrade_channels(config)
    for pool in ("system_pool", "user_pool"):
        sizes = getattr(config.cluster, pool)
        if sizes.min_count > sizes.max_count:
            yield f"cluster.{pool}.min_count", f"{sizes.min_count} is above max_count {sizes.max_count}"
    if len(set(config.cluster.zones)) != len(config.cluster.zones):
        yield "cluster.zones", f"lists a zone twice: {config.cluster.zones}"
    for position, region in enumerate(config.regions):
        if region.zones is not None and len(set(region.zones)) != len(region.zones):
            yield f"regions[{position}].zones", f"lists a zone twice: {region.zones}"
        if region.zones and region.name not in REGIONS_WITH_ZONES:
            # reliability-docs articles/reliability/regions-list.md (lines 33-94): no availability zones there.
            yield (
                f"regions[{position}].zones",
                f"{region.name} has no availability zones (Azure regions list); leave zones out, its pools and IPs are non-zonal",
            )
    api_server = config.cluster.api_server
    if api_server.private_cluster and api_server.authorized_ip_ranges:
        yield (
            "cluster.api_server.private_cluster",
            "AKS refuses authorized_ip_ranges on a private cluster: remove cluster.api_server.authorized_ip_ranges, or set private_cluster: false",
        )
    for position, group in enumerate(config.cluster.admin_group_object_ids):
        if not _UUID.match(group):
            yield f"cluster.admin_group_object_ids[{position}]", f"must be an Entra ID object id (a UUID), got {shown(group)}"
    subscription = config.azure.subscription_id
    if subscription is not None and not _UUID.match(subscription):
        yield "azure.subscription_id", f"must be a subscription id (a UUID), got {shown(subscription)}"
    if private_zone(config) == config.dns.zone:
        yield "dns.private_zone", "must differ from dns.zone, or names missing from it would stop resolving inside the VNets"
    backend = config.backend
    if backend.type == "azurerm":
        for field in ("resource_group_name", "storage_account_name"):
            if not getattr(backend, field):
                yield f"backend.{field}", "required when backend.type is azurerm"
    if backend.resource_group_name and not NAME_RULES["resource_group"][0].match(backend.resource_group_name):
        yield "backend.resource_group_name", f"{shown(backend.resource_group_name)} breaks Azure's rule: {NAME_RULES['resource_group'][1]}"


def _check_health_probe(config: Config) -> Iterator[Problem]:
    """The public entries must be able to answer Traffic Manager's probe (model/health_probe.py)."""
    probe = config.edge.health_probe
    if config.ingress.controller == INGRESS_NGINX and probe.host is None and probe.path != INGRESS_NGINX_HEALTH_PATH:
        yield (
            "edge.health_probe.path",
            f"ingress-nginx answers the probe itself only at {INGRESS_NGINX_HEALTH_PATH}, got {probe.path!r}; keep "
            f"{INGRESS_NGINX_HEALTH_PATH}, or set edge.health_probe.host to a name your app answers on that path",
        )


def _check_upgrade_channels(config: Config) -> Iterator[Problem]:
    cluster = config.cluster
    # The provider refuses the pair at create (kubernetes_cluster_resource.go:1848-1852 at v4.55.0) and update (:2378-2382).
    if cluster.automatic_upgrade_channel == "node-image" and cluster.node_os_upgrade_channel != "NodeImage":
        yield (
            "cluster.node_os_upgrade_channel",
            f"must be NodeImage with automatic_upgrade_channel: node-image, got {cluster.node_os_upgrade_channel} "
            "(azurerm's check in kubernetes_cluster_resource.go, create :1848 and update :2378)",
        )


def _check_dns_names(config: Config) -> Iterator[Problem]:
    region_records = [region.name for region in config.regions]
    for position, record in enumerate(region_records):
        if record == config.dns.global_record:
            yield "dns.global_record", f"{shown(record)} is also the record of regions[{position}] in the same zone; pick a name that is not a region"
    zones = [("dns.zone", "it", config.dns.zone, [config.dns.global_record, *region_records])]
    if config.dns.private_zone:
        zones.append(("dns.private_zone", "it", private_zone(config), region_records))
    else:
        zones.append(("dns.zone", f"the default private zone {private_zone(config).removesuffix(config.dns.zone)}<zone>", private_zone(config), region_records))
    for path, which, zone, records in zones:
        longest = max(records, key=len)
        length = len(longest) + 1 + len(zone)
        if length > MAX_DNS_NAME:
            yield path, f"with the record {shown(longest)}, {which} makes a {length}-character name; DNS names allow at most {MAX_DNS_NAME}"


def _check_address_space(space: AddressSpace) -> Iterator[Problem]:
    for family, supernet, slot_prefix in (("ipv4", IPv4Network(space.ipv4), IPV4_SLOT_PREFIX), ("ipv6", IPv6Network(space.ipv6), IPV6_SLOT_PREFIX)):
        if not subnet_count(supernet, slot_prefix):
            yield f"address_space.{family}", f"must be a /{slot_prefix} or larger (each region index takes one /{slot_prefix}), got /{supernet.prefixlen}"


def _check_region_ranges(path: str, plan: RegionAddresses) -> Iterator[Problem]:
    subnets = plan.subnet_fields()
    for field in subnets:
        subnet = plan.named_ranges()[field]
        if subnet.ipv6.prefixlen != 64:
            yield f"{path}.{field}.ipv6", f"must be a /64, got /{subnet.ipv6.prefixlen}"
        if subnet.ipv4.prefixlen > SMALLEST_IPV4_SUBNET:
            yield f"{path}.{field}.ipv4", f"must be a /{SMALLEST_IPV4_SUBNET} or larger (Azure's smallest subnet), got /{subnet.ipv4.prefixlen}"
        for family in ("ipv4", "ipv6"):
            if not getattr(subnet, family).subnet_of(getattr(plan.vnet, family)):
                yield f"{path}.{field}.{family}", f"{getattr(subnet, family)} is outside the VNet range {getattr(plan.vnet, family)}"
    for family in ("ipv4", "ipv6"):
        for first, second in combinations(subnets, 2):
            earlier, later = getattr(plan.named_ranges()[first], family), getattr(plan.named_ranges()[second], family)
            if earlier.overlaps(later):
                yield f"{path}.{second}.{family}", f"{later} overlaps {first} {earlier}"
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
    checked = [("network.vnet", plan.vnet.ipv4), ("kubernetes.pod_cidrs", plan.pod_cidrs.ipv4)]
    if services.ipv4.prefixlen <= 12:
        yield f"{path}.kubernetes.service_cidrs.ipv4", f"must be smaller than /12 (AKS limit), got /{services.ipv4.prefixlen}"
    else:
        checked.append(("kubernetes.service_cidrs", services.ipv4))  # one problem per field: its size first
    for field, cluster_range in checked:
        if overlapped := [str(reserved) for reserved in AKS_RESERVED_RANGES if cluster_range.overlaps(reserved)]:
            yield (
                f"{path}.{field}.ipv4",
                f"{cluster_range} overlaps {' and '.join(overlapped)}, which AKS reserves (concepts-network-cni-overview.md, AKS CNI networking prerequisites)",
            )
    if AZURE_PLATFORM_ADDRESS in plan.vnet.ipv4:
        yield (
            f"{path}.network.vnet.ipv4",
            f"{plan.vnet.ipv4} holds {AZURE_PLATFORM_ADDRESS}, Azure's platform address, which a VNet may not contain (virtual-networks-faq)",
        )
    dns_ip = plan.dns_service_ip
    if dns_ip not in services.ipv4:
        yield f"{path}.kubernetes.dns_service_ip", f"{dns_ip} is outside the IPv4 service range {services.ipv4}"
    elif dns_ip in (services.ipv4.network_address, services.ipv4.network_address + 1, services.ipv4.broadcast_address):
        yield f"{path}.kubernetes.dns_service_ip", f"{dns_ip} is reserved in {services.ipv4} (network, first or last address); pick another"


def _check_existing_names(config: Config) -> Iterator[Problem]:
    """Names of existing resources the config points at, against Azure's naming rules (names.py)."""
    for position, region in enumerate(config.regions):
        named: list[tuple[str, str, str]] = []
        if (network := region.existing_network) is not None:
            path = f"regions[{position}].existing_network"
            named += [
                (f"{path}.resource_group", network.resource_group, "resource_group"),
                (f"{path}.virtual_network", network.virtual_network, "virtual_network"),
            ]
            named += [(f"{path}.{field}", getattr(network, field), "subnet") for field in ("nodes_subnet", "ingress_subnet")]
        if (cluster := region.existing_cluster) is not None:
            path = f"regions[{position}].existing_cluster"
            named += [(f"{path}.resource_group", cluster.resource_group, "resource_group"), (f"{path}.name", cluster.name, "kubernetes_cluster")]
            if (identity := cluster.control_plane_identity) is not None:
                named += [
                    (f"{path}.control_plane_identity.resource_group", identity.resource_group, "resource_group"),
                    (f"{path}.control_plane_identity.name", identity.name, "user_assigned_identity"),
                ]
        for field, name, kind in named:
            rule, allowed = NAME_RULES[kind]
            if not rule.match(name):
                yield field, f"{shown(name)} breaks Azure's rule for this name: {allowed}"


# Azure DNS private zones, "Restrictions" (dns/private-dns-privatednszone): these names cannot be created, and a zone has at most 34 labels.
RESERVED_PRIVATE_ZONES = frozenset(
    ("azclient.ms", "azure.com", "cloudapp.net", "core.windows.net", "microsoft.com", "msidentity.com", "trafficmanager.net", "windows.net")
)
MAX_PRIVATE_ZONE_LABELS = 34
# AKS system node pools (azure-aks-docs use-system-pools.md, "System and user node pools": "System node pools require a VM
# SKU of at least 2 vCPUs and 4 GB memory"; the sizes AKS refuses outright: quotas-skus-regions.md, "Restricted VM sizes").
MIN_SYSTEM_POOL_VCPUS = 2
# Standard_<family letters><vCPUs>[-<constrained vCPUs>]<features>[_v<n>]; the number of vCPUs is in the name.
_VM_SIZE = re.compile(r"^Standard_[A-Z]+(\d+)(?:-(\d+))?[a-z]*(?:_[A-Za-z0-9]+)*$")
# Two-vCPU sizes with less than 4 GB of memory (Azure VM sizes: B2ats_v2 and B2ts_v2 have 1 GiB, the classic A2 3.5 GB).
_SMALL_MEMORY_SIZES = frozenset(("Standard_B2ats_v2", "Standard_B2ts_v2", "Standard_A2"))


def system_pool_vcpus(vm_size: str) -> int | None:
    """The vCPUs a VM size name states (a constrained size's active ones), or None when the name does not say."""
    match = _VM_SIZE.match(vm_size)
    if match is None:
        return None
    return int(match.group(2) or match.group(1))


def _check_azure_limits(config: Config) -> Iterator[Problem]:
    zone = private_zone(config)
    if zone in RESERVED_PRIVATE_ZONES:
        yield "dns.private_zone", f"{zone} is a name Azure reserves for its own private DNS zones; pick a zone of yours, like internal.{config.dns.zone}"
    if (labels := len(zone.split("."))) > MAX_PRIVATE_ZONE_LABELS:
        yield (
            "dns.private_zone" if config.dns.private_zone else "dns.zone",
            f"the private zone {shown(zone)} has {labels} labels; Azure allows at most {MAX_PRIVATE_ZONE_LABELS}",
        )
    vm_size = config.cluster.system_pool.vm_size
    vcpus = system_pool_vcpus(vm_size)
    if (vcpus is not None and vcpus < MIN_SYSTEM_POOL_VCPUS) or vm_size in _SMALL_MEMORY_SIZES:
        yield "cluster.system_pool.vm_size", f"{vm_size} is below AKS's minimum for a system pool: at least {MIN_SYSTEM_POOL_VCPUS} vCPUs and 4 GB of memory"
    backend = config.backend
    if not NAME_RULES["blob_container"][0].match(backend.container_name):
        yield "backend.container_name", f"{shown(backend.container_name)} breaks Azure's rule: {NAME_RULES['blob_container'][1]}"
    # Each stack's state is the blob <key_prefix>/<stack>.tfstate; the longest stack name is an ingress stack.
    longest = max((f"ingress-{region.name}" for region in config.regions), key=len, default="global")
    if (length := len(f"{backend.key_prefix}/{longest}.tfstate")) > MAX_BLOB_NAME:
        yield "backend.key_prefix", f"makes the state blob name {length} characters long; Azure allows at most {MAX_BLOB_NAME}"


def _max_nodes(cluster: ClusterSpec) -> int:
    """Nodes both pools can reach, counting the upgrade surge (MAX_SURGE_PERCENT of the pool, at least one node)."""
    return sum(pool.max_count + math.ceil(pool.max_count * MAX_SURGE_PERCENT / 100) for pool in (cluster.system_pool, cluster.user_pool))


def _check_node_capacity(path: str, plan: RegionAddresses, cluster: ClusterSpec) -> Iterator[Problem]:
    nodes = _max_nodes(cluster)
    subnet = plan.nodes_subnet.ipv4
    usable = max(subnet.num_addresses - AZURE_RESERVED_ADDRESSES, 0)
    if usable < nodes:
        yield (
            f"{path}.network.nodes_subnet.ipv4",
            f"{subnet} has {usable} usable addresses, but the node pools can grow to {nodes} nodes (max_count plus upgrade surge); use a larger subnet or lower the max_counts",
        )
    pods = plan.pod_cidrs.ipv4
    if subnet_count(pods, OVERLAY_NODE_PREFIX) < nodes:
        needed = OVERLAY_NODE_PREFIX - (nodes - 1).bit_length()
        yield (
            f"{path}.kubernetes.pod_cidrs.ipv4",
            f"{pods} has room for {subnet_count(pods, OVERLAY_NODE_PREFIX)} nodes (a /{OVERLAY_NODE_PREFIX} each), but the node pools can grow to {nodes}; use a /{needed} or larger",
        )


def _check_gateway_subnet(path: str, region: RegionDeployment) -> Iterator[Problem]:
    gateway = region.application_gateway
    if gateway is None:
        return
    # One private address per instance, plus Azure's five (application-gateway/configuration-infrastructure.md, "Size of the subnet").
    usable = max(gateway.subnet.ipv4.num_addresses - AZURE_RESERVED_ADDRESSES, 0)
    if usable < gateway.max_capacity:
        yield (
            f"{path}.network.gateway_subnet.ipv4",
            f"{gateway.subnet.ipv4} has {usable} usable addresses, but the gateway can scale to {gateway.max_capacity} instances "
            "(edge.application_gateway.max_capacity), one address each; use a larger subnet (a /24 fits the most, 125)",
        )


def _check_between_regions(deployment: Deployment) -> Iterator[Problem]:
    for (first, a), (second, b) in combinations(enumerate(deployment.regions), 2):
        if a.index == b.index:
            continue  # already reported as a duplicate index; the overlap follows from it
        for family in ("ipv4", "ipv6"):
            if getattr(a.addresses.vnet, family).overlaps(getattr(b.addresses.vnet, family)):
                yield (
                    f"regions[{second}].network.vnet.{family}",
                    f"{getattr(b.addresses.vnet, family)} overlaps regions[{first}]'s VNet {getattr(a.addresses.vnet, family)}",
                )


def _check_names(deployment: Deployment) -> Iterator[Problem]:
    named = [("name_prefix", deployment.global_.names.checked())]
    named += [(f"regions[{i}].name", region.names.checked()) for i, region in enumerate(deployment.regions)]
    for path, checked in named:
        for field, (kind, name) in checked.items():
            rule, allowed = NAME_RULES[kind]
            if not rule.match(name):
                yield path, f"derived {field} name {shown(name)} breaks Azure's rule: {allowed}"


def _check_topology(config: Config) -> Iterator[Problem]:
    """Ingress layout, edge entry and brownfield rules."""
    if config.ingress.mode == "dual-stack" and not config.ingress.translating_ingress:
        yield "ingress.translating_ingress", "applies to ingress.mode twin only; a dual-stack ingress always serves both families"
    yield from _check_application_gateway(config)
    for position, region in enumerate(config.regions):
        path = f"regions[{position}]"
        cluster = region.existing_cluster
        if cluster is not None:
            for field in ("pod_cidrs", "service_cidrs"):
                yield from _check_dual_stack_ranges(f"{path}.existing_cluster.{field}", getattr(cluster, field), region.network.vnet)
            if region.existing_network is None:
                # A cluster on an AKS-managed VNet has no subnet of ours to derive the VNet from (private zone link, load balancer rights).
                yield f"{path}.existing_cluster", "needs existing_network: the VNet and subnets the cluster runs in (an AKS-managed VNet is not supported)"
        if region.existing_network is not None:
            for field in ("vnet", "nodes_subnet", "ingress_subnet"):
                if getattr(region.network, field) is None:
                    yield f"{path}.network.{field}", "required with existing_network: the existing ranges, so that they are validated and planned around"


def _check_application_gateway(config: Config) -> Iterator[Problem]:
    """The gateway sends IPv4 only (no IPv6 backends: application-gateway/ipv6-application-gateway-portal.md, Limitations)
    to the ingress's internal IPv4 load balancer, in a subnet of a VNet this app creates, with the region's Key Vault certificate."""
    gateway_subnets = [position for position, region in enumerate(config.regions) if region.network.gateway_subnet is not None]
    if config.edge.entry != APPLICATION_GATEWAY:
        for position in gateway_subnets:
            yield f"regions[{position}].network.gateway_subnet", "applies to edge.entry application-gateway only"
        return
    ingress, settings = config.ingress, config.edge.application_gateway
    if not ingress.internal_load_balancers:
        yield (
            "ingress.internal_load_balancers",
            "must be true with edge.entry application-gateway: the gateway's backend is the ingress's internal IPv4 load balancer",
        )
    if ingress.mode == "twin" and config.primary_family == "ipv6" and not ingress.translating_ingress:
        yield (
            "ingress.translating_ingress",
            "must be true with edge.entry application-gateway and primary_family ipv6: the gateway's backend is the IPv4 ingress",
        )
    if settings.min_capacity > settings.max_capacity:
        yield "edge.application_gateway.min_capacity", f"{settings.min_capacity} is above max_capacity {settings.max_capacity}"
    served = {f"{config.dns.global_record}.{config.dns.zone}", *(f"{region.name}.{config.dns.zone}" for region in config.regions)}
    if config.edge.health_probe.host in served:
        # Two listeners on one frontend port may not share a host name, and the served names' HTTP listener
        # redirects to HTTPS, a 301 that Traffic Manager counts as Degraded.
        yield (
            "edge.health_probe.host",
            f"{config.edge.health_probe.host!r} is a name the gateway serves and redirects to HTTPS; with edge.entry application-gateway "
            "name another host your app answers (or leave it out for the reserved one)",
        )
    for position, region in enumerate(config.regions):
        if region.existing_network is not None:
            yield (
                f"regions[{position}].existing_network",
                "not supported with edge.entry application-gateway: the gateway needs its own subnet in a VNet, and a certificate in a Key Vault, that this app creates",
            )


def _check_dual_stack_ranges(path: str, ranges: list[str], vnet: DualStackCidrs | None) -> Iterator[Problem]:
    """A brownfield cluster's ranges, as the config describes them: one IPv4 then one IPv6 CIDR,
    each a real range (not a host, not the whole internet) outside the cluster's own VNet."""
    try:
        networks = [ip_network(cidr, strict=True) for cidr in ranges]
    except ValueError as error:
        yield path, f"must be CIDRs, one IPv4 then one IPv6: {error}"
        return
    versions = [network.version for network in networks]
    if versions != [4, 6]:
        found = f"IPv{versions[0]} only" if len(versions) == 1 else " then ".join(f"IPv{version}" for version in versions)
        yield path, f"the cluster must be dual-stack: one IPv4 and one IPv6 range, IPv4 first; got {found} ({', '.join(ranges)})"
        return
    for position, network in enumerate(networks):
        if network.num_addresses == 1:
            yield (
                f"{path}[{position}]",
                f"{network} is a single address; give the range the cluster uses, e.g. {'10.244.0.0/16' if network.version == 4 else 'fd12:3456:789a::/64'}",
            )
        elif network.prefixlen == 0:
            yield f"{path}[{position}]", f"{network} is the whole internet; give the range the cluster uses"
        elif vnet is not None and network.overlaps(ip_network(vnet.ipv4 if network.version == 4 else vnet.ipv6)):
            yield f"{path}[{position}]", f"{network} overlaps the cluster's VNet range network.vnet; overlay ranges lie outside the VNet"


# Azure Resource Manager tag limits (learn.microsoft.com, azure-resource-manager/management/tag-resources, "Limitations"):
# 50 tags per resource; names up to 512 characters (128 on storage accounts, which the state backend is), values up
# to 256; names without < > % & \ ? /.
MAX_TAGS = 50
MAX_TAG_NAME = 128
MAX_TAG_VALUE = 256
_TAG_NAME_FORBIDDEN = set("<>%&\\?/")


def _check_tags(config: Config) -> Iterator[Problem]:
    # Every resource also carries the app's own tags and, in a region, the region tag.
    room = MAX_TAGS - len({*BASE_TAGS, "region"} - set(config.tags))
    if len(config.tags) > room:
        yield "tags", f"{len(config.tags)} tags, but Azure allows {MAX_TAGS} per resource and the app adds {MAX_TAGS - room}; keep at most {room}"
    for name, value in config.tags.items():
        path = f"tags.{name}"
        forbidden = sorted(_TAG_NAME_FORBIDDEN & set(name))
        if not name.strip() or forbidden or len(name) > MAX_TAG_NAME:
            yield path, f"tag name {shown(name)} breaks Azure's rule: 1-{MAX_TAG_NAME} characters, none of < > % & \\ ? /"
        if len(value) > MAX_TAG_VALUE:
            yield path, f"tag value has {len(value)} characters; Azure allows at most {MAX_TAG_VALUE}"


def _is_within(name: str, zone: str) -> bool:
    """`name` is `zone` or a name below it."""
    return name == zone or name.endswith(f".{zone}")


def _check_dns_shadowing(config: Config) -> Iterator[Problem]:
    """A private zone linked to the VNets answers every name at or below it there, NXDOMAIN for what it lacks."""
    zone, private = config.dns.zone, private_zone(config)
    if private == zone:
        return  # reported by _check_settings
    path = "dns.private_zone" if config.dns.private_zone else "dns.zone"
    public_names = [f"{config.dns.global_record}.{zone}", *(f"{region.name}.{zone}" for region in config.regions)]
    if _is_within(zone, private):
        yield (
            path,
            f"private zone {private} is a parent of dns.zone {zone}: inside the VNets it would hide every public name; use a zone below it, like internal.{zone}",
        )
        return
    for name in public_names:
        if _is_within(name, private):
            yield path, f"private zone {private} holds the public name {name}: inside the VNets it would answer NXDOMAIN for it; use another name"
    for link_zone in PRIVATE_LINK_ZONES.values():
        if _is_within(private, link_zone) or _is_within(link_zone, private):
            yield path, f"private zone {private} collides with the privatelink zone {link_zone} that every VNet links already; use another name"


# Namespaces every AKS cluster has; creating one of them again fails the apply.
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def _check_namespaces(config: Config) -> Iterator[Problem]:
    owned = [("ingress.namespace", ingress_namespace(config))]
    if config.sample_app.enabled:
        owned.append(("sample_app.namespace", config.sample_app.namespace))
    for path, namespace in owned:
        if namespace in SYSTEM_NAMESPACES:
            yield (
                path,
                f"{shown(namespace)} exists in every cluster and this app creates its namespace; pick another, not one of {', '.join(SYSTEM_NAMESPACES)}",
            )
    if len(owned) == 2 and owned[0][1] == owned[1][1]:
        yield "sample_app.namespace", f"{shown(owned[1][1])} is also ingress.namespace; each is created by its own stack resource, so they must differ"
