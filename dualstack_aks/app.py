"""Composes the stacks from a validated config. All cross-stack wiring happens here.

Stacks and their order (recorded in the manifest, honoured by `cdktf deploy`):
  global                  registry, DNS zones, Traffic Manager, global name
  region-<region>         network, cluster, edge          (after global)
  ingress-<region>        Helm + Kubernetes providers     (after region-<region>)
A region's two stacks can be deployed or destroyed without touching another region.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import App, Aspects, AzurermBackend, LocalBackend, TerraformStack

from dualstack_aks.config import Backend, Config
from dualstack_aks.constructs.ingress import IngressProps
from dualstack_aks.constructs.private_link import PRIVATE_LINK_ZONES
from dualstack_aks.ingress_values import FAMILIES, IngressRelease
from dualstack_aks.loader import ConfigError
from dualstack_aks.naming import GlobalNames, IngressNames, RegionNames
from dualstack_aks.plan import plan_addresses
from dualstack_aks.policy import PolicyAspect, check_acknowledgements
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
    policy: PolicyAspect


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
            registry_zone_redundant=len(config.cluster.zones) > 1,
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
        private_link_zones={
            subresource: (PRIVATE_LINK_ZONES[subresource], zone_id) for subresource, zone_id in global_stack.dns.private_link_zone_ids.items()
        },
        dns_resource_group_name=global_names.resource_group,
    )

    plan = plan_addresses(config)
    regions: dict[str, RegionStacks] = {}
    for region in config.regions:
        names = RegionNames.derive(config.name_prefix, region.name)
        infra = RegionStack(
            app,
            region_stack_name(region.name),
            RegionStackProps(
                names=names,
                addresses=plan[region.name],
                cluster=config.cluster,
                security=config.security,
                attachments=attachments,
                ttl=config.dns.ttl,
                subscription_id=subscription_id,
                tags=tags,
            ),
        )
        infra.add_dependency(global_stack)
        _add_backend(infra, region_stack_name(region.name), config.backend)

        releases = [
            IngressRelease(
                family=family,
                translating=family != config.primary_family,
                names=IngressNames.derive(family),
                public_ip_name=infra.edge.ingress_public_ip_names[family],
                public_ip_resource_group=infra.edge.resource_group_name,
                replicas=config.ingress.replicas,
            )
            for family in FAMILIES
        ]
        ingress = IngressStack(
            app,
            ingress_stack_name(region.name),
            IngressStackProps(
                cluster_name=infra.cluster.cluster_name,
                cluster_resource_group_name=names.resource_group,
                kubelogin_mode=config.azure.kubelogin_mode,
                ingress=IngressProps(
                    namespace=config.ingress.namespace,
                    chart_repository=config.ingress.chart_repository,
                    chart_version=config.ingress.chart_version,
                    releases=releases,
                ),
                subscription_id=subscription_id,
            ),
        )
        ingress.add_dependency(infra)
        _add_backend(ingress, ingress_stack_name(region.name), config.backend)
        regions[region.name] = RegionStacks(infra=infra, ingress=ingress)
    policy = PolicyAspect()
    # cdktf applies aspects stack by stack (an aspect on the App is never invoked).
    for stack in [global_stack, *(stacks for region in regions.values() for stacks in (region.infra, region.ingress))]:
        Aspects.of(stack).add(policy)
    return BuiltApp(app=app, global_stack=global_stack, regions=regions, policy=policy)


def synthesize(config: Config, outdir: str, source: str) -> BuiltApp:
    """Build and synth into `outdir`; raise ConfigError when the policy guard finds problems.

    The guard runs as an Aspect during synth, so the caller synthesizes into a staging
    directory that is thrown away on error (see synth.py)."""
    built = build_app(config, outdir)
    built.app.synth()
    problems = check_acknowledgements(built.policy.all_violations(), config.security.acknowledgements)
    if problems:
        raise ConfigError([f"{source}: {path}: {message}" for path, message in problems])
    return built
