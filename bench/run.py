"""Benchmark the synth against a plain-import baseline: `make bench`, or python bench/run.py --help.

Every figure is a whole process run as CI runs it (same environment, so PYTHONDONTWRITEBYTECODE
too): its wall time, measured here around it; its CPU time (user + system of the process and its
descendants, from wait4); and the kernel's peak RSS of the Python process and of its largest
node child, reported by bench/peaks.py. The baseline (bench/plain_imports.py) is measured in the
same session: each round runs the baseline and every scenario once, in an order rotated from
round to round, so drift in the load of a shared machine spreads over all of them. One round is
run first as a warm-up and not counted. The table shows medians and ratios of medians. The engine
is the one in the running venv; `make bench` runs this once per engine, each with its own baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
# The measured processes get the environment as it is now: importing dualstack_aks (below) adds
# the app's node preload to NODE_OPTIONS (see provider_imports), which the baseline must not get.
CALLER_ENV = dict(os.environ)
sys.path.insert(0, str(REPO))  # `python bench/run.py` puts bench/, not the repository, on sys.path

from dualstack_aks.engine import selected_engine  # noqa: E402
from dualstack_aks.model.loading import ConfigError, load_config  # noqa: E402
from dualstack_aks.model.regions import AZURE_REGION_CODES  # noqa: E402

PEAKS = REPO / "bench" / "peaks.py"
PLAIN_IMPORTS = REPO / "bench" / "plain_imports.py"
DEFAULT_CONFIG = REPO / "config" / "default.yaml"
BASELINE = "baseline"
SCRATCH = "{scratch}"  # in a command line: that run's own temporary directory
REGION_COUNTS = (1, 2, 8, 16)
METRICS = ("wall_s", "python_mib", "node_mib")
MAX_DEFAULT_TIME_RATIO = 0.4
MAX_16_TO_1_REGION_TIME_RATIO = 1.3
MAX_MEMORY_RATIO = 1.1
MAX_TEST_SECONDS = 120
PYTEST_COUNTS = re.compile(r"\d+ (passed|failed|errors?)\b.* in [\d.]+s")  # pytest's last line, e.g. "281 passed in 28.09s"


def region_scenario(count: int) -> str:
    return f"{count} region" if count == 1 else f"{count} regions"


def write_region_config(directory: Path, count: int) -> Path:
    """The default config with `count` distinct regions (indexes 0..count-1) instead of its own.

    Everything else comes from config/default.yaml (its DNS zone, and the settings the security
    checks require, such as the API server's authorized ranges), so only the region count varies.
    """
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["regions"] = [{"name": name, "index": index} for index, name in enumerate(sorted(AZURE_REGION_CODES)[:count])]
    path = directory / f"regions-{count}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    load_config(path)  # fail here, with the loader's message, rather than in every run
    return path


def child_env() -> dict[str, str]:
    """The caller's environment, with this interpreter's bin/ (and its Node.js) first on PATH, as `make` does."""
    env = dict(CALLER_ENV)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def measure(script_and_args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run one process to completion; its wall time, CPU time and peak RSS (Python, node)."""
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        peaks_path = Path(scratch, "peaks.json")
        stderr_path = Path(scratch, "stderr")
        command = [sys.executable, str(PEAKS), str(peaks_path), *(arg.replace(SCRATCH, scratch) for arg in script_and_args)]
        with open(stderr_path, "wb") as stderr:
            start = time.perf_counter()
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}:\n{stderr_path.read_text()}")
        peaks = json.loads(peaks_path.read_text())
    if peaks["node_kib"] == 0:
        raise RuntimeError(f"{' '.join(command)}: no node child had been waited for at exit, so its peak is unknown")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "python_mib": peaks["python_kib"] / 1024,
        "node_mib": peaks["node_kib"] / 1024,
    }


def run_rounds(variants: dict[str, list[str]], runs: int) -> dict[str, list[dict[str, float]]]:
    """Interleave the variants: one warm-up round, then `runs` rounds, each in a rotated order."""
    env = child_env()
    names = list(variants)
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for round_number in range(runs + 1):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            sample = measure(variants[name], env)
            if round_number > 0:
                samples[name].append(sample)
            label = "warm-up" if round_number == 0 else f"round {round_number}/{runs}"
            print(f"  {label:>12}  {name:<10} {sample['wall_s']:6.2f} s  python {sample['python_mib']:5.0f} MiB  node {sample['node_mib']:5.0f} MiB", flush=True)
    return samples


def medians(samples: list[dict[str, float]]) -> dict[str, float]:
    return {metric: statistics.median(sample[metric] for sample in samples) for metric in samples[0]}


