"""JSON snapshots, one test per (config, stack), so one mismatch does not hide the others.
Review the JSON diff before accepting an update (`make snapshot-update`); the layer tests say
what each snapshot must keep. The snapshots are the default engine's output; under the other engine
only its engine and provider version strings may differ (tests/conftest.py with_engine_strings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from dualstack_aks.engine import selected_engine
from dualstack_aks.model.deployment import resolve
from dualstack_aks.model.loading import load_config
from tests.conftest import SHIPPED_CONFIGS, SNAPSHOT_ENGINE, USER_CONFIG, USER_CONFIG_CHANGED, config_id, with_engine_strings


def _stack_names(config_path: Path) -> list[str]:
    """The stacks a config synthesizes, known from the resolved model without a synth."""
    deployment = resolve(load_config(config_path))
    return [deployment.global_.stack, *(name for region in deployment.regions for name in (region.ingress_stack, region.stack))]


CASES = [(config_path, stack) for config_path in SHIPPED_CONFIGS for stack in sorted(_stack_names(config_path))]


@pytest.fixture
def json_snapshot(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize(("config_path", "stack"), CASES, ids=[f"{config_id(path)}-{stack}" for path, stack in CASES])
def test_stack_matches_snapshot(request, synthesize, json_snapshot, config_path, stack):
    _, stacks = synthesize(load_config(config_path))
    actual = stacks[stack]
    stored = Path(request.path).parent / "__snapshots__" / request.path.stem / f"{request.node.name}.json"
    if selected_engine().name != SNAPSHOT_ENGINE and stored.is_file():
        actual = with_engine_strings(actual, json.loads(stored.read_text(encoding="utf-8")))
    assert actual == json_snapshot, USER_CONFIG_CHANGED if config_path == USER_CONFIG else f"stack {stack} changed: review the JSON diff"


@pytest.mark.parametrize("config_path", SHIPPED_CONFIGS, ids=config_id)
def test_snapshots_cover_exactly_the_synthesized_stacks(synthesize, config_path):
    _, stacks = synthesize(load_config(config_path))
    assert sorted(stacks) == sorted(_stack_names(config_path)), USER_CONFIG_CHANGED
