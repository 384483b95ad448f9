"""Synthesize the dual-stack AKS deployment: python main.py [--config PATH] [--plan] [--outdir DIR]."""

from __future__ import annotations

import argparse
import os
import sys


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from dualstack_aks.cli import add_config_option

    parser = argparse.ArgumentParser(description=__doc__)
    add_config_option(parser)
    parser.add_argument("--plan", action="store_true", help="print the address plan and exit, without synthesizing")
    parser.add_argument("--outdir", default=os.environ.get("CDKTF_OUTDIR", "cdktf.out"), help="output directory (default: $CDKTF_OUTDIR, else cdktf.out)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from dualstack_aks.cli import EXIT_BAD_CONFIG, load_or_report
    from dualstack_aks.model.loading import ConfigError
    from dualstack_aks.output.outdir import OutdirError
    from dualstack_aks.model.addresses import format_addresses
    from dualstack_aks.model.deployment import allocate_regions
    from dualstack_aks.engine import NodeMissing, require_node
    from dualstack_aks.synth import raise_on_termination, report_failure, report_interrupt, synth_with_cdktf_cli_rules, was_interrupted

    raise_on_termination()
    args = parse_args(argv)
    path, config = load_or_report(args.config)
    if config is None:
        return EXIT_BAD_CONFIG
    if args.plan:
        print(format_addresses(allocate_regions(config)))
        return 0

    def synth(staging: str) -> None:
        # Imported here so that --plan, config and output directory errors answer without loading jsii.
        require_node()
        from dualstack_aks.synth import synthesize

        synthesize(config, staging, source=path)

    try:
        synth_with_cdktf_cli_rules(args.outdir, synth, config_path=path)
    except (ConfigError, OutdirError, NodeMissing) as error:
        print(str(error), file=sys.stderr)
        return EXIT_BAD_CONFIG
    except KeyboardInterrupt:
        return report_interrupt(args.outdir)
    except Exception as error:
        return report_interrupt(args.outdir) if was_interrupted() else report_failure(error)
    from dualstack_aks.output.summary import format_summary

    print(format_summary(args.outdir))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
