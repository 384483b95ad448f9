"""The synth pipeline: resolve the config, build the stacks, synth into a staging folder, check
the policy on the JSON, then publish into the output directory (output/outdir.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from dualstack_aks.model.config import Config
from dualstack_aks.model.deployment import resolve
from dualstack_aks.model.loading import ConfigError
from dualstack_aks.output.outdir import OutdirError, synth_into

# The cdktf CLI sets this for the app it runs; it then removes orphaned stack folders itself.
CDKTF_CLI_HCL_VARIABLE = "SYNTH_HCL_OUTPUT"


def synthesize(config: Config, outdir: str, source: str, published_outdir: str | None = None) -> None:
    """Resolve the config, build the app and synth it into `outdir`, then check the security policy on the JSON it
    wrote; raise ConfigError (naming `source`) when the policy guard finds problems. `outdir` is a
    private staging folder (output/outdir.py): nothing is published when this raises. `published_outdir`:
    where the staging folder's content goes (default: `outdir`), which names the local state folder."""
    from dualstack_aks.output.reader import read_stacks
    from dualstack_aks.policy.guard import check_policy
    from dualstack_aks.stacks.app import build_app

    build_app(resolve(config), outdir, published_outdir).app.synth()
    problems = check_policy(read_stacks(outdir), config.security.acknowledgements)
    if problems:
        raise ConfigError([f"{source}: {path}: {message}" for path, message in problems])


def synth_with_cdktf_cli_rules(outdir: str, synth: Callable[[str], None], config_path: str | None) -> Path:
    """`synth_into`, minding what the cdktf CLI does around the app when it is the one running it."""
    under_cli = CDKTF_CLI_HCL_VARIABLE in os.environ
    if os.environ.get(CDKTF_CLI_HCL_VARIABLE) == "true":
        raise OutdirError(f"cdktf synth --hcl: not supported (the stacks are Terraform JSON); {outdir} was left as it was, run `cdktf synth` without --hcl")
    return synth_into(outdir, synth, config_path=config_path, remove_orphans=not under_cli)
