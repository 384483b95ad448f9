"""The cdktf app (cdktf.json runs it): python main.py [--config PATH] [--outdir DIR] synthesizes
every stack. The other commands: python -m dualstack_aks --help."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from dualstack_aks.cli import main as run

    return run(["synth", *(sys.argv[1:] if argv is None else argv)], prog_name="main.py")


if __name__ == "__main__":
    try:
        status = main()
    except KeyboardInterrupt:  # before the command's own handlers are in place
        sys.exit(130)
    from dualstack_aks.cli import exit_quietly

    exit_quietly(status)
