"""One region's ingress stack: Helm and Kubernetes providers against the existing cluster.

A stack of its own, deployed after the region stack, because providers cannot be configured
from a cluster created in the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, TerraformStack
from cdktf_cdktf_provider_azurerm.data_azurerm_kubernetes_cluster import DataAzurermKubernetesCluster
from cdktf_cdktf_provider_helm.provider import HelmProvider, HelmProviderKubernetes, HelmProviderKubernetesExec
from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider, KubernetesProviderExec
from constructs import Construct

from dualstack_aks.constructs.ingress import Ingress, IngressProps
from dualstack_aks.constructs.sample_app import SampleApp, SampleAppProps
from dualstack_aks.stacks.providers import EXEC_API_VERSION, add_azurerm_provider, kubelogin_args


@dataclass(frozen=True)
class IngressStackProps:
    cluster_name: str
    cluster_resource_group_name: str
    kubelogin_mode: str
    ingress: IngressProps
    sample_app: SampleAppProps | None
    subscription_id: str | None


class IngressStack(TerraformStack):
    """Exposes `ingress` (namespace and releases) and `sample_app` (or None)."""

    def __init__(self, scope: Construct, id_: str, props: IngressStackProps):
        super().__init__(scope, id_)
        add_azurerm_provider(self, props.subscription_id)
        # Read at plan time: the API server address and its CA (public), no credentials.
        cluster = DataAzurermKubernetesCluster(
            self, "cluster", name=props.cluster_name, resource_group_name=props.cluster_resource_group_name
        )
        kube_config = cluster.kube_config.get(0)
        host = kube_config.host
        ca_certificate = Fn.base64decode(kube_config.cluster_ca_certificate)
        args = kubelogin_args(props.kubelogin_mode)
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
        self.ingress = Ingress(self, "ingress", props.ingress)
        self.sample_app = SampleApp(self, "sample_app", props.sample_app) if props.sample_app else None
        if self.sample_app:
            # Its Ingress objects are validated by the controllers' admission webhooks.
            self.sample_app.node.add_dependency(self.ingress)
