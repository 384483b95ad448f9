"""Composes the stacks from a validated config. All cross-stack wiring happens here.

Stacks and their order (recorded in the manifest, honoured by `cdktf deploy`):
  global                  registry, DNS zones, Traffic Manager, global name
  region-<region>         network, cluster, edge          (after global)
  ingress-<region>        Helm + Kubernetes providers     (after region-<region>)
A region's two stacks can be deployed or destroyed without touching another region.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import App, AzurermBackend, LocalBackend, TerraformStack

from dualstack_aks.model.config import Backend, Config, RegionSettings
from dualstack_aks.constructs.ingress import IngressProps
from dualstack_aks.constructs.sample_app import SampleAppProps
from dualstack_aks.model.ingress import IP_FAMILY, front_door_families, plan_releases
from dualstack_aks.model.names import GlobalNames, RegionNames
from dualstack_aks.model.addresses import RegionAddresses, plan_addresses
from dualstack_aks.stacks.global_stack import GlobalStack, GlobalStackProps
from dualstack_aks.stacks.ingress_stack import IngressStack, IngressStackProps
from dualstack_aks.stacks.region_stack import GlobalAttachments, RegionStack, RegionStackProps

GLOBAL_STACK = "global"
# cdktf runs Terraform in cdktf.out/stacks/<stack>/; local state lives outside cdktf.out
# (which every synth replaces) and the path stays relative so the JSON is machine-independent.
LOCAL_STATE_DIR = "../../../terraform-state"


def region_stack_name(region: str) -> str:
    return f"region-{region}"


def ingress_stack_name(region: str) -> str:
    return f"ingress-{region}"


@dataclass
class RegionStacks:
    infra: RegionStack
    ingress: IngressStack


@dataclass
class BuiltApp:
    app: App
    global_stack: GlobalStack
    regions: dict[str, RegionStacks]


def _add_backend(stack: TerraformStack, name: str, backend: Backend) -> None:
    if backend.type == "azurerm":
        AzurermBackend(
            stack,
            resource_group_name=backend.resource_group_name,
            storage_account_name=backend.storage_account_name,
            container_name=backend.container_name,
            key=f"{backend.key_prefix}/{name}.tfstate",
            use_oidc=True,
            use_azuread_auth=True,
        )
    else:
        LocalBackend(stack, path=f"{LOCAL_STATE_DIR}/{name}.tfstate")


def _add_region(app: App, config: Config, region: RegionSettings, addresses: RegionAddresses, attachments: GlobalAttachments, tags: dict[str, str]) -> RegionStacks:
    """A region's infra stack and, after it, its ingress stack."""
    names = RegionNames.derive(config.name_prefix, region.name)
    existing_network, existing_cluster = region.existing_network, region.existing_cluster
    releases = plan_releases(
        mode=config.ingress.mode,
        primary_family=config.primary_family,
        translating_ingress=config.ingress.translating_ingress,
        public_ip_names={"ipv4": names.ingress_public_ipv4, "ipv6": names.ingress_public_ipv6},
        public_ip_resource_group=names.edge_resource_group,
        replicas=config.ingress.replicas,
        internal_subnet=(existing_network.ingress_subnet if existing_network else names.ingress_subnet) if config.ingress.internal_load_balancers else None,
        internal_ips=addresses.internal_ingress_ips(),
    )
    infra = RegionStack(
        app,
        region_stack_name(region.name),
        RegionStackProps(
            names=names,
            addresses=addresses,
            cluster=config.cluster,
            zones=config.zones_of(region),
            security=config.security,
            attachments=attachments,
            front_door_families=front_door_families(releases),
            internal_load_balancers=config.ingress.internal_load_balancers,
            existing_network=existing_network,
            existing_cluster=existing_cluster,
            ttl=config.dns.ttl,
            subscription_id=config.azure.subscription_id,
            tags=tags,
        ),
    )
    _add_backend(infra, region_stack_name(region.name), config.backend)

    sample = config.sample_app
    ingress = IngressStack(
        app,
        ingress_stack_name(region.name),
        IngressStackProps(
            cluster_name=existing_cluster.name if existing_cluster else names.cluster,
            cluster_resource_group_name=existing_cluster.resource_group if existing_cluster else names.resource_group,
            kubelogin_mode=config.azure.kubelogin_mode,
            ingress=IngressProps(
                namespace=config.ingress.namespace,
                chart_repository=config.ingress.chart_repository,
                chart_version=config.ingress.chart_version,
                releases=releases,
            ),
            sample_app=SampleAppProps(
                namespace=sample.namespace,
                image=sample.image,
                replicas=sample.replicas,
                port=sample.port,
                backend_family=IP_FAMILY[config.primary_family],
                ingress_classes=[release.names.ingress_class for release in releases],
                # The internal load balancers answer the private name.
                hosts=[f"{config.dns.global_record}.{config.dns.zone}", infra.edge.fqdn, infra.edge.private_fqdn],
            )
            if sample.enabled
            else None,
            subscription_id=config.azure.subscription_id,
        ),
    )
    ingress.add_dependency(infra)
    _add_backend(ingress, ingress_stack_name(region.name), config.backend)
    return RegionStacks(infra=infra, ingress=ingress)


def build_app(config: Config, outdir: str) -> BuiltApp:
    app = App(outdir=outdir, stack_traces=False)
    tags = {"managed-by": "cdktf", "app": "dualstack-aks", **config.tags}
    global_names = GlobalNames.derive(config.name_prefix)
    subscription_id = config.azure.subscription_id

    global_stack = GlobalStack(
        app,
        GLOBAL_STACK,
        GlobalStackProps(
            names=global_names,
            home_region=config.home_region,
            replica_regions=[region.name for region in config.regions if region.name != config.home_region],
            zone=config.dns.zone,
            private_zone=config.private_zone,
            global_record=config.dns.global_record,
            ttl=config.dns.ttl,
            # A registry replica is zone redundant where its region has zones.
            registry_zone_redundant_regions=[region.name for region in config.regions if len(config.zones_of(region)) > 1],
            registry_public_network_access=config.security.registry_public_network_access,
            registry_allowed_ip_ranges=list(config.security.registry_allowed_ip_ranges),
            subscription_id=subscription_id,
            tags=tags,
        ),
    )
    _add_backend(global_stack, GLOBAL_STACK, config.backend)
    attachments = GlobalAttachments(
        container_registry_id=global_stack.registry.registry_id,
        traffic_manager_id=global_stack.dns.traffic_manager_id,
        zone_name=global_stack.dns.zone_name,
        private_zone_name=global_stack.dns.private_zone_name,
        dns_resource_group_name=global_names.resource_group,
    )

    plan = plan_addresses(config)
    regions = {region.name: _add_region(app, config, region, plan[region.name], attachments, tags) for region in config.regions}
    for stacks in regions.values():
        stacks.infra.add_dependency(global_stack)
    return BuiltApp(app=app, global_stack=global_stack, regions=regions)
