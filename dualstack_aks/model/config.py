"""The YAML config as typed, validated models.

Every model forbids unknown keys, so a misspelled key is an error instead of a silently
ignored default. Field descriptions feed config/schema.json and docs/configuration.md (`make docs`).
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from types import UnionType
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from dualstack_aks.errors import shown
from dualstack_aks.model.regions import AZURE_REGION_CODES


def _special_use(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str | None:
    """Why Azure refuses a range or address: it is not a unicast range a VNet, a service or an allow list can use."""
    # MicrosoftDocs/azure-docs articles/virtual-network/virtual-networks-faq.md, "What address ranges can I use in my VNets?".
    kinds = (
        ("unspecified", network.is_unspecified),
        ("loopback", network.is_loopback),
        ("multicast", network.is_multicast),
        ("link-local", network.is_link_local),
        # 240.0.0.0/4 (class E) with 255.255.255.255, and IPv6's unassigned blocks: the same FAQ lists them as refused.
        ("reserved", network.is_reserved),
    )
    return next((kind for kind, applies in kinds if applies), None)


def _cidr(value: str, version: int) -> str:
    family = f"IPv{version}"
    example = "10.1.0.0/16" if version == 4 else "fd00:db8:deca::/48"
    if "%" in value:
        # ipaddress accepts an IPv6 zone id (fe80::1%eth0); it means one host's interface, which Azure cannot take.
        raise ValueError(f"{value} has a zone id (%{value.split('%', 1)[1].split('/', maxsplit=1)[0]}): Azure takes plain ranges, like {example}")
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as error:
        if "has host bits set" in str(error):
            raise ValueError(f"{value} has host bits set; its network address is {ipaddress.ip_network(value, strict=False)}") from None
        raise ValueError(f"must be an {family} CIDR like {example}, got {shown(value)}") from None
    if network.version != version:
        raise ValueError(f"must be an {family} CIDR like {example}, got an IPv{network.version} range {shown(value)}")
    if kind := _special_use(network):
        raise ValueError(f"{value} is a {kind} range, which Azure does not route; use a unicast range like {example}")
    return str(network)


def _ipv4_address(value: str) -> str:
    try:
        address = ipaddress.IPv4Address(value)
    except ValueError:
        raise ValueError(f"must be an IPv4 address like 10.0.0.10, got {shown(value)}") from None
    if kind := _special_use(ipaddress.IPv4Network(address)):
        raise ValueError(f"{value} is a {kind} address, which Azure does not route; use a unicast address like 10.0.0.10")
    return str(address)


def _azure_region(value: str) -> str:
    if value not in AZURE_REGION_CODES:
        close = difflib.get_close_matches(value, AZURE_REGION_CODES, n=1)
        hint = f"did you mean {shown(close[0])}? " if close else ""
        raise ValueError(f"unknown Azure region {shown(value)}; {hint}allowed: the names in dualstack_aks/model/regions.py, e.g. eastus2, westeurope")
    return value


def _dns_zone(value: str) -> str:
    labels = value.split(".")
    label = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
    if len(value) > 253 or len(labels) < 2 or not all(label.fullmatch(part) for part in labels):  # fullmatch: `$` passes "com\n"
        raise ValueError(f"must be a lowercase DNS name with at least two labels, like dualstack.example.com, got {shown(value)}")
    return value


# Each `format` names the type in config/schema.json and the configuration reference; editors complete the regions.
IPv4Cidr = Annotated[str, AfterValidator(lambda value: _cidr(value, 4)), Field(json_schema_extra={"format": "ipv4-cidr"})]
IPv6Cidr = Annotated[str, AfterValidator(lambda value: _cidr(value, 6)), Field(json_schema_extra={"format": "ipv6-cidr"})]
IPv4Address = Annotated[str, AfterValidator(_ipv4_address), Field(json_schema_extra={"format": "ipv4"})]
AzureRegion = Annotated[str, AfterValidator(_azure_region), Field(json_schema_extra={"format": "azure-region", "enum": sorted(AZURE_REGION_CODES)})]
DnsZoneName = Annotated[str, AfterValidator(_dns_zone), Field(json_schema_extra={"format": "dns-name"})]
DnsLabel = Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", json_schema_extra={"format": "dns-label"})]
# pydantic matches patterns with Rust's regex, whose `$` is the very end: "name\n" does not match.
AzureName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_().-]+$")]
Token = Annotated[str, Field(pattern=r"^\S+$")]
Zone = Literal["1", "2", "3"]


def nested_model(annotation: object) -> type[BaseModel] | None:
    """The model a field holds, directly, as an optional value or as list items."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation) if get_origin(annotation) in (Union, UnionType, list, Annotated) else ():
        if (model := nested_model(argument)) is not None:
            return model
    return None


