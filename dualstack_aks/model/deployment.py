"""The resolved deployment: everything the stacks build, decided once from a validated config.

`resolve(config)` derives every name, plans every address range, picks the ingress releases and
decides, per region, whether the network and the cluster are new or existing. Stacks and
constructs only turn this model into resources: none of them reads the config, and no decision
made here is taken again anywhere else. Pure Python (no jsii), so it is tested in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dualstack_aks.contract import INGRESS_NGINX_CHART
from dualstack_aks.model.addresses import (
    AllocationError,
    FamilyPair,
    RegionAddresses,
    allocate_region,
)
from dualstack_aks.model.config import ClusterSettings, Config, NodePool, RegionSettings
from dualstack_aks.model.gateway import CONTROLLER_CHART, CONTROLLER_REPOSITORY, CONTROLLER_VERSION
from dualstack_aks.model.health_probe import PROXY_PROBE_HOST, HealthProbe
from dualstack_aks.model.ingress import (
    FAMILIES,
    IP_FAMILY,
    IngressRelease,
    plan_releases,
    public_families,
)
from dualstack_aks.model.names import ENVOY_GATEWAY, INGRESS_NGINX, SYSTEM_POOL, USER_POOL, GlobalNames, NodePoolNames, RegionNames
from dualstack_aks.model.regions import REGIONS_WITH_ZONES

GLOBAL_STACK = "global"
# Tags on every Azure resource, before the config's own.
BASE_TAGS = {"managed-by": "cdktf", "app": "dualstack-aks"}
# Node pools surge by this share of their nodes during upgrades (at least one node); validation counts it.
MAX_SURGE_PERCENT = 10
# A region with zones has three; a multi-zone public IP request comes back zone-redundant (all three), and zones
# are ForceNew (public_ip_resource.go:176 at v4.55.0; azurerm issues 16470, 18741): ask for what Azure stores.
ALL_ZONES = ("1", "2", "3")
# `edge.entry` values: the ingress Services' public load balancer, or the Application Gateway in front of internal ones.
LOAD_BALANCER = "load-balancer"
APPLICATION_GATEWAY = "application-gateway"


def region_stack_name(region: str) -> str:
    return f"region-{region}"


def ingress_stack_name(region: str) -> str:
    return f"ingress-{region}"


@dataclass(frozen=True)
class NodePoolSpec:
    names: NodePoolNames
    vm_size: str
    min_count: int
    max_count: int
    max_pods: int
    os_disk_type: str
    os_disk_size_gb: int

    @classmethod
    def of(cls, names: NodePoolNames, pool: NodePool) -> NodePoolSpec:
        return cls(names, pool.vm_size, pool.min_count, pool.max_count, pool.max_pods, pool.os_disk_type, pool.os_disk_size_gb)


@dataclass(frozen=True)
class ClusterSpec:
    """A new cluster's settings, shared by every region; the security switches are resolved in."""

    kubernetes_version: str
    sku_tier: str
    system_pool: NodePoolSpec
    user_pool: NodePoolSpec
    max_surge: str
    admin_group_object_ids: tuple[str, ...]
    outbound_ipv4_count: int
    outbound_ipv6_count: int
    authorized_ip_ranges: tuple[str, ...]
    private_cluster: bool
    automatic_upgrade_channel: str | None  # None: no auto-upgrade (the provider has no "none" value)
    node_os_upgrade_channel: str
    host_encryption: bool
    azure_policy: bool
    defender: bool
    key_vault_public_network_access: bool


@dataclass(frozen=True)
class NewNetwork:
    """The region stack creates the VNet, its subnets and their NSG."""

    kind: Literal["new"] = "new"


@dataclass(frozen=True)
class ExistingNetwork:
    """A dual-stack VNet that exists already: read, never changed; its ranges are in the region's addresses."""

    resource_group: str
    virtual_network: str
    nodes_subnet: str
    ingress_subnet: str
    kind: Literal["existing"] = "existing"


@dataclass(frozen=True)
class NewCluster:
    spec: ClusterSpec
    kind: Literal["new"] = "new"


