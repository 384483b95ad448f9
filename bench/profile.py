"""Where one synth's time goes: `python bench/profile.py [--config PATH]` (docs/performance.md quotes it).

Runs the synth once, as cdktf.json runs it, with three probes, and prints three tables:
- Python, by package: the main thread's CPU time (cProfile's tottime) in each package's code, the
  standard library's and builtins' time given to the packages that called them, and the time it spent
  waiting for node on jsii's pipe as a row of its own;
- jsii round trips, by kind: their count, wall time and the part of it Python spent (serializing);
  the rest is node's;
- node, by part: the CPU profile of jsii's kernel process (node --cpu-prof), grouped into the engine,
  the providers, jsii's kernel, module loading and compiling, garbage collection and idle (waiting
  for Python).
cProfile slows Python down about twofold, so compare the rows of a table, not the totals with `make bench`.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # `python bench/profile.py` puts bench/, not the repository, on sys.path

from bench.run import DEFAULT_CONFIG, app_interpreter_flags, child_env  # noqa: E402

WAITING_FOR_NODE = "(waiting for node: readline on jsii's pipe)"
# Node's profile: a sample belongs to the first part whose pattern matches its frame or, for the parts
# marked True, any frame that called it.
NODE_PARTS = (
    (re.compile(r"\(idle\)|^\(read\)$"), "idle: waiting for Python"),
    (re.compile(r"\((digestFile|extractViaCache)\)"), "jsii's package cache: hashing each package's tarball", True),
    (re.compile(r"\(captureStackTrace\)"), "stack traces the engine records for each token", True),
    (re.compile(r"garbage collector"), "garbage collection"),
    (re.compile(r"/(cdktf|cdktn)/lib/"), "the engine (constructs tree, tokens, synth)"),
    (re.compile(r"/constructs/lib/"), "constructs"),
    (re.compile(r"provider-"), "the providers' resource classes"),
    (re.compile(r"program\.js|jsii-runtime\.js|jsii_kernel\.js"), "jsii's kernel (requests, type lookups, serialization)"),
    (re.compile(r"node:internal/modules|wrapSafe|compileFunction|readFileUtf8|internalModuleStat|package_json"), "loading and compiling modules"),
)
OTHER = "other (node internals, buffers, streams)"

PROBE = """
import cProfile, functools, json, runpy, sys, time, atexit
from jsii._kernel.providers.process import ProcessProvider
report_path, profile_path, script, *args = sys.argv[1:]
trips = {}

def timed(method, kind):
    @functools.wraps(method)
    def wrapper(*a, **k):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return method(*a, **k)
        finally:
            count, total_wall, total_cpu = trips.get(kind, (0, 0.0, 0.0))
            trips[kind] = (count + 1, total_wall + time.perf_counter() - wall, total_cpu + time.thread_time() - cpu)
    return wrapper

for name, method in list(vars(ProcessProvider).items()):
    if not name.startswith("_") and callable(method):
        setattr(ProcessProvider, name, timed(method, name))
profiler = cProfile.Profile()

def finish():
    profiler.disable()
    profiler.dump_stats(profile_path)
    with open(report_path, "w") as file:
        json.dump(trips, file)