class _Model(BaseModel):
    # strict: YAML `true` or "5" is not silently taken as the number 1 or 5.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DualStackCidrs(_Model):
    """One range per IP family."""

    ipv4: IPv4Cidr = Field(description="IPv4 range in CIDR notation.")
    ipv6: IPv6Cidr = Field(description="IPv6 range in CIDR notation.")


class RegionNetwork(_Model):
    """Explicit VNet ranges for one region; anything left out is planned from `address_space`."""

    vnet: DualStackCidrs | None = Field(None, description="VNet address space, one range per family.")
    nodes_subnet: DualStackCidrs | None = Field(None, description="Subnet of the cluster nodes; the IPv6 prefix must be a /64.")
    ingress_subnet: DualStackCidrs | None = Field(None, description="Subnet reserved for internal load balancers of the ingress pair; IPv6 must be a /64.")
    gateway_subnet: DualStackCidrs | None = Field(
        None,
        description="With edge.entry application-gateway: the gateway's dedicated subnet; IPv6 must be a /64 (default: IPv4 /24 #5 and IPv6 /64 #2 of the VNet).",
    )


class RegionKubernetes(_Model):
    """Explicit overlay ranges for one region's cluster; anything left out is planned."""

    pod_cidrs: DualStackCidrs | None = Field(None, description="Overlay pod ranges; must not overlap any VNet range of the region.")
    service_cidrs: DualStackCidrs | None = Field(None, description="Service ranges; IPv4 smaller than /12, IPv6 no larger than /108.")
    dns_service_ip: IPv4Address | None = Field(None, description="Cluster DNS address inside the IPv4 service range (default: its 10th address).")


class ExistingNetworkSettings(_Model):
    """An existing dual-stack VNet to build the cluster in (its ranges go in `network` so they are validated)."""

    resource_group: AzureName = Field(min_length=1, max_length=90, description="Resource group of the VNet.")
    virtual_network: AzureName = Field(min_length=2, max_length=64, description="VNet name.")
    nodes_subnet: AzureName = Field(min_length=1, max_length=80, description="Subnet for the cluster nodes.")
    ingress_subnet: AzureName = Field(min_length=1, max_length=80, description="Subnet for the internal load balancers of the ingress.")


class ExistingIdentity(_Model):
    """A user-assigned managed identity."""

    resource_group: AzureName = Field(min_length=1, max_length=90, description="Resource group of the identity.")
    name: AzureName = Field(min_length=3, max_length=128, description="Identity name.")


class ExistingClusterSettings(_Model):
    """An existing dual-stack AKS cluster: only the edge and ingress layers are created for it."""

    resource_group: AzureName = Field(min_length=1, max_length=90, description="Resource group of the cluster.")
    name: AzureName = Field(min_length=1, max_length=63, description="Cluster name.")
    pod_cidrs: list[str] = Field(min_length=1, max_length=2, description="The cluster's pod CIDRs as deployed (IPv4 first); both families are required.")
    service_cidrs: list[str] = Field(
        min_length=1, max_length=2, description="The cluster's service CIDRs as deployed (IPv4 first); both families are required."
    )
    control_plane_identity: ExistingIdentity | None = Field(
        None, description="The cluster's user-assigned control-plane identity; leave out for a system-assigned one."
    )