@dataclass(frozen=True)
class ExistingCluster:
    """A dual-stack cluster that exists already: only the edge and ingress layers are created for it."""

    name: str
    resource_group: str
    # (resource group, name) of a user-assigned control-plane identity; None: the cluster's system-assigned one
    control_plane_identity: tuple[str, str] | None
    kind: Literal["existing"] = "existing"


@dataclass(frozen=True)
class EchoRoute:
    """The echo app's HTTPRoute on one GatewayClass's Gateways (Envoy Gateway layout)."""

    gateway_class: str
    gateways: tuple[str, ...]
    gateway_namespace: str


@dataclass(frozen=True)
class SampleAppSpec:
    namespace: str
    image: str
    replicas: int
    port: int
    backend_family: str  # "IPv4" (NAT64 layout) or "IPv6" (NAT46 layout): the Service's only family
    ingress_classes: tuple[str, ...]  # ingress-nginx: one Ingress object per class
    routes: tuple[EchoRoute, ...]  # Envoy Gateway: one HTTPRoute per GatewayClass
    hosts: tuple[str, ...]


@dataclass(frozen=True)
class IngressChart:
    """The ingress controller's chart; with Envoy Gateway the per-family objects come from charts/dualstack-gateways."""

    controller: str  # ingress-nginx | envoy-gateway
    namespace: str
    repository: str
    chart: str
    version: str


@dataclass(frozen=True)
class ApplicationGatewaySpec:
    """One region's Application Gateway v2 (WAF_v2): both public frontends, the ingress's internal IPv4 address behind."""

    name: str
    subnet_name: str
    network_security_group_name: str
    identity_name: str
    waf_policy_name: str
    subnet: FamilyPair
    backend_address: str  # the internal load balancer of the ingress serving IPv4
    host_names: tuple[str, ...]  # the global and the regional name, served over HTTPS
    certificate_name: str  # in the region's Key Vault
    min_capacity: int
    max_capacity: int
    zones: tuple[str, ...]


@dataclass(frozen=True)
class RegionDeployment:
    name: str
    index: int  # the region's slot in the address plan
    stack: str
    ingress_stack: str
    names: RegionNames
    addresses: RegionAddresses
    zones: tuple[str, ...]  # node pools and registry replica
    public_ip_zones: tuple[str, ...]  # all three where the region has zones, else none
    network: NewNetwork | ExistingNetwork
    cluster: NewCluster | ExistingCluster
    releases: tuple[IngressRelease, ...]
    public_families: tuple[str, ...]  # families with a public IP and DNS records in this region
    public_ip_names: dict[str, str]  # family -> the public IP of the region's entry (ingress load balancer or gateway)
    internal_addresses: dict[str, str]  # family -> static address of the internal load balancer; empty: none
    fqdn: str
    private_fqdn: str
    sample_app: SampleAppSpec | None
    health_probe: HealthProbe  # the public entries answer it (model/health_probe.py)
    tags: dict[str, str]
    application_gateway: ApplicationGatewaySpec | None  # None: the ingress load balancers are the public entry

    @property
    def cluster_name(self) -> str:
        return self.cluster.name if isinstance(self.cluster, ExistingCluster) else self.names.cluster

    @property
    def cluster_resource_group(self) -> str:
        return self.cluster.resource_group if isinstance(self.cluster, ExistingCluster) else self.names.resource_group


@dataclass(frozen=True)
class GlobalDeployment:
    stack: str
    names: GlobalNames
    home_region: str
    replica_regions: tuple[str, ...]
    zone: str
    private_zone: str
    global_record: str
    families: tuple[str, ...]  # public in at least one region: each gets a Traffic Manager profile and a global record
    ttl: int
    registry_zone_redundant_regions: tuple[str, ...]
    registry_public_network_access: bool
    registry_allowed_ip_ranges: tuple[str, ...]
    health_probe: HealthProbe  # what the Traffic Manager profiles ask every public entry
    tags: dict[str, str]


@dataclass(frozen=True)
class LocalBackendSpec:
    kind: Literal["local"] = "local"


