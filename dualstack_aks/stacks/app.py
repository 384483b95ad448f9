"""Composes the stacks from a resolved deployment. All cross-stack wiring happens here.

Stacks and their order (recorded in the manifest, honoured by `cdktf deploy`):
  global                  registry, DNS zones, Traffic Manager, global name
  region-<region>         network, cluster, edge          (after global)
  ingress-<region>        Helm + Kubernetes providers     (after region-<region>)
A region's two stacks can be deployed or destroyed without touching another region.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from dualstack_aks.engine.core import App, AzurermBackend, LocalBackend, TerraformStack
from dualstack_aks.model.deployment import (
    AzurermBackendSpec,
    Deployment,
    LocalBackendSpec,
)
from dualstack_aks.stacks.global_stack import GlobalStack
from dualstack_aks.stacks.ingress_stack import IngressStack
from dualstack_aks.stacks.region_stack import GlobalAttachments, RegionStack
from dualstack_aks.terraform_version import REQUIRED_VERSION

# cdktf runs Terraform in <outdir>/stacks/<stack>/. Local state lives beside the output folder, never in it
# (`make clean` removes the output), with a relative path, so the JSON is machine-independent.
LOCAL_STATE_DIR = "../../../terraform-state"
# Output folders whose stacks keep their state in terraform-state/ itself (where it always was); any other
# output folder gets terraform-state/<its name>/, so that two output folders never share a state file.
STATE_IN_TOP_FOLDER = ("cdktf.out", "cdktf.state.out")


def local_state_dir(outdir: str) -> str:
    """The local state folder of the stacks published to `outdir`, relative to a stack's folder."""
    name = os.path.basename(os.path.normpath(outdir))
    return LOCAL_STATE_DIR if name in STATE_IN_TOP_FOLDER else f"{LOCAL_STATE_DIR}/{name}"


@dataclass
class RegionStacks:
    infra: RegionStack
    ingress: IngressStack


@dataclass
class BuiltApp:
    app: App
    global_stack: GlobalStack
    regions: dict[str, RegionStacks]


def add_terraform_settings(stack: TerraformStack, name: str, backend: LocalBackendSpec | AzurermBackendSpec, outdir: str) -> None:
    """The stack's state backend, and the Terraform versions it may run on (preflight checks the same range).
    `outdir`: the output folder the stack is published to, which names its local state folder."""
    stack.add_override("terraform.required_version", REQUIRED_VERSION)
    if isinstance(backend, AzurermBackendSpec):
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
        LocalBackend(stack, path=f"{local_state_dir(outdir)}/{name}.tfstate")


def build_app(deployment: Deployment, outdir: str, published_outdir: str | None = None) -> BuiltApp:
    """The app, synthesized into `outdir` and published to `published_outdir` (default: `outdir` itself)."""
    app = App(outdir=outdir, stack_traces=False)
    published = published_outdir or outdir
    global_stack = GlobalStack(app, deployment.global_, deployment.subscription_id)
    add_terraform_settings(global_stack, deployment.global_.stack, deployment.backend, published)
    attachments = GlobalAttachments(
        container_registry_id=global_stack.registry.registry_id,
        traffic_manager_ids=global_stack.dns.traffic_manager_ids,
        zone_name=global_stack.dns.zone_name,
        private_zone_name=global_stack.dns.private_zone_name,
        dns_resource_group_name=deployment.global_.names.resource_group,
        ttl=deployment.global_.ttl,
    )
    regions = {}
    for region in deployment.regions:
        infra = RegionStack(app, region, attachments, deployment.subscription_id)
        infra.add_dependency(global_stack)
        add_terraform_settings(infra, region.stack, deployment.backend, published)
        # The wait's id makes the ingress stack start after the region stack's grants have taken effect.
        ingress = IngressStack(app, region, deployment.ingress_chart, deployment.kubelogin_mode, deployment.subscription_id, infra.access_ready.id)
        ingress.add_dependency(infra)
        add_terraform_settings(ingress, region.ingress_stack, deployment.backend, published)
        regions[region.name] = RegionStacks(infra=infra, ingress=ingress)
    return BuiltApp(app=app, global_stack=global_stack, regions=regions)