class RegionSettings(_Model):
    """One Azure region that gets its own VNet, cluster, edge and ingress stacks."""

    name: AzureRegion = Field(description="Azure region name, e.g. eastus2.")
    index: int = Field(ge=0, le=255, description="Stable slot in the address plan; never reuse or renumber a deployed region's index.")
    network: RegionNetwork = Field(default_factory=RegionNetwork, description="Explicit VNet ranges (optional).")
    kubernetes: RegionKubernetes = Field(default_factory=RegionKubernetes, description="Explicit pod/service ranges (optional).")
    zones: list[Zone] | None = Field(
        None, description="Availability zones in this region (default: cluster.zones, or none where the region has no zones: dualstack_aks/model/regions.py)."
    )
    existing_network: ExistingNetworkSettings | None = Field(None, description="Build the cluster in this existing VNet instead of creating one.")
    existing_cluster: ExistingClusterSettings | None = Field(None, description="Use this existing cluster: only the edge and ingress layers are created.")


class AddressSpace(_Model):
    """Supernets the address plan carves every region's ranges from."""

    ipv4: IPv4Cidr = Field("10.0.0.0/8", description="IPv4 supernet; each region index takes one /13 of it.")
    ipv6: IPv6Cidr = Field("fd5a:1c00:d000::/40", description="IPv6 supernet (ULA); each region index takes one /48 of it.")


class NodePool(_Model):
    """Size of one autoscaled node pool spread over the cluster's zones."""

    vm_size: str = Field("Standard_D4ds_v5", pattern=r"^Standard_[A-Za-z0-9_]+$", description="Azure VM size.")
    min_count: int = Field(3, ge=1, le=1000, description="Autoscaler minimum (at least one node per zone is recommended).")
    max_count: int = Field(6, ge=1, le=1000, description="Autoscaler maximum.")
    max_pods: int = Field(110, ge=50, le=250, description="Pods per node (Azure CNI Overlay allows up to 250).")
    os_disk_type: Literal["Ephemeral", "Managed"] = Field(
        "Ephemeral", description="Ephemeral OS disks live on the VM's local disk: faster, nothing at rest in storage."
    )
    os_disk_size_gb: int = Field(64, ge=30, le=2048, description="OS disk size; with Ephemeral it must fit the VM size's cache or temp disk.")


class ApiServer(_Model):
    """Who may reach the Kubernetes API server (it has an IPv4 address only)."""

    # AKS api-server-authorized-ip-ranges.md, "Limitations": at most 200 authorized IP ranges.
    authorized_ip_ranges: list[IPv4Cidr] = Field(
        [], max_length=200, description="IPv4 ranges allowed to reach the public API server (your CI runners and admins); at most 200."
    )
    private_cluster: bool = Field(False, description="Make the API server private (reachable from the VNet only); Terraform must then run inside it.")


class ClusterSettings(_Model):
    """AKS settings shared by every region."""

    kubernetes_version: str = Field(
        # 1.34 is still supported on the checked date but ends the next day: a new cluster starts on 1.35.
        "1.35",
        pattern=r"^1\.\d{2}(\.\d+)?$",
        description="AKS Kubernetes version (minor or patch), in standard support (dualstack_aks/model/kubernetes_versions.py).",
    )
    sku_tier: Literal["Free", "Standard", "Premium"] = Field("Standard", description="AKS pricing tier; Standard gives the uptime SLA.")
    zones: list[Zone] = Field(
        ["1", "2", "3"],
        min_length=1,
        description="Availability zones of the node pools in regions with zones (a region can override them); public IPs there use all three.",
    )
    system_pool: NodePool = Field(default_factory=lambda: NodePool(min_count=3, max_count=5), description="System node pool (critical add-ons only).")
    user_pool: NodePool = Field(default_factory=NodePool, description="User node pool running the ingress and workloads.")
    admin_group_object_ids: list[Token] = Field([], description="Entra ID groups that get cluster admin through Azure RBAC.")
    outbound_ipv4_count: int = Field(1, ge=1, le=100, description="Managed outbound public IPv4 addresses of the load balancer.")
    outbound_ipv6_count: int = Field(1, ge=1, le=100, description="Managed outbound public IPv6 addresses of the load balancer.")
    api_server: ApiServer = Field(default_factory=ApiServer, description="API server access: authorized ranges or a private cluster.")
    automatic_upgrade_channel: Literal["patch", "stable", "rapid", "node-image", "none"] = Field(
        "patch", description="Cluster auto-upgrade channel; `none` leaves it unset, `node-image` needs node_os_upgrade_channel: NodeImage."
    )
    node_os_upgrade_channel: Literal["NodeImage", "SecurityPatch", "Unmanaged", "None"] = Field("NodeImage", description="Node OS upgrade channel.")


