"""What will be deployed, read back from the synthesized Terraform JSON (cdktf.out): per region the
network, cluster, ingress releases, public IPs and DNS records, plus the global layer.

The diagram and the post-synth summary both read this model, so neither can disagree with the
output. Nothing here assumes stack names: regions are found by their clusters, and resources are
linked through the Terraform references between them (across stacks through remote-state outputs).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from dualstack_aks.contract import (
    ENVOY_PROXIES,
    ENVOY_SERVICE_FAMILIES,
    INTERNAL_ANNOTATION,
    INTERNAL_SUBNET_ANNOTATION,
    NATIVE,
    PIP_NAME_ANNOTATION,
    PIP_NAME_IPV6_ANNOTATION,
    ROLE_LABEL,
    SAFE_LOADER,
    TRANSLATING_ROLES,
    address_annotation,
    deep_merge,
)
from dualstack_aks.errors import BadInput, read_input, shown
from dualstack_aks.output.outdir import PENDING

# client family -> (the other family, the name of the L7 hop from one to the other)
TRANSLATIONS = {"IPv6": ("IPv4", "NAT64"), "IPv4": ("IPv6", "NAT46")}
# A Service names its public IP resource, or (dual-stack) gives each family's address.
PIP_NAME_ANNOTATIONS = (PIP_NAME_ANNOTATION, PIP_NAME_IPV6_ANNOTATION)
ADDRESS_ANNOTATIONS = {address_annotation("ipv4"): "IPv4", address_annotation("ipv6"): "IPv6"}

_REMOTE_OUTPUT = re.compile(r"^\$\{data\.terraform_remote_state\.([^.]+)\.outputs\.([^.}]+)\}$")
# cdktf names a cross-stack remote state after the stack it reads.
_CROSS_STACK_INPUT = "cross-stack-reference-input-"
_RESOURCE_REFERENCE = re.compile(r"^\$\{(data\.)?([a-z][a-z0-9_]*)\.([^.}\[]+)")


class SynthOutputError(BadInput):
    """cdktf.out is missing or holds something the reader cannot make sense of."""


# A stack's JSON is a few hundred KB; anything far larger is not this app's output.
MAX_OUTPUT_FILE_BYTES = 64 * 1024 * 1024
MANIFEST_FILE = "manifest.json"
# What cdktf allows in a stack name; a name is also a folder name, so nothing that could leave one.
_STACK_NAME = re.compile(r"[A-Za-z0-9_-]+")


def read_output_file(outdir: str | Path, relative: object) -> object:
    """The JSON of one file the manifest names, refusing a path that leaves `outdir` (through `..`
    or a symlink), a file that is not regular, too large, not UTF-8 or not JSON, in one line."""
    root = Path(outdir).resolve()
    if not isinstance(relative, str) or not relative:
        raise SynthOutputError(f"{Path(outdir) / MANIFEST_FILE}: names a stack file as {shown(relative)}; synthesize again (`make synth`)")
    path = Path(outdir) / relative
    if not path.resolve().is_relative_to(root):
        raise SynthOutputError(f"{path}: is outside {outdir}; the manifest may name only files inside the output, synthesize again (`make synth`)")
    content = read_input(path, MAX_OUTPUT_FILE_BYTES, "synthesize first (`python main.py` or `make synth`)")
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, RecursionError, ValueError) as error:
        raise SynthOutputError(f"{path}: is not JSON ({shown(str(error))}); synthesize again (`make synth`)") from None


def read_manifest(outdir: str | Path) -> dict[str, dict]:
    """The manifest's stacks: name -> entry, each naming its stack file as text."""
    if (Path(outdir) / PENDING).exists():
        raise SynthOutputError(f"{outdir}: a synth was stopped while it published (its stacks may be a mix); run the synth again, it rolls back first")
    manifest = read_output_file(outdir, MANIFEST_FILE)
    stacks = manifest.get("stacks") if isinstance(manifest, dict) else None
    if not isinstance(stacks, dict) or not all(
        _STACK_NAME.fullmatch(name) and isinstance(entry, dict) and isinstance(entry.get("synthesizedStackPath"), str) for name, entry in stacks.items()
    ):
        raise SynthOutputError(
            f"{Path(outdir) / MANIFEST_FILE}: is not a synth's manifest (stacks named with letters, digits, - and _, each with synthesizedStackPath); synthesize again"
        )
    return stacks


