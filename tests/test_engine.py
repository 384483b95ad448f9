"""The engine switch: only dualstack_aks/engine names an engine package, its lists of classes (what
mypy checks) cover every name the app imports and say where the selected engine defines each, and
both engines synthesize the same resources."""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dualstack_aks.engine import ENGINE_VARIABLE, ENGINES, Engine, selected_engine
from dualstack_aks.model.loading import load_config
from dualstack_aks.output.summary import read_stacks
from tests.conftest import DEFAULT_CONFIG, REPO, SHIPPED_CONFIGS, config_id, with_engine_strings

ENGINE_DIR = REPO / "dualstack_aks" / "engine"
ENGINE_PACKAGE = re.compile(r"^(cdktf|cdktn)(_|\.|$)")
SOURCES = [REPO / "main.py", *(path for folder in ("dualstack_aks", "tests", "bench") for path in sorted((REPO / folder).rglob("*.py")))]
# Module name -> its file, for the engine's class modules (core, azurerm, helm, kubernetes, ...): those that load
# their names on first use through a module `__getattr__` (not assemblies.py, which starts the assembly loads).
FACADES = {path.stem: path for path in sorted(ENGINE_DIR.glob("*.py")) if "\n__getattr__ = " in path.read_text(encoding="utf-8")}
# The Makefile's venv of each engine (ENGINE=...).
VENVS = {"cdktf": REPO / ".venv", "cdktn": REPO / ".venv-cdktn"}


def _imports(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(module, imported names) of every absolute import in one file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, [alias.name for alias in node.names]


def _listed(facade: Path) -> dict[str, str]:
    """Class name -> the cdktf module the facade's TYPE_CHECKING block imports it from."""
    return {name: module for module, names in _imports(facade) if ENGINE_PACKAGE.match(module) for name in names}


def _in_engine(cdktf_module: str, engine: Engine) -> str:
    """A cdktf module's name in another engine (cdktf_cdktf_provider_helm.release -> cdktn_provider_helm.release)."""
    cdktf = ENGINES["cdktf"]
    if cdktf_module.startswith(cdktf.provider_prefix):
        return engine.provider_prefix + cdktf_module.removeprefix(cdktf.provider_prefix)
    return engine.core + cdktf_module.removeprefix(cdktf.core)


def test_only_the_engine_package_names_engine_packages():
    offenders = [
        f"{path.relative_to(REPO)}: {module}"
        for path in SOURCES
        if ENGINE_DIR not in path.parents
        for module, _ in _imports(path)
        if ENGINE_PACKAGE.match(module)
    ]
    assert offenders == [], "import engine classes from dualstack_aks.engine.<core|azurerm|helm|kubernetes> (and list them there)"


def test_every_engine_class_the_app_imports_is_listed():
    missing = [
        f"{path.relative_to(REPO)}: {name} (add it to dualstack_aks/engine/{module.rpartition('.')[2]}.py)"
        for path in SOURCES
        for module, names in _imports(path)
        if module.rpartition(".")[0] == "dualstack_aks.engine" and module.rpartition(".")[2] in FACADES
        for name in names
        if name not in _listed(FACADES[module.rpartition(".")[2]])
    ]
    assert missing == [], "mypy would check these against `object`:\n" + "\n".join(missing)


@pytest.mark.parametrize("facade", sorted(FACADES))
def test_each_listed_class_loads_from_its_module_in_the_selected_engine(facade):
    engine = selected_engine()
    module = importlib.import_module(f"dualstack_aks.engine.{facade}")
    listed = _listed(FACADES[facade])
    assert listed, f"dualstack_aks/engine/{facade}.py lists no classes"
    loaded_from = {name: getattr(module, name).__module__ for name in listed}
    assert loaded_from == {name: _in_engine(cdktf_module, engine) for name, cdktf_module in listed.items()}


def test_the_bindings_type_checks_run_in_the_tests(tmp_path):
    """The synth runs with -O (cdktf.json), which skips the generated bindings' runtime type checks;
    the tests run without it, so a wrong type passed to a provider class still fails here."""
    from dualstack_aks.engine.azurerm import ResourceGroup
    from dualstack_aks.engine.core import App, TerraformStack

    assert __debug__, "the tests must run without -O (or PYTHONOPTIMIZE)"
    stack = TerraformStack(App(outdir=str(tmp_path / "out")), "checks")  # App() alone makes ./cdktf.out/stacks
    with pytest.raises(TypeError, match="name"):
        ResourceGroup(stack, "resource_group", name=42, location="westeurope")  # type: ignore[arg-type]


def test_synth_refuses_an_engine_the_venv_lacks_in_one_line(tmp_path):
    other = next(name for name in ENGINES if name != selected_engine().name)
    command = [sys.executable, "main.py", "--config", str(DEFAULT_CONFIG), "--outdir", str(tmp_path / "cdktf.out")]
    result = subprocess.run(command, cwd=REPO, env=os.environ | {ENGINE_VARIABLE: other}, capture_output=True, text=True)
    expected = f"{ENGINE_VARIABLE}={other}, but {sys.prefix} has no {other}: run `make install ENGINE={other}` and use its venv"
    assert (result.returncode, result.stderr.splitlines()) == (2, [expected])
    assert not (tmp_path / "cdktf.out").exists()


# Runs in the other engine's venv: synthesize each (config, outdir) pair of argv.
SYNTH_EACH = """
import sys
from dualstack_aks.model.loading import load_config
from dualstack_aks.synth import synthesize
for config, outdir in zip(sys.argv[1::2], sys.argv[2::2]):
    synthesize(load_config(config), outdir, source=config)
"""


def test_both_engines_synthesize_the_same_resources(synthesize, tmp_path):
    other = next(name for name in ENGINES if name != selected_engine().name)
    python = VENVS[other] / "bin" / "python"
    if not python.is_file():
        pytest.skip(f"{other} is not installed (make install ENGINE={other}); CI installs both engines")
    # Each named as the default output folder, so the local state paths are the ones this engine writes.
    outdirs = {config_id(path): tmp_path / config_id(path) / "cdktf.out" for path in SHIPPED_CONFIGS}
    for outdir in outdirs.values():
        outdir.parent.mkdir()
    # The child finds its own Node.js and engine, not this process's.
    env = {name: value for name, value in os.environ.items() if name != "JSII_NODE"} | {
        ENGINE_VARIABLE: other,
        "PATH": f"{python.parent}{os.pathsep}{os.environ['PATH']}",
    }
    arguments = [str(argument) for path in SHIPPED_CONFIGS for argument in (path, outdirs[config_id(path)])]
    result = subprocess.run([python, "-c", SYNTH_EACH, *arguments], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for path in SHIPPED_CONFIGS:
        ours = synthesize(load_config(path))[1]
        theirs = read_stacks(outdirs[config_id(path)])
        assert sorted(theirs) == sorted(ours), config_id(path)
        for stack, body in ours.items():
            assert with_engine_strings(theirs[stack], body) == body, f"{config_id(path)}/{stack}: {other} synthesizes other resources"
