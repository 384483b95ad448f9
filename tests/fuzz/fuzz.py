"""The fuzzer of issue 23: seeded, bounded, every command. `make fuzz` runs it whole; tests/test_fuzz.py
runs a short slice of it in `make test`.

    python -m tests.fuzz.fuzz [--configs N] [--synth-sample K] [--seed S]

1. N configs, each one of the shipped configs mutated (values swapped for other types, huge or
   invisible text, hostile ranges, keys deleted or invented; or the YAML text itself: cut, tagged,
   aliased, bytes flipped), run in-process through `addresses` and `synth` (validation answers
   before jsii is loaded, so a config that is refused costs milliseconds); K of the accepted ones
   are then synthesized for real, each in a process of its own.
2. The bad inputs of every other command (diagram, diff, scan, publish, chart-keys, bootstrap-state,
   preflight, the outdir rules of synth), each in-process.

Every run happens in a sandbox folder under a wall-clock limit (SIGALRM) and an address-space limit.
It is a failure when a run raises out of the command or reports an unexpected exception ("failed:",
what a traceback turns into), exceeds its time, prints an error line longer than a line should be,
exits 2 without saying why, or changes a file in the sandbox outside its output folder. The report
gives the counts; the exit status is 1 when anything failed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dualstack_aks.cli import main as cli_main
from dualstack_aks.errors import LINE_LIMIT
from dualstack_aks.output.outdir import PENDING

REPO = Path(__file__).resolve().parents[2]
SHIPPED = [REPO / "config" / "default.yaml", *sorted((REPO / "config" / "examples").glob("*.yaml"))]
SECONDS_PER_RUN = 20
SECONDS_PER_SYNTH = 180
MEMORY_LIMIT = 4 * 1024**3
# A refusal may echo a file name and a value or two; anything longer is a value echoed whole.
MAX_LINE = LINE_LIMIT + 200
OUTDIR = "out"
# How cli.report_failure ends the one line an unexpected exception becomes.
UNEXPECTED = "(DUALSTACK_DEBUG=1 shows the traceback)"

HOSTILE_TEXT = [
    "",
    " ",
    "\u200b" * 12,
    "x" * 5000,
    "a\nb",
    "\x1b[31mred",
    "../../etc/passwd",
    "-" * 3,
    "--help",
    "0.0.0.0/0",
    "0.0.0.0/1",
    "::/0",
    "168.63.129.16/32",
    "240.0.0.0/4",
    "255.255.255.255/32",
    "::1/128",
    "10.0.0.0/33",
    "fe80::1%eth0/64",
    "http://charts.example.com",
    "core.windows.net",
    "a" + ".a" * 40,
    "tf--state",
    "Standard_B1s",
    "${var.x}",
    "😀",
    "1e999",
    "NaN",
]
HOSTILE_VALUES: list[object] = [None, True, False, 0, -1, 2**70, 1.5, float("inf"), [], {}, [None], {"x": 1}, *HOSTILE_TEXT]


class Hang(BaseException):
    """A run exceeded its wall-clock limit (raised from SIGALRM, so no `except Exception` swallows it)."""


@dataclass
class Report:
    configs: int = 0
    statuses: Counter = field(default_factory=Counter)
    synthesized: int = 0
    bad_inputs: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)

    def fail(self, kind: str, case: str, detail: str) -> None:
        self.kinds[kind] += 1
        if len(self.failures) < 50:
            self.failures.append(f"{kind}: {case}: {detail[:300]!r}")


# Mutations of a parsed config (the YAML data) and of its text.


def _paths(data: object, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def _set(data: object, path: tuple, value: object) -> object:
    if not path:
        return value
    parent = data
    for part in path[:-1]:
        parent = parent[part]  # type: ignore[index]
    parent[path[-1]] = value  # type: ignore[index]
    return data


def _delete(data: object, path: tuple) -> object:
    if not path:
        return data
    parent = data
    for part in path[:-1]:
        parent = parent[part]  # type: ignore[index]
    del parent[path[-1]]  # type: ignore[arg-type, attr-defined]
    return data


def mutate_data(data: dict, rng: random.Random) -> object:
    """One to three changes at random places: a hostile value, a deletion, an unknown key, a list grown past limits."""
    for _ in range(rng.randint(1, 3)):
        if not isinstance(data, dict):
            break  # the whole config was replaced by a value
        path = rng.choice(list(_paths(data)))
        choice = rng.random()
        if choice < 0.55:
            data = _set(data, path, rng.choice(HOSTILE_VALUES))  # type: ignore[assignment]
        elif choice < 0.7 and path:
            data = _delete(data, path)  # type: ignore[assignment]
        elif choice < 0.8:
            target = rng.choice([node for node in (_get(data, p) for p in _paths(data)) if isinstance(node, dict)])
            target[rng.choice(["extra", "1", "yes", "dns\nzone", "x" * 300])] = rng.choice(HOSTILE_VALUES)
        elif choice < 0.9:
            lists = [p for p in _paths(data) if isinstance(_get(data, p), list)]
            if lists:
                grown = _get(data, rng.choice(lists))
                grown.extend([rng.choice(HOSTILE_TEXT[9:17])] * rng.choice([1, 201]))
        else:
            data = _set(data, path, rng.choice(["0.0.0.0/1", "core.windows.net", "Standard_B2ats_v2", "\u200b" * 12]))  # type: ignore[assignment]
    return data


def _get(data: object, path: tuple) -> object:
    for part in path:
        data = data[part]  # type: ignore[index]
    return data


ALIAS_BOMB = 'l0: &l0 ["x","x","x","x","x","x","x","x","x"]\n' + "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9))


def mutate_text(text: str, rng: random.Random) -> str | bytes:
    """A change to the YAML text itself: cut, tagged, aliased, flipped, or made binary."""
    choice = rng.randrange(8)
    if choice == 0:
        return text[: rng.randrange(len(text))]
    if choice == 1:
        lines = text.splitlines()
        position = rng.randrange(len(lines))
        key, _, value = lines[position].partition(":")
        tag = rng.choice(
            ["!!map []", "!!seq {}", "!!str [1]", "!!float abc", "!!bool maybe", "!!set [a]", "!!binary x", "!!python/object:os.system x", "!foo 1"]
        )
        lines[position] = f"{key}: {tag}" if value else lines[position]
        return "\n".join(lines) + "\n"
    if choice == 2:
        return text + ALIAS_BOMB + "tags: *l8\n"
    if choice == 3:
        data = bytearray(text.encode())
        for _ in range(rng.randint(1, 5)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if choice == 4:
        return text + "\n" + "  " * 40 + "deep: [" * 60 + "]" * 60 + "\n"
    if choice == 5:
        return text.replace("\n", "\n" + rng.choice(["\t", "  ", "- ", "&a ", "*a ", "? ", "<<: *a "]), 1)
    if choice == 6:
        return "\ufeff" + text + "---\nsecond: document\n"
    return text + f"name_prefix: {rng.choice(HOSTILE_TEXT)!r}\n"


def mutated_config(rng: random.Random) -> str | bytes:
    text = rng.choice(SHIPPED).read_text(encoding="utf-8")
    if rng.random() < 0.3:
        return mutate_text(text, rng)
    data = mutate_data(yaml.safe_load(text), rng)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=rng.random() < 0.5)


# Running one command, bounded and watched.


def _snapshot(folder: Path, outdir: str = OUTDIR) -> dict[str, tuple[int, int]]:
    """Every file under `folder` but the output folders: (size, mtime) by path."""
    state = {}
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if relative.parts[0] in (OUTDIR, outdir) or path.is_symlink() or not path.is_file():
            continue
        info = path.stat()
        state[str(relative)] = (info.st_size, info.st_mtime_ns)
    return state


def _on_alarm(signum: int, frame: object) -> None:
    raise Hang()


@contextlib.contextmanager
def _sandboxed(folder: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def run_command(report: Report, case: str, argv: list[str], sandbox: Path, allowed: tuple[int, ...] = (0, 2), outdir: str = OUTDIR) -> int | None:
    """Run one command in-process in `sandbox`; record what went wrong; its exit status. `outdir`: the
    folder the command may write (besides OUTDIR)."""
    before = _snapshot(sandbox, outdir)
    err, out = io.StringIO(), io.StringIO()
    status: int | None = None
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(SECONDS_PER_RUN)
    try:
        with _sandboxed(sandbox), contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            status = cli_main(argv)
    except Hang:
        report.fail("hang", case, " ".join(argv))
    except BaseException as error:  # out of the command: a traceback for the user
        report.fail("traceback", case, f"{type(error).__name__}: {error}")
    finally:
        signal.alarm(0)
    lines = err.getvalue().splitlines()
    if status is not None:
        if status not in allowed or any(line.endswith(UNEXPECTED) for line in lines):
            report.fail("traceback", case, f"status {status}: {err.getvalue()}")
        elif status == 2 and not lines:
            report.fail("silent-refusal", case, " ".join(argv))
        if any(len(line) > MAX_LINE for line in lines):
            report.fail("long-line", case, max(lines, key=len))
    if (after := _snapshot(sandbox, outdir)) != before:
        report.fail("changed-outside-outdir", case, str(set(after.items()) ^ set(before.items())))
    return status


def fuzz_configs(report: Report, count: int, seed: int, sandbox: Path) -> list[Path]:
    """Run `count` mutated configs; the accepted ones are returned for the synth sample."""
    rng = random.Random(seed)
    accepted = []
    for number in range(count):
        config = sandbox / f"config-{number}.yaml"
        content = mutated_config(rng)
        config.write_bytes(content if isinstance(content, bytes) else content.encode())
        status = run_command(report, f"config {number} (seed {seed})", ["addresses", "--config", config.name], sandbox)
        report.configs += 1
        report.statuses[status] += 1
        if status == 0:
            accepted.append(config)
        else:  # refused before jsii: the synth must refuse it the same way, writing nothing
            run_command(report, f"synth of config {number}", ["synth", "--config", config.name, "--outdir", OUTDIR], sandbox)
            if (sandbox / OUTDIR).exists():
                report.fail("changed-outside-outdir", f"synth of config {number}", "a refused config created the output folder")
                shutil.rmtree(sandbox / OUTDIR)
    return accepted


def synth_sample(report: Report, configs: list[Path], sample: int, seed: int, sandbox: Path) -> None:
    """Synthesize a few accepted configs for real, each in its own process."""
    for config in random.Random(seed).sample(configs, min(sample, len(configs))):
        before = _snapshot(sandbox)
        outdir = sandbox / OUTDIR
        try:
            result = subprocess.run(
                [sys.executable, str(REPO / "main.py"), "--config", str(config), "--outdir", str(outdir)],
                cwd=sandbox,
                capture_output=True,
                text=True,
                timeout=SECONDS_PER_SYNTH,
                preexec_fn=_unlimited_memory,
                env={key: value for key, value in os.environ.items() if key not in ("CDKTF_OUTDIR", "SYNTH_HCL_OUTPUT")},
            )
        except subprocess.TimeoutExpired:
            report.fail("hang", f"synth {config.name}", "timed out")
            continue
        report.synthesized += 1
        if "Traceback" in result.stderr or result.returncode not in (0, 2):
            report.fail("traceback", f"synth {config.name}", result.stderr)
        if _snapshot(sandbox) != before:
            report.fail("changed-outside-outdir", f"synth {config.name}", "")
        shutil.rmtree(outdir, ignore_errors=True)


# The bad inputs of every other command.


def _output_folder(folder: Path, manifest: bytes, stack: bytes = b"{}") -> None:
    (folder / "stacks" / "global").mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_bytes(manifest)
    (folder / "stacks" / "global" / "cdk.tf.json").write_bytes(stack)


def _manifest(path: str = "stacks/global/cdk.tf.json", **entry: object) -> bytes:
    return json.dumps({"stacks": {"global": {"synthesizedStackPath": path, "workingDirectory": "stacks/global", **entry}}}).encode()


OUTPUT_FOLDERS: dict[str, Callable[[Path], None]] = {
    "missing": lambda folder: None,
    "manifest-list": lambda folder: _output_folder(folder, b"[1]"),
    "manifest-binary": lambda folder: _output_folder(folder, b"\xff\xfe\x00"),
    "manifest-huge-string": lambda folder: _output_folder(folder, json.dumps({"stacks": {"x" * 100_000: {}}}).encode()),
    "manifest-outside": lambda folder: _output_folder(folder, _manifest("../../../etc/hostname")),
    "manifest-deep": lambda folder: _output_folder(folder, b"[" * 100_000 + b"]" * 100_000),
    "manifest-cycle": lambda folder: _output_folder(folder, _manifest(dependencies=["global"])),
    "stack-corrupt": lambda folder: _output_folder(folder, _manifest(), b'{"half'),
    "stack-list": lambda folder: _output_folder(folder, _manifest(), b"[]"),
    "stack-foreign": lambda folder: _output_folder(folder, _manifest(), b'{"resource": {"azurerm_kubernetes_cluster": {"a": {"name": 1}}, "helm_release": 7}}'),
    "stack-symlink-out": lambda folder: (
        _output_folder(folder, _manifest()),
        (folder / "stacks" / "global" / "cdk.tf.json").unlink(),
        (folder / "stacks" / "global" / "cdk.tf.json").symlink_to("/etc/hostname"),
    ),
    "publish-killed": lambda folder: (_output_folder(folder, _manifest()), (folder / PENDING).touch()),
    "diff-summary-corrupt": lambda folder: (_output_folder(folder, _manifest()), (folder / "diff-summary.json").write_text('{"no": 1}')),
}


def _commands_on(folder: str) -> list[tuple[str, list[str]]]:
    return [
        ("diagram", ["diagram", "--outdir", folder, "--output", f"{OUTDIR}/diagram"]),
        ("diff --summary-only", ["diff", "--summary-only", "--outdir", folder]),
        ("diff", ["diff", "--outdir", folder, "--cdktf", sys.executable]),
        ("scan", ["scan", "--outdir", folder, "--checkov", "true"]),
        ("publish drift", ["publish", "drift", "--repo", "o/r", "--outdir", folder, "--run-url", "u"]),
    ]


OTHER_BAD_INPUTS: list[tuple[str, list[str], Callable[[Path], None]]] = [
    ("diagram", ["diagram", "--output", ""], lambda sandbox: None),
    ("diagram", ["diagram", "--output", f"{OUTDIR}/"], lambda sandbox: None),
    ("diagram", ["diagram", "--output", "/proc/none/x"], lambda sandbox: None),
    ("diff", ["diff", "--cdktf", "no/such/cdktf", "--outdir", "missing"], lambda sandbox: None),
    ("scan", ["scan", "--checkov", "no-such-checkov", "--outdir", "missing"], lambda sandbox: None),
    ("publish comment", ["publish", "comment", "--repo", "o/r", "--pull-request", "1", "--body-file", "none.md"], lambda sandbox: None),
    (
        "publish comment",
        ["publish", "comment", "--repo", "o/r", "--pull-request", "1", "--body-file", "body.bin"],
        lambda sandbox: (sandbox / "body.bin").write_bytes(b"\x89\xff\x00"),
    ),
    ("publish comment", ["publish", "comment", "--repo", "o/r", "--pull-request", "x", "--body-file", "b"], lambda sandbox: None),
    ("chart-keys", ["chart-keys", "chart"], lambda sandbox: (sandbox / "chart").mkdir(exist_ok=True)),
    (
        "chart-keys",
        ["chart-keys", "chart2"],
        lambda sandbox: ((sandbox / "chart2").mkdir(exist_ok=True), (sandbox / "chart2" / "Chart.yaml").write_text("[1]")),
    ),
    (
        "chart-keys",
        ["chart-keys", "chart3"],
        lambda sandbox: (
            (sandbox / "chart3").mkdir(exist_ok=True),
            (sandbox / "chart3" / "Chart.yaml").write_text("name: a\nversion: 1\n"),
            (sandbox / "chart3" / "values.yaml").write_text("a: &a {b: *a}\n"),
        ),
    ),
    ("chart-keys", ["chart-keys", "/no/such/chart"], lambda sandbox: None),
    ("synth", ["synth", "--config", str(REPO / "config/examples/single-region.yaml"), "--outdir", "--help"], lambda sandbox: None),
    (
        "synth",
        ["synth", "--config", str(REPO / "config/examples/single-region.yaml"), "--outdir", "foreign"],
        lambda sandbox: ((sandbox / "foreign").mkdir(exist_ok=True), (sandbox / "foreign" / "manifest.json").write_text('{"name":"app"}')),
    ),
    (
        "synth",
        ["synth", "--config", str(REPO / "config/examples/single-region.yaml"), "--outdir", "dangling"],
        lambda sandbox: (sandbox / "dangling").is_symlink() or (sandbox / "dangling").symlink_to(sandbox / "nowhere"),
    ),
    (
        "synth",
        ["synth", "--config", str(REPO / "config/examples/single-region.yaml"), "--outdir", "loop"],
        lambda sandbox: (sandbox / "loop").is_symlink() or (sandbox / "loop").symlink_to(sandbox / "loop"),
    ),
    ("synth", ["synth", "--config", "/dev/zero"], lambda sandbox: None),
    ("synth", ["synth", "--no-such-option"], lambda sandbox: None),
    ("addresses", ["addresses", "--config", ""], lambda sandbox: None),
    ("bootstrap-state", ["bootstrap-state", "--config", str(REPO / "config/examples/single-region.yaml")], lambda sandbox: None),
    ("preflight", ["preflight", "nothing"], lambda sandbox: None),
    ("preflight", ["preflight", "deploy", "--config", "none.yaml"], lambda sandbox: None),
    ("unknown command", ["no-such-command"], lambda sandbox: None),
]


def fuzz_bad_inputs(report: Report, sandbox: Path) -> None:
    for name, prepare in OUTPUT_FOLDERS.items():
        folder = f"bad-{name}"
        if not (sandbox / folder).exists() and name != "missing":
            (sandbox / folder).mkdir()
            prepare(sandbox / folder)
        for command, argv in _commands_on(folder):
            # Not every fault concerns every reader (the diagram needs no dependency order): any status but a traceback.
            run_command(report, f"{command} on {name}", argv, sandbox, allowed=(0, 1, 2), outdir=folder)
            report.bad_inputs[command] += 1
    for command, argv, prepare in OTHER_BAD_INPUTS:
        prepare(sandbox)
        status = run_command(report, command, argv, sandbox, allowed=(1, 2))
        report.bad_inputs[command] += 1
        if status == 0:
            report.fail("accepted-bad-input", command, " ".join(argv))
    shutil.rmtree(sandbox / OUTDIR, ignore_errors=True)


def _unlimited_memory() -> None:
    """In a synth's own process: jsii's node reserves far more address space than it uses."""
    resource.setrlimit(resource.RLIMIT_AS, resource.getrlimit(resource.RLIMIT_AS)[1:] * 2)


def run(configs: int, synth: int, seed: int) -> Report:
    """The whole fuzz; the process's memory limit, alarm handler and environment are as before afterwards."""
    limits = resource.getrlimit(resource.RLIMIT_AS)
    alarm_handler = signal.getsignal(signal.SIGALRM)
    environment = dict(os.environ)
    # The soft limit only, so that a synth process can lift it again.
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, limits[1]))
    for variable in ("CDKTF_OUTDIR", "DUALSTACK_DEBUG", "DUALSTACK_CONFIG"):
        os.environ.pop(variable, None)
    report = Report()
    try:
        with tempfile.TemporaryDirectory(prefix="dualstack-fuzz-") as folder:
            sandbox = Path(folder)
            accepted = fuzz_configs(report, configs, seed, sandbox)
            synth_sample(report, accepted, synth, seed, sandbox)
            fuzz_bad_inputs(report, sandbox)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, limits)
        signal.signal(signal.SIGALRM, alarm_handler)
        os.environ.clear()
        os.environ.update(environment)
    return report


def format_report(report: Report, seconds: float) -> str:
    lines = [
        f"configs: {report.configs} (accepted {report.statuses[0]}, refused {report.statuses[2]}, other {report.configs - report.statuses[0] - report.statuses[2]}); synthesized for real: {report.synthesized}",
        "bad inputs per command: " + ", ".join(f"{command} {count}" for command, count in sorted(report.bad_inputs.items())),
        f"tracebacks: {report.kinds['traceback']}, hangs: {report.kinds['hang']}, files changed outside the outdir: {report.kinds['changed-outside-outdir']}, "
        f"long lines: {report.kinds['long-line']}, silent refusals: {report.kinds['silent-refusal']}, bad inputs accepted: {report.kinds['accepted-bad-input']}",
        f"time: {seconds:.0f} s",
        *report.failures,
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=1000)
    parser.add_argument("--synth-sample", type=int, default=3)
    parser.add_argument("--seed", type=int, default=23)
    arguments = parser.parse_args()
    started = time.monotonic()
    report = run(arguments.configs, arguments.synth_sample, arguments.seed)
    print(format_report(report, time.monotonic() - started))
    return 1 if report.kinds else 0


if __name__ == "__main__":
    sys.exit(main())