def read_stacks(outdir: str | Path) -> dict[str, dict]:
    """Stack name -> its synthesized Terraform JSON, in manifest order."""
    stacks = {}
    for name, entry in read_manifest(outdir).items():
        document = read_output_file(outdir, entry["synthesizedStackPath"])
        if not isinstance(document, dict):
            raise SynthOutputError(f"{Path(outdir) / entry['synthesizedStackPath']}: is not a stack's Terraform JSON (an object); synthesize again")
        stacks[name] = document
    return stacks


def read_topology_of(outdir: str | Path) -> Topology:
    """`read_topology` of the synth in `outdir`; JSON that is not this app's output is one line, not a traceback."""
    try:
        return read_topology(read_stacks(outdir))
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as error:
        raise SynthOutputError(f"{outdir}: the stacks are not this app's synth ({type(error).__name__}: {shown(str(error))}); synthesize again") from None


@dataclass(frozen=True)
class Address:
    stack: str
    type: str
    name: str
    kind: str = "resource"  # or "data": something that exists already and is only read


class SynthOutput:
    """The stacks of one synth, with Terraform references resolved to the resources they name."""

    def __init__(self, stacks: dict[str, dict]):
        self.stacks = stacks

    def resources(self, stack: str, resource_type: str, kind: str = "resource") -> list[tuple[Address, dict]]:
        found = self.stacks[stack].get(kind, {}).get(resource_type, {})
        return [(Address(stack, resource_type, name, kind), body) for name, body in sorted(found.items())]

    def managed_and_existing(self, stack: str, resource_type: str) -> list[tuple[Address, dict]]:
        """Resources of a type the stack creates, then those it only reads (data sources)."""
        return self.resources(stack, resource_type) + self.resources(stack, resource_type, kind="data")

    def body(self, address: Address) -> dict:
        return self.stacks[address.stack][address.kind][address.type][address.name]

    def target(self, stack: str, expression: object) -> Address | None:
        """The resource or data source a `${[data.]type.name...}` expression points at, following
        remote-state outputs."""
        if not isinstance(expression, str):
            return None
        remote = _REMOTE_OUTPUT.match(expression)
        if remote:
            source = self._output_stack(remote.group(1), remote.group(2))
            return self.target(source, self.stacks[source]["output"][remote.group(2)]["value"]) if source else None
        local = _RESOURCE_REFERENCE.match(expression)
        if not local:
            return None
        kind, resource_type, name = ("data" if local.group(1) else "resource"), local.group(2), local.group(3)
        if name not in self.stacks[stack].get(kind, {}).get(resource_type, {}):
            return None
        return Address(stack, resource_type, name, kind)

    def _output_stack(self, state: str, output: str) -> str | None:
        """The stack a remote-state output comes from: the one the state is named after, else the
        only stack with that output (output names repeat across region stacks)."""
        named = state.removeprefix(_CROSS_STACK_INPUT)
        holders = [stack for stack, document in self.stacks.items() if output in document.get("output", {})]
        if named in holders:
            return named
        return holders[0] if len(holders) == 1 else None

    def referenced_name(self, stack: str, expression: object) -> str | None:
        """The name of the resource an expression points at, if it points at one."""
        address = self.target(stack, expression)
        return self.body(address)["name"] if address else None

    def name_of(self, stack: str, value: str) -> str:
        """A literal name, or the name of the resource an expression points at."""
        return self.referenced_name(stack, value) or value


