"""The cdktf CLI route: the pinned CLI (node_modules, from package-lock.json) on the venv's Node.js
synthesizes and lists the stacks through main.py, offline, with what `source .venv/bin/activate`
adds (Makefile: ACTIVATE_ADDITION) and no other environment: no system Node.js, no CI variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.run import app_interpreter_flags
from tests.conftest import REPO

CDKTF = REPO / "node_modules" / ".bin" / "cdktf"
CONFIG = REPO / "config" / "examples" / "single-region.yaml"
STACKS = ["global", "ingress-uksouth", "region-uksouth"]


def activate_addition() -> str:
    """The line `make install` appends to .venv/bin/activate."""
    result = subprocess.run(
        ["make", "-s", "--eval", "print-addition: ; @echo '$(ACTIVATE_ADDITION)'", "print-addition"], cwd=REPO, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def cdktf(project: Path, *arguments: str, cdktf_home: Path) -> subprocess.CompletedProcess:
    # Only the venv's bin and the base system: a system Node.js in /usr/local/bin is never reached.
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin", "HOME": os.environ["HOME"], "CDKTF_HOME": str(cdktf_home)}
    script = f'{activate_addition()}\nexec "$@"'
    return subprocess.run(["bash", "-c", script, "cdktf", str(CDKTF), *arguments], cwd=project, env=env, capture_output=True, text=True, timeout=120)


def test_activate_turns_off_both_network_lookups():
    assert activate_addition().startswith("export CHECKPOINT_DISABLE=1 DISABLE_VERSION_CHECK=1 ")


def test_the_pinned_cli_synthesizes_and_lists_offline(tmp_path):
    assert CDKTF.exists(), "node_modules/.bin/cdktf is missing: `make install` installs the pinned CLI"
    project = tmp_path / "project"
    project.mkdir()
    app = " ".join([sys.executable, *app_interpreter_flags(), str(REPO / "main.py"), "--config", str(CONFIG)])  # as cdktf.json runs it
    (project / "cdktf.json").write_text(json.dumps({**json.loads((REPO / "cdktf.json").read_text()), "app": app}))
    cdktf_home = tmp_path / "cdktf-home"

    synth = cdktf(project, "synth", cdktf_home=cdktf_home)
    assert synth.returncode == 0, synth.stdout[-2000:] + synth.stderr[-2000:]
    assert f"Generated Terraform code for the stacks: {', '.join(STACKS)}" in synth.stdout
    assert sorted(json.loads((project / "cdktf.out" / "manifest.json").read_text())["stacks"]) == STACKS

    listed = cdktf(project, "list", cdktf_home=cdktf_home)
    assert listed.returncode == 0, listed.stdout[-2000:] + listed.stderr[-2000:]
    assert [line.split() for line in listed.stdout.splitlines() if line.endswith(tuple(f"cdktf.out/stacks/{stack}" for stack in STACKS))] == [
        [stack, f"cdktf.out/stacks/{stack}"] for stack in STACKS
    ]

    for output in (synth, listed):
        assert "checkpoint" not in (output.stdout + output.stderr)
    # The CLI writes its telemetry user id here just before it would call HashiCorp's checkpoint.
    assert not (cdktf_home / "config.json").exists()
