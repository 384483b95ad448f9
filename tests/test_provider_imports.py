"""Guards the provider_imports shortcut: only the provider modules the app uses get loaded.

A plain `import cdktf_cdktf_provider_azurerm` (or any module of it, without the shortcut) runs
the package `__init__`, which imports ~1,500 modules; on the node side the provider's
lib/index.js requires as many. These tests fail if either comes back.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from dualstack_aks.engine import PROVIDER_PACKAGES, preload_lazy_provider_index
from tests.conftest import DEFAULT_CONFIG, REPO

# The app uses a few dozen resource modules; a package __init__ would load ~1,500 (azurerm).
MAX_PROVIDER_SUBMODULES = 100

# Runs in a fresh interpreter: synthesize the default config, then report what got imported.
# A package whose real __init__ ran has `__all__` (it lists every resource module); the empty
# package object provider_imports puts in its place has none.
SYNTH_AND_REPORT = """
import json, sys
from dualstack_aks.synth import synthesize
from dualstack_aks.model.loading import load_config
synthesize(load_config(sys.argv[1]), sys.argv[2], source=sys.argv[1])
packages = sys.argv[3:]
print(json.dumps({
    "submodules": sorted(name for name in sys.modules if name.partition(".")[0] in packages and "." in name),
    "inits_run": sorted(name for name in packages if hasattr(sys.modules.get(name), "__all__")),
}))
"""


def test_synth_loads_only_the_provider_modules_it_uses(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SYNTH_AND_REPORT, str(DEFAULT_CONFIG), str(tmp_path / "cdktf.out"), *PROVIDER_PACKAGES],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["inits_run"] == [], "a provider package __init__ ran: some import bypasses provider_imports"
    assert 0 < len(report["submodules"]) < MAX_PROVIDER_SUBMODULES, report["submodules"]
    assert all(package in {name.partition(".")[0] for name in report["submodules"]} for package in PROVIDER_PACKAGES)


def _whole_package_imports(path: Path) -> list[str]:
    """`import <provider package>` and `from <provider package> import ...` statements in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [f"import {alias.name}" for alias in node.names if alias.name in PROVIDER_PACKAGES]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in PROVIDER_PACKAGES:
            found.append(f"from {node.module} import {', '.join(alias.name for alias in node.names)}")
    return [f"{path.relative_to(REPO)}:{statement}" for statement in found]


def test_app_imports_provider_resource_modules_not_packages():
    sources = [REPO / "main.py", *sorted((REPO / "dualstack_aks").rglob("*.py"))]
    offenders = [statement for path in sources for statement in _whole_package_imports(path)]
    assert offenders == [], "import the resource module instead, e.g. `from cdktf_cdktf_provider_azurerm.subnet import Subnet`"


def _extract_provider_index(package: str, node_modules: Path) -> str:
    """Unpack only package.json and lib/index.js of a provider's npm tarball; return its npm name."""
    (tarball,) = Path(importlib.util.find_spec(package).submodule_search_locations[0], "_jsii").glob("*.jsii.tgz")
    wanted = ("package/package.json", "package/lib/index.js")
    contents: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            if member.name in wanted:
                contents[member.name.removeprefix("package/")] = archive.extractfile(member).read()
                if len(contents) == len(wanted):
                    break
    name = json.loads(contents["package.json"])["name"]
    for relative, data in contents.items():
        destination = node_modules / name / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    return name


# Requires the provider's index with none of its resource modules present, then touches one export.
REQUIRE_INDEX = """
const provider = require(process.argv[1]);
const first = Object.keys(provider)[0];
let firstUse = "loaded";
try { provider[first]; } catch (error) { firstUse = error.code; }
const loaded = Object.keys(require.cache).filter((file) => file.includes("node_modules"));
console.log(JSON.stringify({ exports: Object.keys(provider).length, loaded: loaded.length, firstUse }));
"""


@pytest.mark.parametrize("package", PROVIDER_PACKAGES)
def test_node_preload_defers_provider_modules_to_first_use(tmp_path, package):
    name = _extract_provider_index(package, tmp_path / "node_modules")
    preload_lazy_provider_index()  # NODE_OPTIONS exactly as jsii's node gets it
    result = subprocess.run(["node", "-e", REQUIRE_INDEX, name], cwd=tmp_path, env=os.environ, capture_output=True, text=True)
    assert result.returncode == 0, f"{name}/lib/index.js required its modules eagerly (the preload no longer matches it):\n{result.stderr}"
    report = json.loads(result.stdout)
    assert report["exports"] > 0 and report["loaded"] == 1, report
    assert report["firstUse"] == "MODULE_NOT_FOUND", "touching an export should require its (absent) module"
