"""One region's ingress stack: Helm and Kubernetes providers against the existing cluster.

A stack of its own, deployed after the region stack, because providers cannot be configured
from a cluster created in the same plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from constructs import Construct

from dualstack_aks.constructs.ingress import Ingress, IngressProps
from dualstack_aks.engine.azurerm import (
    DataAzurermKubernetesCluster,
)
from dualstack_aks.engine.core import AssetType, Fn, TerraformAsset, TerraformStack
from dualstack_aks.engine.helm import (
    HelmProvider,
    HelmProviderKubernetes,
    HelmProviderKubernetesExec,
)
from dualstack_aks.engine.kubernetes import (
    KubernetesProvider,
    KubernetesProviderExec,
)
from dualstack_aks.model.deployment import IngressChart, RegionDeployment
from dualstack_aks.model.gateway import OBJECTS_CHART_ASSET, OBJECTS_CHART_SOURCE
from dualstack_aks.model.names import ENVOY_GATEWAY
from dualstack_aks.stacks.providers import (
    EXEC_API_VERSION,
    add_azurerm_provider,
    kubelogin_args,
)

# Imported where it is built: its module loads the Kubernetes Deployment, Service and Ingress modules
# (~90 ms), which a config without the sample app should not pay for.
if TYPE_CHECKING:
    from dualstack_aks.constructs.sample_app import SampleApp


class IngressStack(TerraformStack):
    """Exposes `ingress` (namespace and releases) and `sample_app` (or None)."""

    def __init__(self, scope: Construct, region: RegionDeployment, chart: IngressChart, kubelogin_mode: str, subscription_id: str | None, access_ready_at: str):
        super().__init__(scope, region.ingress_stack)
        add_azurerm_provider(self, subscription_id)
        # Read at plan time: the API server address and its CA (public), no credentials.
        cluster = DataAzurermKubernetesCluster(self, "cluster", name=region.cluster_name, resource_group_name=region.cluster_resource_group)
        kube_config = cluster.kube_config.get(0)
        host = kube_config.host
        ca_certificate = Fn.base64decode(kube_config.cluster_ca_certificate)
        args = kubelogin_args(kubelogin_mode)
        HelmProvider(
            self,
            "helm",
            kubernetes=HelmProviderKubernetes(
                host=host,
                cluster_ca_certificate=ca_certificate,
                exec=HelmProviderKubernetesExec(api_version=EXEC_API_VERSION, command="kubelogin", args=args),
            ),
        )
        KubernetesProvider(
            self,
            "kubernetes",
            host=host,
            cluster_ca_certificate=ca_certificate,
            exec=[KubernetesProviderExec(api_version=EXEC_API_VERSION, command="kubelogin", args=args)],
        )
        # Copied into this stack's folder of the output: the path is relative to it, whatever --outdir is.
        objects_chart = (
            TerraformAsset(self, OBJECTS_CHART_ASSET, path=str(OBJECTS_CHART_SOURCE), type=AssetType.DIRECTORY).path
            if chart.controller == ENVOY_GATEWAY
            else None
        )
        self.ingress = Ingress(
            self,
            "ingress",
            IngressProps(
                controller=chart.controller,
                namespace=chart.namespace,
                chart_repository=chart.repository,
                chart=chart.chart,
                chart_version=chart.version,
                releases=region.releases,
                health_probe=region.health_probe,
                objects_chart=objects_chart,
                access_ready_at=access_ready_at,
            ),
        )
        self.sample_app: SampleApp | None = None
        if region.sample_app:
            from dualstack_aks.constructs.sample_app import SampleApp

            self.sample_app = SampleApp(self, "sample_app", region.sample_app, routes_after=self.ingress.serving, objects_chart=objects_chart)
