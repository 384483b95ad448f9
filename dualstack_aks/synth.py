"""Synthesize a validated config into the output directory (see output/outdir.py for how it is
written), and turn every way a synth can end into one line for the user."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from dualstack_aks.model.config import Config
from dualstack_aks.model.deployment import resolve
from dualstack_aks.model.loading import ConfigError
from dualstack_aks.output.outdir import OutdirError, synth_into

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
# The cdktf CLI sets this for the app it runs; it then removes orphaned stack folders itself.
CDKTF_CLI_HCL_VARIABLE = "SYNTH_HCL_OUTPUT"


def synthesize(config: Config, outdir: str, source: str) -> None:
    """Resolve the config, build the app and synth it into `outdir`, then check the security policy on the JSON it
    wrote; raise ConfigError (naming `source`) when the policy guard finds problems. `outdir` is a
    private staging folder (output/outdir.py): nothing is published when this raises."""
    from dualstack_aks.output.reader import read_stacks
    from dualstack_aks.policy.guard import check_policy
    from dualstack_aks.stacks.app import build_app

    build_app(resolve(config), outdir).app.synth()
    problems = check_policy(read_stacks(outdir), config.security.acknowledgements)
    if problems:
        raise ConfigError([f"{source}: {path}: {message}" for path, message in problems])


def synth_with_cdktf_cli_rules(outdir: str, synth: Callable[[str], None], config_path: str | None) -> Path:
    """`synth_into`, minding what the cdktf CLI does around the app when it is the one running it."""
    under_cli = CDKTF_CLI_HCL_VARIABLE in os.environ
    if os.environ.get(CDKTF_CLI_HCL_VARIABLE) == "true":
        raise OutdirError(f"cdktf synth --hcl: not supported (the stacks are Terraform JSON); {outdir} was left as it was, run `cdktf synth` without --hcl")
    return synth_into(outdir, synth, config_path=config_path, remove_orphans=not under_cli)


_received: list[int] = []


def _interrupt(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise KeyboardInterrupt(signal.Signals(signum).name)


def raise_on_termination() -> None:
    """Ctrl-C, SIGTERM and SIGHUP end the synth cleanly, through the same handlers."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)


def was_interrupted() -> bool:
    """A Ctrl-C also reaches jsii's node, whose death then surfaces as some other error first."""
    return bool(_received)


def report_failure(error: BaseException) -> int:
    """An unexpected failure as one line (DUALSTACK_DEBUG=1 shows the traceback)."""
    if os.environ.get("DUALSTACK_DEBUG"):
        raise error
    first_line = (str(error).strip().splitlines() or [""])[0]
    print(f"synth failed: {type(error).__name__}: {first_line} (DUALSTACK_DEBUG=1 shows the traceback)", file=sys.stderr)
    return EXIT_FAILED


def report_interrupt(outdir: str) -> int:
    print(f"interrupted; every file in {outdir}/ is complete (the last synth's, or this one's)", file=sys.stderr)
    return 130