@dataclass(frozen=True)
class AzurermBackendSpec:
    resource_group_name: str
    storage_account_name: str
    container_name: str
    key_prefix: str
    kind: Literal["azurerm"] = "azurerm"


@dataclass(frozen=True)
class Waves:
    """The deploy workflow's order: the global stack, then the canary regions, then the rest, at most `max_parallel` at once."""

    global_stack: str
    canary: tuple[str, ...]
    rest: tuple[str, ...]
    max_parallel: int


@dataclass(frozen=True)
class Deployment:
    global_: GlobalDeployment
    regions: tuple[RegionDeployment, ...]
    backend: LocalBackendSpec | AzurermBackendSpec
    subscription_id: str | None
    kubelogin_mode: str
    ingress_chart: IngressChart
    cluster_spec: ClusterSpec  # what every new cluster gets; validation sizes the subnets by it
    waves: Waves


class UnallocatedRanges(Exception):
    """Ranges the config leaves out that cannot be planned: (dotted path, message) per region."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def private_zone(config: Config) -> str:
    return config.dns.private_zone or f"internal.{config.dns.zone}"


def ingress_namespace(config: Config) -> str:
    return config.ingress.namespace or ("envoy-gateway-system" if config.ingress.controller == ENVOY_GATEWAY else INGRESS_NGINX)


def _ingress_chart(config: Config) -> IngressChart:
    settings = config.ingress
    if settings.controller == ENVOY_GATEWAY:
        return IngressChart(ENVOY_GATEWAY, ingress_namespace(config), CONTROLLER_REPOSITORY, CONTROLLER_CHART, CONTROLLER_VERSION)
    return IngressChart(INGRESS_NGINX, ingress_namespace(config), settings.chart_repository, INGRESS_NGINX_CHART, settings.chart_version)


def home_region(config: Config) -> str:
    return config.registry_region or config.regions[0].name


def zones_of(config: Config, region: RegionSettings) -> tuple[str, ...]:
    """The availability zones a region's node pools and registry replica use; none where the region has none."""
    if region.zones is not None:
        return tuple(region.zones)
    return tuple(config.cluster.zones) if region.name in REGIONS_WITH_ZONES else ()


def _cluster_spec(settings: ClusterSettings, config: Config) -> ClusterSpec:
    security = config.security
    return ClusterSpec(
        kubernetes_version=settings.kubernetes_version,
        sku_tier=settings.sku_tier,
        system_pool=NodePoolSpec.of(SYSTEM_POOL, settings.system_pool),
        user_pool=NodePoolSpec.of(USER_POOL, settings.user_pool),
        max_surge=f"{MAX_SURGE_PERCENT}%",
        admin_group_object_ids=tuple(settings.admin_group_object_ids),
        outbound_ipv4_count=settings.outbound_ipv4_count,
        outbound_ipv6_count=settings.outbound_ipv6_count,
        authorized_ip_ranges=tuple(settings.api_server.authorized_ip_ranges),
        private_cluster=settings.api_server.private_cluster,
        # The provider accepts patch, rapid, stable, node-image; leaving it out means none (kubernetes_cluster_resource.go:196-205 at v4.55.0).
        automatic_upgrade_channel=None if settings.automatic_upgrade_channel == "none" else settings.automatic_upgrade_channel,
        node_os_upgrade_channel=settings.node_os_upgrade_channel,
        host_encryption=security.host_encryption,
        azure_policy=security.azure_policy,
        defender=security.defender,
        key_vault_public_network_access=security.key_vault_public_network_access,
    )


def _network(region: RegionSettings) -> NewNetwork | ExistingNetwork:
    existing = region.existing_network
    if existing is None:
        return NewNetwork()
    return ExistingNetwork(existing.resource_group, existing.virtual_network, existing.nodes_subnet, existing.ingress_subnet)


def _cluster(region: RegionSettings, spec: ClusterSpec) -> NewCluster | ExistingCluster:
    existing = region.existing_cluster
    if existing is None:
        return NewCluster(spec)
    identity = existing.control_plane_identity
    return ExistingCluster(existing.name, existing.resource_group, (identity.resource_group, identity.name) if identity else None)


