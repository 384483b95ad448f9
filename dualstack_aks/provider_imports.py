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
import sys
from pathlib import Path

PROVIDER_PACKAGES = (
    "cdktf_cdktf_provider_azurerm",
    "cdktf_cdktf_provider_helm",
    "cdktf_cdktf_provider_kubernetes",
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
