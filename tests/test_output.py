"""Properties of the synthesized output as a whole: no silent nulls, determinism,
independence from the machine and the working directory, and the CLI's summary."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bench.run import app_interpreter_flags
from dualstack_aks.model.loading import load_config
from dualstack_aks.output.outdir import OWNER_CONTENT, OWNER_MARKER
from tests.conftest import DEFAULT_CONFIG, REPO, SHIPPED_CONFIGS, config_id


def _nulls(value, path="$"):
    if value is None:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nulls(item, f"{path}.{key}")
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _nulls(item, f"{path}[{position}]")


@pytest.mark.parametrize("config_path", SHIPPED_CONFIGS, ids=config_id)
def test_no_null_anywhere(synthesize, config_path):
    """A raw dict in a list attribute synthesizes its multi-word keys as null, silently."""
    _, stacks = synthesize(load_config(config_path))
    found = [f"{name}: {path}" for name, stack in stacks.items() for path in _nulls(stack)]
    assert found == []


def test_null_scan_catches_the_raw_dict_pitfall():
    """The scan above would have caught the pitfall it exists for."""
    assert list(_nulls({"resource": {"x": {"rule": [{"name": "a", "destination_port_ranges": None}]}}})) == ["$.resource.x.rule[0].destination_port_ranges"]


def _tree(directory: Path) -> dict[str, bytes]:
    return {str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


def test_cli_output_is_byte_identical_across_runs_and_directories(synthesize, default_config, tmp_path):
    """`python -O main.py`, as cdktf.json runs it (no type checks), from another working directory writes
    exactly what an in-process synth (type checks on) writes."""
    in_process, _ = synthesize(default_config)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, *app_interpreter_flags(), str(REPO / "main.py"), "--config", str(DEFAULT_CONFIG)],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={key: value for key, value in os.environ.items() if key != "CDKTF_OUTDIR"},
    )
    assert result.returncode == 0, result.stderr
    # The published folder also holds the marker that makes it this app's output (output/outdir.py).
    assert _tree(elsewhere / "cdktf.out") == {**_tree(in_process), OWNER_MARKER: OWNER_CONTENT}
    assert "Synthesized 5 stacks" in result.stdout
    for needle in ("pip-dsaks-eus2-ingress-ipv6", "eastus2.dualstack.example.com", "region-westeurope"):
        assert needle in result.stdout


@pytest.mark.parametrize("config_path", SHIPPED_CONFIGS, ids=config_id)
def test_no_machine_paths_in_output(synthesize, config_path):
    outdir, _ = synthesize(load_config(config_path))
    for name, content in _tree(outdir).items():
        text = content.decode()
        for marker in (str(REPO), str(outdir), tempfile.gettempdir(), str(Path.home())):
            assert marker not in text, f"{name} contains {marker}"
