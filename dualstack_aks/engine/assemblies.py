"""Start jsii's node and load the engine's assemblies in a background thread, while the synth's own
Python (click, the config models, the config) is imported and run.

Starting node and loading constructs, the engine and the four providers take ~0.3 s of node's time,
which Python otherwise waits for, one request after another, when it first imports each package's
`_jsii` module. Here one thread makes the same `load` requests early, straight to jsii's kernel; the
kernel answers the later ones from the packages' `_jsii` modules from what it has loaded (it looks up
an already-loaded assembly), and those modules still register their assemblies in Python as usual.

jsii's kernel serves one request at a time, so no other thread may make one before this thread is done:
an import hook waits for it before any `_jsii` module is imported, which is the first request any
code can make (a jsii class cannot be used before its package's `_jsii` module is imported). If this
thread fails, nothing is reported from here: the imports then make the same requests and fail, or
succeed, as they would without it.
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from dualstack_aks.engine import EngineMissing, project_node, require_node, selected_engine

ASSEMBLY_MODULE = "_jsii"  # the module of a jsii package that loads its assembly
CONSTRUCTS = "constructs"


def load_assemblies_in_background() -> threading.Thread | None:
    """Start the thread and the import hook that waits for it. Nothing is started (None) once jsii is in
    use in this process, or a loading thread was started already: two threads would talk to the kernel at
    once; nor when the venv has no single engine, which the command then reports itself."""
    if any(isinstance(finder, WaitForAssemblies) for finder in sys.meta_path) or any(name.endswith(f".{ASSEMBLY_MODULE}") for name in sys.modules):
        return None
    try:
        engine = selected_engine()
    except EngineMissing:  # the command says it in one line
        return None
    packages = (CONSTRUCTS, engine.core, *engine.provider_packages)
    # Imported here, not in the thread: under the other thread's imports it takes three times as long, and node waits for it.
    import jsii._runtime

    thread = threading.Thread(target=_load_quietly, args=(packages,), name="dualstack-aks assemblies", daemon=True)
    sys.meta_path.insert(0, WaitForAssemblies(thread))
    thread.start()
    return thread


class WaitForAssemblies(importlib.abc.MetaPathFinder):
    """Holds back the import of any `_jsii` module, in any other thread, until the loading thread is done.
    It finds nothing itself; the usual finders then import the module."""

    def __init__(self, thread: threading.Thread):
        self.thread = thread

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname.rpartition(".")[2] == ASSEMBLY_MODULE and threading.current_thread() is not self.thread:
            self.thread.join()
        return None


def _load_quietly(packages: Sequence[str]) -> None:
    try:
        # Any other JSII_NODE is probed first: one that hangs is the command's to report, in one line,
        # and jsii would wait 5 s at exit for one it had started.
        if os.environ.get("JSII_NODE") != str(project_node()):
            require_node()
        _load(packages)
    except BaseException:  # the imports meet the same failure and report it (module docstring)
        pass


def _load(packages: Sequence[str]) -> None:
    from jsii._runtime import kernel

    for package in packages:
        name, version, tarball = assembly_load_arguments(package)
        kernel.load(name, version, str(tarball))


def assembly_load_arguments(package: str) -> tuple[str, str, Path]:
    """The npm name, the version and the tarball a jsii package's `_jsii` module loads, read from that
    module's `JSIIAssembly.load(name, version, module, filename)` call without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(package)
    folder = Path(next(iter(spec.submodule_search_locations)), ASSEMBLY_MODULE)
    for node in ast.walk(ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load" and len(node.args) == 4:
            name, version, _, filename = node.args
            if isinstance(name, ast.Constant) and isinstance(version, ast.Constant) and isinstance(filename, ast.Constant):
                return str(name.value), str(version.value), folder / str(filename.value)
    raise LookupError(f"{folder / '__init__.py'}: no JSIIAssembly.load call")
