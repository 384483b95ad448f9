"""Synthesize the dual-stack AKS deployment: python main.py [--config PATH] [--plan]."""

from __future__ import annotations

import argparse
import os
import sys

from dualstack_aks.cli import EXIT_BAD_CONFIG, add_config_option, load_or_report
from dualstack_aks.loader import ConfigError
from dualstack_aks.plan import format_plan, plan_addresses


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    add_config_option(parser)
    parser.add_argument("--plan", action="store_true", help="print the address plan and exit, without synthesizing")
    parser.add_argument("--outdir", default=os.environ.get("CDKTF_OUTDIR") or "cdktf.out", help="output directory (default: cdktf.out)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    path, config = load_or_report(args.config)
    if config is None:
        return EXIT_BAD_CONFIG
    if args.plan:
        print(format_plan(plan_addresses(config)))
        return 0

    # Imported here so that --plan and config errors answer without loading jsii.
    from dualstack_aks.app import synthesize
    from dualstack_aks.summary import format_summary
    from dualstack_aks.synth import synth_atomically

    try:
        synth_atomically(args.outdir, lambda staging: synthesize(config, staging, source=path))
    except ConfigError as error:
        print("\n".join(error.problems), file=sys.stderr)
        return EXIT_BAD_CONFIG
    print(format_summary(args.outdir))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; cdktf.out/ was left as it was", file=sys.stderr)
        sys.exit(130)
