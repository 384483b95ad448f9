"""Role assignments: every grant in the app is written through `grant`, and every wait for grants to take effect through `wait_for`."""

from __future__ import annotations

from constructs import Construct

from dualstack_aks.engine.azurerm import RoleAssignment
from dualstack_aks.engine.time_provider import Sleep

# Managed identities are service principals; saying so skips Entra ID's replication check that fails fresh identities.
SERVICE_PRINCIPAL = "ServicePrincipal"
GROUP = "Group"
# "New role assignments can take up to five minutes to propagate" (azure-aks-docs articles/aks/entra-id-authorization.md:36);
# control-plane grants lag the same way (azurerm issue 24064: Network Contributor not effective at AKS create).
PROPAGATION = "300s"


def grant(scope: Construct, id_: str, *, role: str, on: str, to: str, principal_type: str | None = SERVICE_PRINCIPAL) -> RoleAssignment:
    """Give principal `to` the built-in `role` on the resource id `on`."""
    return RoleAssignment(scope, id_, scope=on, role_definition_name=role, principal_id=to, principal_type=principal_type)


def wait_for(scope: Construct, id_: str, grants: list[RoleAssignment]) -> Sleep:
    """A time_sleep created after `grants` that lasts PROPAGATION; a replaced grant replaces it, so the wait happens again."""
    return Sleep(
        scope,
        id_,
        create_duration=PROPAGATION,
        triggers={grant.node.id: grant.id for grant in grants},
        depends_on=grants,
    )