@dataclass(frozen=True)
class PublicIp:
    name: str
    family: str
    zones: tuple[str, ...]


@dataclass(frozen=True)
class DnsRecord:
    """One record set: `targets` are public IP names (alias or address), else the literal values."""

    record_type: str
    fqdn: str
    private: bool
    alias: bool
    targets: tuple[str, ...]


@dataclass(frozen=True)
class SubnetView:
    name: str
    prefixes: tuple[str, ...]  # empty for an existing subnet: the output only names it
    existing: bool


@dataclass(frozen=True)
class NetworkView:
    name: str
    address_space: tuple[str, ...]
    subnets: tuple[SubnetView, ...]
    existing: bool


@dataclass(frozen=True)
class ClusterView:
    """A cluster the output creates, or an existing one it only reads (then just its name is known)."""

    name: str
    existing: bool
    kubernetes_version: str
    network: str
    ip_versions: tuple[str, ...]
    pod_cidrs: tuple[str, ...]
    service_cidrs: tuple[str, ...]
    subnet: str | None


@dataclass(frozen=True)
class Hop:
    """Ingress -> backends for one client family; `translation` names the NAT hop if the family changes."""

    family: str
    backend_family: str
    translation: str | None


@dataclass(frozen=True)
class Frontend:
    """A static private address of the release's internal load balancer."""

    family: str
    address: str


@dataclass(frozen=True)
class ReleaseView:
    name: str
    families: tuple[str, ...]
    role: str
    public_ip_names: tuple[str, ...]
    traffic_policy: str
    internal_subnet: str | None
    internal_frontends: tuple[Frontend, ...]


@dataclass(frozen=True)
class BackendService:
    """A ClusterIP Service the output deploys behind the ingress (e.g. the sample app)."""

    name: str
    families: tuple[str, ...]


@dataclass(frozen=True)
class Endpoint:
    """A Traffic Manager endpoint of the region: what the profile probes and hands out (a public IP's name, or a literal target)."""

    name: str
    profile: str | None
    target: str


@dataclass(frozen=True)
class Grant:
    """A role the cluster holds on a registry or Key Vault."""

    role: str
    resource_type: str
    resource: str


@dataclass(frozen=True)
class PrivateEndpoint:
    """A private endpoint in one of the region's subnets, to a resource of `target_type`."""

    name: str
    subnet: str | None
    target_type: str | None
    target: str


@dataclass(frozen=True)
class GatewayFrontend:
    family: str
    public_ip: str  # the public IP resource's name


@dataclass(frozen=True)
class ApplicationGatewayView:
    """An Application Gateway in front of the ingress: its frontends, WAF policy and backend addresses."""

    name: str
    sku: str
    waf_mode: str | None
    rule_sets: tuple[str, ...]  # "type version"
    capacity: str  # "2-10" (autoscaling) or a fixed count
    zones: tuple[str, ...]
    subnet: str | None
    frontends: tuple[GatewayFrontend, ...]
    backend_addresses: tuple[str, ...]


@dataclass(frozen=True)
class RegionView:
    name: str
    stacks: tuple[str, ...]
    cluster: ClusterView
    networks: tuple[NetworkView, ...]
    public_ips: tuple[PublicIp, ...]
    records: tuple[DnsRecord, ...]
    endpoints: tuple[Endpoint, ...]
    releases: tuple[ReleaseView, ...]
    key_vaults: tuple[str, ...]
    grants: tuple[Grant, ...]
    private_endpoints: tuple[PrivateEndpoint, ...]
    backend_services: tuple[BackendService, ...]
    application_gateways: tuple[ApplicationGatewayView, ...] = ()

    @property
    def backend_families(self) -> tuple[str, ...]:
        """The deployed backend Services' families; without any, what the ingress roles imply."""
        if self.backend_services:
            return tuple(sorted({family for service in self.backend_services for family in service.families}))
        implied: set[str] = set()
        for release in self.releases:
            implied |= {TRANSLATING_ROLES[release.role]} if release.role in TRANSLATING_ROLES else set(release.families)
        return tuple(sorted(implied))

    def hops(self, release: ReleaseView) -> tuple[Hop, ...]:
        """Per client family of the release: straight to the backends, or the L7 hop to the other family."""
        backends = self.backend_families
        return tuple(Hop(family, family, None) if family in backends else Hop(family, *TRANSLATIONS[family]) for family in release.families)

    def public_ip(self, name: str) -> PublicIp | None:
        return next((public_ip for public_ip in self.public_ips if public_ip.name == name), None)


