"""JSON snapshots of every stack of every shipped config. Review the diff before accepting
an update (`make snapshot-update`); test_layers.py says what each snapshot must keep."""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from dualstack_aks.model.loading import load_config
from tests.conftest import SHIPPED_CONFIGS, config_id


@pytest.fixture
def json_snapshot(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("config_path", SHIPPED_CONFIGS, ids=config_id)
def test_every_stack_matches_snapshot(synthesize, json_snapshot, config_path):
    _, stacks = synthesize(load_config(config_path))
    for name, stack in stacks.items():
        assert stack == json_snapshot(name=name), f"stack {name} of {config_id(config_path)} changed"
