"""The helm provider's classes from the selected engine's prebuilt provider, under cdktf's names."""

from typing import TYPE_CHECKING

from dualstack_aks.engine import provider_getattr

# mypy checks the app's arguments against cdktf's classes; at run time each name is loaded on first use.
if TYPE_CHECKING:
    from cdktf_cdktf_provider_helm.provider import (
        HelmProvider,
        HelmProviderKubernetes,
        HelmProviderKubernetesExec,
    )
    from cdktf_cdktf_provider_helm.release import (
        Release,
    )

__getattr__ = provider_getattr(__name__, "helm")
