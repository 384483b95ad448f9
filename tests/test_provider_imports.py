"""Guards dualstack_aks.engine's shortcuts: only the provider modules the app uses get loaded (and
not the engine core's archiver), and tokens record no creation stacks.

A plain `import cdktf_cdktf_provider_azurerm` (or any module of it, without the shortcut) runs
the package `__init__`, which imports ~1,500 modules; on the node side the provider's
lib/index.js requires as many. These tests fail if either comes back, for the selected engine's
packages and for both engines' lib/index.js layouts (a miss shows only as a slower synth).
"""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from dualstack_aks.engine import prepare_node_environment, selected_engine
from dualstack_aks.engine.assemblies import assembly_load_arguments
from dualstack_aks.output.reader import read_stacks
from tests.conftest import SHIPPED_CONFIGS, config_id, run_python

# The app uses a few dozen resource modules; a package __init__ would load ~1,500 (azurerm).
MAX_PROVIDER_SUBMODULES = 100
PROVIDER_PACKAGES = selected_engine().provider_packages

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
# Loaded for every config: the assembly (_jsii) and the provider block's module.
ALWAYS_LOADED = {"_jsii", "provider"}


def synth_and_report(config: Path, outdir: Path) -> dict[str, list[str]]:
    result = run_python(SYNTH_AND_REPORT, str(config), str(outdir), *PROVIDER_PACKAGES)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def used_provider_modules(outdir: Path) -> set[str]:
    """The provider modules of the resource and data source types in the output: azurerm_public_ip is
    cdktf_cdktf_provider_azurerm.public_ip, its data source data_azurerm_public_ip, helm_release helm.release."""
    used = set()
    for stack in read_stacks(str(outdir)).values():
        for kind, prefix in (("resource", ""), ("data", "data_")):
            for type_ in stack.get(kind, {}):
                provider, _, name = type_.partition("_")
                if provider == "terraform":
                    continue  # terraform_remote_state and friends are the engine core's, not a provider package's
                used.add(f"{selected_engine().package(provider)}.{prefix}{type_ if prefix else name}")
    return used


@pytest.mark.parametrize("config_path", SHIPPED_CONFIGS, ids=config_id)
def test_synth_loads_only_the_provider_modules_its_output_uses(tmp_path, config_path):
    """Each loaded provider module costs Python and node time (the Kubernetes Deployment's: ~70 ms), so
    a module is loaded only for a resource or data source type the config's output has."""
    report = synth_and_report(config_path, tmp_path / "cdktf.out")
    assert report["inits_run"] == [], "a provider package __init__ ran: some import bypasses provider_imports"
    assert 0 < len(report["submodules"]) < MAX_PROVIDER_SUBMODULES, report["submodules"]
    modules = {".".join(name.split(".")[:2]) for name in report["submodules"]}  # not their own submodules (cdktn: ._private)
    loaded = {name for name in modules if name.partition(".")[2] not in ALWAYS_LOADED}
    assert loaded == used_provider_modules(tmp_path / "cdktf.out"), "loaded but unused: {}; used but not seen loaded: {}".format(
        sorted(loaded - used_provider_modules(tmp_path / "cdktf.out")), sorted(used_provider_modules(tmp_path / "cdktf.out") - loaded)
    )


def _unpack(package: str, node_modules: Path, only: tuple[str, ...] = ()) -> str:
    """Unpack a jsii package's npm tarball as node_modules/<name> (with its bundled dependencies, or
    `only` these files of it); return the name."""
    with tarfile.open(assembly_load_arguments(package)[2], "r:gz") as archive:
        members = []
        for member in archive:
            relative = member.name.removeprefix("package/")
            if member.name.startswith("package/") and (not only or relative in only):
                member.name = relative
                members.append(member)
                if len(members) == len(only):
                    break  # the rest of a provider's tarball is its ~1,500 resource modules
        name = json.loads(archive.extractfile("package.json").read())["name"]  # type: ignore[union-attr]
        archive.extractall(node_modules / name, members=members, filter="data")
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


