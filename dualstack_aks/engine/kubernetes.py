"""The kubernetes provider's classes from the selected engine's prebuilt provider, under cdktf's names."""

from typing import TYPE_CHECKING

from dualstack_aks.engine import provider_getattr

# mypy checks the app's arguments against cdktf's classes; at run time each name is loaded on first use.
if TYPE_CHECKING:
    from cdktf_cdktf_provider_kubernetes.deployment_v1 import (
        DeploymentV1,
        DeploymentV1Metadata,
        DeploymentV1Spec,
        DeploymentV1SpecSelector,
        DeploymentV1SpecTemplate,
        DeploymentV1SpecTemplateMetadata,
        DeploymentV1SpecTemplateSpec,
        DeploymentV1SpecTemplateSpecContainer,
        DeploymentV1SpecTemplateSpecContainerEnv,
        DeploymentV1SpecTemplateSpecContainerLivenessProbe,
        DeploymentV1SpecTemplateSpecContainerLivenessProbeHttpGet,
        DeploymentV1SpecTemplateSpecContainerPort,
        DeploymentV1SpecTemplateSpecContainerReadinessProbe,
        DeploymentV1SpecTemplateSpecContainerReadinessProbeHttpGet,
        DeploymentV1SpecTemplateSpecContainerResources,
        DeploymentV1SpecTemplateSpecContainerSecurityContext,
        DeploymentV1SpecTemplateSpecContainerSecurityContextCapabilities,
        DeploymentV1SpecTemplateSpecContainerSecurityContextSeccompProfile,
    )
    from cdktf_cdktf_provider_kubernetes.ingress_v1 import (
        IngressV1,
        IngressV1Metadata,
        IngressV1Spec,
        IngressV1SpecRule,
        IngressV1SpecRuleHttp,
        IngressV1SpecRuleHttpPath,
        IngressV1SpecRuleHttpPathBackend,
        IngressV1SpecRuleHttpPathBackendService,
        IngressV1SpecRuleHttpPathBackendServicePort,
    )
    from cdktf_cdktf_provider_kubernetes.namespace_v1 import (
        NamespaceV1,
        NamespaceV1Metadata,
    )
    from cdktf_cdktf_provider_kubernetes.provider import (
        KubernetesProvider,
        KubernetesProviderExec,
    )
    from cdktf_cdktf_provider_kubernetes.service_v1 import (
        ServiceV1,
        ServiceV1Metadata,
        ServiceV1Spec,
        ServiceV1SpecPort,
    )

__getattr__ = provider_getattr(__name__, "kubernetes")