class Dns(_Model):
    """Public and private DNS names."""

    zone: DnsZoneName = Field(description="Public DNS zone created in Azure DNS, e.g. dualstack.example.com (delegate it from the parent).")
    global_record: DnsLabel = Field("app", description="Global name inside `zone` that spreads clients over regions.")
    private_zone: DnsZoneName | None = Field(None, description="Private DNS zone linked to every VNet (default: internal.<zone>).")
    ttl: int = Field(300, ge=1, le=86400, description="TTL of the records, in seconds.")


class IngressSettings(_Model):
    """The ingress pair installed in every region: ingress-nginx twins or Envoy Gateway twins."""

    controller: Literal["ingress-nginx", "envoy-gateway"] = Field(
        "ingress-nginx",
        description="`ingress-nginx` or `envoy-gateway` (Envoy Gateway v1.9.0: one GatewayClass and Gateways per family); docs/layouts.md, Envoy Gateway instead of ingress-nginx.",
    )
    chart_version: str = Field("4.15.1", pattern=r"^\d+\.\d+\.\d+$", description="ingress-nginx Helm chart version (controller `ingress-nginx`).")
    chart_repository: str = Field(
        "https://kubernetes.github.io/ingress-nginx",
        # https or oci (TLS) only: a chart fetched over plain http can be swapped in transit, and it runs with cluster-admin rights.
        pattern=r"^(https|oci)://\S+$",
        description="Helm repository holding the ingress-nginx chart (https:// or oci://).",
    )
    namespace: DnsLabel | None = Field(None, description="Namespace of the releases (default: ingress-nginx, or envoy-gateway-system with `envoy-gateway`).")
    replicas: int = Field(2, ge=2, le=50, description="Controller (or Envoy proxy) replicas per release (at least two, spread over zones).")
    mode: Literal["twin", "dual-stack"] = Field(
        "twin", description="`twin`: one release per family, the non-primary one translating; `dual-stack`: one release whose Service has both families."
    )
    translating_ingress: bool = Field(
        True, description="twin mode: deploy the translating (non-primary family) ingress with its public IP and DNS records; off leaves a single-family entry."
    )
    internal_load_balancers: bool = Field(
        True, description="Also expose each ingress on a private load balancer with static addresses in the ingress subnet, named by the private DNS zone."
    )


class ApplicationGatewaySettings(_Model):
    """The regional Application Gateway v2 (WAF_v2) of `edge.entry: application-gateway`."""

    # The provider's own bounds: application_gateway_resource.go:798-806 at v4.55.0 (autoscale_configuration).
    min_capacity: int = Field(2, ge=0, le=100, description="Autoscaling minimum instances (two or more keep an instance in more than one zone).")
    max_capacity: int = Field(10, ge=2, le=125, description="Autoscaling maximum instances; the gateway subnet needs one address per instance.")
    certificate_name: str = Field(
        "edge-tls",
        pattern=r"^[0-9a-zA-Z-]{1,127}$",
        description="Key Vault certificate (in each region's vault) the HTTPS listeners serve; until it exists they are disabled and HTTP keeps serving.",
    )