def _node_with_preload(directory: Path, script: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    prepare_node_environment()  # NODE_OPTIONS exactly as jsii's node gets it
    return subprocess.run(["node", "-e", script, *arguments], cwd=directory, env=os.environ, capture_output=True, text=True)


@pytest.mark.parametrize("package", PROVIDER_PACKAGES)
def test_node_preload_defers_provider_modules_to_first_use(tmp_path, package):
    name = _unpack(package, tmp_path / "node_modules", only=("package.json", "lib/index.js"))
    result = _node_with_preload(tmp_path, REQUIRE_INDEX, name)
    assert result.returncode == 0, f"{name}/lib/index.js required its modules eagerly (the preload no longer matches it):\n{result.stderr}"
    report = json.loads(result.stdout)
    assert report["exports"] > 0 and report["loaded"] == 1, report
    assert report["firstUse"] == "MODULE_NOT_FOUND", "touching an export should require its (absent) module"


# The export lines of each engine's provider builds (cdktf: @cdktf/provider-*; cdktn: @cdktn/provider-*, TypeScript's helper).
INDEX_LAYOUTS = {
    "@cdktf/provider-example": 'exports.resourceGroup = require("./resource-group");\nexports.provider = require("./provider");\n',
    "@cdktn/provider-example": (
        "var __importStar = (this && this.__importStar) || function (mod) { return mod; };\n"
        'exports.resourceGroup = __importStar(require("./resource-group/index"));\nexports.provider = __importStar(require("./provider/index"));\n'
    ),
}


@pytest.mark.parametrize("name", INDEX_LAYOUTS)
def test_node_preload_knows_both_engines_index_layouts(tmp_path, name):
    index = tmp_path / "node_modules" / name / "lib" / "index.js"
    index.parent.mkdir(parents=True)
    index.write_text(INDEX_LAYOUTS[name], encoding="utf-8")
    (index.parent.parent / "package.json").write_text(json.dumps({"name": name, "main": "lib/index.js"}), encoding="utf-8")
    result = _node_with_preload(tmp_path, REQUIRE_INDEX, name)
    assert result.returncode == 0, f"{name}: the preload left its requires eager:\n{result.stderr}"
    assert json.loads(result.stdout) == {"exports": 2, "loaded": 1, "firstUse": "MODULE_NOT_FOUND"}


# Requires the engine core, notes whether archiver came with it, then zips a folder through the core's own function.
REQUIRE_CORE_AND_ZIP = """
const [name, folder, zip] = process.argv.slice(1);
const core = require(name);
const archiverAtLoad = Object.keys(require.cache).filter((file) => /[\\\\/]archiver[\\\\/]/.test(file)).length;
require(`${name}/lib/private/fs`).archiveSync(folder, zip);
console.log(JSON.stringify({ app: typeof core.App, archiverAtLoad }));
"""


@pytest.fixture
def unpacked_core(tmp_path: Path) -> str:
    """The selected engine's core and constructs, as jsii's node has them, in tmp_path/node_modules; the core's name."""
    _unpack("constructs", tmp_path / "node_modules")
    return _unpack(selected_engine().core, tmp_path / "node_modules")


def test_node_preload_defers_the_engine_cores_archiver_to_first_use(tmp_path, unpacked_core):
    """cdktf 0.21 requires archiver (~55 ms of node, while Python waits) to zip assets this app never makes."""
    (tmp_path / "asset").mkdir()
    (tmp_path / "asset" / "file.txt").write_text("zipped on first use\n", encoding="utf-8")
    result = _node_with_preload(tmp_path, REQUIRE_CORE_AND_ZIP, unpacked_core, str(tmp_path / "asset"), str(tmp_path / "asset.zip"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"app": "function", "archiverAtLoad": 0}, "the core required archiver at load (the preload no longer matches it)"
    with zipfile.ZipFile(tmp_path / "asset.zip") as archive:
        assert archive.read("file.txt") == b"zipped on first use\n"


# A token made with the environment jsii's node gets, and one made with the creation stacks asked for.
MAKE_TOKENS = """
const { Intrinsic } = require(`${process.argv[1]}/lib/tokens/private/intrinsic`);
const off = new Intrinsic("x").creationStack.length;
process.env.CDKTN_DISABLE_CREATION_STACK = "0";
const on = new Intrinsic("x").creationStack.length;
console.log(JSON.stringify({ off, on: on > 0 }));
"""


def test_tokens_record_no_creation_stack_unless_asked(tmp_path, unpacked_core):
    """Each token's creation stack costs ~10 ms a region; under jsii it shows the kernel's frames, not the app's."""
    result = _node_with_preload(tmp_path, MAKE_TOKENS, unpacked_core)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"off": 0, "on": True}, "tokens record their creation stacks (the switch no longer works)"
