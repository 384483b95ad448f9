"""Run a Python script as __main__, then write the process's peak RSS and its children's to a file.

Usage: python bench/peaks.py OUT.json SCRIPT [ARGS...]

The kernel keeps each process's high-water mark (ru_maxrss), so no sampling can miss a peak.
Our atexit hook is registered before jsii's, so it runs after jsii has stopped and waited for
its node process; RUSAGE_CHILDREN then holds the largest node process (the one running jsii's kernel,
and under jsii's own relay the node it starts, which that node waits for, counts too).
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import runpy
import sys


def write_peaks(path: str) -> None:
    peaks = {
        "python_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "node_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }
    with open(path, "w", encoding="utf-8") as file:
        json.dump(peaks, file)


def run_as_main(script: str, args: list[str]) -> None:
    """Run `script` as `python SCRIPT ARGS` would: its directory first on sys.path, its own argv."""
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    sys.argv = [script, *args]
    runpy.run_path(script, run_name="__main__")


def main() -> None:
    out, script, *args = sys.argv[1:]
    atexit.register(write_peaks, out)
    run_as_main(script, args)


if __name__ == "__main__":
    main()