class HealthProbeSettings(_Model):
    """What Traffic Manager asks each region's public entry of each family (docs/contracts.md, the health probe)."""

    path: str = Field(
        "/healthz",
        pattern=r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,255}$",
        description="HTTP path probed on port 80; with the default host the proxy itself answers it (ingress-nginx: /healthz only).",
    )
    host: DnsZoneName | None = Field(
        None,
        description="Host header of the probe: a name your app answers on every region's entry, so the probe covers the whole path to a "
        "backend (default: a reserved name the proxy answers itself, proving the family's load balancer and proxy).",
    )


class EdgeSettings(_Model):
    """The public entry of every region, and how the global layer judges its health."""

    entry: Literal["load-balancer", "application-gateway"] = Field(
        "load-balancer",
        description="`load-balancer`: the ingress Services' public Azure load balancer; `application-gateway`: an Application Gateway v2 with WAF "
        "and IPv4 + IPv6 frontends, the ingress internal only (docs/application-gateway.md).",
    )
    application_gateway: ApplicationGatewaySettings = Field(
        default_factory=ApplicationGatewaySettings, description="Settings of the Application Gateway (entry application-gateway)."
    )
    health_probe: HealthProbeSettings = Field(default_factory=HealthProbeSettings, description="Traffic Manager's per-family health probe.")


class SampleAppSettings(_Model):
    """An echo app behind every IngressClass, to prove the NAT64/NAT46 path after deploy."""

    enabled: bool = Field(False, description="Deploy the echo app in every region.")
    image: str = Field(
        "ghcr.io/mendhak/http-https-echo:42@sha256:a265f55c86cb3baead76fdf379dc8e9e6440ed121874e101e60b833e05bce8d4",
        pattern=r"^[^@\s]+@sha256:[0-9a-f]{64}$",
        description="Echo server image, pinned by digest; it answers with the client address and the request headers it saw.",
    )
    namespace: DnsLabel = Field("echo", description="Namespace of the echo app.")
    replicas: int = Field(2, ge=1, le=10, description="Echo app replicas.")
    port: int = Field(8080, ge=1024, le=65535, description="Port the echo server listens on (HTTP).")


class Acknowledgement(_Model):
    """Why a policy rule may be broken: everywhere, or only where `applies_to` says (like cdk-nag's resource suppressions)."""

    reason: str = Field(description="Why breaking the rule is acceptable (at least 10 visible characters).")
    applies_to: list[str] | None = Field(
        None,
        min_length=1,
        description="Stacks (`region-eastus2`) or construct paths in one (`region-eastus2/cluster/key_vault`), each covering what is under it; not set: everywhere.",
    )

    @model_validator(mode="before")
    @classmethod
    def _reason_alone(cls, value: object) -> object:
        # `RULE: <reason>` is short for `RULE: {reason: <reason>}`: the rule is accepted everywhere.
        if isinstance(value, str):
            return {"reason": value}
        if isinstance(value, dict | Acknowledgement):
            return value
        raise ValueError(f"must be the reason as text, or a mapping with reason and applies_to, got {shown(value)}")


class Security(_Model):
    """Security controls, on by default. Turning one off needs an entry in `acknowledgements`."""

    host_encryption: bool = Field(True, description="Encryption at host for node disks and caches (register the EncryptionAtHost feature first).")
    azure_policy: bool = Field(True, description="Azure Policy add-on on every cluster.")
    defender: bool = Field(True, description="Microsoft Defender for Containers sensor on every cluster.")
    registry_public_network_access: bool = Field(
        False, description="Reach the registry from the Internet (e.g. to push from hosted CI runners); else private endpoints only."
    )
    # container-registry-access-selected-networks.md: a registry takes at most 200 IP network rules.
    registry_allowed_ip_ranges: list[IPv4Cidr] = Field(
        [], max_length=200, description="With public access on: IPv4 ranges allowed to the registry (empty: everyone); at most 200."
    )
    key_vault_public_network_access: bool = Field(False, description="Reach the Key Vaults from the Internet; else private endpoints only.")
    acknowledgements: dict[str, Acknowledgement] = Field(
        {},
        description="Policy rule id -> why it is acceptable here, for each control turned off (rule ids: docs/security.md): "
        "the reason alone accepts it everywhere, `{reason, applies_to: [stacks or construct paths]}` only there.",
    )


