"""Provider blocks shared by the stacks. Credentials never appear here: azurerm reads ARM_*
variables (OIDC in CI), and the Kubernetes-side providers run kubelogin as an exec plugin."""

from __future__ import annotations

from constructs import Construct

from dualstack_aks.engine.azurerm import (
    AzurermProvider,
    AzurermProviderFeatures,
)

# The Entra ID application behind every AKS cluster's API server (fixed, public).
AKS_AAD_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"


def add_azurerm_provider(scope: Construct, subscription_id: str | None) -> AzurermProvider:
    return AzurermProvider(scope, "azurerm", features=[AzurermProviderFeatures()], subscription_id=subscription_id)


def kubelogin_args(login_mode: str) -> list[str]:
    """`kubelogin get-token` arguments; the token is fetched at plan/apply time, never stored."""
    return ["get-token", "--login", login_mode, "--server-id", AKS_AAD_SERVER_ID]
