"""Session-scoped fixtures: each shipped config is synthesized once per test session, in one
App per config but one jsii kernel for the whole process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from dualstack_aks.model.addresses import RegionAddresses
from dualstack_aks.model.config import Config
from dualstack_aks.model.deployment import allocate_regions
from dualstack_aks.model.loading import load_config

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO / "config" / "default.yaml"
EXAMPLE_CONFIGS = sorted((REPO / "config" / "examples").glob("*.yaml"))
SHIPPED_CONFIGS = [DEFAULT_CONFIG, *EXAMPLE_CONFIGS]


def config_id(path: Path) -> str:
    return "default" if path == DEFAULT_CONFIG else path.stem


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
            outdir = tmp_path_factory.mktemp("cdktf.out")
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