def time_tests(env: dict[str, str]) -> dict[str, object]:
    """Run the whole test suite once, as `make test` does, and time it."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest"], cwd=REPO, env=env, capture_output=True, text=True)
    summary = next((line.strip("= ") for line in reversed(result.stdout.splitlines()) if PYTEST_COUNTS.search(line)), "")
    return {"wall_s": time.perf_counter() - start, "exit_code": result.returncode, "summary": summary}


def check_targets(figures: dict[str, dict[str, float]], tests: dict[str, object] | None) -> list[dict[str, object]]:
    """The issue's targets, each with its measured value and PASS / FAIL (SKIP when not measured)."""
    baseline = figures[BASELINE]
    default_ratio = figures["default"]["wall_s"] / baseline["wall_s"]
    scaling = figures[region_scenario(16)]["wall_s"] / figures[region_scenario(1)]["wall_s"]
    memory = {
        f"{scenario} {metric.removesuffix('_mib')}": values[metric] / baseline[metric]
        for scenario, values in figures.items()
        if scenario != BASELINE
        for metric in ("python_mib", "node_mib")
    }
    worst_memory = max(memory, key=memory.get)
    targets = [
        {
            "target": f"full default synth <= {MAX_DEFAULT_TIME_RATIO}x baseline time",
            "value": f"{default_ratio:.2f}x",
            "pass": default_ratio <= MAX_DEFAULT_TIME_RATIO,
        },
        {
            "target": f"16 regions <= {MAX_16_TO_1_REGION_TIME_RATIO}x the time of 1 region",
            "value": f"{scaling:.2f}x",
            "pass": scaling <= MAX_16_TO_1_REGION_TIME_RATIO,
        },
        {
            "target": f"peak RSS of any one process <= {MAX_MEMORY_RATIO}x the baseline's same process",
            "value": f"{memory[worst_memory]:.2f}x (worst: {worst_memory})",
            "pass": memory[worst_memory] <= MAX_MEMORY_RATIO,
        },
    ]
    test_target = {"target": f"make test under {MAX_TEST_SECONDS} s", "value": "not measured (--time-tests)", "pass": None}
    if tests is not None:
        test_target["value"] = f"{tests['wall_s']:.0f} s, {tests['summary'] or 'no summary'}"
        test_target["pass"] = tests["exit_code"] == 0 and tests["wall_s"] < MAX_TEST_SECONDS
    return [*targets, test_target]


def markdown_table(figures: dict[str, dict[str, float]]) -> str:
    baseline = figures[BASELINE]
    lines = [
        "| scenario | wall s | baseline | ratio | Python peak MiB | baseline | ratio | node peak MiB | baseline | ratio |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for scenario, values in figures.items():
        if scenario == BASELINE:
            continue
        cells = [scenario]
        for metric in METRICS:
            precision = 2 if metric == "wall_s" else 0
            cells += [f"{values[metric]:.{precision}f}", f"{baseline[metric]:.{precision}f}", f"{values[metric] / baseline[metric]:.2f}x"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> dict[str, object]:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    node = subprocess.run(["node", "--version"], env=child_env(), capture_output=True, text=True).stdout.strip()
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "node": node,
        "engine": selected_engine().name,
        "packages": {name: metadata.version(name) for name in (selected_engine().core, "jsii", *(package.replace("_", "-") for package in selected_engine().provider_packages))},
        "env": {name: CALLER_ENV.get(name) for name in ("PYTHONDONTWRITEBYTECODE", "JSII_RUNTIME_PACKAGE_CACHE", "JSII_RUNTIME_PACKAGE_CACHE_ROOT", "NODE_OPTIONS")},
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="counted rounds (default 5; the figures are medians)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json", help="JSON results (default: bench/results.json)")
    parser.add_argument("--time-tests", action="store_true", help="also time one run of the whole test suite")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-configs-") as config_dir:
        try:
            configs = {region_scenario(count): write_region_config(Path(config_dir), count) for count in REGION_COUNTS}
        except ConfigError as error:
            print("a generated config is rejected:\n" + "\n".join(error.problems), file=sys.stderr)
            return 2
        synth = ["main.py", "--outdir", f"{SCRATCH}/cdktf.out", "--config"]
        engine = selected_engine()
        plain_imports = [engine.core, *(f"{package}.provider" for package in engine.provider_packages)]
        variants = {BASELINE: [str(PLAIN_IMPORTS), *plain_imports], "default": [*synth, str(DEFAULT_CONFIG)]}
        variants |= {scenario: [*synth, str(path)] for scenario, path in configs.items()}
        print(f"{engine.name}: {args.runs} rounds (+1 warm-up) of {', '.join(variants)}", flush=True)
        samples = run_rounds(variants, args.runs)
    tests = time_tests(child_env()) if args.time_tests else None
    figures = {name: medians(runs) for name, runs in samples.items()}
    targets = check_targets(figures, tests)

    print()
    print(markdown_table(figures))
    print()
    for target in targets:
        verdict = {True: "PASS", False: "FAIL", None: "SKIP"}[target["pass"]]
        print(f"{verdict}  {target['target']}: {target['value']}")

    results = {"machine": machine(), "runs": args.runs, "medians": figures, "samples": samples, "tests": tests, "targets": targets}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.out}")
    return 1 if any(target["pass"] is False for target in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
