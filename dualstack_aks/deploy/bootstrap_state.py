"""Synthesize the one-time stack that creates the azurerm state backend named in the config's
`backend` section: python bootstrap_state.py [--config PATH] [--outdir cdktf.state.out].

`make bootstrap-state` synthesizes and deploys it. Its own state stays in a local file
(terraform-state/state-backend.tfstate): the backend cannot hold the state of its own creation.
"""

from __future__ import annotations

import argparse
import os
import sys

from dualstack_aks.cli import EXIT_BAD_CONFIG, add_config_option, load_or_report
from dualstack_aks.model.config import Config

STATE_STACK = "state-backend"
DEFAULT_OUTDIR = "cdktf.state.out"


def build_state_app(config: Config, outdir: str):
    """The App holding the state stack, with a local backend beside the other stacks' local state."""
    from cdktf import App, LocalBackend

    from dualstack_aks.model.deployment import home_region
    from dualstack_aks.stacks.app import LOCAL_STATE_DIR
    from dualstack_aks.stacks.state_stack import StateStack, StateStackProps

    app = App(outdir=outdir, stack_traces=False)
    backend = config.backend
    stack = StateStack(
        app,
        STATE_STACK,
        StateStackProps(
            resource_group_name=backend.resource_group_name,
            storage_account_name=backend.storage_account_name,
            container_name=backend.container_name,
            location=home_region(config),
            subscription_id=config.azure.subscription_id,
            tags={"purpose": "terraform-state", **config.tags},
        ),
    )
    LocalBackend(stack, path=f"{LOCAL_STATE_DIR}/{STATE_STACK}.tfstate")
    return app


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_config_option(parser)
    parser.add_argument("--outdir", default=os.environ.get("CDKTF_OUTDIR", DEFAULT_OUTDIR), help=f"output directory (default: {DEFAULT_OUTDIR})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    path, config = load_or_report(args.config)
    if config is None:
        return EXIT_BAD_CONFIG
    if config.backend.type != "azurerm":
        print(f"{path}: backend.type is local; set backend.type: azurerm, backend.resource_group_name and backend.storage_account_name first", file=sys.stderr)
        return EXIT_BAD_CONFIG

    from dualstack_aks.output.outdir import OutdirError
    from dualstack_aks.synth import synth_with_cdktf_cli_rules

    try:
        synth_with_cdktf_cli_rules(args.outdir, lambda staging: build_state_app(config, staging).synth(), config_path=path)
    except OutdirError as error:
        print(str(error), file=sys.stderr)
        return EXIT_BAD_CONFIG
    backend = config.backend
    print(f"Synthesized stack {STATE_STACK} into {args.outdir}/: resource group {backend.resource_group_name}, storage account {backend.storage_account_name}, container {backend.container_name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