@dataclass(frozen=True)
class TrafficManager:
    name: str
    resource_group: str
    routing: str
    fqdn: str
    probe: str  # how it judges each endpoint's health, e.g. "HTTP :80/healthz"


@dataclass(frozen=True)
class RegistryView:
    name: str
    sku: str
    location: str
    replicas: tuple[str, ...]


@dataclass(frozen=True)
class GlobalLayer:
    stacks: tuple[str, ...]
    names: tuple[DnsRecord, ...]
    traffic_managers: tuple[TrafficManager, ...]
    registries: tuple[RegistryView, ...]


@dataclass(frozen=True)
class Topology:
    regions: tuple[RegionView, ...]
    global_layer: GlobalLayer


def _fqdn(output: SynthOutput, stack: str, body: dict) -> str:
    return f"{body['name']}.{output.name_of(stack, body['zone_name'])}"


def _records(output: SynthOutput, stacks: tuple[str, ...]) -> tuple[DnsRecord, ...]:
    kinds = (
        ("azurerm_dns_a_record", "A", False),
        ("azurerm_dns_aaaa_record", "AAAA", False),
        ("azurerm_dns_cname_record", "CNAME", False),
        ("azurerm_private_dns_a_record", "A", True),
        ("azurerm_private_dns_aaaa_record", "AAAA", True),
    )
    records = []
    for stack in stacks:
        for resource_type, record_type, private in kinds:
            for _, body in output.resources(stack, resource_type):
                alias = "target_resource_id" in body
                values = [body["target_resource_id"]] if alias else body.get("records", [body.get("record")])
                records.append(DnsRecord(record_type, _fqdn(output, stack, body), private, alias, tuple(output.name_of(stack, value) for value in values)))
    return tuple(records)


def _public_ip_names(output: SynthOutput, stack: str, annotations: dict) -> tuple[str, ...]:
    """The public IPs a Service's annotations pin: by name, or by an address that references a public IP resource."""
    addressed = [output.referenced_name(stack, annotations[key]) for key in ADDRESS_ANNOTATIONS if key in annotations]
    return tuple(annotations[key] for key in PIP_NAME_ANNOTATIONS if key in annotations) + tuple(name for name in addressed if name)


def _frontends(annotations: dict) -> tuple[Frontend, ...]:
    return tuple(Frontend(family, annotations[key]) for key, family in ADDRESS_ANNOTATIONS.items() if key in annotations)


def _release(output: SynthOutput, stack: str, body: dict) -> ReleaseView | None:
    """An ingress controller release (its values configure `controller.service`), a family's
    Gateways (values with EnvoyProxy objects), else None."""
    values: dict = {}
    for document in body.get("values", []):
        values = deep_merge(values, yaml.load(document, Loader=SAFE_LOADER) or {})
    if ENVOY_PROXIES in values:
        return _gateway_release(output, stack, values[ENVOY_PROXIES])
    controller = values.get("controller", {})
    service = controller.get("service")
    if service is None:
        return None
    annotations = service.get("annotations", {})
    internal = service.get("internal", {})
    internal_annotations = internal.get("annotations", {}) if internal.get("enabled") else {}
    return ReleaseView(
        name=body["name"],
        # The chart's default Service is IPv4 single-stack.
        families=tuple(service.get("ipFamilies", ["IPv4"])),
        role=controller.get("podLabels", {}).get(ROLE_LABEL, NATIVE),
        public_ip_names=_public_ip_names(output, stack, annotations),
        traffic_policy=service.get("externalTrafficPolicy") or "ClusterView",
        internal_subnet=internal_annotations.get(INTERNAL_SUBNET_ANNOTATION),
        internal_frontends=_frontends(internal_annotations),
    )


