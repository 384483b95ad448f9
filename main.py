"""The cdktf app (cdktf.json runs it): python main.py [--config PATH] [--outdir DIR] synthesizes
every stack. The other commands: python -m dualstack_aks --help."""

from __future__ import annotations

import gc
import sys


def main(argv: list[str] | None = None) -> int:
    from dualstack_aks.cli import main as run

    return run(["synth", *(sys.argv[1:] if argv is None else argv)], prog_name="main.py")


def prepare_process() -> None:
    """What only a process of its own may do (docs/performance.md), before the synth's imports."""
    # A synth makes many objects that live to its end and few cycles: the collector's passes over them
    # cost ~0.1 s and free little; the process ends right after.
    gc.disable()
    from dualstack_aks.engine.assemblies import load_assemblies_in_background
    from dualstack_aks.engine.typing_cache import grow_typing_caches

    grow_typing_caches()  # the generated bindings' type expressions, built once each
    load_assemblies_in_background()  # node and the assemblies load while the rest is imported


if __name__ == "__main__":
    try:
        prepare_process()
        status = main()
    except KeyboardInterrupt:  # before the command's own handlers are in place
        sys.exit(130)
    from dualstack_aks.cli import exit_quietly

    exit_quietly(status)