def _region(config: Config, settings: RegionSettings, addresses: RegionAddresses, spec: ClusterSpec, tags: dict[str, str]) -> RegionDeployment:
    names = RegionNames.derive(config.name_prefix, settings.name)
    network = _network(settings)
    internal = config.ingress.internal_load_balancers
    internal_addresses = addresses.internal_ingress_ips() if internal else {}
    controller = config.ingress.controller
    fqdn = f"{names.dns_record}.{config.dns.zone}"
    gateway = _application_gateway(config, names, addresses, internal_addresses, fqdn, zones_of(config, settings))
    releases = plan_releases(
        controller=controller,
        mode=config.ingress.mode,
        primary_family=config.primary_family,
        translating_ingress=config.ingress.translating_ingress,
        public_ip_names={"ipv4": names.ingress_public_ipv4, "ipv6": names.ingress_public_ipv6},
        public_ip_resource_group=names.edge_resource_group,
        replicas=config.ingress.replicas,
        internal_subnet=(network.ingress_subnet if isinstance(network, ExistingNetwork) else names.ingress_subnet) if internal else None,
        internal_ips=internal_addresses,
        gateway_subnet=str(gateway.subnet.ipv4) if gateway else None,
    )
    private_fqdn = f"{names.dns_record}.{private_zone(config)}"
    sample = config.sample_app
    return RegionDeployment(
        name=settings.name,
        index=settings.index,
        stack=region_stack_name(settings.name),
        ingress_stack=ingress_stack_name(settings.name),
        names=names,
        addresses=addresses,
        zones=zones_of(config, settings),
        public_ip_zones=ALL_ZONES if zones_of(config, settings) else (),
        network=network,
        cluster=_cluster(settings, spec),
        releases=tuple(releases),
        # The gateway has both frontends whatever the ingress releases serve.
        public_families=FAMILIES if gateway else public_families(releases),
        public_ip_names={"ipv4": names.gateway_public_ipv4, "ipv6": names.gateway_public_ipv6}
        if gateway
        else {"ipv4": names.ingress_public_ipv4, "ipv6": names.ingress_public_ipv6},
        internal_addresses=internal_addresses,
        fqdn=fqdn,
        private_fqdn=private_fqdn,
        sample_app=SampleAppSpec(
            namespace=sample.namespace,
            image=sample.image,
            replicas=sample.replicas,
            port=sample.port,
            backend_family=IP_FAMILY[config.primary_family],
            ingress_classes=tuple(release.names.ingress_class for release in releases) if controller == INGRESS_NGINX else (),
            routes=tuple(
                EchoRoute(
                    release.names.ingress_class,
                    _entry_gateways(release),
                    ingress_namespace(config),
                )
                for release in releases
            )
            if controller == ENVOY_GATEWAY
            else (),
            # The internal load balancers answer the private name.
            hosts=(f"{config.dns.global_record}.{config.dns.zone}", fqdn, private_fqdn),
        )
        if sample.enabled
        else None,
        health_probe=health_probe(config),
        tags={**tags, "region": settings.name},
        application_gateway=gateway,
    )


def _entry_gateways(release: IngressRelease) -> tuple[str, ...]:
    """The Gateways of one Envoy Gateway release that serve routes: the public one (none behind the Application
    Gateway) and the internal one."""
    public = () if release.gateway_subnet else (release.names.release,)
    return (*public, release.names.internal_gateway) if release.internal_subnet else public