def _gateway_release(output: SynthOutput, stack: str, proxies: list[dict]) -> ReleaseView:
    """One release of Gateways: the public Gateway's EnvoyProxy gives the name, families, role and
    public IPs; an internal one (load-balancer-internal annotation) the private frontends."""

    def service(proxy: dict) -> dict:
        return proxy.get("spec", {}).get("provider", {}).get("kubernetes", {}).get("envoyService", {})

    internal = next((proxy for proxy in proxies if INTERNAL_ANNOTATION in service(proxy).get("annotations", {})), None)
    public = next(proxy for proxy in proxies if proxy is not internal)
    internal_annotations = service(internal).get("annotations", {}) if internal else {}
    return ReleaseView(
        name=public["metadata"]["name"],
        # An EnvoyProxy without ipFamily serves IPv4 only; Envoy Gateway's Service default is Local.
        families=ENVOY_SERVICE_FAMILIES[public.get("spec", {}).get("ipFamily", "IPv4")],
        role=public["metadata"].get("labels", {}).get(ROLE_LABEL, NATIVE),
        public_ip_names=_public_ip_names(output, stack, service(public).get("annotations", {})),
        traffic_policy=service(public).get("externalTrafficPolicy", "Local"),
        internal_subnet=internal_annotations.get(INTERNAL_SUBNET_ANNOTATION),
        internal_frontends=_frontends(internal_annotations),
    )


def _application_gateway(output: SynthOutput, stack: str, gateway: dict, public_ips: list[PublicIp]) -> ApplicationGatewayView:
    policy_address = output.target(stack, gateway.get("firewall_policy_id"))
    policy = output.body(policy_address) if policy_address else {}
    families = {public_ip.name: public_ip.family for public_ip in public_ips}
    frontends = []
    for frontend in gateway.get("frontend_ip_configuration", []):
        name = output.referenced_name(stack, frontend.get("public_ip_address_id"))
        if name in families:
            frontends.append(GatewayFrontend(families[name], name))
    autoscale = gateway.get("autoscale_configuration")
    return ApplicationGatewayView(
        name=gateway["name"],
        sku=gateway["sku"]["name"],
        waf_mode=policy.get("policy_settings", {}).get("mode") if policy else None,
        rule_sets=tuple(f"{rule_set['type']} {rule_set['version']}" for rule_set in policy.get("managed_rules", {}).get("managed_rule_set", [])),
        capacity=f"{autoscale['min_capacity']}-{autoscale['max_capacity']}" if autoscale else str(gateway["sku"].get("capacity", "")),
        zones=tuple(gateway.get("zones", [])),
        subnet=output.referenced_name(stack, gateway["gateway_ip_configuration"][0]["subnet_id"]),
        frontends=tuple(frontends),
        backend_addresses=tuple(address for pool in gateway.get("backend_address_pool", []) for address in pool.get("ip_addresses", [])),
    )


def _location(output: SynthOutput, stacks: tuple[str, ...], cluster: dict) -> str:
    """The cluster's location; an existing cluster's region is where the region's resources go."""
    if "location" in cluster:
        return cluster["location"]
    for stack in stacks:
        for resource_type in sorted(output.stacks[stack].get("resource", {})):
            for _, body in output.resources(stack, resource_type):
                location = body.get("location") or body.get("endpoint_location")
                if isinstance(location, str) and not location.startswith("${"):
                    return location
    return stacks[0]


