"""The background load of the jsii assemblies that `python main.py` starts (dualstack_aks/engine/assemblies.py):
it loads what the packages' own `_jsii` modules load, and no `_jsii` import in another thread overtakes it.
The whole synth through main.py, byte-identical to an in-process one, is in tests/test_output.py."""

from __future__ import annotations

import importlib
import sys
import threading

import pytest

from dualstack_aks.engine import selected_engine
from dualstack_aks.engine.assemblies import CONSTRUCTS, WaitForAssemblies, assembly_load_arguments, load_assemblies_in_background

PACKAGES = (CONSTRUCTS, selected_engine().core, *selected_engine().provider_packages)


@pytest.mark.parametrize("package", PACKAGES)
def test_the_thread_loads_what_the_packages_own_jsii_module_loads(package):
    assembly = importlib.import_module(f"{package}._jsii").__jsii_assembly__
    name, version, tarball = assembly_load_arguments(package)
    assert (name, version, tarball.name) == (assembly.name, assembly.version, assembly.filename)
    assert tarball.is_file()


def test_a_jsii_module_import_in_another_thread_waits_for_the_loading_thread():
    release = threading.Event()
    own_lookup: list[object] = []

    def loading() -> None:
        own_lookup.append(finder.find_spec("some_package._jsii", None))  # the loading thread never waits for itself
        release.wait()

    thread = threading.Thread(target=loading, daemon=True)
    finder = WaitForAssemblies(thread)
    thread.start()
    assert finder.find_spec("some_package.resource", None) is None
    assert thread.is_alive(), "only a _jsii module waits"
    threading.Timer(0.05, release.set).start()
    assert finder.find_spec("some_package._jsii", None) is None  # finds nothing itself: the usual finders import it
    assert not thread.is_alive(), "a _jsii module was imported while the assemblies were still loading"
    assert own_lookup == [None]


def test_no_loading_thread_once_jsii_is_in_use():
    """In a process whose jsii kernel is already in use (these tests'), a second talker would corrupt it."""
    importlib.import_module(f"{selected_engine().core}._jsii")
    assert load_assemblies_in_background() is None
    assert not any(isinstance(finder, WaitForAssemblies) for finder in sys.meta_path)