class Backend(_Model):
    """Where Terraform keeps state: local files, or an Azure storage account with OIDC."""

    type: Literal["local", "azurerm"] = Field("local", description="`local` (terraform-state/<stack>.tfstate in the repository) or `azurerm`.")
    resource_group_name: AzureName | None = Field(None, description="azurerm: resource group of the state storage account.")
    storage_account_name: str | None = Field(None, pattern=r"^[a-z0-9]{3,24}$", description="azurerm: storage account name.")
    # Two dashes in a row are refused in validation.py (pydantic's patterns have no lookahead).
    container_name: str = Field(
        "tfstate", pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", description="azurerm: blob container (3-63 lowercase letters, digits, single dashes)."
    )
    key_prefix: Token = Field("dualstack-aks", description="azurerm: blob name prefix; each stack adds `/<stack>.tfstate`.")


class Azure(_Model):
    """How the Terraform providers reach Azure; credentials never go in the config."""

    subscription_id: Token | None = Field(None, description="Subscription to deploy to (else ARM_SUBSCRIPTION_ID).")
    kubelogin_mode: Literal["azurecli", "workloadidentity", "msi"] = Field(
        "azurecli", description="`kubelogin get-token --login` mode the helm/kubernetes providers use."
    )


# GitHub runs at most 256 jobs from one matrix (docs.github.com, "Running variations of jobs in a workflow").
MAX_MATRIX_JOBS = 256


class DeploySettings(_Model):
    """How the deploy workflow rolls out: the global stack, one canary region gated on its health, then the rest side by side."""

    canary: AzureRegion | None = Field(
        None, description="Region deployed first, alone, whose health gate must pass before any other region starts (default: the first region)."
    )
    # Eight: the other 15 regions of a 16-region config go in two rounds, under the 20 concurrent jobs of GitHub's Free plan.
    max_parallel: int = Field(
        8, ge=1, le=MAX_MATRIX_JOBS, description="Regions deployed at once after the canary, each on its own runner (GitHub's matrix `max-parallel`)."
    )


class Config(_Model):
    """The whole deployment."""

    name_prefix: str = Field(
        "dsaks", pattern=r"^[a-z][a-z0-9]{1,7}$", description="Lowercase prefix of every Azure name (2-8 characters, globally unique names derive from it)."
    )
    primary_family: Literal["ipv4", "ipv6"] = Field(
        "ipv4", description="Backend family: `ipv4` (IPv6 ingress is the NAT64 proxy) or `ipv6` (IPv4 ingress is the NAT46 proxy)."
    )
    address_space: AddressSpace = Field(default_factory=AddressSpace, description="Supernets of the address plan.")
    cluster: ClusterSettings = Field(default_factory=ClusterSettings, description="AKS settings.")
    dns: Dns = Field(description="DNS names.")
    ingress: IngressSettings = Field(default_factory=IngressSettings, description="Ingress pair (ingress-nginx or Envoy Gateway).")
    edge: EdgeSettings = Field(
        default_factory=EdgeSettings, description="The regional entry (the load balancer, or an Application Gateway with WAF) and its health probe."
    )
    registry_region: AzureRegion | None = Field(
        None, description="Home region of the container registry (default: the first region); the others get geo-replicas."
    )
    sample_app: SampleAppSettings = Field(default_factory=SampleAppSettings, description="Optional echo app proving the translation path.")
    security: Security = Field(default_factory=Security, description="Security controls and their acknowledged exceptions.")
    backend: Backend = Field(default_factory=Backend, description="Terraform state backend.")
    azure: Azure = Field(default_factory=Azure, description="Provider settings.")
    tags: dict[str, str] = Field({}, description="Tags added to every Azure resource.")
    deploy: DeploySettings = Field(default_factory=DeploySettings, description="Rollout of the deploy workflow: canary region and parallel regions.")
    regions: list[RegionSettings] = Field(min_length=1, description="Regions to deploy; each gets its own stacks.")