def _region(output: SynthOutput, stacks: tuple[str, ...], address: Address) -> RegionView:
    """The region of one cluster; `stacks` starts with the cluster's own stack."""
    stack, body = address.stack, output.body(address)
    profile = body.get("network_profile", {})
    networks = []
    for name in stacks:
        for vnet_address, vnet in output.managed_and_existing(name, "azurerm_virtual_network"):
            subnets = [
                SubnetView(subnet["name"], tuple(subnet.get("address_prefixes", [])), subnet_address.kind == "data")
                for subnet_address, subnet in output.managed_and_existing(name, "azurerm_subnet")
                if output.name_of(name, subnet["virtual_network_name"]) == vnet["name"]
            ]
            networks.append(NetworkView(vnet["name"], tuple(vnet.get("address_space", [])), tuple(subnets), vnet_address.kind == "data"))
    public_ips = [
        PublicIp(pip["name"], pip.get("ip_version", "IPv4"), tuple(pip.get("zones", [])))
        for name in stacks
        for _, pip in output.resources(name, "azurerm_public_ip")
    ]
    endpoints = [
        Endpoint(endpoint["name"], output.referenced_name(name, endpoint["profile_id"]), output.name_of(name, endpoint["target"]))
        for name in stacks
        for _, endpoint in output.resources(name, "azurerm_traffic_manager_external_endpoint")
    ]
    releases = [release for name in stacks for _, release_body in output.resources(name, "helm_release") if (release := _release(output, name, release_body))]
    grants = []
    for name in stacks:
        for _, assignment in output.resources(name, "azurerm_role_assignment"):
            principal, scope = output.target(name, assignment["principal_id"]), output.target(name, assignment["scope"])
            if principal == address and scope and scope.type in ("azurerm_container_registry", "azurerm_key_vault"):
                grants.append(Grant(assignment["role_definition_name"], scope.type, output.body(scope)["name"]))
    private_endpoints = []
    for name in stacks:
        for _, endpoint in output.resources(name, "azurerm_private_endpoint"):
            connection = endpoint.get("private_service_connection", {}).get("private_connection_resource_id")
            target = output.target(name, connection)
            private_endpoints.append(
                PrivateEndpoint(
                    name=endpoint["name"],
                    subnet=output.referenced_name(name, endpoint["subnet_id"]),
                    target_type=target.type if target else None,
                    target=output.body(target)["name"] if target else str(connection),
                )
            )
    gateways = [
        _application_gateway(output, name, gateway, public_ips) for name in stacks for _, gateway in output.resources(name, "azurerm_application_gateway")
    ]
    return RegionView(
        name=_location(output, stacks, body),
        stacks=stacks,
        cluster=ClusterView(
            name=body["name"],
            existing=address.kind == "data",
            kubernetes_version=body.get("kubernetes_version", ""),
            network=", ".join(
                f"{label} {profile[key]}"
                for key, label in (("network_plugin", "CNI"), ("network_plugin_mode", "mode"), ("network_data_plane", "dataplane"))
                if key in profile
            ),
            ip_versions=tuple(profile.get("ip_versions", ["IPv4"])),
            pod_cidrs=tuple(profile.get("pod_cidrs", [])),
            service_cidrs=tuple(profile.get("service_cidrs", [])),
            subnet=output.referenced_name(stack, body.get("default_node_pool", {}).get("vnet_subnet_id")),
        ),
        networks=tuple(networks),
        public_ips=tuple(public_ips),
        records=_records(output, stacks),
        endpoints=tuple(endpoints),
        releases=tuple(releases),
        key_vaults=tuple(vault["name"] for name in stacks for _, vault in output.resources(name, "azurerm_key_vault")),
        grants=tuple(grants),
        private_endpoints=tuple(private_endpoints),
        backend_services=tuple(
            # A Service without ipFamilies gets the cluster's first family.
            BackendService(service["metadata"]["name"], tuple(service["spec"].get("ip_families", profile.get("ip_versions", ["IPv4"])[:1])))
            for name in stacks
            for _, service in output.resources(name, "kubernetes_service_v1")
            if service.get("spec", {}).get("type", "ClusterIP") == "ClusterIP"
        ),
        application_gateways=tuple(gateways),
    )


