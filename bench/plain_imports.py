"""The benchmark's baseline: import cdktf and the provider modules the app uses, the plain way.

This is what a plain CDKTF app pays before it creates a single resource: each import runs its
provider package's `__init__` (every resource module) and loads the assembly into jsii's node.
One module per package is enough, as the package `__init__` imports all the others anyway.
Nothing from dualstack_aks is imported, so its provider_imports shortcut is not in play.
"""

import cdktf  # noqa: F401
import cdktf_cdktf_provider_azurerm.kubernetes_cluster  # noqa: F401
import cdktf_cdktf_provider_helm.release  # noqa: F401
import cdktf_cdktf_provider_kubernetes.namespace_v1  # noqa: F401