atexit.register(finish)
sys.argv = [script, *args]
sys.path[0] = "."
profiler.enable()
runpy.run_path(script, run_name="__main__")
"""


def package_of(filename: str) -> str:
    """A cProfile entry's package: the top-level folder under site-packages, the repository's first folder, or the standard library."""
    if filename.startswith("~") or filename.startswith("<"):
        return "(builtins and frozen imports)"
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    if REPO in path.parents:
        return path.relative_to(REPO).parts[0].removesuffix(".py")
    return "(standard library)"


SHARED = ("(builtins and frozen imports)", "(standard library)")


def python_table(profile: Path) -> list[tuple[str, float]]:
    """Own time by package; the standard library's and builtins' time (typing, json, marshal, class creation)
    goes to the packages that called them, in proportion to what each caller's calls took."""
    stats: dict[Any, Any] = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    shares: dict[Any, dict[str, float]] = {}

    def share(function: Any, depth: int = 0) -> dict[str, float]:
        """Which packages a function's time belongs to, as fractions."""
        if function in shares:
            return shares[function]
        package = package_of(function[0])
        if function[2] == "<method 'readline' of '_io.BufferedReader' objects>":
            result = {WAITING_FOR_NODE: 1.0}
        elif package not in SHARED or depth > 40:
            result = {package: 1.0}
        else:
            callers = stats[function][4]
            total = sum(caller_stats[2] for caller_stats in callers.values())
            result = collections.Counter()
            shares[function] = {package: 1.0}  # a cycle back here counts as the function's own package
            for caller, caller_stats in callers.items():
                for name, fraction in share(caller, depth + 1).items():
                    result[name] += fraction * (caller_stats[2] / total if total else 1 / len(callers))
            if not result:
                result = {package: 1.0}
        shares[function] = dict(result)
        return shares[function]

    by_package: collections.Counter[str] = collections.Counter()
    for function, (_, _, tottime, _, _) in stats.items():
        for name, fraction in share(function).items():
            by_package[name] += tottime * fraction
    return by_package.most_common()


def node_table(profile_dir: Path) -> list[tuple[str, float]]:
    """The kernel's profile: of jsii's two node processes, the one that ran longest on CPU."""
    parts: collections.Counter[str] = collections.Counter()
    best: collections.Counter[str] = collections.Counter()
    for path in profile_dir.glob("*.cpuprofile"):
        profile = json.loads(path.read_text(encoding="utf-8"))
        nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
        parents = {child: node["id"] for node in profile["nodes"] for child in node.get("children", ())}
        parts = collections.Counter()
        for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
            chain = [sample]
            while chain[-1] in parents:
                chain.append(parents[chain[-1]])
            frames = [f"{nodes[id_]['url']} ({nodes[id_]['functionName']})" if nodes[id_]["url"] else f"({nodes[id_]['functionName']})" for id_ in chain]
            part = next((part for pattern, part, *callers in NODE_PARTS if any(pattern.search(frame) for frame in (frames if callers else frames[:1]))), OTHER)
            parts[part] += delta / 1e6
        if sum(parts.values()) - parts[NODE_PARTS[0][1]] > sum(best.values()) - best[NODE_PARTS[0][1]]:
            best = parts
    return best.most_common()


def print_table(title: str, rows: list[tuple[str, Any]], header: str) -> None:
    print(f"\n{title}\n\n| {header} |\n|---|--:|")
    for name, seconds in rows:
        if seconds >= 0.0005:
            print(f"| {name} | {1000 * seconds:.0f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="the config to synthesize (default: config/default.yaml)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="profile-") as scratch:
        env = child_env()
        env["NODE_OPTIONS"] = f"{env.get('NODE_OPTIONS', '')} --cpu-prof --cpu-prof-dir={scratch}/node".strip()
        command = [sys.executable, *app_interpreter_flags(), "-c", PROBE, f"{scratch}/trips.json", f"{scratch}/python.prof"]
        command += ["main.py", "--config", args.config, "--outdir", f"{scratch}/cdktf.out"]
        start = time.perf_counter()
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return result.returncode
        trips = json.loads(Path(scratch, "trips.json").read_text(encoding="utf-8"))
        print(f"{args.config}: {wall:.2f} s under the probes")
        print_table("Python's main thread, own CPU time by package (ms, under cProfile):", python_table(Path(scratch, "python.prof")), "package | ms")
        print("\njsii round trips by kind:\n\n| kind | count | wall ms | of which Python ms |\n|---|--:|--:|--:|")
        for kind, (count, trip_wall, trip_cpu) in sorted(trips.items(), key=lambda item: -item[1][1]):
            print(f"| {kind} | {count} | {1000 * trip_wall:.0f} | {1000 * trip_cpu:.0f} |")
        print_table("node (jsii's kernel process), CPU profile by part (ms):", node_table(Path(scratch, "node")), "part | ms")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