def read_topology(stacks: dict[str, dict]) -> Topology:
    output = SynthOutput(stacks)
    # A region is a cluster (created, or existing and read by name) with every stack that names it.
    by_cluster: dict[str, list[Address]] = {}
    for stack in stacks:
        if len(output.resources(stack, "azurerm_kubernetes_cluster")) > 1:
            raise SynthOutputError(f"stack {stack} creates more than one cluster; one region per stack is expected")
        for address, body in output.managed_and_existing(stack, "azurerm_kubernetes_cluster"):
            by_cluster.setdefault(body["name"], []).append(address)
    order = list(stacks)
    regions = []
    for addresses in by_cluster.values():
        # The cluster's own stack: where it is created, else the first one that deploys no releases into it.
        owner = min(addresses, key=lambda address: (address.kind == "data", bool(output.resources(address.stack, "helm_release")), order.index(address.stack)))
        region_stacks = tuple(dict.fromkeys([owner.stack, *(address.stack for address in addresses)]))
        regions.append(_region(output, region_stacks, owner))
    regional = {stack for region in regions for stack in region.stacks}
    global_stacks = tuple(stack for stack in stacks if stack not in regional)
    return Topology(
        regions=tuple(regions),
        global_layer=GlobalLayer(
            stacks=global_stacks,
            names=_records(output, global_stacks),
            traffic_managers=tuple(
                TrafficManager(
                    profile["name"],
                    output.name_of(stack, profile["resource_group_name"]),
                    profile["traffic_routing_method"],
                    f"{profile['dns_config']['relative_name']}.trafficmanager.net",
                    "{protocol} :{port}{path}".format(**{"path": "/", **profile["monitor_config"]}),
                )
                for stack in global_stacks
                for _, profile in output.resources(stack, "azurerm_traffic_manager_profile")
            ),
            registries=tuple(
                RegistryView(
                    registry["name"], registry["sku"], registry["location"], tuple(replica["location"] for replica in registry.get("georeplications", []))
                )
                for stack in global_stacks
                for _, registry in output.resources(stack, "azurerm_container_registry")
            ),
        ),
    )


@dataclass(frozen=True)
class MonitoredEndpoint:
    """One family's Traffic Manager endpoint of a region, named as `az network traffic-manager endpoint show` takes it."""

    family: str
    resource_group: str
    profile: str
    name: str


def monitored_endpoints(topology: Topology, region: str) -> tuple[MonitoredEndpoint, ...]:
    """Every Traffic Manager endpoint of the region, with the family of the public IP it hands out."""
    view = next((candidate for candidate in topology.regions if candidate.name == region), None)
    if view is None:
        regions = ", ".join(candidate.name for candidate in topology.regions)
        raise SynthOutputError(f"region {region!r} is not in the synthesized output (its regions: {regions})")
    resource_groups = {manager.name: manager.resource_group for manager in topology.global_layer.traffic_managers}
    monitored = []
    for endpoint in view.endpoints:
        public_ip = view.public_ip(endpoint.target)
        if endpoint.profile not in resource_groups or public_ip is None:
            raise SynthOutputError(f"Traffic Manager endpoint {endpoint.name} of {region} names no profile or public IP of the output")
        monitored.append(MonitoredEndpoint(public_ip.family, resource_groups[endpoint.profile], endpoint.profile, endpoint.name))
    if not monitored:
        raise SynthOutputError(f"region {region!r} has no Traffic Manager endpoint in the synthesized output")
    return tuple(monitored)
