"""Role assignments: every grant in the app is written through `grant`."""

from __future__ import annotations

from constructs import Construct

from dualstack_aks.engine.azurerm import RoleAssignment

# Managed identities are service principals; saying so skips Entra ID's replication check that fails fresh identities.
SERVICE_PRINCIPAL = "ServicePrincipal"


def grant(scope: Construct, id_: str, *, role: str, on: str, to: str, principal_type: str | None = SERVICE_PRINCIPAL) -> RoleAssignment:
    """Give principal `to` the built-in `role` on the resource id `on`."""
    return RoleAssignment(scope, id_, scope=on, role_definition_name=role, principal_id=to, principal_type=principal_type)
