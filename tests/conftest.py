"""Session-scoped fixtures: each shipped config is synthesized once per test session, in one
App per config but one jsii kernel for the whole process."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from dualstack_aks.contract import deep_merge
from dualstack_aks.model.addresses import RegionAddresses
from dualstack_aks.model.config import Config
from dualstack_aks.model.deployment import allocate_regions
from dualstack_aks.model.loading import load_config, parse_config

REPO = Path(__file__).resolve().parent.parent
# The user's own deployment: only its snapshots and diagram follow it (tests/test_snapshots.py, test_diagram.py).
USER_CONFIG = REPO / "config" / "default.yaml"
# Every other test reads its own copy of the shipped default.
DEFAULT_CONFIG = REPO / "tests" / "configs" / "default.yaml"
EXAMPLES = REPO / "config" / "examples"
EXAMPLE_CONFIGS = sorted(EXAMPLES.glob("*.yaml"))
SHIPPED_CONFIGS = [USER_CONFIG, *EXAMPLE_CONFIGS]
USER_CONFIG_CHANGED = "config changed: run `make snapshot-update` and `make diagram`, review the JSON diff, commit"
# The snapshots are this engine's output; another engine's is compared with its version strings swapped in.
SNAPSHOT_ENGINE = "cdktf"


def run_python(
    script: str, *arguments: str, flags: tuple[str, ...] = (), cwd: Path = REPO, env: dict[str, str] | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """`python [flags] -c script arguments` in a process of its own (this venv's interpreter), its output captured as text."""
    return subprocess.run([sys.executable, *flags, "-c", script, *arguments], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


# What a test run may add at the top of the repository: its own caches.
TEST_RUN_CACHES = {".hypothesis", ".pytest_cache", "__pycache__"}


def _top_of_repo() -> dict[str, int]:
    """Each top-level entry (below cdktf.out/, each path) with its modification time."""
    entries = {path.name: path.stat().st_mtime_ns for path in REPO.iterdir() if path.name not in TEST_RUN_CACHES}
    output = REPO / "cdktf.out"
    if output.is_dir():
        entries |= {str(path.relative_to(REPO)): path.lstat().st_mtime_ns for path in output.rglob("*")}
    return entries


@pytest.fixture(scope="session", autouse=True)
def repository_untouched():
    """The tests write into temporary folders only: a stray ./cdktf.out would make the next `make synth`
    refuse the folder (it holds no earlier synth of this app)."""
    before = _top_of_repo()
    yield
    after = _top_of_repo()
    added, changed = sorted(after.keys() - before.keys()), sorted(name for name in before.keys() & after.keys() if before[name] != after[name])
    assert not added and not changed, f"the tests wrote into the repository: added {added}, changed {changed}"


DELETE = object()
_PATH_PART = re.compile(r"\[\d+\]|[^.\[\]]+")


def mutate(data: dict, changes: dict[str, object]) -> dict:
    """A copy of parsed YAML with each `dotted.path[0].key` set to its value (a mapping merges into
    a mapping, DELETE removes the key, an index one past the end appends): the one way tests
    derive a config from another."""
    data = copy.deepcopy(data)
    for dotted, value in changes.items():
        *parents, last = [int(part[1:-1]) if part.startswith("[") else part for part in _PATH_PART.findall(dotted)]
        node = data
        for part in parents:
            node = node[part] if isinstance(part, int) else node.setdefault(part, {})
        if value is DELETE:
            del node[last]
        elif isinstance(last, int) and last == len(node):
            node.append(value)
        elif isinstance(value, dict) and isinstance(node.get(last) if isinstance(node, dict) else None, dict):
            node[last] = deep_merge(node[last], value)
        else:
            node[last] = value
    return data


def config_with(config: Config, **changes: object) -> Config:
    """`config` with `changes` applied (keyword names are top-level keys; pass dotted paths with **{...}), validated."""
    return parse_config(mutate(config.model_dump(mode="json"), changes), "(test config)")


def config_id(path: Path) -> str:
    return "default" if path == USER_CONFIG else path.stem


Synthesized = dict[str, dict]  # stack name -> Terraform JSON


@pytest.fixture(scope="session")
def synthesize(tmp_path_factory) -> Callable[..., tuple[Path, Synthesized]]:
    """Synthesize a config (once per distinct config) and return (outdir, stacks); `source`
    names the config in policy errors."""
    from dualstack_aks.output.summary import read_stacks
    from dualstack_aks.synth import synthesize as synthesize_app

    cache: dict[str, tuple[Path, Synthesized]] = {}

    def run(config: Config, source: str = "config.yaml") -> tuple[Path, Synthesized]:
        key = config.model_dump_json()
        if key not in cache:
            # Named as the default output folder, so the stacks' local state path is the default one.
            outdir = tmp_path_factory.mktemp("synth") / "cdktf.out"
            synthesize_app(config, str(outdir), source=source)
            cache[key] = (outdir, read_stacks(outdir))
        return cache[key]

    return run


@pytest.fixture(scope="session")
def default_config() -> Config:
    return load_config(DEFAULT_CONFIG)


@pytest.fixture(scope="session")
def default_stacks(synthesize, default_config) -> Synthesized:
    return synthesize(default_config)[1]


def with_engine_strings(stack: dict, source: dict) -> dict:
    """`stack` with the strings that name its engine and provider versions (`"//".metadata.version`,
    each required provider's source and version) taken from `source`, a stack of another engine."""
    stack = copy.deepcopy(stack)
    if "//" in source:
        stack.get("//", {}).get("metadata", {})["version"] = source["//"]["metadata"]["version"]
    providers = stack.get("terraform", {}).get("required_providers", {})
    for name, pin in source.get("terraform", {}).get("required_providers", {}).items():
        if name in providers:
            providers[name] = dict(pin)
    return stack


def addresses_by_region(config: Config) -> dict[str, RegionAddresses]:
    return {addresses.region: addresses for addresses in allocate_regions(config)}


def resources(stack: dict, resource_type: str) -> list[dict]:
    """All resources of one type in a synthesized stack, in address order."""
    return [body for _, body in sorted(stack.get("resource", {}).get(resource_type, {}).items())]


def helm_values(stack: dict) -> dict[str, dict]:
    """Helm release name -> its parsed values, for an ingress stack."""
    return {release["name"]: yaml.safe_load(release["values"][0]) for release in resources(stack, "helm_release")}


def only(stack: dict, resource_type: str) -> dict:
    found = resources(stack, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return found[0]


def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, script: str) -> Path:
    """Puts an executable `name` running `script` first on PATH, logging to the file $FAKE_<NAME>_LOG it
    is given; returns that log's path."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / name).write_text(script)
    (bin_dir / name).chmod(0o755)
    log = tmp_path / f"{name}.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv(f"FAKE_{name.upper()}_LOG", str(log))
    return log
