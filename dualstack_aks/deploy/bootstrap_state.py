"""The one-time stack that creates the azurerm state backend named in the config's `backend`
section: python -m dualstack_aks bootstrap-state [--config PATH] [--outdir cdktf.state.out].

`make bootstrap-state` synthesizes and deploys it. Its own state stays in a local file
(terraform-state/state-backend.tfstate): the backend cannot hold the state of its own creation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dualstack_aks.model.config import Config

if TYPE_CHECKING:
    from dualstack_aks.engine.core import App

STATE_STACK = "state-backend"
DEFAULT_OUTDIR = "cdktf.state.out"


def build_state_app(config: Config, outdir: str, published_outdir: str | None = None) -> App:
    """The App holding the state stack, with a local backend beside the other stacks' local state;
    synthesized into `outdir`, published to `published_outdir` (default: `outdir`)."""
    from dualstack_aks.engine.core import App
    from dualstack_aks.model.deployment import LocalBackendSpec, home_region
    from dualstack_aks.stacks.app import add_terraform_settings
    from dualstack_aks.stacks.state_stack import StateStack, StateStackProps

    app = App(outdir=outdir, stack_traces=False)
    backend = config.backend
    stack = StateStack(
        app,
        STATE_STACK,
        StateStackProps(
            # Validation requires both names when backend.type is azurerm, which the CLI checks first.
            resource_group_name=backend.resource_group_name or "",
            storage_account_name=backend.storage_account_name or "",
            container_name=backend.container_name,
            location=home_region(config),
            subscription_id=config.azure.subscription_id,
            tags={"purpose": "terraform-state", **config.tags},
        ),
    )
    add_terraform_settings(stack, STATE_STACK, LocalBackendSpec(), published_outdir or outdir)
    return app
