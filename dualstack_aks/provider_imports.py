"""Lets `from cdktf_cdktf_provider_azurerm.<resource> import X` load only that resource module.

A prebuilt provider's package `__init__` imports every resource module (azurerm: ~1,500)
before anything is used; that alone costs seconds and hundreds of MB per process. We put an
empty package object, built from the package's own import spec, in `sys.modules` first: Python
then imports a submodule and the package's `_jsii` (which loads the assembly) without running
the package `__init__`. Nothing is patched inside the packages; if a provider package is missing
or not a regular package, it is left alone and imports behave as usual.
"""

from __future__ import annotations

import importlib.util
import sys

PROVIDER_PACKAGES = (
    "cdktf_cdktf_provider_azurerm",
    "cdktf_cdktf_provider_helm",
    "cdktf_cdktf_provider_kubernetes",
)


def skip_provider_package_inits() -> None:
    for package in PROVIDER_PACKAGES:
        if package in sys.modules:
            continue
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        sys.modules[package] = importlib.util.module_from_spec(spec)
