"""jsii's kernel runs in the node process jsii's Python starts, with no relay process
(dualstack_aks/engine/jsii_kernel.js), in the world jsii's relay gives it: whatever node prints
reaches Python's stdout and stderr and never the channel, stdin is empty, packages are linked from
jsii's cache as symlinks, and the kernel's copy is gone at exit. Every other test's synth runs on it too."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from dualstack_aks import engine
from dualstack_aks.engine import JSII_EMBEDDED_VARIABLE, JSII_KERNEL, prepare_node_environment, selected_engine
from tests.conftest import run_python

# A module that, once the kernel loads its first assembly, prints every way node can and looks at
# stdin, as a package's code may: under the relay all of it arrives at Python, and nothing breaks.
NOISY_MODULE = """
const Module = require("module");
const fs = require("fs");
const load = Module._load;
let done = false;
Module._load = function (request, ...rest) {
  if (!done && /(^|[\\\\/])constructs$/.test(request)) {
    done = true;
    console.log("console.log from node");
    console.error("console.error from node");
    process.stdout.write("process.stdout from node\\n");
    fs.writeSync(2, Buffer.from("..fs.writeSync to fd 2 from node\\n"), 2);
    process.stdin.isTTY;
  }
  return load.call(this, request, ...rest);
};
"""

# Synthesize an empty stack, then report on jsii's node process while it still runs.
SYNTH_AND_LOOK = """
import importlib, json, os, sys
from pathlib import Path
import dualstack_aks  # the node environment
from dualstack_aks.engine import selected_engine
core = importlib.import_module(selected_engine().core)
app = core.App(outdir=sys.argv[1])
core.TerraformStack(app, "empty")
app.synth()
import jsii._runtime
pid = jsii._runtime.kernel.provider._process._process.pid
installed = [path for kernel in Path(os.environ["TMPDIR"]).glob("jsii-kernel-*") for path in (kernel / "node_modules").iterdir()]
print(json.dumps({
    "command": Path(f"/proc/{pid}/cmdline").read_text().split("\\0"),
    "children": Path(f"/proc/{pid}/task/{pid}/children").read_text().split(),
    "symlinks": {path.name: path.is_symlink() for path in installed},
    "runtime copies": [path.name for path in Path(os.environ["TMPDIR"]).glob("jsii-runtime-*")],
}))
"""


def _synth_and_look(tmp_path: Path, node_options: str = "") -> subprocess.CompletedProcess[str]:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {name: value for name, value in os.environ.items() if name not in ("JSII_RUNTIME", "NODE_OPTIONS")}
    environment |= {"TMPDIR": str(temporary), "NODE_OPTIONS": node_options}
    return run_python(SYNTH_AND_LOOK, str(tmp_path / "out"), env=environment, timeout=120)


def _report(ended: subprocess.CompletedProcess[str]) -> dict:
    assert ended.returncode == 0, ended.stderr
    return json.loads(ended.stdout.splitlines()[-1])


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the process tree from Linux's /proc")
def test_the_kernel_runs_in_the_process_python_starts_and_links_packages_as_symlinks(tmp_path):
    ended = _synth_and_look(tmp_path)
    report = _report(ended)
    assert report["command"][-2:] == [str(JSII_KERNEL), ""], report["command"]
    assert report["children"] == [], "jsii's relay started a second node"
    core_package = "cdktf" if selected_engine().name == "cdktf" else "cdktn"
    assert report["symlinks"].get(core_package) is True and report["symlinks"].get("constructs") is True, report["symlinks"]
    assert len(report["runtime copies"]) == 1
    assert list((tmp_path / "tmp").glob("jsii-runtime-*")) == [], "the kernel's copy outlived node"


def test_what_node_prints_reaches_python_and_never_the_channel(tmp_path):
    noisy = tmp_path / "noisy.js"
    noisy.write_text(NOISY_MODULE)
    ended = _synth_and_look(tmp_path, f'--require "{noisy}"')
    _report(ended)
    assert ended.stdout.splitlines()[:2] == ["console.log from node", "process.stdout from node"]
    assert ended.stderr.splitlines() == ["console.error from node", "fs.writeSync to fd 2 from node"]


def _environment_after(monkeypatch: pytest.MonkeyPatch, **variables: str) -> dict[str, str]:
    for name in ("JSII_RUNTIME", JSII_EMBEDDED_VARIABLE, "NODE_OPTIONS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    prepare_node_environment()
    return dict(os.environ)


def test_the_kernel_is_jsiis_runtime_unless_another_one_is_named(monkeypatch):
    fresh = _environment_after(monkeypatch)
    assert fresh["JSII_RUNTIME"] == str(JSII_KERNEL) and (Path(fresh[JSII_EMBEDDED_VARIABLE]) / "lib__program.js").is_file()
    assert "--preserve-symlinks" in fresh["NODE_OPTIONS"].split()
    # A child process inherits JSII_RUNTIME; whoever clears NODE_OPTIONS for it must not leave the kernel without the flag.
    inherited = _environment_after(monkeypatch, JSII_RUNTIME=str(JSII_KERNEL))
    assert "--preserve-symlinks" in inherited["NODE_OPTIONS"].split()
    named = _environment_after(monkeypatch, JSII_RUNTIME="/opt/jsii/bin/jsii-runtime.js")
    assert named["JSII_RUNTIME"] == "/opt/jsii/bin/jsii-runtime.js" and JSII_EMBEDDED_VARIABLE not in named
    assert "--preserve-symlinks" not in named["NODE_OPTIONS"].split()
    similar = _environment_after(monkeypatch, NODE_OPTIONS="--preserve-symlinks-main")
    assert similar["NODE_OPTIONS"].split()[-1] == "--preserve-symlinks"


def test_without_jsiis_kernel_where_expected_jsii_keeps_its_own_runtime(monkeypatch):
    monkeypatch.setattr(engine, "jsii_embedded_runtime", lambda: None)
    inherited = _environment_after(monkeypatch, JSII_RUNTIME=str(JSII_KERNEL))
    assert "JSII_RUNTIME" not in inherited and "--preserve-symlinks" not in inherited["NODE_OPTIONS"].split()


def test_a_process_given_the_kernel_without_jsiis_folder_says_so(tmp_path):
    # As a jsii app that does not import dualstack_aks would be, started with this environment.
    script = "import jsii._runtime; jsii._runtime.kernel.provider._process"
    environment = {name: value for name, value in os.environ.items() if name != JSII_EMBEDDED_VARIABLE} | {"JSII_RUNTIME": str(JSII_KERNEL)}
    ended = run_python(script, cwd=tmp_path, env=environment, timeout=60)
    assert ended.returncode != 0
    assert f"{JSII_EMBEDDED_VARIABLE}, the folder of jsii's own runtime, is not set" in ended.stderr
