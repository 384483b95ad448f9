"""Run a Python script as __main__, then write the jsii round trips it made, by kind, to a file.

Usage: python bench/round_trips.py OUT.json SCRIPT [ARGS...]

Every request to jsii's node kernel goes through one method of jsii's ProcessProvider (create,
get, set, invoke, sinvoke, ...), so that is where they are counted: jsii binds the Kernel's
methods at import (jsii.create is kernel.create), so wrapping Kernel would miss the calls. A
Python callback answered to node (sync_complete) counts as one round trip of kind "callback".
"""

from __future__ import annotations

import atexit
import functools
import json
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

from jsii._kernel.providers.process import ProcessProvider
from peaks import run_as_main

# ProcessProvider's method name -> the kind reported, where the two differ.
KIND_NAMES = {"sync_complete": "callback"}


def count_requests(counts: Counter[str]) -> None:
    """Wrap every request method of ProcessProvider so that each call adds one to its kind."""
    for name, method in list(vars(ProcessProvider).items()):
        if name.startswith("_") or not callable(method):
            continue
        setattr(ProcessProvider, name, _counted(method, KIND_NAMES.get(name, name), counts))


def _counted(method: Callable[..., Any], kind: str, counts: Counter[str]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        counts[kind] += 1
        return method(*args, **kwargs)

    return wrapper


def write_counts(path: str, counts: Counter[str]) -> None:
    with open(path, "w", encoding="utf-8") as file:
        json.dump(dict(sorted(counts.items())), file)


def main() -> None:
    out, script, *args = sys.argv[1:]
    counts: Counter[str] = Counter()
    count_requests(counts)
    atexit.register(write_counts, out, counts)
    run_as_main(script, args)


if __name__ == "__main__":
    main()