def _application_gateway(
    config: Config, names: RegionNames, addresses: RegionAddresses, internal_addresses: dict[str, str], fqdn: str, zones: tuple[str, ...]
) -> ApplicationGatewaySpec | None:
    """The region's gateway with `edge.entry: application-gateway` (validation has required its subnet and the internal IPv4 address)."""
    if config.edge.entry != APPLICATION_GATEWAY or addresses.gateway_subnet is None or "ipv4" not in internal_addresses:
        return None
    settings = config.edge.application_gateway
    return ApplicationGatewaySpec(
        name=names.application_gateway,
        subnet_name=names.gateway_subnet,
        network_security_group_name=names.gateway_network_security_group,
        identity_name=names.gateway_identity,
        waf_policy_name=names.waf_policy,
        subnet=addresses.gateway_subnet,
        backend_address=internal_addresses["ipv4"],
        host_names=(f"{config.dns.global_record}.{config.dns.zone}", fqdn),
        certificate_name=settings.certificate_name,
        min_capacity=settings.min_capacity,
        max_capacity=settings.max_capacity,
        # The gateway spans the zones its zone-redundant frontends have.
        zones=ALL_ZONES if zones else (),
    )


def health_probe(config: Config) -> HealthProbe:
    probe = config.edge.health_probe
    return HealthProbe(path=probe.path, host=probe.host or PROXY_PROBE_HOST)


def allocate_regions(config: Config) -> list[RegionAddresses]:
    """Every region's ranges, in config order; UnallocatedRanges lists each region that cannot be planned."""
    plans: list[RegionAddresses] = []
    problems: list[tuple[str, str]] = []
    for position, region in enumerate(config.regions):
        try:
            plans.append(allocate_region(region, config.address_space, gateway_subnet=config.edge.entry == APPLICATION_GATEWAY))
        except AllocationError as error:
            problems.append((f"regions[{position}].{error.path}", str(error)))
    if problems:
        raise UnallocatedRanges(problems)
    return plans


def _regions(config: Config, spec: ClusterSpec, tags: dict[str, str]) -> tuple[RegionDeployment, ...]:
    regions, problems = [], []
    for position, (settings, addresses) in enumerate(zip(config.regions, allocate_regions(config), strict=True)):
        try:
            regions.append(_region(config, settings, addresses, spec, tags))
        except AllocationError as error:
            problems.append((f"regions[{position}].{error.path}", str(error)))
    if problems:
        raise UnallocatedRanges(problems)
    return tuple(regions)


def _waves(config: Config) -> Waves:
    canary = config.deploy.canary or config.regions[0].name
    return Waves(GLOBAL_STACK, (canary,), tuple(region.name for region in config.regions if region.name != canary), config.deploy.max_parallel)


def resolve(config: Config) -> Deployment:
    """The deployment a config describes (raises UnallocatedRanges when ranges cannot be planned)."""
    tags = {**BASE_TAGS, **config.tags}
    spec = _cluster_spec(config.cluster, config)
    home = home_region(config)
    backend = config.backend
    regions = _regions(config, spec, tags)
    return Deployment(
        global_=GlobalDeployment(
            stack=GLOBAL_STACK,
            names=GlobalNames.derive(config.name_prefix),
            home_region=home,
            # The provider reads georeplications back sorted by location: any other order diffs forever (container_registry_resource.go:925-930, v4.55.0).
            replica_regions=tuple(sorted(region.name for region in config.regions if region.name != home)),
            zone=config.dns.zone,
            private_zone=private_zone(config),
            global_record=config.dns.global_record,
            families=tuple(family for family in ("ipv4", "ipv6") if any(family in region.public_families for region in regions)),
            ttl=config.dns.ttl,
            # A registry replica is zone redundant where its region has zones.
            registry_zone_redundant_regions=tuple(region.name for region in config.regions if len(zones_of(config, region)) > 1),
            registry_public_network_access=config.security.registry_public_network_access,
            registry_allowed_ip_ranges=tuple(config.security.registry_allowed_ip_ranges),
            health_probe=health_probe(config),
            tags=tags,
        ),
        regions=regions,
        backend=AzurermBackendSpec(backend.resource_group_name or "", backend.storage_account_name or "", backend.container_name, backend.key_prefix)
        if backend.type == "azurerm"
        else LocalBackendSpec(),
        subscription_id=config.azure.subscription_id,
        kubelogin_mode=config.azure.kubelogin_mode,
        ingress_chart=_ingress_chart(config),
        cluster_spec=spec,
        waves=_waves(config),
    )
